"""The Invoices tab: invoices (lazy table over the cache) and the selected one's items and totals."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from orderchamp_desktop.ui import format as fmt
from orderchamp_desktop.ui.changes import INVOICES
from orderchamp_desktop.ui.datasource import DataSource
from orderchamp_desktop.ui.orders.detail import address_text
from orderchamp_desktop.ui.settings import UiSettings
from orderchamp_desktop.ui.table_model import Column, FormattedRow, LazyTableModel, foreground
from orderchamp_desktop.ui.widgets.search_tab import SearchTab, place_beside
from orderchamp_desktop.ui.widgets.sections import LinesTable, heading, key_values, separator, text_label
from orderchamp_desktop.ui.widgets.table import DataTable

if TYPE_CHECKING:
    from decimal import Decimal

    from orderchamp_desktop.core.cache.rows import InvoiceDetail, InvoiceItemRow, InvoiceRow

COLUMNS = (
    Column("Number", 120, "number"),
    Column("Type", 125, "type"),
    Column("Status", 65, "status"),
    Column("Order", 110, "order_number"),
    Column("Receiver", 150, None, tooltip=True),
    Column("Total", 85, "total", numeric=True),
    Column("Created", 120, "created_at"),
)
CREATED = 6
TYPES = ("SUPPLIER_INVOICE", "PURCHASE_ORDER", "CREDIT_NOTE", "COMMISSION_INVOICE")
_STATUS_COLORS = {"OPEN": "#a15c00", "PAID": "#1e7b34", "VOID": "#7a7a7a"}
ITEM_HEADERS = ("Item", "Qty", "Price", "VAT", "Subtotal")
#: As on the order's lines: amounts exclude VAT, so the items add up to the Subtotal.
ITEM_TIPS = ("", "Quantity", "Price per unit, excluding VAT", "VAT rate",
             "Price × quantity, excluding VAT")


def _item_text(item: InvoiceItemRow) -> str:
    """As on the order's lines: the product first, its variant and SKU on the second line.
    An invoice item has one title ("Velvet cushion – 30×50 cm, Sand"): split at the dash."""
    title, _dash, variant = item.title.partition(" – ")
    kind = fmt.status(item.type).lower() if item.type and item.type != "PRODUCT" else ""
    if kind and kind not in item.title.lower():
        title += f" ({kind})"
    second = " · ".join(p for p in (variant, f"SKU {item.sku}" if item.sku else "") if p)
    return f"{title}\n{second}" if second else title


def _item_subtotal(item: InvoiceItemRow) -> Decimal | None:
    """Price × quantity excluding VAT (the cache's subtotal; computed when it is missing)."""
    if item.subtotal_price is not None:
        return item.subtotal_price
    return None if item.unit_price is None else item.unit_price * item.quantity


class InvoicesModel(LazyTableModel["InvoiceRow"]):
    columns = COLUMNS
    default_sort_column = CREATED

    def __init__(self, source: DataSource) -> None:
        super().__init__()
        self._source = source
        self.search = ""
        self.type: str | None = None

    def load_ids(self, sort_key: str, descending: bool) -> list[str]:
        store = self._source.store
        if store is None:
            return []
        return store.invoice_ids(search=self.search or None, type=self.type,
                                 sort=sort_key or "created_at", descending=descending)

    def load_rows(self, ids: Sequence[str]) -> Sequence[InvoiceRow]:
        store = self._source.store
        return [] if store is None else store.invoice_rows(ids)

    def row_id(self, row: InvoiceRow) -> str:
        return row.id

    def format_row(self, row: InvoiceRow) -> FormattedRow:
        currency = row.currency or self._source.currency
        color = _STATUS_COLORS.get(row.status or "")
        return FormattedRow(row.id, (
            row.number, fmt.status(row.type), fmt.status(row.status), row.order_number or "",
            row.receiver or "", fmt.money(row.total, currency), fmt.moment(row.created_at),
        ), None if color is None else (None, None, foreground(color), None, None, None, None))


class InvoiceDetailPane(QScrollArea):
    def __init__(self, source: DataSource, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("invoiceDetail")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self._source = source
        self.invoice_id: str | None = None
        self.detail: InvoiceDetail | None = None
        body = QWidget()
        self.setWidget(body)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(14, 10, 14, 14)
        layout.setSpacing(8)
        self.title = heading("", 4, "invoiceTitle", wrap=True)
        self.subtitle = text_label("", muted=True)
        self.empty = text_label("Select an invoice to see its items and totals.", muted=True,
                                selectable=False)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)
        layout.addWidget(self.empty)
        self.content = QWidget()
        content = QVBoxLayout(self.content)
        content.setContentsMargins(0, 0, 0, 0)
        parties = QHBoxLayout()
        parties.setSpacing(24)
        self.issuer = text_label("")
        self.receiver = text_label("", object_name="invoiceReceiver")
        for title, label in (("From", self.issuer), ("To", self.receiver)):
            box = QVBoxLayout()
            box.setSpacing(2)
            box.addWidget(heading(title, 0))
            box.addWidget(label)
            box.addStretch(1)
            parties.addLayout(box, 1)
        content.addWidget(separator())
        content.addLayout(parties)
        content.addWidget(separator())
        content.addWidget(heading("Items", 1))
        self.items = LinesTable(ITEM_HEADERS, numeric=(1, 2, 3, 4), object_name="invoiceItems",
                                lines_per_row=2, header_tips=ITEM_TIPS)
        content.addWidget(self.items)
        self.totals_row = QHBoxLayout()
        self.totals_row.addStretch(1)
        content.addLayout(self.totals_row)
        self._totals: QWidget | None = None
        layout.addWidget(self.content)
        layout.addStretch(1)
        self._show_empty()

    def show_invoice(self, invoice_id: str | None) -> None:
        self.invoice_id = invoice_id
        self.reload()

    def reload(self) -> None:
        store = self._source.store
        detail = store.invoice_detail(self.invoice_id) if store and self.invoice_id else None
        self.detail = detail
        if detail is None:
            self._show_empty()
        else:
            self._show(detail)

    def _show_empty(self) -> None:
        for widget in (self.title, self.subtitle, self.content):
            widget.hide()
        self.empty.show()

    def _show(self, detail: InvoiceDetail) -> None:
        invoice = detail.invoice
        currency = invoice.currency or self._source.currency
        self.empty.hide()
        self.title.setText(f"{fmt.status(invoice.type) or 'Invoice'} {invoice.number}")
        facts = [fmt.status(invoice.status), "Paid" if invoice.is_paid else "Not paid",
                 f"Order {invoice.order_number}" if invoice.order_number else "",
                 fmt.day(invoice.created_at)]
        if detail.is_tax_shifted:
            facts.append("VAT reverse-charged")
        self.subtitle.setText(" · ".join(f for f in facts if f))
        self.issuer.setText(address_text(detail.issuer))
        self.receiver.setText(address_text(detail.receiver))
        rows, tips = [], []
        for item in detail.items:
            text = _item_text(item)
            rows.append((text, fmt.count(item.quantity),
                         fmt.money(item.unit_price, item.currency or currency),
                         f"{item.tax_rate.normalize():f}%" if item.tax_rate is not None else "",
                         fmt.money(_item_subtotal(item), item.currency or currency)))
            tips.append(text)
        self.items.set_rows(rows, tooltips=tips)
        if self._totals is not None:
            self._totals.setParent(None)
            self._totals.deleteLater()
        self._totals = key_values([
            ("Subtotal", fmt.money(invoice.subtotal, currency)),
            ("VAT", fmt.money(invoice.tax, currency)),
            ("Total", fmt.money(invoice.total, currency)),
        ], right_align=True, bold_last=True)
        self.totals_row.addWidget(self._totals)
        for widget in (self.title, self.subtitle, self.content):
            widget.show()


class InvoicesTab(SearchTab[InvoicesModel]):
    reload_on = (INVOICES,)
    nouns = ("invoice", "invoices")

    def __init__(self, source: DataSource, parent: QWidget | None = None) -> None:
        super().__init__(source, InvoicesModel(source), parent, object_name="invoicesTab",
                         search_name="invoiceSearch",
                         placeholder="Search invoices: number, order number or receiver")

    def _build_filters(self) -> Sequence[QWidget]:
        self.type_filter = QComboBox(self)
        self.type_filter.addItem("All types", None)
        for kind in TYPES:
            self.type_filter.addItem(fmt.status(kind), kind)
        self.type_filter.currentIndexChanged.connect(lambda _i: self._apply_filters())
        return (self.type_filter,)

    def _build_body(self, source: DataSource) -> QWidget:
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.table = DataTable(self.model, "invoicesTable", self.splitter)  # type: ignore[arg-type]
        self.table.empty_text = "No invoices yet. They appear here after the first sync."
        self.detail = InvoiceDetailPane(source, self.splitter)
        place_beside(self.splitter, self.table, self.detail)
        self.table.current_id_changed.connect(self.detail.show_invoice)
        return self.splitter

    def reload(self) -> None:
        self.model.reload()
        self.detail.reload()

    def _set_filters(self, search: str) -> None:
        self.model.search = search
        data = self.type_filter.currentData()
        self.model.type = data if isinstance(data, str) else None

    def save_layout(self, settings: UiSettings) -> None:
        settings.save_header("invoices", self.table.horizontalHeader())
        settings.save_splitter("invoices", self.splitter)

    def restore_layout(self, settings: UiSettings) -> None:
        settings.restore_header("invoices", self.table.horizontalHeader())
        settings.restore_splitter("invoices", self.splitter)
