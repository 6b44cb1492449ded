"""The live schema, read by introspection, and what it says about our operations.

Orderchamp changes its API without asking us. Before a feature sends an operation, the
operation is validated against the schema the server itself reports; an operation the
schema rejects switches its feature off with a clear message instead of failing mid-task.
One exception keeps syncs alive: a plain scalar or enum field the server no longer has is
pruned from the document (and logged), since the rest of the record is still worth having.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graphql import (
    BREAK,
    REMOVE,
    DocumentNode,
    FieldNode,
    GraphQLEnumType,
    GraphQLError,
    GraphQLObjectType,
    GraphQLSchema,
    Node,
    SelectionSetNode,
    Visitor,
    build_client_schema,
    build_schema,
    parse,
    print_ast,
    validate,
    validate_schema,
    visit,
)

log = logging.getLogger(__name__)

#: Re-read the live schema once a day: a changed API is noticed on the next start anyway.
SCHEMA_TTL_SECONDS = 24 * 3600
_CACHE_VERSION = 1
_MISSING_FIELD = re.compile(r"^Cannot query field '([^']+)' on type '([^']+)'")
_MAX_PRUNE_ROUNDS = 5


@dataclass(frozen=True)
class PreparedDocument:
    """An operation as it will be sent: possibly with missing leaf fields pruned."""

    document: DocumentNode
    text: str
    pruned: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()

    @property
    def accepted(self) -> bool:
        return not self.errors


class LiveSchema:
    """A server's schema with the questions features ask of it."""

    def __init__(self, schema: GraphQLSchema, *, introspection: dict[str, Any] | None = None,
                 fetched_at: float = 0.0) -> None:
        self.schema = schema
        self.introspection = introspection
        self.fetched_at = fetched_at
        problems = validate_schema(schema)
        # A live schema that breaks the spec somewhere cannot judge our documents; trusting
        # it would switch features off for no reason, so validation is skipped instead.
        self.usable = not problems
        if problems:
            log.warning("The live schema is not valid GraphQL (%s); operations are not checked",
                        problems[0].message)

    @classmethod
    def from_introspection(cls, data: dict[str, Any], fetched_at: float = 0.0) -> LiveSchema:
        """Build from an introspection result (``data`` of the introspection query)."""
        return cls(build_client_schema(data), introspection=data, fetched_at=fetched_at)  # type: ignore[arg-type]

    @classmethod
    def from_sdl(cls, text: str, fetched_at: float = 0.0) -> LiveSchema:
        return cls(build_schema(text), fetched_at=fetched_at)

    def validate(self, document: str | DocumentNode) -> list[str]:
        """Validation messages for ``document``; an empty list means it is accepted."""
        if isinstance(document, str):
            try:
                document = parse(document)
            except GraphQLError as exc:
                return [exc.message]
        return [e.message for e in self._errors(document)]

    def _errors(self, document: DocumentNode) -> list[GraphQLError]:
        if not self.usable:
            return []
        return list(validate(self.schema, document))

    def prepare(self, document: DocumentNode) -> PreparedDocument:
        """Validate, pruning leaf fields the schema lacks; anything else is a rejection."""
        pruned: list[str] = []
        current = document
        for _ in range(_MAX_PRUNE_ROUNDS):
            errors = self._errors(current)
            if not errors:
                return PreparedDocument(current, print_ast(current), tuple(pruned))
            leaves = _prunable_leaves(errors)
            if leaves is None:
                break
            candidate = _without(current, set(leaves))
            if _has_empty_selection(candidate):  # the object lost all its fields: not a leaf issue
                break
            pruned.extend(leaves.values())
            current = candidate
        messages = tuple(e.message for e in self._errors(current)) or ("too many missing fields",)
        return PreparedDocument(current, print_ast(current), tuple(pruned), messages)

    def enum_values(self, name: str) -> list[str]:
        """Values of an enum type (empty when the schema has no such enum)."""
        enum = self.schema.get_type(name)
        return list(enum.values) if isinstance(enum, GraphQLEnumType) else []

    def has_enum_value(self, enum: str, value: str) -> bool:
        return value in self.enum_values(enum)

    def has_mutation(self, name: str) -> bool:
        return self.has_field(self.schema.mutation_type.name if self.schema.mutation_type else "", name)

    def has_query(self, name: str) -> bool:
        return self.has_field(self.schema.query_type.name if self.schema.query_type else "", name)

    def has_field(self, type_name: str, field: str) -> bool:
        kind = self.schema.get_type(type_name) if type_name else None
        return isinstance(kind, GraphQLObjectType) and field in kind.fields

    def field_args(self, type_name: str, field: str) -> dict[str, str]:
        """Arguments of ``type_name.field`` as name -> type (e.g. {"since": "DateTime"})."""
        kind = self.schema.get_type(type_name)
        if not isinstance(kind, GraphQLObjectType) or field not in kind.fields:
            return {}
        return {name: str(arg.type) for name, arg in kind.fields[field].args.items()}

    def query_args(self, field: str) -> dict[str, str]:
        """Arguments of a root query field (``orders``, ``products``...) as name -> type."""
        root = self.schema.query_type
        return self.field_args(root.name, field) if root is not None else {}

    def sort_values(self, field: str) -> list[str] | None:
        """The values a root query field's ``sort`` argument takes; None without the argument.

        Read from the argument's own type, whatever the enum is called on the live API.
        """
        sort = self.query_args(field).get("sort")
        if sort is None:
            return None
        return self.enum_values(sort.strip("[]!"))


