"""The order detail pane: addresses, lines with unshipped quantities, totals, shipments.

Extension points for fulfilment (ui/fulfilment/):
- ``actions_row``: a QHBoxLayout under the title for order actions (ship, confirm, packing slip);
  ``order_changed(OrderDetail | None)`` tells them which order is shown, so they can enable
  or hide themselves.
- ``shipment_actions``: a callable (detail, shipment) -> widgets added to each shipment's block,
  e.g. "Mark as shipped" for a shipment that was created but not yet shipped.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QScrollArea, QVBoxLayout, QWidget

from orderchamp_desktop.ui import format as fmt
from orderchamp_desktop.ui.changes import ORDERS, Changes
from orderchamp_desktop.ui.datasource import DataSource
from orderchamp_desktop.ui.orders.model import NO_ORDER_SELECTED
from orderchamp_desktop.ui.widgets.sections import LinesTable, heading, key_values, separator, text_label

if TYPE_CHECKING:
    from decimal import Decimal

    from orderchamp_desktop.core.cache.rows import Address, OrderDetail, OrderLine, ShipmentRow

ShipmentActions = Callable[["OrderDetail", "ShipmentRow"], Sequence[QWidget]]

LINE_HEADERS = ("Product", "Qty", "To ship", "Price", "Subtotal")
#: Prices and line subtotals exclude VAT, so price × quantity is the subtotal and the lines
#: add up to the order's Subtotal; VAT is added once, in the totals below.
LINE_TIPS = ("", "Units ordered", "Units not shipped yet", "Price per unit, excluding VAT",
             "Price × quantity, excluding VAT")
NOTHING = "–"


def address_text(address: Address | None) -> str:
    if address is None:
        return "Not given"
    lines = address.lines()
    if address.vat_number:
        lines.append(f"VAT {address.vat_number}")
    return "\n".join(lines) or "Not given"


def line_text(line: OrderLine) -> str:
    """The product on the first line; its variant and SKU (what a picker looks for) on the
    second, so a long variant name does not push the product's own name out of sight."""
    second = " · ".join(p for p in (line.variant_title, f"SKU {line.sku}" if line.sku else "No SKU") if p)
    return f"{line.title}\n{second}"


def line_subtotal(line: OrderLine) -> Decimal | None:
    """Price × quantity excluding VAT (the cache's line subtotal; computed when it is missing)."""
    if line.subtotal_price is not None:
        return line.subtotal_price
    return None if line.unit_price is None else line.unit_price * line.quantity


