"""The Orders tab: search on the full-text index, filters, the order table and its detail pane.

Extension points: ``toolbar`` (a QToolBar right of the filters, for actions on the selected
orders, e.g. a pick list), ``detail`` (see OrderDetailPane), ``add_list(widget)`` and
``show_list(widget)`` (another list in the table's place, e.g. the fulfilment inbox) and
``search_applied(text)`` (the search the lists should honour). ``selected_ids()`` returns the
selected orders, ``current_id()`` the one shown in the detail pane.

The detail pane is built when first asked for (``detail``); until then a label in its place
says what it would: the window's first paint does not wait for the pane's ~50 widgets and
modules (the window asks for it right after that paint, see MainWindow.finish_start).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPalette, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSplitter,
    QStackedWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from orderchamp_desktop.ui import format as fmt
from orderchamp_desktop.ui.changes import ORDERS, Changes
from orderchamp_desktop.ui.datasource import DataSource
from orderchamp_desktop.ui.orders.model import KNOWN_STATUSES, NO_ORDER_SELECTED, VIEWS, OrdersModel
from orderchamp_desktop.ui.settings import UiSettings
from orderchamp_desktop.ui.widgets.reloader import SYNC_INTERVAL_MS, Reloader
from orderchamp_desktop.ui.widgets.search_tab import debounce_timer, place_beside, search_box
from orderchamp_desktop.ui.widgets.table import DataTable

if TYPE_CHECKING:
    from orderchamp_desktop.ui.orders.detail import OrderDetailPane


class OrdersTab(QWidget):
    settings_key = "orders"
    #: The search text just applied (stripped); lists added with ``add_list`` follow it.
    search_applied = Signal(str)

    def __init__(self, source: DataSource, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ordersTab")
        self._source = source
        self.model = OrdersModel(source)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 0)

        bar = QHBoxLayout()
        self.search = search_box(self, "orderSearch",
                                 "Search orders: number, reference, retailer, city, SKU or product")
        self.search.setMinimumWidth(260)
        self.filter = QComboBox(self)
        self.filter.setObjectName("orderFilter")
        for label, view in VIEWS:
            self.filter.addItem(label, (view, None))
        self.filter.insertSeparator(self.filter.count())
        for status in KNOWN_STATUSES:
            self.filter.addItem(f"Status: {fmt.status(status)}", ("all", status))
        self.count_label = QLabel(self)
        self.count_label.setObjectName("orderCount")
        self.toolbar = QToolBar("Order actions", self)
        self.toolbar.setObjectName("ordersToolbar")
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        bar.addWidget(self.search, 3)
        bar.addWidget(self.filter, 1)
        bar.addWidget(self.count_label)
        bar.addStretch(0)
        bar.addWidget(self.toolbar)
        layout.addLayout(bar)

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("ordersSplitter")
        # The lists (this table, the fulfilment inbox) take turns in one pane: the splitter
        # always has two panes, so its saved sizes fit whichever list is shown.
        self.lists = QStackedWidget(self.splitter)
        self.lists.setObjectName("orderLists")
        self.table = DataTable(self.model, "ordersTable", self.lists)  # type: ignore[arg-type]
        self.lists.addWidget(self.table)
        self._detail: OrderDetailPane | None = None
        self._detail_placeholder = _placeholder(NO_ORDER_SELECTED)
        place_beside(self.splitter, self.lists, self._detail_placeholder)
        layout.addWidget(self.splitter, 1)

        self._debounce = debounce_timer(self, self.apply_search)
        self.search.textChanged.connect(lambda _text: self._debounce.start())
        self.search.returnPressed.connect(self.apply_search)
        self.filter.currentIndexChanged.connect(self._filter_changed)
        self.table.current_id_changed.connect(self._show_in_detail)
        self.model.modelReset.connect(self._update_count)
        self._reloader = Reloader(self, self.reload)
        source.changes.changed.connect(self._on_changes)
        source.store_changed.connect(self.reload)
        self._update_count()

    # ---------------------------------------------------------------- public
    @property
    def detail(self) -> OrderDetailPane:
        """The order detail pane (built on first use, in the placeholder's place and size)."""
        if self._detail is None:
            from orderchamp_desktop.ui.orders.detail import OrderDetailPane

            pane = OrderDetailPane(self._source)
            pane.setMinimumWidth(self._detail_placeholder.minimumWidth())
            # replaceWidget alone lets the new pane's size hint move the divider. On screen,
            # the divider stays where it is drawn; before the splitter was ever laid out,
            # what it holds is its state (the saved or default proportions), not its sizes.
            shown, sizes, state = self.splitter.isVisible(), self.splitter.sizes(), self.splitter.saveState()
            self.splitter.replaceWidget(self.splitter.indexOf(self._detail_placeholder), pane)
            if shown:
                self.splitter.setSizes(sizes)
            else:
                self.splitter.restoreState(state)
            self._detail_placeholder.deleteLater()
            self._detail = pane
            pane.show_order(self.table.current_id())
        return self._detail

    def reload(self) -> None:
        self.model.reload()
        self._update_empty_text()

    def current_id(self) -> str | None:
        return self.table.current_id()

    def selected_ids(self) -> list[str]:
        return self.table.selected_ids()

    def add_list(self, widget: QWidget) -> None:
        """Another list of orders for the table's pane (shown with ``show_list``)."""
        self.lists.addWidget(widget)

    def show_list(self, widget: QWidget) -> None:
        self.lists.setCurrentWidget(widget)

    def apply_search(self) -> None:
        self._debounce.stop()
        text = self.search.text().strip()
        if text == self.model.search:
            return
        self.model.search = text
        self.reload()
        self.search_applied.emit(text)

    def set_filter(self, view: str, status: str | None = None) -> None:
        for index in range(self.filter.count()):
            if self.filter.itemData(index) == (view, status):
                self.filter.setCurrentIndex(index)
                return

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def save_layout(self, settings: UiSettings) -> None:
        settings.save_header("orders", self.table.horizontalHeader())
        settings.save_splitter(self._splitter_key(), self.splitter)
        data = self.filter.currentData()
        if isinstance(data, tuple):
            settings.set_str("orders/filter", f"{data[0]}:{data[1] or ''}")

    def restore_layout(self, settings: UiSettings) -> None:
        settings.restore_header("orders", self.table.horizontalHeader())
        settings.restore_splitter(self._splitter_key(), self.splitter)
        view, _, status = settings.get_str("orders/filter", "all:").partition(":")
        self.filter.blockSignals(True)
        self.set_filter(view, status or None)
        self.filter.blockSignals(False)
        self._apply_filter_data()
        header = self.table.horizontalHeader()
        column = header.sortIndicatorSection()
        if 0 <= column < len(self.model.columns) and self.model.columns[column].sort_key:
            self.model.sort_column = column
            self.model.descending = header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder

    # ---------------------------------------------------------------- internals
    def _splitter_key(self) -> str:
        """Saved sizes are kept per pane count: a state saved with another number of panes
        (an older layout put the inbox in a pane of its own) is never applied to this one."""
        return f"{self.settings_key}-{self.splitter.count()}-panes"

    def _show_in_detail(self, order_id: str | None) -> None:
        if self._detail is None:
            _ = self.detail  # built showing the current order
        else:
            self._detail.show_order(order_id)

    def _apply_filter_data(self) -> None:
        data = self.filter.currentData()
        if isinstance(data, tuple):
            self.model.view, self.model.status = data

    def _filter_changed(self, _index: int) -> None:
        self._apply_filter_data()
        self.reload()

    def _on_changes(self, changes: Changes) -> None:
        if changes.touches(ORDERS):
            self._reloader.request(now=bool(changes.ids) and changes.source != "sync",
                                   interval_ms=SYNC_INTERVAL_MS if changes.source == "sync" else None)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._reloader.widget_shown()

    def _update_count(self) -> None:
        self.count_label.setText(fmt.counted(self.model.rowCount(), "order", "orders"))

    def _update_empty_text(self) -> None:
        if self._source.store is None:
            self.table.empty_text = "No account is open."
        elif self.model.search:
            self.table.empty_text = f"No orders match “{self.model.search}”."
        elif self.model.view != "all" or self.model.status:
            self.table.empty_text = "No orders in this view."
        else:
            self.table.empty_text = "No orders yet. They appear here after the first sync."


def _placeholder(text: str) -> QLabel:
    """A muted note where the detail pane goes, at the spot where the pane shows the same."""
    label = QLabel(text)
    label.setObjectName("orderDetailPlaceholder")
    label.setWordWrap(True)
    label.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
    label.setContentsMargins(14, 10, 14, 14)
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    return label
