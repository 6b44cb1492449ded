"""The in-memory world: plain dataclasses with snake_case attributes.

GraphQL fields map onto attributes by name (camelCase -> snake_case, see resolvers.py);
derived values (totals, inventory sums, fulfilment) are properties so they can never drift
from the data they summarise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
TAX_RATE = Decimal("0.21")  # Dutch VAT: every sandbox order is invoiced from the Netherlands.


def money(value: Decimal) -> Decimal:
    """Round to cents, half up (as an invoice does)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def tax_of(amount: Decimal) -> Decimal:
    return money(amount * TAX_RATE)


@dataclass(slots=True)
class Address:
    company_name: str | None = None
    name: str | None = None
    street: str | None = None
    house_number: str | None = None
    postal_code: str | None = None
    city: str | None = None
    country: str | None = None
    phone: str | None = None


@dataclass(slots=True)
class InvoiceParty:
    company_name: str | None
    street: str | None
    house_number: str | None
    postal_code: str | None
    city: str | None
    country: str | None
    vat_number: str | None


@dataclass(slots=True)
class Category:
    path: str
    name: str
    depth: int
    parent: Category | None
    translation: dict[str, str | None]


@dataclass(slots=True)
class Account:
    id: str
    num: int
    name: str
    email: str
    currency: str
    address: Address
    vat_number: str


@dataclass(slots=True)
class Location:
    id: str
    num: int
    name: str
    is_primary: bool
    is_orderchamp_fulfilment_centre: bool
    address: Address


@dataclass(slots=True)
class Image:
    id: str
    num: int
    position: int
    original_url: str


class OptionFields:
    """``option1`` to ``option3`` as the API shows them, each from the class's ``_option(index)``."""

    __slots__ = ()

    def _option(self, index: int) -> str | None:
        raise NotImplementedError

    @property
    def option1(self) -> str | None:
        return self._option(0)

    @property
    def option2(self) -> str | None:
        return self._option(1)

    @property
    def option3(self) -> str | None:
        return self._option(2)


@dataclass(slots=True, eq=False)
class Product(OptionFields):
    id: str
    num: int
    title: str
    description: str | None
    brand: str | None
    category_path: str | None
    option_names: list[str]
    created_at: datetime
    updated_at: datetime
    external_product_id: str | None = None
    images: list[Image] = field(default_factory=list)
    variants: list[ProductVariant] = field(default_factory=list)
    weight: Decimal | None = None
    length: Decimal | None = None
    width: Decimal | None = None
    height: Decimal | None = None
    diameter: Decimal | None = None
    volume: Decimal | None = None

    def _option(self, index: int) -> str | None:
        return self.option_names[index] if index < len(self.option_names) else None

    @property
    def featured_image(self) -> Image | None:
        return min(self.images, key=lambda image: image.position) if self.images else None


@dataclass(slots=True, eq=False)
class InventoryLevel:
    id: str
    num: int
    quantity: int
    product_variant: ProductVariant
    location: Location
    updated_at: datetime


@dataclass(slots=True, eq=False)
class ProductVariant(OptionFields):
    """A sellable variant. ``options`` maps the product's option names ("Size", "Color"...) to values."""

    id: str
    num: int
    product: Product
    options: dict[str, str]
    sku: str | None
    ean: str | None
    price: Decimal | None
    msrp: Decimal | None
    case_quantity: int
    inventory_policy: str
    created_at: datetime
    updated_at: datetime
    external_product_variant_id: str | None = None
    made_in: str | None = None
    lead_time: str | None = None
    available_at: date | None = None
    tags: list[str] = field(default_factory=list)
    filter_material: list[str] = field(default_factory=list)
    weight: Decimal | None = None
    length: Decimal | None = None
    width: Decimal | None = None
    height: Decimal | None = None
    diameter: Decimal | None = None
    volume: Decimal | None = None
    hs_code: str | None = None
    images: list[Image] = field(default_factory=list)
    levels: dict[int, InventoryLevel] = field(default_factory=dict)  # by location number

    def _option(self, index: int) -> str | None:
        names = self.product.option_names
        return self.options.get(names[index]) if index < len(names) else None

    @property
    def title(self) -> str:
        values = [self.options[name] for name in self.product.option_names if self.options.get(name)]
        return ", ".join(values) if values else "Default"

    @property
    def color(self) -> str | None:
        return self.options.get("Color")

    @property
    def size(self) -> str | None:
        return self.options.get("Size")

    @property
    def option(self) -> str | None:
        return self.options.get("Option")

    @property
    def product_title(self) -> str:
        return self.product.title

    @property
    def product_description(self) -> str | None:
        return self.product.description

    @property
    def brand(self) -> str | None:
        return self.product.brand

    @property
    def inventory_quantity(self) -> int:
        return sum(level.quantity for level in self.levels.values())


