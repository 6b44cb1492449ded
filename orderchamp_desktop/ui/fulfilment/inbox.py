"""The needs-action inbox: orders to confirm or ship, most urgent first, with waiting time and SLA flags.

Orders to ship are the cache's ``needs_action`` view (confirmed, not cancelled, not
fulfilled, as ``orders(isFulfilled: false)`` in the docs); orders awaiting the brand's
confirmation join them with their own 24-hour deadline. Cancelled and other unconfirmed
orders stay visible in the other order views but never appear here and are never offered
for shipping. The set is small (what is open right now), so it is sorted by deadline in
Python after one SQL query for the ids and one for the rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from orderchamp_desktop.core.cache.rows import OrderRow
from orderchamp_desktop.ui import format as fmt
from orderchamp_desktop.ui.changes import ORDERS, Changes
from orderchamp_desktop.ui.datasource import DataSource
from orderchamp_desktop.ui.fulfilment.sla import (
    Flag,
    Task,
    Urgency,
    duration_text,
    flag_text,
    sort_key,
    urgency,
)
from orderchamp_desktop.ui.table_model import Column, FormattedRow, LazyTableModel, foreground
from orderchamp_desktop.ui.widgets.reloader import Reloader
from orderchamp_desktop.ui.widgets.table import DataTable

COLUMNS = (
    Column("Due", 140),
    Column("Number", 95),
    Column("Retailer", 190, tooltip=True),
    Column("To do", 95),
    Column("Waiting", 72, numeric=True),
    Column("Units to ship", 88, numeric=True),
    Column("Status", 150, tooltip=True),
)
DUE, NUMBER, RETAILER, TODO, WAITING, UNITS, STATUS = range(len(COLUMNS))
#: The widest text each fixed column must show in full (measured in the table's font);
#: Retailer takes what is left of the pane, down to RETAILER_MIN_WIDTH.
WIDEST = {DUE: "Overdue by 10 d 23 h", NUMBER: "#ORD1000000", TODO: "Mark shipped",
          WAITING: "10 d 23 h", UNITS: "", STATUS: "Cancellation requested"}
RETAILER_MIN_WIDTH = 150
CELL_PADDING = 16
#: What a row with nothing to ship shows under "Units to ship".
NO_UNITS = "–"

_FLAG_COLORS = {Flag.OVERDUE: "#b3261e", Flag.DUE_SOON: "#9a5b00", Flag.ON_TIME: "#1e7b34"}
#: The "now" the waiting times are computed against is refreshed this often.
TICK_MS = 60_000


class InboxModel(LazyTableModel[OrderRow]):
    columns = COLUMNS
    default_sort_column = DUE
    default_descending = False

    def __init__(self, source: DataSource) -> None:
        super().__init__()
        self._source = source
        self._rows: dict[str, OrderRow] = {}
        self._urgency: dict[str, Urgency] = {}
        self.now = datetime.now(UTC)
        self.overdue = 0
        #: The Orders tab's search (full-text index); "" shows everything that needs action.
        self.search = ""

    def load_ids(self, sort_key_name: str, descending: bool) -> list[str]:
        store = self._source.store
        self.now = datetime.now(UTC)
        if store is None:
            self._rows, self._urgency, self.overdue = {}, {}, 0
            return []
        search = self.search or None
        ids = store.order_ids(search=search, view="needs_action", sort="confirmed_at", descending=False)
        ids += store.order_ids(search=search, view="unconfirmed", status="AWAITING_CONFIRMATION",
                               sort="created_at", descending=False)
        rows = {row.id: row for row in store.order_rows(ids)}
        urgencies = {oid: urgency(row, self.now) for oid, row in rows.items()}
        keep = [oid for oid in rows if urgencies[oid].task is not Task.NONE]
        keep.sort(key=lambda oid: sort_key(urgencies[oid]))
        self._rows = {oid: rows[oid] for oid in keep}
        self._urgency = {oid: urgencies[oid] for oid in keep}
        self.overdue = sum(1 for oid in keep if urgencies[oid].flag is Flag.OVERDUE)
        return keep

    def load_rows(self, ids: Sequence[str]) -> Sequence[OrderRow]:
        return [self._rows[i] for i in ids if i in self._rows]

    def row_id(self, row: OrderRow) -> str:
        return row.id

    def urgency_of(self, order_id: str | None) -> Urgency | None:
        return self._urgency.get(order_id or "")

    def ids_to_pick(self) -> list[str]:
        """The listed orders with units left to put in a parcel, most urgent first."""
        return [oid for oid in self.ids()
                if self._urgency[oid].task is Task.SHIP and self._rows[oid].unshipped > 0]

    def format_row(self, row: OrderRow) -> FormattedRow:
        item = self._urgency[row.id]
        waiting = duration_text(self.now - item.waiting_since) if item.waiting_since else ""
        texts = (
            flag_text(item, self.now),
            row.number,
            row.retailer or "",
            _todo(item, row),
            waiting,
            fmt.count(row.unshipped) if item.task is Task.SHIP and row.unshipped > 0 else NO_UNITS,
            fmt.status(row.status),
        )
        color = _FLAG_COLORS.get(item.flag)
        colors = None if color is None else (foreground(color),) + (None,) * (len(texts) - 1)
        return FormattedRow(row.id, texts, colors)


def _todo(item: Urgency, row: OrderRow) -> str:
    if item.task is Task.CONFIRM:
        return "Confirm"
    # Everything is in parcels already: what is left is marking them as shipped.
    return "Ship" if row.unshipped > 0 else "Mark shipped"


EMPTY_WHEN_SYNCED = "Nothing needs action: every confirmed order has been shipped."
EMPTY_BEFORE_FIRST_SYNC = "Your orders are being downloaded from Orderchamp; they appear here as they arrive."


class InboxView(QWidget):
    """The inbox table with a one-line summary above it."""

    def __init__(self, source: DataSource, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("inbox")
        self.model = InboxModel(source)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self.summary = QLabel(self)
        self.summary.setObjectName("inboxSummary")
        layout.addWidget(self.summary)
        self.table = DataTable(self.model, "inboxTable", self)  # type: ignore[arg-type]
        self.table.setSortingEnabled(False)
        layout.addWidget(self.table, 1)
        self._fit_columns()
        self.table.viewport().installEventFilter(self)
        self._source = source
        self._reloader = Reloader(self, self.reload)
        self._tick = QTimer(self)
        self._tick.setInterval(TICK_MS)
        self._tick.timeout.connect(lambda: self._reloader.request())
        self._tick.start()
        source.changes.changed.connect(self._on_changes)
        source.store_changed.connect(self.reload)
        self.reload()

    @property
    def count(self) -> int:
        return self.model.rowCount()

    def set_search(self, text: str) -> None:
        """Show only the orders needing action that match ``text`` (the Orders tab's search)."""
        if text != self.model.search:
            self.model.search = text
            self.reload()

    def reload(self) -> None:
        self.model.reload()
        self._update_empty_text()
        count, overdue, search = self.model.rowCount(), self.model.overdue, self.model.search
        if search:
            text = (f"1 order needing action matches “{search}”" if count == 1
                    else f"{fmt.count(count)} orders needing action match “{search}”")
        else:
            text = "1 order needs action" if count == 1 else f"{fmt.count(count)} orders need action"
        if overdue:
            text += f" · {fmt.count(overdue)} past Orderchamp's service level"
        self.summary.setText(text + " · most urgent first")

    def _update_empty_text(self) -> None:
        """An empty inbox means "all shipped" only once a sync has finished; before that the
        orders are still on their way and saying "nothing to do" would be wrong."""
        store = self._source.store
        synced = store is not None and store.last_synced_at() is not None
        if self.model.search:
            self.table.empty_text = f"No orders needing action match “{self.model.search}”."
        else:
            self.table.empty_text = EMPTY_WHEN_SYNCED if synced else EMPTY_BEFORE_FIRST_SYNC
        self.table.viewport().update()

    # ---------------------------------------------------------------- column widths
    def _fit_columns(self) -> None:
        """Fixed columns as wide as their widest text in this font; Retailer takes the rest,
        so the whole row fits the pane at the default window size without scrolling sideways."""
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)
        cells, titles = self.table.fontMetrics(), header.fontMetrics()
        for column, sample in WIDEST.items():
            width = max(cells.horizontalAdvance(sample), titles.horizontalAdvance(COLUMNS[column].title))
            header.resizeSection(column, width + CELL_PADDING)
        self._fit_retailer()

    def _fit_retailer(self) -> None:
        header = self.table.horizontalHeader()
        others = sum(header.sectionSize(c) for c in range(len(COLUMNS)) if c != RETAILER)
        header.resizeSection(RETAILER, max(RETAILER_MIN_WIDTH, self.table.viewport().width() - others))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and watched is self.table.viewport():
            self._fit_retailer()
        return super().eventFilter(watched, event)

    def _on_changes(self, changes: Changes) -> None:
        if changes.touches(ORDERS):
            self._reloader.request(now=bool(changes.ids) and changes.source != "sync")

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._reloader.widget_shown()
