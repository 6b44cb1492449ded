"""A QTableView for lazy models: keeps the selection by id across resets, shows an empty state.

Column widths are fixed defaults (interactive, remembered in settings): ResizeToContents
would measure every row (12.5 s at 10k rows).
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QPainter, QPaintEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from orderchamp_desktop.ui.table_model import LazyTableModel


class DataTable(QTableView):
    """Emits ``current_id_changed`` with the id of the selected row (None when nothing)."""

    current_id_changed = Signal(object)

    def __init__(self, model: LazyTableModel[object], object_name: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self._model = model
        self._kept_id: str | None = None
        self._kept_scroll = 0
        self._current_id: str | None = None
        self.empty_text = "Nothing to show yet."
        self.setModel(model)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.setShowGrid(False)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        vertical = self.verticalHeader()
        vertical.hide()
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        # A stretched last column pushes a right-aligned number far from its header's peers.
        header.setStretchLastSection(bool(model.columns) and not model.columns[-1].numeric)
        header.setHighlightSections(False)
        header.setSectionsMovable(True)
        for column, spec in enumerate(model.columns):
            header.resizeSection(column, spec.width)
        header.setSortIndicator(model.sort_column, Qt.SortOrder.DescendingOrder if model.descending
                                else Qt.SortOrder.AscendingOrder)
        # Connect before enabling sorting; enabling calls model.sort() with the indicator,
        # which is the model's own order, so no query runs twice.
        self.setSortingEnabled(True)
        model.modelAboutToBeReset.connect(self._keep_position)
        model.modelReset.connect(self._restore_position)
        selection = self.selectionModel()
        selection.currentRowChanged.connect(self._current_row_changed)

    def current_id(self) -> str | None:
        return self._current_id

    def selected_ids(self) -> list[str]:
        rows = sorted(index.row() for index in self.selectionModel().selectedRows())
        return [i for i in (self._model.id_at(r) for r in rows) if i is not None]

    def select_id(self, item_id: str | None) -> bool:
        row = self._model.row_of(item_id) if item_id else -1
        if row < 0:
            return False
        index = self._model.index(row, 0)
        self.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows)
        self.scrollTo(index)
        return True

    def select_row(self, row: int) -> None:
        if 0 <= row < self._model.rowCount():
            index = self._model.index(row, 0)
            self.selectionModel().setCurrentIndex(
                index, QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows)

    def _keep_position(self) -> None:
        self._kept_id = self._current_id
        self._kept_scroll = self.verticalScrollBar().value()

    def _restore_position(self) -> None:
        self.verticalScrollBar().setValue(self._kept_scroll)
        kept = self._kept_id
        self._kept_id = None
        if kept is None:
            return
        row = self._model.row_of(kept)
        if row < 0:
            self._set_current(None)
            return
        self.selectionModel().setCurrentIndex(
            self._model.index(row, 0),
            QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)

    def _current_row_changed(self, current: QModelIndex | QPersistentModelIndex,
                             _previous: QModelIndex | QPersistentModelIndex) -> None:
        self._set_current(self._model.id_at(current.row()) if current.isValid() else None)

    def _set_current(self, item_id: str | None) -> None:
        if item_id != self._current_id:
            self._current_id = item_id
            self.current_id_changed.emit(item_id)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if self._model.rowCount() == 0 and self.empty_text:
            painter = QPainter(self.viewport())
            painter.setPen(self.palette().placeholderText().color())
            rect = self.viewport().rect().adjusted(24, 24, -24, -24)
            painter.drawText(rect, int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop
                                       | Qt.TextFlag.TextWordWrap), self.empty_text)
            painter.end()
