"""The client's own decisions (retry, backoff, pacing, error mapping) over a scripted transport.

httpx.MockTransport stands in for the network only to put the client in situations a real
server produces rarely (a dropped answer on the third try, a 429 with an HTTP-date); what
is tested is the client's reaction. Behaviour against a real server: tests/e2e/test_api*.py.
"""

from __future__ import annotations

import json
import logging
import random
import socket
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from email.utils import format_datetime
from typing import Any

import httpx
import pytest

from orderchamp_desktop.core.api import ApiClient, OperationLibrary, QueryCostError, RetryPolicy
from orderchamp_desktop.core.api.wire import TIMEOUT_MESSAGE
from orderchamp_desktop.core.errors import (
    AuthError,
    OfflineError,
    OutcomeUnknownError,
    ServerError,
    ThrottledError,
    UserErrorsError,
)
from tests.unit import test_api_support as support

pytestmark = pytest.mark.timeout(20)

TOKEN = "s3cret-token-value-42"
URL = "https://api.example.test/v1/graphql"
WALL = 1_700_000_000.0
SHIP = """mutation ShipIt($orderId: ID!) {
  shipmentCreate(input: {orderId: $orderId, products: []}) { shipment { id } userErrors { field message } }
}"""
PAGES = """query Pages($first: Int!, $after: String) {
  orders(first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } nodes { id products(first: 10) { nodes { id } } }
  }
}"""
Reply = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


class FakeTime(support.FakeTime):
    start = 500.0


class Script:
    """Answers requests from a list, in order, and records what was sent."""

    def __init__(self, *replies: Reply) -> None:
        self.replies = list(replies)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        reply = self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]
        if isinstance(reply, Exception):
            raise reply
        return reply(request) if callable(reply) else reply

    @property
    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(r.content) for r in self.requests]


def throttle(remaining: float = 990, requested: float = 20, actual: float = 10, limit: float = 1000,
             rate: float = 50) -> dict[str, Any]:
    return {"throttle": {"requestedCost": requested, "actualCost": actual, "limit": limit,
                         "remaining": remaining, "restoreRate": rate}}


def ok(data: dict[str, Any], **bucket: float) -> httpx.Response:
    return httpx.Response(200, json={"data": data, "extensions": throttle(**bucket)})


ACCOUNT = {"account": {"id": "QWNjb3VudDox", "name": "Brand", "email": None, "currency": "EUR",
                       "locations": {"nodes": [], "pageInfo": {"hasNextPage": False}}}}
THROTTLED = httpx.Response(200, json={
    "errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED"}}],
    "extensions": throttle(remaining=100, requested=500, actual=0)})
HTML = httpx.Response(502, headers={"Content-Type": "text/html"}, content=b"<html><h1>Bad gateway</h1>")


def make(script: Script, time: FakeTime, **kwargs: Any) -> ApiClient:
    kwargs.setdefault("operations", OperationLibrary({"ShipIt": SHIP, "Pages": PAGES}))
    return ApiClient(URL, TOKEN, transport=httpx.MockTransport(script), sleep=time.sleep, clock=time.clock,
                     rng=random.Random(3), wall_clock=lambda: WALL, **kwargs)


def request_error(kind: type[httpx.TransportError], message: str = "boom") -> httpx.TransportError:
    return kind(message, request=httpx.Request("POST", URL))


# ---------------------------------------------------------------------- the request


@pytest.mark.asyncio
async def test_request_carries_token_agent_and_graphql_body() -> None:
    script, time = Script(ok(ACCOUNT)), FakeTime()
    async with make(script, time) as client:
        data = await client.query("Account", {"amount": Decimal("45.50")})
    assert data == ACCOUNT
    sent = script.requests[0]
    assert sent.method == "POST" and str(sent.url) == URL
    assert sent.headers["Authorization"] == f"Bearer {TOKEN}"
    assert sent.headers["User-Agent"].startswith("OrderchampDesktop/")
    body = script.bodies[0]
    assert body["operationName"] == "Account" and "query Account" in body["query"]
    assert body["variables"] == {"amount": "45.50"}  # money goes out as an exact string
    assert client.stats.requests == 1 and client.stats.total_actual_cost == 10
    assert client.throttle is not None and client.throttle.remaining == 990


