"""Syncer: pulls one Orderchamp account into its cache file.

Order of work: account and locations (cheap, needed for stock columns), orders (what the
user looks at first), products with variants and stock, invoices. Each entity runs a full
pass until one has completed (resuming a killed one), then incremental passes. What each
entity's passes send is chosen from the live schema (core/sync/plan.py): the documented
sorts first, anything else only when the schema offers it, and no sort argument at all
where none fits. An entity the live schema cannot serve is skipped and named in the
result; the others still sync.

Incremental passes, by what the schema offers:

- an UPDATED_AT_DESC sort (any entity): newest change first, down to the last watermark;
- orders without it but with ``since``: every order ``since`` the watermark (the newest
  ``updatedAt`` cached, minus an overlap); ``since`` is never sent as null or empty (an
  explicit null matches nothing). The docs do not say what ``since`` compares with, so a
  full read every ``orders_full_every`` guards against a narrower meaning;
- orders with neither: CREATED_AT_DESC down to the newest cached order, plus a re-read of
  every cached order that can still change (not COMPLETED or CANCELLED);
- invoices without an updated-at sort: newest created first (CREATED_AT_DESC, else the
  documented ID_DESC) down to the newest cached invoice or, further back, the oldest one
  not yet paid (within ``unpaid_invoice_window``), since only those change status; and a
  full read every ``invoices_full_every`` for anything else;
- products without it: new products newest created first when that sort exists, and a
  full read every ``products_full_every`` (changed products cannot be found otherwise).

The live schema is loaded here (cached per account when ``schema_dir`` is given): a server
that refuses introspection still syncs, with the documented shapes only.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from orderchamp_desktop.core.api import ApiClient, LiveSchema
from orderchamp_desktop.core.cache import Store
from orderchamp_desktop.core.errors import KnownError, SchemaMismatchError, ServerError
from orderchamp_desktop.core.sync import nested
from orderchamp_desktop.core.sync.context import (
    ProgressCallback,
    SyncContext,
    Tuning,
    dig,
    format_time,
    parse_time,
)
from orderchamp_desktop.core.sync.passes import (
    EntityPass,
    full_pass,
    newest_first_pass,
    save_incremental,
    since_pass,
)
from orderchamp_desktop.core.sync.plan import EntityPlan, plan_for
from orderchamp_desktop.core.sync.worker import StoreWorker

log = logging.getLogger(__name__)

ENTITIES = ("orders", "products", "invoices")


@dataclass(frozen=True)
class SyncResult:
    """What one run did: nodes fetched per entity, how each entity ran, API counters."""

    counts: dict[str, int]
    throttled: int
    duration: float
    modes: dict[str, str] = field(default_factory=dict)  # entity -> full | resumed | incremental | skipped
    requests: int = 0
    actual_cost: float = 0.0
    #: entity -> a sentence for the user on why it was not synced (the others were).
    problems: dict[str, str] = field(default_factory=dict)

    def summary(self) -> str:
        """One line for people: "2000 orders, 150 products, 1828 invoices in 76 s"."""
        parts = [f"{self.counts.get(e, 0)} {e}" for e in ENTITIES]
        text = ", ".join(parts) + f" in {self.duration:.0f} s"
        text += f" ({self.throttled} throttled answers)" if self.throttled else ""
        return " ".join([text + ("." if self.problems else ""), *self.problems.values()])


def skipped_sentence(entity: str) -> str:
    """Why ``entity`` was not synced, for a shop owner."""
    return (f"Your {entity} could not be synced: the Orderchamp API does not offer what the app "
            f"needs to read them for your account right now. Everything else was synced; an "
            f"update of the app may be needed.")


def _orders_pass(t: Tuning, plan: EntityPlan) -> EntityPass:
    async def complete(ctx: SyncContext, _run: int | None) -> None:
        await nested.complete_orders(ctx)

    return EntityPass(
        "orders", plan.op, ("orders",),
        {"includeUnconfirmed": True, "includeCancelled": True, "lines": t.order_lines,
         "shipments": t.order_shipments, "shipmentLines": t.shipment_lines},
        lambda store, nodes, run: store.apply_orders(nodes, run=run), complete,
        latest_op="SyncOrdersLatest", full_sort=plan.full_sort)


def _products_pass(t: Tuning, levels: int, plan: EntityPlan) -> EntityPass:
    return EntityPass(
        "products", plan.op, ("products",), {"variants": t.product_variants, "levels": levels},
        lambda store, nodes, run: store.upsert_products(nodes, run=run), nested.complete_products,
        latest_op="SyncProductsLatest", full_sort=plan.full_sort)


def _invoices_pass(t: Tuning, plan: EntityPlan) -> EntityPass:
    async def complete(ctx: SyncContext, _run: int | None) -> None:
        await nested.complete_invoices(ctx)

    return EntityPass(
        "invoices", plan.op, ("supplierInvoices",), {"items": t.invoice_items},
        lambda store, nodes, run: store.upsert_invoices(nodes, run=run), complete,
        latest_op="SyncInvoicesLatest", full_sort=plan.full_sort)


def invoice_reach(store: Store, window: timedelta) -> str | None:
    """How far back a newest-first invoice walk reads: to the newest cached invoice, or
    further, to the oldest one not yet paid within ``window`` before it (its status can
    still change, and without an updated-at sort nothing else finds that change)."""
    newest = parse_time(store.newest("invoices", "created_at"))
    if newest is None:
        return None
    floor = newest - window
    unpaid = [moment for row in store.invoice_rows(store.invoice_ids()) if not row.is_paid
              and (moment := parse_time(row.created_at)) is not None and moment >= floor]
    return format_time(min([newest, *unpaid]))


class Syncer:
    """``await Syncer(client, store_path).run()``: full the first time, incremental after.

    Cancel the task to stop: every page already stored stays, and the next run resumes.
    Unless the client already holds one, the live schema is loaded here (from
    ``schema_dir`` per ``account_key`` when given); callers need not load it first.
    A damaged cache file is set aside and the sync starts over from an empty one;
    ``on_damaged`` hears where the damaged file went.
    """

    def __init__(self, client: ApiClient, store_path: Path, *,
                 on_progress: ProgressCallback | None = None, tuning: Tuning | None = None,
                 schema_dir: Path | None = None, account_key: str = "default",
                 on_damaged: Callable[[Path], None] | None = None) -> None:
        self._client = client
        self._path = Path(store_path)
        self._on_progress = on_progress
        self._on_damaged = on_damaged
        self._tuning = tuning or Tuning()
        self._schema_dir = schema_dir
        self._account_key = account_key

    async def run(self, full: bool | None = None) -> SyncResult:
        """Sync now. ``full=True`` starts a fresh full pass (or finishes an unfinished one)."""
        started = time.monotonic()
        before = (self._client.stats.throttled, self._client.stats.requests,
                  self._client.stats.total_actual_cost)
        db = await StoreWorker.open(self._path)
        copy = db.store.corrupt_copy if db.store.recovered_from_corruption else None
        if copy is not None and self._on_damaged is not None:
            self._on_damaged(copy)
        ctx = SyncContext(self._client, db, self._tuning, self._on_progress)
        modes: dict[str, str] = {}
        problems: dict[str, str] = {}
        try:
            schema = await load_live_schema(self._client, self._schema_dir, self._account_key)
            await self._sync_account(ctx)
            for entity in ENTITIES:
                modes[entity] = await self._sync_or_skip(ctx, entity, schema, full, problems)
            await db(db.store.mark_synced)
        finally:
            await db.close()
        stats = self._client.stats
        return SyncResult(ctx.counts, stats.throttled - before[0], time.monotonic() - started, modes,
                          stats.requests - before[1], stats.total_actual_cost - before[2], problems)

    async def _sync_or_skip(self, ctx: SyncContext, entity: str, schema: LiveSchema | None,
                            full: bool | None, problems: dict[str, str]) -> str:
        """One entity; one the live schema cannot serve is recorded, not fatal to the rest."""
        try:
            plan = plan_for(entity, schema, self._accepts)
            log.debug("%s plan: %s", entity, plan)
            return await self._sync_entity(ctx, plan, full)
        except SchemaMismatchError as exc:
            log.warning("%s not synced: %s", entity, exc)
            problems[entity] = skipped_sentence(entity)
            return "skipped"

    def _accepts(self, op: str) -> bool:
        try:
            self._client.ensure_operation(op)
        except SchemaMismatchError:
            return False
        return True

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

    async def _sync_entity(self, ctx: SyncContext, plan: EntityPlan, full: bool | None) -> str:
        state = await ctx.db(ctx.db.store.sync_state, plan.entity)
        spec = self._spec(plan, ctx.levels)
        unfinished = state.run > 0 and not state.completed
        if unfinished or full or not state.completed or self._full_due(plan, state.last_full_at):
            await full_pass(ctx, spec, resume=unfinished, updated_sort=plan.updated_sort)
            return "resumed" if unfinished else "full"
        await self._incremental(ctx, spec, plan, state.watermark)
        return "incremental"

    def _spec(self, plan: EntityPlan, levels: int) -> EntityPass:
        if plan.entity == "orders":
            return _orders_pass(self._tuning, plan)
        if plan.entity == "products":
            return _products_pass(self._tuning, levels, plan)
        return _invoices_pass(self._tuning, plan)

    def _full_every(self, plan: EntityPlan) -> timedelta | None:
        """How often a full pass re-reads an entity whose changes the incremental pass may
        not all find (None: never needed)."""
        t = self._tuning
        if plan.incremental == "updated":
            return None
        if plan.entity != "orders":
            return t.products_full_every if plan.entity == "products" else t.invoices_full_every
        if plan.incremental == "since":
            return t.orders_full_every
        # Re-reading the open orders finds every change; with no usable sort at all, new
        # orders can only be found by reading them all, so on every run.
        return None if plan.incremental == "newest" else timedelta(0)

    def _full_due(self, plan: EntityPlan, last_full_at: str | None) -> bool:
        every = self._full_every(plan)
        if every is None:
            return False
        last = parse_time(last_full_at)
        return last is None or datetime.now(UTC) - last >= every

    async def _incremental(self, ctx: SyncContext, spec: EntityPass, plan: EntityPlan,
                           watermark: str | None) -> None:
        store = ctx.db.store
        newest: str | None = None
        if plan.updated_sort is not None:
            since = watermark or await ctx.db(store.newest, spec.entity, "updated_at")
            _seen, newest = await newest_first_pass(ctx, spec, sort=plan.updated_sort, key="updatedAt",
                                                    since=since)
        elif plan.since_op is not None:
            newest = await self._since(ctx, spec, plan.since_op, watermark)
        elif plan.newest_sort is not None:
            await self._newest_created(ctx, spec, plan.newest_sort)
        await save_incremental(ctx, spec.entity, newest)

    async def _since(self, ctx: SyncContext, spec: EntityPass, op: str, watermark: str | None) -> str | None:
        """Orders changed since the watermark; without one (no order cached yet), the newest."""
        since = watermark or await ctx.db(ctx.db.store.newest, spec.entity, "updated_at")
        if since is None:  # no order cached: read them all (never `since: null`, it matches nothing)
            _seen, newest = await newest_first_pass(ctx, spec, sort=spec.full_sort, key="updatedAt",
                                                    since=None)
        else:
            _seen, newest = await since_pass(ctx, spec, op, since)
        return newest

    async def _newest_created(self, ctx: SyncContext, spec: EntityPass, sort: str) -> None:
        store = ctx.db.store
        if spec.entity == "invoices":
            since = await ctx.db(invoice_reach, store, self._tuning.unpaid_invoice_window)
        else:
            since = await ctx.db(store.newest, spec.entity, "created_at")
        seen, _newest = await newest_first_pass(ctx, spec, sort=sort, key="createdAt", since=since)
        if spec.entity == "orders":
            await self._reread_open_orders(ctx, seen)

    async def _reread_open_orders(self, ctx: SyncContext, seen: set[str]) -> None:
        """Without an updated-at sort, an order that changed can only be found by asking."""
        pending = [i for i in await ctx.db(ctx.db.store.open_order_ids) if i not in seen]
        step = max(1, self._tuning.reread_concurrency)
        t = self._tuning
        variables: dict[str, Any] = {"lines": t.order_lines, "shipments": t.order_shipments,
                                     "shipmentLines": t.shipment_lines}
        for start in range(0, len(pending), step):
            chunk = pending[start:start + step]
            answers = await _together([self._client.query("SyncOrder", {**variables, "id": i})
                                       for i in chunk])
            nodes = [n for n in (dig(data, "order") for data in answers) if isinstance(n, dict)]
            if len(nodes) < len(chunk):
                log.warning("%d cached orders were not found on Orderchamp", len(chunk) - len(nodes))
            await ctx.db(self._apply_reread, ctx.db.store, nodes)
            ctx.count("orders", len(nodes))
            ctx.progress("orders", start + len(chunk), len(pending))
            await nested.complete_orders(ctx)

    @staticmethod
    def _apply_reread(store: Store, nodes: list[dict[str, Any]]) -> None:
        store.apply_orders(nodes, run=store.sync_state("orders").run)


async def _together(calls: list[Coroutine[Any, Any, dict[str, Any]]]) -> list[dict[str, Any]]:
    """Run queries concurrently; the first failure stops the others and is raised as itself
    (a KnownError the user can read, not an ExceptionGroup that would look like a bug)."""
    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(call) for call in calls]
    except ExceptionGroup as failures:
        known = next((e for e in failures.exceptions if isinstance(e, KnownError)), None)
        if known is not None:
            raise known from failures
        raise
    return [task.result() for task in tasks]


async def load_live_schema(client: ApiClient, schema_dir: Path | None,
                           account_key: str) -> LiveSchema | None:
    """The client's live schema, loaded (and cached in ``schema_dir``) when it has none.

    A server that refuses introspection (or cannot answer it) is no reason not to sync:
    None then, and the sync uses the documented shapes only. Going offline or a refused
    token still stop the sync here, as they would at its first request.
    """
    if client.schema is not None:
        return client.schema
    try:
        return await client.load_schema(schema_dir, account_key)
    except ServerError as exc:
        log.warning("live schema unavailable (%s); syncing with the documented API only", exc)
        return None
