"""The UI's read access to the cache: one Store on the GUI thread, swapped on sign-in/out.

Views hold the DataSource, not the Store, so switching accounts or signing out is one
``set_store`` call and one signal; each view then reloads (or clears) itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from orderchamp_desktop.ui.changes import ChangeBus

if TYPE_CHECKING:
    from orderchamp_desktop.core.cache import Store


class DataSource(QObject):
    store_changed = Signal()

    def __init__(self, changes: ChangeBus, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.changes = changes
        self._store: Store | None = None
        self.currency = "EUR"

    @property
    def store(self) -> Store | None:
        return self._store

    def set_store(self, store: Store | None) -> None:
        self._store = store
        self.currency = "EUR"
        if store is not None:
            account = store.account()
            if account is not None and account.currency:
                self.currency = account.currency
        self.store_changed.emit()
