"""The fulfilment flow through the real window against the sandbox over loopback HTTP.

The shell signs in with a token, syncs a small sandbox, and the tests click through the
inbox, the shipment builder and the order detail like a user; every outcome is checked in
the sandbox's own state (what Orderchamp would have) and in what the window shows.
Screenshots land in /tmp/shots for a person to look at.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QPushButton

from orderchamp_desktop.sandbox import SandboxConfig, SandboxServer
from orderchamp_desktop.ui.fulfilment.controller import FulfilmentController
from orderchamp_desktop.ui.fulfilment.shipment_dialog import ShipmentDialog
from orderchamp_desktop.ui.testing import ShellDriver
from tests.ui.signed_in import signed_in, wait_for_first_sync

SHOTS = Path("/tmp/shots")


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxServer]:
    config = SandboxConfig(seed=5, products=20, orders=120, restore_rate=5000.0)
    with SandboxServer(config) as server:
        yield server


class App:
    """A signed-in, synced window with fulfilment installed."""

    def __init__(self, driver: ShellDriver, fulfilment: FulfilmentController, sandbox: SandboxServer) -> None:
        self.driver = driver
        self.window = driver.window
        self.fulfilment = fulfilment
        self.sandbox = sandbox
        self.closed: dict[int, bool] = {}
        self.qtbot: Any = driver.qtbot

    def wait(self, condition: Any, timeout: float = 15.0) -> None:
        self.driver.wait(condition, timeout)

    def sync(self, order_id: str | None = None, until: Callable[[Any], bool] | None = None) -> None:
        """Sync after the sandbox changed: one Sync Now must bring ``order_id`` and ``until(store)``,
        even when an automatic sync that started before the change is still running."""
        controller = self.driver.controller
        assert controller is not None
        assert self.driver.run(controller.sync_now(), timeout=30)
        store = self.window.source.store
        assert store is not None
        assert order_id is None or store.order_detail(order_id) is not None, f"sync missed {order_id}"
        assert until is None or until(store), "sync did not bring the change"

    def open_order(self, order_id: str) -> None:
        store = self.window.source.store
        assert store is not None and store.order_detail(order_id) is not None, "the sync missed the order"
        self.fulfilment.show_view("needs_action")
        self.wait(lambda: self.fulfilment.inbox.table.select_id(order_id))
        self.wait(lambda: self.fulfilment.detail.detail is not None
                  and self.fulfilment.detail.detail.order.id == order_id)

    def ship_dialog(self, shipment_id: str | None = None) -> ShipmentDialog:
        before = set(self.fulfilment.dialogs)
        if shipment_id is None:
            self.qtbot.mouseClick(self.fulfilment.ship_button, Qt.MouseButton.LeftButton)
        else:
            self.fulfilment.open_ship_dialog(shipment_id)
        dialogs = [d for d in self.fulfilment.dialogs if d not in before and isinstance(d, ShipmentDialog)]
        assert len(dialogs) == 1
        return self.track(dialogs[0])

    def track(self, dialog: ShipmentDialog) -> ShipmentDialog:
        """Wait for the live schema's choices, and notice when the dialog is done."""
        self.wait(lambda: bool(dialog.timeframes))
        self.closed[id(dialog)] = False
        key = id(dialog)

        def done(_result: int) -> None:
            self.closed[key] = True

        dialog.finished.connect(done)
        return dialog

    def wait_closed(self, dialog: ShipmentDialog, timeout: float = 15.0) -> None:
        try:
            self.wait(lambda: self.closed.get(id(dialog), False), timeout)
        except Exception:
            raise AssertionError(f"dialog still open: status={dialog.status.text()!r} "
                                 f"tracking={dialog.tracking_error.text()!r} "
                                 f"lines={[dialog.line_error(r) for r in range(len(dialog._spins))]}"
                                 ) from None


