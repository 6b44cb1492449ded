"""First run: the welcome screen checks a token with Orderchamp before it reaches the keychain."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

from orderchamp_desktop.core.errors import KeychainUnavailableError
from orderchamp_desktop.core.profile import load_profile
from orderchamp_desktop.core.secrets import SERVICE, MemoryBackend, Secrets
from orderchamp_desktop.ui.services import AppOptions
from orderchamp_desktop.ui.testing import ShellDriver


class NoKeychain(MemoryBackend):
    """A keychain that is not there (a headless Linux box): every call fails."""

    def set_password(self, service: str, username: str, password: str) -> None:
        raise KeychainUnavailableError(detail="no backend")

    def get_password(self, service: str, username: str) -> str | None:
        raise KeychainUnavailableError(detail="no backend")


def _driver(qtbot: Any, data_dir: Path, sandbox: Any, backend: MemoryBackend) -> ShellDriver:
    options = AppOptions(api_url=sandbox.url, auto_sync_interval=3600)
    return ShellDriver(qtbot, data_dir, secrets=Secrets(backend, environ={}), options=options)


def test_wrong_token_says_so_and_right_token_lands_in_keychain(
        qtbot: Any, qloop: Any, data_dir: Path, small_sandbox: Any) -> None:
    backend = MemoryBackend()
    driver = _driver(qtbot, data_dir, small_sandbox, backend).start()
    window = driver.window
    welcome = window.welcome
    try:
        assert not window.is_showing_main()
        assert welcome.isVisible()

        welcome.token.setText("not-the-token")
        qtbot.mouseClick(welcome.connect_button, Qt.MouseButton.LeftButton)
        driver.wait(lambda: welcome.status.isVisible() and welcome.connect_button.isEnabled())
        assert "did not accept the API token" in welcome.status.text()
        assert "Traceback" not in welcome.status.text()
        assert backend._store == {}
        assert load_profile(driver.shell.services.paths) is None  # type: ignore[union-attr]

        welcome.token.setText(small_sandbox.token)
        qtbot.mouseClick(welcome.connect_button, Qt.MouseButton.LeftButton)
        driver.wait(window.is_showing_main)
        profile = load_profile(driver.shell.services.paths)  # type: ignore[union-attr]
        assert profile is not None and profile.api_url == small_sandbox.url
        assert backend.get_password(SERVICE, profile.account_key) == small_sandbox.token
        assert welcome.token.text() == ""  # not kept in the widget
        assert window.status.account.text() == profile.account_name != ""
    finally:
        driver.close()
    assert driver.unexpected_errors() == []
    # The token never reaches the settings or the profile.
    for path in Path(data_dir).rglob("*"):
        if path.is_file() and path.suffix in {".ini", ".json", ".log"}:
            assert small_sandbox.token not in path.read_text(encoding="utf-8", errors="replace"), path


def test_no_keychain_offers_session_only(qtbot: Any, qloop: Any, data_dir: Path, small_sandbox: Any) -> None:
    driver = _driver(qtbot, data_dir, small_sandbox, NoKeychain()).start()
    window = driver.window
    welcome = window.welcome
    try:
        welcome.token.setText(small_sandbox.token)
        qtbot.mouseClick(welcome.connect_button, Qt.MouseButton.LeftButton)
        driver.wait(welcome.keychain_box.isVisible)
        assert "keychain" in welcome.keychain_text.text().lower()
        assert not window.is_showing_main()
        qtbot.mouseClick(welcome.session_only_button, Qt.MouseButton.LeftButton)
        driver.wait(window.is_showing_main)
        secrets = driver.secrets
        assert secrets.is_session_only
        profile = load_profile(driver.shell.services.paths)  # type: ignore[union-attr]
        assert profile is not None
        assert secrets.get_token(profile.account_key) == small_sandbox.token
    finally:
        driver.close()
    assert driver.unexpected_errors() == []
    for path in Path(data_dir).rglob("*"):
        if path.is_file() and not path.name.startswith("cache-"):
            assert small_sandbox.token.encode() not in path.read_bytes(), path
