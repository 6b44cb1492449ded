"""Syncer: pulls one Orderchamp account into its cache file.

Order of work: account and locations (cheap, needed for stock columns), orders (what the
user looks at first), products with variants and stock, invoices. Each entity runs a full
pass until one has completed (resuming a killed one), then incremental passes:

- orders: by UPDATED_AT_DESC down to the last watermark when the live schema's OrderSort
  offers it; otherwise CREATED_AT_DESC down to the newest cached order plus a re-read of
  every cached order that can still change (not COMPLETED or CANCELLED);
- products and invoices: by UPDATED_AT_DESC when offered; otherwise products are read in
  full now and then, invoices by CREATED_AT_DESC down to the newest cached one.

``since`` is never sent: an explicit null matches nothing and its meaning is undocumented.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from orderchamp_desktop.core.api import ApiClient, LiveSchema
from orderchamp_desktop.core.cache import Store
from orderchamp_desktop.core.errors import ServerError
from orderchamp_desktop.core.sync import nested
from orderchamp_desktop.core.sync.context import (
    ProgressCallback,
    SyncContext,
    Tuning,
    dig,
    parse_time,
)
from orderchamp_desktop.core.sync.passes import (
    EntityPass,
    full_pass,
    newest_first_pass,
    save_incremental,
)
from orderchamp_desktop.core.sync.worker import StoreWorker

log = logging.getLogger(__name__)

ENTITIES = ("orders", "products", "invoices")
UPDATED_DESC = "UPDATED_AT_DESC"


@dataclass(frozen=True)
class SyncResult:
    """What one run did: nodes fetched per entity, how each entity ran, API counters."""

    counts: dict[str, int]
    throttled: int
    duration: float
    modes: dict[str, str] = field(default_factory=dict)  # entity -> full | resumed | incremental
    requests: int = 0
    actual_cost: float = 0.0

    def summary(self) -> str:
        """One line for people: "2000 orders, 150 products, 1828 invoices in 76 s"."""
        parts = [f"{self.counts.get(e, 0)} {e}" for e in ENTITIES]
        text = ", ".join(parts) + f" in {self.duration:.0f} s"
        return text + (f" ({self.throttled} throttled answers)" if self.throttled else "")


@dataclass(frozen=True)
class Features:
    """What the live schema offers for incremental sync (read by introspection)."""

    orders_updated_sort: bool = False
    products_updated_sort: bool = False
    invoices_updated_sort: bool = False

    @classmethod
    def from_schema(cls, schema: LiveSchema | None) -> Features:
        if schema is None:
            return cls()
        return cls(schema.has_enum_value("OrderSort", UPDATED_DESC),
                   schema.has_enum_value("ProductSort", UPDATED_DESC),
                   schema.has_enum_value("InvoiceSort", UPDATED_DESC))

    def updated_sort(self, entity: str) -> str | None:
        offered = {"orders": self.orders_updated_sort, "products": self.products_updated_sort,
                   "invoices": self.invoices_updated_sort}[entity]
        return UPDATED_DESC if offered else None


def _orders_pass(t: Tuning) -> EntityPass:
    async def complete(ctx: SyncContext, _run: int | None) -> None:
        await nested.complete_orders(ctx)

    return EntityPass(
        "orders", "SyncOrders", ("orders",),
        {"includeUnconfirmed": True, "includeCancelled": True, "lines": t.order_lines,
         "shipments": t.order_shipments, "shipmentLines": t.shipment_lines},
        lambda store, nodes, run: store.apply_orders(nodes, run=run), complete,
        latest_op="SyncOrdersLatest")


def _products_pass(t: Tuning, levels: int) -> EntityPass:
    return EntityPass(
        "products", "SyncProducts", ("products",), {"variants": t.product_variants, "levels": levels},
        lambda store, nodes, run: store.upsert_products(nodes, run=run), nested.complete_products,
        latest_op="SyncProductsLatest", full_sort="ID_ASC")


def _invoices_pass(t: Tuning) -> EntityPass:
    async def complete(ctx: SyncContext, _run: int | None) -> None:
        await nested.complete_invoices(ctx)

    return EntityPass(
        "invoices", "SyncInvoices", ("supplierInvoices",), {"items": t.invoice_items},
        lambda store, nodes, run: store.upsert_invoices(nodes, run=run), complete,
        latest_op="SyncInvoicesLatest")


class Syncer:
    """``await Syncer(client, store_path).run()``: full the first time, incremental after.

    Cancel the task to stop: every page already stored stays, and the next run resumes.
    """

    def __init__(self, client: ApiClient, store_path: Path, *,
                 on_progress: ProgressCallback | None = None, tuning: Tuning | None = None,
                 schema_dir: Path | None = None, account_key: str = "default") -> None:
        self._client = client
        self._path = Path(store_path)
        self._on_progress = on_progress
        self._tuning = tuning or Tuning()
        self._schema_dir = schema_dir
        self._account_key = account_key

    async def run(self, full: bool | None = None) -> SyncResult:
        """Sync now. ``full=True`` starts a fresh full pass (or finishes an unfinished one)."""
        started = time.monotonic()
        before = (self._client.stats.throttled, self._client.stats.requests,
                  self._client.stats.total_actual_cost)
        db = await StoreWorker.open(self._path)
        ctx = SyncContext(self._client, db, self._tuning, self._on_progress)
        modes: dict[str, str] = {}
        try:
            features = await self._features()
            await self._sync_account(ctx)
            for entity in ENTITIES:
                modes[entity] = await self._sync_entity(ctx, entity, features, full)
            await db(db.store.mark_synced)
        finally:
            await db.close()
        stats = self._client.stats
        return SyncResult(ctx.counts, stats.throttled - before[0], time.monotonic() - started, modes,
                          stats.requests - before[1], stats.total_actual_cost - before[2])

    async def _features(self) -> Features:
        schema = self._client.schema
        if schema is None:
            try:
                schema = await self._client.load_schema(self._schema_dir, self._account_key)
            except ServerError as exc:  # no introspection: sync with what every API offers
                log.warning("live schema unavailable (%s); incremental sync re-reads open orders", exc)
        return Features.from_schema(schema)

    async def _sync_account(self, ctx: SyncContext) -> None:
        data = await self._client.query("SyncAccount", {"locations": 100})
        account = data.get("account")
        if isinstance(account, dict):
            await ctx.db(ctx.db.store.upsert_account, account)
            locations = dig(account, "locations", "nodes")
            count = len(locations) if isinstance(locations, list) else 1
            ctx.levels = self._tuning.inventory_levels or max(1, min(100, count))
        ctx.count("account", 1)
        ctx.progress("account", 1, 1)

    async def _sync_entity(self, ctx: SyncContext, entity: str, features: Features,
                           full: bool | None) -> str:
        state = await ctx.db(ctx.db.store.sync_state, entity)
        spec = self._spec(entity, ctx.levels)
        unfinished = state.run > 0 and not state.completed
        sort = features.updated_sort(entity)
        if unfinished or full or not state.completed or self._catalogue_due(entity, state.last_full_at, sort):
            await full_pass(ctx, spec, resume=unfinished, updated_sort=sort)
            return "resumed" if unfinished else "full"
        await self._incremental(ctx, spec, sort, state.watermark)
        return "incremental"

    def _spec(self, entity: str, levels: int) -> EntityPass:
        if entity == "orders":
            return _orders_pass(self._tuning)
        if entity == "products":
            return _products_pass(self._tuning, levels)
        return _invoices_pass(self._tuning)

    def _catalogue_due(self, entity: str, last_full_at: str | None, sort: str | None) -> bool:
        """Without an updated-at sort, changed products can only be found by reading them all."""
        if entity != "products" or sort is not None:
            return False
        last = parse_time(last_full_at)
        return last is None or datetime.now(UTC) - last >= self._tuning.products_full_every

    async def _incremental(self, ctx: SyncContext, spec: EntityPass, sort: str | None,
                           watermark: str | None) -> None:
        store = ctx.db.store
        if sort is not None:
            since = watermark or await ctx.db(store.newest, spec.entity, "updated_at")
            _seen, newest = await newest_first_pass(ctx, spec, sort=sort, key="updatedAt", since=since)
            await save_incremental(ctx, spec.entity, newest)
            return
        since = await ctx.db(store.newest, spec.entity, "created_at")
        seen, _newest = await newest_first_pass(ctx, spec, sort="CREATED_AT_DESC", key="createdAt",
                                                since=since)
        if spec.entity == "orders":
            await self._reread_open_orders(ctx, seen)
        await save_incremental(ctx, spec.entity, None)

    async def _reread_open_orders(self, ctx: SyncContext, seen: set[str]) -> None:
        """Without an updated-at sort, an order that changed can only be found by asking."""
        pending = [i for i in await ctx.db(ctx.db.store.open_order_ids) if i not in seen]
        step = max(1, self._tuning.reread_concurrency)
        t = self._tuning
        variables: dict[str, Any] = {"lines": t.order_lines, "shipments": t.order_shipments,
                                     "shipmentLines": t.shipment_lines}
        for start in range(0, len(pending), step):
            chunk = pending[start:start + step]
            async with asyncio.TaskGroup() as group:
                tasks = [group.create_task(self._client.query("SyncOrder", {**variables, "id": i}))
                         for i in chunk]
            nodes = [n for n in (dig(task.result(), "order") for task in tasks) if isinstance(n, dict)]
            if len(nodes) < len(chunk):
                log.warning("%d cached orders were not found on Orderchamp", len(chunk) - len(nodes))
            await ctx.db(self._apply_reread, ctx.db.store, nodes)
            ctx.count("orders", len(nodes))
            ctx.progress("orders", start + len(chunk), len(pending))
            await nested.complete_orders(ctx)

    @staticmethod
    def _apply_reread(store: Store, nodes: list[dict[str, Any]]) -> None:
        store.apply_orders(nodes, run=store.sync_state("orders").run)
