"""Signed out, offline, the demo and the window's small print, as a shop owner meets them.

Audit defects: browsing saved data signed out was a dead end that still offered "Ship…",
the offline wording said the same thing twice (and spoke of cached orders on a first run),
leaving the demo promised keychain removal and offered a checkbox that did nothing, the
demo's "Starting…" appeared under the token field, categories showed as mangled enum paths,
the sync progress bar moved as counts grew, and Quit had no shortcut on some platforms.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication, QPushButton

from orderchamp_desktop.core.paths import AppPaths
from orderchamp_desktop.core.secrets import MemoryBackend, Secrets
from orderchamp_desktop.sandbox import SandboxConfig, SandboxServer
from orderchamp_desktop.ui.changes import ChangeBus
from orderchamp_desktop.ui.datasource import DataSource
from orderchamp_desktop.ui.dialogs.sign_out import SignOutDialog
from orderchamp_desktop.ui.fulfilment.controller import NOT_CONNECTED_NOTE, NOT_CONNECTED_TIP
from orderchamp_desktop.ui.main_window import MainWindow
from orderchamp_desktop.ui.products.tab import category_text
from orderchamp_desktop.ui.services import AppOptions
from orderchamp_desktop.ui.settings import UiSettings
from orderchamp_desktop.ui.testing import ShellDriver


def _small(seed: int) -> SandboxConfig:
    return SandboxConfig(seed=seed, products=20, orders=120, restore_rate=5000.0)


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer(_small(11)) as server:
        yield server


def _signed_in(qtbot: Any, data_dir: Path, sandbox: SandboxServer, backend: MemoryBackend) -> ShellDriver:
    options = AppOptions(api_url=sandbox.url, auto_sync_interval=3600, reconnect_delays=(30.0,))
    driver = ShellDriver(qtbot, data_dir, secrets=Secrets(backend, environ={}), options=options).start()
    assert driver.controller is not None
    driver.run(driver.controller.connect_with_token(sandbox.token))
    driver.wait(lambda: driver.window.status.last_synced.text() == "Last synced just now", timeout=60)
    return driver


def _sign_out(driver: ShellDriver, qtbot: Any) -> SignOutDialog:
    window = driver.window
    window.action_sign_out.trigger()
    dialog = next(d for d in window.open_dialogs() if isinstance(d, SignOutDialog))
    qtbot.mouseClick(dialog.sign_out_button, Qt.MouseButton.LeftButton)
    driver.wait(lambda: not window.is_showing_main())
    return dialog


def test_browsing_saved_data_signed_out_says_why_nothing_ships_and_leads_back_to_sign_in(
        qtbot: Any, qloop: Any, data_dir: Path, sandbox: SandboxServer) -> None:
    driver = _signed_in(qtbot, data_dir, sandbox, MemoryBackend())
    window = driver.window
    try:
        _sign_out(driver, qtbot)
        qtbot.mouseClick(window.welcome.offline_button, Qt.MouseButton.LeftButton)
        driver.wait(window.is_showing_main)
        fc = driver.controller.fulfilment  # type: ignore[union-attr]
        to_ship = fc.inbox.model.ids_to_pick()[0]
        driver.wait(lambda: fc.inbox.table.select_id(to_ship))
        driver.wait(lambda: fc.detail.detail is not None and fc.detail.detail.order.id == to_ship)
        assert fc.ship_button.isVisible() and not fc.ship_button.isEnabled()
        assert fc.ship_button.toolTip() == NOT_CONNECTED_TIP
        assert fc.action_note.isVisible() and fc.action_note.text() == NOT_CONNECTED_NOTE
        marks = [b for b in fc.detail.findChildren(QPushButton, "markShipped") if b.isVisible()]
        assert all(not b.isEnabled() for b in marks)

        sign_in = window.offline_banner.button("Sign in")
        assert sign_in is not None and sign_in.isVisible()
        qtbot.mouseClick(sign_in, Qt.MouseButton.LeftButton)
        driver.wait(lambda: not window.is_showing_main())
        assert window.welcome.token.isVisible() and window.welcome.connect_button.isEnabled()

        # Signed in again, the same order can be shipped.
        driver.run(driver.controller.connect_with_token(sandbox.token))  # type: ignore[union-attr]
        driver.wait(window.is_showing_main)
        driver.wait(lambda: fc.inbox.table.select_id(to_ship))
        driver.wait(lambda: fc.ship_button.isEnabled())
        assert not fc.action_note.isVisible()
    finally:
        driver.close()
    assert driver.unexpected_errors() == []


def test_offline_wording_says_each_thing_once(qtbot: Any, qloop: Any, data_dir: Path,
                                             sandbox: SandboxServer) -> None:
    backend = MemoryBackend()
    _signed_in(qtbot, data_dir, sandbox, backend).close()
    sandbox.stop()
    driver = ShellDriver(qtbot, data_dir, secrets=Secrets(backend, environ={}),
                         options=AppOptions(auto_sync_interval=3600, reconnect_delays=(30.0,))).start()
    try:
        window = driver.window
        driver.wait(window.offline_banner.isVisible)
        text = window.offline_banner.text()
        assert "cannot be reached" in text and "reconnects by itself" in text
        assert text.count("saved") + text.count("cached") == 1, text
    finally:
        driver.close()

    # A first run has nothing saved yet: the welcome page does not promise cached orders.
    fresh = data_dir.parent / "fresh"
    fresh.mkdir()
    first = ShellDriver(qtbot, fresh, options=AppOptions(api_url="http://127.0.0.1:9/v1/graphql")).start()
    try:
        welcome = first.window.welcome
        first.window.welcome.token.setText("some-token")
        qtbot.mouseClick(welcome.connect_button, Qt.MouseButton.LeftButton)
        first.wait(lambda: welcome.status.isVisible() and welcome.connect_button.isEnabled(), timeout=30)
        assert "cannot be reached" in welcome.status.text()
        assert "cached" not in welcome.status.text() and "saved" not in welcome.status.text()
    finally:
        first.close()


def test_the_demo_starts_and_leaves_in_its_own_words(qtbot: Any, qloop: Any, data_dir: Path) -> None:
    options = AppOptions(demo_config=_small(7), auto_sync_interval=3600)
    driver = ShellDriver(qtbot, data_dir, options=options).start()
    window = driver.window
    try:
        welcome = window.welcome
        driver.wait(welcome.isVisible)
        qtbot.mouseClick(welcome.demo_button, Qt.MouseButton.LeftButton)
        driver.wait(lambda: not welcome.demo_button.isEnabled())  # the start has begun
        assert welcome.demo_status.isVisible() and welcome.demo_status.text() == "Starting the demo…"
        assert not welcome.status.isVisible()  # not under the token field
        driver.wait(lambda: window.is_showing_main() and window.status.last_synced.text()
                    == "Last synced just now", timeout=60)
        assert list(data_dir.glob("cache-demo*"))

        dialog = _sign_out_dialog(window)
        assert dialog.windowTitle() == "Leave the demo"
        assert "keychain" not in dialog.text() and not dialog.delete_data.isVisible()
        qtbot.mouseClick(dialog.sign_out_button, Qt.MouseButton.LeftButton)
        driver.wait(lambda: not window.is_showing_main())
        assert not list(data_dir.glob("cache-demo*"))  # the made-up data is gone, as promised
        assert not welcome.offline_box.isVisible()
    finally:
        driver.close()
    assert driver.unexpected_errors() == []


def _sign_out_dialog(window: MainWindow) -> SignOutDialog:
    window.action_sign_out.trigger()
    return next(d for d in window.open_dialogs() if isinstance(d, SignOutDialog))


@pytest.fixture
def bare_window(qtbot: Any, tmp_path: Path) -> MainWindow:
    paths = AppPaths.resolve(tmp_path)
    paths.ensure()
    window = MainWindow(DataSource(ChangeBus()), UiSettings(paths.config_dir), paths)
    qtbot.addWidget(window)
    window.resize(1000, 600)
    window.show()
    return window


def test_quit_has_ctrl_q_even_where_the_platform_defines_no_quit_key(bare_window: MainWindow) -> None:
    shortcuts = bare_window.action_quit.shortcuts()
    assert QKeySequence("Ctrl+Q") in shortcuts
    assert all(key in shortcuts for key in QKeySequence.keyBindings(QKeySequence.StandardKey.Quit))


def test_the_sync_progress_bar_stays_put_as_the_counts_grow(bare_window: MainWindow) -> None:
    status = bare_window.status
    status.set_connection(True)
    status.set_last_synced(None)  # "Not synced yet"
    status.set_progress("orders", 9, 2000)
    QApplication.processEvents()
    left = status.progress.x()
    for done, total in ((1_200, 2_000), (88_000, 120_000)):
        status.set_progress("orders", done, total)
        QApplication.processEvents()
        assert status.progress.x() == left
    status.set_connection(False)  # the probe failed
    status.set_last_synced("2024-01-01T00:00:00Z")  # "Last synced 700 days ago"
    status.set_progress("invoices", 120_000, 300_000)
    QApplication.processEvents()
    assert status.progress.x() == left
    assert status.progress_label.width() >= status.progress_label.sizeHint().width()


def test_categories_read_as_their_levels() -> None:
    assert category_text("KIDS_BABY_BABY_ESSENTIALS_BIBS") == "Kids & Baby › Baby essentials › Bibs"
    assert category_text("HOME_LIVING_KITCHEN_TEA_TOWELS") == "Home & Living › Kitchen › Tea towels"
    assert category_text("HOME_LIVING") == "Home & Living"
    assert category_text("GARDEN_OUTDOOR_POTS") == "Garden outdoor pots"  # an unknown branch: still readable
    assert category_text(None) == ""