@pytest.fixture
def app(qtbot: Any, qloop: Any, data_dir: Path, sandbox: SandboxServer) -> Iterator[App]:
    with signed_in(qtbot, data_dir, sandbox) as (driver, fulfilment):
        driver.wait(lambda: driver.window.is_showing_main())
        wait_for_first_sync(driver)
        yield App(driver, fulfilment, sandbox)


def _new_order(app: App, lines: int = 2, status: str = "AWAITING_FULFILMENT") -> Any:
    order_id = app.sandbox.state.add_random_order(status, lines=lines)
    app.sync(order_id)
    return app.sandbox.state.order(order_id)


def _set_quantity(app: App, order: Any, index: int, quantity: int) -> None:
    """Give a line of a fresh order a known quantity (sandbox state), and sync it to the cache."""
    line = order.lines[index]
    line.quantity = line.unshipped_quantity = quantity
    app.sandbox.state.touch_order(order.id)
    app.sync(until=lambda store: store.order_detail(order.id).lines[index].quantity == quantity)


def _click(app: App, button: QPushButton) -> None:
    app.qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def _ship_behind_our_back(sandbox: SandboxServer, order_id: str, line_id: str, quantity: int) -> None:
    """Another user ships units in the back office (a separate, real HTTP request)."""
    response = httpx.post(sandbox.url, headers={"Authorization": f"Bearer {sandbox.token}"}, json={
        "query": "mutation($i: ShipmentCreateInput!) "
                 "{ shipmentCreate(input: $i) { userErrors { message } } }",
        "variables": {"i": {"orderId": order_id, "products": [{"id": line_id, "quantity": quantity}]}}})
    assert response.json()["data"]["shipmentCreate"]["userErrors"] == []


# ---------------------------------------------------------------- inbox and titles

def test_orders_tab_opens_on_the_inbox_with_counts_in_titles(app: App) -> None:
    fc = app.fulfilment
    assert fc.inbox_shown() and fc.inbox.isVisible() and not fc.tab.table.isVisible()
    store = app.window.source.store
    assert store is not None
    expected = store.count_orders(view="needs_action") + store.count_orders(
        view="unconfirmed", status="AWAITING_CONFIRMATION")
    assert expected > 0 and fc.inbox.count == expected
    tab_text = app.window.tabs.tabText(app.window.tabs.indexOf(fc.tab))
    assert tab_text == f"&Orders ({expected:,})"
    assert app.window.windowTitle().startswith(f"({expected:,}) ")
    # Most urgent first: deadlines never go backwards; overdue ones carry a flag.
    model = fc.inbox.model
    deadlines = [model.urgency_of(i).deadline for i in model.ids()]  # type: ignore[union-attr]
    assert deadlines == sorted(deadlines)  # type: ignore[type-var]
    assert model.overdue >= 1 and model.text_at(0, 0).startswith("Overdue by")
    # Unconfirmed orders are listed to be confirmed, never to be shipped.
    todo = {model.text_at(r, 3) for r in range(model.rowCount())}
    assert {"Confirm", "Ship"} <= todo <= {"Confirm", "Ship", "Mark shipped"}
    SHOTS.mkdir(exist_ok=True)
    app.window.grab().save(str(SHOTS / "inbox.png"))


# ---------------------------------------------------------------- shipping

