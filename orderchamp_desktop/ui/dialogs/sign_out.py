"""Sign out: remove the token from the keychain; optionally delete the saved data too.

The demo has no token and nothing worth keeping: there the dialog only asks whether to
leave it (its made-up data is removed, the demo can be started again at any time).
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget


class SignOutDialog(QDialog):
    """Opened with ``open()``; ``confirmed(delete_data)`` fires when the user signs out."""

    confirmed = Signal(bool)

    def __init__(self, account_name: str, parent: QWidget | None = None, *, is_demo: bool = False) -> None:
        super().__init__(parent)
        self.setObjectName("signOutDialog")
        self.is_demo = is_demo
        self.setWindowTitle("Leave the demo" if is_demo else "Sign out")
        layout = QVBoxLayout(self)
        text = QLabel(self._sentence(account_name))
        text.setObjectName("signOutText")
        text.setWordWrap(True)
        layout.addWidget(text)
        self.delete_data = QCheckBox("Also delete the saved data on this computer", self)
        self.delete_data.setObjectName("deleteDataCheck")
        self.delete_data.setVisible(not is_demo)
        layout.addWidget(self.delete_data)
        buttons = QDialogButtonBox(self)
        self.sign_out_button = buttons.addButton("Leave Demo" if is_demo else "Sign Out",
                                                 QDialogButtonBox.ButtonRole.AcceptRole)
        self.sign_out_button.setObjectName("signOutButton")
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.setMinimumWidth(420)
        # The demo's data always goes: there is no account to browse offline later.
        self.accepted.connect(lambda: self.confirmed.emit(is_demo or self.delete_data.isChecked()))

    def _sentence(self, account_name: str) -> str:
        if self.is_demo:
            return ("Leave the demo? Its made-up orders, products and invoices are removed from "
                    "this computer. You can start the demo again from the welcome page.")
        return (f"Sign out of {account_name}? The API token is removed from this computer's keychain. "
                "The saved orders, products and invoices stay available for offline browsing "
                "unless you delete them too.")

    def text(self) -> str:
        label = self.findChild(QLabel, "signOutText")
        return label.text() if label is not None else ""
