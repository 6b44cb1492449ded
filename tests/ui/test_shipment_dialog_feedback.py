"""The shipment builder tells the truth about what is wrong *now*, and shows what a scan changed.

The real dialog, opened from the real window signed in to a sandbox over loopback HTTP. Each
test clicks and types like a packer and checks what they would see: messages that go once
the problem is fixed, product names that fit, no preselected delivery time, a scanned row
scrolled into view, a dialog that fits a small screen, and an honest "not connected".
Screenshots land in /tmp/shots for a person to look at.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QWidget

from orderchamp_desktop.core.actions.shipping import DELIVERY_TIMEFRAME_ENUM
from orderchamp_desktop.sandbox import SandboxConfig, SandboxServer
from orderchamp_desktop.ui.fulfilment.controller import FulfilmentController
from orderchamp_desktop.ui.fulfilment.services import (
    Connection,
    FulfilmentServices,
    connection_from_controller,
)
from orderchamp_desktop.ui.fulfilment.shipment_dialog import (
    CHOOSE_TIMEFRAME,
    FLASH_MS,
    MESSAGE,
    NOT_CONNECTED,
    PRODUCT,
    ShipmentDialog,
)
from orderchamp_desktop.ui.testing import ShellDriver
from tests.ui.signed_in import signed_in, wait_for_first_sync

SHOTS = Path("/tmp/shots")


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer(SandboxConfig(seed=12, products=30, orders=60, restore_rate=5000.0)) as server:
        yield server


class Packer:
    """A signed-in, synced window; opens the shipment builder the way a user does."""

    def __init__(self, driver: ShellDriver, fulfilment: FulfilmentController, sandbox: SandboxServer) -> None:
        self.driver = driver
        self.fulfilment = fulfilment
        self.sandbox = sandbox
        self.qtbot: Any = driver.qtbot
        self.closed: dict[int, bool] = {}

    def new_order(self, lines: int, quantities: dict[int, int] | None = None) -> Any:
        """A fresh order in the sandbox (optionally with known quantities), synced to the cache."""
        state = self.sandbox.state
        order = state.order(state.add_random_order("AWAITING_FULFILMENT", lines=lines))
        assert order is not None
        for index, quantity in (quantities or {}).items():
            order.lines[index].quantity = order.lines[index].unshipped_quantity = quantity
        state.touch_order(order.id)
        controller = self.driver.controller
        assert controller is not None
        assert self.driver.run(controller.sync_now(), timeout=30)
        store = self.driver.window.source.store
        assert store is not None
        detail = store.order_detail(order.id)
        assert detail is not None
        assert [ln.quantity for ln in detail.lines] == [ln.quantity for ln in order.lines]
        return order

    def open_dialog(self, order: Any) -> ShipmentDialog:
        fc = self.fulfilment
        fc.show_view("needs_action")
        self.driver.wait(lambda: fc.inbox.table.select_id(order.id))
        self.driver.wait(lambda: fc.detail.detail is not None and fc.detail.detail.order.id == order.id)
        before = set(fc.dialogs)
        self.click(fc.ship_button)
        dialog = next(d for d in fc.dialogs if d not in before and isinstance(d, ShipmentDialog))
        self.driver.wait(lambda: bool(dialog.timeframes))
        key = id(dialog)
        self.closed[key] = False
        dialog.finished.connect(lambda _result: self.closed.__setitem__(key, True))
        return dialog

    def click(self, button: QAbstractButton) -> None:
        self.qtbot.mouseClick(button, Qt.MouseButton.LeftButton)

    def scan(self, dialog: ShipmentDialog, code: str) -> None:
        self.qtbot.keyClicks(dialog.scan, code)
        self.qtbot.keyClick(dialog.scan, Qt.Key.Key_Return)

    def sent(self) -> int:
        return int(self.sandbox.stats.received_by_field["shipmentCreate"])

    def wait_closed(self, dialog: ShipmentDialog) -> None:
        """Until the dialog is done (it deletes itself on close, so it is not asked)."""
        key = id(dialog)
        self.driver.wait(lambda: self.closed[key], 20)


@pytest.fixture
def packer(qtbot: Any, qloop: Any, data_dir: Path, sandbox: SandboxServer) -> Iterator[Packer]:
    with signed_in(qtbot, data_dir, sandbox) as (driver, fulfilment):
        wait_for_first_sync(driver)
        yield Packer(driver, fulfilment, sandbox)


def _shot(widget: QWidget, name: str) -> None:
    QApplication.processEvents()
    SHOTS.mkdir(exist_ok=True)
    widget.grab().save(str(SHOTS / f"{name}.png"))


def _ship_in_the_back_office(sandbox: SandboxServer, order_id: str, line_id: str, quantity: int) -> None:
    """Another user ships units meanwhile (a separate, real HTTP request to the sandbox)."""
    response = httpx.post(sandbox.url, headers={"Authorization": f"Bearer {sandbox.token}"}, json={
        "query": "mutation($i: ShipmentCreateInput!) "
                 "{ shipmentCreate(input: $i) { userErrors { message } } }",
        "variables": {"i": {"orderId": order_id, "products": [{"id": line_id, "quantity": quantity}]}}})
    assert response.json()["data"]["shipmentCreate"]["userErrors"] == []


def _row_on_screen(dialog: ShipmentDialog, row: int) -> bool:
    table = dialog.table
    rect = table.visualRect(table.model().index(row, PRODUCT))
    return table.viewport().rect().contains(rect)


def _inside(dialog: ShipmentDialog, widget: QWidget) -> bool:
    """Shown, and wholly inside the dialog (not pushed out by a layout that does not fit)."""
    top_left = widget.mapTo(dialog, widget.rect().topLeft())
    return widget.isVisible() and dialog.rect().contains(QRect(top_left, widget.size()))


# ---------------------------------------------------------------- stale messages

def test_messages_go_as_soon_as_the_user_fixes_what_they_said(packer: Packer) -> None:
    order = packer.new_order(lines=3)
    dialog = packer.open_dialog(order)
    packer.click(dialog.clear_button)
    packer.click(dialog.ship_button)
    assert dialog.lines_error.isVisible() and "at least one item" in dialog.lines_error.text()
    assert dialog.tracking_error.isVisible()
    assert dialog.status.isVisible() and dialog.status.text() == "Please correct the marked fields."
    _shot(dialog, "ship_dialog_errors_shown")

    dialog._spins[1].stepUp()  # one item goes in: the parcel is no longer empty
    assert not dialog.lines_error.isVisible()
    assert dialog.status.isVisible()  # the tracking number is still marked
    packer.qtbot.keyClicks(dialog.tracking_edit, "3SBOL12345678")
    assert not dialog.tracking_error.isVisible()
    assert not dialog.status.isVisible(), "no mark left: the summary must not linger"
    _shot(dialog, "ship_dialog_errors_fixed")

    packer.click(dialog.ship_button)
    packer.wait_closed(dialog)
    assert [(i.order_product.id, i.quantity) for i in order.shipments[0].items] == [(order.lines[1].id, 1)]


def test_a_line_error_gets_a_column_that_goes_again_once_the_line_is_fixed(packer: Packer) -> None:
    order = packer.new_order(lines=2, quantities={0: 3})
    dialog = packer.open_dialog(order)
    header = dialog.table.horizontalHeader()
    assert header.isSectionHidden(MESSAGE), "no error yet: no empty message column"
    dialog.resize(940, 580)  # the size the audit saw names cut off at
    QApplication.processEvents()
    metrics = dialog.table.fontMetrics()
    for row in range(dialog.table.rowCount()):
        item = dialog.table.item(row, PRODUCT)
        assert item is not None
        assert metrics.horizontalAdvance(item.text()) + 12 <= dialog.table.columnWidth(PRODUCT), item.text()

    packer.qtbot.keyClicks(dialog.tracking_edit, "3SBOL12345678")
    line = order.lines[0]
    _ship_in_the_back_office(packer.sandbox, order.id, line.id, 2)  # the cache still says 3 are left
    packer.click(dialog.ship_button)
    packer.driver.wait(lambda: not dialog.busy and dialog.line_error(0) != "")
    assert dialog.line_error(0) == "Only 1 left to ship; 3 is too many."
    assert not header.isSectionHidden(MESSAGE) and dialog.table.columnWidth(MESSAGE) > 100
    assert dialog.status.text() == "Please correct the marked fields."
    _shot(dialog, "ship_dialog_line_error")

    dialog._spins[0].setValue(1)
    assert dialog.line_error(0) == "" and header.isSectionHidden(MESSAGE)
    assert not dialog.lines_error.isVisible() and not dialog.status.isVisible()
    packer.click(dialog.ship_button)
    packer.wait_closed(dialog)
    assert [i.quantity for i in order.shipments[-1].items if i.order_product.id == line.id] == [1]


# ---------------------------------------------------------------- no tracking

def test_no_tracking_hides_the_carrier_and_asks_for_a_delivery_time(packer: Packer) -> None:
    order = packer.new_order(lines=2)
    dialog = packer.open_dialog(order)
    packer.qtbot.keyClicks(dialog.tracking_edit, "3SBOL12345678")
    assert dialog.carrier_label.isVisible() and "PostNL" in dialog.carrier_label.text()

    packer.click(dialog.untracked_radio)
    assert not dialog.carrier_label.isVisible(), "the number typed before is not sent"
    assert dialog.timeframe.currentIndex() == -1 and dialog.timeframe.placeholderText() == CHOOSE_TIMEFRAME
    client = packer.driver.controller.session.client  # type: ignore[union-attr]
    assert client is not None and client.schema is not None
    offered = [dialog.timeframe.itemData(i) for i in range(dialog.timeframe.count())]
    assert offered == client.schema.enum_values(DELIVERY_TIMEFRAME_ENUM) and offered  # the live enum
    sent = packer.sent()
    packer.click(dialog.ship_button)
    assert dialog.timeframe_error.isVisible()
    assert dialog.timeframe_error.text() == "Choose how long delivery will take."
    assert packer.sent() == sent
    _shot(dialog, "ship_dialog_untracked_choose")

    dialog.timeframe.setCurrentIndex(dialog.timeframe.findData("TWO_TO_THREE_DAYS"))
    assert not dialog.timeframe_error.isVisible() and not dialog.status.isVisible()
    packer.click(dialog.tracked_radio)
    assert dialog.carrier_label.isVisible() and "PostNL" in dialog.carrier_label.text()
    packer.click(dialog.untracked_radio)
    assert dialog.timeframe.currentData() == "TWO_TO_THREE_DAYS"
    packer.click(dialog.ship_button)
    packer.wait_closed(dialog)
    assert [(s.is_tracked, s.delivery_timeframe) for s in order.shipments] == [(False, "TWO_TO_THREE_DAYS")]


# ---------------------------------------------------------------- scanning, small screens

def test_the_dialog_fits_the_smallest_main_window_and_its_lines_scroll(packer: Packer) -> None:
    order = packer.new_order(lines=11)
    dialog = packer.open_dialog(order)
    window = packer.driver.window
    assert dialog.minimumWidth() <= window.minimumWidth() and dialog.minimumHeight() <= 520
    dialog.resize(dialog.minimumSize())
    packer.click(dialog.untracked_radio)
    packer.click(dialog.ship_button)  # every message shown at once: still nothing pushed out
    QApplication.processEvents()
    for widget in (dialog.ship_button, dialog.close_button, dialog.scan, dialog.tracking_edit,
                   dialog.timeframe, dialog.timeframe_error, dialog.status, dialog.table):
        assert _inside(dialog, widget), widget.objectName()
    assert dialog.table.verticalScrollBar().isVisible()  # the lines scroll, the dialog does not grow
    assert dialog.table.viewport().height() >= 2 * dialog.table.rowHeight(0)
    _shot(dialog, "ship_dialog_minimum_size")


def test_a_scan_below_the_visible_rows_scrolls_to_it_and_flashes_it(packer: Packer) -> None:
    order = packer.new_order(lines=11)
    dialog = packer.open_dialog(order)
    dialog.resize(760, 520)
    QApplication.processEvents()
    last = len(order.lines) - 1
    assert _row_on_screen(dialog, 0) and not _row_on_screen(dialog, last)

    ean = order.lines[last].ean
    assert ean
    dialog.scan.setFocus()
    packer.scan(dialog, ean)
    assert dialog._spins[last].value() == 1
    assert _row_on_screen(dialog, last), "the packer sees the row the scan changed"
    assert dialog.flashed_row() == last
    assert dialog.table.item(last, PRODUCT).background().color().name() == "#c8ecd0"  # type: ignore[union-attr]
    assert QApplication.focusWidget() is dialog.scan, "the next scan goes to the scan field"
    _shot(dialog, "ship_dialog_scan_scrolled")
    packer.qtbot.waitUntil(lambda: dialog.flashed_row() is None, timeout=FLASH_MS * 4)
    assert dialog.table.item(last, PRODUCT).background().style() == Qt.BrushStyle.NoBrush  # type: ignore[union-attr]

    dialog.table.scrollToTop()
    for _ in range(dialog._spins[last].maximum()):
        packer.scan(dialog, ean)
    assert "too many" in dialog.scan_message.text()
    assert _row_on_screen(dialog, last) and dialog.flashed_row() == last
    assert dialog.table.item(last, PRODUCT).background().color().name() == "#f6d3d0"  # type: ignore[union-attr]


# ---------------------------------------------------------------- not connected

def test_without_a_connection_the_dialog_says_so_and_sends_nothing(packer: Packer) -> None:
    order = packer.new_order(lines=2)
    fc = packer.fulfilment
    fc.show_view("needs_action")
    packer.driver.wait(lambda: fc.inbox.table.select_id(order.id))
    packer.driver.wait(lambda: fc.detail.detail is not None and fc.detail.detail.order.id == order.id)
    detail = fc.detail.detail
    assert detail is not None
    # What the shell hands the dialog once signed out or offline: no session, no client.
    live = connection_from_controller(packer.driver.controller)
    current: list[Connection | None] = [None]
    services = FulfilmentServices(packer.driver.window.source, lambda: current[0])
    dialog = ShipmentDialog(detail, services, fc.runner, packer.driver.window)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    try:
        packer.driver.wait(lambda: dialog.retry_button.isVisible())
        assert dialog.timeframe.placeholderText() == NOT_CONNECTED
        assert "offers no delivery times" not in dialog.timeframe.placeholderText()
        assert "connection" in dialog.status.text()
        assert not dialog.ship_button.isEnabled() and not dialog.untracked_radio.isEnabled()
        packer.qtbot.keyClicks(dialog.tracking_edit, "3SBOL12345678")
        sent = packer.sent()
        packer.qtbot.keyClick(dialog, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        QApplication.processEvents()
        assert packer.sent() == sent and not dialog.busy
        _shot(dialog, "ship_dialog_not_connected")

        current[0] = live()  # back online
        packer.click(dialog.retry_button)
        packer.driver.wait(lambda: bool(dialog.timeframes))
        assert dialog.ship_button.isEnabled() and dialog.untracked_radio.isEnabled()
        assert not dialog.retry_button.isVisible() and not dialog.status.isVisible()
        assert dialog.timeframe.placeholderText() == CHOOSE_TIMEFRAME
    finally:
        packer.driver.wait(lambda: not dialog.busy)
        dialog.close()