def test_partial_parcel_then_the_rest_untracked(app: App) -> None:
    order = _new_order(app, lines=2)
    first, second = order.lines
    fc = app.fulfilment
    count_before = fc.needs_action_count()
    app.open_order(order.id)
    dialog = app.ship_dialog()
    spins = dialog._spins
    assert [s.value() for s in spins] == [first.quantity, second.quantity]  # defaults: all unshipped
    spins[1].setValue(0)
    app.qtbot.keyClicks(dialog.tracking_edit, "3SBOL12345678")
    carrier = dialog.carrier_label.text()
    assert "PostNL" in carrier and "https://postnl.nl/tracktrace/" in carrier
    dialog.grab().save(str(SHOTS / "ship_dialog_tracked.png"))
    _click(app, dialog.ship_button)
    app.wait_closed(dialog)

    assert [(s.status, s.tracking_number) for s in order.shipments] == [("SHIPPED", "3SBOL12345678")]
    items = [(i.order_product.id, i.quantity) for i in order.shipments[0].items]
    assert items == [(first.id, first.quantity)]
    # The detail pane, lines and inbox updated from the cache at once.
    # New blocks become visible on the next turn of the event loop (Qt shows them queued).
    app.wait(lambda: "3SBOL12345678" in fc.detail.text())
    text = fc.detail.text()
    assert "3SBOL12345678" in text and "Shipments (1)" in text
    assert fc.inbox.model.row_of(order.id) >= 0  # still needs the rest
    fc.window.grab().save(str(SHOTS / "order_after_partial.png"))

    dialog = app.ship_dialog()
    assert [s.value() for s in dialog._spins] == [0, second.quantity]
    assert not dialog._spins[0].isEnabled()
    dialog.untracked_radio.setChecked(True)
    dialog.timeframe.setCurrentIndex(dialog.timeframe.findData("TWO_TO_THREE_DAYS"))
    assert dialog.timeframe.currentText() == "2–3 days"
    dialog.grab().save(str(SHOTS / "ship_dialog_untracked.png"))
    _click(app, dialog.ship_button)
    app.wait_closed(dialog)

    assert order.is_fulfilled and len(order.shipments) == 2
    untracked = order.shipments[1]
    assert untracked.is_tracked is False and untracked.delivery_timeframe == "TWO_TO_THREE_DAYS"
    app.wait(lambda: fc.inbox.model.row_of(order.id) < 0)
    assert fc.needs_action_count() == count_before - 1
    assert f"({count_before - 1:,})" in app.window.tabs.tabText(app.window.tabs.indexOf(fc.tab))
    app.wait(lambda: "Shipments (2)" in fc.detail.text() and "No tracking" in fc.detail.text())
    assert not fc.ship_button.isEnabled()


def test_nothing_is_sent_for_an_empty_parcel_or_an_over_ship(app: App) -> None:
    order = _new_order(app, lines=2)
    line = order.lines[0]
    _set_quantity(app, order, 0, 3)
    app.open_order(order.id)
    dialog = app.ship_dialog()
    sent = app.sandbox.stats.received_by_field["shipmentCreate"]

    _click(app, dialog.clear_button)
    _click(app, dialog.ship_button)
    assert dialog.lines_error.isVisible() and "at least one item" in dialog.lines_error.text()

    # The cache says 3 are left; meanwhile 2 were shipped in the back office.
    dialog._spins[0].setValue(3)
    app.qtbot.keyClicks(dialog.tracking_edit, "3SBOL12345678")
    _ship_behind_our_back(app.sandbox, order.id, line.id, 2)
    sent = app.sandbox.stats.received_by_field["shipmentCreate"]
    _click(app, dialog.ship_button)
    app.wait(lambda: not dialog.busy and dialog.line_error(0) != "")
    assert dialog.line_error(0) == "Only 1 left to ship; 3 is too many."
    assert "border" in dialog._spins[0].styleSheet()
    assert app.sandbox.stats.received_by_field["shipmentCreate"] == sent  # refused before sending
    assert dialog.isVisible()
    # The fresh numbers reached the cache: the order shows 1 unshipped now.
    detail = app.window.source.store.order_detail(order.id)  # type: ignore[union-attr]
    assert detail is not None and detail.lines[0].unshipped_quantity == 1
    dialog.grab().save(str(SHOTS / "ship_dialog_overship.png"))


