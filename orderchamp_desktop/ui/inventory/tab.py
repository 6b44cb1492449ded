"""The Inventory tab: every variant with its stock per warehouse, one column per location."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtGui import QBrush, QShowEvent
from PySide6.QtWidgets import QHBoxLayout, QHeaderView, QLabel, QLineEdit, QVBoxLayout, QWidget

from orderchamp_desktop.ui import format as fmt
from orderchamp_desktop.ui.changes import INVENTORY, LOCATIONS, PRODUCTS, Changes
from orderchamp_desktop.ui.datasource import DataSource
from orderchamp_desktop.ui.settings import UiSettings
from orderchamp_desktop.ui.table_model import Column, FormattedRow, ListTableModel, brush
from orderchamp_desktop.ui.widgets.reloader import SYNC_INTERVAL_MS, Reloader
from orderchamp_desktop.ui.widgets.table import DataTable

if TYPE_CHECKING:
    from orderchamp_desktop.core.cache.rows import InventoryRow, LocationRow

FIXED_COLUMNS = (
    Column("Product", 260, None, tooltip=True),
    Column("Variant", 160, None, tooltip=True),
    Column("SKU", 120, None),
    Column("EAN", 120, None),
)
_RED = "#b3261e"
_MUTED = "#8a8a8a"


def location_title(location: LocationRow) -> str:
    title = location.name or location.id
    if location.is_primary:
        title += " (primary)"
    return title


class InventoryModel(ListTableModel):
    def __init__(self, source: DataSource) -> None:
        super().__init__((*FIXED_COLUMNS, Column("Total", 70, None, numeric=True)))
        self._source = source
        self.search = ""
        self._location_ids: tuple[str, ...] = ()

    def reload(self) -> None:
        # The columns follow the account's locations: set them inside the reset.
        self.beginResetModel()
        sort_key = ""
        self._ids = self.load_ids(sort_key, self.descending)
        self._blocks.clear()
        self.endResetModel()

    def fetch(self, sort_key: str, descending: bool) -> Sequence[FormattedRow]:
        store = self._source.store
        if store is None:
            return []
        matrix = store.inventory_matrix(self.search or None)
        ids = tuple(loc.id for loc in matrix.locations)
        if ids != self._location_ids or len(self.columns) != len(FIXED_COLUMNS) + len(ids) + 1:
            self._location_ids = ids
            self._set_columns(FIXED_COLUMNS + tuple(
                Column(location_title(loc), 110, None, numeric=True, tooltip=True)
                for loc in matrix.locations) + (Column("Total", 70, None, numeric=True),))
        return [self._format(row) for row in matrix.rows]

    def _format(self, row: InventoryRow) -> FormattedRow:
        cells = [row.product_title or "", row.variant_title or "", row.sku or "", row.ean or ""]
        colors: list[QBrush | None] = [None, None, None, None]
        for quantity in row.quantities:
            cells.append("–" if quantity is None else fmt.count(quantity))
            colors.append(brush(_MUTED) if quantity is None else brush(_RED) if quantity <= 0 else None)
        cells.append(fmt.count(row.total))
        colors.append(brush(_RED) if row.total <= 0 else None)
        any_color = any(c is not None for c in colors)
        return FormattedRow(row.variant_id, tuple(cells),
                            tuple(colors) if any_color else None)


class InventoryTab(QWidget):
    def __init__(self, source: DataSource, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("inventoryTab")
        self.model = InventoryModel(source)
        self._settings: UiSettings | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 0)
        bar = QHBoxLayout()
        self.search = QLineEdit(self)
        self.search.setObjectName("inventorySearch")
        self.search.setPlaceholderText("Search stock: product, variant, SKU or EAN")
        self.search.setClearButtonEnabled(True)
        self.count_label = QLabel(self)
        bar.addWidget(self.search, 3)
        bar.addWidget(self.count_label)
        bar.addStretch(1)
        layout.addLayout(bar)
        self.table = DataTable(self.model, "inventoryTable", self)  # type: ignore[arg-type]
        self.table.setSortingEnabled(False)
        self.table.horizontalHeader().setSortIndicatorShown(False)
        self.table.empty_text = "No stock levels yet. They appear here after the first sync."
        layout.addWidget(self.table, 1)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(250)
        self._debounce.timeout.connect(self._apply_search)
        self.search.textChanged.connect(lambda _t: self._debounce.start())
        self.model.modelReset.connect(self._after_reset)
        self._reloader = Reloader(self, self.reload)
        source.changes.changed.connect(self._on_changes)
        source.store_changed.connect(lambda: self._reloader.request(now=True))
        self._reloader.request(now=True)  # built lazily: load when first shown
        self._after_reset()

    def reload(self) -> None:
        self.model.reload()

    def _apply_search(self) -> None:
        self.model.search = self.search.text().strip()
        self.reload()

    def _after_reset(self) -> None:
        header = self.table.horizontalHeader()
        for column, spec in enumerate(self.model.columns):
            if header.sectionResizeMode(column) != QHeaderView.ResizeMode.Interactive:
                header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            if column >= len(FIXED_COLUMNS):
                # Location names vary per account: fit the header text, not a fixed width.
                wanted = max(spec.width, header.fontMetrics().horizontalAdvance(spec.title) + 28)
                if header.sectionSize(column) < wanted:
                    header.resizeSection(column, wanted)
        count = self.model.rowCount()
        self.count_label.setText("1 variant" if count == 1 else f"{fmt.count(count)} variants")

    def _on_changes(self, changes: Changes) -> None:
        if changes.touches(INVENTORY, PRODUCTS, LOCATIONS):
            self._reloader.request(interval_ms=SYNC_INTERVAL_MS if changes.source == "sync" else None)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._reloader.widget_shown()

    def save_layout(self, settings: UiSettings) -> None:
        # Only the fixed columns' widths: the location columns differ per account.
        header = self.table.horizontalHeader()
        widths = ",".join(str(header.sectionSize(c)) for c in range(min(len(FIXED_COLUMNS),
                                                                          header.count())))
        settings.set_str("columns/inventory_widths", widths)

    def restore_layout(self, settings: UiSettings) -> None:
        header = self.table.horizontalHeader()
        for column, width in enumerate(settings.get_str("columns/inventory_widths").split(",")):
            if width.isdigit() and column < header.count() and int(width) >= 30:
                header.resizeSection(column, int(width))
