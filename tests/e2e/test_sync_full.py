"""Full sync against the sandbox over HTTP: the cache must hold exactly the sandbox's world."""

from __future__ import annotations

import csv
import dataclasses
import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from orderchamp_desktop.core.cache import Store
from orderchamp_desktop.core.documents.export import export
from orderchamp_desktop.core.errors import Progress
from orderchamp_desktop.core.sync import Tuning
from orderchamp_desktop.sandbox import SandboxConfig, SandboxServer
from tests.e2e.test_sync_support import assert_same_world, expected_world, run_sync

pytestmark = pytest.mark.e2e


@pytest.fixture
def server() -> Iterator[SandboxServer]:
    with SandboxServer(SandboxConfig(seed=3, products=20, orders=160, restore_rate=5000.0)) as running:
        yield running


def test_full_sync_caches_exactly_the_sandbox(server: SandboxServer, tmp_path: Path) -> None:
    path = tmp_path / "cache-acct.sqlite3"
    progress: list[Progress] = []
    result = run_sync(server, path, progress=progress)
    assert result.modes == {"orders": "full", "products": "full", "invoices": "full"}
    assert result.counts["orders"] == len(server.state.orders)
    assert result.throttled == 0
    assert_same_world(path, server)
    order_progress = [p for p in progress if p.entity == "orders"]
    assert order_progress[-1].done == order_progress[-1].total == len(server.state.orders)
    with Store(path) as store:
        assert store.last_synced_at() is not None
        assert store.account() is not None and store.account().name == server.state.account.name  # type: ignore[union-attr]
        assert not store.search_index_deferred()
        some = server.state.orders[0]
        assert store.order_ids(search=some.number) == [some.id]
        # Orders with more lines than a sync page carries were completed line by line.
        big = max(server.state.orders, key=lambda o: len(o.lines))
        detail = store.order_detail(big.id)
        assert detail is not None and detail.complete and len(detail.lines) == len(big.lines) > 12


def test_nested_pages_of_every_kind_are_followed(tmp_path: Path) -> None:
    """Page sizes of 1-3 force every follow-up path: lines, shipments, shipment items,
    variants, inventory levels and invoice items."""
    tiny = Tuning(order_lines=1, order_shipments=1, shipment_lines=1, product_variants=1, invoice_items=1,
                  follow_up_page=3, follow_up_shipments=1, follow_up_shipment_lines=1,
                  follow_up_variants=2, inventory_levels=1)
    path = tmp_path / "cache-acct.sqlite3"
    with SandboxServer(SandboxConfig(seed=3, products=5, orders=30, restore_rate=5000.0)) as server:
        run_sync(server, path, tuning=tiny)
        used = server.stats.by_operation
        for op in ("SyncOrderProducts", "SyncOrderShipments", "SyncShipmentProducts", "SyncProductVariants",
                   "SyncVariantLevels", "SyncInvoiceItems"):
            assert used[op] > 0, op
        assert_same_world(path, server)
    with Store(path) as store:
        assert all(not store.incomplete(e) for e in ("orders", "products", "variants", "invoices"))


def test_full_sync_with_injected_faults_loses_and_duplicates_nothing(server: SandboxServer,
                                                                     tmp_path: Path) -> None:
    server.faults.configure(0.2, {"429", "429_retry_after", "500", "502_html", "drop", "malformed_json"},
                            seed=11, retry_after=1)
    path = tmp_path / "cache-acct.sqlite3"
    run_sync(server, path)
    server.faults.clear()
    assert sum(server.stats.faults.values()) >= 5  # the faults really happened
    assert_same_world(path, server)


def test_a_second_full_sync_drops_what_the_server_no_longer_has(server: SandboxServer,
                                                                 tmp_path: Path) -> None:
    path = tmp_path / "cache-acct.sqlite3"
    run_sync(server, path)
    with server.state.lock:
        gone = server.state.products.pop()
        for variant in gone.variants:
            server.state.variants.remove(variant)
    result = run_sync(server, path, full=True)
    assert result.modes["products"] == "full"
    assert_same_world(path, server)
    with Store(path) as store:
        assert gone.id not in {p.id for p in store.products()}


