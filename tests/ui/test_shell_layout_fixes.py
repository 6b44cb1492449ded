"""The Orders tab's layout across launches, at the default size and at the minimum size.

Start-up paints the orders before it builds the detail pane; the pane then takes the place
kept for it. Audit defects: the inbox shrank (and the detail pane grew) on every launch after
the first, the inbox did not fit the default 1440 x 900 window, and at 760 x 480 the detail
panes cut their line tables off.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication

from orderchamp_desktop.app import build_shell
from orderchamp_desktop.core.secrets import MemoryBackend, Secrets
from orderchamp_desktop.sandbox import SandboxConfig, SandboxServer
from orderchamp_desktop.ui.fulfilment.inbox import RETAILER, STATUS
from orderchamp_desktop.ui.services import AppOptions
from orderchamp_desktop.ui.testing import ShellDriver
from orderchamp_desktop.ui.widgets.search_tab import DETAIL_MIN_WIDTH

SHOTS = Path("/tmp/shots")


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer(SandboxConfig(seed=11, products=20, orders=120, restore_rate=5000.0)) as server:
        yield server


def _launch(qtbot: Any, data_dir: Path, sandbox: SandboxServer, backend: MemoryBackend) -> ShellDriver:
    """One app session on ``data_dir``: signs in on the first launch, then opens from the cache."""
    options = AppOptions(api_url=sandbox.url, auto_sync_interval=3600)
    driver = ShellDriver(qtbot, data_dir, secrets=Secrets(backend, environ={}), options=options).start()
    assert driver.controller is not None
    if not driver.window.is_showing_main():
        driver.run(driver.controller.connect_with_token(sandbox.token))
    driver.wait(lambda: driver.window.status.last_synced.text() == "Last synced just now", timeout=60)
    driver.wait(lambda: driver.controller is not None and driver.controller.fulfilment.inbox.count > 0)
    QApplication.processEvents()
    return driver


def _settle() -> None:
    for _ in range(3):
        QApplication.processEvents()


def test_the_inbox_keeps_its_width_from_launch_to_launch_and_fits_the_default_window(
        qtbot: Any, qloop: Any, data_dir: Path, sandbox: SandboxServer) -> None:
    backend = MemoryBackend()
    widths: list[tuple[int, int]] = []
    for launch in range(3):
        driver = _launch(qtbot, data_dir, sandbox, backend)
        try:
            window = driver.window
            assert (window.width(), window.height()) == (1440, 900)
            _settle()
            inbox = driver.controller.fulfilment.inbox  # type: ignore[union-attr]
            widths.append((inbox.width(), window.orders_tab.detail.width()))
            table = inbox.table
            header = table.horizontalHeader()
            # The whole row fits: no sideways scrolling, the status in full, the retailer
            # column taking what is left.
            assert not table.horizontalScrollBar().isVisible(), f"launch {launch + 1}"
            assert header.length() <= table.viewport().width()
            status = table.fontMetrics().horizontalAdvance("Awaiting fulfilment")
            assert header.sectionSize(STATUS) > status
            assert header.sectionSize(RETAILER) >= 150
            window.grab().save(str(SHOTS / f"layout_launch_{launch + 1}.png")) if SHOTS.is_dir() else None
        finally:
            driver.close()
    first = widths[0]
    assert first[0] > 2 * first[1] * 0.7  # the list gets most of the room, not the detail pane
    for later in widths[1:]:
        assert abs(later[0] - first[0]) <= 4 and abs(later[1] - first[1]) <= 4, widths


def test_at_the_minimum_size_the_detail_panes_show_their_whole_tables(
        qtbot: Any, qloop: Any, data_dir: Path, sandbox: SandboxServer) -> None:
    driver = _launch(qtbot, data_dir, sandbox, MemoryBackend())
    try:
        window = driver.window
        window.resize(760, 480)
        fulfilment = driver.controller.fulfilment  # type: ignore[union-attr]
        fulfilment.inbox.table.select_row(0)
        driver.wait(lambda: fulfilment.detail.detail is not None)
        _settle()
        detail = window.orders_tab.detail
        assert detail.width() >= DETAIL_MIN_WIDTH
        _assert_table_fits(detail, detail.lines)

        window.show_tab(3)
        invoices = window.invoices_tab
        driver.wait(lambda: invoices.model.rowCount() > 0)
        invoices.table.select_row(0)
        driver.wait(lambda: invoices.detail.detail is not None)
        _settle()
        assert invoices.detail.width() >= DETAIL_MIN_WIDTH
        _assert_table_fits(invoices.detail, invoices.detail.items)
    finally:
        driver.close()


def _assert_table_fits(pane: Any, table: Any) -> None:
    """Every column of ``table`` lies within what ``pane`` (a scroll area) shows, and the item
    names keep a readable width."""
    header = table.horizontalHeader()
    assert header.sectionSize(0) >= table.min_first_column
    right_edge = table.mapTo(pane.widget(), table.rect().topLeft()).x() + header.length()
    assert right_edge <= pane.viewport().width(), (right_edge, pane.viewport().width())


def test_a_returning_user_sees_the_orders_before_the_detail_pane_is_built_and_nothing_moves(
        qtbot: Any, qloop: Any, data_dir: Path, sandbox: SandboxServer) -> None:
    """Start-up paints the cached orders with a note where the detail pane goes, then builds
    the pane in its place: same sentence, same divider, the collector running again."""
    backend = MemoryBackend()
    _launch(qtbot, data_dir, sandbox, backend).close()  # signs in and syncs once
    shell = build_shell(AppOptions(api_url=sandbox.url), data_dir=data_dir,
                        secrets=Secrets(backend, environ={}))
    seen: dict[str, Any] = {}

    def at_first_paint() -> None:
        tab = shell.window.orders_tab
        seen["rows"] = tab.model.rowCount()
        seen["note"] = tab.splitter.widget(1).text()  # type: ignore[attr-defined]
        seen["sizes"] = tab.splitter.sizes()

    shell.window.resize(1440, 900)
    gc.disable()  # as the entry point starts the GUI
    try:
        shell.show_and_paint(on_painted=at_first_paint)
        assert gc.isenabled()
        tab = shell.window.orders_tab
        assert seen["rows"] > 0 and seen["rows"] == tab.model.rowCount()  # the saved view, painted
        pane = tab.splitter.widget(1)
        assert pane is tab.detail and seen["note"] == tab.detail.empty.text()
        _settle()
        assert tab.splitter.sizes() == seen["sizes"]
        tab.table.select_row(0)
        _settle()
        assert tab.detail.title.text().startswith("Order ")
    finally:
        gc.enable()
        shell.close()
        shell.window.deleteLater()
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
