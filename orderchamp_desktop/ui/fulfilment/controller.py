"""Fulfilment in the main window: the inbox, order actions, parcels, packing slips and pick lists.

Installed once on the shell (``install_fulfilment(app_controller)``); it only uses the
extension points the shell offers (the Orders tab's list pane, search, filter and toolbar, the
detail pane's ``actions`` row, ``order_changed`` and ``shipment_actions``) and the change bus.
Slots stay thin: the work is in plain ``async def`` methods started on the shell's TaskRunner.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from PySide6.QtCore import QObject, QStandardPaths, Qt, QUrl
from PySide6.QtGui import QAction, QDesktopServices
from PySide6.QtWidgets import QFileDialog, QLabel, QPushButton, QSizePolicy, QWidget

from orderchamp_desktop.core.actions.shipping import CONFIRM_IN_BACK_OFFICE
from orderchamp_desktop.core.cache.rows import OrderDetail, OrderRow, ShipmentRow
from orderchamp_desktop.core.documents.packing import build_packing_slip, packing_slip_html
from orderchamp_desktop.core.documents.picklist import (
    PickList,
    build_pick_list,
    needed_per_sku,
    pick_list_html,
    pick_locations,
)
from orderchamp_desktop.core.errors import KnownError
from orderchamp_desktop.qt_async import TaskRunner
from orderchamp_desktop.ui.changes import ORDERS, Changes
from orderchamp_desktop.ui.documents.render import LocaleFormatter, print_html, write_pdf
from orderchamp_desktop.ui.fulfilment.inbox import InboxView
from orderchamp_desktop.ui.fulfilment.services import (
    ConnectionProvider,
    FulfilmentServices,
    connection_from_controller,
)
from orderchamp_desktop.ui.fulfilment.shipment_dialog import ShipmentDialog
from orderchamp_desktop.ui.fulfilment.sla import AWAITING_CONFIRMATION
from orderchamp_desktop.ui.main_window import MainWindow

log = logging.getLogger(__name__)
T = TypeVar("T")

INBOX_FILTER = ("needs_action", None)
_TITLE_COUNT = re.compile(r"^\(\d[\d,.]*\) ")
#: Most orders a pick list takes at once (a day's picking, not the archive).
PICK_LIST_LIMIT = 500
#: Why the order buttons are off while browsing saved data without signing in.
NOT_CONNECTED_NOTE = "Not connected to Orderchamp: sign in to ship or confirm orders."
NOT_CONNECTED_TIP = "Shipping and confirming need a connection to Orderchamp: sign in first."
SHIP_TIP = "Put items of this order in a parcel and send it"
MARK_TIP = "Add the tracking number (or delivery time) of a packed parcel and mark it as shipped"


@dataclass(frozen=True)
class PickScope:
    """How many orders the pick list actions cover, and whether those are a selection."""

    count: int
    selected: bool

    @property
    def short(self) -> str:
        noun = "order" if self.count == 1 else "orders"
        return f"{self.count:,} selected" if self.selected else f"{self.count:,} {noun}"

    @property
    def tooltip(self) -> str:
        if self.selected:
            return f"A pick list of the {self.count:,} selected orders"
        return (f"A pick list of every order in the inbox with units left to ship ({self.count:,}). "
                "Select two or more orders to pick only those.")

    @property
    def nothing_to_pick(self) -> str:
        which = f"none of the {self.count:,} selected orders" if self.selected else "no order in the inbox"
        return f"Nothing to pick: {which} has units left to ship."


class FulfilmentController(QObject):
    def __init__(self, window: MainWindow, runner: TaskRunner, connection: ConnectionProvider) -> None:
        super().__init__(window)
        self.window = window
        self.runner = runner
        self.source = window.source
        self.services = FulfilmentServices(self.source, connection)
        self.tab = window.orders_tab
        self.detail = self.tab.detail
        self.dialogs: list[QWidget] = []
        self.last_saved: Path | None = None
        self._setting_title = False
        self._connected: bool | None = None
        self._parcel_to_mark: str | None = None
        #: Why the order buttons are off while not connected (the shell may say it better).
        self.not_connected_note = NOT_CONNECTED_NOTE
        self._install_inbox()
        self._install_order_actions()
        self._install_toolbar()
        self.source.changes.changed.connect(self._on_changes)
        self.source.store_changed.connect(self.update_counts)
        window.windowTitleChanged.connect(self._title_changed)
        # The shell turns Sync Now on and off as an API connection comes and goes (signing
        # in, browsing saved data signed out): the order buttons follow it.
        window.action_sync.changed.connect(self._connection_may_have_changed)
        self.update_counts()

    # ---------------------------------------------------------------- inbox
    def _install_inbox(self) -> None:
        tab = self.tab
        # In the table's own pane (not a third one): the saved splitter sizes keep fitting.
        self.inbox = InboxView(self.source, tab.lists)
        tab.add_list(self.inbox)
        self.inbox.set_search(tab.model.search)
        tab.search_applied.connect(self.inbox.set_search)
        self.inbox.table.current_id_changed.connect(self._inbox_selected)
        tab.filter.currentIndexChanged.connect(lambda _i: self.sync_inbox_visibility())
        # The Orders tab opens on what needs action.
        self.show_view(*INBOX_FILTER)
        self.sync_inbox_visibility()

    def show_view(self, view: str, status: str | None = None) -> bool:
        """Pick an entry of the Orders tab's filter box by its (view, status) data.

        Compared in Python: QComboBox.findData does not match these tuples reliably.
        """
        combo = self.tab.filter
        for index in range(combo.count()):
            data = combo.itemData(index)
            if isinstance(data, tuple | list) and tuple(data) == (view, status):
                combo.setCurrentIndex(index)
                return True
        return False

    def inbox_shown(self) -> bool:
        data = self.tab.filter.currentData()
        return isinstance(data, tuple | list) and tuple(data) == INBOX_FILTER

    def sync_inbox_visibility(self) -> None:
        inbox = self.inbox_shown()
        self.tab.show_list(self.inbox if inbox else self.tab.table)
        # The tab's own count is of its table; the inbox says its count in its summary line.
        self.tab.count_label.setVisible(not inbox)
        current = self.inbox.table.current_id() if inbox else self.tab.table.current_id()
        self.detail.show_order(current)
        if inbox:
            self.inbox.reload()

    def _inbox_selected(self, order_id: object) -> None:
        # None comes when the shown order leaves the inbox (it was just shipped): keep showing
        # it, so the user sees the result instead of an empty pane.
        if self.inbox_shown() and isinstance(order_id, str):
            self.detail.show_order(order_id)

    def selected_order_ids(self) -> list[str]:
        """The selected orders of whichever table is shown."""
        if self.inbox_shown():
            return self.inbox.table.selected_ids()
        return self.tab.selected_ids()

    # ---------------------------------------------------------------- counts in titles
    def needs_action_count(self) -> int:
        store = self.source.store
        if store is None:
            return 0
        return store.count_orders(view="needs_action") + store.count_orders(
            view="unconfirmed", status=AWAITING_CONFIRMATION)

    def update_counts(self) -> None:
        count = self.needs_action_count()
        index = self.window.tabs.indexOf(self.tab)
        self.window.tabs.setTabText(index, f"&Orders ({count:,})" if count else "&Orders")
        self.window.tabs.setTabToolTip(index, f"{count:,} orders need action" if count else "")
        self._apply_title(count)

    def _title_changed(self, _title: str) -> None:
        if not self._setting_title:
            self._apply_title(self.needs_action_count())

    def _apply_title(self, count: int) -> None:
        bare = _TITLE_COUNT.sub("", self.window.windowTitle())
        title = f"({count:,}) {bare}" if count and self.source.store is not None else bare
        if title != self.window.windowTitle():
            self._setting_title = True
            try:
                self.window.setWindowTitle(title)
            finally:
                self._setting_title = False

    def _on_changes(self, changes: Changes) -> None:
        if changes.touches(ORDERS):
            self.update_counts()

    # ---------------------------------------------------------------- order actions
    def _install_order_actions(self) -> None:
        pane = self.detail
        self.ship_button = QPushButton("&Ship…", pane)
        self.ship_button.setObjectName("orderShip")
        self.ship_button.clicked.connect(lambda: self.open_ship_dialog())
        self.mark_button = QPushButton("&Mark as shipped…", pane)
        self.mark_button.setObjectName("orderMarkShipped")
        self.mark_button.clicked.connect(lambda: self.open_ship_dialog(shipment_id=self._parcel_to_mark))
        self.confirm_button = QPushButton("&Confirm order", pane)
        self.confirm_button.setObjectName("orderConfirm")
        self.confirm_button.clicked.connect(lambda: self.runner.spawn(self.confirm_current(), name="confirm"))
        self.action_note = QLabel(pane)
        self.action_note.setObjectName("orderActionNote")
        self.action_note.setWordWrap(True)
        self.action_note.setTextFormat(Qt.TextFormat.PlainText)
        self.action_note.setStyleSheet("color: palette(placeholder-text);")
        row = pane.actions_row
        for widget in (self.ship_button, self.mark_button, self.confirm_button):
            widget.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
            row.addWidget(widget)
        row.addWidget(self.action_note, 1)
        row.addStretch(0)
        pane.shipment_actions = self._shipment_actions
        pane.order_changed.connect(self._order_shown)
        self._order_shown(pane.detail)

    def connected(self) -> bool:
        """Whether the open account has an API connection (not when browsing signed out)."""
        return self.services.connection() is not None

    def _connection_may_have_changed(self) -> None:
        if self.connected() != self._connected:
            self.detail.reload()  # rebuilds the shipment blocks and calls _order_shown

    def _order_shown(self, detail: object) -> None:
        shown = detail if isinstance(detail, OrderDetail) else None
        connected = self._connected = self.connected()
        offer = OrderActions.of(shown, self._confirm_offered())
        self._parcel_to_mark = offer.parcels[0][1] if offer.parcels else None
        buttons = ((self.ship_button, offer.show_ship, offer.can_ship, SHIP_TIP),
                   (self.mark_button, bool(offer.parcels), True, MARK_TIP),
                   (self.confirm_button, offer.show_confirm, True, ""))
        for button, visible, enabled, tip in buttons:
            button.setVisible(visible)
            button.setEnabled(enabled and connected)
            button.setToolTip(tip if connected else NOT_CONNECTED_TIP)
        note = offer.note
        if not connected and any(visible for _b, visible, _e, _t in buttons):
            note = self.not_connected_note
        self.action_note.setText(note)
        self.action_note.setVisible(bool(note))

    def _confirm_offered(self) -> bool | None:
        """Whether the live schema has orderConfirm; None while the schema is not loaded yet."""
        connection = self.services.connection()
        schema = connection.client.schema if connection is not None else None
        if schema is None:
            return None
        return schema.has_mutation("orderConfirm")

    def _shipment_actions(self, detail: OrderDetail, shipment: ShipmentRow) -> Sequence[QWidget]:
        widgets: list[QWidget] = []
        if shipment.status == "AWAITING_SHIPMENT" and not detail.order.is_cancelled:
            mark = QPushButton("Mark as shipped…")
            mark.setObjectName("markShipped")
            mark.clicked.connect(lambda: self.open_ship_dialog(shipment_id=shipment.id))
            mark.setEnabled(self.connected())
            mark.setToolTip(MARK_TIP if mark.isEnabled() else NOT_CONNECTED_TIP)
            widgets.append(mark)
        slip = QPushButton("Packing slip (PDF)…")
        slip.setObjectName("packingSlipPdf")
        slip.clicked.connect(lambda: self.ask_save_packing_slip(detail.order.id, shipment.id))
        printing = QPushButton("Print slip…")
        printing.setObjectName("packingSlipPrint")
        printing.clicked.connect(lambda: self.print_packing_slip(detail.order.id, shipment.id))
        return [*widgets, slip, printing]

    def open_ship_dialog(self, shipment_id: str | None = None) -> ShipmentDialog | None:
        detail = self.detail.detail
        if detail is None:
            return None
        dialog = ShipmentDialog(detail, self.services, self.runner, self.window, shipment_id=shipment_id)
        dialog.shipped.connect(self._shipped)
        self._open(dialog)
        return dialog

    def _shipped(self, order_id: str, _shipment_id: str) -> None:
        store = self.source.store
        detail = store.order_detail(order_id) if store is not None else None
        number = detail.order.number if detail is not None else "The order"
        self.window.status.showMessage(f"{number}: parcel shipped.", 8000)

    async def confirm_current(self) -> None:
        detail = self.detail.detail
        if detail is None:
            return
        self.confirm_button.setEnabled(False)
        try:
            service = await self.services.shipping()
            if not service.can_confirm():
                self.window.info_banner.show_message(CONFIRM_IN_BACK_OFFICE)
                self._order_shown(self.detail.detail)
                return
            order = await service.confirm(detail.order.id)
            self.window.status.showMessage(f"Order {order.number} confirmed.", 8000)
        except KnownError as error:
            self.window.show_error(error.user_message)
        finally:
            self.confirm_button.setEnabled(self.connected())

    # ---------------------------------------------------------------- documents
    def _install_toolbar(self) -> None:
        self.action_pick_pdf = QAction("Pick list (PDF)…", self.tab)
        self.action_pick_pdf.setObjectName("pickListPdf")
        self.action_pick_pdf.triggered.connect(self.ask_save_pick_list)
        self.action_pick_print = QAction("Print pick list…", self.tab)
        self.action_pick_print.setObjectName("pickListPrint")
        self.action_pick_print.triggered.connect(self.print_pick_list)
        self.tab.toolbar.addAction(self.action_pick_pdf)
        self.tab.toolbar.addAction(self.action_pick_print)
        for table in (self.inbox.table, self.tab.table):
            table.selectionModel().selectionChanged.connect(lambda *_: self.update_pick_scope())
        self.inbox.model.modelReset.connect(self.update_pick_scope)
        self.tab.filter.currentIndexChanged.connect(lambda _i: self.update_pick_scope())
        self.update_pick_scope()

    def pick_list_ids(self) -> list[str]:
        """What a pick list covers: the selected orders when two or more are selected (a single
        selected row is just the order being looked at), otherwise every inbox order with
        units left to ship."""
        return self._pick_choice(refresh=True)[0]

    def pick_scope(self) -> PickScope:
        ids, selected = self._pick_choice(refresh=False)
        return PickScope(len(ids), selected)

    def _pick_choice(self, *, refresh: bool) -> tuple[list[str], bool]:
        """(the orders a pick list covers, whether they are a selection). ``refresh`` reloads a
        hidden inbox first (it may not have followed the latest changes); the action text,
        updated on every selection change, makes do with the inbox as it is."""
        selected = self.selected_order_ids()
        if len(selected) >= 2:
            return selected[:PICK_LIST_LIMIT], True
        if refresh and not self.inbox.isVisible():
            self.inbox.reload()
        return self.inbox.model.ids_to_pick()[:PICK_LIST_LIMIT], False

    def update_pick_scope(self) -> None:
        """The pick list actions say what they cover ("Pick list: 12 orders (PDF)…")."""
        scope = self.pick_scope()
        self.action_pick_pdf.setText(f"Pick list: {scope.short} (PDF)…")
        for action in (self.action_pick_pdf, self.action_pick_print):
            action.setToolTip(scope.tooltip)

    def packing_slip_html(self, order_id: str, shipment_id: str) -> tuple[str, str]:
        """(html, file stem) of a parcel's packing slip, from the cache."""
        store = self.source.store
        detail = store.order_detail(order_id) if store is not None else None
        if store is None or detail is None:
            raise KnownError("This order is no longer in the saved data; sync and try again.")
        slip = build_packing_slip(detail, shipment_id, store.account())
        stem = f"packing-slip-{_file_part(slip.order_number)}-parcel-{slip.parcel_number}"
        return packing_slip_html(slip, LocaleFormatter()), stem

    def pick_list(self, order_ids: Sequence[str] | None = None) -> PickList:
        """The pick list of ``order_ids`` (default: ``pick_list_ids()``), from the cache."""
        store = self.source.store
        if store is None:
            raise KnownError("No account is open.")
        ids = list(order_ids if order_ids is not None else self.pick_list_ids())[:PICK_LIST_LIMIT]
        details = [d for d in (store.order_detail(i) for i in ids) if d is not None]
        needed = needed_per_sku(details)
        locations = pick_locations(store.inventory_matrix(), needed) if needed else {}
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return build_pick_list(details, locations=locations, generated_at=now)

    def pick_list_html(self, order_ids: Sequence[str] | None = None) -> tuple[str, str]:
        pick = self.pick_list(order_ids)
        return pick_list_html(pick, LocaleFormatter()), _pick_list_stem(pick)

    def save_packing_slip(self, order_id: str, shipment_id: str, path: Path) -> Path:
        page, _stem = self.packing_slip_html(order_id, shipment_id)
        return self._saved(write_pdf(page, path, title="Packing slip"))

    def save_pick_list(self, path: Path, order_ids: Sequence[str] | None = None) -> Path:
        pick = self.pick_list(order_ids)
        saved = self._saved(write_pdf(pick_list_html(pick, LocaleFormatter()), path, title="Pick list"))
        self._say_picked(pick)
        return saved

    def ask_save_packing_slip(self, order_id: str, shipment_id: str) -> QFileDialog | None:
        return self._guarded(lambda: self._ask_path(
            self.packing_slip_html(order_id, shipment_id)[1],
            lambda path: self.save_packing_slip(order_id, shipment_id, path)))

    def ask_save_pick_list(self) -> QFileDialog | None:
        """Ask where to save the pick list; built again when the file is chosen, so it
        reflects the cache at that moment."""
        worth = self._pick_worth_doing()
        if worth is None:
            return None
        ids, pick = worth
        return self._guarded(lambda: self._ask_path(_pick_list_stem(pick),
                                                    lambda path: self.save_pick_list(path, ids)))

    def print_packing_slip(self, order_id: str, shipment_id: str) -> None:
        self._guarded(lambda: print_html(self.packing_slip_html(order_id, shipment_id)[0],
                                         title="Packing slip", parent=self.window))

    def print_pick_list(self) -> None:
        worth = self._pick_worth_doing()
        if worth is not None:
            _ids, pick = worth
            self._guarded(lambda: print_html(pick_list_html(pick, LocaleFormatter()), title="Pick list",
                                             parent=self.window))
            self._say_picked(pick)

    def _pick_worth_doing(self) -> tuple[list[str], PickList] | None:
        """The pick list's orders and the list, or None (and a word why) when there is nothing
        to pick: an empty list saved without a word looked like a list that had worked."""
        ids, selected = self._pick_choice(refresh=True)
        scope = PickScope(len(ids), selected)
        pick = self._guarded(lambda: self.pick_list(ids))
        if pick is None:
            return None
        if not pick.items:
            self.window.info_banner.show_message(scope.nothing_to_pick)
            return None
        return ids, pick

    def _say_picked(self, pick: PickList) -> None:
        units = sum(item.total for item in pick.items)
        orders = len(pick.orders)
        self.window.status.showMessage(
            f"Pick list: {orders:,} {'order' if orders == 1 else 'orders'}, {units:,} units.", 10_000)

    def _ask_path(self, stem: str, save: Callable[[Path], Path]) -> QFileDialog:
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        dialog = QFileDialog(self.window, "Save as PDF", str(Path(folder) / f"{stem}.pdf"), "PDF (*.pdf)")
        dialog.setObjectName("savePdfDialog")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setDefaultSuffix("pdf")
        dialog.fileSelected.connect(lambda name: self._guarded(lambda: save(Path(name))))
        self._open(dialog)
        return dialog

    def _saved(self, path: Path) -> Path:
        self.last_saved = path
        url = QUrl.fromLocalFile(str(path))

        def open_file() -> None:
            QDesktopServices.openUrl(url)

        self.window.info_banner.show_message(f"Saved {path.name}.", (("Open", open_file),))
        return path

    def _guarded(self, work: Callable[[], T]) -> T | None:
        """Run UI work; a KnownError becomes one sentence in the window, never a traceback."""
        try:
            return work()
        except KnownError as error:
            self.window.show_error(error.user_message)
            return None
        except KeyError:
            self.window.show_error("This parcel is no longer on the order; sync and try again.")
            return None

    def _open(self, dialog: QWidget) -> None:
        self.dialogs.append(dialog)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.destroyed.connect(lambda *_: self.dialogs.remove(dialog) if dialog in self.dialogs else None)
        dialog.setWindowModality(Qt.WindowModality.NonModal if isinstance(dialog, ShipmentDialog)
                                 else Qt.WindowModality.WindowModal)
        dialog.show()


