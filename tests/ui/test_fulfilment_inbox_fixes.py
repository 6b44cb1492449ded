"""The inbox and the order pane as a shop owner uses them, against the sandbox over HTTP.

Audit defects: the search did nothing on the inbox, "Mark shipped" rows said 0 units and their
order offered only a greyed "Ship…", the pick list could never cover the whole inbox and
saved an empty list without a word, line amounts did not add up, long variants were cut,
cancelled orders still listed units "not shipped yet", and info banners never went away.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QApplication, QFileDialog

from orderchamp_desktop.sandbox import SandboxConfig, SandboxServer
from orderchamp_desktop.ui.fulfilment.controller import FulfilmentController
from orderchamp_desktop.ui.fulfilment.inbox import NO_UNITS, TODO, UNITS
from orderchamp_desktop.ui.fulfilment.shipment_dialog import ShipmentDialog
from orderchamp_desktop.ui.testing import ShellDriver
from tests.ui.signed_in import signed_in, wait_for_first_sync


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer(SandboxConfig(seed=5, products=20, orders=120, restore_rate=5000.0)) as server:
        yield server


@pytest.fixture
def app(qtbot: Any, qloop: Any, data_dir: Path, sandbox: SandboxServer
        ) -> Iterator[tuple[ShellDriver, FulfilmentController]]:
    with signed_in(qtbot, data_dir, sandbox) as (driver, fulfilment):
        wait_for_first_sync(driver)
        driver.wait(lambda: fulfilment.inbox.count > 0)
        yield driver, fulfilment


def _sync(driver: ShellDriver) -> None:
    assert driver.controller is not None
    assert driver.run(driver.controller.sync_now(), timeout=30)


def _open(driver: ShellDriver, fc: FulfilmentController, order_id: str) -> None:
    fc.show_view("needs_action")
    driver.wait(lambda: fc.inbox.table.select_id(order_id))
    driver.wait(lambda: fc.detail.detail is not None and fc.detail.detail.order.id == order_id)


def _select_rows(table: Any, rows: list[int]) -> None:
    table.select_row(rows[0])
    for row in rows[1:]:
        table.selectionModel().select(table.model().index(row, 0), QItemSelectionModel.SelectionFlag.Select
                                      | QItemSelectionModel.SelectionFlag.Rows)


def _packed_order(driver: ShellDriver, sandbox: SandboxServer) -> Any:
    """An order whose every unit is in a parcel that is not marked as shipped yet."""
    order_id = sandbox.state.add_random_order("AWAITING_FULFILMENT", lines=2)
    order = sandbox.state.order(order_id)
    assert order is not None
    response = httpx.post(sandbox.url, headers={"Authorization": f"Bearer {sandbox.token}"}, json={
        "query": "mutation($i: ShipmentCreateInput!) "
                 "{ shipmentCreate(input: $i) { userErrors { message } } }",
        "variables": {"i": {"orderId": order_id, "products": [
            {"id": line.id, "quantity": line.quantity} for line in order.lines]}}})
    assert response.json()["data"]["shipmentCreate"]["userErrors"] == []
    _sync(driver)
    store = driver.window.source.store
    detail = store.order_detail(order_id) if store is not None else None
    assert detail is not None and len(detail.shipments) == 1
    return order


def test_the_search_box_narrows_the_inbox(app: tuple[ShellDriver, FulfilmentController]) -> None:
    driver, fc = app
    window = driver.window
    model = fc.inbox.model
    driver.wait(lambda: model.rowCount() > 3)
    everything = model.rowCount()
    number = model.text_at(2, 1)
    window.action_find.trigger()  # Ctrl+F lands on the inbox's own view
    assert window.orders_tab.search.hasFocus() and fc.inbox_shown()
    qtbot: Any = driver.qtbot
    qtbot.keyClicks(window.orders_tab.search, number)
    driver.wait(lambda: model.rowCount() == 1)
    assert model.text_at(0, 1) == number
    assert f"1 order needing action matches “{number}”" in fc.inbox.summary.text()

    window.orders_tab.search.setText("qqqzzznothing")
    window.orders_tab.apply_search()
    assert model.rowCount() == 0
    assert fc.inbox.table.empty_text == "No orders needing action match “qqqzzznothing”."
    window.orders_tab.search.clear()
    window.orders_tab.apply_search()
    assert model.rowCount() == everything


def test_a_packed_order_offers_mark_as_shipped_in_its_actions_row(
        app: tuple[ShellDriver, FulfilmentController], sandbox: SandboxServer) -> None:
    driver, fc = app
    order = _packed_order(driver, sandbox)
    driver.wait(lambda: fc.inbox.model.row_of(order.id) >= 0)
    row = fc.inbox.model.row_of(order.id)
    assert fc.inbox.model.text_at(row, TODO) == "Mark shipped"
    assert fc.inbox.model.text_at(row, UNITS) == NO_UNITS  # not a bare "0"

    _open(driver, fc, order.id)
    assert fc.mark_button.isVisible() and fc.mark_button.isEnabled()
    assert not fc.ship_button.isVisible()  # nothing left for a new parcel
    assert fc.action_note.isVisible()
    assert fc.action_note.text() == "Everything is packed: mark parcel 1 as shipped."
    qtbot: Any = driver.qtbot
    qtbot.mouseClick(fc.mark_button, Qt.MouseButton.LeftButton)
    dialogs = [d for d in fc.dialogs if isinstance(d, ShipmentDialog)]
    assert len(dialogs) == 1 and dialogs[0].parcel_label.isVisible()
    assert not dialogs[0].lines_box.isVisible()  # marks the existing parcel, builds no new one
    driver.wait(lambda: bool(dialogs[0].timeframes))


def test_the_pick_list_covers_the_inbox_unless_several_orders_are_selected(
        app: tuple[ShellDriver, FulfilmentController]) -> None:
    _driver, fc = app
    model = fc.inbox.model
    to_pick = model.ids_to_pick()
    assert len(to_pick) >= 3
    fc.inbox.table.select_row(0)  # looking at one order selects it
    assert fc.pick_list_ids() == to_pick
    assert fc.action_pick_pdf.text() == f"Pick list: {len(to_pick)} orders (PDF)…"
    picked = {number for _id, number, _retailer in fc.pick_list().orders}
    assert len(picked) == len(to_pick)

    rows = [model.row_of(to_pick[0]), model.row_of(to_pick[1])]
    _select_rows(fc.inbox.table, rows)
    assert sorted(fc.pick_list_ids()) == sorted(to_pick[:2])
    assert fc.action_pick_pdf.text() == "Pick list: 2 selected (PDF)…"


def test_a_pick_list_with_nothing_to_pick_is_refused_with_a_word(
        app: tuple[ShellDriver, FulfilmentController]) -> None:
    driver, fc = app
    assert fc.show_view("all", "COMPLETED")
    table = fc.tab.table
    driver.wait(lambda: fc.tab.model.rowCount() >= 2)
    _select_rows(table, [0, 1])
    before = list(fc.dialogs)
    fc.action_pick_pdf.trigger()
    QApplication.processEvents()
    assert not [d for d in fc.dialogs if d not in before and isinstance(d, QFileDialog)]
    banner = driver.window.info_banner
    assert banner.isVisible()
    assert banner.text() == "Nothing to pick: none of the 2 selected orders has units left to ship."


def test_order_lines_add_up_and_show_product_variant_and_sku(
        app: tuple[ShellDriver, FulfilmentController], sandbox: SandboxServer) -> None:
    driver, fc = app
    order_id = sandbox.state.add_random_order("AWAITING_FULFILMENT", lines=3)
    _sync(driver)
    _open(driver, fc, order_id)
    detail = fc.detail.detail
    assert detail is not None
    lines = fc.detail.lines
    amounts = []
    for row, line in enumerate(detail.lines):
        name, second = lines.text(row, 0).split("\n")
        assert name == line.title  # the variant no longer crowds the product's name
        assert line.sku is not None and line.sku in second
        assert not line.variant_title or second.startswith(line.variant_title)
        price, subtotal = (_money(lines.text(row, c)) for c in (3, 4))
        assert price * line.quantity == subtotal  # what a person checks first
        amounts.append(subtotal)
    assert sum(amounts) == detail.subtotal_price


def test_a_cancelled_order_lists_nothing_as_still_to_ship(
        app: tuple[ShellDriver, FulfilmentController], sandbox: SandboxServer) -> None:
    driver, fc = app
    order_id = sandbox.state.add_random_order("AWAITING_FULFILMENT", lines=2)
    sandbox.state.cancel_order(order_id)
    _sync(driver)
    assert fc.show_view("cancelled")
    driver.wait(lambda: fc.tab.table.select_id(order_id))
    driver.wait(lambda: fc.detail.detail is not None and fc.detail.detail.order.id == order_id)
    assert "not shipped yet" not in fc.detail.lines_heading.text()
    lines = fc.detail.lines
    for row in range(lines.rowCount()):
        assert lines.text(row, 2) == "–"
        item = lines.item(row, 2)
        assert item is not None and not item.font().bold()


def test_info_banners_expire_and_make_way_for_errors(
        app: tuple[ShellDriver, FulfilmentController], tmp_path: Path) -> None:
    driver, fc = app
    window = driver.window
    banner = window.info_banner
    fc.save_pick_list(tmp_path / "pick.pdf")
    assert banner.isVisible() and banner.expires()
    window.show_error("The PDF could not be saved.")
    assert not banner.isVisible()  # the hint no longer sits above the bad news

    banner.hide_after_ms = 150
    fc.save_pick_list(tmp_path / "again.pdf")
    assert banner.isVisible()
    driver.wait(lambda: not banner.isVisible(), timeout=3)


def _money(text: str) -> Decimal:
    return Decimal(text.lstrip("€").replace(",", ""))