def test_a_server_user_error_is_shown_at_the_line_it_names(app: App) -> None:
    order = _new_order(app, lines=2)
    line = order.lines[1]
    _set_quantity(app, order, 1, 2)
    app.open_order(order.id)
    dialog = app.ship_dialog()
    dialog._spins[0].setValue(0)
    app.qtbot.keyClicks(dialog.tracking_edit, "3SBOL12345678")

    def clash(step: str) -> None:  # after the fresh read, just before shipmentCreate is sent
        if step.startswith("Registering"):
            _ship_behind_our_back(app.sandbox, order.id, line.id, 1)

    dialog.step_changed.connect(clash)
    _click(app, dialog.ship_button)
    app.wait(lambda: not dialog.busy and dialog.line_error(1) != "")
    assert "exceeds the unshipped quantity of 1" in dialog.line_error(1)
    assert dialog.line_error(0) == ""
    assert dialog.status.text() == "Please correct the marked fields."
    assert len(order.shipments) == 1  # only the other user's parcel
    dialog.grab().save(str(SHOTS / "ship_dialog_user_error.png"))


def test_dropped_connection_after_shipment_create_makes_one_shipped_parcel(app: App) -> None:
    order = _new_order(app, lines=2)
    app.open_order(order.id)
    dialog = app.ship_dialog()
    app.qtbot.keyClicks(dialog.tracking_edit, "1Z5R89390357567127")
    executed = app.sandbox.stats.by_field["shipmentCreate"]
    app.sandbox.faults.drop_response_after("shipmentCreate")
    _click(app, dialog.ship_button)
    app.wait_closed(dialog, 30)

    assert app.sandbox.stats.by_field["shipmentCreate"] == executed + 1
    assert [(s.status, s.carrier) for s in order.shipments] == [("SHIPPED", "UPS")]
    assert order.is_fulfilled
    app.wait(lambda: "1Z5R89390357567127" in app.fulfilment.detail.text())


def test_scan_to_pack_refuses_unknown_codes_and_over_scans(app: App) -> None:
    order = _new_order(app, lines=2)
    first, second = order.lines
    _set_quantity(app, order, 0, 2)
    app.open_order(order.id)
    dialog = app.ship_dialog()
    qtbot = app.qtbot

    def scan(code: str) -> None:
        dialog.scan.setFocus()
        qtbot.keyClicks(dialog.scan, code)
        qtbot.keyClick(dialog.scan, Qt.Key.Key_Return)

    assert first.ean
    scan(first.ean)
    assert [s.value() for s in dialog._spins] == [1, 0]  # packing starts from an empty parcel
    assert "Added 1 ×" in dialog.scan_message.text()
    scan("0000000000000")
    assert "Unknown code" in dialog.scan_message.text()
    assert "#b3261e" in dialog.scan_message.styleSheet()
    assert [s.value() for s in dialog._spins] == [1, 0]
    scan(first.sku.lower() if first.sku else first.ean)
    assert [s.value() for s in dialog._spins] == [2, 0]
    scan(first.ean)
    assert "too many" in dialog.scan_message.text() and [s.value() for s in dialog._spins] == [2, 0]
    assert dialog.scan.text() == ""  # ready for the next scan
    # The scanner's Enter never pressed "Ship": nothing was validated or sent.
    assert not dialog.tracking_error.isVisible() and not dialog.status.isVisible()
    assert order.shipments == []
    dialog.grab().save(str(SHOTS / "ship_dialog_scan.png"))

    dialog.tracked_radio.setChecked(True)
    qtbot.keyClicks(dialog.tracking_edit, "09980000020033")
    assert "DPD" in dialog.carrier_label.text()
    _click(app, dialog.ship_button)
    app.wait_closed(dialog)
    assert [(i.order_product.id, i.quantity) for i in order.shipments[0].items] == [(first.id, 2)]
    assert second.unshipped_quantity == second.quantity


