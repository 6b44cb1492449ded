"""Coalesced, visibility-aware reloads: many change notices during a sync, one reload."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QWidget

#: While a sync streams pages in, views refresh at most this often: every refresh repaints a
#: table, which costs tens of milliseconds of GUI time on a busy two-core machine.
SYNC_INTERVAL_MS = 2000


class Reloader(QObject):
    """``request()`` reloads ``widget`` at most once per ``interval_ms``, and only when visible.

    A hidden tab is marked stale and reloads when it is shown (``widget_shown``).
    """

    def __init__(self, widget: QWidget, reload: Callable[[], None], interval_ms: int = 800) -> None:
        super().__init__(widget)
        self._widget = widget
        self._reload = reload
        self._stale = False
        self._default_ms = interval_ms
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._fire)

    def request(self, *, now: bool = False, interval_ms: int | None = None) -> None:
        """Reload soon (at most once per interval), or ``now``."""
        self._stale = True
        if now:
            self._timer.stop()
            self._fire()
        elif not self._timer.isActive():
            self._timer.start(interval_ms if interval_ms is not None else self._default_ms)

    def widget_shown(self) -> None:
        if self._stale and not self._timer.isActive():
            self._fire()

    def _fire(self) -> None:
        if not self._stale:
            return
        if not self._widget.isVisible():
            return  # stays stale; widget_shown() reloads
        self._stale = False
        self._reload()
