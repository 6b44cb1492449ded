"""An order as the fulfilment actions see it, parsed from the OrderForShipping answer.

Plain typed data (no Qt, no I/O): the raw node is kept alongside so it can be written
through to the cache unchanged with ``Store.apply_order``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

#: Shipment statuses of the schema; unknown future values are kept as-is.
AWAITING_SHIPMENT = "AWAITING_SHIPMENT"
SHIPPED = "SHIPPED"


def _int(value: object, default: int = 0) -> int:
    if isinstance(value, bool):
        return default
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            return default
    return default


def _str(value: object) -> str | None:
    if value is None:
        return None
    return str(value)


def _nodes(connection: object) -> list[Mapping[str, Any]]:
    """The nodes of a connection, from ``nodes`` or ``edges{node}``; missing/null gives []."""
    if not isinstance(connection, Mapping):
        return []
    nodes = connection.get("nodes")
    if isinstance(nodes, list):
        return [n for n in nodes if isinstance(n, Mapping)]
    edges = connection.get("edges")
    if isinstance(edges, list):
        return [e["node"] for e in edges if isinstance(e, Mapping) and isinstance(e.get("node"), Mapping)]
    return []


def has_next_page(connection: object) -> bool:
    if not isinstance(connection, Mapping):
        return False
    info = connection.get("pageInfo")
    return bool(isinstance(info, Mapping) and info.get("hasNextPage"))


@dataclass(frozen=True)
class OrderLine:
    """One ordered product (an OrderProduct), with what is still to ship."""

    id: str
    title: str
    variant_title: str | None
    sku: str | None
    ean: str | None
    quantity: int
    unshipped: int


@dataclass(frozen=True)
class ShipmentState:
    """One parcel of an order: its items (order product id -> quantity) and tracking."""

    id: str
    status: str
    items: Mapping[str, int]
    is_tracked: bool | None = None
    tracking_number: str | None = None
    tracking_url: str | None = None
    carrier: str | None = None
    delivery_timeframe: str | None = None
    shipped_at: str | None = None
    created_at: str | None = None

    @property
    def is_shipped(self) -> bool:
        """Marked as shipped (or later: delivered). Unknown new statuses count as shipped,
        so the app never offers to ship something twice."""
        return self.status != AWAITING_SHIPMENT


@dataclass(frozen=True)
class OrderState:
    """An order with its lines and shipments, fresh from the API."""

    id: str
    number: str
    status: str
    is_confirmed: bool
    is_cancelled: bool
    is_fulfilled: bool
    lines: tuple[OrderLine, ...]
    shipments: tuple[ShipmentState, ...]
    postal_code: str | None = None
    country: str | None = None
    node: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_node(cls, node: Mapping[str, Any]) -> OrderState:
        address = node.get("shippingAddress")
        address = address if isinstance(address, Mapping) else {}
        lines = tuple(
            OrderLine(
                id=str(n.get("id")),
                title=_str(n.get("title")) or "",
                variant_title=_str(n.get("variantTitle")),
                sku=_str(n.get("sku")),
                ean=_str(n.get("ean")),
                quantity=_int(n.get("quantity")),
                unshipped=_int(n.get("unshippedQuantity")),
            )
            for n in _nodes(node.get("products"))
        )
        shipments = tuple(_shipment(n) for n in _nodes(node.get("shipments")))
        return cls(
            id=str(node.get("id")),
            number=_str(node.get("number")) or "",
            status=_str(node.get("status")) or "",
            is_confirmed=bool(node.get("isConfirmed")),
            is_cancelled=bool(node.get("isCancelled")),
            is_fulfilled=bool(node.get("isFulfilled")),
            lines=lines,
            shipments=shipments,
            postal_code=_str(address.get("postalCode")),
            country=_str(address.get("country")),
            node=node,
        )

    def line(self, line_id: str) -> OrderLine | None:
        return next((line for line in self.lines if line.id == line_id), None)

    def shipment(self, shipment_id: str) -> ShipmentState | None:
        return next((s for s in self.shipments if s.id == shipment_id), None)

    @property
    def unshipped(self) -> dict[str, int]:
        return {line.id: line.unshipped for line in self.lines}

    @property
    def unshipped_parcels(self) -> tuple[ShipmentState, ...]:
        """Shipments created but not yet marked as shipped."""
        return tuple(s for s in self.shipments if not s.is_shipped)


def _shipment(node: Mapping[str, Any]) -> ShipmentState:
    items: dict[str, int] = {}
    for item in _nodes(node.get("products")):
        order_product = item.get("orderProduct")
        if isinstance(order_product, Mapping) and order_product.get("id") is not None:
            key = str(order_product["id"])
            items[key] = items.get(key, 0) + _int(item.get("quantity"))
    tracked = node.get("isTracked")
    return ShipmentState(
        id=str(node.get("id")),
        status=_str(node.get("status")) or "",
        items=items,
        is_tracked=tracked if isinstance(tracked, bool) else None,
        tracking_number=_str(node.get("trackingNumber")),
        tracking_url=_str(node.get("trackingUrl")),
        carrier=_str(node.get("carrier")),
        delivery_timeframe=_str(node.get("deliveryTimeframe")),
        shipped_at=_str(node.get("shippedAt")),
        created_at=_str(node.get("createdAt")),
    )


def is_truncated(node: Mapping[str, Any]) -> tuple[bool, bool, bool]:
    """Whether the lines, the shipments, or any shipment's items had more pages."""
    shipments = node.get("shipments")
    items_more = any(has_next_page(s.get("products")) for s in _nodes(shipments))
    return has_next_page(node.get("products")), has_next_page(shipments), items_more
