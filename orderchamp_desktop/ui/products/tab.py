"""The Products tab: products (title, brand, variants, stock, prices) and the selected one's variants."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSplitter, QVBoxLayout, QWidget

from orderchamp_desktop.ui import format as fmt
from orderchamp_desktop.ui.changes import INVENTORY, PRODUCTS
from orderchamp_desktop.ui.datasource import DataSource
from orderchamp_desktop.ui.settings import UiSettings
from orderchamp_desktop.ui.table_model import Column, FormattedRow, ListTableModel, foreground
from orderchamp_desktop.ui.widgets.search_tab import SearchTab
from orderchamp_desktop.ui.widgets.sections import heading
from orderchamp_desktop.ui.widgets.table import DataTable

if TYPE_CHECKING:
    from decimal import Decimal

    from orderchamp_desktop.core.cache.rows import ProductRow, VariantRow

PRODUCT_COLUMNS = (
    Column("Product", 300, "title", tooltip=True),
    Column("Brand", 150, "brand", tooltip=True),
    Column("Category", 270, None, tooltip=True),
    Column("Variants", 70, None, numeric=True),
    Column("Stock", 70, None, numeric=True),
    Column("Price", 130, None, numeric=True),
    Column("Updated", 130, "updated_at"),
)
VARIANT_COLUMNS = (
    Column("Variant", 220, None, tooltip=True),
    Column("SKU", 130, None),
    Column("EAN", 130, None),
    Column("Price", 90, None, numeric=True),
    Column("MSRP", 90, None, numeric=True),
    Column("Stock", 70, None, numeric=True),
    Column("When sold out", 120, None),
    Column("Case", 50, None, numeric=True),
)
_LOW_STOCK = "#b3261e"


def price_range(low: Decimal | None, high: Decimal | None, currency: str) -> str:
    if low is None:
        return ""
    if high is None or high == low:
        return fmt.money(low, currency)
    return f"{fmt.money(low, currency)} – {fmt.money(high, currency)}"


#: Names of the category tree's upper levels (Orderchamp's "categories" query), by path.
#: The cache keeps only a product's path (``KIDS_BABY_BABY_ESSENTIALS_BIBS``), a flat
#: enum whose words cannot be split into levels without the tree: these known branches
#: give the levels; a branch not listed here shows as one readable segment.
CATEGORY_BRANCHES = {
    "HOME_LIVING": "Home & Living", "HOME_LIVING_PILLOWS_PLAIDS": "Pillows & Plaids",
    "HOME_LIVING_KITCHEN": "Kitchen", "KIDS_BABY": "Kids & Baby",
    "KIDS_BABY_BABY_ESSENTIALS": "Baby essentials", "KIDS_BABY_TOYS": "Toys",
    "STATIONERY": "Stationery", "STATIONERY_CARDS": "Cards", "STATIONERY_NOTEBOOKS": "Notebooks",
    "FASHION": "Fashion", "FASHION_ACCESSORIES": "Accessories",
}
CATEGORY_SEPARATOR = " › "


def category_text(path: str | None) -> str:
    """``KIDS_BABY_BABY_ESSENTIALS_BIBS`` -> ``Kids & Baby › Baby essentials › Bibs``."""
    if not path:
        return ""
    segments: list[str] = []
    start = 0
    for branch in sorted(CATEGORY_BRANCHES, key=len):
        if (path == branch or path.startswith(branch + "_")) and len(branch) > start:
            segments.append(CATEGORY_BRANCHES[branch])
            start = len(branch) + 1
    rest = fmt.status(path[start:])
    return CATEGORY_SEPARATOR.join([*segments, rest] if rest else segments)


class ProductsModel(ListTableModel):
    default_sort_column = 0
    default_descending = False

    def __init__(self, source: DataSource) -> None:
        super().__init__(PRODUCT_COLUMNS)
        self._source = source
        self.search = ""

    def fetch(self, sort_key: str, descending: bool) -> Sequence[FormattedRow]:
        store = self._source.store
        if store is None:
            return []
        currency = self._source.currency
        return [self._format(p, currency)
                for p in store.products(self.search or None, sort_key or "title", descending)]

    @staticmethod
    def _format(p: ProductRow, currency: str) -> FormattedRow:
        colors = None
        if p.inventory <= 0:
            colors = (None, None, None, None, foreground(_LOW_STOCK), None, None)
        return FormattedRow(p.id, (p.title, p.brand or "", category_text(p.category_path),
                                   fmt.count(p.variants), fmt.count(p.inventory),
                                   price_range(p.min_price, p.max_price, currency),
                                   fmt.moment(p.updated_at)), colors)


class VariantsModel(ListTableModel):
    def __init__(self, source: DataSource) -> None:
        super().__init__(VARIANT_COLUMNS)
        self._source = source
        self.product_id: str | None = None

    def fetch(self, sort_key: str, descending: bool) -> Sequence[FormattedRow]:
        store = self._source.store
        if store is None or self.product_id is None:
            return []
        currency = self._source.currency
        return [self._format(v, currency) for v in store.product_variants(self.product_id)]

    @staticmethod
    def _format(v: VariantRow, currency: str) -> FormattedRow:
        options = " / ".join(o for o in (v.option1, v.option2, v.option3) if o)
        name = v.title or options or v.sku or v.id
        colors = None
        if v.inventory_quantity <= 0:
            colors = (None, None, None, None, None, foreground(_LOW_STOCK), None, None)
        policy = {"DENY": "Stop selling", "CONTINUE": "Keep selling"}.get(v.inventory_policy or "",
                                                                         fmt.status(v.inventory_policy))
        return FormattedRow(v.id, (name, v.sku or "", v.ean or "", fmt.money(v.price, currency),
                                   fmt.money(v.msrp, currency), fmt.count(v.inventory_quantity),
                                   policy, fmt.count(v.case_quantity)), colors)


class ProductsTab(SearchTab[ProductsModel]):
    reload_on = (PRODUCTS, INVENTORY)
    nouns = ("product", "products")

    def __init__(self, source: DataSource, parent: QWidget | None = None) -> None:
        super().__init__(source, ProductsModel(source), parent, object_name="productsTab",
                         search_name="productSearch",
                         placeholder="Search products: title, brand, SKU or EAN")

    def _build_body(self, source: DataSource) -> QWidget:
        self.variants_model = VariantsModel(source)
        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.table = DataTable(self.model, "productsTable", self.splitter)  # type: ignore[arg-type]
        self.table.empty_text = "No products yet. They appear here after the first sync."
        lower = self._build_variants()
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(lower)
        self.splitter.setSizes([460, 260])
        self.table.current_id_changed.connect(self._show_variants)
        return self.splitter

    def _build_variants(self) -> QWidget:
        lower = QWidget(self.splitter)
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 6, 0, 0)
        self.variants_title = heading("Variants", 1)
        lower_layout.addWidget(self.variants_title)
        self.variants = DataTable(self.variants_model, "variantsTable", lower)  # type: ignore[arg-type]
        self.variants.setSortingEnabled(False)
        self.variants.empty_text = "Select a product to see its variants."
        lower_layout.addWidget(self.variants)
        return lower

    def reload(self) -> None:
        self.model.reload()
        self.variants_model.reload()

    def _set_filters(self, search: str) -> None:
        self.model.search = search

    def _show_variants(self, product_id: str | None) -> None:
        self.variants_model.product_id = product_id
        self.variants_model.reload()
        row = self.model.row_of(product_id) if product_id else -1
        title = self.model.text_at(row, 0) if row >= 0 else ""
        self.variants_title.setText(f"Variants of {title}" if title else "Variants")

    def save_layout(self, settings: UiSettings) -> None:
        settings.save_header("products", self.table.horizontalHeader())
        settings.save_header("variants", self.variants.horizontalHeader())
        settings.save_splitter("products", self.splitter)

    def restore_layout(self, settings: UiSettings) -> None:
        settings.restore_header("products", self.table.horizontalHeader())
        settings.restore_header("variants", self.variants.horizontalHeader())
        settings.restore_splitter("products", self.splitter)