@pytest.mark.asyncio
async def test_missing_and_null_fields_come_back_as_sent() -> None:
    odd = {"account": {"id": "1", "name": None, "locations": None}}
    async with make(Script(ok(odd)), FakeTime()) as client:
        assert await client.query("Account") == odd  # null without an error is an answer


# ---------------------------------------------------------------------- error mapping


@pytest.mark.asyncio
@pytest.mark.parametrize("status", [401, 403])
async def test_rejected_token_is_an_auth_error_without_retry(status: int) -> None:
    script = Script(httpx.Response(status, json={"errors": [{"message": "Unauthenticated"}]}))
    async with make(script, FakeTime()) as client:
        with pytest.raises(AuthError) as caught:
            await client.query("Account")
    assert len(script.requests) == 1
    assert "Orderchamp did not accept the API token" in caught.value.user_message


@pytest.mark.asyncio
async def test_errors_without_data_are_a_server_error_with_the_message() -> None:
    script = Script(httpx.Response(200, json={"data": None, "errors": [{"message": "Order not found"}]}))
    async with make(script, FakeTime()) as client:
        with pytest.raises(ServerError) as caught:
            await client.query("Account")
    assert caught.value.detail == "Order not found"
    assert len(script.requests) == 1  # the same query would fail the same way


@pytest.mark.asyncio
async def test_a_query_above_the_cost_ceiling_says_so() -> None:
    message = "Query cost 2600 exceeds the maximum query cost of 2000"
    script = Script(httpx.Response(200, json={"errors": [{"message": message}]}))
    async with make(script, FakeTime()) as client:
        with pytest.raises(QueryCostError) as caught:
            await client.query("Account")
    assert isinstance(caught.value, ServerError)
    assert (caught.value.max_cost, caught.value.cost) == (2000, 2600)
    assert "maximum" in caught.value.detail


@pytest.mark.asyncio
async def test_connection_refused_is_offline_after_a_few_quick_retries() -> None:
    script, time = Script(request_error(httpx.ConnectError, "[Errno 111] Connection refused")), FakeTime()
    async with make(script, time) as client:
        with pytest.raises(OfflineError) as caught:
            await client.query("Account")
    assert len(script.requests) == 3  # offline_retries=2: the user hears "offline" in seconds
    assert sum(time.sleeps) < 2
    assert "Check your internet connection" in caught.value.user_message


@pytest.mark.asyncio
async def test_dns_failure_is_named_in_the_detail() -> None:
    error = request_error(httpx.ConnectError, "[Errno -2] Name or service not known")
    error.__cause__ = socket.gaierror(-2, "Name or service not known")
    async with make(Script(error), FakeTime()) as client:
        with pytest.raises(OfflineError) as caught:
            await client.query("Account")
    assert "could not be resolved" in caught.value.detail


@pytest.mark.asyncio
async def test_an_invalid_address_is_reported_not_crashed() -> None:
    async with ApiClient("ftp://nowhere/graphql", TOKEN) as client:
        with pytest.raises(OfflineError, match="API address is not valid"):
            await client.query("Account")


# ---------------------------------------------------------------------- retries of queries


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "failure",
    [
        httpx.Response(500, json={"errors": [{"message": "Internal"}]}),
        HTML,
        httpx.Response(200, headers={"Content-Type": "text/html"}, content=b"<html>login</html>"),
        httpx.Response(200, content=b'{"data": {"account": '),
        httpx.Response(200, json=["not", "an", "object"]),
        httpx.Response(429),
        request_error(httpx.ReadTimeout),
        request_error(httpx.RemoteProtocolError, "Server disconnected without sending a response."),
        request_error(httpx.ReadError),
        request_error(httpx.ConnectError),
    ],
    ids=["500", "502-html", "200-html", "truncated", "not-object", "429", "timeout", "dropped",
         "read-error", "connect"],
)
async def test_transient_failures_of_a_query_are_retried(failure: Reply) -> None:
    script, time = Script(failure, failure, ok(ACCOUNT)), FakeTime()
    async with make(script, time) as client:
        assert await client.query("Account") == ACCOUNT
    assert len(script.requests) == 3
    assert client.stats.retries == 2
    # full jitter: each delay within [0, base * 2^attempt]
    assert 0 <= time.sleeps[0] <= 0.5 and 0 <= time.sleeps[1] <= 1.0


