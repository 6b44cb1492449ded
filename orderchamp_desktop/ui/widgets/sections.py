"""Small building blocks for detail panes: headings, key/value grids, address blocks, line tables."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QHeaderView,
    QLabel,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter


def heading(text: str, size_delta: int = 1, object_name: str = "", *, wrap: bool = False) -> QLabel:
    """A bold heading. Short section headings do not wrap: a wrapping label asks for
    height-for-width and can be given a blank second line in a box layout."""
    label = QLabel(text)
    font = label.font()
    font.setBold(True)
    font.setPointSize(font.pointSize() + size_delta)
    label.setFont(font)
    label.setWordWrap(wrap)
    label.setTextFormat(Qt.TextFormat.PlainText)
    if object_name:
        label.setObjectName(object_name)
    return label


def text_label(text: str, *, muted: bool = False, selectable: bool = True,
               object_name: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    # Top-aligned: a wrapping label may be given more height than its text needs, and the
    # default vertical centring then shows as a blank line above it.
    label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    if selectable:
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if muted:
        label.setStyleSheet("color: palette(placeholder-text);")
    if object_name:
        label.setObjectName(object_name)
    return label


def hidden_message(parent: QWidget, object_name: str) -> QLabel:
    """A wrapping plain-text line for a status or error, hidden until there is one to show."""
    label = QLabel(parent)
    label.setObjectName(object_name)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.hide()
    return label


def separator() -> QFrame:
    line = QFrame()
    line.setFrameShape(QFrame.Shape.HLine)
    line.setFrameShadow(QFrame.Shadow.Sunken)
    return line


def key_values(pairs: Sequence[tuple[str, str]], *, right_align: bool = False,
               bold_last: bool = False) -> QWidget:
    """A two-column grid of labels and values; empty values are left out."""
    widget = QWidget()
    grid = QGridLayout(widget)
    grid.setContentsMargins(0, 0, 0, 0)
    grid.setHorizontalSpacing(16)
    grid.setVerticalSpacing(3)
    shown = [(k, v) for k, v in pairs if v]
    for row, (key, value) in enumerate(shown):
        key_label = text_label(key, muted=True, selectable=False)
        value_label = text_label(value)
        if right_align:
            value_label.setAlignment(_RIGHT)
        if bold_last and row == len(shown) - 1:
            for label in (key_label, value_label):
                font = label.font()
                font.setBold(True)
                label.setFont(font)
        grid.addWidget(key_label, row, 0, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(value_label, row, 1)
    grid.setColumnStretch(1, 1)
    return widget


class LinesTable(QTableWidget):
    """A small read-only table sized to its rows (no inner scrolling): order or invoice lines.

    Only for short lists (the lines of one order); big tables use DataTable over a lazy model.
    """

    #: Room the first column (the item's name) keeps however narrow the pane gets; below
    #: that the table asks for more width and the pane around it scrolls sideways.
    min_first_column = 110

    def __init__(self, headers: Sequence[str], numeric: Sequence[int] = (), object_name: str = "",
                 parent: QWidget | None = None, *, lines_per_row: int = 1,
                 header_tips: Sequence[str] = ()) -> None:
        super().__init__(0, len(headers), parent)
        if object_name:
            self.setObjectName(object_name)
        self._numeric = set(numeric)
        self.max_column_width = 150
        self.setHorizontalHeaderLabels(list(headers))
        self.verticalHeader().hide()
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setShowGrid(False)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setHighlightSections(False)
        for column in range(len(headers)):
            item = self.horizontalHeaderItem(column)
            if item is not None:
                item.setTextAlignment(_RIGHT if column in self._numeric else _LEFT)
                if column < len(header_tips) and header_tips[column]:
                    item.setToolTip(header_tips[column])
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().lineSpacing() * lines_per_row + 8)

    def set_rows(self, rows: Sequence[Sequence[str]], *, bold_cells: Sequence[tuple[int, int]] = (),
                 tooltips: Sequence[str] = ()) -> None:
        self.setRowCount(len(rows))
        bold = set(bold_cells)
        for r, values in enumerate(rows):
            for c, value in enumerate(values):
                item = QTableWidgetItem(value)
                if c in self._numeric:
                    item.setTextAlignment(_RIGHT)
                if (r, c) in bold:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                if c == 0 and r < len(tooltips) and tooltips[r]:
                    item.setToolTip(tooltips[r])
                self.setItem(r, c, item)
        self._fit_columns(rows)
        height = self.horizontalHeader().sizeHint().height() + 2 * self.frameWidth()
        height += self.verticalHeader().defaultSectionSize() * len(rows)
        self.setFixedHeight(height)

    def _fit_columns(self, rows: Sequence[Sequence[str]]) -> None:
        """Columns after the first fit their widest cell (a handful of rows: cheap); the first
        column (the item's name) takes the rest of the width, never less than
        ``min_first_column``."""
        metrics = self.fontMetrics()
        bold = self.font()
        bold.setBold(True)
        bold_metrics = QFontMetrics(bold)
        header = self.horizontalHeader()
        numbers = 0
        for column in range(1, self.columnCount()):
            item = self.horizontalHeaderItem(column)
            widest = metrics.horizontalAdvance(item.text() if item is not None else "") + 12
            for values in rows:
                if column < len(values):
                    widest = max(widest, bold_metrics.horizontalAdvance(values[column]) + 10)
            width = min(widest, self.max_column_width)
            header.resizeSection(column, width)
            numbers += width
        self.setMinimumWidth(self.min_first_column + numbers + 2 * self.frameWidth())

    def text(self, row: int, column: int) -> str:
        item = self.item(row, column)
        return item.text() if item is not None else ""
