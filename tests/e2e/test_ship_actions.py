"""The shipping actions against the real sandbox over loopback HTTP, writing through to a real cache.

Each test places its own fresh order in the sandbox (``state.add_random_order``) so tests never
depend on the seeded history, and asserts on the sandbox's own state afterwards: what a
retailer would see at Orderchamp.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio

from orderchamp_desktop.core.actions.shipping import (
    CONFIRM_IN_BACK_OFFICE,
    OrderNotShippableError,
    ShipmentInputError,
    ShippingService,
    Tracking,
    map_user_errors,
)
from orderchamp_desktop.core.api import ApiClient
from orderchamp_desktop.core.cache import Store
from orderchamp_desktop.core.errors import SchemaMismatchError, UserErrorsError
from orderchamp_desktop.sandbox import SandboxConfig, SandboxServer

pytestmark = pytest.mark.e2e


def _config(**features: bool) -> SandboxConfig:
    return SandboxConfig(seed=11, products=20, orders=120, restore_rate=5000.0,
                         features={"order_confirm": True, "orders_updated_sort": True, **features})


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer(_config()) as server:
        yield server


@pytest_asyncio.fixture
async def client(sandbox: SandboxServer) -> AsyncIterator[ApiClient]:
    async with ApiClient(sandbox.url, sandbox.token) as api:
        await api.load_schema(None, "e2e")
        yield api


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    cache = Store(tmp_path / "cache.sqlite3")
    yield cache
    cache.close()


class Changed:
    def __init__(self) -> None:
        self.ids: list[str] = []

    def __call__(self, ids: frozenset[str]) -> None:
        self.ids.extend(ids)


@pytest.fixture
def changed() -> Changed:
    return Changed()


@pytest.fixture
def service(client: ApiClient, store: Store, changed: Changed) -> ShippingService:
    return ShippingService(client, store, schema=client.schema, on_changed=changed)


def new_order(sandbox: SandboxServer, lines: int = 2, status: str = "AWAITING_FULFILMENT") -> Any:
    order_id = sandbox.state.add_random_order(status, lines=lines)
    return sandbox.state.order(order_id)


async def create_parcel(client: ApiClient, order_id: str, line_id: str) -> dict[str, Any]:
    """A parcel created but not marked as shipped (as a crash between the two steps leaves it)."""
    return await client.mutate("ShipmentCreate", {"input": {
        "orderId": order_id, "products": [{"id": line_id, "quantity": 1}]}}, payload="shipmentCreate")


def executed(sandbox: SandboxServer, field: str) -> int:
    return int(sandbox.stats.by_field[field])


# ---------------------------------------------------------------- the happy paths

@pytest.mark.asyncio
async def test_partial_then_second_parcel_tracked_and_untracked(
        sandbox: SandboxServer, service: ShippingService, store: Store, changed: Changed) -> None:
    order = new_order(sandbox, lines=2)
    first, second = order.lines
    first_qty = first.quantity
    assert first_qty >= 1

    address = order.shipping_address
    tracking = Tracking.tracked("3SBOL12345678", postal_code=address.postal_code, country=address.country)
    result = await service.ship(order.id, [(first.id, first_qty), (second.id, 0)], tracking)
    assert not result.recovered
    parcel = sandbox.state.get(result.shipment_id, type(order.shipments[0]))
    assert parcel is not None and parcel.status == "SHIPPED"
    assert parcel.tracking_number == "3SBOL12345678" and parcel.carrier == "PostNL"
    assert parcel.tracking_url and parcel.tracking_url.startswith("https://postnl.nl/tracktrace/?B=3SBOL12345678")
    assert [(i.order_product.id, i.quantity) for i in parcel.items] == [(first.id, first_qty)]
    assert first.unshipped_quantity == 0 and second.unshipped_quantity == second.quantity
    assert not order.is_fulfilled

    # The cache shows the parcel at once, and the views were told.
    detail = store.order_detail(order.id)
    assert detail is not None and [s.tracking_number for s in detail.shipments] == ["3SBOL12345678"]
    assert {line.id: line.unshipped_quantity for line in detail.lines} == {
        first.id: 0, second.id: second.quantity}
    assert order.id in changed.ids

    timeframe = service.delivery_timeframes()[1]
    result2 = await service.ship(order.id, [(second.id, second.quantity)], Tracking.untracked(timeframe))
    parcel2 = next(s for s in order.shipments if s.id == result2.shipment_id)
    assert parcel2.status == "SHIPPED" and parcel2.is_tracked is False
    assert parcel2.delivery_timeframe == timeframe and parcel2.tracking_number is None
    assert order.is_fulfilled and order.status == "AWAITING_DELIVERY"
    detail = store.order_detail(order.id)
    assert detail is not None and detail.order.is_fulfilled and detail.order.status == "AWAITING_DELIVERY"
    assert len(detail.shipments) == 2 and all(line.unshipped_quantity == 0 for line in detail.lines)


@pytest.mark.asyncio
async def test_timeframes_come_from_the_live_schema(service: ShippingService) -> None:
    assert service.delivery_timeframes() == ["ONE_TO_TWO_DAYS", "TWO_TO_THREE_DAYS", "THREE_TO_FIVE_DAYS",
                                             "FIVE_TO_TEN_DAYS", "MORE_THAN_TEN_DAYS"]


# ---------------------------------------------------------------- refused before sending

@pytest.mark.asyncio
async def test_over_shipping_is_refused_before_anything_is_sent(
        sandbox: SandboxServer, service: ShippingService) -> None:
    order = new_order(sandbox, lines=2)
    line = order.lines[1]
    before = executed(sandbox, "shipmentCreate")
    with pytest.raises(ShipmentInputError) as caught:
        await service.ship(order.id, [(order.lines[0].id, 0), (line.id, line.quantity + 1)],
                           Tracking.tracked("3SBOL12345678"))
    assert executed(sandbox, "shipmentCreate") == before
    assert sandbox.stats.received_by_field["shipmentCreate"] == before  # not even sent
    assert caught.value.errors[0].field == ("input", "products", "0", "quantity")
    assert map_user_errors(caught.value.errors, [line.id]).lines == {
        line.id: f"Only {line.quantity} left to ship; {line.quantity + 1} is too many."}
    assert order.shipments == []


@pytest.mark.asyncio
async def test_nothing_negative_or_empty_or_mistyped_is_sent(
        sandbox: SandboxServer, service: ShippingService) -> None:
    order = new_order(sandbox, lines=1)
    line = order.lines[0]
    before = sandbox.stats.received_by_field["shipmentCreate"]
    for quantities, tracking in (([(line.id, -1)], Tracking.tracked("3SBOL12345678")),
                                 ([(line.id, 0)], Tracking.tracked("3SBOL12345678")),
                                 ([(line.id, 1)], Tracking.tracked("1Z5R89390357567128")),
                                 ([(line.id, 1)], Tracking.untracked("NEXT_CENTURY"))):
        with pytest.raises(ShipmentInputError):
            await service.ship(order.id, quantities, tracking)
    assert sandbox.stats.received_by_field["shipmentCreate"] == before


@pytest.mark.asyncio
@pytest.mark.parametrize("status", ["AWAITING_CONFIRMATION", "CANCELLED"])
async def test_unconfirmed_and_cancelled_orders_are_never_shipped(
        sandbox: SandboxServer, service: ShippingService, status: str) -> None:
    order = new_order(sandbox, lines=1, status=status)
    before = sandbox.stats.received_by_field["shipmentCreate"]
    with pytest.raises(OrderNotShippableError):
        await service.ship(order.id, [(order.lines[0].id, 1)], Tracking.tracked("3SBOL12345678"))
    assert sandbox.stats.received_by_field["shipmentCreate"] == before


# ---------------------------------------------------------------- userErrors from the server

def _ship_behind_our_back(sandbox: SandboxServer, order_id: str, line_id: str, quantity: int) -> None:
    """Another user ships units in the back office (a real, separate HTTP request)."""
    response = httpx.post(sandbox.url, headers={"Authorization": f"Bearer {sandbox.token}"}, json={
        "query": "mutation($i: ShipmentCreateInput!) "
                 "{ shipmentCreate(input: $i) { userErrors { message } } }",
        "variables": {"i": {"orderId": order_id, "products": [{"id": line_id, "quantity": quantity}]}}})
    assert response.json()["data"]["shipmentCreate"]["userErrors"] == []


@pytest.mark.asyncio
async def test_server_user_error_maps_to_the_line_it_names(
        sandbox: SandboxServer, service: ShippingService, store: Store) -> None:
    order = new_order(sandbox, lines=2)
    line = order.lines[1]
    line.quantity, line.unshipped_quantity = 3, 3  # room for a clash (same order, sandbox state)

    def step(text: str) -> None:
        if text.startswith("Registering"):  # after our fresh read, just before shipmentCreate
            _ship_behind_our_back(sandbox, order.id, line.id, 2)

    with pytest.raises(UserErrorsError) as caught:
        await service.ship(order.id, [(order.lines[0].id, 0), (line.id, 3)],
                           Tracking.tracked("3SBOL12345678"), step=step)
    mapped = map_user_errors(caught.value.errors, [line.id])
    assert "exceeds the unshipped quantity of 1" in mapped.lines[line.id]
    assert len(order.shipments) == 1  # only the other user's parcel


@pytest.mark.asyncio
async def test_server_user_errors_of_shipment_shipped_name_their_field(
        sandbox: SandboxServer, client: ApiClient) -> None:
    order = new_order(sandbox, lines=1)
    created = await create_parcel(client, order.id, order.lines[0].id)
    with pytest.raises(UserErrorsError) as caught:
        await client.mutate("ShipmentShipped", {"input": {"shipmentId": created["shipment"]["id"],
                                                          "isTracked": False}}, payload="shipmentShipped")
    assert map_user_errors(caught.value.errors).fields.keys() == {"deliveryTimeframe"}


# ---------------------------------------------------------------- lost answers

@pytest.mark.asyncio
async def test_dropped_answer_after_shipment_create_makes_exactly_one_shipped_parcel(
        sandbox: SandboxServer, service: ShippingService, store: Store) -> None:
    order = new_order(sandbox, lines=2)
    quantities = [(line.id, line.quantity) for line in order.lines]
    created_before = executed(sandbox, "shipmentCreate")
    drops_before = sandbox.stats.faults["drop_response_after"]
    sandbox.faults.drop_response_after("shipmentCreate")

    result = await service.ship(order.id, quantities, Tracking.tracked("1Z5R89390357567127"))

    assert sandbox.stats.faults["drop_response_after"] == drops_before + 1  # the answer was lost
    assert result.recovered
    assert executed(sandbox, "shipmentCreate") == created_before + 1  # never sent twice
    assert len(order.shipments) == 1
    parcel = order.shipments[0]
    assert parcel.id == result.shipment_id and parcel.status == "SHIPPED" and parcel.carrier == "UPS"
    assert order.is_fulfilled
    detail = store.order_detail(order.id)
    assert detail is not None and len(detail.shipments) == 1 and detail.shipments[0].status == "SHIPPED"


@pytest.mark.asyncio
async def test_dropped_answer_after_shipment_shipped_is_checked_not_resent(
        sandbox: SandboxServer, service: ShippingService) -> None:
    order = new_order(sandbox, lines=1)
    line = order.lines[0]
    shipped_before = executed(sandbox, "shipmentShipped")
    sandbox.faults.drop_response_after("shipmentShipped")

    result = await service.ship(order.id, [(line.id, line.quantity)], Tracking.tracked("3SBOL12345678"))

    assert result.recovered
    assert executed(sandbox, "shipmentShipped") == shipped_before + 1
    assert [s.status for s in order.shipments] == ["SHIPPED"]


@pytest.mark.asyncio
async def test_a_created_but_unshipped_parcel_is_marked_shipped_later(
        sandbox: SandboxServer, client: ApiClient, service: ShippingService, store: Store) -> None:
    order = new_order(sandbox, lines=1)
    created = await create_parcel(client, order.id, order.lines[0].id)
    shipment_id = created["shipment"]["id"]
    state = await service.read_order(order.id)
    assert [p.id for p in state.unshipped_parcels] == [shipment_id]
    detail = store.order_detail(order.id)
    assert detail is not None and detail.shipments[0].status == "AWAITING_SHIPMENT"

    result = await service.mark_shipped(order.id, shipment_id, Tracking.tracked("JVGL0999999990"))
    assert result.shipment_id == shipment_id
    assert order.shipments[0].status == "SHIPPED" and order.shipments[0].carrier == "DHL"
    detail = store.order_detail(order.id)
    assert detail is not None and detail.shipments[0].status == "SHIPPED"


# ---------------------------------------------------------------- confirming

@pytest.mark.asyncio
async def test_confirm_where_the_live_schema_offers_it(
        sandbox: SandboxServer, service: ShippingService, store: Store) -> None:
    order = new_order(sandbox, lines=1, status="AWAITING_CONFIRMATION")
    assert service.can_confirm()
    state = await service.confirm(order.id)
    assert state.is_confirmed and order.is_confirmed and order.status == "AWAITING_FULFILMENT"
    detail = store.order_detail(order.id)
    assert detail is not None and detail.order.is_confirmed


@pytest.mark.asyncio
async def test_without_order_confirm_in_the_schema_the_app_points_to_the_back_office(
        tmp_path: Path) -> None:
    with SandboxServer(_config(order_confirm=False)) as server:
        async with ApiClient(server.url, server.token) as api:
            schema = await api.load_schema(None, "no-confirm")
            assert not schema.has_mutation("orderConfirm")
            service = ShippingService(api, None, schema=schema)
            assert not service.can_confirm()
            order_id = server.state.add_random_order("AWAITING_CONFIRMATION", lines=1)
            with pytest.raises(SchemaMismatchError) as caught:
                await service.confirm(order_id)
            assert caught.value.user_message == CONFIRM_IN_BACK_OFFICE
            assert server.stats.received_by_field["orderConfirm"] == 0
