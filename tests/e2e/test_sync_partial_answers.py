"""Partial answers from the server (a field failed: null plus an error) never cost cached data.

The sandbox's fault injector makes one field of an operation's answer null with an error
naming its path, as a GraphQL server does when a resolver fails. The client must read that
as "could not say", never as "empty" or "gone".
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from orderchamp_desktop.core.api import ApiClient, IncompleteAnswerError, RetryPolicy
from orderchamp_desktop.core.cache import Store
from orderchamp_desktop.core.sync import Syncer, SyncResult
from orderchamp_desktop.sandbox import SandboxConfig, SandboxServer
from tests.e2e.test_sync_support import assert_same_world

pytestmark = pytest.mark.e2e

#: One quick retry: enough to see a passing failure healed, and a lasting one reported fast.
QUICK = RetryPolicy(max_retries=1, base_delay=0.01)
LASTING = 50  # more failures than any sync retries


@pytest.fixture
def server() -> Iterator[SandboxServer]:
    with SandboxServer(SandboxConfig(seed=3, products=5, orders=40, restore_rate=100000.0)) as running:
        yield running


def sync(server: SandboxServer, path: Path, full: bool | None = None) -> SyncResult:
    async def run() -> SyncResult:
        async with ApiClient(server.url, server.token, retry_policy=QUICK) as client:
            return await Syncer(client, path).run(full=full)

    return asyncio.run(run())


def _counts(path: Path) -> dict[str, int]:
    with Store(path) as store:
        counts = store.counts()
    return {k: counts[k] for k in ("orders", "products", "invoices")}


@pytest.mark.parametrize(("op", "field"), [("SyncOrders", "orders"), ("SyncInvoices", "supplierInvoices")])
def test_a_listing_that_failed_on_the_server_never_empties_the_cache(
        server: SandboxServer, tmp_path: Path, op: str, field: str) -> None:
    path = tmp_path / "cache-acct.sqlite3"
    sync(server, path)
    before = _counts(path)
    assert before["orders"] == 40 and before["invoices"] > 0
    server.faults.fail_field_next(op, (field,), count=LASTING)

    with pytest.raises(IncompleteAnswerError) as caught:
        sync(server, path, full=True)

    assert caught.value.user_message.startswith("Orderchamp could not send all of the data")
    assert _counts(path) == before  # nothing swept: the sync did not report success either
    server.faults.clear()
    result = sync(server, path)  # the next sync finishes the interrupted full pass
    assert result.modes["orders" if field == "orders" else "invoices"] == "resumed"
    assert_same_world(path, server)


def test_an_order_that_failed_once_is_read_again_not_deleted(server: SandboxServer, tmp_path: Path) -> None:
    path = tmp_path / "cache-acct.sqlite3"
    sync(server, path)
    server.faults.fail_field_next("SyncOrders", ("orders", "nodes", 0))

    result = sync(server, path, full=True)

    assert server.stats.faults["field_failed"] == 1  # the fault really happened
    assert result.modes["orders"] == "full" and result.counts["orders"] == 40
    assert _counts(path)["orders"] == 40
    assert_same_world(path, server)


def test_a_failed_follow_up_leaves_the_order_to_be_completed(tmp_path: Path) -> None:
    config = SandboxConfig(seed=42, products=30, orders=300, restore_rate=100000.0)
    with SandboxServer(config) as server:
        big = [o for o in server.state.orders if len(o.lines) > 12]
        assert big
        path = tmp_path / "cache-acct.sqlite3"
        server.faults.fail_field_next("SyncOrderProducts", ("order",), count=LASTING)

        with pytest.raises(IncompleteAnswerError):
            sync(server, path)

        with Store(path) as store:
            waiting = store.incomplete("orders")
            assert waiting  # still flagged: never marked complete with 12 of its lines
            detail = store.order_detail(waiting[0])
            assert detail is not None and not detail.complete
        server.faults.clear()
        sync(server, path)  # a healthy sync completes it
        with Store(path) as store:
            assert store.incomplete("orders") == []
            for order in big:
                detail = store.order_detail(order.id)
                assert detail is not None and detail.complete and len(detail.lines) == len(order.lines)
        assert_same_world(path, server)


def test_a_failed_re_read_is_reported_as_itself(tmp_path: Path) -> None:
    """Open orders are re-read concurrently where the API has no updated-at sort nor `since`:
    a failure there reaches the user as the same clear sentence, not as an internal error."""
    config = SandboxConfig(seed=3, products=5, orders=40, restore_rate=100000.0,
                           features={"orders_updated_sort": False, "orders_since": False})
    with SandboxServer(config) as server:
        path = tmp_path / "cache-acct.sqlite3"
        sync(server, path)
        before = _counts(path)
        server.faults.fail_field_next("SyncOrder", ("order",), count=LASTING)
        with pytest.raises(IncompleteAnswerError):
            sync(server, path)
        assert _counts(path) == before
        server.faults.clear()
        sync(server, path)
        assert_same_world(path, server)
