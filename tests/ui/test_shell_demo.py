"""Demo mode against the in-process sandbox: sync with visible progress, search, order detail."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from orderchamp_desktop.sandbox import SandboxConfig
from orderchamp_desktop.ui.services import AppOptions
from orderchamp_desktop.ui.testing import ShellDriver

SMALL = {"products": 20, "orders": 120, "restore_rate": 5000.0}


@pytest.fixture
def demo(qtbot: Any, qloop: Any, data_dir: Path) -> Iterator[ShellDriver]:
    """The app started as `orderchamp-desktop --demo` on a small sandbox, first sync done."""
    options = AppOptions(demo=True, demo_config=SandboxConfig(seed=7, **SMALL), auto_sync_interval=3600)
    driver = ShellDriver(qtbot, data_dir, options=options)
    progress: list[str] = []
    driver.start()
    driver.window.status.progress_changed.connect(progress.append)
    driver.progress = progress  # type: ignore[attr-defined]
    driver.wait(lambda: driver.window.is_showing_main()
                and driver.window.status.last_synced.text() == "Last synced just now", timeout=60)
    driver.window.orders_tab.set_filter("all")  # fulfilment opens the tab on its inbox
    yield driver
    driver.close()
    assert driver.unexpected_errors() == []


def _sandbox(driver: ShellDriver) -> Any:
    assert driver.controller is not None and driver.controller.session is not None
    return driver.controller.session.sandbox


def test_demo_syncs_with_visible_progress(demo: ShellDriver) -> None:
    window = demo.window
    sandbox = _sandbox(demo)
    progress: list[str] = demo.progress  # type: ignore[attr-defined]
    order_steps = [p for p in progress if p.startswith("Syncing orders")]
    assert order_steps, progress
    assert any(re.fullmatch(r"Syncing orders [\d,]+ / 120", p) for p in order_steps), order_steps
    assert progress[-1] == ""  # the bar is hidden again when the sync ends
    assert window.status.progress.isHidden()
    assert "(demo)" in window.windowTitle()
    assert window.status.connection.text() == "● Online"
    # Every order of the sandbox is in the table, newest first.
    model = window.orders_tab.model
    demo.wait(lambda: model.rowCount() == len(sandbox.state.orders))
    assert window.orders_tab.count_label.text() == "120 orders"
    newest = max(sandbox.state.orders, key=lambda o: (o.created_at, o.num))
    assert model.text_at(0, 0) == newest.number
    # The other tabs show the synced data too.
    window.show_tab(1)
    demo.wait(lambda: window.products_tab.model.rowCount() == len(sandbox.state.products))
    window.show_tab(2)
    demo.wait(lambda: window.inventory_tab.model.rowCount() == len(sandbox.state.variants))
    locations = [loc.name for loc in sandbox.state.locations]
    titles = [window.inventory_tab.model.headerData(c, Qt.Orientation.Horizontal)
              for c in range(window.inventory_tab.model.columnCount())]
    assert all(any(str(t).startswith(name) for t in titles) for name in locations), titles
    window.show_tab(3)
    demo.wait(lambda: window.invoices_tab.model.rowCount() == len(sandbox.state.invoices))


def test_search_filters_on_the_full_text_index(demo: ShellDriver, qtbot: Any) -> None:
    window = demo.window
    tab = window.orders_tab
    order = _sandbox(demo).state.orders[17]
    city = order.shipping_address.city
    in_city = {o.number for o in _sandbox(demo).state.orders if o.shipping_address.city == city}
    qtbot.keyClicks(tab.search, city)  # typed: the debounce runs one search at the end
    demo.wait(lambda: tab.model.search == city)
    shown = {tab.model.text_at(r, 0): r for r in range(tab.model.rowCount())}
    assert in_city <= set(shown)
    for row in shown.values():  # anything else matched on the retailer's name
        assert city in (tab.model.text_at(row, 2), *tab.model.text_at(row, 1).split())
    tab.search.clear()
    qtbot.keyClicks(tab.search, order.number.lstrip("#"))
    demo.wait(lambda: tab.model.rowCount() == 1)
    assert tab.model.text_at(0, 0) == order.number
    tab.search.clear()
    qtbot.keyClicks(tab.search, "zzz-nothing-matches")
    demo.wait(lambda: tab.model.rowCount() == 0)
    assert "No orders match" in tab.table.empty_text
    for text in ('"unbalanced', "NEAR(", "*", "🎄", "a OR", "-"):  # never an error
        tab.search.setText(text)
        tab.apply_search()
    assert not window.error_banner.isVisible()


def test_filters_narrow_the_table(demo: ShellDriver) -> None:
    tab = demo.window.orders_tab
    orders = _sandbox(demo).state.orders
    needs = [o for o in orders if o.is_confirmed and not o.is_cancelled and not o.is_fulfilled]
    tab.set_filter("needs_action")
    demo.wait(lambda: tab.model.rowCount() == len(needs))
    cancelled = [o for o in orders if o.status == "CANCELLED"]
    tab.set_filter("all", "CANCELLED")
    demo.wait(lambda: tab.model.rowCount() == len(cancelled))
    assert all(tab.model.text_at(r, 3) == "Cancelled" for r in range(tab.model.rowCount()))


def test_order_detail_shows_addresses_lines_totals_and_shipments(demo: ShellDriver) -> None:
    tab = demo.window.orders_tab
    orders = _sandbox(demo).state.orders
    shipped = next(o for o in orders if o.shipments and any(s.tracking_number for s in o.shipments)
                   and any(line.unshipped_quantity for line in o.lines) is False)
    partial = next((o for o in orders if o.shipments and any(line.unshipped_quantity for line in o.lines)),
                   None)
    for order in (shipped, partial):
        if order is None:
            continue
        tab.search.setText(order.number.lstrip("#"))
        tab.apply_search()
        demo.wait(lambda: tab.model.rowCount() == 1)
        tab.table.select_row(0)
        detail = tab.detail
        number = order.number
        demo.wait(lambda pane=detail, number=number: pane.detail is not None
                  and pane.detail.order.number == number)
        text = detail.text()
        assert f"Order {order.number}" in text
        assert order.shipping_address.city in detail.shipping_label.text()
        assert order.billing_address.street in detail.billing_label.text()
        assert detail.lines.rowCount() == len(order.lines)
        for row, line in enumerate(order.lines):
            assert detail.lines.text(row, 0).startswith(line.title)
            assert detail.lines.text(row, 1) == f"{line.quantity:,}"
            assert detail.lines.text(row, 2) == f"{line.unshipped_quantity:,}"
        assert f"€{order.total_price:,.2f}" in text
        assert f"Shipments ({len(order.shipments)})" in detail.shipments_heading.text()
        for shipment in order.shipments:
            if shipment.tracking_number:
                assert shipment.tracking_number in text
    tab.table.clearSelection()
    tab.search.setText("zzz-nothing")
    tab.apply_search()
    demo.wait(lambda: tab.detail.detail is None)
    assert tab.detail.empty.isVisible()
