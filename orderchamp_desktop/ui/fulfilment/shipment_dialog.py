"""The shipment builder: choose what goes into a parcel, scan to pack, enter tracking, ship.

Non-modal (``open()``), answers through signals; the work runs as a coroutine on the shell's
TaskRunner (``submit()`` is the plain ``async def`` tests await). Validation happens here
first (instant, no network) and again in the action against fresh data from Orderchamp.
userErrors appear next to the line or field they name.

A second mode finishes a parcel that was created but not marked as shipped: the items are
fixed and only the tracking part is asked for. The dialog switches to that mode by itself
when shipmentShipped fails after the parcel was created, so a retry never creates it twice.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Sequence

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QCloseEvent, QColor, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from orderchamp_desktop.core.actions.shipping import (
    ShipmentNotShippedError,
    ShippedStepRefusedError,
    Tracking,
    map_user_errors,
    timeframe_label,
    validate_quantities,
    validate_tracking,
)
from orderchamp_desktop.core.cache.rows import OrderDetail, OrderLine, ShipmentRow
from orderchamp_desktop.core.errors import (
    KnownError,
    OfflineError,
    UserError,
    UserErrorsError,
    user_message_for,
)
from orderchamp_desktop.qt_async import TaskRunner
from orderchamp_desktop.ui import format as fmt
from orderchamp_desktop.ui.fulfilment.services import FulfilmentServices, NotConnectedError
from orderchamp_desktop.ui.widgets.sections import hidden_message

log = logging.getLogger(__name__)

RED = "#b3261e"
GREEN = "#1e7b34"
LINE_HEADERS = ("Product", "SKU", "EAN", "Ordered", "Unshipped", "In this parcel", "")
PRODUCT, SKU, EAN, ORDERED, UNSHIPPED, QTY, MESSAGE = range(len(LINE_HEADERS))
_ERROR_STYLE = f"QSpinBox {{ border: 2px solid {RED}; }}"
_FIELD_ERROR_STYLE = f"QLineEdit, QComboBox {{ border: 2px solid {RED}; }}"
#: Background of a row that a scan just changed, for a moment (added: green, refused: red).
_FLASH_OK = QColor("#c8ecd0")
_FLASH_REFUSED = QColor("#f6d3d0")
FLASH_MS = 1500
#: Smaller than the main window's minimum: the lines table scrolls instead.
MINIMUM_SIZE = QSize(760, 520)
PREFERRED_SIZE = QSize(980, 660)
#: Shown in the delivery-time box instead of a preselected choice.
CHOOSE_TIMEFRAME = "Choose how long delivery takes…"
LOADING_TIMEFRAMES = "Loading the choices from Orderchamp…"
NO_TIMEFRAMES = "Orderchamp offers no delivery times: tracking is needed"
NOT_CONNECTED = "Not connected to Orderchamp: the delivery times cannot be loaded"
NOT_LOADED = "The delivery times could not be loaded from Orderchamp"
#: Key of the parcel-level message (not tied to a line) under the lines table.
_PARCEL = -1


def _digits_key(code: str) -> str | None:
    """EAN/UPC/GTIN compared without leading zeros (a 12-digit UPC is a 13-digit EAN with a 0)."""
    return code.lstrip("0") if code.isdigit() else None


class ShipmentDialog(QDialog):
    """Emits ``shipped(order_id, shipment_id)`` once a parcel is marked as shipped."""

    shipped = Signal(str, str)
    #: Each step of the work as it starts ("Registering the parcel…"), for the status line and tests.
    step_changed = Signal(str)

    def __init__(self, detail: OrderDetail, services: FulfilmentServices, runner: TaskRunner,
                 parent: QWidget | None = None, *, shipment_id: str | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("shipmentDialog")
        self.detail = detail
        self.services = services
        self.runner = runner
        self.order_id = detail.order.id
        self.shipment_id = shipment_id  # set: "mark as shipped" mode for this parcel
        self.timeframes: list[str] = []
        self.busy = False
        #: False once the live schema could not be loaded: nothing can be sent from this dialog.
        self.can_send = True
        #: Sentences under the lines table, per row (``_PARCEL`` for the parcel as a whole).
        self._below_table: dict[int, str] = {}
        #: The status line shows "Please correct the marked fields." (goes when no mark is left).
        self._summary_shown = False
        self._flashed: int | None = None
        # One timer, restarted by each scan: an earlier scan's flash must not end a later one's.
        self._flash_timer = QTimer(self)
        self._flash_timer.setSingleShot(True)
        self._flash_timer.setInterval(FLASH_MS)
        self._flash_timer.timeout.connect(self._unflash)
        self._touched = False
        self._scanned = False
        self._sent_line_ids: list[str] = []
        self._lines: list[OrderLine] = []
        self._spins: list[QSpinBox] = []
        self.setWindowTitle(f"Ship order {detail.order.number}")
        self.setMinimumSize(MINIMUM_SIZE)
        self._build()
        self._initial_size()
        self._fill(detail)
        if shipment_id is not None:
            self._enter_mark_mode(shipment_id, None)
        self.runner.spawn(self.prepare(), name=f"ship-prepare-{self.order_id}")

    # ---------------------------------------------------------------- layout
    def _build(self) -> None:
        layout = self.main_layout = QVBoxLayout(self)
        layout.setSpacing(8)
        self.title = QLabel(self)
        self.title.setObjectName("shipTitle")
        font = self.title.font()
        font.setBold(True)
        font.setPointSize(font.pointSize() + 2)
        self.title.setFont(font)
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.title.setWordWrap(True)
        layout.addWidget(self.title)
        self.warning = hidden_message(self, "shipWarning")
        layout.addWidget(self.warning)

        self.lines_box = QWidget(self)
        lines_layout = QVBoxLayout(self.lines_box)
        lines_layout.setContentsMargins(0, 0, 0, 0)
        self.table = QTableWidget(0, len(LINE_HEADERS), self.lines_box)
        self.table.setObjectName("shipLines")
        self.table.setHorizontalHeaderLabels(LINE_HEADERS)
        self.table.verticalHeader().hide()
        # No selection: a scan marks the row it changed with a coloured flash, which a selection
        # highlight would paint over.
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(PRODUCT, QHeaderView.ResizeMode.Stretch)
        header.setStretchLastSection(False)
        for column, width in ((SKU, 130), (EAN, 115), (ORDERED, 64), (UNSHIPPED, 76), (QTY, 100),
                              (MESSAGE, 220)):
            header.resizeSection(column, width)
        # Hidden until a line has an error: Product takes the room.
        header.setSectionHidden(MESSAGE, True)
        lines_layout.addWidget(self.table, 1)
        helpers = QHBoxLayout()
        self.ship_all_button = QPushButton("Ship &all", self.lines_box)
        self.ship_all_button.setObjectName("shipAll")
        self.ship_all_button.setToolTip("Put every unshipped item in this parcel")
        self.ship_all_button.clicked.connect(self.ship_all)
        self.clear_button = QPushButton("C&lear", self.lines_box)
        self.clear_button.setObjectName("shipClear")
        self.clear_button.setToolTip("Set every quantity to 0 (for example before scanning)")
        self.clear_button.clicked.connect(self.clear)
        self.scan = QLineEdit(self.lines_box)
        self.scan.setObjectName("shipScan")
        self.scan.setPlaceholderText("Scan or type an EAN or SKU, then press Enter")
        self.scan.setClearButtonEnabled(True)
        self.scan.returnPressed.connect(self._scan_entered)
        helpers.addWidget(self.ship_all_button)
        helpers.addWidget(self.clear_button)
        helpers.addSpacing(12)
        helpers.addWidget(QLabel("Scan:", self.lines_box))
        helpers.addWidget(self.scan, 1)
        lines_layout.addLayout(helpers)
        self.scan_message = hidden_message(self, "shipScanMessage")
        lines_layout.addWidget(self.scan_message)
        self.lines_error = hidden_message(self, "shipLinesError")
        lines_layout.addWidget(self.lines_error)
        layout.addWidget(self.lines_box, 1)

        self.parcel_label = QLabel(self)
        self.parcel_label.setObjectName("shipParcelItems")
        self.parcel_label.setTextFormat(Qt.TextFormat.PlainText)
        self.parcel_label.setWordWrap(True)
        self.parcel_label.hide()
        layout.addWidget(self.parcel_label)

        layout.addWidget(self._tracking_box())
        self.status = hidden_message(self, "shipStatus")
        layout.addWidget(self.status)
        self.buttons = QDialogButtonBox(self)
        self.ship_button = self.buttons.addButton("&Ship parcel", QDialogButtonBox.ButtonRole.AcceptRole)
        self.ship_button.setObjectName("shipButton")
        self.ship_button.setDefault(False)
        self.ship_button.setAutoDefault(False)
        self.retry_button = self.buttons.addButton("&Try again", QDialogButtonBox.ButtonRole.ActionRole)
        self.retry_button.setObjectName("shipRetry")
        self.retry_button.setToolTip("Load the delivery times from Orderchamp again")
        self.retry_button.setAutoDefault(False)
        self.retry_button.hide()
        self.retry_button.clicked.connect(self.retry_prepare)
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.close_button.setAutoDefault(False)
        self.ship_button.clicked.connect(self.ship_clicked)
        self.close_button.clicked.connect(self.reject)
        layout.addWidget(self.buttons)
        QShortcut(QKeySequence("Ctrl+Return"), self, self.ship_clicked)

    def _tracking_box(self) -> QGroupBox:
        box = QGroupBox("How is it sent?", self)
        box.setObjectName("shipTrackingBox")
        grid = QGridLayout(box)
        self.tracked_radio = QRadioButton("&Tracking number", box)
        self.tracked_radio.setObjectName("shipTracked")
        self.untracked_radio = QRadioButton("&No tracking", box)
        self.untracked_radio.setObjectName("shipUntracked")
        self.mode_group = QButtonGroup(box)
        self.mode_group.addButton(self.tracked_radio)
        self.mode_group.addButton(self.untracked_radio)
        self.tracked_radio.setChecked(True)
        self.tracking_edit = QLineEdit(box)
        self.tracking_edit.setObjectName("shipTrackingNumber")
        self.tracking_edit.setPlaceholderText("e.g. 3SABCD1234567 (PostNL), 1Z… (UPS)")
        self.tracking_edit.textChanged.connect(self._tracking_changed)
        self.carrier_label = QLabel(box)
        self.carrier_label.setObjectName("shipCarrier")
        self.carrier_label.setTextFormat(Qt.TextFormat.RichText)
        self.carrier_label.setOpenExternalLinks(True)
        self.carrier_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.carrier_label.hide()
        self.tracking_error = hidden_message(self, "shipTrackingError")
        self.timeframe = QComboBox(box)
        self.timeframe.setObjectName("shipTimeframe")
        self.timeframe.setEnabled(False)
        # Nothing is preselected: the placeholder shows until the user picks a delivery time.
        self.timeframe.setPlaceholderText(LOADING_TIMEFRAMES)
        self.timeframe.currentIndexChanged.connect(self._timeframe_changed)
        self.timeframe_error = hidden_message(self, "shipTimeframeError")
        note = QLabel("Without tracking, Orderchamp may take longer to pay out this order.", box)
        note.setStyleSheet("color: palette(placeholder-text);")
        grid.addWidget(self.tracked_radio, 0, 0)
        grid.addWidget(self.tracking_edit, 0, 1)
        grid.addWidget(self.carrier_label, 1, 1)
        grid.addWidget(self.tracking_error, 2, 1)
        grid.addWidget(self.untracked_radio, 3, 0)
        grid.addWidget(self.timeframe, 3, 1)
        grid.addWidget(self.timeframe_error, 4, 1)
        grid.addWidget(note, 5, 1)
        grid.setColumnStretch(1, 1)
        self.tracked_radio.toggled.connect(self._mode_changed)
        self._mode_changed()
        return box

    def _initial_size(self) -> None:
        """Roomy by default, but never larger than the screen the dialog opens on."""
        size = PREFERRED_SIZE
        screen = self.screen()
        if screen is not None:
            size = size.boundedTo(screen.availableSize())
        self.resize(size.expandedTo(MINIMUM_SIZE))

    # ---------------------------------------------------------------- filling
    def _fill(self, detail: OrderDetail) -> None:
        order = detail.order
        place = detail.shipping_address.city if detail.shipping_address else order.city
        self.title.setText(" · ".join(p for p in (f"Ship order {order.number}", order.retailer, place) if p))
        if order.status == "CANCELLATION_REQUESTED":
            self._say(self.warning, "The retailer asked to cancel this order. Check with them before "
                      "shipping.", RED)
        self._lines = [line for line in detail.lines]
        self._spins = []
        self.table.setRowCount(len(self._lines))
        for row, line in enumerate(self._lines):
            title = line.title + (f" – {line.variant_title}" if line.variant_title else "")
            for column, text in ((PRODUCT, title), (SKU, line.sku or ""), (EAN, line.ean or ""),
                                 (ORDERED, fmt.count(line.quantity)),
                                 (UNSHIPPED, fmt.count(line.unshipped_quantity)), (MESSAGE, "")):
                item = QTableWidgetItem(text)
                if column in (ORDERED, UNSHIPPED):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if column == PRODUCT:
                    item.setToolTip(title)
                self.table.setItem(row, column, item)
            spin = QSpinBox(self.table)
            spin.setObjectName(f"shipQty{row}")
            spin.setRange(0, max(0, line.unshipped_quantity))
            spin.setValue(max(0, line.unshipped_quantity))
            spin.setEnabled(line.unshipped_quantity > 0)
            spin.setAccelerated(True)
            spin.valueChanged.connect(lambda _v, r=row: self._quantity_edited(r))
            self.table.setCellWidget(row, QTY, spin)
            self._spins.append(spin)
        # Codes and counts get what they need; Product (stretched) gets the rest.
        for column in (SKU, EAN, ORDERED, UNSHIPPED):
            self.table.resizeColumnToContents(column)
        self._touched = False

    # ---------------------------------------------------------------- quantities
    def quantities(self) -> list[tuple[str, int]]:
        """(order product id, quantity) for every line, in the order's line order."""
        return [(line.id, spin.value()) for line, spin in zip(self._lines, self._spins, strict=True)]

    def ship_all(self) -> None:
        for line, spin in zip(self._lines, self._spins, strict=True):
            spin.setValue(max(0, line.unshipped_quantity))
        self._touched = True

    def clear(self) -> None:
        for spin in self._spins:
            spin.setValue(0)
        self._touched = True

    def _quantity_edited(self, row: int) -> None:
        self._touched = True
        self._set_line_error(row, None)
        # The parcel changed: a parcel-level complaint ("at least one item") no longer applies.
        self._below_table.pop(_PARCEL, None)
        self._refresh_messages()

    # ---------------------------------------------------------------- scanning
    def _scan_entered(self) -> None:
        code = self.scan.text()
        self.scan.clear()
        self.scan_code(code)

    def scan_code(self, code: str) -> bool:
        """Add one unit of the line whose EAN or SKU is ``code``; refuse unknown codes and over-scans."""
        code = code.strip()
        if not code:
            return False
        rows = self._rows_for(code)
        if not rows:
            return self._scan_refused(f"Unknown code “{code}”: no product of this order has this "
                                      "EAN or SKU.")
        if not self._scanned and not self._touched:
            # Scanning packs a parcel from empty: the defaults (everything) would make every scan
            # an over-scan.
            for row, spin in enumerate(self._spins):
                spin.blockSignals(True)
                spin.setValue(0)
                spin.blockSignals(False)
                self._set_line_error(row, None)
        self._scanned = True
        for row in rows:
            spin = self._spins[row]
            if spin.value() < spin.maximum():
                spin.setValue(spin.value() + 1)
                line = self._lines[row]
                self._say(self.scan_message, f"Added 1 × {line.title} ({spin.value()} of "
                          f"{spin.maximum()}).", GREEN)
                self._show_row(row, _FLASH_OK)
                return True
        line = self._lines[rows[0]]
        self._show_row(rows[0], _FLASH_REFUSED)
        return self._scan_refused(f"All {self._spins[rows[0]].maximum()} × {line.title} are already in "
                                  "this parcel; that one is too many.")

    def _show_row(self, row: int, color: QColor) -> None:
        """Point at the row a scan changed: scroll it into view and flash its background.

        A long order has rows below the visible ones; without this a scan changes a number the
        packer cannot see.
        """
        item = self.table.item(row, PRODUCT)
        if item is None:
            return
        self._unflash()
        self.table.scrollToItem(item, QAbstractItemView.ScrollHint.EnsureVisible)
        for column in range(self.table.columnCount()):
            cell = self.table.item(row, column)
            if cell is not None:
                cell.setBackground(QBrush(color))
        self._flashed = row
        self._flash_timer.start()

    def _unflash(self) -> None:
        row, self._flashed = self._flashed, None
        if row is None:
            return
        for column in range(self.table.columnCount()):
            cell = self.table.item(row, column)
            if cell is not None:
                cell.setBackground(QBrush())

    def flashed_row(self) -> int | None:
        """The row a scan is pointing at right now (None once the flash is over)."""
        return self._flashed

    def _rows_for(self, code: str) -> list[int]:
        digits = _digits_key(code)
        folded = code.casefold()
        rows = []
        for row, line in enumerate(self._lines):
            ean = re.sub(r"\s", "", line.ean or "")
            if (digits is not None and ean and _digits_key(ean) == digits) or (
                    line.sku and line.sku.strip().casefold() == folded):
                rows.append(row)
        return rows

    def _scan_refused(self, sentence: str) -> bool:
        QApplication.beep()
        self._say(self.scan_message, sentence, RED)
        return False

    # ---------------------------------------------------------------- tracking
    def _mode_changed(self) -> None:
        """The user switched between tracked and untracked: the other mode's marks are moot."""
        self._sync_mode_widgets()
        self._say(self.tracking_error, None)
        self.tracking_edit.setStyleSheet("")
        self._say(self.timeframe_error, None)
        self.timeframe.setStyleSheet("")
        self._refresh_messages()

    def _sync_mode_widgets(self) -> None:
        tracked = self.tracked_radio.isChecked()
        self.tracking_edit.setEnabled(tracked and not self.busy)
        self.timeframe.setEnabled(not tracked and not self.busy and bool(self.timeframes))
        # The carrier of a number that will not be sent would only mislead.
        self.carrier_label.setVisible(tracked and bool(self.carrier_label.text()))

    def _destination(self) -> tuple[str | None, str | None]:
        address = self.detail.shipping_address
        return (address.postal_code, address.country) if address else (None, self.detail.order.country)

    def tracking(self) -> Tracking:
        if self.tracked_radio.isChecked():
            return self._typed_tracking()
        value = self.timeframe.currentData()
        return Tracking.untracked(value if isinstance(value, str) else "")

    def _typed_tracking(self) -> Tracking:
        postal_code, country = self._destination()
        return Tracking.tracked(self.tracking_edit.text(), postal_code=postal_code, country=country)

    def _tracking_changed(self, text: str) -> None:
        self._say(self.tracking_error, None)
        self.tracking_edit.setStyleSheet("")
        tracking = self._typed_tracking() if text.strip() else None
        self.carrier_label.setText(_carrier_text(tracking))
        self.carrier_label.setToolTip((tracking.tracking_url or "") if tracking else "")
        self._sync_mode_widgets()
        self._refresh_messages()

    def _timeframe_changed(self, _index: int) -> None:
        self._say(self.timeframe_error, None)
        self.timeframe.setStyleSheet("")
        self._refresh_messages()

    def set_timeframes(self, values: Sequence[str], *, empty: str = NO_TIMEFRAMES) -> None:
        """Offer the live schema's delivery times, none preselected; ``empty`` says why there are none."""
        self.timeframes = list(values)
        self.timeframe.blockSignals(True)
        self.timeframe.clear()
        for value in self.timeframes:
            self.timeframe.addItem(timeframe_label(value), value)
        self.timeframe.setPlaceholderText(CHOOSE_TIMEFRAME if self.timeframes else empty)
        self.timeframe.setCurrentIndex(-1)
        self.timeframe.blockSignals(False)
        self.untracked_radio.setEnabled(bool(self.timeframes) and not self.busy)
        if not self.timeframes:
            self.tracked_radio.setChecked(True)
        self._sync_mode_widgets()

    # ---------------------------------------------------------------- modes
    def _enter_mark_mode(self, shipment_id: str, order_detail: OrderDetail | None) -> None:
        """Finish an existing parcel: items fixed, only tracking is asked for."""
        self.shipment_id = shipment_id
        detail = order_detail or self.detail
        self.detail = detail
        parcels = list(detail.shipments)
        shipment = next((s for s in parcels if s.id == shipment_id), None)
        number = parcels.index(shipment) + 1 if shipment is not None else None
        self.setWindowTitle(f"Mark parcel as shipped – order {detail.order.number}")
        self.title.setText(f"Mark parcel {number or ''} of order {detail.order.number} as shipped".replace(
            "parcel  of", "parcel of"))
        self.lines_box.hide()
        self.parcel_label.setText(_parcel_text(shipment))
        self.parcel_label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.parcel_label.show()
        self.main_layout.setStretchFactor(self.parcel_label, 1)
        self.ship_button.setText("&Mark as shipped")
        self.setMinimumSize(640, 380)
        self.resize(self.width(), 420)

    # ---------------------------------------------------------------- work
    async def prepare(self) -> None:
        """Load the delivery timeframes the live schema offers (needs the connection).

        Without it nothing could be sent either: the dialog says so and offers to try again.
        """
        try:
            service = await self.services.shipping()
        except KnownError as error:
            offline = isinstance(error, NotConnectedError | OfflineError)
            self.set_timeframes([], empty=NOT_CONNECTED if offline else NOT_LOADED)
            self._set_can_send(False)
            self._say(self.status, error.user_message, RED)
            return
        self._set_can_send(True)
        self.set_timeframes(service.delivery_timeframes())

    def retry_prepare(self) -> None:
        if self.busy:
            return
        self._say(self.status, None)
        self.retry_button.hide()
        self.timeframe.setPlaceholderText(LOADING_TIMEFRAMES)
        self.runner.spawn(self.prepare(), name=f"ship-prepare-{self.order_id}")

    def _set_can_send(self, can_send: bool) -> None:
        self.can_send = can_send
        self.ship_button.setEnabled(can_send and not self.busy)
        self.ship_button.setToolTip("" if can_send else "Needs a connection to Orderchamp")
        self.retry_button.setVisible(not can_send)

    def ship_clicked(self) -> None:
        if self.busy or not self.can_send:
            return
        if not self.validate_locally():
            return
        self.runner.spawn(self.submit(), name=f"ship-{self.order_id}")

    def validate_locally(self) -> bool:
        """Check what can be checked without the network; show errors where they belong."""
        self._clear_errors()
        errors: list[UserError] = []
        if self.shipment_id is None:
            parcel = [(i, q) for i, q in self.quantities() if q != 0]
            self._sent_line_ids = [i for i, _ in parcel]
            unshipped = {line.id: line.unshipped_quantity for line in self._lines}
            errors += validate_quantities(unshipped, parcel)
        tracking = self.tracking()
        if not tracking.is_tracked and not self.timeframes:
            errors.append(UserError(("input", "deliveryTimeframe"),
                                    "The delivery times have not arrived from Orderchamp yet."))
        else:
            errors += validate_tracking(tracking, self.timeframes)
        if errors:
            self.show_user_errors(errors)
            QApplication.beep()
            return False
        return True

    async def submit(self) -> bool:
        """Ship (or mark shipped); True when the parcel is on its way. Errors are shown, not raised."""
        self._set_busy(True)
        try:
            service = await self.services.shipping()

            def step(text: str) -> None:
                self._say(self.status, text, None)
                self.step_changed.emit(text)

            if self.shipment_id is None:
                result = await service.ship(self.order_id, self.quantities(), self.tracking(), step=step)
            else:
                result = await service.mark_shipped(self.order_id, self.shipment_id, self.tracking(),
                                                    step=step)
        except ShippedStepRefusedError as error:
            self._to_mark_mode_after(error.shipment_id)
            self.show_user_errors(error.errors)
            return False
        except ShipmentNotShippedError as error:
            self._to_mark_mode_after(error.shipment_id)
            self._say(self.status, error.user_message, RED)
            return False
        except UserErrorsError as error:
            self.show_user_errors(error.errors)
            return False
        except KnownError as error:
            self._say(self.status, error.user_message, RED)
            return False
        except Exception as error:  # a bug: say so calmly, log the traceback
            log.exception("shipping failed unexpectedly")
            self._say(self.status, user_message_for(error), RED)
            return False
        finally:
            self._set_busy(False)
        note = " (checked after the connection dropped)" if result.recovered else ""
        self._say(self.status, f"Shipped{note}.", GREEN)
        self.shipped.emit(self.order_id, result.shipment_id)
        self.accept()
        return True

    def _to_mark_mode_after(self, shipment_id: str) -> None:
        store = self.services.source.store
        fresh = store.order_detail(self.order_id) if store is not None else None
        self._enter_mark_mode(shipment_id, fresh)

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        for widget in (self.ship_all_button, self.clear_button, self.scan, self.tracked_radio,
                       self.table):
            widget.setEnabled(not busy)
        self.ship_button.setEnabled(not busy and self.can_send)
        self.untracked_radio.setEnabled(not busy and bool(self.timeframes))
        # Not _mode_changed(): the errors the answer brought must stay visible.
        self._sync_mode_widgets()
        self.close_button.setText("Close")
        self.setCursor(Qt.CursorShape.BusyCursor if busy else Qt.CursorShape.ArrowCursor)

    # ---------------------------------------------------------------- errors
    def show_user_errors(self, errors: Sequence[UserError]) -> None:
        mapped = map_user_errors(errors, self._sent_line_ids)
        rows = {line.id: row for row, line in enumerate(self._lines)}
        general = list(mapped.general)
        for line_id, message in mapped.lines.items():
            if line_id in rows and self.shipment_id is None:
                row = rows[line_id]
                self._set_line_error(row, message)
                # The cell may be too narrow: the whole sentence also goes under the table.
                self._below_table[row] = f"{self._lines[row].title}: {message}"
            else:
                general.append(message)
        for name, message in mapped.fields.items():
            if name in ("trackingNumber", "trackingUrl", "carrier", "isTracked"):
                self.tracked_radio.setChecked(True)
                self._say(self.tracking_error, message, RED)
                self.tracking_edit.setStyleSheet(_FIELD_ERROR_STYLE)
            elif name == "deliveryTimeframe":
                self._say(self.timeframe_error, message, RED)
                self.timeframe.setStyleSheet(_FIELD_ERROR_STYLE)
            elif name == "products" and self.shipment_id is None:
                self._below_table[_PARCEL] = message
            else:
                general.append(message)
        if general:
            self._say(self.status, " ".join(general), RED)
        elif mapped.lines or mapped.fields:
            self._say(self.status, "Please correct the marked fields.", RED)
            self._summary_shown = True
        self._refresh_messages()

    def _refresh_messages(self) -> None:
        """Keep the dialog-level messages in step with the marks still shown.

        Each edit clears the mark of what it changed; the sentences under the table and the
        "Please correct the marked fields." summary must not outlive the marks they describe.
        """
        below = [self._below_table[key] for key in sorted(self._below_table) if key != _PARCEL]
        if _PARCEL in self._below_table:
            below.append(self._below_table[_PARCEL])
        self._say(self.lines_error, "\n".join(below), RED)
        marked_lines = any(self.line_error(row) for row in range(len(self._lines)))
        self.table.horizontalHeader().setSectionHidden(MESSAGE, not marked_lines)
        if self._summary_shown and not (marked_lines or self._below_table or self.tracking_error.text()
                                        or self.timeframe_error.text()):
            self._summary_shown = False
            self._say(self.status, None)

    def _set_line_error(self, row: int, message: str | None) -> None:
        item = self.table.item(row, MESSAGE)
        if item is not None:
            item.setText(message or "")
            item.setForeground(Qt.GlobalColor.red if message else Qt.GlobalColor.black)
            item.setToolTip(message or "")
        self._spins[row].setStyleSheet(_ERROR_STYLE if message else "")
        if not message:
            self._below_table.pop(row, None)

    def line_error(self, row: int) -> str:
        item = self.table.item(row, MESSAGE)
        return item.text() if item is not None else ""

    def _clear_errors(self) -> None:
        for row in range(len(self._lines)):
            self._set_line_error(row, None)
        self._below_table.clear()
        self._summary_shown = False
        for label in (self.tracking_error, self.timeframe_error, self.lines_error, self.status):
            self._say(label, None)
        self.tracking_edit.setStyleSheet("")
        self.timeframe.setStyleSheet("")
        self.table.horizontalHeader().setSectionHidden(MESSAGE, True)

    @staticmethod
    def _say(label: QLabel, text: str | None, color: str | None = None) -> None:
        if not text:
            label.clear()
            label.hide()
            return
        label.setText(text)
        label.setStyleSheet(f"color: {color};" if color else "")
        label.show()

    # ---------------------------------------------------------------- keys
    def keyPressEvent(self, event: QKeyEvent) -> None:
        # A barcode scanner ends every code with Enter: it must never press "Ship" by accident
        # (QDialog would click a default button). Ship is a click or Ctrl+Enter.
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not event.modifiers():
            event.accept()
            return
        super().keyPressEvent(event)

    # ---------------------------------------------------------------- closing
    def reject(self) -> None:
        if self.busy:
            # The parcel is being registered: closing now would hide the outcome.
            self._say(self.status, "Please wait: Orderchamp is still answering.", None)
            return
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.busy:
            event.ignore()
            return
        super().closeEvent(event)


def _carrier_text(tracking: Tracking | None) -> str:
    """What a typed number looks like: the carrier with a tracking link, or why it looks wrong."""
    if tracking is None:
        return ""
    if tracking.problem:
        return f'<span style="color:{RED}">{html.escape(tracking.problem)}</span>'
    if tracking.carrier and tracking.tracking_url:
        return (f"{html.escape(tracking.carrier)} · "
                f'<a href="{html.escape(tracking.tracking_url, quote=True)}">open the tracking page</a>')
    if tracking.carrier:
        return html.escape(tracking.carrier)
    return "Carrier not recognised: the number is sent as you typed it."


def _parcel_text(shipment: ShipmentRow | None) -> str:
    if shipment is None:
        return "This parcel is no longer on the order."
    items = [f"{item.quantity} × {item.title or 'Unknown item'}"
             + (f" – {item.variant_title}" if item.variant_title else "")
             + (f" ({item.sku})" if item.sku else "") for item in shipment.items]
    return "In this parcel:\n" + ("\n".join(items) if items else "(no items listed)")
