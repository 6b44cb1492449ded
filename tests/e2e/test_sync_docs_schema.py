"""Sync against an API shaped like the public docs, one that hides its schema, and one that
lacks what an entity needs: whatever the server offers, the cache ends up right (or says
clearly which part could not be synced)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from orderchamp_desktop.core.api import ApiClient, OperationLibrary
from orderchamp_desktop.core.cache import Store
from orderchamp_desktop.core.sync import Syncer, SyncResult, Tuning
from orderchamp_desktop.sandbox import SandboxConfig, SandboxServer
from orderchamp_desktop.sandbox.config import DOCS_SHAPED
from tests.e2e.test_sync_support import assert_same_world

pytestmark = pytest.mark.e2e


def _config(**features: bool) -> SandboxConfig:
    return SandboxConfig(seed=3, products=12, orders=120, restore_rate=100000.0,
                         features={"order_confirm": True, **features})


@pytest.fixture
def docs_server() -> Iterator[SandboxServer]:
    with SandboxServer(_config(**DOCS_SHAPED)) as running:
        yield running


def sync(server: SandboxServer, path: Path, *, tuning: Tuning | None = None, schema_dir: Path | None = None,
         operations: OperationLibrary | None = None, full: bool | None = None) -> SyncResult:
    async def run() -> SyncResult:
        async with ApiClient(server.url, server.token, operations=operations) as client:
            return await Syncer(client, path, tuning=tuning, schema_dir=schema_dir,
                                account_key="acct").run(full=full)

    return asyncio.run(run())


def _ops(server: SandboxServer) -> dict[str, int]:
    return dict(server.stats.by_operation)


def _used_since(server: SandboxServer, before: dict[str, int]) -> dict[str, int]:
    return {op: n - before.get(op, 0) for op, n in _ops(server).items() if n > before.get(op, 0)}


def _late_payer(server: SandboxServer) -> str:
    """An invoice well below the newest pages that is not paid yet (set before the first sync)."""
    state = server.state
    with state.lock:
        newest_first = sorted(state.invoices, key=lambda i: i.created_at, reverse=True)
        late = newest_first[15]  # deeper than the first pages a newest-first walk reads
        assert newest_first[0].created_at - late.created_at < Tuning().unpaid_invoice_window
        late.status = "OPEN"
    return late.id


def _change_an_invoice_and_orders(server: SandboxServer, late: str) -> dict[str, Any]:
    """What Orderchamp changes between two syncs: an invoice paid, an order changed, a new order."""
    state = server.state
    with state.lock:
        paid = next(i for i in state.invoices if i.id == late)
        paid.status, paid.updated_at = "PAID", state.now()
        touched = next(o for o in sorted(state.orders, key=lambda o: o.created_at)
                       if o.status == "AWAITING_DELIVERY")
        touched.note = "Bitte vor 10 Uhr liefern"
    server.state.touch_order(touched.id)
    return {"invoice": paid.id, "order": touched.id, "new": server.state.add_random_order()}


def test_a_docs_shaped_api_syncs_in_full_and_then_incrementally(docs_server: SandboxServer,
                                                                tmp_path: Path) -> None:
    path = tmp_path / "cache-acct.sqlite3"
    late = _late_payer(docs_server)
    first = sync(docs_server, path)
    assert first.modes == {"orders": "full", "products": "full", "invoices": "full"} and not first.problems
    assert_same_world(path, docs_server)
    used = _ops(docs_server)
    assert used["SyncProductsUnsorted"] > 0 and used.get("SyncProducts", 0) == 0
    changed = _change_an_invoice_and_orders(docs_server, late)
    before = _ops(docs_server)

    second = sync(docs_server, path)

    assert second.modes == {"orders": "incremental", "products": "incremental", "invoices": "incremental"}
    assert_same_world(path, docs_server)
    with Store(path) as store:
        (invoice,) = store.invoice_rows([changed["invoice"]])
        assert invoice.status == "PAID" and invoice.is_paid
        detail = store.order_detail(changed["order"])
        assert detail is not None and detail.note == "Bitte vor 10 Uhr liefern"
        assert changed["new"] in store.order_ids()
    ran = _used_since(docs_server, before)
    assert ran.get("SyncOrdersSince", 0) >= 1 and "SyncOrder" not in ran  # no order-by-order re-read
    assert "SyncProductsUnsorted" not in ran  # the catalogue is read in full only now and then


def test_a_catalogue_without_a_sort_is_read_in_full_when_due(docs_server: SandboxServer,
                                                             tmp_path: Path) -> None:
    path = tmp_path / "cache-acct.sqlite3"
    due_now = Tuning(products_full_every=timedelta(0), invoices_full_every=timedelta(0))
    sync(docs_server, path)
    with docs_server.state.lock:
        variant = docs_server.state.products[0].variants[0]
        next(iter(variant.levels.values())).quantity += 7  # an order came in on Orderchamp's side
    result = sync(docs_server, path, tuning=due_now)
    assert result.modes == {"orders": "incremental", "products": "full", "invoices": "full"}
    assert_same_world(path, docs_server)


def test_without_since_open_orders_are_asked_for_one_by_one(tmp_path: Path) -> None:
    with SandboxServer(_config(**DOCS_SHAPED, orders_since=False)) as server:
        path = tmp_path / "cache-acct.sqlite3"
        late = _late_payer(server)
        sync(server, path)
        changed = _change_an_invoice_and_orders(server, late)
        before = _ops(server)
        sync(server, path)
        assert_same_world(path, server)
        ran = _used_since(server, before)
        assert ran.get("SyncOrder", 0) > 0 and "SyncOrdersSince" not in ran
        with Store(path) as store:
            assert store.invoice_rows([changed["invoice"]])[0].is_paid


def test_a_server_that_refuses_introspection_still_syncs(tmp_path: Path) -> None:
    with SandboxServer(_config(introspection=False)) as server:
        path = tmp_path / "cache-acct.sqlite3"
        late = _late_payer(server)
        result = sync(server, path, schema_dir=tmp_path / "schemas")
        assert result.modes == {"orders": "full", "products": "full", "invoices": "full"}
        assert_same_world(path, server)
        # Only the documented shapes were sent: no sort for products, no `since`.
        assert _ops(server)["SyncProductsUnsorted"] > 0 and _ops(server).get("SyncProducts", 0) == 0
        changed = _change_an_invoice_and_orders(server, late)
        sync(server, path, schema_dir=tmp_path / "schemas")
        assert_same_world(path, server)
        assert "SyncOrdersSince" not in _ops(server)
        with Store(path) as store:
            assert store.invoice_rows([changed["invoice"]])[0].is_paid


def test_the_syncer_loads_and_caches_the_live_schema_itself(docs_server: SandboxServer,
                                                            tmp_path: Path) -> None:
    schemas = tmp_path / "schemas"
    sync(docs_server, tmp_path / "cache-acct.sqlite3", schema_dir=schemas)
    assert len(list(schemas.glob("schema-acct-*.json"))) == 1
    assert _ops(docs_server)["IntrospectionQuery"] == 1


BROKEN_INVOICES = """# feature: Syncing invoices
query SyncInvoices($first: Int!, $after: String, $sort: InvoiceSort, $items: Int!) {
  supplierInvoices(first: $first, after: $after, sort: $sort) {
    nodes { id paymentPlan { dueAt } items(first: $items) { nodes { id } } }
    pageInfo { hasNextPage endCursor }
  }
}"""


def test_an_entity_the_api_cannot_serve_is_named_and_the_rest_syncs(docs_server: SandboxServer,
                                                                     tmp_path: Path) -> None:
    """As if the live API dropped an object the app reads for invoices."""
    path = tmp_path / "cache-acct.sqlite3"
    result = sync(docs_server, path, operations=OperationLibrary({"SyncInvoices": BROKEN_INVOICES}))
    assert result.modes == {"orders": "full", "products": "full", "invoices": "skipped"}
    assert set(result.problems) == {"invoices"}
    sentence = result.problems["invoices"]
    assert sentence.startswith("Your invoices could not be synced")
    assert "Everything else was synced" in sentence
    assert sentence in result.summary()
    with Store(path) as store:
        assert len(store.order_ids()) == len(docs_server.state.orders)
        assert len(store.products()) == len(docs_server.state.products)
        assert store.invoice_ids() == [] and store.last_synced_at() is not None