@dataclass(frozen=True)
class OrderActions:
    """Which order buttons the shown order offers, and the note beside them."""

    show_ship: bool
    can_ship: bool
    #: (parcel number, shipment id) of parcels created but not yet marked as shipped.
    parcels: tuple[tuple[int, str], ...]
    show_confirm: bool
    note: str

    @classmethod
    def of(cls, detail: OrderDetail | None, confirm_offered: bool | None) -> OrderActions:
        if detail is None:
            return cls(False, False, (), False, "")
        order = detail.order
        awaiting_confirmation = (not order.is_confirmed and not order.is_cancelled
                                 and order.status == AWAITING_CONFIRMATION)
        parcels = _parcels_to_mark(detail) if order.needs_action else ()
        unpacked = any(line.unshipped_quantity > 0 for line in detail.lines)
        # Everything packed: the next step is marking the parcel shipped, not a new parcel.
        packed = bool(parcels) and not unpacked
        return cls(show_ship=order.is_confirmed and not order.is_cancelled and not packed,
                   can_ship=order.needs_action and unpacked, parcels=parcels,
                   show_confirm=awaiting_confirmation and confirm_offered is not False,
                   note=_action_note(order, awaiting_confirmation, confirm_offered,
                                     parcels if packed else ()))


def _parcels_to_mark(detail: OrderDetail) -> tuple[tuple[int, str], ...]:
    if detail.order.is_cancelled:
        return ()
    return tuple((number, shipment.id) for number, shipment in enumerate(detail.shipments, start=1)
                 if shipment.status == "AWAITING_SHIPMENT")