def test_unknown_order_status_is_stored_and_shown(tmp_path: Path) -> None:
    config = SandboxConfig(seed=5, products=10, orders=120, restore_rate=5000.0,
                           extra_order_statuses=("AWAITING_PICKUP",))
    with SandboxServer(config) as server:
        path = tmp_path / "cache-acct.sqlite3"
        run_sync(server, path)
        expected = [o.id for o in server.state.orders if o.status == "AWAITING_PICKUP"]
        assert expected
        assert_same_world(path, server)
    with Store(path) as store:
        assert dict(store.order_status_counts())["AWAITING_PICKUP"] == len(expected)
        ids = store.order_ids(status="AWAITING_PICKUP")
        assert sorted(ids) == sorted(expected)
        assert {row.status for row in store.order_rows(ids)} == {"AWAITING_PICKUP"}
        buffer = io.StringIO()
        export(store, "orders", "csv", buffer)
        statuses = [row["status"] for row in csv.DictReader(io.StringIO(buffer.getvalue()))]
        assert statuses.count("AWAITING_PICKUP") == len(expected)


def test_csv_exports_hold_every_record_and_no_token(server: SandboxServer, tmp_path: Path) -> None:
    path = tmp_path / "cache-acct.sqlite3"
    run_sync(server, path)
    world = expected_world(server)
    sizes = {"orders": len(world["orders"]), "invoices": len(world["invoices"]),
             "products": sum(len(p["variants"]) for p in world["products"].values()),
             "inventory": sum(len(p["variants"]) for p in world["products"].values())}
    with Store(path) as store:
        for entity, size in sizes.items():
            for fmt in ("csv", "json"):
                buffer = io.StringIO()
                records = len(world["products"]) if (entity, fmt) == ("products", "json") else size
                assert export(store, entity, fmt, buffer) == records, (entity, fmt)
                assert server.token not in buffer.getvalue()
        buffer = io.StringIO()
        export(store, "inventory", "csv", buffer)
        header = next(csv.reader(io.StringIO(buffer.getvalue())))
        assert header[-len(world["locations"]):] == [loc["name"] for loc in world["locations"].values()]
    assert server.token.encode() not in path.read_bytes()


def test_odd_data_from_the_server_is_kept_and_shown(server: SandboxServer, tmp_path: Path) -> None:
    """Nulls where the docs show values, very long unicode text, markup, a formula-like name."""
    long_note = ("Bitte 🙏 nicht vor 10 Uhr ‏שלום‏ <b>liefern</b> & merci " * 4000)[:150_000]
    with server.state.lock:
        odd = server.state.orders[3]
        odd.note = long_note
        # Addresses are shared between a retailer's orders: change this order's copies only.
        odd.shipping_address = dataclasses.replace(odd.shipping_address,
                                                   company_name="=HYPERLINK(\"http://evil\")")
        odd.billing_address = dataclasses.replace(odd.billing_address, company_name=None)
        odd.lines[0].sku = None
        odd.lines[0].ean = None
        product = server.state.products[0]
        product.description = "<script>alert(1)</script> " + "ü" * 100_000
        product.variants[0].price = None
    path = tmp_path / "cache-acct.sqlite3"
    run_sync(server, path)
    assert_same_world(path, server)
    with Store(path) as store:
        detail = store.order_detail(odd.id)
        assert detail is not None and detail.note == long_note
        assert detail.lines[0].sku is None
        assert store.order_rows([odd.id])[0].retailer == "=HYPERLINK(\"http://evil\")"
        assert store.product_variants(product.id)[0].price is None
        buffer = io.StringIO()
        export(store, "orders", "csv", buffer)
        previous = csv.field_size_limit(1_000_000)  # the reader's default is smaller than this note
        try:
            row = next(r for r in csv.DictReader(io.StringIO(buffer.getvalue())) if r["id"] == odd.id)
        finally:
            csv.field_size_limit(previous)
        assert row["retailer"] == "'=HYPERLINK(\"http://evil\")"  # a spreadsheet shows it, never runs it
        assert row["note"] == long_note
