"""Live-schema checks: helpers, pruning of missing leaf fields, rejection, and the disk cache.

The schema here is the sandbox's SDL file (the team's contract), read as text; the
introspection answer is produced by graphql-core from it, as any real server would.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql import build_schema, get_introspection_query, graphql_sync, parse

from orderchamp_desktop.core.api import ApiClient, LiveSchema, OperationLibrary, load_operation
from orderchamp_desktop.core.api.schema import cache_file
from orderchamp_desktop.core.errors import SchemaMismatchError

pytestmark = pytest.mark.timeout(20)

SDL = (Path(__file__).parents[2] / "orderchamp_desktop" / "sandbox" / "schema.graphql").read_text()
URL = "https://api.example.test/v1/graphql"
NO_REFERENCE = SDL.replace("  reference: String\n", "")
ORDER_REFS = """query OrderRefs($first: Int!, $after: String) {
  orders(first: $first, after: $after) { nodes { id number reference } pageInfo { hasNextPage endCursor } }
}"""


def schema(sdl: str = SDL) -> LiveSchema:
    return LiveSchema.from_sdl(sdl)


def test_helpers_answer_what_features_ask() -> None:
    live = schema()
    assert "AWAITING_FULFILMENT" in live.enum_values("OrderStatus")
    assert len(live.enum_values("OrderStatus")) == 15
    assert live.has_enum_value("OrderSort", "UPDATED_AT_DESC")
    assert not live.has_enum_value("OrderSort", "NOPE") and live.enum_values("Nope") == []
    assert live.has_mutation("shipmentCreate") and not live.has_mutation("orders")
    assert live.has_query("orders") and live.has_field("Order", "unshippedQuantity") is False
    assert live.field_args("Query", "orders")["since"] == "DateTime"
    assert live.field_args("Query", "orders")["first"] == "Int"
    assert live.field_args("Query", "nothing") == {} and live.field_args("Nope", "x") == {}


def test_validate_reports_messages() -> None:
    live = schema()
    assert live.validate("query A { account { id name } }") == []
    assert live.validate("query A { account { idx } }")[0].startswith("Cannot query field 'idx'")
    assert live.validate("query A { account { ") != []


def test_a_missing_leaf_field_is_pruned_not_fatal() -> None:
    prepared = schema(NO_REFERENCE).prepare(parse(ORDER_REFS))
    assert prepared.accepted
    assert prepared.pruned == ("Order.reference",)
    assert "reference" not in prepared.text and "number" in prepared.text


def test_a_missing_leaf_field_inside_a_shared_fragment_is_pruned() -> None:
    live = schema(SDL.replace("  phone: String\n", "", 1))
    assert not live.has_field("Address", "phone")
    prepared = live.prepare(load_operation("SyncOrders").document)  # phone: AddressFields, spread twice
    assert prepared.accepted and prepared.pruned == ("Address.phone",)
    assert "phone" not in prepared.text and "postalCode" in prepared.text
    assert "fragment AddressFields on Address" in prepared.text and "...AddressFields" in prepared.text
    assert live.validate(prepared.text) == []
    # a fragment spread by a fragment: OrderHeaderFields through OrderFields
    prepared = schema(NO_REFERENCE).prepare(load_operation("SyncOrder").document)
    assert prepared.accepted and prepared.pruned == ("Order.reference",)
    assert "reference" not in prepared.text and "...OrderHeaderFields" in prepared.text


@pytest.mark.parametrize(
    "document",
    [
        "query X { account { id missingObject { id } } }",  # an object field: the shape is gone
        "query X { orders(first: 5, sort: SOMETHING_NEW) { nodes { id } } }",  # enum value gone
        "query X { orders(first: 5, gone: true) { nodes { id } } }",  # argument gone
        "query X { account { address { nope } } }",  # pruning would leave an empty selection
        "mutation X { orderGone(input: {}) { userErrors { message } } }",
    ],
)
def test_anything_but_a_missing_leaf_rejects_the_operation(document: str) -> None:
    prepared = schema().prepare(parse(document))
    assert not prepared.accepted and prepared.errors


def client_with(live: LiveSchema | None, extra: dict[str, str], handler: Any = None, **kw: Any) -> ApiClient:
    transport = httpx.MockTransport(handler or (lambda _r: httpx.Response(500)))
    return ApiClient(URL, "token-1234", transport=transport, schema=live, rng=random.Random(1),
                     operations=OperationLibrary(extra), **kw)


@pytest.mark.asyncio
async def test_a_rejected_operation_switches_its_feature_off_with_its_name() -> None:
    broken = ("# feature: Confirming orders\n"
              "mutation OrderConfirm($id: ID!) { orderConfirmed(id: $id) { id } }")
    sent: list[httpx.Request] = []
    async with client_with(schema(), {"OrderConfirm": broken}, sent.append) as client:
        with pytest.raises(SchemaMismatchError) as caught:
            client.ensure_operation("OrderConfirm")
        with pytest.raises(SchemaMismatchError):
            await client.mutate("OrderConfirm", {"id": "1"}, payload="orderConfirmed")
        client.ensure_operation("Account")  # the rest keeps working
    assert caught.value.user_message.startswith("Confirming orders is not available")
    assert "orderConfirmed" in caught.value.detail
    assert not sent  # never sent to fail mid-task


@pytest.mark.asyncio
async def test_a_pruned_operation_is_sent_without_the_missing_field() -> None:
    bodies: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        bodies.append(json.loads(request.content))
        return httpx.Response(200, json={"data": {"orders": {"nodes": [{"id": "1", "number": "N1"}],
                                                              "pageInfo": {"hasNextPage": False}}}})

    async with client_with(schema(NO_REFERENCE), {"OrderRefs": ORDER_REFS}, handler) as client:
        pages = [p async for p in client.paginate("OrderRefs", connection=("orders",), page_size=5)]
        assert client.pruned_fields == {"OrderRefs": ("Order.reference",)}
    assert pages[0].nodes == [{"id": "1", "number": "N1"}]
    assert "reference" not in bodies[0]["query"] and bodies[0]["operationName"] == "OrderRefs"


class Introspection:
    """Serves a real introspection answer for an SDL and counts the requests."""

    def __init__(self, sdl: str) -> None:
        result = graphql_sync(build_schema(sdl), get_introspection_query(descriptions=False))
        assert result.errors is None
        self.answer = {"data": result.data}
        self.count = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        assert json.loads(request.content)["operationName"] == "IntrospectionQuery"
        self.count += 1
        return httpx.Response(200, json=self.answer)


@pytest.mark.asyncio
async def test_the_schema_is_cached_per_account_for_a_day(tmp_path: Path) -> None:
    server, now = Introspection(SDL), [1_700_000_000.0]
    for expected_fetches in (1, 1):
        async with client_with(None, {}, server, wall_clock=lambda: now[0]) as client:
            live = await client.load_schema(tmp_path, "QWNjb3VudDox")
            assert client.schema is live and live.has_mutation("shipmentCreate")
        assert server.count == expected_fetches
    now[0] += 25 * 3600  # a day later: fetched again
    async with client_with(None, {}, server, wall_clock=lambda: now[0]) as client:
        await client.load_schema(tmp_path, "QWNjb3VudDox")
    assert server.count == 2
    async with client_with(None, {}, server, wall_clock=lambda: now[0]) as client:
        await client.load_schema(tmp_path, "another/account")  # per account
    assert server.count == 3


@pytest.mark.asyncio
async def test_a_corrupt_cache_is_ignored_and_replaced(tmp_path: Path) -> None:
    server = Introspection(SDL)
    cache_file(tmp_path, "acc").write_text("{ not json")
    async with client_with(None, {}, server) as client:
        await client.load_schema(tmp_path, "acc")
    assert server.count == 1
    assert json.loads(cache_file(tmp_path, "acc").read_text())["version"] == 1


@pytest.mark.asyncio
async def test_a_new_rejection_by_the_cached_schema_fetches_it_again(tmp_path: Path) -> None:
    without_confirm = SDL.replace("  orderConfirm(input: OrderConfirmInput!): OrderPayload!\n", "").replace(
        '  """Sandbox extension (switchable): confirm an order awaiting confirmation."""\n', "")
    old_server = Introspection(without_confirm)
    async with client_with(None, {}, old_server) as client:
        await client.load_schema(tmp_path, "acc")  # cached: a schema without orderConfirm
    confirm = "mutation LateConfirm($id: ID!) { orderConfirm(input: {orderId: $id}) { order { id } } }"
    new_server = Introspection(SDL)  # the API grew orderConfirm meanwhile
    async with client_with(None, {"LateConfirm": confirm}, new_server) as client:
        await client.load_schema(tmp_path, "acc")
        client.ensure_operation("LateConfirm")
    assert new_server.count == 1
    async with client_with(None, {"LateConfirm": confirm}, new_server) as client:
        await client.load_schema(tmp_path, "acc")  # now the cache accepts it: no fetch
    assert new_server.count == 1


@pytest.mark.asyncio
async def test_without_a_cache_dir_the_schema_is_always_fetched() -> None:
    server = Introspection(SDL)
    async with client_with(None, {}, server) as client:
        await client.load_schema(None, "acc")
        await client.load_schema(None, "acc")
    assert server.count == 2
