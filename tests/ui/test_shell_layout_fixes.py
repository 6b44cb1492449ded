"""The Orders tab's layout across launches, at the default size and at the minimum size.

Audit defects: the inbox shrank (and the detail pane grew) on every launch after the first,
the inbox did not fit the default 1440 x 900 window, and at 760 x 480 the detail panes cut
their line tables off.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication

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
