"""A static estimate of a query's requested cost, used before the server has told us.

The documented model: scalar and enum fields cost 0, an object field 1 plus its selection,
a connection field (one taking ``first``/``last``) 2 plus ``first`` times the cost of a node
(counted as an object: 1 plus its selection, the pessimistic reading of the docs).
The server's own ``requestedCost`` always wins once seen; this estimate only keeps the
very first request of an operation from being throttled.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
)


def estimate_cost(document: DocumentNode, variables: Mapping[str, Any] | None = None) -> int:
    """Requested cost of the (first) operation in ``document`` under the documented model."""
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    walker = _Walker(fragments, variables or {})
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            return walker.selection_cost(definition.selection_set)
    return 0


class _Walker:
    def __init__(self, fragments: dict[str, FragmentDefinitionNode], variables: Mapping[str, Any]):
        self.fragments = fragments
        self.variables = variables

    def fields(self, selection_set: SelectionSetNode | None, seen: frozenset[str] = frozenset()
               ) -> list[FieldNode]:
        """Flatten fragments into the plain fields they select."""
        result: list[FieldNode] = []
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                result.append(selection)
            elif isinstance(selection, InlineFragmentNode):
                result.extend(self.fields(selection.selection_set, seen))
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is not None and name not in seen:
                    result.extend(self.fields(fragment.selection_set, seen | {name}))
        return result

    def selection_cost(self, selection_set: SelectionSetNode | None) -> int:
        return sum(self.field_cost(f) for f in self.fields(selection_set))

    def field_cost(self, node: FieldNode) -> int:
        if node.selection_set is None:
            return 0
        size = self.page_size(node)
        if size is None:
            return 1 + self.selection_cost(node.selection_set)
        return 2 + size * self.node_cost(node.selection_set)

    def node_cost(self, selection_set: SelectionSetNode) -> int:
        """Cost of one node of a connection: ``nodes{..}`` and ``edges{node{..}}`` are see-through."""
        total = 1
        for child in self.fields(selection_set):
            if child.selection_set is None:
                continue
            if child.name.value == "edges":
                total += self.node_cost(child.selection_set) - 1
            elif child.name.value in ("nodes", "node"):
                total += self.selection_cost(child.selection_set)
        return total

    def page_size(self, node: FieldNode) -> int | None:
        for argument in node.arguments or ():
            if argument.name.value not in ("first", "last"):
                continue
            value = argument.value
            if isinstance(value, IntValueNode):
                return int(value.value)
            if isinstance(value, VariableNode):
                raw = self.variables.get(value.name.value)
                if isinstance(raw, int) and not isinstance(raw, bool):
                    return raw
            return 0
        return None
