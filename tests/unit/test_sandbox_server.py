"""The sandbox as a server: faults, statistics, concurrency, schema features, standalone mode."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from orderchamp_desktop.sandbox import FAULT_KINDS, FaultInjector, SandboxConfig, SandboxServer

from .test_sandbox_queries import FakeClock, Gql

NOW = datetime(2025, 6, 2, 9, 30, tzinfo=UTC)
ACCOUNT = "query Account { account { name } }"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def server() -> Iterator[SandboxServer]:
    with SandboxServer(SandboxConfig(seed=5, products=10, orders=60, restore_rate=1e9, now=NOW)) as running:
        yield running


@pytest.fixture
def gql(server: SandboxServer) -> Iterator[Gql]:
    client = Gql(server)
    yield client
    client.close()


# ---------------------------------------------------------------------- HTTP edges


def test_wrong_verb_path_and_bodies(server: SandboxServer, gql: Gql) -> None:
    assert httpx.get(server.url).status_code == 405
    headers = {"Authorization": f"Bearer {server.token}"}
    elsewhere = server.url.replace("/v1/graphql", "/v2/graphql")
    assert httpx.post(elsewhere, json={"query": ACCOUNT}, headers=headers).status_code == 404
    broken = httpx.post(server.url, content=b"{not json", headers=headers)
    assert broken.status_code == 400 and broken.json()["errors"]
    no_query = httpx.post(server.url, json={"variables": {}}, headers=headers)
    assert no_query.status_code == 400
    syntax = gql("{ account { name ")
    assert "Syntax Error" in syntax["errors"][0]["message"]


def test_operation_name_picks_the_operation(gql: Gql) -> None:
    document = "query A { account { name } } query B { webhooks(first: 1) { nodes { id } } }"
    response = gql.http.post(gql.server.url, json={"query": document, "operationName": "B"})
    assert set(response.json()["data"]) == {"webhooks"}
    ambiguous = gql.http.post(gql.server.url, json={"query": document})
    assert ambiguous.json()["errors"]


# ---------------------------------------------------------------------- faults


_HTTP = httpx.Client(timeout=10)  # one client: building one per request costs ~50 ms (TLS context)


@pytest.fixture(scope="module", autouse=True)
def _close_http() -> Iterator[None]:
    yield
    _HTTP.close()


def _post(server: SandboxServer) -> httpx.Response:
    return _HTTP.post(
        server.url, json={"query": ACCOUNT}, headers={"Authorization": f"Bearer {server.token}"}
    )


def test_bare_429_has_no_body(server: SandboxServer) -> None:
    server.faults.inject_next("429")
    response = _post(server)
    assert response.status_code == 429 and response.content == b"" and "Retry-After" not in response.headers


def test_429_with_retry_after(server: SandboxServer) -> None:
    server.faults.configure(0.0, set(), retry_after=7)
    server.faults.inject_next("429_retry_after")
    response = _post(server)
    assert response.status_code == 429 and response.headers["Retry-After"] == "7"


def test_500_and_html_502(server: SandboxServer) -> None:
    server.faults.inject_next("500")
    server.faults.inject_next("502_html")
    assert _post(server).status_code == 500
    gateway = _post(server)
    assert gateway.status_code == 502 and gateway.headers["Content-Type"].startswith("text/html")
    assert "<html>" in gateway.text
    assert _post(server).status_code == 200


def test_malformed_json_is_not_parseable(server: SandboxServer) -> None:
    server.faults.inject_next("malformed_json")
    response = _post(server)
    assert response.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.text)


def test_dropped_connection_sends_nothing(server: SandboxServer) -> None:
    server.faults.inject_next("drop")
    with pytest.raises(httpx.RemoteProtocolError):
        _post(server)
    assert server.stats.faults["drop"] == 1 and _post(server).status_code == 200


def test_slow_answer_arrives_late_but_whole(server: SandboxServer) -> None:
    server.faults.configure(0.0, set(), slow_seconds=0.4)
    server.faults.inject_next("slow")
    started = time.monotonic()
    response = _post(server)
    assert time.monotonic() - started >= 0.4
    assert response.json()["data"]["account"]["name"] == "Studio Zonnig"


def test_faulted_requests_are_not_executed(server: SandboxServer) -> None:
    for kind in ("429", "429_retry_after", "500", "502_html", "malformed_json", "drop"):
        server.faults.inject_next(kind)
        try:
            _post(server)
        except httpx.RemoteProtocolError:
            pass
    assert server.stats.by_field["account"] == 0
    assert sum(server.stats.faults.values()) == 6


def test_random_faults_follow_the_seed(server: SandboxServer) -> None:
    def run() -> list[int]:
        server.faults.configure(0.5, {"500", "429"}, seed=123)
        return [_post(server).status_code for _ in range(30)]

    first, second = run(), run()
    assert first == second
    assert {200, 500, 429} == set(first)
    server.faults.clear()
    assert all(_post(server).status_code == 200 for _ in range(5))


def test_fault_configuration_is_checked() -> None:
    faults = FaultInjector()
    with pytest.raises(ValueError, match="unknown"):
        faults.configure(0.1, {"teapot"})
    with pytest.raises(ValueError, match="rate"):
        faults.configure(1.5, {"500"})
    assert (
        frozenset({"429", "429_retry_after", "500", "502_html", "drop", "slow", "malformed_json"})
        == FAULT_KINDS
    )


def test_drop_response_after_executes_then_drops(server: SandboxServer, gql: Gql) -> None:
    order = next(o for o in server.state.orders if o.status == "AWAITING_FULFILMENT")
    line = order.lines[0]
    mutation = """mutation Ship($order: ID!, $line: ID!, $qty: Int!) {
      shipmentCreate(input: { orderId: $order, products: [{ id: $line, quantity: $qty }] }) {
        shipment { id } userErrors { field message } } }"""
    server.faults.drop_response_after("shipmentCreate")
    # A query does not consume the armed drop; only the mutation with that root field does.
    assert gql.data(ACCOUNT)["account"]["name"]
    with pytest.raises(httpx.RemoteProtocolError):
        gql.post(mutation, {"order": order.id, "line": line.id, "qty": 1})
    assert server.stats.by_field["shipmentCreate"] == 1
    assert server.stats.received_by_field["shipmentCreate"] == 1
    assert len(order.shipments) == 1 and line.unshipped_quantity == line.quantity - 1
    again = gql.data(mutation, {"order": order.id, "line": line.id, "qty": 1})["shipmentCreate"]
    assert again["userErrors"] == [] and server.stats.by_field["shipmentCreate"] == 2


# ---------------------------------------------------------------------- stats and concurrency


def test_stats_count_requests_operations_and_fields(server: SandboxServer, gql: Gql) -> None:
    server.stats.reset()
    gql(ACCOUNT)
    gql("query Both { account { name } webhooks(first: 1) { nodes { id } } }")
    httpx.post(server.url, json={"query": ACCOUNT})
    assert server.stats.requests == 3 and server.stats.unauthorized == 1
    assert server.stats.by_operation == {"Account": 1, "Both": 1}
    assert server.stats.by_field == {"account": 2, "webhooks": 1}


def test_concurrent_adjustments_are_not_lost(server: SandboxServer) -> None:
    variant = server.state.variants[0]
    start = variant.inventory_quantity
    mutation = """mutation($sku: String) { inventoryLevelBulkAdjust(input: { inventoryLevels: [
        { sku: $sku, adjustment: 1 }] }) { userErrors { message } } }"""

    def worker() -> None:
        client = Gql(server)
        for _ in range(10):
            assert client.data(mutation, {"sku": variant.sku})["inventoryLevelBulkAdjust"]["userErrors"] == []
        client.close()

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert variant.inventory_quantity == start + 60


def test_start_stop_and_port(server: SandboxServer) -> None:
    port = server.port
    assert server.url == f"http://127.0.0.1:{port}/v1/graphql"
    assert server.start() is server  # idempotent
    server.stop()
    with pytest.raises(httpx.ConnectError):
        httpx.post(f"http://127.0.0.1:{port}/v1/graphql", json={"query": ACCOUNT}, timeout=2)
    with pytest.raises(RuntimeError):
        _ = server.url


# ---------------------------------------------------------------------- schema features


def _enum(gql: Gql, name: str) -> set[str]:
    values = gql.data("query($n: String!) { __type(name: $n) { enumValues { name } } }", {"n": name})
    return {value["name"] for value in values["__type"]["enumValues"]}


def test_updated_sort_can_be_switched_off() -> None:
    config = SandboxConfig(seed=5, products=5, orders=20, now=NOW, features={"orders_updated_sort": False})
    with SandboxServer(config) as running:
        client = Gql(running)
        assert _enum(client, "OrderSort") == {
            "CREATED_AT_ASC",
            "CREATED_AT_DESC",
            "CONFIRMED_AT_ASC",
            "CONFIRMED_AT_DESC",
            "ID_ASC",
            "ID_DESC",
        }
        refused = client("{ orders(first: 1, sort: UPDATED_AT_ASC) { nodes { id } } }")
        assert "UPDATED_AT_ASC" in refused["errors"][0]["message"]
        client.close()


def test_extra_order_statuses_grow_the_enum_and_reach_orders() -> None:
    config = SandboxConfig(seed=5, products=5, orders=40, now=NOW, extra_order_statuses=("AWAITING_PICKUP",))
    with SandboxServer(config) as running:
        client = Gql(running)
        assert "AWAITING_PICKUP" in _enum(client, "OrderStatus")
        statuses = [
            n["status"] for n in client.data("{ orders(first: 100) { nodes { status } } }")["orders"]["nodes"]
        ]
        assert statuses.count("AWAITING_PICKUP") >= 2
        client.close()
    with pytest.raises(ValueError, match="enum"):
        SandboxServer(SandboxConfig(products=2, orders=5, extra_order_statuses=("not valid",)))


# ---------------------------------------------------------------------- standalone


def test_run_standalone_prints_url_and_token_and_stops_on_ctrl_c() -> None:
    code = (
        "from orderchamp_desktop.sandbox import SandboxConfig, run_standalone;"
        "run_standalone(0, SandboxConfig(products=5, orders=20, token='demo-token'))"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-c", code],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    try:
        assert process.stdout is not None
        url_line = process.stdout.readline()
        token_line = process.stdout.readline()
        assert "http://127.0.0.1:" in url_line and url_line.strip().endswith("/v1/graphql")
        assert token_line.strip() == "Token: demo-token"
        url = url_line.split()[-1]
        answer = httpx.post(url, json={"query": ACCOUNT}, headers={"Authorization": "Bearer demo-token"})
        assert answer.json()["data"]["account"]["name"] == "Studio Zonnig"
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


def test_drop_response_after_waits_for_a_mutation_that_really_runs() -> None:
    clock = FakeClock()
    config = SandboxConfig(seed=5, products=5, orders=30, now=NOW, bucket_size=5, restore_rate=1, clock=clock)
    with SandboxServer(config) as running:
        client = Gql(running)
        mutation = """mutation {
            webhookCreate(input: { callbackUrl: "https://example.com/h", events: [ORDER_UPDATED] }) {
                webhook { id } userErrors { message } } }"""
        running.faults.drop_response_after("webhookCreate")
        client.data("{ orders(first: 3) { nodes { id } } }")  # empties the 5-point bucket
        assert client(mutation)["errors"][0]["message"] == "Throttled"  # answered: it did not run
        clock.now += 5
        webhooks = len(running.state.webhooks)
        with pytest.raises(httpx.RemoteProtocolError):
            client.post(mutation)
        assert len(running.state.webhooks) == webhooks + 1
        client.close()
