"""The executable schema: schema.graphql shaped by the config's features, with scalars and resolvers."""

from __future__ import annotations

import dataclasses
import functools
import re
from importlib import resources

from graphql import (
    DefinitionNode,
    DocumentNode,
    EnumTypeDefinitionNode,
    EnumValueDefinitionNode,
    GraphQLSchema,
    NameNode,
    ObjectTypeDefinitionNode,
    assert_valid_schema,
    build_ast_schema,
    parse,
)

from .config import SandboxConfig
from .mutations import MUTATION_RESOLVERS
from .resolvers import QUERY_RESOLVERS, install_resolvers
from .scalars import install_scalars

# Types only the switchable orderConfirm mutation uses: dropped with it.
ORDER_CONFIRM_TYPES = frozenset({"OrderConfirmInput", "OrderPayload"})
ENUM_NAME = re.compile(r"^[_A-Za-z][_0-9A-Za-z]*$")


@functools.lru_cache(maxsize=1)
def schema_sdl() -> str:
    """The text of schema.graphql shipped with the package."""
    return resources.files(__package__).joinpath("schema.graphql").read_text(encoding="utf-8")


def _shape_enum(node: EnumTypeDefinitionNode, config: SandboxConfig) -> EnumTypeDefinitionNode:
    values = tuple(node.values or ())
    if node.name.value == "OrderSort" and not config.feature("orders_updated_sort"):
        values = tuple(value for value in values if not value.name.value.startswith("UPDATED_AT_"))
    if node.name.value == "OrderStatus":
        known = {value.name.value for value in values}
        for status in config.extra_order_statuses:
            if not ENUM_NAME.match(status) or status in ("true", "false", "null"):
                raise ValueError(f"{status!r} is not a valid GraphQL enum value")
            if status not in known:
                values += (EnumValueDefinitionNode(name=NameNode(value=status), directives=()),)
    return dataclasses.replace(node, values=values)


def _shape(definition: DefinitionNode, config: SandboxConfig) -> DefinitionNode | None:
    confirm = config.feature("order_confirm")
    if isinstance(definition, EnumTypeDefinitionNode):
        return _shape_enum(definition, config)
    if isinstance(definition, ObjectTypeDefinitionNode):
        if definition.name.value in ORDER_CONFIRM_TYPES and not confirm:
            return None
        if definition.name.value == "Mutation" and not confirm:
            fields = tuple(field for field in definition.fields or () if field.name.value != "orderConfirm")
            return dataclasses.replace(definition, fields=fields)
    name = getattr(getattr(definition, "name", None), "value", None)
    if name in ORDER_CONFIRM_TYPES and not confirm:
        return None
    return definition


def shaped_document(config: SandboxConfig) -> DocumentNode:
    """The SDL document with the config's features applied (never a modified copy on disk)."""
    document = parse(schema_sdl())
    definitions = [shaped for item in document.definitions if (shaped := _shape(item, config)) is not None]
    return dataclasses.replace(document, definitions=tuple(definitions))


def build_sandbox_schema(config: SandboxConfig) -> GraphQLSchema:
    """The schema for this config; shared between servers with the same features (it holds no state)."""
    return _cached_schema(
        config.feature("order_confirm"),
        config.feature("orders_updated_sort"),
        tuple(config.extra_order_statuses),
    )


@functools.lru_cache(maxsize=16)
def _cached_schema(
    order_confirm: bool, orders_updated_sort: bool, extra_statuses: tuple[str, ...]
) -> GraphQLSchema:
    config = SandboxConfig(
        features={"order_confirm": order_confirm, "orders_updated_sort": orders_updated_sort},
        extra_order_statuses=extra_statuses,
    )
    schema = build_ast_schema(shaped_document(config))
    install_scalars(schema)
    install_resolvers(schema, QUERY_RESOLVERS)
    install_resolvers(schema, MUTATION_RESOLVERS)
    assert_valid_schema(schema)
    return schema
