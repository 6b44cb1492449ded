"""A lazy, SQL-backed table model: ordered ids in memory, rows loaded in blocks, pre-formatted.

Sorting and filtering happen in SQL (the subclass's ``load_ids``), followed by a model reset:
never ``QSortFilterProxyModel.sort`` (26 s at 100k rows) and never ``ResizeToContents``.
``data()`` is the hot path (~2,300 calls per repaint): it compares integer roles, returns
early and only indexes into tuples prepared once per row when the block was loaded.
Views paint through ``multiData()`` instead: one call per cell rather than one per role.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QModelRoleData,
    QModelRoleDataSpan,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QColor

R = TypeVar("R")

DISPLAY_ROLE = int(Qt.ItemDataRole.DisplayRole)
ALIGN_ROLE = int(Qt.ItemDataRole.TextAlignmentRole)
FOREGROUND_ROLE = int(Qt.ItemDataRole.ForegroundRole)
TOOLTIP_ROLE = int(Qt.ItemDataRole.ToolTipRole)
#: The row's cache id, for selection, detail panes and actions.
ID_ROLE = int(Qt.ItemDataRole.UserRole)

_LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_HORIZONTAL = Qt.Orientation.Horizontal

_colors: dict[str, QColor] = {}


def foreground(color: str) -> QColor:
    """One shared QColor per colour for ForegroundRole: allocating one in ``data()`` triples
    its cost. A QColor rather than a QBrush: views take either, and QBrush's Python type
    (with its gradient enums) cost the first paint ~2 ms to create."""
    cached = _colors.get(color)
    if cached is None:
        cached = _colors[color] = QColor(color)
    return cached


@dataclass(frozen=True)
class Column:
    title: str
    width: int
    #: The sort key the store understands for this column; None: not sortable.
    sort_key: str | None = None
    numeric: bool = False
    #: Show the full text as a tooltip (long free text such as names and titles).
    tooltip: bool = False


@dataclass(frozen=True, slots=True)
class FormattedRow:
    id: str
    texts: tuple[str, ...]
    #: Foreground per column, or None for the default colour everywhere.
    colors: tuple[QColor | None, ...] | None = None


class LazyTableModel(QAbstractTableModel, Generic[R]):
    """Subclasses define ``columns`` and implement load_ids / load_rows / row_id / format_row."""

    columns: tuple[Column, ...] = ()
    #: Rows fetched and formatted together: a screenful or two. The first paint formats one
    #: block, so a bigger one only delays it (200 rows: ~30 ms more before the window shows).
    block_size = 64
    max_blocks = 120
    default_sort_column = 0
    default_descending = True

    def __init__(self, parent: Any = None, columns: tuple[Column, ...] | None = None) -> None:
        super().__init__(parent)
        self._ids: list[str] = []
        self._blocks: dict[int, list[FormattedRow]] = {}
        self._set_columns(self.columns if columns is None else columns)
        self.sort_column = self.default_sort_column
        self.descending = self.default_descending

    def _set_columns(self, columns: tuple[Column, ...]) -> None:
        """Change the columns; only inside a model reset (or before the model is shown)."""
        self.columns = columns
        self._aligns = tuple(_RIGHT if c.numeric else _LEFT for c in columns)
        self._titles = tuple(c.title for c in columns)
        self._tooltips = tuple(c.tooltip for c in columns)
        self._ncols = len(columns)

    # ---------------------------------------------------------------- subclass hooks
    def load_ids(self, sort_key: str, descending: bool) -> list[str]:
        raise NotImplementedError

    def load_rows(self, ids: Sequence[str]) -> Sequence[R]:
        raise NotImplementedError

    def row_id(self, row: R) -> str:
        raise NotImplementedError

    def format_row(self, row: R) -> FormattedRow:
        raise NotImplementedError

    # ---------------------------------------------------------------- public API
    def reload(self) -> None:
        """Re-run the id query (filter, search and sort are in SQL) and reset the model."""
        sort_key = self.columns[self.sort_column].sort_key if self.columns else None
        ids = self.load_ids(sort_key or "", self.descending)
        self.beginResetModel()
        self._ids = ids
        self._blocks.clear()
        self.endResetModel()

    def clear(self) -> None:
        self.beginResetModel()
        self._ids = []
        self._blocks.clear()
        self.endResetModel()

    def refresh_ids(self, ids: set[str] | frozenset[str]) -> None:
        """Reload the rows of ``ids`` that are loaded (a change that keeps the row order)."""
        for block_index in list(self._blocks):
            block = self._blocks[block_index]
            if any(row.id in ids for row in block):
                del self._blocks[block_index]
                first = block_index * self.block_size
                last = min(first + self.block_size, len(self._ids)) - 1
                if last >= first:
                    self.dataChanged.emit(self.index(first, 0), self.index(last, self._ncols - 1))

    def ids(self) -> list[str]:
        return self._ids

    def id_at(self, row: int) -> str | None:
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def row_of(self, item_id: str) -> int:
        try:
            return self._ids.index(item_id)
        except ValueError:
            return -1

    def text_at(self, row: int, column: int) -> str:
        return self._row(row).texts[column]

    # ---------------------------------------------------------------- Qt model API
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else self._ncols

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = DISPLAY_ROLE) -> Any:
        if role == DISPLAY_ROLE:
            return self._row(index.row()).texts[index.column()]
        if role == ALIGN_ROLE:
            return self._aligns[index.column()]
        if role == FOREGROUND_ROLE:
            colors = self._row(index.row()).colors
            return None if colors is None else colors[index.column()]
        if role == ID_ROLE:
            return self._ids[index.row()]
        if role == TOOLTIP_ROLE and self._tooltips[index.column()]:
            text = self._row(index.row()).texts[index.column()]
            return text if len(text) > 24 else None
        return None

    def multiData(self, index: QModelIndex | QPersistentModelIndex,
                  roleDataSpan: QModelRoleDataSpan | QModelRoleData) -> None:
        """What a delegate asks for to paint one cell (text, alignment, colour and four
        roles we leave empty), answered in one call.

        Each call from Qt into Python must take the GIL; while a sync (or the demo's own
        server) runs Python on other threads, every one of those takes a while. Per cell
        instead of per role, a repaint under that load took half the time (median 24 ms
        against 55 ms) and its worst case a fifth. The span is reused from cell to cell, so
        every entry is set or cleared.
        """
        row = self._row(index.row())
        column = index.column()
        span: Any = roleDataSpan  # the stubs lack the span's __len__ and __getitem__
        for position in range(len(span)):
            entry = span[position]
            role = entry.role()
            if role == DISPLAY_ROLE:
                entry.setData(row.texts[column])
            elif role == ALIGN_ROLE:
                entry.setData(self._aligns[column])
            elif role == FOREGROUND_ROLE and row.colors is not None and row.colors[column] is not None:
                entry.setData(row.colors[column])
            else:
                entry.clearData()

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = DISPLAY_ROLE) -> Any:
        if orientation == _HORIZONTAL:
            if role == DISPLAY_ROLE:
                return self._titles[section]
            if role == ALIGN_ROLE:
                return self._aligns[section]
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < self._ncols or self.columns[column].sort_key is None:
            return
        descending = order == Qt.SortOrder.DescendingOrder
        if column == self.sort_column and descending == self.descending and self._ids:
            return
        self.sort_column, self.descending = column, descending
        self.reload()

    # ---------------------------------------------------------------- blocks
    def _row(self, row: int) -> FormattedRow:
        block_index = row // self.block_size
        block = self._blocks.get(block_index)
        if block is None:
            block = self._load_block(block_index)
        return block[row - block_index * self.block_size]

    def _load_block(self, block_index: int) -> list[FormattedRow]:
        first = block_index * self.block_size
        ids = self._ids[first:first + self.block_size]
        by_id = {self.row_id(row): row for row in self.load_rows(ids)}
        blank = ("",) * self._ncols
        block = [self.format_row(by_id[i]) if i in by_id else FormattedRow(i, blank) for i in ids]
        if len(self._blocks) >= self.max_blocks:
            del self._blocks[next(iter(self._blocks))]
        self._blocks[block_index] = block
        return block


class ListTableModel(LazyTableModel[FormattedRow]):
    """For short lists (products, a product's variants, stock per variant): the query returns
    all rows at once, already formatted; sorting is still the query's job."""

    def __init__(self, columns: tuple[Column, ...], parent: Any = None) -> None:
        super().__init__(parent, columns)
        self._by_id: dict[str, FormattedRow] = {}

    def fetch(self, sort_key: str, descending: bool) -> Sequence[FormattedRow]:
        raise NotImplementedError

    def load_ids(self, sort_key: str, descending: bool) -> list[str]:
        rows = self.fetch(sort_key, descending)
        self._by_id = {row.id: row for row in rows}
        return [row.id for row in rows]

    def load_rows(self, ids: Sequence[str]) -> Sequence[FormattedRow]:
        return [self._by_id[i] for i in ids if i in self._by_id]

    def row_id(self, row: FormattedRow) -> str:
        return row.id

    def format_row(self, row: FormattedRow) -> FormattedRow:
        return row