@dataclass(slots=True, eq=False)
class OrderProduct:
    id: str
    num: int
    order: Order
    product_variant: ProductVariant | None
    brand: str | None
    title: str
    variant_title: str | None
    sku: str | None
    ean: str | None
    case_quantity: int
    quantity: int
    unshipped_quantity: int
    unit_price: Decimal

    @property
    def subtotal_price(self) -> Decimal:
        return money(self.unit_price * self.quantity)

    @property
    def tax_price(self) -> Decimal:
        return tax_of(self.subtotal_price)

    @property
    def total_price(self) -> Decimal:
        return self.subtotal_price + self.tax_price

    @property
    def shipped_quantity(self) -> int:
        """Units in shipments that have actually been shipped."""
        return sum(
            item.quantity
            for shipment in self.order.shipments
            if shipment.status != "AWAITING_SHIPMENT"
            for item in shipment.items
            if item.order_product is self
        )


@dataclass(slots=True, eq=False)
class ShipmentProduct:
    id: str
    num: int
    quantity: int
    order_product: OrderProduct


@dataclass(slots=True, eq=False)
class Shipment:
    id: str
    num: int
    order: Order
    status: str
    created_at: datetime
    updated_at: datetime
    items: list[ShipmentProduct] = field(default_factory=list)
    is_tracked: bool | None = None
    tracking_number: str | None = None
    tracking_url: str | None = None
    carrier: str | None = None
    delivery_timeframe: str | None = None
    shipped_at: datetime | None = None


@dataclass(slots=True, eq=False)
class InvoiceItem:
    id: str
    num: int
    title: str
    type: str
    sku: str | None
    case_quantity: int | None
    quantity: int
    currency: str
    unit_price: Decimal
    tax_rate: Decimal
    created_at: datetime
    updated_at: datetime

    @property
    def subtotal_price(self) -> Decimal:
        return money(self.unit_price * self.quantity)

    @property
    def tax_price(self) -> Decimal:
        return money(self.subtotal_price * self.tax_rate / 100)

    @property
    def total_price(self) -> Decimal:
        return self.subtotal_price + self.tax_price


@dataclass(slots=True, eq=False)
class SupplierInvoice:
    id: str
    num: int
    number: str
    currency: str
    type: str
    status: str
    is_credit: bool
    is_tax_shifted: bool
    tax_country: str | None
    issuer: InvoiceParty
    receiver: InvoiceParty
    order: Order | None
    created_at: datetime
    updated_at: datetime
    items: list[InvoiceItem] = field(default_factory=list)

    @property
    def is_paid(self) -> bool:
        return self.status == "PAID"

    @property
    def subtotal_price(self) -> Decimal:
        return sum((item.subtotal_price for item in self.items), Decimal("0.00"))

    @property
    def tax_price(self) -> Decimal:
        return sum((item.tax_price for item in self.items), Decimal("0.00"))

    @property
    def total_price(self) -> Decimal:
        return self.subtotal_price + self.tax_price


@dataclass(slots=True, eq=False)
class Order:
    id: str
    num: int
    number: str
    reference: str | None
    status: str
    is_paid: bool
    is_confirmed: bool
    is_cancelled: bool
    created_at: datetime
    updated_at: datetime
    currency: str
    shipping_price: Decimal
    billing_address: Address
    shipping_address: Address
    vat_number: str | None
    note: str | None = None
    paid_at: datetime | None = None
    confirmed_at: datetime | None = None
    delivered_at: datetime | None = None
    cancelled_at: datetime | None = None
    estimated_delivery_at: datetime | None = None
    lines: list[OrderProduct] = field(default_factory=list)
    shipments: list[Shipment] = field(default_factory=list)
    invoices: list[SupplierInvoice] = field(default_factory=list)

    @property
    def subtotal_price(self) -> Decimal:
        return sum((line.subtotal_price for line in self.lines), Decimal("0.00"))

    @property
    def tax_price(self) -> Decimal:
        return sum((line.tax_price for line in self.lines), Decimal("0.00")) + tax_of(self.shipping_price)

    @property
    def total_price(self) -> Decimal:
        return self.subtotal_price + self.shipping_price + self.tax_price

    @property
    def products_count(self) -> int:
        return len(self.lines)

    @property
    def is_fulfilled(self) -> bool:
        """Every unit is in a shipment and every shipment has been shipped."""
        return (
            bool(self.lines)
            and all(line.unshipped_quantity == 0 for line in self.lines)
            and all(shipment.status != "AWAITING_SHIPMENT" for shipment in self.shipments)
        )


@dataclass(slots=True, eq=False)
class Webhook:
    id: str
    num: int
    callback_url: str
    events: list[str]
    active: bool
    template: str