@pytest.mark.asyncio
async def test_backoff_grows_exponentially_then_gives_up_with_the_typed_error() -> None:
    script, time = Script(httpx.Response(503)), FakeTime()
    async with make(script, time, max_retries=5) as client:
        with pytest.raises(ServerError, match="HTTP 503"):
            await client.query("Account")
    assert len(script.requests) == 6
    same_seed = random.Random(3)  # the seed make() hands the client
    expected = [same_seed.uniform(0, 0.5 * 2**n) for n in range(5)]
    assert time.sleeps == pytest.approx(expected)
    assert max(time.sleeps) > 1.0  # it really grew past the first window


@pytest.mark.asyncio
async def test_persistent_timeouts_end_in_a_plain_sentence() -> None:
    script = Script(request_error(httpx.ReadTimeout))
    async with make(script, FakeTime(), max_retries=2) as client:
        with pytest.raises(ServerError) as caught:
            await client.query("Account")
    assert caught.value.user_message == TIMEOUT_MESSAGE


@pytest.mark.asyncio
async def test_retry_after_seconds_is_honoured() -> None:
    script, time = Script(httpx.Response(429, headers={"Retry-After": "7"}), ok(ACCOUNT)), FakeTime()
    async with make(script, time) as client:
        await client.query("Account")
    assert time.sleeps == [7.0]
    assert client.stats.throttled == 1


@pytest.mark.asyncio
async def test_retry_after_http_date_is_honoured() -> None:
    later = format_datetime(datetime.fromtimestamp(WALL + 12, UTC), usegmt=True)
    script, time = Script(httpx.Response(429, headers={"Retry-After": later}), ok(ACCOUNT)), FakeTime()
    async with make(script, time) as client:
        await client.query("Account")
    assert time.sleeps == [pytest.approx(12.0)]


@pytest.mark.asyncio
async def test_a_very_long_retry_after_is_handed_to_the_user() -> None:
    script = Script(httpx.Response(429, headers={"Retry-After": "3600"}))
    async with make(script, FakeTime()) as client:
        with pytest.raises(ThrottledError) as caught:
            await client.query("Account")
    assert caught.value.retry_after == 3600
    assert len(script.requests) == 1


@pytest.mark.asyncio
async def test_a_throttled_answer_waits_for_the_reported_bucket() -> None:
    script, time = Script(THROTTLED, ok(ACCOUNT)), FakeTime()
    async with make(script, time) as client:
        assert await client.query("Account") == ACCOUNT
    # 500 requested, 100 remaining, 50/s: wait 8 s (plus half a point of slack)
    assert sum(time.sleeps) == pytest.approx((500.5 - 100) / 50)
    assert client.stats.throttled == 1 and client.stats.retries == 1


# ---------------------------------------------------------------------- mutations


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "failure",
    [request_error(httpx.ReadTimeout), request_error(httpx.RemoteProtocolError, "disconnected"),
     request_error(httpx.ReadError), httpx.Response(500), HTML,
     httpx.Response(200, content=b"<html>gateway</html>")],
    ids=["timeout", "dropped", "read-error", "500", "502-html", "200-html"],
)
async def test_a_mutation_with_an_unknown_outcome_is_never_resent(failure: Reply) -> None:
    script = Script(failure, ok({"shipmentCreate": {"shipment": {"id": "S1"}, "userErrors": []}}))
    async with make(script, FakeTime()) as client:
        with pytest.raises(OutcomeUnknownError):
            await client.mutate("ShipIt", {"orderId": "O1"}, payload="shipmentCreate")
    assert len(script.requests) == 1


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "failure",
    [request_error(httpx.ConnectError), request_error(httpx.ConnectTimeout), httpx.Response(429), THROTTLED],
    ids=["connect", "connect-timeout", "429", "throttled"],
)
async def test_a_mutation_that_provably_did_not_run_is_retried(failure: Reply) -> None:
    script = Script(failure, ok({"shipmentCreate": {"shipment": {"id": "S1"}, "userErrors": []}}))
    async with make(script, FakeTime()) as client:
        payload = await client.mutate("ShipIt", {"orderId": "O1"}, payload="shipmentCreate")
    assert payload["shipment"] == {"id": "S1"}
    assert len(script.requests) == 2


