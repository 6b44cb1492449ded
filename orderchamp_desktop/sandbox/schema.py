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
    FieldDefinitionNode,
    GraphQLSchema,
    NameNode,
    ObjectTypeDefinitionNode,
    assert_valid_schema,
    build_ast_schema,
    parse,
)

from .config import SCHEMA_FEATURES, SandboxConfig
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


# Sort enum -> (feature, value prefix): the values a switched-off feature removes.
_SORT_SWITCHES: dict[str, tuple[tuple[str, str], ...]] = {
    "OrderSort": (("orders_updated_sort", "UPDATED_AT_"),),
    "ProductSort": (("products_updated_sort", "UPDATED_AT_"),),
    "InvoiceSort": (("invoices_updated_sort", "UPDATED_AT_"), ("invoices_created_sort", "CREATED_AT_")),
}
# Query field -> (feature, argument): the argument a switched-off feature removes.
_ARGUMENT_SWITCHES: dict[str, tuple[str, str]] = {
    "products": ("products_sort", "sort"),
    "orders": ("orders_since", "since"),
}


def _shape_enum(node: EnumTypeDefinitionNode, config: SandboxConfig) -> EnumTypeDefinitionNode:
    values = tuple(node.values or ())
    for feature, prefix in _SORT_SWITCHES.get(node.name.value, ()):
        if not config.feature(feature):
            values = tuple(value for value in values if not value.name.value.startswith(prefix))
    if node.name.value == "OrderStatus":
        known = {value.name.value for value in values}
        for status in config.extra_order_statuses:
            if not ENUM_NAME.match(status) or status in ("true", "false", "null"):
                raise ValueError(f"{status!r} is not a valid GraphQL enum value")
            if status not in known:
                values += (EnumValueDefinitionNode(name=NameNode(value=status), directives=()),)
    return dataclasses.replace(node, values=values)


def _shape_query(node: ObjectTypeDefinitionNode, config: SandboxConfig) -> ObjectTypeDefinitionNode:
    fields: list[FieldDefinitionNode] = []
    for field in node.fields or ():
        feature, argument = _ARGUMENT_SWITCHES.get(field.name.value, ("", ""))
        if feature and not config.feature(feature):
            arguments = tuple(a for a in field.arguments or () if a.name.value != argument)
            field = dataclasses.replace(field, arguments=arguments)
        fields.append(field)
    return dataclasses.replace(node, fields=tuple(fields))


def _shape(definition: DefinitionNode, config: SandboxConfig) -> DefinitionNode | None:
    confirm = config.feature("order_confirm")
    if isinstance(definition, EnumTypeDefinitionNode):
        return _shape_enum(definition, config)
    if isinstance(definition, ObjectTypeDefinitionNode):
        if definition.name.value in ORDER_CONFIRM_TYPES and not confirm:
            return None
        if definition.name.value == "Query":
            return _shape_query(definition, config)
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
    features = tuple((name, config.feature(name)) for name in SCHEMA_FEATURES)
    return _cached_schema(features, tuple(config.extra_order_statuses))


@functools.lru_cache(maxsize=16)
def _cached_schema(features: tuple[tuple[str, bool], ...], extra_statuses: tuple[str, ...]) -> GraphQLSchema:
    config = SandboxConfig(features=dict(features), extra_order_statuses=extra_statuses)
    schema = build_ast_schema(shaped_document(config))
    install_scalars(schema)
    install_resolvers(schema, QUERY_RESOLVERS)
    install_resolvers(schema, MUTATION_RESOLVERS)
    assert_valid_schema(schema)
    return schema
