"""The status bar: account, last synced, online/offline, and sync progress with counts."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QProgressBar, QStatusBar, QWidget

from orderchamp_desktop.ui import format as fmt

#: What the progress label calls each entity the sync reports.
ENTITY_LABELS = {
    "account": "account", "locations": "warehouses", "products": "products",
    "variants": "variants", "inventory": "stock levels", "orders": "orders",
    "invoices": "invoices", "search": "search index",
}

#: The widest texts to make room for, so the progress bar stays put while the counts grow
#: ("Syncing orders 9 / 2,000" -> "… 1,200 / 2,000") and the labels right of it change
#: ("Not synced yet" -> "Last synced 12 min ago", "● Online" -> "● Offline").
PROGRESS_SAMPLE = f"Syncing {max(ENTITY_LABELS.values(), key=len)} 888,888 / 888,888"
LAST_SYNCED_SAMPLE = "Last synced 888 days ago"


def _steady_label(parent: QWidget, object_name: str, widest: str) -> QLabel:
    """A status label as wide as ``widest`` however short its text: the permanent widgets
    are packed from the right, so any label that changes width moves everything left of it."""
    label = QLabel(parent)
    label.setObjectName(object_name)
    label.setMinimumWidth(label.fontMetrics().horizontalAdvance(widest) + 4)
    label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return label


class SyncStatusBar(QStatusBar):
    """Permanent widgets on the right; transient notices on the left via ``showMessage``."""

    #: The progress text just shown ("Syncing orders 200 / 2,000"), or "" when idle.
    progress_changed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statusBar")
        self.progress_label = _steady_label(self, "syncProgressLabel", PROGRESS_SAMPLE)
        self.progress = QProgressBar(self)
        self.progress.setObjectName("syncProgress")
        self.progress.setFixedWidth(160)
        self.progress.setTextVisible(False)
        self.connection = _steady_label(self, "connectionLabel", "● Offline")
        self.last_synced = _steady_label(self, "lastSyncedLabel", LAST_SYNCED_SAMPLE)
        self.account = QLabel(self)
        self.account.setObjectName("accountLabel")
        for widget in (self.progress_label, self.progress, self.connection, self.last_synced,
                       self.account):
            self.addPermanentWidget(widget)
        self._last_synced_iso: str | None = None
        self.set_idle()
        self.set_connection(None)
        self.set_account("")
        self.set_last_synced(None)

    def set_account(self, name: str) -> None:
        self.account.setText(name)
        self.account.setVisible(bool(name))

    def set_connection(self, online: bool | None) -> None:
        """True: online, False: offline, None: not connected to anything (signed out)."""
        if online is None:
            self.connection.setText("")
            self.connection.hide()
            return
        self.connection.show()
        if online:
            self.connection.setText("● Online")
            self.connection.setStyleSheet("color: #1e7b34;")
        else:
            self.connection.setText("● Offline")
            self.connection.setStyleSheet("color: #a15c00;")

    def set_last_synced(self, iso: str | None) -> None:
        self._last_synced_iso = iso
        self.refresh_last_synced()

    def refresh_last_synced(self) -> None:
        """Re-render "3 min ago" (a timer calls this so the age stays true)."""
        if self._last_synced_iso is None:
            self.last_synced.setText("Not synced yet")
        else:
            self.last_synced.setText(f"Last synced {fmt.ago(self._last_synced_iso)}")
            self.last_synced.setToolTip(fmt.moment(self._last_synced_iso))

    def set_progress(self, entity: str, done: int, total: int | None) -> None:
        label = ENTITY_LABELS.get(entity, entity)
        if total:
            self.progress.setRange(0, max(total, 1))
            self.progress.setValue(min(done, total))
            self.progress_label.setText(f"Syncing {label} {fmt.count(done)} / {fmt.count(total)}")
        else:
            self.progress.setRange(0, 0)  # busy indicator: the total is unknown
            self.progress_label.setText(f"Syncing {label} {fmt.count(done)}")
        self.progress_label.show()
        self.progress.show()
        self.progress_changed.emit(self.progress_label.text())

    def set_idle(self) -> None:
        if not self.progress.isHidden():
            self.progress_changed.emit("")
        self.progress.hide()
        self.progress_label.hide()
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
