"""The order table: ids from ``store.order_ids`` (search, filter, sort in SQL), rows in blocks."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtGui import QColor

from orderchamp_desktop.ui import format as fmt
from orderchamp_desktop.ui.datasource import DataSource
from orderchamp_desktop.ui.table_model import Column, FormattedRow, LazyTableModel, foreground

if TYPE_CHECKING:
    from orderchamp_desktop.core.cache.rows import OrderRow

COLUMNS = (
    Column("Number", 100, "number"),
    Column("Retailer", 170, "retailer", tooltip=True),
    Column("City", 100, "city", tooltip=True),
    Column("Status", 150, "status", tooltip=True),
    Column("Items", 45, "items", numeric=True),
    Column("Total", 80, "total", numeric=True),
    Column("Created", 115, "created_at"),
    Column("Confirmed", 115, "confirmed_at"),
)
NUMBER, RETAILER, CITY, STATUS, ITEMS, TOTAL, CREATED, CONFIRMED = range(len(COLUMNS))
#: What the detail pane says while no order is selected.
NO_ORDER_SELECTED = "Select an order to see its lines, addresses and shipments."

#: Colour of the status text, by how urgent the status is for the brand.
_STATUS_COLORS = {
    "AWAITING_CONFIRMATION": "#b3261e", "ATTENTION_REQUIRED": "#b3261e", "ISSUE_REPORTED": "#b3261e",
    "BLOCKED": "#b3261e", "CANCELLATION_REQUESTED": "#b3261e",
    "AWAITING_FULFILMENT": "#1a5fb4", "AWAITING_SHIPMENT": "#1a5fb4",
    "FULFILMENT_IN_PROGRESS": "#1a5fb4",
    "COMPLETED": "#1e7b34", "AWAITING_DELIVERY": "#1e7b34",
    "CANCELLED": "#7a7a7a",
}


def status_color(status: str) -> QColor | None:
    color = _STATUS_COLORS.get(status)
    return foreground(color) if color else None


#: (label, view, status) for the filter box: views first, then one entry per known status.
KNOWN_STATUSES = (
    "ATTENTION_REQUIRED", "AWAITING_CONFIRMATION", "AWAITING_DELIVERY", "AWAITING_DROP_OFF",
    "AWAITING_FULFILMENT", "AWAITING_ORDERCHAMP_APPROVAL", "AWAITING_PAYMENT", "AWAITING_SHIPMENT",
    "BLOCKED", "CANCELLATION_REQUESTED", "CANCELLED", "COMPLETED", "DRAFT",
    "FULFILMENT_IN_PROGRESS", "ISSUE_REPORTED",
)
VIEWS = (
    ("All orders", "all"),
    ("Needs fulfilment", "needs_action"),
    ("Open (not completed)", "open"),
    ("Awaiting confirmation", "unconfirmed"),
    ("Cancelled", "cancelled"),
)


class OrdersModel(LazyTableModel["OrderRow"]):
    columns = COLUMNS
    default_sort_column = CREATED

    def __init__(self, source: DataSource) -> None:
        super().__init__()
        self._source = source
        self.search = ""
        self.view = "all"
        self.status: str | None = None

    def load_ids(self, sort_key: str, descending: bool) -> list[str]:
        store = self._source.store
        if store is None:
            return []
        return store.order_ids(search=self.search or None, view=self.view, status=self.status,
                               sort=sort_key or "created_at", descending=descending)

    def load_rows(self, ids: Sequence[str]) -> Sequence[OrderRow]:
        store = self._source.store
        return [] if store is None else store.order_rows(ids)

    def row_id(self, row: OrderRow) -> str:
        return row.id

    def format_row(self, row: OrderRow) -> FormattedRow:
        currency = row.currency or self._source.currency
        texts = (
            row.number,
            row.retailer or "",
            row.city or "",
            fmt.status(row.status),
            fmt.count(row.items),
            fmt.money(row.total, currency),
            fmt.moment(row.created_at),
            fmt.moment(row.confirmed_at),
        )
        color = status_color(row.status)
        colors = None if color is None else (None, None, None, color, None, None, None, None)
        return FormattedRow(row.id, texts, colors)
