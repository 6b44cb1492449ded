"""The Inventory tab: every variant with its stock per warehouse, one column per location."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtGui import QColor
from PySide6.QtWidgets import QHeaderView, QWidget

from orderchamp_desktop.ui import format as fmt
from orderchamp_desktop.ui.changes import INVENTORY, LOCATIONS, PRODUCTS
from orderchamp_desktop.ui.datasource import DataSource
from orderchamp_desktop.ui.settings import UiSettings
from orderchamp_desktop.ui.table_model import Column, FormattedRow, ListTableModel, foreground
from orderchamp_desktop.ui.widgets.search_tab import SearchTab
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
        colors: list[QColor | None] = [None, None, None, None]
        for quantity in row.quantities:
            cells.append("–" if quantity is None else fmt.count(quantity))
            colors.append(foreground(_MUTED) if quantity is None
                          else foreground(_RED) if quantity <= 0 else None)
        cells.append(fmt.count(row.total))
        colors.append(foreground(_RED) if row.total <= 0 else None)
        any_color = any(c is not None for c in colors)
        return FormattedRow(row.variant_id, tuple(cells),
                            tuple(colors) if any_color else None)


class InventoryTab(SearchTab[InventoryModel]):
    reload_on = (INVENTORY, PRODUCTS, LOCATIONS)
    nouns = ("variant", "variants")

    def __init__(self, source: DataSource, parent: QWidget | None = None) -> None:
        super().__init__(source, InventoryModel(source), parent, object_name="inventoryTab",
                         search_name="inventorySearch",
                         placeholder="Search stock: product, variant, SKU or EAN")

    def _build_body(self, source: DataSource) -> QWidget:
        self.table = DataTable(self.model, "inventoryTable", self)  # type: ignore[arg-type]
        self.table.setSortingEnabled(False)
        self.table.horizontalHeader().setSortIndicatorShown(False)
        self.table.empty_text = "No stock levels yet. They appear here after the first sync."
        return self.table

    def _set_filters(self, search: str) -> None:
        self.model.search = search

    def _update_count(self) -> None:
        # Runs after every model reset, which may bring other location columns: size them too.
        header = self.table.horizontalHeader()
        for column, spec in enumerate(self.model.columns):
            if header.sectionResizeMode(column) != QHeaderView.ResizeMode.Interactive:
                header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            if column >= len(FIXED_COLUMNS):
                # Location names vary per account: fit the header text, not a fixed width.
                wanted = max(spec.width, header.fontMetrics().horizontalAdvance(spec.title) + 28)
                if header.sectionSize(column) < wanted:
                    header.resizeSection(column, wanted)
        super()._update_count()

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
