"""A pick list across orders: what to take off the shelves, grouped by SKU, in walking order.

Only what is still to ship counts (unshipped quantities of confirmed, not cancelled
orders). Each SKU gets the warehouse to pick it from (the first location, in the cache's
order with the primary first, that holds enough; else the one holding most), and the list
is sorted by that location, then by SKU in natural order ("A-2" before "A-10"), which is how
shelves are usually labelled and walked.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from orderchamp_desktop.core.cache.rows import InventoryMatrix, OrderDetail, OrderLine
from orderchamp_desktop.core.documents.packing import STYLE, Formatter, IsoFormatter, esc, plural

__all__ = ["PickItem", "PickList", "PickOrder", "build_pick_list", "natural_key", "pick_list_html",
           "pick_locations"]


@dataclass(frozen=True)
class PickOrder:
    order_id: str
    number: str
    retailer: str
    quantity: int


@dataclass(frozen=True)
class PickItem:
    sku: str | None
    ean: str | None
    title: str
    variant_title: str | None
    location: str | None
    total: int
    orders: tuple[PickOrder, ...]


@dataclass(frozen=True)
class PickList:
    items: tuple[PickItem, ...]
    orders: tuple[tuple[str, str, str], ...]  # (id, number, retailer) of every order included
    skipped: tuple[str, ...]  # numbers of orders left out (unconfirmed, cancelled, nothing left)
    generated_at: str | None = None

    @property
    def total_units(self) -> int:
        return sum(item.total for item in self.items)


def natural_key(text: str | None) -> tuple[tuple[int, int | str], ...]:
    """Sort key that orders digit runs by value: "A-2" < "A-10"; None sorts last."""
    if text is None:
        return ((2, ""),)
    parts = re.split(r"(\d+)", text.casefold())
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in parts if p)


def pick_locations(matrix: InventoryMatrix, needed: Mapping[str, int]) -> dict[str, str]:
    """For each SKU in ``needed``, the location to pick from (see the module docstring)."""
    result: dict[str, str] = {}
    names = [loc.name for loc in matrix.locations]
    for row in matrix.rows:
        if row.sku is None or row.sku not in needed or row.sku in result:
            continue
        stock = [(q or 0, i) for i, q in enumerate(row.quantities)]
        enough = [i for q, i in stock if q >= needed[row.sku]]
        if enough:
            result[row.sku] = names[enough[0]]
        elif stock and max(stock)[0] > 0:
            result[row.sku] = names[max(stock, key=lambda p: (p[0], -p[1]))[1]]
    return result


def _group_key(sku: str | None, title: str, variant: str | None) -> str:
    # Lines without a SKU are grouped by what they are called; they cannot be merged safely otherwise.
    return f"sku:{sku}" if sku else f"title:{title}\x00{variant or ''}"


def build_pick_list(details: Iterable[OrderDetail], *, locations: Mapping[str, str] | None = None,
                    generated_at: str | None = None) -> PickList:
    """Group the unshipped units of ``details`` by SKU; ``locations`` maps SKU -> warehouse."""
    first_line: dict[str, OrderLine] = {}
    per_order: dict[str, dict[str, int]] = {}
    included: list[tuple[str, str, str]] = []
    skipped: list[str] = []
    for detail in details:
        order = detail.order
        wanted = [ln for ln in detail.lines if ln.unshipped_quantity > 0]
        if not order.is_confirmed or order.is_cancelled or not wanted:
            skipped.append(order.number)
            continue
        included.append((order.id, order.number, order.retailer))
        for line in wanted:
            key = _group_key(line.sku, line.title, line.variant_title)
            first_line.setdefault(key, line)
            counts = per_order.setdefault(key, {})
            counts[order.id] = counts.get(order.id, 0) + line.unshipped_quantity
    info = {oid: (number, retailer) for oid, number, retailer in included}
    items = []
    for key, line in first_line.items():
        orders = tuple(PickOrder(oid, info[oid][0], info[oid][1], qty)
                       for oid, qty in per_order[key].items())
        items.append(PickItem(
            sku=line.sku, ean=line.ean, title=line.title, variant_title=line.variant_title,
            location=(locations or {}).get(line.sku) if line.sku else None,
            total=sum(o.quantity for o in orders), orders=orders))
    items.sort(key=lambda it: (it.location is None, natural_key(it.location), natural_key(it.sku),
                               natural_key(it.title)))
    return PickList(tuple(items), tuple(included), tuple(skipped), generated_at)


#: (header, width, class) per column. "Per order" spans two columns, order number and quantity,
#: so each order stays on one line and the quantities line up.
_COLUMNS = (("", "5%", ""), ("SKU / EAN", "20%", ""), ("Product", "41%", ""),
            ("Total", "8%", "qty"), ("Per order", "18%", ""), ("", "8%", "qty"))
_SPAN = len(_COLUMNS)


def _header_row() -> str:
    cells = [f'<th width="{width}" class="{css}">{esc(title)}</th>' for title, width, css in _COLUMNS[:4]]
    span = sum(int(width.rstrip("%")) for _, width, _ in _COLUMNS[4:])
    cells.append(f'<th colspan="2" width="{span}%">{esc(_COLUMNS[4][0])}</th>')
    return f"<tr>{''.join(cells)}</tr>"


def _pick_row(item: PickItem, f: Formatter) -> str:
    variant = f'<br/><span class="muted">{esc(item.variant_title)}</span>' if item.variant_title else ""
    ean = f'<br/><span class="muted">{esc(item.ean)}</span>' if item.ean else ""
    numbers = "<br/>".join(esc(o.number) for o in item.orders)
    quantities = "<br/>".join(f"×&nbsp;{esc(f.number(o.quantity))}" for o in item.orders)
    widths = [width for _, width, _ in _COLUMNS]
    return (f'<tr><td width="{widths[0]}">&#9744;</td>'
            f'<td width="{widths[1]}" class="code"><b>{esc(item.sku or "")}</b>{ean}</td>'
            f'<td width="{widths[2]}">{esc(item.title)}{variant}</td>'
            f'<td width="{widths[3]}" class="qty"><b>{esc(f.number(item.total))}</b></td>'
            f'<td width="{widths[4]}" class="code order">{numbers}</td>'
            f'<td width="{widths[5]}" class="code qty">{quantities}</td></tr>')


def _item_table(pick: PickList, f: Formatter) -> str:
    rows: list[str] = []
    location: str | None = ""
    for item in pick.items:
        if item.location != location:
            location = item.location
            rows.append(f'<tr><td colspan="{_SPAN}" class="location"><b>'
                        f'{esc(location or "Location unknown")}</b></td></tr>')
        rows.append(_pick_row(item, f))
    return ('<table width="100%" cellspacing="0" border="1" style="border-collapse: collapse; '
            f'border-color: #999;">{_header_row()}{"".join(rows)}</table>')


def pick_list_html(pick: PickList, fmt: Formatter | None = None) -> str:
    """The pick list as HTML for QTextDocument (every value escaped), one block per location."""
    f = fmt or IsoFormatter()
    when = esc(f.date(pick.generated_at)) if pick.generated_at else ""
    skipped = (f'<p class="muted">Left out (unconfirmed, cancelled or nothing left to ship): '
               f"{esc(', '.join(pick.skipped))}</p>" if pick.skipped else "")
    if pick.items:
        summary = f"{plural(len(pick.orders), 'order', f)} · {plural(pick.total_units, 'item', f)}"
        orders = ", ".join(f"{esc(number)} ({esc(retailer)})" for _, number, retailer in pick.orders)
        content = (f'<p class="muted">{esc(summary)}{" · " + when if when else ""}</p>'
                   f"{_item_table(pick, f)}<h2>Orders</h2><p>{orders}</p>")
    else:
        content = (f'<p class="muted">{when}</p>' if when else "") + (
            "<p>Nothing to pick: none of these orders has items left to ship.</p>")
    return (
        f"<html><head><style>{STYLE} .location {{ background-color: #f4f4f4; }}</style></head><body>"
        f"<h1>Pick list</h1>{content}{skipped}</body></html>")


def needed_per_sku(details: Sequence[OrderDetail]) -> dict[str, int]:
    """Units still to ship per SKU over ``details`` (input for :func:`pick_locations`)."""
    needed: dict[str, int] = {}
    for detail in details:
        if not detail.order.is_confirmed or detail.order.is_cancelled:
            continue
        for line in detail.lines:
            if line.sku and line.unshipped_quantity > 0:
                needed[line.sku] = needed.get(line.sku, 0) + line.unshipped_quantity
    return needed
