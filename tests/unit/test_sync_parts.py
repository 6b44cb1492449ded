"""Sync building blocks without the network: store worker, plans from the schema, time handling."""

from __future__ import annotations

import asyncio
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from orderchamp_desktop.core.api import LiveSchema
from orderchamp_desktop.core.cache import Store
from orderchamp_desktop.core.sync import SyncResult, plan_for
from orderchamp_desktop.core.sync.context import parse_time
from orderchamp_desktop.core.sync.passes import _older_than
from orderchamp_desktop.core.sync.worker import StoreWorker
from tests.unit.test_cache_support import orders

SCHEMA = Path(__file__).resolve().parents[2] / "orderchamp_desktop" / "sandbox" / "schema.graphql"


@pytest.mark.asyncio
async def test_store_work_runs_off_the_event_loop(tmp_path: Path) -> None:
    worker = await StoreWorker.open(tmp_path / "c.sqlite3")
    try:
        loop_thread = threading.get_ident()
        assert await worker(threading.get_ident) != loop_thread
        ticks = 0

        async def heartbeat() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        beat = asyncio.create_task(heartbeat())
        await worker(time.sleep, 0.3)  # a slow write must not freeze the loop
        beat.cancel()
        assert ticks >= 10
    finally:
        await worker.close()


@pytest.mark.asyncio
async def test_cancelling_mid_write_lets_the_write_finish_first(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    worker = await StoreWorker.open(path)
    started = threading.Event()

    def slow_page() -> None:
        with worker.store.transaction():
            worker.store.apply_orders(orders(20))
            started.set()
            time.sleep(0.3)

    task = asyncio.create_task(worker(slow_page))
    await asyncio.to_thread(started.wait, 5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await worker.close()  # safe: the thread has finished its transaction
    with Store(path) as store:
        assert len(store.order_ids()) == 20  # the page was committed whole


def _accept_all(_op: str) -> bool:
    return True


def test_plans_come_from_the_live_schema() -> None:
    text = SCHEMA.read_text(encoding="utf-8")
    full = LiveSchema.from_sdl(text)
    orders = plan_for("orders", full, _accept_all)
    assert (orders.full_sort, orders.updated_sort, orders.incremental) == (
        "CREATED_AT_DESC", "UPDATED_AT_DESC", "updated")
    without = LiveSchema.from_sdl(text.replace("UPDATED_AT_ASC UPDATED_AT_DESC\n  ID_ASC ID_DESC",
                                               "ID_ASC ID_DESC"))
    assert plan_for("orders", without, _accept_all).incremental == "since"
    assert plan_for("orders", without, lambda op: op != "SyncOrdersSince").incremental == "newest"
    assert plan_for("products", without, _accept_all).updated_sort == "UPDATED_AT_DESC"


def test_plans_follow_a_docs_shaped_schema_and_no_schema_at_all() -> None:
    text = SCHEMA.read_text(encoding="utf-8")
    docs = LiveSchema.from_sdl(
        text.replace("after: String, before: String, sort: ProductSort)", "after: String, before: String)")
        .replace("enum InvoiceSort { ID_ASC ID_DESC CREATED_AT_ASC CREATED_AT_DESC UPDATED_AT_ASC "
                 "UPDATED_AT_DESC }", "enum InvoiceSort { ID_ASC ID_DESC }"))
    products = plan_for("products", docs, _accept_all)
    assert (products.op, products.full_sort, products.incremental) == ("SyncProductsUnsorted", None, "full")
    invoices = plan_for("invoices", docs, _accept_all)
    assert (invoices.full_sort, invoices.newest_sort, invoices.incremental) == (
        "ID_DESC", "ID_DESC", "newest")
    # Introspection refused: only what the docs show, and never `since`.
    assert plan_for("orders", None, _accept_all).incremental == "newest"
    assert plan_for("products", None, _accept_all).op == "SyncProductsUnsorted"
    assert plan_for("invoices", None, _accept_all).full_sort == "ID_DESC"


def test_times_and_the_stop_condition() -> None:
    assert parse_time("2020-05-26T11:00:37Z") == datetime(2020, 5, 26, 11, 0, 37, tzinfo=UTC)
    assert parse_time("garbage") is None and parse_time(None) is None
    cutoff = datetime(2024, 1, 1, tzinfo=UTC)
    assert _older_than([{"u": "2024-02-01T00:00:00Z"}, {"u": "2023-12-31T23:59:59Z"}], "u", cutoff)
    assert not _older_than([{"u": "2024-02-01T00:00:00Z"}], "u", cutoff)
    assert not _older_than([{"u": None}], "u", cutoff)  # unknown: keep paging rather than miss orders
    assert _older_than([], "u", cutoff)


def test_summary_is_one_readable_line() -> None:
    result = SyncResult({"orders": 2000, "products": 150, "invoices": 1828}, 0, 76.4)
    assert result.summary() == "2000 orders, 150 products, 1828 invoices in 76 s"
    assert "3 throttled" in SyncResult({}, 3, 1.0).summary()
    skipped = SyncResult({"orders": 5}, 0, 2.0, {"invoices": "skipped"},
                         problems={"invoices": "Your invoices could not be synced: why."})
    assert skipped.summary() == ("5 orders, 0 products, 0 invoices in 2 s. "
                                 "Your invoices could not be synced: why.")