def _action_note(order: OrderRow, awaiting_confirmation: bool, confirm_offered: bool | None,
                 packed_parcels: Sequence[tuple[int, str]]) -> str:
    """The line beside the order buttons saying why one is missing or what comes next."""
    if order.is_cancelled:
        return "Cancelled orders are never shipped."
    if not order.is_confirmed:
        if awaiting_confirmation and confirm_offered is False:
            return CONFIRM_IN_BACK_OFFICE
        return ("Unconfirmed orders can still change and are often not paid: confirm first."
                if awaiting_confirmation else "Not confirmed: nothing to ship yet.")
    if order.is_fulfilled:
        return "Everything is shipped."
    if packed_parcels:
        numbers = [str(number) for number, _id in packed_parcels]
        which = (f"parcel {numbers[0]}" if len(numbers) == 1
                 else f"parcels {', '.join(numbers[:-1])} and {numbers[-1]}")
        return f"Everything is packed: mark {which} as shipped."
    return ""


def _pick_list_stem(pick: PickList) -> str:
    """The file name a pick list is offered under: pick-list-<date it was made>."""
    return f"pick-list-{(pick.generated_at or '')[:10]}"


def _file_part(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "", text) or "order"


def install_fulfilment(app_controller: object) -> FulfilmentController:
    """Wire fulfilment into the shell's window; call once from AppController.__init__."""
    window = app_controller.window  # type: ignore[attr-defined]
    runner = app_controller.tasks  # type: ignore[attr-defined]
    controller = FulfilmentController(window, runner, connection_from_controller(app_controller))
    window.closing.connect(lambda: [d.close() for d in list(controller.dialogs)])
    return controller