@pytest.mark.asyncio
async def test_user_errors_keep_their_field_paths() -> None:
    errors = [{"field": ["input", "products", "0", "quantity"], "message": "Too many"},
              {"field": None, "message": "Order is not confirmed"}]
    script = Script(ok({"shipmentCreate": {"shipment": None, "userErrors": errors}}))
    async with make(script, FakeTime()) as client:
        with pytest.raises(UserErrorsError) as caught:
            await client.mutate("ShipIt", {"orderId": "O1"}, payload="shipmentCreate")
    first, second = caught.value.errors
    assert first.field == ("input", "products", "0", "quantity") and first.leaf == "quantity"
    assert second.field == () and second.message == "Order is not confirmed"
    assert "Too many." in caught.value.user_message


@pytest.mark.asyncio
async def test_query_and_mutate_refuse_the_wrong_kind_of_operation() -> None:
    async with make(Script(ok(ACCOUNT)), FakeTime()) as client:
        with pytest.raises(TypeError):
            await client.query("ShipIt")
        with pytest.raises(TypeError):
            await client.mutate("Account", None, payload="account")


# ---------------------------------------------------------------------- secrets


@pytest.mark.asyncio
async def test_the_token_never_shows_in_errors_or_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    leaky = request_error(httpx.ConnectError, f"proxy said: Bearer {TOKEN}")
    async with make(Script(leaky), FakeTime()) as client:
        with pytest.raises(OfflineError) as caught:
            await client.query("Account")
        assert TOKEN not in repr(client)
    text = "".join(traceback.format_exception(caught.value))
    assert "***" in caught.value.detail
    assert TOKEN not in text and TOKEN not in caplog.text


@pytest.mark.asyncio
async def test_a_server_echoing_the_token_is_redacted_too() -> None:
    script = Script(httpx.Response(400, json={"errors": [{"message": f"Token {TOKEN} is malformed"}]}))
    async with make(script, FakeTime()) as client:
        with pytest.raises(ServerError) as caught:
            await client.query("Account")
    assert TOKEN not in str(caught.value) and "***" in caught.value.detail


@pytest.mark.asyncio
@pytest.mark.parametrize("token", ["", "  ", "abc\ndef", "tökén"])
async def test_a_malformed_token_is_refused_before_sending(token: str) -> None:
    script = Script(ok(ACCOUNT))
    async with ApiClient(URL, token, transport=httpx.MockTransport(script)) as client:
        with pytest.raises(AuthError) as caught:
            await client.query("Account")
    assert not script.requests
    assert token.strip() == "" or token not in str(caught.value)


# ---------------------------------------------------------------------- pacing and pages


class Bucket:
    """A leaky-bucket server for the Pages operation, on the fake clock."""

    def __init__(self, time: FakeTime, total: int, limit: float = 1000, rate: float = 50,
                 max_cost: float = 2000) -> None:
        self.time, self.total, self.limit, self.rate, self.max_cost = time, total, limit, rate, max_cost
        self.remaining, self.at = limit, time.now
        self.firsts: list[int] = []
        self.throttled = 0
        self.actual = 0.0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        first, after = body["variables"]["first"], body["variables"].get("after")
        self.remaining = min(self.limit, self.remaining + (self.time.now - self.at) * self.rate)
        self.at = self.time.now
        requested = 2 + first * 12
        if requested > self.max_cost:
            return httpx.Response(200, json={"errors": [{"message": (
                f"Query has a cost of {requested}, which exceeds the maximum cost of {self.max_cost:.0f}")}]})
        if self.remaining < min(requested, self.limit):
            self.throttled += 1
            return httpx.Response(200, json={"errors": [{"message": "Throttled"}], "extensions": throttle(
                self.remaining, requested, 0, self.limit, self.rate)})
        self.firsts.append(first)
        start = int(after or 0)
        ids = list(range(start, min(self.total, start + first)))
        actual = 2 + len(ids) * 3  # orders have fewer products than the 10 requested
        self.remaining -= actual
        self.actual += actual
        data = {"orders": {"totalCount": self.total, "nodes": [{"id": str(i), "products": {"nodes": []}}
                                                                 for i in ids],
                           "pageInfo": {"hasNextPage": start + first < self.total,
                                        "endCursor": str(start + len(ids))}}}
        return httpx.Response(200, json={"data": data, "extensions": throttle(
            self.remaining, requested, actual, self.limit, self.rate)})


