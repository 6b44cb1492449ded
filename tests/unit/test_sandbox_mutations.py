"""The sandbox's mutations over real HTTP: happy paths, userErrors with field paths, state changes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from orderchamp_desktop.sandbox import SandboxConfig, SandboxServer
from orderchamp_desktop.sandbox.model import Order
from orderchamp_desktop.sandbox.scalars import format_datetime

from .test_sandbox_queries import FakeClock, Gql

NOW = datetime(2025, 6, 2, 9, 30, tzinfo=UTC)

DOCS_VARIANT = """
mutation {
  productVariantCreate(input: {
    externalProductId: "your-product-id"
    externalProductVariantId: "your-variant-id"
    sku: "12345678"
    color: "Red"
    size: "Small"
    productTitle: "Handmade baby bib"
    productDescription: "A handmade baby bib in multiple bright colors"
    category: KIDS_BABY_BABY_ESSENTIALS_BIBS
    caseQuantity: 6
    brand: "Your brand name",
    madeIn: NL,
    leadTime: ONE_TO_THREE
    availableAt: "2021-10-31"
    tags: [HANDMADE, ORGANIC]
    price: "4.99"
    msrp: "9.99"
    inventoryQuantity: 10
    inventoryPolicy: CONTINUE
    weight: "100"
    length: "100"
    width: "99.91"
    height: "30.5"
    diameter: "23.3"
    volume: "0.95"
    ean: 123456789
    filterMaterial: [GLASS]
    images: [{ sourceUrl: "https://placehold.it/100x100" }]
  }) {
    productVariant {
      id product { id } sku color size productTitle productDescription category { path } caseQuantity
      brand madeIn leadTime availableAt tags price msrp inventoryQuantity inventoryPolicy weight length
      width height diameter volume ean filterMaterial images(first: 5) { nodes { originalUrl } }
    }
    userErrors { field message }
  }
}
"""
VARIANT_CREATE = """mutation($input: ProductVariantCreateInput!) {
  productVariantCreate(input: $input) {
    productVariant { id price sku ean product { id } } userErrors { field message }
  }
}"""
VARIANT_UPDATE = """mutation($input: ProductVariantUpdateInput!) {
  productVariantUpdate(input: $input) {
    productVariant { id price sku productTitle inventoryQuantity updatedAt } userErrors { field message }
  }
}"""
ADJUST = """mutation($levels: [InventoryLevelAdjustInput!]!) {
  inventoryLevelBulkAdjust(input: { inventoryLevels: $levels }) {
    userErrors { field message }
    inventoryLevels { quantity location { id } productVariant { id inventoryQuantity } }
  }
}"""
SHIP_CREATE = """mutation($order: ID!, $products: [ShipmentProductInput!]!) {
  shipmentCreate(input: { orderId: $order, products: $products }) {
    shipment { id status products(first: 100) { nodes { quantity orderProduct { id unshippedQuantity } } } }
    userErrors { field message }
  }
}"""
SHIPPED = """mutation($input: ShipmentShippedInput!) {
  shipmentShipped(input: $input) {
    shipment { id status shippedAt trackingNumber carrier isTracked deliveryTimeframe
      order { status isFulfilled updatedAt invoices(first: 5) { nodes { totalPrice } } totalPrice } }
    userErrors { field message }
  }
}"""


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def server(clock: FakeClock) -> Iterator[SandboxServer]:
    config = SandboxConfig(seed=11, products=20, orders=120, restore_rate=1e9, now=NOW, clock=clock)
    with SandboxServer(config) as running:
        yield running


@pytest.fixture
def gql(server: SandboxServer) -> Iterator[Gql]:
    client = Gql(server)
    yield client
    client.close()


def _payload(gql: Gql, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    data = gql.data(query, variables)
    (payload,) = data.values()
    result: dict[str, Any] = payload
    return result


def _errors(payload: dict[str, Any]) -> dict[tuple[str, ...], str]:
    return {tuple(error["field"]): error["message"] for error in payload["userErrors"]}


# ---------------------------------------------------------------------- productVariantCreate


def test_docs_variant_create_example_round_trips(gql: Gql, server: SandboxServer) -> None:
    payload = _payload(gql, DOCS_VARIANT)
    assert payload["userErrors"] == []
    variant = payload["productVariant"]
    assert {
        key: variant[key] for key in ("sku", "color", "size", "price", "msrp", "ean", "weight", "width")
    } == {
        "sku": "12345678",
        "color": "Red",
        "size": "Small",
        "price": "4.99",
        "msrp": "9.99",
        "ean": "123456789",
        "weight": "100.00",
        "width": "99.91",
    }
    assert variant["height"] == "30.50" and variant["volume"] == "0.95"
    assert variant["category"] == {"path": "KIDS_BABY_BABY_ESSENTIALS_BIBS"}
    assert variant["tags"] == ["HANDMADE", "ORGANIC"] and variant["filterMaterial"] == ["GLASS"]
    assert variant["availableAt"] == "2021-10-31" and variant["inventoryQuantity"] == 10
    assert variant["images"]["nodes"] == [{"originalUrl": "https://placehold.it/100x100"}]
    created = server.state.variant_by_sku("12345678")
    assert created is not None and created.levels[server.state.primary_location.num].quantity == 10
    listed = gql.data('{ productVariants(first: 1, sku: "12345678") { nodes { id productTitle } } }')
    assert listed["productVariants"]["nodes"] == [{"id": variant["id"], "productTitle": "Handmade baby bib"}]


def test_variant_create_groups_by_external_product_id(gql: Gql) -> None:
    first = _payload(gql, DOCS_VARIANT)["productVariant"]
    second = _payload(
        gql,
        VARIANT_CREATE,
        {
            "input": {
                "externalProductId": "your-product-id",
                "sku": "12345679",
                "color": "Blue",
                "size": "Small",
            }
        },
    )
    assert second["userErrors"] == [] and second["productVariant"]["product"]["id"] == first["product"]["id"]
    same = _payload(
        gql,
        VARIANT_CREATE,
        {"input": {"productId": first["product"]["id"], "sku": "12345680", "color": "Blue", "size": "Small"}},
    )
    assert _errors(same) == {("input", "color"): "The product already has a variant with these options."}


def test_variant_create_user_errors_carry_field_paths(gql: Gql, server: SandboxServer) -> None:
    taken = server.state.variants[0].sku
    payload = _payload(
        gql,
        VARIANT_CREATE,
        {
            "input": {
                "sku": taken,
                "price": "-1.00",
                "ean": "12AB",
                "tags": ["HANDMADE", "ORGANIC", "SOCIAL", "ECO_FRIENDLY"],
                "category": "KIDS_BABY",
                "images": [{"sourceUrl": "https://ok.example/a.png"}, {"sourceUrl": "ftp://x"}],
                "caseQuantity": 0,
            }
        },
    )
    errors = _errors(payload)
    assert payload["productVariant"] is None
    assert set(errors) == {
        ("input", "sku"),
        ("input", "price"),
        ("input", "ean"),
        ("input", "tags"),
        ("input", "category"),
        ("input", "images", "1", "sourceUrl"),
        ("input", "caseQuantity"),
        ("input", "color"),
    }
    assert "0" in errors[("input", "price")]
    count = len(server.state.variants)
    missing_title = _payload(gql, VARIANT_CREATE, {"input": {"sku": "NEW-1", "color": "Red"}})
    assert _errors(missing_title) == {("input", "productTitle"): "Product title can't be blank."}
    unknown = _payload(gql, VARIANT_CREATE, {"input": {"productId": "UHJvZHVjdDox", "color": "Red"}})
    assert ("input", "productId") in _errors(unknown)
    assert len(server.state.variants) == count


@pytest.mark.parametrize(
    ("sent", "stored"),
    [(4.99, "4.99"), ("19.90", "19.90"), (12, "12.00"), ("12345678901234567.10", "12345678901234567.10")],
)
def test_money_is_exact_from_numbers_and_strings(gql: Gql, sent: object, stored: str) -> None:
    payload = _payload(
        gql,
        VARIANT_CREATE,
        {"input": {"productTitle": "Money test", "sku": f"MONEY-{stored}", "color": "Red", "price": sent}},
    )
    assert payload["userErrors"] == [] and payload["productVariant"]["price"] == stored


def test_money_literal_float_and_third_decimal(gql: Gql) -> None:
    literal = _payload(
        gql,
        'mutation { productVariantCreate(input: { productTitle: "T", sku: "LIT-1",'
        ' color: "Red", price: 0.1 }) { productVariant { price } userErrors { field } } }',
    )
    assert literal["productVariant"]["price"] == "0.10"
    third = _payload(
        gql,
        VARIANT_CREATE,
        {"input": {"productTitle": "T", "sku": "LIT-2", "color": "Red", "price": "1.999"}},
    )
    assert ("input", "price") in _errors(third)
    assert gql(VARIANT_CREATE, {"input": {"productTitle": "T", "color": "Red", "price": "abc"}})["errors"]


def test_ean_accepts_an_integer_or_a_string(gql: Gql) -> None:
    as_int = _payload(
        gql, VARIANT_CREATE, {"input": {"productTitle": "T", "sku": "E1", "color": "R", "ean": 8719327100004}}
    )
    as_text = _payload(
        gql,
        VARIANT_CREATE,
        {"input": {"productTitle": "T", "sku": "E2", "color": "G", "ean": "0871932710001"}},
    )
    assert as_int["productVariant"]["ean"] == "8719327100004"
    assert as_text["productVariant"]["ean"] == "0871932710001"


# ---------------------------------------------------------------------- productVariantUpdate


def test_variant_update_by_id_and_by_external_id(gql: Gql, server: SandboxServer, clock: FakeClock) -> None:
    variant = server.state.variants[3]
    before = variant.updated_at
    clock.now += 90
    by_id = _payload(
        gql, VARIANT_UPDATE, {"input": {"id": variant.id, "price": "12.50", "inventoryQuantity": 40}}
    )
    assert by_id["userErrors"] == []
    assert by_id["productVariant"]["price"] == "12.50" and by_id["productVariant"]["inventoryQuantity"] == 40
    assert sum(level.quantity for level in variant.levels.values()) == 40
    assert by_id["productVariant"]["updatedAt"] == format_datetime(NOW + timedelta(seconds=90))
    assert variant.updated_at > before and variant.product.updated_at == variant.updated_at
    external = variant.external_product_variant_id
    by_external = _payload(
        gql, VARIANT_UPDATE, {"input": {"externalProductVariantId": external, "productTitle": "Renamed ✨"}}
    )
    assert (
        by_external["productVariant"]["productTitle"] == "Renamed ✨"
        and variant.product.title == "Renamed ✨"
    )


def test_variant_update_refuses_bad_input_and_changes_nothing(gql: Gql, server: SandboxServer) -> None:
    variant = server.state.variants[3]
    price = variant.price
    negative = _payload(gql, VARIANT_UPDATE, {"input": {"id": variant.id, "price": -5}})
    assert _errors(negative) == {("input", "price"): "Price must be greater than or equal to 0."}
    assert variant.price == price
    unknown = _payload(gql, VARIANT_UPDATE, {"input": {"id": "UHJvZHVjdFZhcmlhbnQ6MTIz", "price": 1}})
    assert _errors(unknown) == {("input", "id"): "Product variant not found."}
    wrong_type = _payload(gql, VARIANT_UPDATE, {"input": {"id": server.state.orders[0].id}})
    assert ("input", "id") in _errors(wrong_type)
    neither = _payload(gql, VARIANT_UPDATE, {"input": {"price": 1}})
    assert ("input", "id") in _errors(neither)
    missing = _payload(gql, VARIANT_UPDATE, {"input": {"externalProductVariantId": "nope"}})
    assert ("input", "externalProductVariantId") in _errors(missing)
    backorder = _payload(
        gql, VARIANT_UPDATE, {"input": {"id": variant.id, "inventoryQuantity": -3, "inventoryPolicy": "DENY"}}
    )
    assert ("input", "inventoryQuantity") in _errors(backorder)


# ---------------------------------------------------------------------- productCreate


def test_product_create_with_variants_and_images(gql: Gql, server: SandboxServer) -> None:
    payload = _payload(
        gql,
        """mutation {
      productCreate(input: { title: "Tshirt", option1: "Size", option2: "Color", weight: 100,
        images: [{ sourceUrl: "https://placehold.it/100x100" }],
        variants: [{ sku: "tshirt-s-red", option1: "S", option2: "Red", inventoryQuantity: 10,
                     inventoryPolicy: CONTINUE, price: "9.50" },
                   { sku: "tshirt-m-red", option1: "M", option2: "Red" }] }) {
        product { id title option1 option2
          variants(first: 5) { nodes { title size color sku inventoryQuantity inventoryPolicy weight } }
          images(first: 5) { edges { node { thumbnailUrl(width: 100, height: 100, method: CROP) } } } }
        userErrors { field message }
      } }""",
    )
    assert payload["userErrors"] == []
    product = payload["product"]
    assert (product["title"], product["option1"], product["option2"]) == ("Tshirt", "Size", "Color")
    variants = product["variants"]["nodes"]
    assert [(v["title"], v["size"], v["color"], v["inventoryQuantity"]) for v in variants] == [
        ("S, Red", "S", "Red", 10),
        ("M, Red", "M", "Red", 0),
    ]
    assert variants[0]["weight"] == "100.00"
    assert (
        product["images"]["edges"][0]["node"]["thumbnailUrl"] == "https://placehold.it/100x100_100x100_crop"
    )
    assert server.state.variant_by_sku("tshirt-m-red") is not None


def test_product_create_refuses_blank_title_and_duplicate_skus(gql: Gql, server: SandboxServer) -> None:
    count = len(server.state.products)
    payload = _payload(
        gql,
        """mutation { productCreate(input: { title: "  ", category: STATIONERY,
        variants: [{ sku: "dup", option1: "A" }, { sku: "dup", option1: "B", msrp: "-1" }] }) {
        product { id } userErrors { field message } } }""",
    )
    assert set(_errors(payload)) == {
        ("input", "title"),
        ("input", "category"),
        ("input", "variants", "1", "sku"),
        ("input", "variants", "1", "msrp"),
    }
    assert len(server.state.products) == count


# ---------------------------------------------------------------------- inventoryLevelBulkAdjust


def test_inventory_adjust_set_by_sku_id_and_location(gql: Gql, server: SandboxServer) -> None:
    state = server.state
    variant = state.variants[0]
    primary, second = state.locations[0], state.locations[1]
    start = variant.levels[primary.num].quantity
    levels = [
        {"sku": variant.sku, "adjustment": 10},
        {"productVariantId": variant.id, "adjustment": -4},
        {"sku": variant.sku, "adjustment": 100, "action": "SET", "locationId": second.id},
    ]
    payload = _payload(gql, ADJUST, {"levels": levels})
    assert payload["userErrors"] == []
    got = [(level["quantity"], level["location"]["id"]) for level in payload["inventoryLevels"]]
    assert got == [(start + 10, primary.id), (start + 6, primary.id), (100, second.id)]
    total = sum(level.quantity for level in variant.levels.values())
    assert payload["inventoryLevels"][0]["productVariant"]["inventoryQuantity"] == total
    assert variant.inventory_quantity == total and variant.levels[second.num].quantity == 100


def test_inventory_adjust_is_all_or_nothing(gql: Gql, server: SandboxServer) -> None:
    variant = server.state.variants[1]
    before = {number: level.quantity for number, level in variant.levels.items()}
    payload = _payload(
        gql,
        ADJUST,
        {
            "levels": [
                {"sku": variant.sku, "adjustment": 5},
                {"sku": "NO-SUCH-SKU", "adjustment": 1},
                {"sku": variant.sku, "adjustment": 1, "locationId": "TG9jYXRpb246MQ"},
                {"sku": variant.sku, "adjustment": -1, "action": "SET"},
                {"adjustment": 3},
            ]
        },
    )
    assert set(_errors(payload)) == {
        ("input", "inventoryLevels", "1", "sku"),
        ("input", "inventoryLevels", "2", "locationId"),
        ("input", "inventoryLevels", "3", "adjustment"),
        ("input", "inventoryLevels", "4"),
    }
    assert payload["inventoryLevels"] is None
    assert {number: level.quantity for number, level in variant.levels.items()} == before


# ---------------------------------------------------------------------- shipments


def _open_order(server: SandboxServer, status: str = "AWAITING_FULFILMENT") -> Order:
    return next(o for o in server.state.orders if o.status == status and len(o.lines) >= 2)


def test_ship_an_order_in_two_parts(gql: Gql, server: SandboxServer, clock: FakeClock) -> None:
    order = _open_order(server)
    first, rest = order.lines[0], order.lines[1:]
    clock.now += 60
    created = _payload(
        gql, SHIP_CREATE, {"order": order.id, "products": [{"id": first.id, "quantity": first.quantity}]}
    )
    assert created["userErrors"] == [] and created["shipment"]["status"] == "AWAITING_SHIPMENT"
    assert first.unshipped_quantity == 0 and order.status == "FULFILMENT_IN_PROGRESS"
    assert order.updated_at == NOW + timedelta(seconds=60)
    shipped = _payload(
        gql, SHIPPED, {"input": {"shipmentId": created["shipment"]["id"], "trackingNumber": "3SBOL12345678"}}
    )
    assert shipped["userErrors"] == []
    shipment = shipped["shipment"]
    assert (shipment["status"], shipment["carrier"], shipment["isTracked"]) == ("SHIPPED", "PostNL", True)
    assert (
        shipment["order"]["status"] == "FULFILMENT_IN_PROGRESS" and shipment["order"]["isFulfilled"] is False
    )
    clock.now += 60
    second = _payload(
        gql,
        SHIP_CREATE,
        {
            "order": order.id,
            "products": [{"id": line.id, "quantity": line.unshipped_quantity} for line in rest],
        },
    )
    done = _payload(
        gql,
        SHIPPED,
        {
            "input": {
                "shipmentId": second["shipment"]["id"],
                "isTracked": False,
                "deliveryTimeframe": "ONE_TO_TWO_DAYS",
            }
        },
    )
    final = done["shipment"]
    assert final["isTracked"] is False and final["deliveryTimeframe"] == "ONE_TO_TWO_DAYS"
    assert final["order"]["status"] == "AWAITING_DELIVERY" and final["order"]["isFulfilled"] is True
    assert final["order"]["invoices"]["nodes"][-1]["totalPrice"] == final["order"]["totalPrice"]
    assert final["shippedAt"] == format_datetime(NOW + timedelta(seconds=120))


def test_shipment_create_refuses_over_shipping_and_strangers(gql: Gql, server: SandboxServer) -> None:
    order = _open_order(server)
    other = next(o for o in server.state.orders if o is not order and o.lines)
    line = order.lines[0]
    payload = _payload(
        gql,
        SHIP_CREATE,
        {
            "order": order.id,
            "products": [
                {"id": line.id, "quantity": line.unshipped_quantity + 1},
                {"id": other.lines[0].id, "quantity": 1},
                {"id": order.lines[1].id, "quantity": 0},
                {"id": "T3JkZXJQcm9kdWN0OjE", "quantity": 1},
                {"id": order.lines[1].id, "quantity": -2},
            ],
        },
    )
    assert set(_errors(payload)) == {
        ("input", "products", "0", "quantity"),
        ("input", "products", "1", "id"),
        ("input", "products", "2", "quantity"),
        ("input", "products", "3", "id"),
        ("input", "products", "4", "quantity"),
    }
    assert str(line.unshipped_quantity) in _errors(payload)[("input", "products", "0", "quantity")]
    split = _payload(
        gql,
        SHIP_CREATE,
        {
            "order": order.id,
            "products": [
                {"id": line.id, "quantity": line.unshipped_quantity},
                {"id": line.id, "quantity": 1},
            ],
        },
    )
    assert set(_errors(split)) == {("input", "products", "1", "quantity")}
    assert line.unshipped_quantity == line.quantity and order.shipments == []
    assert order.status == "AWAITING_FULFILMENT"


@pytest.mark.parametrize("status", ["AWAITING_CONFIRMATION", "CANCELLED"])
def test_shipment_create_refuses_unconfirmed_and_cancelled_orders(
    gql: Gql, server: SandboxServer, status: str
) -> None:
    order = next(o for o in server.state.orders if o.status == status)
    payload = _payload(
        gql, SHIP_CREATE, {"order": order.id, "products": [{"id": order.lines[0].id, "quantity": 1}]}
    )
    assert set(_errors(payload)) == {("input", "orderId")} and payload["shipment"] is None
    unknown = _payload(gql, SHIP_CREATE, {"order": "T3JkZXI6MQ", "products": []})
    assert _errors(unknown) == {("input", "orderId"): "Order not found."}
    empty = _payload(gql, SHIP_CREATE, {"order": _open_order(server).id, "products": []})
    assert set(_errors(empty)) == {("input", "products")}


def test_shipment_shipped_validation(gql: Gql, server: SandboxServer) -> None:
    order = _open_order(server)
    line = order.lines[0]
    shipment = _payload(gql, SHIP_CREATE, {"order": order.id, "products": [{"id": line.id, "quantity": 1}]})
    shipment_id = shipment["shipment"]["id"]
    no_tracking = _payload(gql, SHIPPED, {"input": {"shipmentId": shipment_id}})
    assert set(_errors(no_tracking)) == {("input", "trackingNumber")}
    no_timeframe = _payload(gql, SHIPPED, {"input": {"shipmentId": shipment_id, "isTracked": False}})
    assert set(_errors(no_timeframe)) == {("input", "deliveryTimeframe")}
    bad_url = _payload(
        gql,
        SHIPPED,
        {"input": {"shipmentId": shipment_id, "trackingNumber": "X1", "trackingUrl": "javascript:alert(1)"}},
    )
    assert set(_errors(bad_url)) == {("input", "trackingUrl")}
    ok = _payload(
        gql, SHIPPED, {"input": {"shipmentId": shipment_id, "trackingNumber": "JVGL0000111122223333"}}
    )
    assert ok["userErrors"] == [] and ok["shipment"]["carrier"] == "DHL"
    twice = _payload(gql, SHIPPED, {"input": {"shipmentId": shipment_id, "trackingNumber": "JVGL1"}})
    assert _errors(twice) == {("input", "shipmentId"): "This shipment has already been shipped."}
    unknown = _payload(gql, SHIPPED, {"input": {"shipmentId": "U2hpcG1lbnQ6MQ", "trackingNumber": "X"}})
    assert _errors(unknown) == {("input", "shipmentId"): "Shipment not found."}


# ---------------------------------------------------------------------- webhooks and orderConfirm


def test_webhook_create(gql: Gql, server: SandboxServer) -> None:
    query = """mutation($input: WebhookCreateInput!) { webhookCreate(input: $input) {
        webhook { id callbackUrl events active template } userErrors { field message } } }"""
    bad = _payload(gql, query, {"input": {"callbackUrl": "http://example.com/hook", "events": []}})
    assert set(_errors(bad)) == {("input", "callbackUrl"), ("input", "events")}
    good = _payload(
        gql,
        query,
        {
            "input": {
                "callbackUrl": "https://example.com/orderchamp_webhook",
                "events": ["ORDER_CONFIRMED", "ORDER_UPDATED", "ORDER_CANCELLED"],
                "template": "INVOICING",
            }
        },
    )
    assert good["userErrors"] == []
    assert good["webhook"]["active"] is True and good["webhook"]["template"] == "INVOICING"
    listed = gql.data("{ webhooks(first: 10) { nodes { id } } }")["webhooks"]["nodes"]
    assert {"id": good["webhook"]["id"]} in listed


CONFIRM = """mutation($id: ID!) { orderConfirm(input: { orderId: $id }) {
  order { status isConfirmed isPaid confirmedAt } userErrors { field message } } }"""


def test_order_confirm(gql: Gql, server: SandboxServer, clock: FakeClock) -> None:
    order = next(o for o in server.state.orders if o.status == "AWAITING_CONFIRMATION")
    clock.now += 30
    payload = _payload(gql, CONFIRM, {"id": order.id})
    assert payload["userErrors"] == []
    assert payload["order"] == {
        "status": "AWAITING_FULFILMENT",
        "isConfirmed": True,
        "isPaid": True,
        "confirmedAt": format_datetime(NOW + timedelta(seconds=30)),
    }
    again = _payload(gql, CONFIRM, {"id": order.id})
    assert (
        set(_errors(again)) == {("input", "orderId")}
        and "AWAITING_FULFILMENT" in again["userErrors"][0]["message"]
    )
    listed = _pages_ids(gql, "isFulfilled: false")
    assert order.id in listed


def _pages_ids(gql: Gql, args: str) -> set[str]:
    data = gql.data("{ orders(first: 250, " + args + ") { nodes { id } } }")
    return {node["id"] for node in data["orders"]["nodes"]}


def test_order_confirm_is_absent_when_switched_off() -> None:
    config = SandboxConfig(seed=11, products=5, orders=30, now=NOW, features={"order_confirm": False})
    with SandboxServer(config) as server:
        client = Gql(server)
        body = client(CONFIRM, {"id": server.state.orders[0].id})
        assert "orderConfirm" in body["errors"][0]["message"]
        types = client.data("{ __schema { mutationType { fields { name } } types { name } } }")["__schema"]
        assert "orderConfirm" not in {field["name"] for field in types["mutationType"]["fields"]}
        assert "OrderConfirmInput" not in {t["name"] for t in types["types"]}
        client.close()


# ---------------------------------------------------------------------- test helpers on the state


def test_state_helpers_change_the_world_between_syncs(
    gql: Gql, server: SandboxServer, clock: FakeClock
) -> None:
    clock.now += 3600
    since = format_datetime(NOW + timedelta(seconds=3600))
    query = (
        "query($s: DateTime) { orders(first: 50, since: $s, includeCancelled: true) { nodes { id status } } }"
    )
    assert gql.data(query, {"s": since})["orders"]["nodes"] == []
    new_id = server.state.add_random_order(status="AWAITING_FULFILMENT", lines=3)
    victim = next(o for o in server.state.orders if o.status == "COMPLETED")
    server.state.cancel_order(victim.id)
    touched = next(o for o in server.state.orders if o.status == "AWAITING_DELIVERY")
    server.state.touch_order(touched.id)
    found = {node["id"]: node["status"] for node in gql.data(query, {"s": since})["orders"]["nodes"]}
    assert found == {new_id: "AWAITING_FULFILMENT", victim.id: "CANCELLED", touched.id: "AWAITING_DELIVERY"}
    new_order = server.state.order(new_id)
    assert new_order is not None and len(new_order.lines) == 3 and not new_order.is_fulfilled
    shipped = server.state.order(server.state.add_random_order(status="COMPLETED"))
    assert shipped is not None and shipped.is_fulfilled and shipped.invoices
    assert Decimal(shipped.invoices[0].total_price) == shipped.total_price
