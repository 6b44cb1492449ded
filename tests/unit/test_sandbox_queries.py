"""The sandbox's read side over real loopback HTTP: auth, pagination, filters, sorts, cost, throttle."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from orderchamp_desktop.sandbox import SandboxConfig, SandboxServer
from orderchamp_desktop.sandbox.scalars import format_datetime, parse_datetime

NOW = datetime(2025, 6, 2, 9, 30, tzinfo=UTC)
ALL_ORDERS = "includeUnconfirmed: true, includeCancelled: true"


class Gql:
    """A tiny GraphQL-over-HTTP client for tests (the app's own client is tested elsewhere)."""

    def __init__(self, server: SandboxServer, token: str | None = None) -> None:
        self.server = server
        self.http = httpx.Client(headers={"Authorization": f"Bearer {token or server.token}"}, timeout=10)

    def post(self, query: str, variables: dict[str, Any] | None = None) -> httpx.Response:
        return self.http.post(self.server.url, json={"query": query, "variables": variables or {}})

    def __call__(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        response = self.post(query, variables)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def data(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        body = self(query, variables)
        assert "errors" not in body, body["errors"]
        result: dict[str, Any] = body["data"]
        return result

    def close(self) -> None:
        self.http.close()


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def server() -> Iterator[SandboxServer]:
    with SandboxServer(SandboxConfig(seed=7, products=20, orders=120, restore_rate=1e9, now=NOW)) as running:
        yield running


@pytest.fixture
def gql(server: SandboxServer) -> Iterator[Gql]:
    client = Gql(server)
    yield client
    client.close()


def _pages(gql: Gql, args: str, page_size: int) -> tuple[list[dict[str, Any]], int]:
    """Every order a listing yields, following endCursor, and its totalCount."""
    nodes: list[dict[str, Any]] = []
    after: str | None = None
    query = (
        "query($first: Int!, $after: String) { orders(first: $first, after: $after, " + args + ") {"
        " totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id createdAt updatedAt"
        " confirmedAt } } } }"
    )
    while True:
        orders = gql.data(query, {"first": page_size, "after": after})["orders"]
        nodes += [edge["node"] for edge in orders["edges"]]
        if not orders["pageInfo"]["hasNextPage"]:
            return nodes, orders["totalCount"]
        assert orders["edges"][-1]["cursor"] == orders["pageInfo"]["endCursor"]
        after = orders["pageInfo"]["endCursor"]


# ---------------------------------------------------------------------- auth and wire format


def test_missing_or_wrong_token_is_refused_with_401_json(server: SandboxServer) -> None:
    anonymous = httpx.post(server.url, json={"query": "{ account { name } }"})
    assert anonymous.status_code == 401
    assert anonymous.json()["errors"][0]["message"]
    wrong = Gql(server, token="not-the-token")
    assert wrong.post("{ account { name } }").status_code == 401
    wrong.close()


def test_every_answer_reports_the_throttle(gql: Gql) -> None:
    for query in ("{ account { name } }", "{ nope }", "{ orders { totalCount } }"):
        throttle = gql(query)["extensions"]["throttle"]
        assert set(throttle) == {"requestedCost", "actualCost", "limit", "remaining", "restoreRate"}


def test_introspection_describes_the_orders_arguments(gql: Gql) -> None:
    data = gql.data('{ __type(name: "Query") { fields { name args { name } } } }')
    orders = next(field for field in data["__type"]["fields"] if field["name"] == "orders")
    assert {arg["name"] for arg in orders["args"]} >= {
        "first",
        "after",
        "sort",
        "includeUnconfirmed",
        "includeCancelled",
        "isFulfilled",
        "since",
    }
    sorts = gql.data('{ __type(name: "OrderSort") { enumValues { name } } }')["__type"]["enumValues"]
    assert "UPDATED_AT_ASC" in {value["name"] for value in sorts}


def test_ids_are_base64_type_and_number(gql: Gql, server: SandboxServer) -> None:
    node = gql.data("{ products(first: 1) { nodes { id } } }")["products"]["nodes"][0]
    type_name, number = base64.b64decode(node["id"] + "==").decode().split(":")
    assert type_name == "Product" and int(number) > 10**14
    padded = node["id"] + "=" * (-len(node["id"]) % 4)
    assert gql.data("query($id: ID!) { product(id: $id) { id } }", {"id": padded})["product"] == {
        "id": node["id"]
    }
    # An id of another type finds nothing rather than the wrong object.
    assert gql.data("query($id: ID!) { order(id: $id) { id } }", {"id": node["id"]})["order"] is None


def test_money_is_a_two_decimal_string(gql: Gql) -> None:
    order = gql.data(
        "{ orders(first: 1) { nodes { totalPrice products(first: 5) { nodes { unitPrice } } } } }"
    )
    node = order["orders"]["nodes"][0]
    for amount in [node["totalPrice"], *(line["unitPrice"] for line in node["products"]["nodes"])]:
        assert isinstance(amount, str) and len(amount.split(".")[1]) == 2


# ---------------------------------------------------------------------- pagination


@pytest.mark.parametrize("field", ["orders", "products", "productVariants", "supplierInvoices", "webhooks"])
def test_connections_need_first_or_last(gql: Gql, field: str) -> None:
    body = gql("{ " + field + " { nodes { id } } }")
    assert body["errors"][0]["message"] == "You must provide one of first or last"


def test_nested_connections_need_first_or_last_too(gql: Gql) -> None:
    body = gql("{ orders(first: 1) { nodes { products { nodes { id } } } } }")
    assert body["errors"][0]["message"] == "You must provide one of first or last"
    assert "data" not in body  # refused before execution, like a validation error


@pytest.mark.parametrize(
    "sort",
    [
        "CREATED_AT_ASC",
        "CREATED_AT_DESC",
        "CONFIRMED_AT_ASC",
        "CONFIRMED_AT_DESC",
        "UPDATED_AT_ASC",
        "UPDATED_AT_DESC",
        "ID_ASC",
        "ID_DESC",
    ],
)
def test_paging_through_orders_yields_each_once_in_order(gql: Gql, server: SandboxServer, sort: str) -> None:
    nodes, total = _pages(gql, f"sort: {sort}, {ALL_ORDERS}", page_size=7)
    ids = [node["id"] for node in nodes]
    assert len(ids) == len(set(ids)) == total == len(server.state.orders)
    field = {"CREATED": "createdAt", "CONFIRMED": "confirmedAt", "UPDATED": "updatedAt"}.get(
        sort.split("_")[0]
    )
    numbers = [int(base64.b64decode(i + "==").decode().split(":")[1]) for i in ids]
    keys = [
        ((node[field] or "") if field else "", number) for node, number in zip(nodes, numbers, strict=True)
    ]
    assert keys == sorted(keys, reverse=sort.endswith("_DESC"))


def test_paging_backwards_with_last_and_before(gql: Gql, server: SandboxServer) -> None:
    query = (
        "query($before: String) { orders(last: 9, before: $before, sort: ID_ASC, " + ALL_ORDERS + ") {"
        " pageInfo { hasPreviousPage startCursor } nodes { id } } }"
    )
    collected: list[str] = []
    before: str | None = None
    while True:
        orders = gql.data(query, {"before": before})["orders"]
        collected = [node["id"] for node in orders["nodes"]] + collected
        if not orders["pageInfo"]["hasPreviousPage"]:
            break
        before = orders["pageInfo"]["startCursor"]
    assert collected == [order.id for order in sorted(server.state.orders, key=lambda o: o.num)]


def test_page_info_at_both_ends(gql: Gql) -> None:
    first = gql.data("{ orders(first: 3, sort: ID_ASC) { pageInfo { hasNextPage hasPreviousPage } } }")
    assert first["orders"]["pageInfo"] == {"hasNextPage": True, "hasPreviousPage": False}
    empty = gql.data("{ orders(first: 0) { nodes { id } pageInfo { hasNextPage startCursor endCursor } } }")
    assert empty["orders"]["nodes"] == [] and empty["orders"]["pageInfo"]["endCursor"] is None


def test_a_cursor_from_another_sort_or_garbage_is_an_error(gql: Gql) -> None:
    cursor = gql.data("{ orders(first: 1, sort: ID_ASC) { pageInfo { endCursor } } }")["orders"]["pageInfo"]
    other_sort = gql(
        "query($c: String) { orders(first: 1, after: $c, sort: CREATED_AT_ASC) { nodes { id } } }",
        {"c": cursor["endCursor"]},
    )
    assert "cursor" in other_sort["errors"][0]["message"].lower()
    garbage = gql('{ orders(first: 1, after: "bm90IGEgY3Vyc29y") { nodes { id } } }')
    assert "cursor" in garbage["errors"][0]["message"].lower()


def test_first_is_capped_at_250() -> None:
    with SandboxServer(SandboxConfig(seed=3, products=10, orders=300, restore_rate=1e9, now=NOW)) as big:
        client = Gql(big)
        orders = client.data("{ orders(first: 1000, " + ALL_ORDERS + ") { totalCount nodes { id } } }")[
            "orders"
        ]
        assert orders["totalCount"] == 300 and len(orders["nodes"]) == 250
        client.close()


def test_nested_pagination_of_a_big_order(gql: Gql, server: SandboxServer) -> None:
    big = max(server.state.orders, key=lambda order: len(order.lines))
    query = (
        "query($id: ID!, $after: String) { order(id: $id) { products(first: 10, after: $after) {"
        " pageInfo { hasNextPage endCursor } nodes { id } } } }"
    )
    seen: list[str] = []
    after = None
    while True:
        page = gql.data(query, {"id": big.id, "after": after})["order"]["products"]
        seen += [node["id"] for node in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == [line.id for line in big.lines]


# ---------------------------------------------------------------------- filters


def _ids(gql: Gql, args: str) -> set[str]:
    return {node["id"] for node in _pages(gql, args, page_size=50)[0]}


def test_default_listing_hides_unconfirmed_and_cancelled(gql: Gql, server: SandboxServer) -> None:
    orders = server.state.orders
    assert _ids(gql, "sort: ID_ASC") == {o.id for o in orders if o.is_confirmed and not o.is_cancelled}
    assert _ids(gql, "includeUnconfirmed: true") == {o.id for o in orders if not o.is_cancelled}
    assert _ids(gql, "includeCancelled: true") == {o.id for o in orders if o.is_confirmed}
    assert _ids(gql, ALL_ORDERS) == {o.id for o in orders}


def test_is_fulfilled_filter_matches_the_world(gql: Gql, server: SandboxServer) -> None:
    open_orders = _ids(gql, "isFulfilled: false")
    expected = {
        o.id for o in server.state.orders if o.is_confirmed and not o.is_cancelled and not o.is_fulfilled
    }
    assert open_orders == expected and open_orders
    assert _ids(gql, f"isFulfilled: true, {ALL_ORDERS}") == {
        o.id for o in server.state.orders if o.is_fulfilled
    }


def test_total_count_follows_the_filters(gql: Gql, server: SandboxServer) -> None:
    data = gql.data(
        "{ a: orders(first: 1) { totalCount } b: orders(first: 1, " + ALL_ORDERS + ") { totalCount } }"
    )
    assert data["b"]["totalCount"] == len(server.state.orders) > data["a"]["totalCount"] > 0


def test_since_keeps_orders_updated_at_or_after(gql: Gql, server: SandboxServer) -> None:
    moments = sorted(order.updated_at for order in server.state.orders)
    since = moments[len(moments) // 2]
    got = _ids(gql, f'since: "{format_datetime(since)}", {ALL_ORDERS}')
    assert got == {o.id for o in server.state.orders if o.updated_at >= since}
    assert 0 < len(got) < len(server.state.orders)


def test_explicit_since_null_returns_nothing_but_a_missing_one_everything(gql: Gql) -> None:
    literal = gql.data("{ orders(first: 10, since: null) { totalCount nodes { id } } }")["orders"]
    assert literal == {"totalCount": 0, "nodes": []}
    query = "query($since: DateTime) { orders(first: 10, since: $since) { totalCount } }"
    assert gql.data(query, {"since": None})["orders"]["totalCount"] == 0
    assert gql.data(query, {})["orders"]["totalCount"] > 0


def test_since_accepts_offsets_and_refuses_garbage(gql: Gql, server: SandboxServer) -> None:
    since = max(order.updated_at for order in server.state.orders) - timedelta(hours=30)
    with_offset = since.astimezone().isoformat()
    query = "query($since: DateTime) { orders(first: 250, since: $since, " + ALL_ORDERS + ") { totalCount } }"
    expected = sum(1 for order in server.state.orders if order.updated_at >= since)
    assert gql.data(query, {"since": with_offset})["orders"]["totalCount"] == expected
    assert gql(query, {"since": "last tuesday"})["errors"]
    assert parse_datetime("2020-05-26T11:00:37Z") == datetime(2020, 5, 26, 11, 0, 37, tzinfo=UTC)


def test_products_sort_by_title_and_variants_filter_by_sku(gql: Gql, server: SandboxServer) -> None:
    titles = [
        p["title"]
        for p in gql.data("{ products(first: 50, sort: TITLE_ASC) { nodes { title } } }")["products"]["nodes"]
    ]
    assert titles == sorted(titles, key=str.casefold) and len(titles) == 20
    sku = server.state.variants[5].sku
    found = gql.data(
        "query($sku: String) { productVariants(first: 5, sku: $sku) { nodes { sku } } }", {"sku": sku}
    )
    assert found["productVariants"]["nodes"] == [{"sku": sku}]


def test_catalogue_reference_queries(gql: Gql) -> None:
    data = gql.data(
        "{ categories { path depth parent { path } translation { name } }"
        " productVariantAttributes { id hasMultipleValues values { value } }"
        " attributes { attribute categoryPaths values { value } } }"
    )
    depths = {category["path"]: category["depth"] for category in data["categories"]}
    assert depths["HOME_LIVING"] == 0 and depths["HOME_LIVING_PILLOWS_PLAIDS_PILLOWS"] == 2
    assert {"sku", "ean", "tags", "filterMaterial", "category"} <= {
        a["id"] for a in data["productVariantAttributes"]
    }
    assert {a["attribute"] for a in data["attributes"]} == {"f_material", "f_season"}


def test_invoices_and_webhooks_are_listed(gql: Gql, server: SandboxServer) -> None:
    data = gql.data(
        "{ supplierInvoices(first: 3, sort: ID_DESC) { nodes { number totalPrice issuer { companyName }"
        " receiver { companyName } order { number } items(first: 50) { nodes { type totalPrice } } } }"
        " webhooks(first: 5) { nodes { callbackUrl events active template } } }"
    )
    invoice = data["supplierInvoices"]["nodes"][0]
    assert invoice["receiver"]["companyName"] == "Orderchamp B.V."
    assert invoice["issuer"]["companyName"].startswith("Studio Zonnig")
    assert invoice["order"]["number"].startswith("#ORD")
    assert len(data["webhooks"]["nodes"]) == len(server.state.webhooks) >= 2


# ---------------------------------------------------------------------- cost and throttle


@pytest.fixture
def throttled() -> Iterator[tuple[SandboxServer, Gql, FakeClock]]:
    clock = FakeClock()
    config = SandboxConfig(seed=7, products=20, orders=120, now=NOW, clock=clock)
    with SandboxServer(config) as running:
        client = Gql(running)
        yield running, client, clock
        client.close()


EXPENSIVE = "{ orders(first: 250, " + ALL_ORDERS + ") { nodes { id billingAddress { city } } } }"


def test_leaky_bucket_admits_refuses_and_restores(throttled: tuple[SandboxServer, Gql, FakeClock]) -> None:
    server, gql, clock = throttled
    first = gql(EXPENSIVE)["extensions"]["throttle"]
    # requested: 2 + 250 * (1 + 1); actual: 2 + 120 returned orders * (1 + 1)
    assert first == {
        "requestedCost": 502,
        "actualCost": 242,
        "limit": 1000,
        "remaining": 758,
        "restoreRate": 50,
    }
    assert gql(EXPENSIVE)["extensions"]["throttle"]["remaining"] == 516
    assert gql(EXPENSIVE)["extensions"]["throttle"]["remaining"] == 274
    executed = server.stats.by_field["orders"]
    refused = gql(EXPENSIVE)
    assert refused["errors"] == [{"message": "Throttled", "extensions": {"code": "THROTTLED"}}]
    assert refused["extensions"]["throttle"]["remaining"] == 274
    assert server.stats.by_field["orders"] == executed and server.stats.throttled == 1
    clock.now += 5  # 5 s * 50 points/s
    assert gql(EXPENSIVE)["extensions"]["throttle"]["remaining"] == 524 - 242
    clock.now += 3600
    assert gql("{ account { name } }")["extensions"]["throttle"]["remaining"] == 1000 - 1


def test_query_above_the_ceiling_is_refused_without_running(
    throttled: tuple[SandboxServer, Gql, FakeClock],
) -> None:
    server, gql, _clock = throttled
    body = gql("{ orders(first: 50) { nodes { id products(first: 100) { nodes { id quantity } } } } }")
    message = body["errors"][0]["message"]
    assert "5152" in message and "2000" in message and "data" not in body
    assert server.stats.by_field["orders"] == 0
    assert body["extensions"]["throttle"]["remaining"] == 1000


def test_query_dearer_than_the_bucket_runs_on_a_full_bucket_then_waits(
    throttled: tuple[SandboxServer, Gql, FakeClock],
) -> None:
    _server, gql, clock = throttled
    query = "{ orders(first: 50) { nodes { id products(first: 30) { nodes { id quantity } } } } }"
    body = gql(query)
    throttle = body["extensions"]["throttle"]
    assert "errors" not in body and throttle["requestedCost"] == 1652
    assert throttle["remaining"] == 1000 - throttle["actualCost"]
    # Admission needs min(requested, bucket size) = a full bucket again.
    assert gql(query)["errors"][0]["message"] == "Throttled"
    clock.now += throttle["actualCost"] / 50
    assert "errors" not in gql(query)


def test_cost_counts_fragments_and_variables(throttled: tuple[SandboxServer, Gql, FakeClock]) -> None:
    _server, gql, _clock = throttled
    query = (
        "query($n: Int!) { orders(first: $n) { edges { node { ...O } } nodes { id } } }"
        " fragment O on Order { id shippingAddress { city } products(first: 5) { nodes { sku } } }"
    )
    throttle = gql(query, {"n": 10})["extensions"]["throttle"]
    assert throttle["requestedCost"] == 2 + 10 * (1 + 1 + 2 + 5)


def test_connection_cost_examples_from_the_live_api() -> None:
    """The numbers other parts rely on when sizing pages (see the report)."""
    with SandboxServer(SandboxConfig(seed=1, products=5, orders=10, now=NOW)) as running:
        client = Gql(running)
        body = client("{ orders(first: 50) { nodes { id products(first: 30) { nodes { id } } } } }")
        assert body["extensions"]["throttle"]["requestedCost"] == 1652
        refused = client("{ orders(first: 50) { nodes { id products(first: 100) { nodes { id } } } } }")
        assert refused["extensions"]["throttle"]["requestedCost"] == 5152
        client.close()


def test_a_repeated_query_reuses_its_document_with_fresh_variables_and_errors(
        gql: Gql, server: SandboxServer) -> None:
    # The engine keeps parsed, validated documents per query text (a sync repeats one
    # query per page); the answers must still follow each request's own variables, and an
    # invalid query must fail the same way every time.
    query = ("query Page($first: Int!) { orders(first: $first, " + ALL_ORDERS + ") "
             "{ nodes { id } } }")
    one = gql.data(query, {"first": 1})["orders"]["nodes"]
    three = gql.data(query, {"first": 3})["orders"]["nodes"]
    assert len(one) == 1 and len(three) == 3 and three[0] == one[0]
    bad = "{ orders(first: 1) { nodes { noSuchField } } }"
    first_errors = gql(bad)["errors"]
    assert first_errors and gql(bad)["errors"] == first_errors
    assert query in server.engine._documents and bad in server.engine._documents
