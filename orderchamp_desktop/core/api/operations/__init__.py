"""GraphQL operations, one per ``<OperationName>.graphql`` file in this folder.

Read through importlib.resources so the files are found in a PyInstaller build too
(the spec must collect ``orderchamp_desktop/core/api/operations/*.graphql`` as data).
A file may start with ``# feature: <words for a shop owner>``; that name is used when the
live schema rejects the operation and its feature is switched off.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Literal

from graphql import DocumentNode, GraphQLError, OperationDefinitionNode, OperationType, parse

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_FEATURE = re.compile(r"^\s*#\s*feature:\s*(.+?)\s*$", re.MULTILINE)
_SUFFIX = ".graphql"

Kind = Literal["query", "mutation"]


class OperationFileError(Exception):
    """An operation file is missing or malformed: a bug in the app, not the user's fault."""


@dataclass(frozen=True)
class Operation:
    """A parsed operation file."""

    name: str
    text: str
    document: DocumentNode
    kind: Kind
    variables: frozenset[str]
    feature: str


def operation_names() -> list[str]:
    """Every operation shipped with the app, sorted."""
    folder = resources.files(__name__)
    names = (entry.name[: -len(_SUFFIX)] for entry in folder.iterdir() if entry.name.endswith(_SUFFIX))
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


def parse_operation(name: str, text: str) -> Operation:
    """Parse a document that must hold exactly one operation called ``name``."""
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
    return Operation(name, text, document, kind, variables, feature)


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
