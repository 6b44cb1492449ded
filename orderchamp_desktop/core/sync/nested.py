"""Completing parents whose nested connections did not fit in their sync page.

A sync page carries a fixed number of lines per order (variants per product, items per
invoice). The few parents with more are stored with a "not complete" flag in the same
transaction as their page and completed here, page by page, from the first nested page
(which replaces what the sync page stored). A sync killed in between leaves the flag set,
so the next run completes them: nothing is ever silently truncated.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from orderchamp_desktop.core.cache.values import has_next_page
from orderchamp_desktop.core.sync.context import SyncContext, dig

log = logging.getLogger(__name__)


async def complete_orders(ctx: SyncContext) -> None:
    for order_id in await ctx.db(ctx.db.store.incomplete, "orders"):
        await complete_order(ctx, order_id)


async def complete_order(ctx: SyncContext, order_id: str) -> None:
    """Fetch every line, shipment and shipment item of one order, then flag it complete."""
    await _order_lines(ctx, order_id)
    partial = await _order_shipments(ctx, order_id)
    for shipment_id, previous_edge in partial:
        await _shipment_items(ctx, order_id, shipment_id, previous_edge)
    await ctx.db(ctx.db.store.mark_complete, "orders", order_id)


async def _order_lines(ctx: SyncContext, order_id: str) -> None:
    first = True
    variables = {"id": order_id, "first": ctx.tuning.follow_up_page}
    async for page in ctx.nested_pages("SyncOrderProducts", variables, lambda d: dig(d, "order", "products")):
        await ctx.db(ctx.db.store.append_order_products, order_id, page, replace=first)
        first = False


async def _order_shipments(ctx: SyncContext, order_id: str) -> list[tuple[str, str | None]]:
    """Write all shipments; return (shipment id, cursor of the edge before it) for those
    whose items did not fit in the page."""
    partial: list[tuple[str, str | None]] = []
    previous: str | None = None
    first = True
    variables = {"id": order_id, "first": ctx.tuning.follow_up_shipments,
                 "shipmentLines": ctx.tuning.follow_up_shipment_lines}
    pages = ctx.nested_pages("SyncOrderShipments", variables, lambda d: dig(d, "order", "shipments"))
    async for page in pages:
        await ctx.db(ctx.db.store.append_shipments, order_id, page, replace=first)
        first = False
        for edge in page.get("edges") or []:
            node = edge.get("node") if isinstance(edge, Mapping) else None
            if isinstance(node, Mapping) and has_next_page(node.get("products")):
                partial.append((str(node.get("id")), previous))
            previous = edge.get("cursor") if isinstance(edge, Mapping) else None
    return partial


async def _shipment_items(ctx: SyncContext, order_id: str, shipment_id: str,
                          previous_edge: str | None) -> None:
    def extract(data: Mapping[str, Any]) -> Any:
        nodes = dig(data, "order", "shipments", "nodes")
        if not isinstance(nodes, list) or not nodes or dig(nodes[0], "id") != shipment_id:
            log.warning("shipment %s moved while its items were read; next sync completes it", shipment_id)
            return None
        return dig(nodes[0], "products")

    first = True
    variables = {"id": order_id, "shipmentAfter": previous_edge, "first": ctx.tuning.follow_up_page}
    async for page in ctx.nested_pages("SyncShipmentProducts", variables, extract):
        await ctx.db(ctx.db.store.append_shipment_items, shipment_id, page, replace=first)
        first = False


async def complete_products(ctx: SyncContext, run: int | None) -> None:
    for product_id in await ctx.db(ctx.db.store.incomplete, "products"):
        first = True
        variables = {"id": product_id, "first": ctx.tuning.follow_up_variants, "levels": ctx.levels}
        async for page in ctx.nested_pages("SyncProductVariants", variables,
                                           lambda d: dig(d, "product", "variants")):
            await ctx.db(ctx.db.store.append_variants, product_id, page, replace=first, run=run)
            first = False
        await ctx.db(ctx.db.store.mark_complete, "products", product_id)
    for variant_id in await ctx.db(ctx.db.store.incomplete, "variants"):
        first = True
        variables = {"id": variant_id, "first": ctx.tuning.follow_up_page}
        async for page in ctx.nested_pages("SyncVariantLevels", variables,
                                           lambda d: dig(d, "productVariant", "inventoryLevels")):
            await ctx.db(ctx.db.store.append_inventory_levels, variant_id, page, replace=first)
            first = False
        await ctx.db(ctx.db.store.mark_complete, "variants", variant_id)


async def complete_invoices(ctx: SyncContext) -> None:
    for invoice_id in await ctx.db(ctx.db.store.incomplete, "invoices"):
        first = True
        variables = {"id": invoice_id, "first": ctx.tuning.follow_up_page}
        async for page in ctx.nested_pages("SyncInvoiceItems", variables,
                                           lambda d: dig(d, "supplierInvoice", "items")):
            await ctx.db(ctx.db.store.append_invoice_items, invoice_id, page, replace=first)
            first = False
        await ctx.db(ctx.db.store.mark_complete, "invoices", invoice_id)
