"""What the client makes of odd answers: partial errors, a wrong address, numbers with fractions.

A scripted transport puts the client in front of answers a real server sends rarely (a
field that failed on the server); what is tested is the client's reaction. The same cases
against the sandbox over HTTP: tests/e2e/test_sync_partial_answers.py.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
import pytest

from orderchamp_desktop.core.api import IncompleteAnswerError, RetryPolicy
from orderchamp_desktop.core.errors import OfflineError, ServerError, UserErrorsError
from tests.unit.test_api_client import FakeTime, Script, make, ok, throttle

pytestmark = pytest.mark.timeout(20)

ONE_RETRY = RetryPolicy(max_retries=1)
NODES: list[dict[str, Any]] = [{"id": "1", "products": {"nodes": []}}, {"id": "2", "products": {"nodes": []}}]
PAGE: dict[str, Any] = {"orders": {"totalCount": 2, "nodes": NODES,
                                   "pageInfo": {"hasNextPage": False, "endCursor": "2"}}}


def partial(data: dict[str, Any], *paths: list[str | int]) -> httpx.Response:
    errors = [{"message": "Internal server error", "path": path} for path in paths]
    return httpx.Response(200, json={"data": data, "errors": errors, "extensions": throttle()})


async def _all_ids(script: Script, **kwargs: Any) -> list[str]:
    async with make(script, FakeTime(), **kwargs) as client:
        pages = [p async for p in client.paginate("Pages", connection=("orders",), page_size=5)]
    return [node["id"] for page in pages for node in page.nodes]


@pytest.mark.asyncio
async def test_a_connection_that_failed_on_the_server_is_asked_again() -> None:
    script = Script(partial({"orders": None}, ["orders"]), ok(PAGE))
    assert await _all_ids(script) == ["1", "2"]  # not an empty account
    assert len(script.requests) == 2


@pytest.mark.asyncio
async def test_a_connection_that_keeps_failing_is_a_clear_retryable_error() -> None:
    script = Script(partial({"orders": None}, ["orders"]))
    with pytest.raises(IncompleteAnswerError) as caught:
        await _all_ids(script, retry_policy=ONE_RETRY)
    assert isinstance(caught.value, ServerError)
    assert caught.value.user_message.startswith("Orderchamp could not send all of the data")
    assert "your saved data was left as it was" in caught.value.user_message
    assert "orders" in caught.value.detail and "Internal server error" in caught.value.detail
    assert len(script.requests) == 2


@pytest.mark.asyncio
async def test_a_page_with_a_node_that_failed_is_not_taken_short() -> None:
    holed = {"orders": {**PAGE["orders"], "nodes": [None, NODES[1]]}}
    script = Script(partial(holed, ["orders", "nodes", 0]))
    with pytest.raises(IncompleteAnswerError, match=r"orders\.nodes\.0"):
        await _all_ids(script, retry_policy=ONE_RETRY)
    # A null node even without an error is no page to store either.
    with pytest.raises(IncompleteAnswerError, match="1 empty nodes"):
        await _all_ids(Script(ok(holed)), retry_policy=ONE_RETRY)


@pytest.mark.asyncio
async def test_a_null_object_means_gone_only_without_an_error() -> None:
    variables = {"id": "T3JkZXI6MQ==", "first": 10}
    async with make(Script(ok({"order": None})), FakeTime()) as client:
        assert await client.query("SyncOrderProducts", variables) == {"order": None}
    failing = Script(partial({"order": None}, ["order"]))
    async with make(failing, FakeTime(), retry_policy=ONE_RETRY) as client:
        with pytest.raises(IncompleteAnswerError):
            await client.query("SyncOrderProducts", variables)
    # An error naming no path leaves nothing in the answer to trust.
    pathless = Script(httpx.Response(200, json={"data": {"order": None}, "errors": [{"message": "x"}]}))
    async with make(pathless, FakeTime(), retry_policy=ONE_RETRY) as client:
        with pytest.raises(IncompleteAnswerError):
            await client.query("SyncOrderProducts", variables)


@pytest.mark.asyncio
async def test_a_failed_plain_value_is_kept_and_the_page_marked() -> None:
    """Like a field the live schema lacks: the rest of the record is worth having."""
    leafless = {"orders": {**PAGE["orders"], "nodes": [NODES[0],
                                                       {"id": None, "products": {"nodes": []}}]}}
    path: list[str | int] = ["orders", "nodes", 1, "id"]
    for answer in (partial(PAGE, path), partial(leafless, path)):
        script = Script(answer)
        async with make(script, FakeTime()) as client:
            pages = [p async for p in client.paginate("Pages", connection=("orders",), page_size=5)]
        assert len(pages[0].nodes) == 2 and pages[0].partial
        assert len(script.requests) == 1


@pytest.mark.asyncio
async def test_a_nested_connection_that_failed_is_not_taken_as_empty() -> None:
    nodes = [NODES[0], {"id": "2", "products": None}]
    holed = {"orders": {**PAGE["orders"], "nodes": nodes}}
    with pytest.raises(IncompleteAnswerError, match=r"orders\.nodes\.1\.products"):
        await _all_ids(Script(partial(holed, ["orders", "nodes", 1, "products"])), retry_policy=ONE_RETRY)


@pytest.mark.asyncio
async def test_a_mutation_with_errors_is_never_resent() -> None:
    script = Script(partial({"shipmentCreate": None}, ["shipmentCreate"]))
    async with make(script, FakeTime()) as client:
        with pytest.raises(ServerError) as caught:
            await client.mutate("ShipIt", {"orderId": "1"}, payload="shipmentCreate")
    assert not isinstance(caught.value, IncompleteAnswerError)
    assert len(script.requests) == 1
    refused = Script(partial({"shipmentCreate": {"shipment": None, "userErrors": [
        {"field": ["input", "orderId"], "message": "Order not found"}]}}, ["shipmentCreate", "shipment"]))
    async with make(refused, FakeTime()) as client:
        with pytest.raises(UserErrorsError):
            await client.mutate("ShipIt", {"orderId": "1"}, payload="shipmentCreate")
    assert len(refused.requests) == 1


@pytest.mark.asyncio
@pytest.mark.parametrize("reply", [
    httpx.Response(404, json={"errors": [{"message": "No endpoint at /v2/graphql."}]}),
    httpx.Response(404, headers={"Content-Type": "text/html"}, content=b"<h1>Not Found</h1>"),
    httpx.Response(405, headers={"Content-Type": "text/html"}, content=b"<h1>Method Not Allowed</h1>"),
])
async def test_a_wrong_api_address_points_at_the_setting_not_at_a_temporary_problem(
        reply: httpx.Response) -> None:
    script = Script(reply)
    async with make(script, FakeTime()) as client:
        with pytest.raises(OfflineError) as caught:
            await client.query("Account")
    message = caught.value.user_message
    assert "--api-url" in message and "ORDERCHAMP_API_URL" in message
    assert "temporary" not in message
    assert len(script.requests) == 1  # asking again would not help


@pytest.mark.asyncio
async def test_numbers_with_fractions_arrive_as_decimals() -> None:
    body = (b'{"data": {"account": {"weight": 0.1, "count": 3}}, "extensions": {"throttle": '
            b'{"requestedCost": 2.5, "actualCost": 1.5, "limit": 1000.0, "remaining": 990.5,'
            b' "restoreRate": 50.0}}}')
    script = Script(httpx.Response(200, headers={"Content-Type": "application/json"}, content=body))
    async with make(script, FakeTime()) as client:
        data = await client.query("Account")
        assert data["account"]["weight"] == Decimal("0.1") and isinstance(data["account"]["weight"], Decimal)
        assert data["account"]["count"] == 3 and isinstance(data["account"]["count"], int)
        assert client.throttle is not None and client.throttle.remaining == 990.5  # bucket still read
        assert client.stats.total_actual_cost == 1.5
