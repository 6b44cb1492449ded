"""Typed rows the views read from the cache. Immutable, Decimal money, ISO timestamp strings.

Named tuples rather than frozen dataclasses: this module loads before the first paint,
and seventeen slotted frozen dataclasses took 30-60 ms to create (each generates and
compiles half a dozen methods); named tuples take a tenth of that.

Statuses and other enum values are plain strings: a value the app does not know yet
(a new order status) is stored and shown as-is instead of failing.
"""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple


class Address(NamedTuple):
    company_name: str | None = None
    name: str | None = None
    street: str | None = None
    house_number: str | None = None
    postal_code: str | None = None
    city: str | None = None
    country: str | None = None
    phone: str | None = None
    vat_number: str | None = None

    def lines(self) -> list[str]:
        """The address as printable lines (empty parts left out), e.g. for packing slips."""
        street = " ".join(p for p in (self.street, self.house_number) if p)
        place = " ".join(p for p in (self.postal_code, self.city) if p)
        parts = (self.company_name, self.name, street, place, self.country, self.phone)
        return [p for p in parts if p]


class AccountRow(NamedTuple):
    id: str | None
    name: str | None
    email: str | None
    currency: str | None
    address: Address | None
    synced_at: str | None


class LocationRow(NamedTuple):
    id: str
    name: str
    is_primary: bool
    is_fulfilment_centre: bool
    address: Address | None


class OrderRow(NamedTuple):
    """One line of the order table."""

    id: str
    number: str
    reference: str | None
    retailer: str
    city: str
    country: str | None
    status: str
    is_paid: bool
    is_confirmed: bool
    is_cancelled: bool
    is_fulfilled: bool
    items: int  # units ordered (sum of line quantities); productsCount when lines are unknown
    unshipped: int  # units still to ship
    products_count: int | None
    total: Decimal | None
    currency: str | None
    created_at: str | None
    confirmed_at: str | None
    updated_at: str | None

    @property
    def needs_action(self) -> bool:
        """Confirmed, not cancelled, not fulfilled: what the brand has to ship."""
        return self.is_confirmed and not self.is_cancelled and not self.is_fulfilled


class OrderLine(NamedTuple):
    id: str
    position: int
    title: str
    variant_title: str | None
    brand: str | None
    sku: str | None
    ean: str | None
    case_quantity: int | None
    quantity: int
    unshipped_quantity: int
    unit_price: Decimal | None
    subtotal_price: Decimal | None
    tax_price: Decimal | None
    total_price: Decimal | None


class ShipmentItem(NamedTuple):
    id: str
    order_product_id: str | None
    quantity: int
    title: str | None  # from the order line it ships (None if that line is unknown)
    variant_title: str | None
    sku: str | None


class ShipmentRow(NamedTuple):
    id: str
    status: str | None
    is_tracked: bool | None
    tracking_number: str | None
    tracking_url: str | None
    carrier: str | None
    delivery_timeframe: str | None
    shipped_at: str | None
    created_at: str | None
    items: tuple[ShipmentItem, ...]


class InvoiceRef(NamedTuple):
    id: str
    number: str | None
    type: str | None
    status: str | None
    total: Decimal | None


class OrderDetail(NamedTuple):
    order: OrderRow
    billing_address: Address | None
    shipping_address: Address | None
    subtotal_price: Decimal | None
    shipping_price: Decimal | None
    tax_price: Decimal | None
    total_price: Decimal | None
    vat_number: str | None
    note: str | None
    paid_at: str | None
    delivered_at: str | None
    cancelled_at: str | None
    estimated_delivery_at: str | None
    lines: tuple[OrderLine, ...]
    shipments: tuple[ShipmentRow, ...]
    invoices: tuple[InvoiceRef, ...]
    complete: bool  # False while some lines or shipments are still to be fetched


class ProductRow(NamedTuple):
    id: str
    title: str
    brand: str | None
    category_path: str | None
    image_url: str | None
    variants: int
    inventory: int  # sum of the variants' inventoryQuantity
    min_price: Decimal | None
    max_price: Decimal | None
    created_at: str | None
    updated_at: str | None


class VariantRow(NamedTuple):
    id: str
    product_id: str
    product_title: str | None
    title: str
    sku: str | None
    ean: str | None
    option1: str | None
    option2: str | None
    option3: str | None
    color: str | None
    size: str | None
    option: str | None
    case_quantity: int | None
    price: Decimal | None
    msrp: Decimal | None
    inventory_quantity: int
    inventory_policy: str | None
    lead_time: str | None
    made_in: str | None
    available_at: str | None
    tags: tuple[str, ...]
    weight: Decimal | None
    length: Decimal | None
    width: Decimal | None
    height: Decimal | None
    diameter: Decimal | None
    volume: Decimal | None
    hs_code: str | None
    external_id: str | None
    updated_at: str | None


class InventoryRow(NamedTuple):
    """One variant with its stock per location (``quantities`` follows ``InventoryMatrix.locations``)."""

    variant_id: str
    product_id: str
    product_title: str | None
    variant_title: str | None
    sku: str | None
    ean: str | None
    quantities: tuple[int | None, ...]  # None: no inventory level at that location
    total: int
    inventory_quantity: int
    inventory_policy: str | None


class InventoryMatrix(NamedTuple):
    locations: tuple[LocationRow, ...]
    rows: tuple[InventoryRow, ...]


class InvoiceRow(NamedTuple):
    id: str
    number: str
    type: str | None
    status: str | None
    is_paid: bool
    is_credit: bool
    currency: str | None
    subtotal: Decimal | None
    tax: Decimal | None
    total: Decimal | None
    order_id: str | None
    order_number: str | None
    receiver: str | None  # receiver company name
    created_at: str | None


class InvoiceItemRow(NamedTuple):
    id: str
    position: int
    title: str
    type: str | None
    sku: str | None
    case_quantity: int | None
    quantity: int
    currency: str | None
    unit_price: Decimal | None
    subtotal_price: Decimal | None
    tax_price: Decimal | None
    tax_rate: Decimal | None
    total_price: Decimal | None


class InvoiceDetail(NamedTuple):
    invoice: InvoiceRow
    is_tax_shifted: bool
    tax_country: str | None
    issuer: Address | None
    receiver: Address | None
    items: tuple[InvoiceItemRow, ...]
    updated_at: str | None
    complete: bool


class SyncState(NamedTuple):
    entity: str
    cursor: str | None
    watermark: str | None
    completed: bool
    run: int
    done: int
    total: int | None
    started_at: str | None
    finished_at: str | None
    last_full_at: str | None
    last_incremental_at: str | None