@pytest.mark.asyncio
async def test_adaptive_pages_probe_then_fill_the_budget() -> None:
    time = FakeTime()
    bucket = Bucket(time, total=1000)
    async with make(Script(bucket), time) as client:
        pages = [page async for page in client.paginate("Pages", connection=("orders",))]
    ids = [node["id"] for page in pages for node in page.nodes]
    assert ids == [str(i) for i in range(1000)]
    # probe 10 (cost 122) -> 12.2/node -> 73; then the exact line 2 + 12n -> 74 (888 <= 900)
    assert bucket.firsts[:4] == [10, 73, 74, 74]
    assert pages[0].total_count == 1000 and pages[0].requested_cost == 122


@pytest.mark.asyncio
async def test_pacing_keeps_a_long_pagination_unthrottled_and_near_the_bound() -> None:
    time = FakeTime()
    bucket = Bucket(time, total=6000, limit=400, rate=40)
    started = time.now
    async with make(Script(bucket), time) as client:
        count = sum([len(page.nodes) async for page in client.paginate("Pages", connection=("orders",))])
    elapsed = time.now - started
    assert count == 6000
    assert bucket.throttled == 0 and client.stats.throttled == 0
    bound = bucket.actual / bucket.rate
    assert (bucket.actual - bucket.limit) / bucket.rate <= elapsed <= bound * 1.02
    assert client.stats.total_actual_cost == bucket.actual


@pytest.mark.asyncio
async def test_an_adaptive_page_above_the_ceiling_is_retried_smaller() -> None:
    time = FakeTime()
    bucket = Bucket(time, total=300, limit=100_000, rate=10_000, max_cost=500)
    async with make(Script(bucket), time) as client:
        count = sum([len(page.nodes) async for page in client.paginate("Pages", connection=("orders",))])
        assert client.max_query_cost == 500
    assert count == 300
    assert all(2 + 12 * first <= 500 for first in bucket.firsts)


@pytest.mark.asyncio
async def test_a_fixed_page_size_is_sent_as_given() -> None:
    time = FakeTime()
    bucket = Bucket(time, total=95)
    async with make(Script(bucket), time) as client:
        pages = [p async for p in client.paginate("Pages", {"after": None}, connection=("orders",),
                                                  page_size=40)]
    assert bucket.firsts == [40, 40, 40]
    assert [len(p.nodes) for p in pages] == [40, 40, 15]
    assert pages[-1].has_next is False


@pytest.mark.asyncio
async def test_a_page_without_a_new_cursor_stops_with_an_error_not_a_loop() -> None:
    stuck = ok({"orders": {"nodes": [{"id": "1"}], "pageInfo": {"hasNextPage": True, "endCursor": None}}})
    async with make(Script(stuck), FakeTime()) as client:
        with pytest.raises(ServerError, match="no new cursor"):
            async for _ in client.paginate("Pages", connection=("orders",), page_size=5):
                pass


@pytest.mark.asyncio
async def test_a_null_connection_is_a_failure_not_an_empty_last_page() -> None:
    script = Script(ok({"orders": None}))
    async with make(script, FakeTime(), retry_policy=RetryPolicy(max_retries=1)) as client:
        with pytest.raises(ServerError, match="the answer has no orders"):
            async for _ in client.paginate("Pages", connection=("orders",), page_size=5):
                pass
    assert len(script.requests) == 2  # retried once: the next answer may be whole


@pytest.mark.asyncio
async def test_paginate_needs_first_and_after_variables() -> None:
    async with make(Script(ok(ACCOUNT)), FakeTime()) as client:
        with pytest.raises(TypeError, match=r"\$first and \$after"):
            async for _ in client.paginate("Account", connection=("account", "locations")):
                pass


@pytest.mark.asyncio
async def test_custom_policy_limits_retries() -> None:
    script = Script(httpx.Response(500))
    async with make(script, FakeTime(), retry_policy=RetryPolicy(max_retries=1)) as client:
        with pytest.raises(ServerError):
            await client.query("Account")
    assert len(script.requests) == 2


@pytest.mark.asyncio
async def test_endless_throttling_tells_the_user_how_long_to_wait() -> None:
    script = Script(THROTTLED)
    async with make(script, FakeTime(), retry_policy=RetryPolicy(max_retries=2)) as client:
        with pytest.raises(ThrottledError) as caught:
            await client.query("Account")
    assert len(script.requests) == 3
    assert caught.value.retry_after is not None and caught.value.retry_after > 0
