"""All mutation resolvers, by (type, field). Each returns a payload with ``userErrors``;
the state is locked by the engine for the whole operation, and nothing changes unless the
input is valid as a whole."""

from __future__ import annotations

from .catalog_mutations import (
    resolve_inventory_adjust,
    resolve_product_create,
    resolve_variant_create,
    resolve_variant_update,
    resolve_webhook_create,
)
from .order_mutations import resolve_order_confirm, resolve_shipment_create, resolve_shipment_shipped
from .resolvers import Resolver

MUTATION_RESOLVERS: dict[tuple[str, str], Resolver] = {
    ("Mutation", "productVariantCreate"): resolve_variant_create,
    ("Mutation", "productVariantUpdate"): resolve_variant_update,
    ("Mutation", "productCreate"): resolve_product_create,
    ("Mutation", "inventoryLevelBulkAdjust"): resolve_inventory_adjust,
    ("Mutation", "shipmentCreate"): resolve_shipment_create,
    ("Mutation", "shipmentShipped"): resolve_shipment_shipped,
    ("Mutation", "webhookCreate"): resolve_webhook_create,
    ("Mutation", "orderConfirm"): resolve_order_confirm,
}
