"""The scaffold the Products, Inventory and Invoices tabs share, and pieces the Orders tab uses.

A tab is a search bar (search box, the tab's own filters, a row count) above its body (a
table, or a table with a detail pane). Typing searches after a pause; the tab reloads when
the data it shows changes, coalesced during a sync and deferred while it is hidden.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QTimer
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QSplitter, QVBoxLayout, QWidget

from orderchamp_desktop.ui import format as fmt
from orderchamp_desktop.ui.changes import Changes
from orderchamp_desktop.ui.datasource import DataSource
from orderchamp_desktop.ui.table_model import LazyTableModel
from orderchamp_desktop.ui.widgets.reloader import SYNC_INTERVAL_MS, Reloader

#: The pause after the last keystroke before a search runs: one query per word, not per key.
SEARCH_DEBOUNCE_MS = 250

M = TypeVar("M", bound=LazyTableModel[Any])


def debounce_timer(parent: QWidget, callback: Callable[[], None]) -> QTimer:
    timer = QTimer(parent)
    timer.setSingleShot(True)
    timer.setInterval(SEARCH_DEBOUNCE_MS)
    timer.timeout.connect(callback)
    return timer


def search_box(parent: QWidget, object_name: str, placeholder: str) -> QLineEdit:
    search = QLineEdit(parent)
    search.setObjectName(object_name)
    search.setPlaceholderText(placeholder)
    search.setClearButtonEnabled(True)
    return search


#: Narrowest the list and the detail pane may get (the window's minimum width is 760 px):
#: the list scrolls sideways below this, the detail pane keeps room for its line tables.
LIST_MIN_WIDTH = 290
DETAIL_MIN_WIDTH = 430


def place_beside(splitter: QSplitter, table: QWidget, detail: QWidget) -> None:
    """The table left and the detail pane right, the table taking three fifths of the room.

    Neither pane can be dragged shut or squeezed below its minimum: a collapsed or 250 px
    detail pane cut its tables off with no way to scroll to the rest.
    """
    splitter.addWidget(table)
    splitter.addWidget(detail)
    table.setMinimumWidth(LIST_MIN_WIDTH)
    detail.setMinimumWidth(DETAIL_MIN_WIDTH)
    splitter.setChildrenCollapsible(False)
    splitter.setStretchFactor(0, 3)
    splitter.setStretchFactor(1, 2)
    splitter.setSizes([900, 500])


class SearchTab(QWidget, Generic[M]):
    """A search bar over ``model`` and the body ``_build_body`` returns.

    Subclasses set ``reload_on`` and ``nouns``, build their body (and connect its signals)
    in ``_build_body``, and hand the search text to the model in ``_set_filters``.
    """

    #: The change kinds (``ui.changes``) that make this tab reload.
    reload_on: tuple[str, ...] = ()
    #: What the row count counts: singular, plural.
    nouns = ("row", "rows")

    def __init__(self, source: DataSource, model: M, parent: QWidget | None, *, object_name: str,
                 search_name: str, placeholder: str) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.model = model
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 0)
        self.search = search_box(self, search_name, placeholder)
        layout.addLayout(self._build_bar(self._build_filters()))
        layout.addWidget(self._build_body(source), 1)
        self._watch(source)

    # ---------------------------------------------------------------- subclass hooks
    def _build_filters(self) -> Sequence[QWidget]:
        """Filters shown between the search box and the count (none by default)."""
        return ()

    def _build_body(self, source: DataSource) -> QWidget:
        raise NotImplementedError

    def _set_filters(self, search: str) -> None:
        raise NotImplementedError

    def reload(self) -> None:
        self.model.reload()

    # ---------------------------------------------------------------- internals
    def _build_bar(self, filters: Sequence[QWidget]) -> QHBoxLayout:
        bar = QHBoxLayout()
        self.count_label = QLabel(self)
        bar.addWidget(self.search, 3)
        for widget in filters:
            bar.addWidget(widget, 1)
        bar.addWidget(self.count_label)
        bar.addStretch(1)
        return bar

    def _watch(self, source: DataSource) -> None:
        self._debounce = debounce_timer(self, self._apply_filters)
        self.search.textChanged.connect(lambda _t: self._debounce.start())
        self.model.modelReset.connect(self._update_count)
        self._reloader = Reloader(self, self.reload)
        source.changes.changed.connect(self._on_changes)
        source.store_changed.connect(lambda: self._reloader.request(now=True))
        self._reloader.request(now=True)  # built lazily: load when first shown
        self._update_count()

    def _apply_filters(self) -> None:
        self._set_filters(self.search.text().strip())
        self.reload()

    def _on_changes(self, changes: Changes) -> None:
        if changes.touches(*self.reload_on):
            self._reloader.request(interval_ms=SYNC_INTERVAL_MS if changes.source == "sync" else None)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._reloader.widget_shown()

    def _update_count(self) -> None:
        self.count_label.setText(fmt.counted(self.model.rowCount(), *self.nouns))
