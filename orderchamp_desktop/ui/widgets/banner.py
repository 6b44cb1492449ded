"""A non-modal message strip above the tabs: errors, the offline notice, hints.

Never a popup: the user keeps working while it is shown, and it never blocks a coroutine.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QEnterEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QToolButton, QWidget


class BannerKind(Enum):
    ERROR = ("#fdecea", "#8a1c12", "#e7a39c")
    WARNING = ("#fff4e0", "#6b4500", "#eac27a")
    INFO = ("#e8f1fb", "#163d66", "#a9c6e8")


class Banner(QFrame):
    """One line (wrapping if needed) of text, optional action buttons, and a close button.

    ``hide_after_ms``: hide by itself that long after the last message (a hint such as
    "Saved pick_list.pdf." must not linger above later news); never while the pointer is
    on it, so its button can still be reached.
    """

    dismissed = Signal()
    #: A message was just shown (other banners may make way for it).
    shown = Signal()

    def __init__(self, kind: BannerKind, object_name: str, parent: QWidget | None = None,
                 *, closable: bool = True, hide_after_ms: int | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self._expiry = QTimer(self)
        self._expiry.setSingleShot(True)
        self._expiry.timeout.connect(self.dismiss)
        self.hide_after_ms = hide_after_ms
        background, text, border = kind.value
        self.setStyleSheet(
            f"QFrame#{object_name} {{ background: {background}; border: 1px solid {border};"
            f" border-radius: 4px; }}"
            f" QFrame#{object_name} QLabel {{ color: {text}; background: transparent; border: none; }}")
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 6)
        layout.setSpacing(8)
        self._label = QLabel(self)
        self._label.setWordWrap(True)
        self._label.setTextFormat(Qt.TextFormat.PlainText)
        self._label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        layout.addWidget(self._label, 1)
        self._buttons = QHBoxLayout()
        self._buttons.setSpacing(6)
        layout.addLayout(self._buttons)
        self._close = QToolButton(self)
        self._close.setText("✕")
        self._close.setToolTip("Dismiss")
        self._close.setAutoRaise(True)
        self._close.clicked.connect(self.dismiss)
        self._close.setVisible(closable)
        layout.addWidget(self._close, 0, Qt.AlignmentFlag.AlignTop)
        self.hide()

    def text(self) -> str:
        return self._label.text()

    def show_message(self, text: str, actions: tuple[tuple[str, Callable[[], None]], ...] = ()) -> None:
        """Show ``text`` with buttons for ``actions`` (label, callback); replaces what was shown."""
        self._label.setText(text)
        self._clear_buttons()
        for label, callback in actions:
            button = QPushButton(label, self)
            button.clicked.connect(callback)
            self._buttons.addWidget(button)
        self.show()
        self._start_expiry()
        self.shown.emit()

    def dismiss(self) -> None:
        self._expiry.stop()
        if self.isVisible():
            self.hide()
            self.dismissed.emit()

    def expires(self) -> bool:
        """Whether the banner is counting down to hiding itself."""
        return self._expiry.isActive()

    def _start_expiry(self) -> None:
        if self.hide_after_ms is not None and not self.underMouse():
            self._expiry.start(self.hide_after_ms)

    def enterEvent(self, event: QEnterEvent) -> None:
        self._expiry.stop()
        super().enterEvent(event)

    def leaveEvent(self, event: QEvent) -> None:
        if self.isVisible():
            self._start_expiry()
        super().leaveEvent(event)

    def button(self, label: str) -> QPushButton | None:
        """The action button with this label (tests and keyboard users)."""
        for index in range(self._buttons.count()):
            item = self._buttons.itemAt(index)
            widget = item.widget() if item is not None else None
            if isinstance(widget, QPushButton) and widget.text() == label:
                return widget
        return None

    def _clear_buttons(self) -> None:
        while self._buttons.count():
            item = self._buttons.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.hide()  # at once: the deferred delete may wait for the event loop
                widget.deleteLater()
