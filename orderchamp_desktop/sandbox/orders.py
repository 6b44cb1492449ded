"""Seeded order history: ~18 months of orders in every status, with shipments and invoices.

Open orders get timestamps that fit their status (an order awaiting fulfilment past the SLA
was confirmed more than 48 hours before ``now``); the rest is history spread over 18 months,
busier in the autumn and growing over time.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from .model import (
    TAX_RATE,
    InvoiceItem,
    InvoiceParty,
    Order,
    OrderProduct,
    ProductVariant,
    Shipment,
    ShipmentProduct,
    SupplierInvoice,
    Webhook,
)
from .retailers import Retailer, generate_retailers
from .state import SandboxState

HISTORY_HOURS = 548 * 24
FREE_SHIPPING_FROM = Decimal("150.00")
SHIPPING_FEE = Decimal("9.95")
ORDERCHAMP = InvoiceParty(
    "Orderchamp B.V.", "Jacob Bontiusplaats", "9", "1018 LL", "Amsterdam", "NL", "NL856341425B01"
)


@dataclass(frozen=True, slots=True)
class Kind:
    """A kind of order in the plan: its status, how far it got, when it was placed, how common."""

    status: str
    profile: (
        str  # unconfirmed | fresh | late | confirmed | partial | placed | shipped | delivered | cancelled
    )
    window: tuple[float, float]  # hours before now
    share: float
    minimum: int


PLAN: tuple[Kind, ...] = (
    Kind("AWAITING_CONFIRMATION", "unconfirmed", (1, 70), 0.005, 2),
    Kind("AWAITING_FULFILMENT", "fresh", (3, 40), 0.007, 2),
    Kind("AWAITING_FULFILMENT", "late", (60, 240), 0.0025, 1),
    Kind("FULFILMENT_IN_PROGRESS", "partial", (30, 200), 0.0025, 1),
    Kind("AWAITING_SHIPMENT", "placed", (20, 120), 0.002, 1),
    Kind("AWAITING_DELIVERY", "shipped", (72, 336), 0.012, 2),
    Kind("ATTENTION_REQUIRED", "late", (72, 480), 0.001, 1),
    Kind("CANCELLATION_REQUESTED", "confirmed", (24, 240), 0.001, 1),
    Kind("AWAITING_DROP_OFF", "placed", (20, 120), 0.001, 1),
    Kind("ISSUE_REPORTED", "delivered", (240, 2000), 0.001, 1),
    Kind("DRAFT", "unconfirmed", (24, 720), 0.001, 1),
    Kind("AWAITING_ORDERCHAMP_APPROVAL", "unconfirmed", (2, 72), 0.001, 1),
    Kind("AWAITING_PAYMENT", "unconfirmed", (24, 240), 0.001, 1),
    Kind("BLOCKED", "unconfirmed", (48, 720), 0.001, 1),
    Kind("CANCELLED", "cancelled", (24, HISTORY_HOURS), 0.06, 2),
)
COMPLETED = Kind("COMPLETED", "delivered", (14 * 24, HISTORY_HOURS), 0.0, 0)
NOTES = (
    "Graag voor vrijdag leveren 🙏",
    "Bitte nicht vor 10 Uhr liefern.",
    "Merci ! Livraison à l'arrière du magasin.",
    "Achterom via de steeg, bel bij nr. 12",
    "Please pack the cards separately.",
)
CARRIERS = ("PostNL", "PostNL", "PostNL", "DHL", "DHL", "DPD", "UPS")


def order_plan(count: int, extra_statuses: tuple[str, ...]) -> list[Kind]:
    """Kinds of the orders to generate, open ones first, padded with completed history."""
    kinds = [*PLAN, *(Kind(status, "shipped", (48, 480), 0.0015, 2) for status in extra_statuses)]
    plan: list[Kind] = []
    for kind in kinds:
        plan += [kind] * max(kind.minimum, round(count * kind.share))
    plan = plan[:count]
    return plan + [COMPLETED] * (count - len(plan))


def _history_hours(rng: random.Random, window: tuple[float, float]) -> float:
    """Hours before now, busier recently and in October-December (rejection sampling)."""
    low, high = window
    while True:
        hours = rng.uniform(low, high)
        growth = 1.0 + 0.8 * (1.0 - hours / HISTORY_HOURS)
        if rng.random() * 1.8 < growth:
            return hours


def _created(rng: random.Random, kind: Kind, now: datetime) -> datetime:
    if kind.window[1] - kind.window[0] > 24 * 30:
        hours = _history_hours(rng, kind.window)
        moment = now - timedelta(hours=hours)
        if moment.month not in (10, 11, 12) and rng.random() < 0.25:  # autumn is busier
            moment = now - timedelta(hours=_history_hours(rng, kind.window))
        return moment.replace(microsecond=0)
    return (now - timedelta(hours=rng.uniform(*kind.window))).replace(microsecond=0)


def generate_orders(state: SandboxState, rng: random.Random) -> None:
    """The whole order history, webhooks and invoices, in creation order (so ID order = time order)."""
    count = state.config.orders
    state.retailers = generate_retailers(rng, min(160, max(8, count // 12)))
    placed = sorted(
        (
            (_created(rng, kind, state.anchor), index, kind)
            for index, kind in enumerate(order_plan(count, state.config.extra_order_statuses))
        ),
        key=lambda item: (item[0], item[1]),
    )
    big = _big_order_indexes(rng, [kind for _created_at, _index, kind in placed])
    for position, (created, _index, kind) in enumerate(placed):
        lines = rng.randint(40, 60) if position in big else _line_count(rng)
        build_order(state, rng, kind, created, rng.choice(state.retailers), lines, state.anchor)
    _invoice_history(state)
    _webhooks(state)


def _big_order_indexes(rng: random.Random, kinds: list[Kind]) -> set[int]:
    """A few orders with 40+ lines (one still to fulfil) so nested pagination gets exercised."""
    if len(kinds) < 50:
        return set()
    fresh = [index for index, kind in enumerate(kinds) if kind.profile == "fresh"]
    completed = [index for index, kind in enumerate(kinds) if kind.status == "COMPLETED"]
    chosen = set(fresh[:1])
    chosen.update(rng.sample(completed, min(len(completed), max(1, round(len(kinds) * 0.001)))))
    return chosen


def _line_count(rng: random.Random) -> int:
    return rng.choices(range(1, 13), weights=(10, 12, 14, 14, 12, 10, 8, 6, 5, 4, 3, 2))[0]


def _reference(rng: random.Random, created: datetime) -> str | None:
    roll = rng.random()
    if roll < 0.35:
        return None
    formats = (
        f"PO-{created.year}-{rng.randint(1, 9999):04d}",
        f"Bestelling {rng.randint(1000, 99999)}",
        f"Bestellung Nr. {rng.randint(100, 9999)}",
        f"Commande n°{rng.randint(100, 9999)}",
        f"INK{rng.randint(10000, 99999)}",
        f"Kerst 🎄 {created.year}",
    )
    return rng.choice(formats)


def build_order(
    state: SandboxState,
    rng: random.Random,
    kind: Kind,
    created: datetime,
    retailer: Retailer,
    line_count: int,
    now: datetime,
) -> Order:
    """One order with lines, and the confirmations, shipments and status its kind implies."""
    state.order_sequence += 1
    gid, num = state.new_id("Order")
    note = rng.choice(NOTES) if rng.random() < 0.08 else None
    order = Order(
        gid,
        num,
        f"#ORD{100_000 + state.order_sequence:06d}",
        _reference(rng, created),
        kind.status,
        False,
        False,
        False,
        created,
        created,
        "EUR",
        Decimal("0.00"),
        retailer.address,
        retailer.shipping_address,
        retailer.vat_number,
        note=note,
    )
    _add_lines(state, rng, order, line_count if kind.profile != "partial" else max(2, line_count))
    if order.subtotal_price < FREE_SHIPPING_FROM:
        order.shipping_price = SHIPPING_FEE
    _apply_timeline(state, rng, order, kind, now)
    state.orders.append(state.register(order))
    return order


def _add_lines(state: SandboxState, rng: random.Random, order: Order, count: int) -> None:
    for variant in rng.sample(state.variants, min(count, len(state.variants))):
        quantity = variant.case_quantity * rng.choices((1, 2, 3, 4), weights=(50, 30, 12, 8))[0]
        order.lines.append(order_line(state, order, variant, quantity))


def order_line(state: SandboxState, order: Order, variant: ProductVariant, quantity: int) -> OrderProduct:
    gid, num = state.new_id("OrderProduct")
    line = OrderProduct(
        gid,
        num,
        order,
        variant,
        variant.brand,
        variant.product_title,
        variant.title,
        variant.sku,
        variant.ean,
        variant.case_quantity,
        quantity,
        quantity,
        variant.price or Decimal("0.00"),
    )
    return state.register(line)


def _after(rng: random.Random, start: datetime, low: float, high: float, limit: datetime) -> datetime:
    """A moment ``low``-``high`` hours after start, never past ``limit``."""
    return min(start + timedelta(hours=rng.uniform(low, high)), limit).replace(microsecond=0)


def _confirm(order: Order, when: datetime, rng: random.Random) -> None:
    order.is_confirmed = order.is_paid = True
    order.confirmed_at = order.paid_at = when
    order.estimated_delivery_at = when + timedelta(days=rng.randint(3, 5))


def _confirm_time(rng: random.Random, order: Order, profile: str, now: datetime) -> datetime:
    if profile == "fresh":
        age = max((now - order.created_at).total_seconds() / 3600, 0.0)
        return _after(rng, order.created_at, 0.1 * age, 0.9 * age, now)
    if profile == "late":
        return _after(rng, order.created_at, 1, 10, now)
    return _after(rng, order.created_at, 0.5, 30, now)


def _apply_timeline(state: SandboxState, rng: random.Random, order: Order, kind: Kind, now: datetime) -> None:
    profile = kind.profile
    if profile == "cancelled":
        _cancel(rng, order, now)
    elif profile != "unconfirmed":
        _confirm(order, _confirm_time(rng, order, profile, now), rng)
        _ship(state, rng, order, profile, now)
    order.updated_at = max(
        moment
        for moment in (
            order.created_at,
            order.confirmed_at,
            order.cancelled_at,
            order.delivered_at,
            *(shipment.updated_at for shipment in order.shipments),
        )
        if moment is not None
    )


def _cancel(rng: random.Random, order: Order, now: datetime) -> None:
    if rng.random() < 0.4:
        _confirm(order, _after(rng, order.created_at, 1, 20, now), rng)
        order.estimated_delivery_at = None
    start = order.confirmed_at or order.created_at
    order.is_cancelled = True
    order.cancelled_at = _after(rng, start, 1, 72, now)


def _ship(state: SandboxState, rng: random.Random, order: Order, profile: str, now: datetime) -> None:
    assert order.confirmed_at is not None
    start = _after(rng, order.confirmed_at, 2, 40, now)
    lines = order.lines
    if profile == "partial":
        half = max(1, len(lines) // 2)
        items = [(line, line.quantity) for line in lines[:half]]
        items[-1] = (items[-1][0], max(items[-1][0].case_quantity, items[-1][1] - items[-1][0].case_quantity))
        add_shipment(state, rng, order, items, start, _after(rng, start, 0, 20, now))
    elif profile == "placed":
        shipment = add_shipment(state, rng, order, [(line, line.quantity) for line in lines], start, None)
        if order.status == "AWAITING_DROP_OFF":
            _set_tracking(rng, shipment)
    elif profile in ("shipped", "delivered"):
        _ship_everything(state, rng, order, start, now)
        if profile == "delivered":
            last = max(shipment.shipped_at or start for shipment in order.shipments)
            order.delivered_at = _after(rng, last, 24, 96, now)


def _ship_everything(
    state: SandboxState, rng: random.Random, order: Order, start: datetime, now: datetime
) -> None:
    lines = order.lines
    groups = [lines]
    if len(lines) >= 2 and rng.random() < 0.15:
        cut = rng.randint(1, len(lines) - 1)
        groups = [lines[:cut], lines[cut:]]
    for group in groups:
        shipped = _after(rng, start, 0, 20, now)
        add_shipment(state, rng, order, [(line, line.quantity) for line in group], start, shipped)
        start = _after(rng, shipped, 2, 48, now)


def add_shipment(
    state: SandboxState,
    rng: random.Random | None,
    order: Order,
    items: list[tuple[OrderProduct, int]],
    created: datetime,
    shipped_at: datetime | None,
) -> Shipment:
    """A shipment of these (line, quantity) pairs; shipped (with tracking) when shipped_at is set."""
    gid, num = state.new_id("Shipment")
    shipment = Shipment(gid, num, order, "AWAITING_SHIPMENT", created, created)
    for line, quantity in items:
        item_gid, item_num = state.new_id("ShipmentProduct")
        shipment.items.append(state.register(ShipmentProduct(item_gid, item_num, quantity, line)))
        line.unshipped_quantity -= quantity
    if shipped_at is not None and rng is not None:
        shipment.status = "SHIPPED"
        shipment.shipped_at = shipment.updated_at = shipped_at
        _set_tracking(rng, shipment)
    order.shipments.append(state.register(shipment))
    return shipment


def tracking_url(carrier: str, code: str, postal_code: str | None, country: str | None) -> str | None:
    postal = (postal_code or "").replace(" ", "")
    urls = {
        "PostNL": f"https://jouw.postnl.nl/track-and-trace/{code}-{country or 'NL'}-{postal}",
        "DHL": f"https://www.dhlparcel.nl/nl/volg-uw-zending?tt={code}",
        "DPD": f"https://tracking.dpd.de/status/nl_NL/parcel/{code}",
        "UPS": f"https://www.ups.com/track?tracknum={code}",
    }
    return urls.get(carrier)


def _tracking_code(rng: random.Random, carrier: str) -> str:
    digits = "0123456789"
    letters = "ABCDEFGHJKLMNPRSTUVWXYZ"
    if carrier == "PostNL":
        return "3S" + "".join(rng.choices(letters, k=4)) + "".join(rng.choices(digits, k=7))
    if carrier == "DHL":
        return "JVGL" + "".join(rng.choices(digits, k=16))
    if carrier == "DPD":
        return "".join(rng.choices(digits, k=14))
    return "1Z" + "".join(rng.choices(letters + digits, k=16))


def _set_tracking(rng: random.Random, shipment: Shipment) -> None:
    if rng.random() < 0.05 and shipment.status == "SHIPPED":
        shipment.is_tracked = False
        shipment.delivery_timeframe = rng.choice(("ONE_TO_TWO_DAYS", "TWO_TO_THREE_DAYS"))
        return
    carrier = rng.choice(CARRIERS)
    address = shipment.order.shipping_address
    shipment.is_tracked = True
    shipment.carrier = carrier
    shipment.tracking_number = _tracking_code(rng, carrier)
    shipment.tracking_url = tracking_url(
        carrier, shipment.tracking_number, address.postal_code, address.country
    )


# ---------------------------------------------------------------------- invoices


def brand_party(state: SandboxState) -> InvoiceParty:
    account = state.account
    assert account is not None
    address = account.address
    return InvoiceParty(
        address.company_name,
        address.street,
        address.house_number,
        address.postal_code,
        address.city,
        address.country,
        account.vat_number,
    )


def _invoice_history(state: SandboxState) -> None:
    fulfilled = [order for order in state.orders if order.is_fulfilled]
    moments = [(max(s.shipped_at or s.created_at for s in order.shipments), order) for order in fulfilled]
    for moment, order in sorted(moments, key=lambda item: (item[0], item[1].num)):
        paid = moment < state.anchor - timedelta(days=30)
        add_invoice(state, order, moment, "PAID" if paid else "OPEN")


def add_invoice(state: SandboxState, order: Order, when: datetime, status: str = "OPEN") -> SupplierInvoice:
    """The supplier invoice (brand -> Orderchamp) for a fulfilled order."""
    state.invoice_sequence += 1
    gid, num = state.new_id("SupplierInvoice")
    invoice = SupplierInvoice(
        gid,
        num,
        f"SZ-{when.year}-{state.invoice_sequence:05d}",
        order.currency,
        "SUPPLIER_INVOICE",
        status,
        False,
        False,
        "NL",
        brand_party(state),
        ORDERCHAMP,
        order,
        when,
        when,
    )
    rate = TAX_RATE * 100
    for line in order.lines:
        title = f"{line.title} – {line.variant_title}" if line.variant_title else line.title
        invoice.items.append(
            _item(
                state,
                title,
                "PRODUCT",
                line.sku,
                line.case_quantity,
                line.quantity,
                line.unit_price,
                rate,
                when,
            )
        )
    if order.shipping_price:
        invoice.items.append(
            _item(state, "Shipping", "SHIPPING", None, None, 1, order.shipping_price, rate, when)
        )
    order.invoices.append(invoice)
    state.invoices.append(state.register(invoice))
    return invoice


def _item(
    state: SandboxState,
    title: str,
    kind: str,
    sku: str | None,
    case_quantity: int | None,
    quantity: int,
    unit_price: Decimal,
    rate: Decimal,
    when: datetime,
) -> InvoiceItem:
    gid, num = state.new_id("InvoiceItem")
    return state.register(
        InvoiceItem(gid, num, title, kind, sku, case_quantity, quantity, "EUR", unit_price, rate, when, when)
    )


def _webhooks(state: SandboxState) -> None:
    hooks = (
        (
            "https://hooks.studiozonnig.nl/orderchamp",
            ["ORDER_CONFIRMED", "ORDER_UPDATED", "ORDER_CANCELLED"],
            True,
            "DEFAULT",
        ),
        ("https://erp.studiozonnig.nl/api/orderchamp/invoices", ["INVOICE_CREATED"], False, "INVOICING"),
    )
    for url, events, active, template in hooks:
        gid, num = state.new_id("Webhook")
        state.webhooks.append(state.register(Webhook(gid, num, url, events, active, template)))


# ---------------------------------------------------------------------- runtime helpers


def kind_for_status(status: str) -> Kind:
    for kind in (*PLAN, COMPLETED):
        if kind.status == status:
            return kind
    return Kind(status, "shipped", (0, 0), 0.0, 0)


def add_order_now(
    state: SandboxState, status: str, *, lines: int | None = None, retailer: int | None = None
) -> Order:
    """A new order placed now, taken as far through the process as ``status`` implies."""
    rng = state.generation_rng
    now = state.now()
    kind = kind_for_status(status)
    chosen = (
        state.retailers[retailer % len(state.retailers)]
        if retailer is not None
        else rng.choice(state.retailers)
    )
    order = build_order(state, rng, kind, now, chosen, lines or _line_count(rng), now)
    if order.is_fulfilled:
        add_invoice(state, order, now)
    return order
