"""Query-side resolvers: lists with their filters and sorts, and fields computed on the fly."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeAlias
from urllib.parse import urlsplit, urlunsplit

from graphql import GraphQLObjectType, GraphQLResolveInfo, GraphQLSchema

from . import reference
from .config import SandboxConfig
from .model import (
    Account,
    Category,
    Image,
    Order,
    Product,
    ProductVariant,
    Shipment,
    SupplierInvoice,
)
from .pagination import by_number, connection, split_sort, timestamp
from .state import SandboxState

Resolver = Callable[..., Any]


@dataclass(frozen=True, slots=True)
class Context:
    """What every resolver gets as ``info.context``."""

    state: SandboxState
    config: SandboxConfig


Info: TypeAlias = "GraphQLResolveInfo[Context]"


def _state(info: Info) -> SandboxState:
    return info.context.state


@functools.lru_cache(maxsize=512)
def snake_case(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def field_resolver(source: Any, info: Info, **_args: Any) -> Any:
    """Dicts answer by GraphQL name, objects by the snake_case attribute of the same name."""
    if isinstance(source, dict):
        return source.get(info.field_name)
    return getattr(source, snake_case(info.field_name), None)


# ---------------------------------------------------------------------- sort keys

ORDER_KEYS: dict[str, Callable[[Order], list[Any]]] = {
    "ID": lambda order: [order.num],
    "CREATED_AT": lambda order: [timestamp(order.created_at), order.num],
    "CONFIRMED_AT": lambda order: [timestamp(order.confirmed_at), order.num],
    "UPDATED_AT": lambda order: [timestamp(order.updated_at), order.num],
}
TIMED_KEYS: dict[str, Callable[[Any], list[Any]]] = {
    "ID": lambda item: [item.num],
    "CREATED_AT": lambda item: [timestamp(item.created_at), item.num],
    "UPDATED_AT": lambda item: [timestamp(item.updated_at), item.num],
    "TITLE": lambda item: [item.title.casefold(), item.num],
}


def sorted_connection(
    items: list[Any],
    args: dict[str, Any],
    keys: dict[str, Callable[[Any], list[Any]]],
    default: str,
    *,
    total: bool = False,
) -> dict[str, Any]:
    name, descending = split_sort(args.get("sort"), default)
    key = keys[name]
    ordered = sorted(items, key=key, reverse=descending)
    return connection(ordered, args, key, sort_name=name, descending=descending, total=total)


# ---------------------------------------------------------------------- Query


def resolve_account(_root: Any, info: Info) -> Account | None:
    return _state(info).account


def resolve_products(_root: Any, info: Info, **args: Any) -> dict[str, Any]:
    return sorted_connection(_state(info).products, args, TIMED_KEYS, "ID_ASC")


def resolve_product(_root: Any, info: Info, id: str) -> Product | None:
    return _state(info).get(id, Product)


def resolve_product_variant(_root: Any, info: Info, id: str) -> ProductVariant | None:
    return _state(info).get(id, ProductVariant)


def resolve_product_variants(_root: Any, info: Info, **args: Any) -> dict[str, Any]:
    variants = _state(info).variants
    if args.get("sku") is not None:
        variants = [variant for variant in variants if variant.sku == args["sku"]]
    return connection(variants, args, by_number)


def resolve_order(_root: Any, info: Info, id: str) -> Order | None:
    return _state(info).get(id, Order)


def _order_filter(args: dict[str, Any]) -> Callable[[Order], bool]:
    unconfirmed = bool(args.get("includeUnconfirmed"))
    cancelled = bool(args.get("includeCancelled"))
    fulfilled = args.get("isFulfilled")
    since: datetime | None = args.get("since")

    def keep(order: Order) -> bool:
        return (
            (unconfirmed or order.is_confirmed)
            and (cancelled or not order.is_cancelled)
            and (fulfilled is None or order.is_fulfilled == fulfilled)
            and (since is None or order.updated_at >= since)
        )

    return keep


def resolve_orders(_root: Any, info: Info, **args: Any) -> dict[str, Any]:
    """Orders with the live API's filters; an explicit ``since: null`` matches nothing."""
    if "since" in args and args["since"] is None:
        orders: list[Order] = []
    else:
        orders = list(filter(_order_filter(args), _state(info).orders))
    return sorted_connection(orders, args, ORDER_KEYS, "CREATED_AT_DESC", total=True)


def resolve_invoices(_root: Any, info: Info, **args: Any) -> dict[str, Any]:
    return sorted_connection(_state(info).invoices, args, TIMED_KEYS, "ID_ASC")


def resolve_invoice(_root: Any, info: Info, id: str) -> SupplierInvoice | None:
    return _state(info).get(id, SupplierInvoice)


