"""Sign out: remove the token from the keychain; optionally delete the saved data too."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget


class SignOutDialog(QDialog):
    """Opened with ``open()``; ``confirmed(delete_data)`` fires when the user signs out."""

    confirmed = Signal(bool)

    def __init__(self, account_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("signOutDialog")
        self.setWindowTitle("Sign out")
        layout = QVBoxLayout(self)
        text = QLabel(
            f"Sign out of {account_name}? The API token is removed from this computer's keychain. "
            "The saved orders, products and invoices stay available for offline browsing "
            "unless you delete them too.")
        text.setWordWrap(True)
        layout.addWidget(text)
        self.delete_data = QCheckBox("Also delete the saved data on this computer", self)
        self.delete_data.setObjectName("deleteDataCheck")
        layout.addWidget(self.delete_data)
        buttons = QDialogButtonBox(self)
        self.sign_out_button = buttons.addButton("Sign Out", QDialogButtonBox.ButtonRole.AcceptRole)
        self.sign_out_button.setObjectName("signOutButton")
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.setMinimumWidth(420)
        self.accepted.connect(lambda: self.confirmed.emit(self.delete_data.isChecked()))
