"""The sandbox can look like the documented API, refuse introspection, fail one field, and set a
variant's total stock without a negative level, all over real loopback HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from orderchamp_desktop.sandbox import SandboxConfig, SandboxServer
from orderchamp_desktop.sandbox.config import DOCS_SHAPED
from tests.unit.test_sandbox_queries import Gql

NOW = datetime(2025, 6, 2, 9, 30, tzinfo=UTC)


def _server(**features: bool) -> SandboxServer:
    return SandboxServer(SandboxConfig(seed=5, products=6, orders=20, now=NOW, restore_rate=1e9,
                                       features={"order_confirm": True, **features}))


@pytest.fixture
def docs() -> Iterator[Gql]:
    with _server(**DOCS_SHAPED) as running:
        client = Gql(running)
        yield client
        client.close()


def _enum(gql: Gql, name: str) -> set[str]:
    values = gql.data("query($n: String!) { __type(name: $n) { enumValues { name } } }", {"n": name})
    return {value["name"] for value in values["__type"]["enumValues"]}


def _args(gql: Gql, field: str) -> set[str]:
    query = "{ __type(name: \"Query\") { fields { name args { name } } } }"
    fields = gql.data(query)["__type"]["fields"]
    return {arg["name"] for f in fields if f["name"] == field for arg in f["args"]}


def test_a_docs_shaped_schema_has_only_the_documented_sorts(docs: Gql) -> None:
    assert _enum(docs, "InvoiceSort") == {"ID_ASC", "ID_DESC"}
    assert not any(v.startswith("UPDATED_AT") for v in _enum(docs, "OrderSort") | _enum(docs, "ProductSort"))
    assert "sort" not in _args(docs, "products") and "since" in _args(docs, "orders")
    refused = docs("{ products(first: 1, sort: ID_ASC) { nodes { id } } }")
    assert "Unknown argument 'sort'" in refused["errors"][0]["message"]
    assert len(docs.data("{ products(first: 3) { nodes { id } } }")["products"]["nodes"]) == 3
    assert docs.data("{ supplierInvoices(first: 2, sort: ID_DESC) { nodes { id } } }")


def test_since_can_be_switched_off_and_is_on_by_default() -> None:
    with _server() as full, _server(orders_since=False) as without:
        on, off = Gql(full), Gql(without)
        try:
            assert "since" in _args(on, "orders") and "sort" in _args(on, "products")
            assert "since" not in _args(off, "orders")
        finally:
            on.close()
            off.close()


def test_introspection_can_be_refused() -> None:
    with _server(introspection=False) as running:
        client = Gql(running)
        body = client("{ __schema { queryType { name } } }")
        assert body["errors"][0]["message"] == "GraphQL introspection is not allowed."
        assert "data" not in body
        assert client.data("{ account { id } }")["account"]["id"]  # everything else works
        client.close()


def _post(server: SandboxServer, name: str, query: str) -> dict[str, Any]:
    response = httpx.post(server.url, json={"query": query, "operationName": name},
                          headers={"Authorization": f"Bearer {server.token}"})
    body: dict[str, Any] = response.json()
    return body


def test_a_field_can_fail_like_a_broken_resolver() -> None:
    query = "query Few { orders(first: 3) { nodes { id } } }"
    with _server() as running:
        running.faults.fail_field_next("Few", ("orders", "nodes", 1))
        running.faults.fail_field_next("Few", ("orders",))
        holed = _post(running, "Few", query)
        assert holed["data"]["orders"]["nodes"][1] is None and holed["data"]["orders"]["nodes"][0]["id"]
        assert holed["errors"] == [{"message": "Internal server error", "path": ["orders", "nodes", 1],
                                    "extensions": {"category": "internal"}}]
        assert _post(running, "Other", query.replace("Few", "Other"))["data"]["orders"]  # other ops untouched
        gone = _post(running, "Few", query)
        assert gone["data"] == {"orders": None} and gone["errors"][0]["path"] == ["orders"]
        assert "errors" not in _post(running, "Few", query)  # each failure happens once
        running.faults.fail_field_next("Few", ("orders", "nodes", 7))  # no 8th node: not consumed
        assert "errors" not in _post(running, "Few", query)
        assert running.stats.faults["field_failed"] == 2


UPDATE = """mutation($input: ProductVariantUpdateInput!) {
  productVariantUpdate(input: $input) {
    productVariant {
      id inventoryQuantity inventoryLevels(first: 10) { nodes { quantity location { isPrimary } } }
    }
    userErrors { field message }
  }
}"""


def test_a_total_stock_is_set_at_the_primary_location_never_below_zero() -> None:
    with _server() as running:
        state = running.state
        variant = next(v for v in state.variants if len(v.levels) > 1)
        primary = state.primary_location.num
        with state.lock:
            for num, level in variant.levels.items():
                level.quantity = 5 if num == primary else 20
        elsewhere = 20 * (len(variant.levels) - 1)
        client = Gql(running)
        payload = client.data(UPDATE, {"input": {"id": variant.id, "inventoryQuantity": elsewhere + 3}})
        result = payload["productVariantUpdate"]
        assert result["userErrors"] == [] and result["productVariant"]["inventoryQuantity"] == elsewhere + 3
        levels = result["productVariant"]["inventoryLevels"]["nodes"]
        assert [lv["quantity"] for lv in levels if lv["location"]["isPrimary"]] == [3]
        below = {"input": {"id": variant.id, "inventoryQuantity": 10}}
        refused = client.data(UPDATE, below)["productVariantUpdate"]
        assert refused["productVariant"] is None
        assert refused["userErrors"][0]["field"] == ["input", "inventoryQuantity"]
        assert "other locations" in refused["userErrors"][0]["message"]
        assert variant.inventory_quantity == elsewhere + 3  # nothing changed
        assert all(level.quantity >= 0 for level in variant.levels.values())
        client.close()
