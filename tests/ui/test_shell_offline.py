"""Offline start from the cache, automatic reconnect, sign out, quick shutdown, layout memory."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from orderchamp_desktop.core.profile import load_profile
from orderchamp_desktop.core.secrets import SERVICE, MemoryBackend, Secrets
from orderchamp_desktop.sandbox import SandboxConfig, SandboxServer
from orderchamp_desktop.ui.dialogs.sign_out import SignOutDialog
from orderchamp_desktop.ui.services import AppOptions
from orderchamp_desktop.ui.testing import ShellDriver


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    server = SandboxServer(SandboxConfig(seed=11, products=20, orders=120, restore_rate=5000.0))
    server.start()
    yield server
    server.stop()


def _signed_in(qtbot: Any, data_dir: Path, sandbox: SandboxServer, backend: MemoryBackend,
               **options: Any) -> ShellDriver:
    """A session that signed in with the sandbox's token and finished its first sync."""
    opts = AppOptions(api_url=sandbox.url, auto_sync_interval=3600, **options)
    driver = ShellDriver(qtbot, data_dir, secrets=Secrets(backend, environ={}), options=opts).start()
    assert driver.controller is not None
    driver.run(driver.controller.connect_with_token(sandbox.token))
    driver.wait(lambda: driver.window.status.last_synced.text() == "Last synced just now", timeout=60)
    return driver


def test_offline_start_browses_the_cache_and_reconnects(
        qtbot: Any, qloop: Any, data_dir: Path, sandbox: SandboxServer) -> None:
    backend = MemoryBackend()
    first = _signed_in(qtbot, data_dir, sandbox, backend)
    first.close()
    port = sandbox.port
    sandbox.stop()

    driver = ShellDriver(qtbot, data_dir, secrets=Secrets(backend, environ={}),
                         options=AppOptions(auto_sync_interval=3600, reconnect_delays=(0.3,)))
    driver.start()
    window = driver.window
    try:
        # The first painted window already shows the cached orders, before any network call.
        assert window.is_showing_main()
        window.orders_tab.set_filter("all")  # fulfilment opens the tab on its inbox
        assert window.orders_tab.model.rowCount() == 120
        driver.wait(window.offline_banner.isVisible)
        assert "cannot be reached" in window.offline_banner.text()
        assert "reconnects by itself" in window.offline_banner.text()
        assert window.status.connection.text() == "● Offline"
        assert not window.error_banner.isVisible()

        order = sandbox.state.orders[5]
        tab = window.orders_tab
        tab.search.setText(order.number)
        tab.apply_search()
        assert tab.model.rowCount() == 1
        tab.table.select_row(0)
        driver.wait(lambda: tab.detail.detail is not None)
        assert tab.detail.lines.rowCount() == len(order.lines)
        window.show_tab(1)
        driver.wait(lambda: window.products_tab.model.rowCount() == 20)

        sandbox.requested_port = port
        sandbox.start()  # the network is back
        driver.wait(lambda: not window.offline_banner.isVisible(), timeout=20)
        assert window.status.connection.text() == "● Online"
        driver.wait(lambda: window.status.last_synced.text() == "Last synced just now")
    finally:
        elapsed = driver.close()
    assert elapsed < 1.0
    assert driver.unexpected_errors() == []


def _sign_out(driver: ShellDriver, qtbot: Any, *, delete_data: bool) -> None:
    window = driver.window
    window.action_sign_out.trigger()
    dialogs = [d for d in window.open_dialogs() if isinstance(d, SignOutDialog)]
    assert len(dialogs) == 1 and dialogs[0].isVisible()
    dialog = dialogs[0]
    dialog.delete_data.setChecked(delete_data)
    qtbot.mouseClick(dialog.sign_out_button, Qt.MouseButton.LeftButton)
    driver.wait(lambda: not window.is_showing_main())


def test_sign_out_removes_token_and_keeps_cache_unless_asked(
        qtbot: Any, qloop: Any, data_dir: Path, sandbox: SandboxServer) -> None:
    backend = MemoryBackend()
    driver = _signed_in(qtbot, data_dir, sandbox, backend)
    window = driver.window
    paths = driver.shell.services.paths  # type: ignore[union-attr]
    profile = load_profile(paths)
    assert profile is not None
    cache = paths.cache_file(profile.account_key)
    try:
        _sign_out(driver, qtbot, delete_data=False)
        assert backend.get_password(SERVICE, profile.account_key) is None
        assert cache.exists()
        welcome = window.welcome
        assert welcome.offline_box.isVisible()

        qtbot.mouseClick(welcome.offline_button, Qt.MouseButton.LeftButton)
        driver.wait(window.is_showing_main)
        window.orders_tab.set_filter("all")
        assert window.orders_tab.model.rowCount() == 120
        assert "signed out" in window.offline_banner.text()
        assert not window.action_sync.isEnabled()

        _sign_out(driver, qtbot, delete_data=True)
        assert not cache.exists()
        assert not Path(str(cache) + "-wal").exists()
        assert load_profile(paths) is None
        assert not welcome.offline_box.isVisible()
    finally:
        driver.close()
    assert driver.unexpected_errors() == []


def test_closing_during_a_sync_exits_within_a_second(qtbot: Any, qloop: Any, data_dir: Path) -> None:
    # A throttled sandbox makes the first sync take a while, so the window closes mid-sync.
    config = SandboxConfig(seed=3, products=20, orders=400, restore_rate=150.0)
    driver = ShellDriver(qtbot, data_dir, options=AppOptions(demo=True, demo_config=config))
    seen: list[str] = []
    driver.start()
    driver.window.status.progress_changed.connect(seen.append)
    driver.wait(lambda: any(text.startswith("Syncing orders") for text in seen), timeout=30)
    elapsed = driver.close()
    assert elapsed < 1.0
    assert driver.unexpected_errors() == []


def test_window_size_and_columns_are_remembered(qtbot: Any, qloop: Any, data_dir: Path,
                                                sandbox: SandboxServer) -> None:
    backend = MemoryBackend()
    driver = _signed_in(qtbot, data_dir, sandbox, backend)
    window = driver.window
    window.resize(777, 555)  # within the offscreen screen (800 x 600)
    header = window.orders_tab.table.horizontalHeader()
    header.resizeSection(1, 333)
    header.moveSection(3, 0)  # status first
    driver.close()

    again = ShellDriver(qtbot, data_dir, secrets=Secrets(backend, environ={}),
                        options=AppOptions(auto_sync_interval=3600))
    again.shell = None
    from orderchamp_desktop.app import build_shell

    shell = build_shell(again.options, data_dir=data_dir, secrets=again.secrets)
    try:
        assert (shell.window.width(), shell.window.height()) == (777, 555)
        header = shell.window.orders_tab.table.horizontalHeader()
        assert header.sectionSize(1) == 333
        assert header.logicalIndex(0) == 3
        settings = (data_dir / "config" / "ui-settings.ini").read_text(encoding="utf-8")
        assert sandbox.token not in settings
    finally:
        shell.close()
        shell.window.deleteLater()