def resolve_webhooks(_root: Any, info: Info, **args: Any) -> dict[str, Any]:
    return connection(_state(info).webhooks, args, by_number)


def resolve_categories(_root: Any, info: Info) -> list[Category]:
    return list(_state(info).categories.values())


# ---------------------------------------------------------------------- object fields


def resolve_locations(account: Account, info: Info, **args: Any) -> dict[str, Any]:
    return connection(_state(info).locations, args, by_number)


def resolve_category(source: Product | ProductVariant, info: Info) -> Category | None:
    product = source.product if isinstance(source, ProductVariant) else source
    return _state(info).categories.get(product.category_path or "")


IMAGE_KEY = {"POSITION": lambda image: [image.position, image.num]}


def resolve_images(source: Product | ProductVariant, _info: Info, **args: Any) -> dict[str, Any]:
    return sorted_connection(source.images, args, IMAGE_KEY, "POSITION_ASC")


def resolve_thumbnail(
    image: Image,
    _info: Info,
    width: int | None = None,
    height: int | None = None,
    method: str | None = None,
) -> str:
    """The docs' CDN pattern: <name>_<w>x<h>_<method>.<ext>?<version>."""
    parts = urlsplit(image.original_url)
    folder, slash, name = parts.path.rpartition("/")
    stem, dot, extension = name.rpartition(".") if "." in name else (name, "", "")
    size_w = width or height or 200
    size_h = height or size_w
    thumb = f"{folder}{slash}{stem}_{size_w}x{size_h}_{(method or 'FIT').lower()}{dot}{extension}"
    return urlunsplit(parts._replace(path=thumb))


def resolve_variants(product: Product, _info: Info, **args: Any) -> dict[str, Any]:
    return connection(product.variants, args, by_number)


def resolve_levels(variant: ProductVariant, _info: Info, **args: Any) -> dict[str, Any]:
    levels = sorted(variant.levels.values(), key=lambda level: level.location.num)
    return connection(levels, args, lambda level: [level.location.num])


def resolve_order_products(order: Order, _info: Info, **args: Any) -> dict[str, Any]:
    return connection(order.lines, args, by_number)


def resolve_order_shipments(order: Order, _info: Info, **args: Any) -> dict[str, Any]:
    return connection(order.shipments, args, by_number)


def resolve_order_invoices(order: Order, _info: Info, **args: Any) -> dict[str, Any]:
    return connection(order.invoices, args, by_number)


def resolve_shipment_products(shipment: Shipment, _info: Info, **args: Any) -> dict[str, Any]:
    return connection(shipment.items, args, by_number)


def resolve_invoice_items(invoice: SupplierInvoice, _info: Info, **args: Any) -> dict[str, Any]:
    return connection(invoice.items, args, by_number)


QUERY_RESOLVERS: dict[tuple[str, str], Resolver] = {
    ("Query", "account"): resolve_account,
    ("Query", "product"): resolve_product,
    ("Query", "products"): resolve_products,
    ("Query", "productVariant"): resolve_product_variant,
    ("Query", "productVariants"): resolve_product_variants,
    ("Query", "productVariantAttributes"): lambda _root, _info: reference.product_variant_attributes(),
    ("Query", "attributes"): lambda _root, _info: reference.attributes(),
    ("Query", "categories"): resolve_categories,
    ("Query", "orders"): resolve_orders,
    ("Query", "order"): resolve_order,
    ("Query", "supplierInvoices"): resolve_invoices,
    ("Query", "supplierInvoice"): resolve_invoice,
    ("Query", "webhooks"): resolve_webhooks,
    ("Account", "locations"): resolve_locations,
    ("Product", "category"): resolve_category,
    ("Product", "images"): resolve_images,
    ("Product", "variants"): resolve_variants,
    ("ProductVariant", "category"): resolve_category,
    ("ProductVariant", "images"): resolve_images,
    ("ProductVariant", "inventoryLevels"): resolve_levels,
    ("Image", "thumbnailUrl"): resolve_thumbnail,
    ("Order", "products"): resolve_order_products,
    ("Order", "shipments"): resolve_order_shipments,
    ("Order", "invoices"): resolve_order_invoices,
    ("Shipment", "products"): resolve_shipment_products,
    ("SupplierInvoice", "items"): resolve_invoice_items,
}


def install_resolvers(schema: GraphQLSchema, resolvers: dict[tuple[str, str], Resolver]) -> None:
    """Attach resolvers to the schema's fields (fields the schema lacks are skipped)."""
    for (type_name, field_name), resolver in resolvers.items():
        owner = schema.type_map.get(type_name)
        if isinstance(owner, GraphQLObjectType) and field_name in owner.fields:
            owner.fields[field_name].resolve = resolver