class OrderDetailPane(QScrollArea):
    order_changed = Signal(object)

    def __init__(self, source: DataSource, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("orderDetail")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self._source = source
        self.order_id: str | None = None
        self.detail: OrderDetail | None = None
        self.shipment_actions: ShipmentActions | None = None

        body = QWidget()
        body.setObjectName("orderDetailBody")
        self.setWidget(body)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(14, 10, 14, 14)
        layout.setSpacing(8)
        self.title = heading("", 4, "orderTitle", wrap=True)
        self.subtitle = text_label("", muted=True, object_name="orderSubtitle")
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)
        #: Fulfilment actions go here (buttons); empty in the read-only shell.
        self.actions_row = QHBoxLayout()
        self.actions_row.setSpacing(6)
        layout.addLayout(self.actions_row)
        self.empty = text_label(NO_ORDER_SELECTED, muted=True, selectable=False,
                                object_name="orderDetailEmpty")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.empty)
        self._content = QWidget()
        self._content_layout = QVBoxLayout(self._content)
        self._content_layout.setContentsMargins(0, 0, 0, 0)
        self._content_layout.setSpacing(8)
        layout.addWidget(self._content)
        layout.addStretch(1)
        # Two text lines per row: the product, then its SKU (what a picker looks for).
        self.lines = LinesTable(LINE_HEADERS, numeric=(1, 2, 3, 4), object_name="orderLines",
                                lines_per_row=2, header_tips=LINE_TIPS)
        self.shipments_box = QWidget()
        self.shipments_box.setObjectName("orderShipments")
        self._shipments_layout = QVBoxLayout(self.shipments_box)
        self._shipments_layout.setContentsMargins(0, 0, 0, 0)
        self._dynamic: list[QWidget] = []
        self._build_static()
        self._show_empty()
        source.changes.changed.connect(self._on_changes)
        source.store_changed.connect(self.reload)

    def _build_static(self) -> None:
        layout = self._content_layout
        self.meta_holder = QVBoxLayout()
        layout.addLayout(self.meta_holder)
        addresses = QHBoxLayout()
        addresses.setSpacing(24)
        ship_box, self.shipping_label = self._address_block("Ship to", "shippingAddress")
        bill_box, self.billing_label = self._address_block("Bill to", "billingAddress")
        addresses.addLayout(ship_box, 1)
        addresses.addLayout(bill_box, 1)
        layout.addWidget(separator())
        layout.addLayout(addresses)
        layout.addWidget(separator())
        self.lines_heading = heading("Lines", 1)
        layout.addWidget(self.lines_heading)
        layout.addWidget(self.lines)
        self.totals_holder = QHBoxLayout()
        self.totals_holder.addStretch(1)
        layout.addLayout(self.totals_holder)
        layout.addWidget(separator())
        self.shipments_heading = heading("Shipments", 1)
        layout.addWidget(self.shipments_heading)
        layout.addWidget(self.shipments_box)
        self.invoices_label = text_label("", object_name="orderInvoices")
        layout.addWidget(self.invoices_label)

    @staticmethod
    def _address_block(title: str, object_name: str) -> tuple[QVBoxLayout, QLabel]:
        box = QVBoxLayout()
        box.setSpacing(2)
        box.addWidget(heading(title, 0))
        label = text_label("", object_name=object_name)
        box.addWidget(label)
        box.addStretch(1)
        return box, label

    # ---------------------------------------------------------------- public
    def show_order(self, order_id: str | None) -> None:
        self.order_id = order_id
        self.reload()

    def reload(self) -> None:
        store = self._source.store
        detail = None
        if store is not None and self.order_id is not None:
            detail = store.order_detail(self.order_id)
        self.detail = detail
        if detail is None:
            self._show_empty()
        else:
            self._show_detail(detail)
        self.order_changed.emit(detail)

    def text(self) -> str:
        """Everything the pane shows as plain text (tests, copy to clipboard)."""
        parts = [self.title.text(), self.subtitle.text()]
        parts += [w.text() for w in self._content.findChildren(QLabel) if w.isVisibleTo(self)]
        for row in range(self.lines.rowCount()):
            parts.append(" | ".join(self.lines.text(row, c) for c in range(self.lines.columnCount())))
        return "\n".join(p for p in parts if p)

    # ---------------------------------------------------------------- rendering
    def _on_changes(self, changes: Changes) -> None:
        if changes.touches_id(ORDERS, self.order_id):
            self.reload()

    def _show_empty(self) -> None:
        self.title.setText("")
        self.subtitle.setText("")
        self.title.hide()
        self.subtitle.hide()
        self._content.hide()
        self.empty.show()

    def _clear_dynamic(self) -> None:
        for widget in self._dynamic:
            widget.setParent(None)
            widget.deleteLater()
        self._dynamic.clear()

    def _keep(self, widget: QWidget) -> QWidget:
        self._dynamic.append(widget)
        return widget

    def _show_detail(self, detail: OrderDetail) -> None:
        order = detail.order
        currency = order.currency or self._source.currency
        self._clear_dynamic()
        self.empty.hide()
        self.title.setText(f"Order {order.number}")
        subtitle = [fmt.status(order.status), order.retailer]
        if order.reference:
            subtitle.append(f"Reference {order.reference}")
        self.subtitle.setText(" · ".join(p for p in subtitle if p))
        self.title.show()
        self.subtitle.show()
        self.meta_holder.addWidget(self._keep(key_values([
            ("Created", fmt.moment(order.created_at)),
            ("Confirmed", fmt.moment(order.confirmed_at) or ("No" if not order.is_confirmed else "")),
            ("Paid", fmt.moment(detail.paid_at) or ("Yes" if order.is_paid else "")),
            ("Estimated delivery", fmt.day(detail.estimated_delivery_at)),
            ("Delivered", fmt.moment(detail.delivered_at)),
            ("Cancelled", fmt.moment(detail.cancelled_at)),
            ("VAT number", detail.vat_number or ""),
            ("Note", detail.note or ""),
        ])))
        self.shipping_label.setText(address_text(detail.shipping_address))
        self.billing_label.setText(address_text(detail.billing_address))
        self._show_lines(detail, currency)
        self.totals_holder.addWidget(self._keep(key_values([
            ("Subtotal", fmt.money(detail.subtotal_price, currency)),
            ("Shipping", fmt.money(detail.shipping_price, currency)),
            ("VAT", fmt.money(detail.tax_price, currency)),
            ("Total", fmt.money(detail.total_price, currency)),
        ], right_align=True, bold_last=True)))
        self._show_shipments(detail)
        invoices = [f"{i.number or i.id} ({fmt.status(i.type)}, {fmt.money(i.total, currency)})"
                    for i in detail.invoices]
        self.invoices_label.setText("Invoices: " + ", ".join(invoices) if invoices else "")
        self.invoices_label.setVisible(bool(invoices))
        self._content.show()

    def _show_lines(self, detail: OrderDetail, currency: str) -> None:
        # A cancelled order has nothing left to ship: no counts in bold, no "not shipped yet".
        cancelled = detail.order.is_cancelled
        rows, bold, tips = [], [], []
        for r, line in enumerate(detail.lines):
            rows.append((line_text(line), fmt.count(line.quantity),
                         NOTHING if cancelled else fmt.count(line.unshipped_quantity),
                         fmt.money(line.unit_price, currency), fmt.money(line_subtotal(line), currency)))
            tips.append(line_text(line) + (f"\nEAN {line.ean}" if line.ean else ""))
            if line.unshipped_quantity and not cancelled:
                bold.append((r, 2))
        self.lines.set_rows(rows, bold_cells=bold, tooltips=tips)
        units = sum(line.quantity for line in detail.lines)
        unshipped = 0 if cancelled else sum(line.unshipped_quantity for line in detail.lines)
        summary = f"Lines · {fmt.count(units)} units"
        if unshipped:
            summary += f", {fmt.count(unshipped)} not shipped yet"
        if not detail.complete:
            summary += " (still loading some lines)"
        self.lines_heading.setText(summary)

    def _show_shipments(self, detail: OrderDetail) -> None:
        if not detail.shipments:
            self._shipments_layout.addWidget(self._keep(
                text_label("No shipments yet.", muted=True, object_name="noShipments")))
            self.shipments_heading.setText("Shipments")
            return
        self.shipments_heading.setText(f"Shipments ({len(detail.shipments)})")
        for number, shipment in enumerate(detail.shipments, start=1):
            self._shipments_layout.addWidget(self._keep(self._shipment_block(detail, number, shipment)))

    def _shipment_block(self, detail: OrderDetail, number: int, shipment: ShipmentRow) -> QWidget:
        block = QFrame()
        block.setObjectName("shipmentBlock")
        block.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(block)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setSpacing(3)
        when = fmt.moment(shipment.shipped_at) if shipment.shipped_at else ""
        title = f"Shipment {number} · {fmt.status(shipment.status) or 'Created'}"
        layout.addWidget(text_label(title + (f" on {when}" if when else "")))
        tracking = self._tracking_label(shipment)
        if tracking is not None:
            layout.addWidget(tracking)
        items = [f"{item.quantity} × {item.title or 'Unknown item'}"
                 + (f" – {item.variant_title}" if item.variant_title else "")
                 + (f" ({item.sku})" if item.sku else "") for item in shipment.items]
        if items:
            layout.addWidget(text_label("\n".join(items)))
        if self.shipment_actions is not None:
            row = QHBoxLayout()
            for widget in self.shipment_actions(detail, shipment):
                row.addWidget(widget)
            row.addStretch(1)
            layout.addLayout(row)
        return block

    @staticmethod
    def _tracking_label(shipment: ShipmentRow) -> QLabel | None:
        if shipment.tracking_number:
            carrier = f"{shipment.carrier} " if shipment.carrier else ""
            text = html.escape(f"Tracking: {carrier}{shipment.tracking_number}")
            url = shipment.tracking_url or ""
            label = QLabel()
            label.setWordWrap(True)
            if url.startswith(("https://", "http://")):
                label.setTextFormat(Qt.TextFormat.RichText)
                label.setText(f'<a href="{html.escape(url, quote=True)}">{text}</a>')
                label.setOpenExternalLinks(True)
                label.setToolTip(url)
            else:
                label.setTextFormat(Qt.TextFormat.PlainText)
                label.setText(f"Tracking: {carrier}{shipment.tracking_number}")
            return label
        if shipment.is_tracked is False and shipment.delivery_timeframe:
            return text_label(f"No tracking · delivery in {fmt.status(shipment.delivery_timeframe).lower()}")
        return None
