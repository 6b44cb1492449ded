"""What goes on a packing slip for one parcel, as plain data, and its HTML (every text escaped).

Built from the cache (works offline). "Still to follow" is computed per parcel: what was
ordered minus what this parcel and the parcels before it hold, so a slip printed again for
an older parcel says what was still to come at that moment, not today.

Dates and numbers are formatted through a :class:`Formatter` the caller provides: the UI
passes one built on QLocale (the user's locale); the default writes ISO dates.

The HTML keeps to what QTextDocument lays out: lengths (padding, margins) in px, which it
honours, where it silently drops pt lengths; font sizes in pt. A block's bottom margin is
ignored before a table: the table's own margin-top makes that gap.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from orderchamp_desktop.core.cache.rows import AccountRow, Address, OrderDetail, ShipmentRow

__all__ = [
    "Formatter",
    "IsoFormatter",
    "PackingSlip",
    "SlipLine",
    "build_packing_slip",
    "esc",
    "packing_slip_html",
    "plural",
]


class Formatter(Protocol):
    def date(self, iso: str | None) -> str: ...

    def number(self, value: int) -> str: ...


class IsoFormatter:
    """Locale-free formatting: the date part of the ISO timestamp, plain integers."""

    def date(self, iso: str | None) -> str:
        return (iso or "")[:10]

    def number(self, value: int) -> str:
        return str(value)


def esc(value: object) -> str:
    """HTML-escape any value (None becomes empty)."""
    return html.escape("" if value is None else str(value), quote=True)


def plural(count: int, word: str, fmt: Formatter, plural_word: str | None = None) -> str:
    """Count and noun: "1 item", "16 items" (the number in the caller's locale)."""
    return f"{fmt.number(count)} {word if count == 1 else plural_word or word + 's'}"


_PHONE = re.compile(r"\+?[\d\s()./-]{6,}")


def _keep_together(line: str) -> str:
    """Escaped; a phone number's spaces do not break (it wrapped mid-number in a narrow column)."""
    text = esc(line)
    return text.replace(" ", "&nbsp;") if _PHONE.fullmatch(line) else text


@dataclass(frozen=True)
class SlipLine:
    sku: str | None
    ean: str | None
    title: str
    variant_title: str | None
    quantity: int


@dataclass(frozen=True)
class PackingSlip:
    brand_name: str
    brand_address: tuple[str, ...]
    ship_to: tuple[str, ...]
    order_number: str
    reference: str | None
    order_date: str | None
    parcel_number: int  # 1-based position among the order's parcels
    parcel_count: int  # parcels made so far
    shipment_id: str
    shipped_at: str | None
    carrier: str | None
    tracking_number: str | None
    in_parcel: tuple[SlipLine, ...]
    to_follow: tuple[SlipLine, ...]
    #: Every ordered unit is in one of the parcels made so far: ``parcel_count`` is final.
    order_complete: bool = True

    @property
    def units_in_parcel(self) -> int:
        return sum(line.quantity for line in self.in_parcel)

    def parcel_text(self, fmt: Formatter) -> str:
        """Which parcel: "2 of 3" once the number of parcels is final, else "1 (more to follow)"."""
        number = fmt.number(self.parcel_number)
        if self.order_complete:
            return f"{number} of {fmt.number(self.parcel_count)}"
        return f"{number} (more to follow)"


def _ordered(shipments: Sequence[ShipmentRow]) -> list[ShipmentRow]:
    """Parcels in the order they were made (creation time, then the cache's own order)."""
    ranked = sorted(enumerate(shipments), key=lambda pair: (pair[1].created_at or "", pair[0]))
    return [shipment for _, shipment in ranked]


def build_packing_slip(detail: OrderDetail, shipment_id: str, account: AccountRow | None) -> PackingSlip:
    """The slip for one parcel of ``detail``. Raises KeyError if the order has no such parcel."""
    shipments = _ordered(detail.shipments)
    index = next((i for i, s in enumerate(shipments) if s.id == shipment_id), None)
    if index is None:
        raise KeyError(shipment_id)
    shipment = shipments[index]
    lines = {line.id: line for line in detail.lines}
    in_parcel: list[SlipLine] = []
    for item in shipment.items:
        line = lines.get(item.order_product_id or "")
        in_parcel.append(SlipLine(
            sku=line.sku if line else item.sku, ean=line.ean if line else None,
            title=(line.title if line else item.title) or "Product",
            variant_title=line.variant_title if line else item.variant_title,
            quantity=item.quantity))
    shipped_so_far = _units_per_line(shipments[: index + 1])
    to_follow = tuple(
        SlipLine(sku=line.sku, ean=line.ean, title=line.title, variant_title=line.variant_title,
                 quantity=line.quantity - shipped_so_far.get(line.id, 0))
        for line in sorted(detail.lines, key=lambda x: x.position)
        if line.quantity - shipped_so_far.get(line.id, 0) > 0)
    in_any_parcel = _units_per_line(shipments)
    order_complete = all(line.quantity <= in_any_parcel.get(line.id, 0) for line in detail.lines)
    brand = account.name if account and account.name else "Your shop"
    address = account.address if account else None
    return PackingSlip(
        brand_name=brand,
        brand_address=tuple(_address_lines(address, skip_company=brand)),
        ship_to=tuple(_address_lines(detail.shipping_address or detail.billing_address)),
        order_number=detail.order.number,
        reference=detail.order.reference,
        order_date=detail.order.created_at,
        parcel_number=index + 1,
        parcel_count=len(shipments),
        shipment_id=shipment.id,
        shipped_at=shipment.shipped_at,
        carrier=shipment.carrier,
        tracking_number=shipment.tracking_number,
        in_parcel=tuple(in_parcel),
        to_follow=to_follow,
        order_complete=order_complete,
    )


def _units_per_line(shipments: Sequence[ShipmentRow]) -> dict[str, int]:
    """Units per order line over ``shipments``."""
    units: dict[str, int] = {}
    for shipment in shipments:
        for item in shipment.items:
            key = item.order_product_id or ""
            units[key] = units.get(key, 0) + item.quantity
    return units


def _address_lines(address: Address | None, *, skip_company: str | None = None) -> list[str]:
    if address is None:
        return []
    return [line for line in address.lines() if line != skip_company]


# ---------------------------------------------------------------- HTML

#: Styles QTextDocument understands (a subset of CSS 2.1, lengths in px): keep to these.
STYLE = """
body { font-family: sans-serif; font-size: 10pt; color: #000; }
h1 { font-size: 18pt; margin-top: 0px; margin-bottom: 10px; }
h2 { font-size: 12pt; margin-top: 18px; margin-bottom: 6px; }
td, th { padding: 4px 8px; vertical-align: top; }
th { background-color: #e8e8e8; text-align: left; }
th.qty, td.qty { text-align: right; }
.muted { color: #555; }
.code { white-space: nowrap; }
table.head { margin-top: 10px; }
td.party { padding: 0px 24px 0px 0px; }
td.facts { padding: 0px; }
td.fact { padding: 0px 12px 3px 0px; white-space: nowrap; }
td.value { padding: 0px 0px 3px 0px; }
"""


def _item_row(line: SlipLine, fmt: Formatter) -> str:
    variant = f'<br/><span class="muted">{esc(line.variant_title)}</span>' if line.variant_title else ""
    return (f'<tr><td class="code">{esc(line.sku)}</td><td>{esc(line.title)}{variant}</td>'
            f'<td class="code">{esc(line.ean)}</td>'
            f'<td class="qty">{esc(fmt.number(line.quantity))}</td></tr>')


def _item_table(lines: Sequence[SlipLine], fmt: Formatter, *, empty: str) -> str:
    if not lines:
        return f'<p class="muted">{esc(empty)}</p>'
    rows = "".join(_item_row(line, fmt) for line in lines)
    return ('<table width="100%" cellspacing="0" border="1" style="border-collapse: collapse; '
            'border-color: #999;"><tr><th width="22%">SKU</th><th>Product</th>'
            f'<th width="18%">EAN</th><th width="8%" class="qty">Qty</th></tr>{rows}</table>')


def packing_slip_html(slip: PackingSlip, fmt: Formatter | None = None) -> str:
    """The slip as HTML for QTextDocument (every value escaped)."""
    f = fmt or IsoFormatter()
    brand = "<br/>".join(_keep_together(x) for x in slip.brand_address)
    ship_to = "<br/>".join(_keep_together(x) for x in slip.ship_to) or esc("(no shipping address)")
    facts = [("Order", slip.order_number), ("Your reference", slip.reference),
             ("Order date", f.date(slip.order_date)),
             ("Parcel", slip.parcel_text(f)),
             ("Shipped", f.date(slip.shipped_at) if slip.shipped_at else None),
             ("Carrier", slip.carrier), ("Tracking number", slip.tracking_number)]
    fact_rows = "".join(
        f'<tr><td class="fact muted">{esc(k)}</td><td class="value"><b>{esc(v)}</b></td></tr>'
        for k, v in facts if v)
    # Three columns over the full width: the two addresses, then the order's facts.
    return (
        f"<html><head><style>{STYLE}</style></head><body>"
        f"<h1>Packing slip</h1>"
        f'<table class="head" width="100%" cellspacing="0"><tr>'
        f'<td class="party" width="30%"><b>From</b><br/><b>{esc(slip.brand_name)}</b><br/>{brand}</td>'
        f'<td class="party" width="30%"><b>Ship to</b><br/>{ship_to}</td>'
        f'<td class="facts" width="40%"><table width="100%" cellspacing="0">{fact_rows}</table></td>'
        f"</tr></table>"
        f"<h2>In this parcel ({esc(plural(slip.units_in_parcel, 'item', f))})</h2>"
        f"{_item_table(slip.in_parcel, f, empty='This parcel holds no items.')}"
        f"<h2>Still to follow</h2>"
        f"{_item_table(slip.to_follow, f, empty='Nothing: this parcel completes the order.')}"
        f"</body></html>")
