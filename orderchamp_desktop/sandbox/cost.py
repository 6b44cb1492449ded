"""Query cost, computed the way CONTRACTS.md describes the live API's model.

- scalar and enum fields cost 0; introspection fields (``__schema``, ``__typename``...) cost 0;
- an object field (or list of objects) costs 1 + the cost of its selection;
- a connection field costs 2 + n * (1 + the cost of the node selection), where n is first/last
  (capped at 250) for the requested cost and the number of returned nodes for the actual cost.
  ``edges { node {...} }`` and ``nodes {...}`` select the same objects: the dearer counts once;
  ``pageInfo``, ``cursor`` and ``totalCount`` are included in the 2.

So ``orders(first: 50) { nodes { id products(first: 100) { nodes { id } } } }`` costs
2 + 50 * (1 + 2 + 100 * 1) = 5152 (refused above 2000) and the same with ``products(first: 30)``
costs 2 + 50 * (1 + 2 + 30) = 1652 (admitted).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    get_named_type,
)
from graphql.execution.values import VariableValues, get_argument_values

from .pagination import requested_page_size

Fields = dict[str, list[FieldNode]]


def collect_fields(
    selection_sets: Iterable[SelectionSetNode | None], fragments: Mapping[str, FragmentDefinitionNode]
) -> Fields:
    """Fields by response key, fragments flattened (every sandbox type is a concrete object)."""
    fields: Fields = {}
    pending = [selection_set for selection_set in selection_sets if selection_set is not None]
    seen_fragments: set[str] = set()
    while pending:
        for selection in pending.pop(0).selections:
            if isinstance(selection, FieldNode):
                key = selection.alias.value if selection.alias else selection.name.value
                fields.setdefault(key, []).append(selection)
            elif isinstance(selection, InlineFragmentNode):
                pending.append(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name in fragments and name not in seen_fragments:
                    seen_fragments.add(name)
                    pending.append(fragments[name].selection_set)
    return fields


def _sub_selections(nodes: list[FieldNode]) -> list[SelectionSetNode | None]:
    return [node.selection_set for node in nodes]


def _is_connection(field_type: GraphQLObjectType) -> bool:
    return field_type.name.endswith("Connection") and "pageInfo" in field_type.fields


def _node_type(connection: GraphQLObjectType) -> GraphQLObjectType:
    node_type = get_named_type(connection.fields["nodes"].type)
    assert isinstance(node_type, GraphQLObjectType)
    return node_type


@dataclass(frozen=True, slots=True)
class CostModel:
    """Computes costs of one operation; raises GraphQLError for a connection without first/last."""

    schema: GraphQLSchema
    fragments: Mapping[str, FragmentDefinitionNode]
    variables: VariableValues | None

    def root_type(self, operation: OperationDefinitionNode) -> GraphQLObjectType:
        root = (
            self.schema.mutation_type
            if operation.operation == OperationType.MUTATION
            else self.schema.query_type
        )
        assert root is not None
        return root

    # ------------------------------------------------------------------ requested

    def requested(self, operation: OperationDefinitionNode) -> int:
        return self._requested([operation.selection_set], self.root_type(operation))

    def _requested(self, selection_sets: list[SelectionSetNode | None], parent: GraphQLObjectType) -> int:
        total = 0
        for _key, nodes, field_type in self._costed_fields(selection_sets, parent):
            if _is_connection(field_type):
                args = self._arguments(parent, nodes[0])
                size = self._page_size(args, nodes[0])
                total += 2 + size * (1 + self._node_requested(nodes, field_type))
            else:
                total += 1 + self._requested(_sub_selections(nodes), field_type)
        return total

    def _costed_fields(self, selection_sets: list[SelectionSetNode | None], parent: GraphQLObjectType
                       ) -> Iterator[tuple[str, list[FieldNode], GraphQLObjectType]]:
        """The selected fields that cost points (objects and connections), by response key.

        Scalars and introspection are free; the requested and the actual cost count alike.
        """
        for key, nodes in collect_fields(selection_sets, self.fragments).items():
            name = nodes[0].name.value
            if name.startswith("__") or name not in parent.fields:
                continue
            field_type = get_named_type(parent.fields[name].type)
            if isinstance(field_type, GraphQLObjectType):
                yield key, nodes, field_type

    def _arguments(self, parent: GraphQLObjectType, node: FieldNode) -> dict[str, Any]:
        return get_argument_values(parent.fields[node.name.value], node, self.variables)

    @staticmethod
    def _page_size(args: dict[str, Any], node: FieldNode) -> int:
        try:
            return requested_page_size(args)
        except GraphQLError as error:
            raise GraphQLError(error.message, node) from None

    def _node_requested(self, nodes: list[FieldNode], connection: GraphQLObjectType) -> int:
        node_type = _node_type(connection)
        inner = collect_fields(_sub_selections(nodes), self.fragments)
        costs = [0]
        for group in inner.values():
            field_name = group[0].name.value
            if field_name == "nodes":
                costs.append(self._requested(_sub_selections(group), node_type))
            elif field_name == "edges":
                edge_fields = collect_fields(_sub_selections(group), self.fragments)
                costs += [
                    self._requested(_sub_selections(edge_group), node_type)
                    for edge_group in edge_fields.values()
                    if edge_group[0].name.value == "node"
                ]
        return max(costs)

    # ------------------------------------------------------------------ actual

    def actual(self, operation: OperationDefinitionNode, data: dict[str, Any] | None) -> int:
        if data is None:
            return 0
        return self._actual([operation.selection_set], self.root_type(operation), data)

    def _actual(
        self, selection_sets: list[SelectionSetNode | None], parent: GraphQLObjectType, data: Any
    ) -> int:
        if isinstance(data, list):
            return max((self._actual(selection_sets, parent, item) for item in data), default=0)
        if not isinstance(data, dict):
            return 0
        total = 0
        for key, nodes, field_type in self._costed_fields(selection_sets, parent):
            if key not in data:  # skipped by @skip/@include
                continue
            value = data[key]
            if _is_connection(field_type):
                total += 2 + self._connection_actual(nodes, field_type, value)
            else:
                total += 1 + self._actual(_sub_selections(nodes), field_type, value)
        return total

    def _connection_actual(self, nodes: list[FieldNode], connection: GraphQLObjectType, value: Any) -> int:
        if not isinstance(value, dict):
            return 0
        node_type = _node_type(connection)
        per_item: dict[int, int] = {}
        for key, group in collect_fields(_sub_selections(nodes), self.fragments).items():
            items = value.get(key)
            if not isinstance(items, list):
                continue
            field_name = group[0].name.value
            for index, item in enumerate(items):
                if field_name == "nodes":
                    cost = self._actual(_sub_selections(group), node_type, item)
                elif field_name == "edges" and isinstance(item, dict):
                    cost = self._edge_actual(group, node_type, item)
                else:
                    continue
                per_item[index] = max(per_item.get(index, 0), cost)
        return sum(1 + cost for cost in per_item.values())

    def _edge_actual(self, group: list[FieldNode], node_type: GraphQLObjectType, edge: dict[str, Any]) -> int:
        cost = 0
        for key, edge_group in collect_fields(_sub_selections(group), self.fragments).items():
            if edge_group[0].name.value == "node":
                cost = max(cost, self._actual(_sub_selections(edge_group), node_type, edge.get(key)))
        return cost
