"""GraphQL operations, one per ``<OperationName>.graphql`` file in this folder.

Read through importlib.resources so the files are found in a PyInstaller build too
(the spec must collect ``orderchamp_desktop/core/api/operations/**/*.graphql`` as data).
A file may start with ``# feature: <words for a shop owner>``; that name is used when the
live schema rejects the operation and its feature is switched off.

Selections several operations share are fragments in ``fragments/*.graphql`` (fragment
definitions only). An operation spreads them by name (``...AddressFields``) without
defining them: loading appends exactly the shared fragments it uses, transitively, since
a server rejects a document with an unused fragment. A spread of a fragment defined
nowhere is an :class:`OperationFileError` at load, not a schema rejection later.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Literal

from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    Node,
    OperationDefinitionNode,
    OperationType,
    Visitor,
    parse,
    visit,
)

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_FEATURE = re.compile(r"^\s*#\s*feature:\s*(.+?)\s*$", re.MULTILINE)
_SUFFIX = ".graphql"
_FRAGMENTS = "fragments"

Kind = Literal["query", "mutation"]


class OperationFileError(Exception):
    """An operation file is missing or malformed: a bug in the app, not the user's fault."""


@dataclass(frozen=True)
class Operation:
    """A parsed operation file, with the shared fragments it uses appended."""

    name: str
    text: str  # as sent: the file's text plus the shared fragments it uses
    document: DocumentNode
    kind: Kind
    variables: frozenset[str]
    feature: str
    fragments: tuple[str, ...] = ()  # the shared fragments appended, in order of first use


def operation_names() -> list[str]:
    """Every operation shipped with the app, sorted."""
    folder = resources.files(__name__)
    names = (entry.name[: -len(_SUFFIX)] for entry in folder.iterdir()
             if entry.name.endswith(_SUFFIX) and entry.is_file())
    return sorted(name for name in names if _NAME.match(name))


@functools.cache
def load_operation(name: str) -> Operation:
    """Read, parse and check one operation file (cached: files never change at run time)."""
    if not _NAME.match(name):
        raise OperationFileError(f"not an operation name: {name!r}")
    try:
        text = resources.files(__name__).joinpath(name + _SUFFIX).read_text(encoding="utf-8")
    except (FileNotFoundError, OSError) as exc:
        raise OperationFileError(f"operation file {name}{_SUFFIX} is missing") from exc
    return parse_operation(name, text)


def parse_operation(name: str, text: str,
                    shared: Mapping[str, FragmentDefinitionNode] | None = None) -> Operation:
    """Parse a document that must hold exactly one operation called ``name``.

    Shared fragments (``shared``; by default the packaged ``fragments/`` files) that the
    document spreads without defining are appended to its text, transitively.
    """
    try:
        document = parse(text)
    except GraphQLError as exc:
        raise OperationFileError(f"{name}{_SUFFIX} does not parse: {exc.message}") from exc
    ops = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if len(ops) != 1 or ops[0].name is None or ops[0].name.value != name:
        raise OperationFileError(f"{name}{_SUFFIX} must hold exactly one operation named {name}")
    op = ops[0]
    if op.operation == OperationType.SUBSCRIPTION:
        raise OperationFileError(f"{name}{_SUFFIX}: subscriptions are not supported")
    kind: Kind = "mutation" if op.operation == OperationType.MUTATION else "query"
    variables = frozenset(v.variable.name.value for v in op.variable_definitions or ())
    match = _FEATURE.search(text)
    feature = match.group(1) if match else _humanize(name)
    used = _used_shared_fragments(name, document, shared_fragments() if shared is None else shared)
    if used:
        text = "\n\n".join([text.rstrip("\n"), *(_source(shared_node) for shared_node in used)]) + "\n"
        document = parse(text)
    return Operation(name, text, document, kind, variables, feature,
                     tuple(f.name.value for f in used))


def _used_shared_fragments(name: str, document: DocumentNode,
                           shared: Mapping[str, FragmentDefinitionNode]) -> list[FragmentDefinitionNode]:
    """The shared fragments ``document`` needs, in order of first use (depth first)."""
    local = {d.name.value for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    if clash := sorted(local & set(shared)):
        raise OperationFileError(f"{name}{_SUFFIX} defines fragment {clash[0]}, which is also a "
                                 f"shared fragment in {_FRAGMENTS}/: rename one of them")
    used: dict[str, FragmentDefinitionNode] = {}

    def follow(node: Node) -> None:
        for spread in _spreads(node):
            if spread in local or spread in used:
                continue
            fragment = shared.get(spread)
            if fragment is None:
                raise OperationFileError(f"{name}{_SUFFIX} uses fragment {spread}, which is "
                                         f"defined neither in the file nor in {_FRAGMENTS}/")
            used[spread] = fragment
            follow(fragment)

    follow(document)
    return list(used.values())


def _spreads(node: Node) -> list[str]:
    """Names of the fragments spread anywhere in ``node``, in document order."""
    names: list[str] = []

    class _Collector(Visitor):
        def enter_fragment_spread(self, spread: FragmentSpreadNode, *_args: object) -> None:
            names.append(spread.name.value)

    visit(node, _Collector())
    return names


def _source(node: Node) -> str:
    """The text ``node`` was parsed from (comments around it left out)."""
    assert node.loc is not None  # parse() keeps locations
    return node.loc.source.body[node.loc.start:node.loc.end]


@functools.cache
def shared_fragments() -> dict[str, FragmentDefinitionNode]:
    """Every fragment of the packaged ``fragments/*.graphql`` files, by name."""
    folder = resources.files(__name__).joinpath(_FRAGMENTS)
    fragments: dict[str, FragmentDefinitionNode] = {}
    if not folder.is_dir():
        return fragments
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not (entry.name.endswith(_SUFFIX) and entry.is_file()):
            continue
        where = f"{_FRAGMENTS}/{entry.name}"
        try:
            document = parse(entry.read_text(encoding="utf-8"))
        except GraphQLError as exc:
            raise OperationFileError(f"{where} does not parse: {exc.message}") from exc
        for definition in document.definitions:
            if not isinstance(definition, FragmentDefinitionNode):
                raise OperationFileError(f"{where} must hold fragment definitions only")
            if definition.name.value in fragments:
                raise OperationFileError(f"{where}: fragment {definition.name.value} is defined twice")
            fragments[definition.name.value] = definition
    return fragments


def _humanize(name: str) -> str:
    """"OrderConfirm" -> "Order confirm": a fallback feature name for messages."""
    words = re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z0-9]+", name) or [name]
    return " ".join([words[0], *(w.lower() for w in words[1:])])


class OperationLibrary:
    """The operations a client may send: the packaged files plus optional extra documents.

    Extras serve tests and experiments (an operation that exists nowhere in the app) without
    writing into the package; an extra with a packaged name replaces the packaged one.
    """

    def __init__(self, extra: Mapping[str, str] | None = None) -> None:
        self._extra = {name: parse_operation(name, text) for name, text in (extra or {}).items()}

    def load(self, name: str) -> Operation:
        extra = self._extra.get(name)
        return extra if extra is not None else load_operation(name)

    def names(self) -> list[str]:
        return sorted(set(operation_names()) | set(self._extra))
