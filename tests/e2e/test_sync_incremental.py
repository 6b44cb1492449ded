"""Incremental sync: a new order and changed orders arrive, whatever sort the API offers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from orderchamp_desktop.core.cache import Store
from orderchamp_desktop.sandbox import SandboxConfig, SandboxServer
from tests.e2e.test_sync_support import assert_same_world, run_sync

pytestmark = pytest.mark.e2e


@pytest.fixture(params=[(True, True), (False, True), (False, False)],
                ids=["updated-sort", "since", "no-updated-sort-no-since"])
def server(request: pytest.FixtureRequest) -> Iterator[SandboxServer]:
    updated, since = request.param
    config = SandboxConfig(seed=8, products=10, orders=150, restore_rate=5000.0,
                           features={"order_confirm": True, "orders_updated_sort": updated,
                                     "orders_since": since})
    with SandboxServer(config) as running:
        yield running


def _open_order(server: SandboxServer, status: str) -> str:
    return next(o.id for o in server.state.orders if o.status == status)


def test_incremental_sync_picks_up_new_and_changed_orders(server: SandboxServer, tmp_path: Path) -> None:
    path = tmp_path / "cache-acct.sqlite3"
    run_sync(server, path)
    before = sum(server.stats.by_operation.values())
    new_id = server.state.add_random_order("AWAITING_FULFILMENT")
    cancelled = _open_order(server, "AWAITING_FULFILMENT")
    server.state.cancel_order(cancelled)
    with server.state.lock:  # a change on Orderchamp's side, e.g. a retailer's note
        touched = server.state.order(_open_order(server, "AWAITING_DELIVERY"))
        assert touched is not None
        touched.note = "Bitte vor 10 Uhr liefern"
    server.state.touch_order(touched.id)

    result = run_sync(server, path)

    assert result.modes == {"orders": "incremental", "products": "incremental", "invoices": "incremental"}
    assert_same_world(path, server)
    with Store(path) as store:
        (row,) = store.order_rows([cancelled])
        assert row.status == "CANCELLED" and row.is_cancelled
        assert new_id in store.order_ids(view="needs_action")
        assert new_id in store.order_ids(search=server.state.order(new_id).number)  # type: ignore[union-attr]
        detail = store.order_detail(touched.id)
        assert detail is not None and detail.note == "Bitte vor 10 Uhr liefern"
    used = sum(server.stats.by_operation.values()) - before
    config = server.state.config
    if config.feature("orders_updated_sort") or config.feature("orders_since"):
        assert used < 15  # a handful of requests, not a re-read of the account
        assert server.stats.by_operation["SyncOrder"] == 0
    else:  # the open orders not on the newest pages were asked for one by one
        assert server.stats.by_operation["SyncOrder"] > 0
    since_used = server.stats.by_operation["SyncOrdersSince"] > 0
    assert since_used == (not config.feature("orders_updated_sort") and config.feature("orders_since"))


def test_nothing_changed_means_nothing_new(server: SandboxServer, tmp_path: Path) -> None:
    path = tmp_path / "cache-acct.sqlite3"
    run_sync(server, path)
    with Store(path) as store:
        counts = store.counts()
    result = run_sync(server, path)
    assert result.modes["orders"] == "incremental"
    with Store(path) as store:
        assert store.counts() == counts
    assert_same_world(path, server)