def _prunable_leaves(errors: list[GraphQLError]) -> dict[int, str] | None:
    """{id(field node): "Type.field"} if every error is a missing leaf field, else None."""
    leaves: dict[int, str] = {}
    for error in errors:
        match = _MISSING_FIELD.match(error.message)
        nodes = error.nodes or []
        if not match or len(nodes) != 1:
            return None
        node = nodes[0]
        if not isinstance(node, FieldNode) or node.selection_set is not None or node.arguments:
            return None
        leaves[id(node)] = f"{match.group(2)}.{match.group(1)}"
    return leaves


def _without(document: DocumentNode, node_ids: set[int]) -> DocumentNode:
    class _Remover(Visitor):
        def enter_field(self, node: FieldNode, *_args: object) -> object:
            return REMOVE if id(node) in node_ids else None

    result = _visit(document, _Remover())
    assert isinstance(result, DocumentNode)
    return result


def _has_empty_selection(document: DocumentNode) -> bool:
    """graphql-core accepts ``address {}``; a server would not."""
    found: list[bool] = []

    class _Finder(Visitor):
        def enter_selection_set(self, node: SelectionSetNode, *_args: object) -> object:
            if not node.selections:
                found.append(True)
                return BREAK
            return None

    _visit(document, _Finder())
    return bool(found)


def _visit(document: DocumentNode, visitor: Visitor) -> Node:
    result = visit(document, visitor)
    return result if isinstance(result, Node) else document


# ------------------------------------------------------------------------- cache on disk


@dataclass(frozen=True)
class CachedSchema:
    schema: LiveSchema
    #: Operations the schema rejected when it was fetched: a rejection seen again with the
    #: cached copy is no reason to fetch again; a new one is (the API may have grown).
    rejected: frozenset[str]


def cache_file(cache_dir: Path, account_key: str) -> Path:
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in account_key)[:60]
    digest = hashlib.sha256(account_key.encode()).hexdigest()[:10]
    return cache_dir / f"schema-{safe}-{digest}.json"


def read_cached_schema(cache_dir: Path, account_key: str, wall_now: float,
                       ttl: float = SCHEMA_TTL_SECONDS) -> CachedSchema | None:
    """The cached schema if present, readable and younger than ``ttl``; otherwise None."""
    path = cache_file(cache_dir, account_key)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        if raw.get("version") != _CACHE_VERSION:
            return None
        fetched_at = float(raw["fetched_at"])
        if not 0 <= wall_now - fetched_at < ttl:
            return None
        schema = LiveSchema.from_introspection(raw["introspection"], fetched_at)
        return CachedSchema(schema, frozenset(str(n) for n in raw.get("rejected", [])))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError, AttributeError, GraphQLError) as exc:
        log.warning("Ignoring an unreadable schema cache %s: %s", path.name, exc)
        return None


def write_cached_schema(cache_dir: Path, account_key: str, schema: LiveSchema,
                        rejected: frozenset[str]) -> None:
    """Write atomically; a failure only costs a fresh introspection next time."""
    if schema.introspection is None:
        return
    payload = {"version": _CACHE_VERSION, "fetched_at": schema.fetched_at,
               "rejected": sorted(rejected), "introspection": schema.introspection}
    path = cache_file(cache_dir, account_key)
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        temporary.write_text(json.dumps(payload), encoding="utf-8")
        os.replace(temporary, path)
    except OSError as exc:
        log.warning("Could not cache the live schema: %s", exc)
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)
