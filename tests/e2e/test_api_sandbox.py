"""The API client against the real sandbox over loopback HTTP: no mocks anywhere here."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from orderchamp_desktop.core.api import (
    ApiClient,
    LiveSchema,
    OperationLibrary,
    QueryCostError,
    RetryPolicy,
    load_operation,
    operation_names,
    parse_money,
)
from orderchamp_desktop.core.errors import (
    AuthError,
    OfflineError,
    OutcomeUnknownError,
    SchemaMismatchError,
    UserErrorsError,
)
from orderchamp_desktop.sandbox import SandboxConfig, SandboxServer

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(60)]

ORDERS = """query E2EOrders($first: Int!, $after: String) {
  orders(first: $first, after: $after, sort: CREATED_AT_ASC,
         includeUnconfirmed: true, includeCancelled: true) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { id number status totalPrice products(first: 20) { nodes { id sku quantity unshippedQuantity } } }
  }
}"""
SHIP = """mutation E2EShip($input: ShipmentCreateInput!) {
  shipmentCreate(input: $input) { shipment { id status } userErrors { field message } }
}"""
EXTRA = {"E2EOrders": ORDERS, "E2EShip": SHIP}
FAST = RetryPolicy(max_retries=8, base_delay=0.01, max_delay=0.2)


def client_for(server: SandboxServer, *, token: str | None = None, **kwargs: Any) -> ApiClient:
    kwargs.setdefault("retry_policy", FAST)
    kwargs.setdefault("operations", OperationLibrary(EXTRA))
    return ApiClient(server.url, server.token if token is None else token, **kwargs)


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer(SandboxConfig(seed=7, products=20, orders=120, restore_rate=5000.0)) as server:
        yield server


async def all_orders(client: ApiClient, page_size: int | None = None
                     ) -> tuple[list[dict[str, Any]], int | None]:
    nodes: list[dict[str, Any]] = []
    total = None
    async for page in client.paginate("E2EOrders", connection=("orders",), page_size=page_size):
        nodes.extend(page.nodes)
        total = page.total_count if total is None else total
    return nodes, total


def assert_complete(server: SandboxServer, nodes: list[dict[str, Any]], total: int | None) -> None:
    ids = [node["id"] for node in nodes]
    assert len(ids) == len(set(ids)), "duplicates"
    assert total == len(server.state.orders)
    assert set(ids) == {order.id for order in server.state.orders}, "gaps"
    by_id = {order.id: order for order in server.state.orders}
    assert all(parse_money(node["totalPrice"]) == by_id[node["id"]].total_price for node in nodes)


def shippable_line(server: SandboxServer) -> tuple[Any, Any]:
    for order in server.state.orders:
        if order.is_confirmed and not order.is_cancelled:
            for line in order.lines:
                if line.unshipped_quantity > 0:
                    return order, line
    raise AssertionError("the sandbox has no shippable order")


# ---------------------------------------------------------------------- sign-in and auth


@pytest.mark.asyncio
async def test_account_query_signs_in(sandbox: SandboxServer) -> None:
    async with client_for(sandbox) as client:
        data = await client.query("Account")
    account = data["account"]
    assert account["id"] == sandbox.state.account.id  # type: ignore[union-attr]
    locations = account["locations"]["nodes"]
    assert len(locations) == sandbox.config.locations
    assert sum(1 for loc in locations if loc["isPrimary"]) == 1
    assert client.throttle is not None and client.throttle.limit == sandbox.config.bucket_size


@pytest.mark.asyncio
async def test_a_wrong_token_is_an_auth_error_at_once(sandbox: SandboxServer) -> None:
    async with client_for(sandbox, token="not-the-token") as client:
        with pytest.raises(AuthError):
            await client.query("Account")
    assert sandbox.stats.unauthorized == 1  # not retried


# ---------------------------------------------------------------------- pagination and pacing


@pytest.mark.asyncio
@pytest.mark.parametrize("page_size", [None, 7, 80])
async def test_pagination_returns_every_order_once(sandbox: SandboxServer, page_size: int | None) -> None:
    async with client_for(sandbox) as client:
        nodes, total = await all_orders(client, page_size)
    assert_complete(sandbox, nodes, total)


@pytest.mark.asyncio
async def test_a_fixed_page_above_the_cost_ceiling_is_a_clear_error(sandbox: SandboxServer) -> None:
    async with client_for(sandbox) as client:
        with pytest.raises(QueryCostError) as caught:
            await all_orders(client, page_size=250)
    assert caught.value.max_cost == sandbox.config.max_query_cost
    assert "maximum" in caught.value.detail
    assert sandbox.stats.cost_refused == 1  # a bug of the caller: not retried


@pytest.mark.asyncio
async def test_a_tight_bucket_is_paced_without_a_single_throttled_answer() -> None:
    config = SandboxConfig(seed=3, products=20, orders=150, bucket_size=200, restore_rate=400.0)
    with SandboxServer(config) as server:
        async with client_for(server) as client:
            nodes, total = await all_orders(client)
        assert_complete(server, nodes, total)
        assert server.stats.throttled == 0 and client.stats.throttled == 0
        assert client.stats.paced_seconds > 0  # it really had to wait for the bucket
        # How close the wall time gets to the throttle bound is measured by bench/bench_core.py.


@pytest.mark.asyncio
async def test_query_faults_are_retried_and_nothing_is_lost(sandbox: SandboxServer) -> None:
    kinds = ["429", "429_retry_after", "500", "502_html", "drop", "malformed_json"]
    for kind in kinds:
        sandbox.faults.inject_next(kind)
    sandbox.faults.configure(0.3, kinds, seed=11, retry_after=0)
    async with client_for(sandbox) as client:
        nodes, total = await all_orders(client, page_size=10)
    assert_complete(sandbox, nodes, total)
    assert set(sandbox.stats.faults) >= set(kinds)
    assert client.stats.retries >= sum(sandbox.stats.faults.values())


@pytest.mark.asyncio
async def test_a_slow_answer_times_out_and_is_retried(sandbox: SandboxServer) -> None:
    sandbox.faults.configure(0.0, [], slow_seconds=1.0)
    sandbox.faults.inject_next("slow")
    async with client_for(sandbox, timeout=0.3) as client:
        data = await client.query("Account")
    assert data["account"]["id"]
    assert client.stats.retries == 1 and sandbox.stats.faults["slow"] == 1


# ---------------------------------------------------------------------- mutations


def ship_input(order: Any, line: Any, quantity: int) -> dict[str, Any]:
    return {"input": {"orderId": order.id, "products": [{"id": line.id, "quantity": quantity}]}}


@pytest.mark.asyncio
async def test_a_dropped_mutation_answer_is_outcome_unknown_and_sent_once(sandbox: SandboxServer) -> None:
    order, line = shippable_line(sandbox)
    shipments_before = len(order.shipments)
    sandbox.faults.drop_response_after("shipmentCreate")
    async with client_for(sandbox) as client:
        with pytest.raises(OutcomeUnknownError):
            await client.mutate("E2EShip", ship_input(order, line, 1), payload="shipmentCreate")
    assert sandbox.stats.received_by_field["shipmentCreate"] == 1
    assert sandbox.stats.by_field["shipmentCreate"] == 1
    assert len(order.shipments) == shipments_before + 1  # it did happen: the caller must re-read


@pytest.mark.asyncio
async def test_a_mutation_answered_500_is_not_resent(sandbox: SandboxServer) -> None:
    order, line = shippable_line(sandbox)
    sandbox.faults.inject_next("500")
    async with client_for(sandbox) as client:
        with pytest.raises(OutcomeUnknownError):
            await client.mutate("E2EShip", ship_input(order, line, 1), payload="shipmentCreate")
    assert sandbox.stats.requests == 1


@pytest.mark.asyncio
async def test_a_mutation_refused_with_429_is_sent_again_and_runs_once(sandbox: SandboxServer) -> None:
    order, line = shippable_line(sandbox)
    sandbox.faults.inject_next("429")
    async with client_for(sandbox) as client:
        payload = await client.mutate("E2EShip", ship_input(order, line, 1), payload="shipmentCreate")
    assert payload["shipment"]["status"] == "AWAITING_SHIPMENT"
    assert sandbox.stats.requests == 2 and sandbox.stats.by_field["shipmentCreate"] == 1


@pytest.mark.asyncio
async def test_user_errors_carry_the_field_path(sandbox: SandboxServer) -> None:
    order, line = shippable_line(sandbox)
    shipments_before = len(order.shipments)
    async with client_for(sandbox) as client:
        with pytest.raises(UserErrorsError) as caught:
            await client.mutate("E2EShip", ship_input(order, line, line.unshipped_quantity + 1),
                                payload="shipmentCreate")
    (error,) = caught.value.errors
    assert error.field == ("input", "products", "0", "quantity")
    assert "exceeds the unshipped quantity" in error.message
    assert len(order.shipments) == shipments_before
    assert sandbox.stats.requests == 1


# ---------------------------------------------------------------------- live schema


@pytest.fixture(scope="module")
def live_schema(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveSchema]:
    """Introspected once for the module: the sandbox schema as the client sees it."""

    async def load(server: SandboxServer) -> LiveSchema:
        async with client_for(server) as client:
            return await client.load_schema(tmp_path_factory.mktemp("schemas"), "sandbox")

    with SandboxServer(SandboxConfig(seed=1, products=5, orders=10, restore_rate=5000.0)) as server:
        yield asyncio.run(load(server))


@pytest.mark.parametrize("name", operation_names())
def test_every_operation_file_is_valid_against_the_sandbox(live_schema: LiveSchema, name: str) -> None:
    prepared = live_schema.prepare(load_operation(name).document)
    assert prepared.errors == ()
    assert prepared.pruned == (), "a field the sandbox does not have: a typo in the operation?"


@pytest.mark.asyncio
async def test_a_broken_operation_is_switched_off(sandbox: SandboxServer, tmp_path: Path) -> None:
    broken = {"E2EBroken": "# feature: Gift wrapping\nquery E2EBroken { account { giftWrap { price } } }"}
    async with client_for(sandbox, operations=OperationLibrary(broken)) as client:
        await client.load_schema(tmp_path, "sandbox")
        with pytest.raises(SchemaMismatchError) as caught:
            client.ensure_operation("E2EBroken")
        with pytest.raises(SchemaMismatchError):
            await client.query("E2EBroken")
        assert (await client.query("Account"))["account"]["id"]
    assert caught.value.user_message.startswith("Gift wrapping is not available")
    assert sandbox.stats.by_operation["E2EBroken"] == 0


@pytest.mark.asyncio
async def test_a_feature_the_server_lacks_is_switched_off(tmp_path: Path) -> None:
    confirm = {"E2EConfirm": "mutation E2EConfirm($id: ID!) { orderConfirm(input: {orderId: $id}) "
                             "{ order { id } userErrors { field message } } }"}
    config = SandboxConfig(seed=2, products=5, orders=10, features={"order_confirm": False})
    with SandboxServer(config) as server:
        async with client_for(server, operations=OperationLibrary(confirm)) as client:
            schema = await client.load_schema(tmp_path, "sandbox")
            assert not schema.has_mutation("orderConfirm")
            with pytest.raises(SchemaMismatchError):
                client.ensure_operation("E2EConfirm")


@pytest.mark.asyncio
async def test_a_missing_leaf_field_is_pruned_and_the_query_still_works(
        sandbox: SandboxServer, tmp_path: Path) -> None:
    extra = {"E2EGift": "query E2EGift($first: Int!, $after: String) { orders(first: $first, after: $after) "
                        "{ nodes { id number giftNote } pageInfo { hasNextPage endCursor } } }"}
    async with client_for(sandbox, operations=OperationLibrary(extra)) as client:
        await client.load_schema(tmp_path, "sandbox")
        pages = [p async for p in client.paginate("E2EGift", connection=("orders",), page_size=50)]
        assert client.pruned_fields == {"E2EGift": ("Order.giftNote",)}
    assert sum(len(p.nodes) for p in pages) > 0
    assert all(set(node) == {"id", "number"} for p in pages for node in p.nodes)


@pytest.mark.asyncio
async def test_the_schema_cache_saves_the_next_introspection(sandbox: SandboxServer, tmp_path: Path) -> None:
    for _ in range(2):
        async with client_for(sandbox) as client:
            await client.load_schema(tmp_path, "sandbox-account")
            client.ensure_operation("Account")
    assert sandbox.stats.by_operation["IntrospectionQuery"] == 1


# ---------------------------------------------------------------------- no network


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.asyncio
async def test_connection_refused_is_offline() -> None:
    url = f"http://127.0.0.1:{closed_port()}/v1/graphql"
    async with ApiClient(url, "token", retry_policy=FAST) as client:
        with pytest.raises(OfflineError) as caught:
            await client.query("Account")
    assert "Check your internet connection" in caught.value.user_message


@pytest.mark.asyncio
async def test_an_unresolvable_host_is_offline() -> None:
    async with ApiClient("http://nonexistent.invalid/v1/graphql", "token", retry_policy=FAST) as client:
        with pytest.raises(OfflineError) as caught:
            await client.query("Account")
    assert "could not be resolved" in caught.value.detail
