"""Mutations on orders: shipmentCreate, shipmentShipped and the switchable orderConfirm."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from .model import Order, OrderProduct, Shipment
from .orders import add_invoice, add_shipment, tracking_url
from .resolvers import Info
from .state import SandboxState
from .validation import UserErrors, is_web_url, state_of

MAX_TRACKING = 100


def _check_shippable(order: Order | None, errors: UserErrors, path: list[str | int]) -> Order | None:
    if order is None:
        errors.add(path, "Order not found.")
    elif order.is_cancelled or order.status == "CANCELLED":
        errors.add(path, f"Order {order.number} has been cancelled and can't be shipped.")
    elif not order.is_confirmed:
        errors.add(path, f"Order {order.number} has not been confirmed yet; confirm it before shipping.")
    else:
        return order
    return None


def _shipment_items(
    state: SandboxState, order: Order, products: list[dict[str, Any]], errors: UserErrors
) -> list[tuple[OrderProduct, int]]:
    """(order line, quantity) pairs; over-shipping is checked on the total per line."""
    items: list[tuple[OrderProduct, int]] = []
    totals: dict[int, int] = defaultdict(int)
    for index, entry in enumerate(products):
        line = state.get(entry["id"], OrderProduct)
        if line is None:
            errors.add(
                ["products", index, "id"],
                "Order product not found (use the OrderProduct id, not the Product id).",
            )
            continue
        if line.order is not order:
            errors.add(
                ["products", index, "id"],
                f"This product belongs to order {line.order.number}, not {order.number}.",
            )
            continue
        quantity = entry["quantity"]
        if quantity <= 0:
            errors.add(["products", index, "quantity"], "Quantity must be greater than 0.")
            continue
        totals[line.num] += quantity
        if totals[line.num] > line.unshipped_quantity:
            errors.add(
                ["products", index, "quantity"],
                f"Quantity {totals[line.num]} exceeds the unshipped quantity of {line.unshipped_quantity}"
                f" for {line.sku or line.title}.",
            )
            continue
        items.append((line, quantity))
    return items


def resolve_shipment_create(_root: Any, info: Info, input: dict[str, Any]) -> dict[str, Any]:
    state = state_of(info)
    errors = UserErrors()
    order = _check_shippable(state.get(input["orderId"], Order), errors, ["orderId"])
    if order is None:
        return {"shipment": None, "userErrors": errors.items}
    if not input["products"]:
        errors.add(["products"], "Choose at least one product to ship.")
    items = _shipment_items(state, order, input["products"], errors)
    if errors:
        return {"shipment": None, "userErrors": errors.items}
    now = state.now()
    shipment = add_shipment(state, None, order, items, now, None)
    order.status = "FULFILMENT_IN_PROGRESS"
    order.updated_at = now
    return {"shipment": shipment, "userErrors": []}


def _check_tracking(data: dict[str, Any], errors: UserErrors) -> None:
    tracking = (data.get("trackingNumber") or "").strip()
    if data.get("isTracked") is False:
        if not data.get("deliveryTimeframe"):
            errors.add(["deliveryTimeframe"], "Give a delivery timeframe when the shipment is not tracked.")
    elif not tracking:
        errors.add(
            ["trackingNumber"],
            "Give a tracking number, or set isTracked to false and give a delivery timeframe.",
        )
    if len(tracking) > MAX_TRACKING or any(char.isspace() for char in tracking):
        errors.add(["trackingNumber"], "Tracking number must be one word of at most 100 characters.")
    if data.get("trackingUrl") is not None and not is_web_url(data["trackingUrl"]):
        errors.add(["trackingUrl"], "Tracking URL must be an http(s) URL.")


def guess_carrier(tracking: str) -> str | None:
    if tracking.startswith("3S"):
        return "PostNL"
    if tracking.startswith("JVGL"):
        return "DHL"
    if tracking.startswith("1Z"):
        return "UPS"
    if tracking.isdigit() and len(tracking) == 14:
        return "DPD"
    return None


def _mark_shipped(shipment: Shipment, data: dict[str, Any], now: datetime) -> None:
    tracked = data.get("isTracked") is not False
    tracking = (data.get("trackingNumber") or "").strip() or None
    address = shipment.order.shipping_address
    shipment.status = "SHIPPED"
    shipment.shipped_at = shipment.updated_at = now
    shipment.is_tracked = tracked
    shipment.tracking_number = tracking if tracked else None
    shipment.carrier = data.get("carrier") or (guess_carrier(tracking) if tracking and tracked else None)
    shipment.delivery_timeframe = data.get("deliveryTimeframe")
    url = data.get("trackingUrl")
    if url is None and tracked and tracking and shipment.carrier:
        url = tracking_url(shipment.carrier, tracking, address.postal_code, address.country)
    shipment.tracking_url = url


def resolve_shipment_shipped(_root: Any, info: Info, input: dict[str, Any]) -> dict[str, Any]:
    state = state_of(info)
    errors = UserErrors()
    shipment = state.get(input["shipmentId"], Shipment)
    if shipment is None:
        errors.add(["shipmentId"], "Shipment not found.")
    elif shipment.status != "AWAITING_SHIPMENT":
        errors.add(["shipmentId"], "This shipment has already been shipped.")
    elif shipment.order.is_cancelled:
        errors.add(["shipmentId"], f"Order {shipment.order.number} has been cancelled.")
    _check_tracking(input, errors)
    if errors or shipment is None:
        return {"shipment": None, "userErrors": errors.items}
    now = state.now()
    _mark_shipped(shipment, input, now)
    order = shipment.order
    order.updated_at = now
    if order.is_fulfilled:
        order.status = "AWAITING_DELIVERY"
        add_invoice(state, order, now)
    else:
        order.status = "FULFILMENT_IN_PROGRESS"
    return {"shipment": shipment, "userErrors": []}


def resolve_order_confirm(_root: Any, info: Info, input: dict[str, Any]) -> dict[str, Any]:
    state = state_of(info)
    errors = UserErrors()
    order = state.get(input["orderId"], Order)
    if order is None:
        errors.add(["orderId"], "Order not found.")
    elif order.status != "AWAITING_CONFIRMATION" or order.is_confirmed or order.is_cancelled:
        errors.add(
            ["orderId"],
            f"Only orders awaiting confirmation can be confirmed; {order.number} is {order.status}.",
        )
    if errors or order is None:
        return {"order": None, "userErrors": errors.items}
    now = state.now()
    order.is_confirmed = order.is_paid = True
    order.confirmed_at = order.paid_at = order.updated_at = now
    order.estimated_delivery_at = now + timedelta(days=4)
    order.status = "AWAITING_FULFILMENT"
    return {"order": order, "userErrors": []}
