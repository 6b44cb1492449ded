"""The first-run screen: connect with an API token, or try the demo.

Only layout and signals here; the controller checks the token and stores it.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from orderchamp_desktop import APP_NAME
from orderchamp_desktop.ui.widgets.sections import hidden_message

_TOKEN_HELP = (
    "Create a private API token in the Orderchamp back office (Settings > API) and paste it "
    "here. The app checks it with Orderchamp, then keeps it in your system keychain."
)
_DEMO_HELP = ("Explore the app with a made-up brand: a built-in demo server runs on this "
              "computer. Nothing is sent to Orderchamp.")


def _heading(text: str, size: int) -> QLabel:
    label = QLabel(text)
    font = label.font()
    font.setPointSize(size)
    font.setBold(True)
    label.setFont(font)
    label.setWordWrap(True)
    return label


def _help(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet("color: palette(placeholder-text);")
    return label


class WelcomePage(QWidget):
    """Signals carry what the user asked for; the controller answers via the setters."""

    connect_requested = Signal(str)
    demo_requested = Signal()
    offline_requested = Signal()
    session_only_accepted = Signal()
    session_only_declined = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("welcomePage")
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        card = QFrame(self)
        card.setObjectName("welcomeCard")
        card.setMaximumWidth(560)
        card.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        row.addWidget(card, 3)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)

        layout = QVBoxLayout(card)
        layout.setSpacing(10)
        layout.addWidget(_heading(f"Welcome to {APP_NAME}", 18))
        layout.addWidget(_help("Your Orderchamp wholesale orders, stock and invoices on your "
                               "desktop, also when you are offline."))
        layout.addSpacing(12)
        layout.addWidget(_heading("Connect with an API token", 12))
        layout.addWidget(_help(_TOKEN_HELP))
        token_row = QHBoxLayout()
        self.token = QLineEdit(card)
        self.token.setObjectName("tokenEdit")
        self.token.setEchoMode(QLineEdit.EchoMode.Password)
        self.token.setPlaceholderText("API token")
        self.token.setClearButtonEnabled(True)
        self.token.returnPressed.connect(self._connect_clicked)
        self.connect_button = QPushButton("Connect", card)
        self.connect_button.setObjectName("connectButton")
        self.connect_button.setDefault(True)
        self.connect_button.clicked.connect(self._connect_clicked)
        token_row.addWidget(self.token, 1)
        token_row.addWidget(self.connect_button)
        layout.addLayout(token_row)

        self.status = hidden_message(card, "welcomeStatus")
        layout.addWidget(self.status)
        #: Which status line the running check reports in: the token's or the demo's.
        self._demo_busy = False

        self.keychain_box = QFrame(card)
        self.keychain_box.setObjectName("keychainBox")
        self.keychain_box.setStyleSheet(
            "QFrame#keychainBox { background: #fff4e0; border: 1px solid #eac27a; border-radius: 4px; }"
            " QFrame#keychainBox QLabel { color: #6b4500; border: none; }")
        box = QVBoxLayout(self.keychain_box)
        self.keychain_text = QLabel(self.keychain_box)
        self.keychain_text.setWordWrap(True)
        box.addWidget(self.keychain_text)
        buttons = QHBoxLayout()
        self.session_only_button = QPushButton("Keep it for this session only", self.keychain_box)
        self.session_only_button.setObjectName("sessionOnlyButton")
        self.session_only_button.clicked.connect(self.session_only_accepted)
        cancel = QPushButton("Cancel", self.keychain_box)
        cancel.clicked.connect(self._decline_session_only)
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.session_only_button)
        box.addLayout(buttons)
        self.keychain_box.hide()
        layout.addWidget(self.keychain_box)

        layout.addSpacing(12)
        layout.addWidget(_heading("Try the demo", 12))
        layout.addWidget(_help(_DEMO_HELP))
        demo_row = QHBoxLayout()
        self.demo_button = QPushButton("Try the demo", card)
        self.demo_button.setObjectName("demoButton")
        self.demo_button.clicked.connect(self.demo_requested)
        demo_row.addWidget(self.demo_button)
        demo_row.addStretch(1)
        layout.addLayout(demo_row)
        self.demo_status = hidden_message(card, "demoStatus")
        layout.addWidget(self.demo_status)

        self.offline_box = QWidget(card)
        offline = QVBoxLayout(self.offline_box)
        offline.setContentsMargins(0, 12, 0, 0)
        offline.addWidget(_heading("Saved data", 12))
        self.offline_text = _help("")
        offline.addWidget(self.offline_text)
        offline_row = QHBoxLayout()
        self.offline_button = QPushButton("Browse saved data", self.offline_box)
        self.offline_button.setObjectName("offlineButton")
        self.offline_button.clicked.connect(self.offline_requested)
        offline_row.addWidget(self.offline_button)
        offline_row.addStretch(1)
        offline.addLayout(offline_row)
        self.offline_box.hide()
        layout.addWidget(self.offline_box)

    def _connect_clicked(self) -> None:
        token = self.token.text().strip()
        if not token:
            self._demo_busy = False
            self.show_error("Paste your API token first.")
            self.token.setFocus()
            return
        self.connect_requested.emit(token)

    def _decline_session_only(self) -> None:
        self.keychain_box.hide()
        self.session_only_declined.emit()

    def set_busy(self, text: str | None, *, demo: bool = False) -> None:
        """Disable the inputs while a check runs; ``text`` says what is happening, under the
        demo button when ``demo`` (starting the demo) and under the token field otherwise."""
        busy = text is not None
        for widget in (self.token, self.connect_button, self.demo_button, self.offline_button,
                       self.session_only_button):
            widget.setEnabled(not busy)
        if busy:
            self._demo_busy = demo
            self._set_status(text or "", error=False)

    def show_error(self, sentence: str) -> None:
        """The sentence goes where the user's last action reported (token or demo)."""
        self.set_busy(None)
        self._set_status(sentence, error=True)

    def clear(self) -> None:
        """Forget the typed token and any message (after success or sign-out)."""
        self.token.clear()
        self.status.hide()
        self.demo_status.hide()
        self.keychain_box.hide()
        self.set_busy(None)
        self._demo_busy = False

    def ask_session_only(self, sentence: str) -> None:
        self.set_busy(None)
        self.status.hide()
        self.keychain_text.setText(sentence)
        self.keychain_box.show()
        self.session_only_button.setFocus()

    def set_saved_account(self, name: str | None) -> None:
        """Offer offline browsing of an account whose cache is still on this computer."""
        if name is None:
            self.offline_box.hide()
            return
        self.offline_text.setText(f"The data of {name} is still saved on this computer. "
                                  "You can browse it offline without signing in.")
        self.offline_box.show()

    def _set_status(self, text: str, *, error: bool) -> None:
        shown, other = (self.demo_status, self.status) if self._demo_busy else (self.status, self.demo_status)
        other.hide()
        shown.setStyleSheet("color: #b3261e;" if error else "")
        shown.setText(text)
        shown.show()