def test_a_created_but_unshipped_parcel_is_marked_as_shipped(app: App) -> None:
    order = _new_order(app, lines=1)
    line = order.lines[0]
    _ship_behind_our_back(app.sandbox, order.id, line.id, line.quantity)
    app.sync(until=lambda store: len(store.order_detail(order.id).shipments) == 1)
    app.open_order(order.id)
    fc = app.fulfilment
    buttons = [b for b in fc.detail.findChildren(QPushButton, "markShipped") if b.isVisible()]
    assert len(buttons) == 1
    assert not fc.ship_button.isEnabled()  # nothing left to put in a new parcel
    _click(app, buttons[0])
    dialog = app.track(next(d for d in fc.dialogs if isinstance(d, ShipmentDialog)))
    assert not dialog.lines_box.isVisible() and dialog.parcel_label.isVisible()
    assert dialog.ship_button.text() == "&Mark as shipped"
    app.qtbot.keyClicks(dialog.tracking_edit, "RR473124829NL")
    dialog.grab().save(str(SHOTS / "mark_shipped_dialog.png"))
    _click(app, dialog.ship_button)
    app.wait_closed(dialog)
    assert [(s.status, s.carrier) for s in order.shipments] == [("SHIPPED", "PostNL")]
    app.wait(lambda: not [b for b in fc.detail.findChildren(QPushButton, "markShipped") if b.isVisible()])


def test_confirm_an_order_awaiting_confirmation(app: App) -> None:
    order = _new_order(app, lines=1, status="AWAITING_CONFIRMATION")
    app.open_order(order.id)
    fc = app.fulfilment
    assert fc.inbox.model.text_at(fc.inbox.model.row_of(order.id), 3) == "Confirm"
    assert fc.confirm_button.isVisible() and not fc.ship_button.isVisible()
    _click(app, fc.confirm_button)
    app.wait(lambda: order.is_confirmed and fc.detail.detail is not None
             and fc.detail.detail.order.is_confirmed)
    app.wait(lambda: fc.ship_button.isVisible() and fc.ship_button.isEnabled())
    assert not fc.confirm_button.isVisible()
    assert fc.inbox.model.text_at(fc.inbox.model.row_of(order.id), 3) == "Ship"


def test_cancelled_orders_are_visible_but_never_offered_for_shipping(app: App) -> None:
    order = _new_order(app, lines=1)
    app.sandbox.state.cancel_order(order.id)
    app.sync(until=lambda store: store.order_rows([order.id])[0].is_cancelled)
    fc = app.fulfilment
    app.wait(lambda: fc.inbox.model.row_of(order.id) < 0)  # views refresh a moment after a sync
    fc.show_view("cancelled")
    assert not fc.inbox_shown() and fc.tab.table.isVisible()
    app.wait(lambda: fc.tab.table.select_id(order.id))
    app.wait(lambda: fc.detail.detail is not None and fc.detail.detail.order.id == order.id)
    assert not fc.ship_button.isVisible()
    assert "never shipped" in fc.action_note.text()
    QApplication.processEvents()


def test_without_order_confirm_the_window_points_to_the_back_office(
        qtbot: Any, qloop: Any, data_dir: Path) -> None:
    config = SandboxConfig(seed=6, products=10, orders=40, restore_rate=5000.0,
                           features={"order_confirm": False, "orders_updated_sort": True})
    with SandboxServer(config) as sandbox:
        order_id = sandbox.state.add_random_order("AWAITING_CONFIRMATION", lines=1)
        with signed_in(qtbot, data_dir, sandbox) as (driver, fc):
            controller = driver.controller
            assert controller is not None
            source = driver.window.source
            driver.wait(lambda: source.store is not None and source.store.order_detail(order_id) is not None
                        and controller.session is not None and controller.session.schema_loaded, 60)
            driver.wait(lambda: fc.inbox.table.select_id(order_id))
            driver.wait(lambda: fc.detail.detail is not None and fc.detail.detail.order.id == order_id)
            assert not fc.confirm_button.isVisible() and not fc.ship_button.isVisible()
            assert fc.action_note.isVisible()
            assert fc.action_note.text().startswith("Confirming orders happens in the Orderchamp back office")
            assert sandbox.stats.received_by_field["orderConfirm"] == 0
