"""The generated world: deterministic, fast, realistic, and internally consistent."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from graphql import GraphQLEnumType

from orderchamp_desktop.sandbox import SandboxConfig
from orderchamp_desktop.sandbox.catalog import ean13_check_digit, is_valid_ean13
from orderchamp_desktop.sandbox.ids import decode_gid, encode_gid
from orderchamp_desktop.sandbox.scalars import format_decimal, to_decimal
from orderchamp_desktop.sandbox.schema import build_sandbox_schema
from orderchamp_desktop.sandbox.state import SandboxState
from orderchamp_desktop.sandbox.world import build_state

NOW = datetime(2025, 6, 2, 9, 30, tzinfo=UTC)
SLA = timedelta(hours=48)


@pytest.fixture(scope="module")
def world() -> SandboxState:
    return build_state(SandboxConfig(now=NOW))


def _fingerprint(state: SandboxState) -> list[Any]:
    return [
        (
            o.id,
            o.number,
            o.status,
            o.created_at,
            o.updated_at,
            o.reference,
            str(o.total_price),
            o.billing_address.company_name,
            [(line.sku, line.quantity) for line in o.lines],
            [(s.status, s.tracking_number) for s in o.shipments],
        )
        for o in state.orders
    ] + [(v.id, v.sku, v.ean, v.price, v.inventory_quantity) for v in state.variants]


def test_same_seed_same_world_other_seed_other_world() -> None:
    config = {"products": 30, "orders": 300, "now": NOW}
    first = build_state(SandboxConfig(seed=9, **config))  # type: ignore[arg-type]
    again = build_state(SandboxConfig(seed=9, **config))  # type: ignore[arg-type]
    other = build_state(SandboxConfig(seed=10, **config))  # type: ignore[arg-type]
    assert _fingerprint(first) == _fingerprint(again)
    assert _fingerprint(first) != _fingerprint(other)


def test_default_world_size(world: SandboxState) -> None:
    assert len(world.products) == 150 and 500 <= len(world.variants) <= 700
    assert len(world.orders) == 2000 and len(world.webhooks) >= 2
    assert len(world.locations) == 3
    assert [loc.is_primary for loc in world.locations] == [True, False, False]
    assert sum(loc.is_orderchamp_fulfilment_centre for loc in world.locations) == 1
    assert world.account is not None and world.account.currency == "EUR"


def test_every_status_occurs_and_some_orders_need_action(world: SandboxState) -> None:
    schema = build_sandbox_schema(world.config)
    statuses = schema.type_map["OrderStatus"]
    assert isinstance(statuses, GraphQLEnumType)
    counts = Counter(order.status for order in world.orders)
    assert set(counts) == set(statuses.values)
    assert counts.most_common(1)[0][0] == "COMPLETED" and counts["CANCELLED"] > 50
    needs_action = [o for o in world.orders if o.is_confirmed and not o.is_cancelled and not o.is_fulfilled]
    assert 25 <= len(needs_action) <= 40
    waiting = [o for o in world.orders if o.status == "AWAITING_FULFILMENT"]
    late = [o for o in waiting if o.confirmed_at and NOW - o.confirmed_at > SLA]
    assert late and len(late) < len(waiting)
    assert all(not o.is_confirmed for o in world.orders if o.status == "AWAITING_CONFIRMATION")
    partial = [o for o in world.orders if o.status == "FULFILMENT_IN_PROGRESS"]
    assert partial and all(o.shipments and any(line.unshipped_quantity for line in o.lines) for o in partial)
    big = [o for o in world.orders if len(o.lines) >= 40]
    assert len(big) >= 2 and any(not o.is_fulfilled for o in big)


def test_history_spans_eighteen_months_before_now(world: SandboxState) -> None:
    created = [order.created_at for order in world.orders]
    assert max(created) <= NOW and min(created) >= NOW - timedelta(days=549)
    assert min(created) <= NOW - timedelta(days=500)
    assert [o.created_at for o in world.orders] == sorted(created)  # ids grow with time
    assert [o.num for o in world.orders] == sorted(o.num for o in world.orders)


def test_order_money_adds_up(world: SandboxState) -> None:
    for order in world.orders:
        assert order.subtotal_price + order.shipping_price + order.tax_price == order.total_price
        assert order.subtotal_price == sum(line.subtotal_price for line in order.lines)
        for line in order.lines:
            assert line.subtotal_price == line.unit_price * line.quantity
            assert abs(line.tax_price - line.subtotal_price * Decimal("0.21")) <= Decimal("0.005")
            assert line.total_price == line.subtotal_price + line.tax_price
            assert line.quantity % line.case_quantity == 0
        for invoice in order.invoices:
            assert invoice.total_price == order.total_price
            assert invoice.subtotal_price + invoice.tax_price == invoice.total_price


def test_shipping_state_is_consistent(world: SandboxState) -> None:
    for order in world.orders:
        for line in order.lines:
            in_shipments = sum(
                i.quantity for s in order.shipments for i in s.items if i.order_product is line
            )
            assert line.unshipped_quantity == line.quantity - in_shipments >= 0
        assert order.is_fulfilled == (
            all(line.unshipped_quantity == 0 for line in order.lines)
            and all(s.status == "SHIPPED" for s in order.shipments)
        )
        for shipment in order.shipments:
            if shipment.status == "SHIPPED":
                assert shipment.shipped_at is not None
                assert shipment.tracking_number or (
                    shipment.is_tracked is False and shipment.delivery_timeframe
                )
        if order.status in ("COMPLETED", "AWAITING_DELIVERY", "ISSUE_REPORTED"):
            assert order.is_fulfilled and order.invoices
        if order.is_fulfilled:
            assert len(order.invoices) == 1
        if order.status == "COMPLETED":
            assert order.delivered_at is not None


def test_timelines_run_forwards(world: SandboxState) -> None:
    for order in world.orders:
        moments = [
            order.created_at,
            order.confirmed_at,
            *(s.shipped_at for s in order.shipments),
            order.delivered_at,
        ]
        present = [moment for moment in moments if moment is not None]
        assert present == sorted(present), order.number
        touched = [order.cancelled_at or order.created_at, *(s.updated_at for s in order.shipments)]
        assert order.updated_at == max(present + touched)
        assert order.updated_at <= NOW
        assert order.is_confirmed == order.is_paid == (order.confirmed_at is not None)
        assert order.is_cancelled == (order.status == "CANCELLED") == (order.cancelled_at is not None)


def test_catalogue_codes_are_valid_and_unique(world: SandboxState) -> None:
    skus = [variant.sku for variant in world.variants]
    eans = [variant.ean for variant in world.variants]
    assert len(set(skus)) == len(skus) and len(set(eans)) == len(eans)
    assert all(ean is not None and is_valid_ean13(ean) for ean in eans)
    for variant in world.variants:
        assert (
            variant.price is not None
            and variant.price > 0
            and variant.price == variant.price.quantize(Decimal("0.01"))
        )
        assert variant.inventory_quantity == sum(level.quantity for level in variant.levels.values())
        assert len(variant.levels) == 3
        assert world.categories[variant.product.category_path or ""].depth == 2


def test_texts_are_varied_like_real_data(world: SandboxState) -> None:
    descriptions = " ".join(product.description or "" for product in world.products)
    assert "🎁" in descriptions and "<b>" in descriptions and "&" in descriptions
    assert any("\u0590" <= char <= "\u06ff" for char in descriptions)  # Hebrew or Arabic
    assert any(product.description is None for product in world.products)
    assert any(len(product.description or "") > 1000 for product in world.products)
    countries = Counter(order.billing_address.country for order in world.orders)
    assert set(countries) == {"NL", "BE", "DE", "FR"} and countries.most_common(1)[0][0] == "NL"
    cities = {order.billing_address.city for order in world.orders}
    assert {"Köln", "Liège"} & cities and any("ß" in (o.billing_address.street or "") for o in world.orders)
    references = [order.reference for order in world.orders]
    assert None in references and sum(ref is not None for ref in references) > 1000


def test_ids_and_codes_helpers() -> None:
    assert encode_gid("Product", 568489920151553) == "UHJvZHVjdDo1Njg0ODk5MjAxNTE1NTM"
    assert decode_gid("UHJvZHVjdDo1Njg0ODk5MjAxNTE1NTM") == ("Product", 568489920151553)
    assert decode_gid("UHJvZHVjdDo1Njg0ODk5MjAxNTE1NTM=") == ("Product", 568489920151553)
    assert decode_gid("not base64!") is None and decode_gid("bm9jb2xvbg") is None
    assert ean13_check_digit("400638133393") == "1" and is_valid_ean13("4006381333931")
    assert not is_valid_ean13("4006381333932")


def test_decimal_scalar_is_exact() -> None:
    assert to_decimal("0.1") + to_decimal("0.2") == Decimal("0.3")
    assert format_decimal(Decimal("100")) == "100.00" and format_decimal("0.125") == "0.125"
    assert format_decimal(Decimal("12345678901234567890.10")) == "12345678901234567890.10"
    with pytest.raises(Exception, match="decimal"):
        to_decimal("NaN")
    with pytest.raises(Exception, match="decimal"):
        to_decimal(True)
