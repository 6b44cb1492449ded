"""Shipping an order: validate, shipmentCreate, shipmentShipped, verify, write through, notify.

``shipmentCreate`` is not idempotent. When its answer is lost (OutcomeUnknownError), the
action never sends it again: it re-reads the order, looks for a shipment that was not there
before and holds exactly the requested items, and carries on with ``shipmentShipped`` for
it. When the answer of ``shipmentShipped`` is lost, it re-reads and checks the status. A
shipment that was created but could not be marked as shipped stays on the order and can be
finished later with :meth:`ShippingService.mark_shipped`.

No Qt here: the UI drives these coroutines and turns ``on_changed`` into its change bus.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from orderchamp_desktop.core.actions.orders import (
    OrderState,
    ShipmentState,
    is_truncated,
)
from orderchamp_desktop.core.documents.carriers import detect_carrier
from orderchamp_desktop.core.errors import (
    KnownError,
    OutcomeUnknownError,
    SchemaMismatchError,
    UserError,
    UserErrorsError,
)

log = logging.getLogger(__name__)

__all__ = [
    "CONFIRM_IN_BACK_OFFICE",
    "OrderNotShippableError",
    "ShipResult",
    "ShipmentInputError",
    "ShipmentNotShippedError",
    "ShippingService",
    "Tracking",
    "map_user_errors",
    "timeframe_label",
    "validate_quantities",
]

DELIVERY_TIMEFRAME_ENUM = "DeliveryTimeframe"
MAX_TRACKING_LENGTH = 100

CONFIRM_IN_BACK_OFFICE = (
    "Confirming orders happens in the Orderchamp back office: Orderchamp does not offer it "
    "to this app for your account. Confirm the order there; it appears here for shipping "
    "after the next sync."
)


# ---------------------------------------------------------------- protocols (what we need)

class ApiLike(Protocol):
    async def query(self, op_name: str, variables: dict[str, Any] | None = None) -> dict[str, Any]: ...

    async def mutate(self, op_name: str, variables: dict[str, Any], *, payload: str) -> dict[str, Any]: ...


class SchemaLike(Protocol):
    def enum_values(self, name: str) -> list[str]: ...

    def has_mutation(self, name: str) -> bool: ...


class OrderWriter(Protocol):
    def apply_order(self, order_node: dict[str, Any]) -> Any: ...


ChangedCallback = Callable[[frozenset[str]], None]
StepCallback = Callable[[str], None]


# ---------------------------------------------------------------- errors

class ShipmentInputError(UserErrorsError):
    """Refused before anything was sent; same shape as the server's userErrors."""


class OrderNotShippableError(KnownError):
    """The order is unconfirmed, cancelled or already fulfilled."""


class ShipmentNotShippedError(KnownError):
    """The parcel exists at Orderchamp but is not marked as shipped: finish it with Mark as shipped."""

    def __init__(self, shipment_id: str, reason: str, *, order: OrderState | None = None) -> None:
        super().__init__(
            f"The parcel was registered with Orderchamp but is not marked as shipped yet: {reason} "
            "Use “Mark as shipped” on the order to finish it; it will not be created twice.")
        self.shipment_id = shipment_id
        self.order = order


class ShippedStepRefusedError(UserErrorsError):
    """shipmentShipped answered with userErrors: the shipment exists, is not shipped yet."""

    def __init__(self, errors: list[UserError], shipment_id: str, *, order: OrderState | None) -> None:
        super().__init__(errors)
        self.shipment_id = shipment_id
        self.order = order


# ---------------------------------------------------------------- pure parts

def validate_quantities(unshipped: Mapping[str, int], quantities: Sequence[tuple[str, int]]
                        ) -> list[UserError]:
    """Check a parcel before sending: known lines, no negatives, nothing above unshipped, >= 1 item.

    ``quantities`` is the list as it would be sent (``input.products``); errors carry the same
    field paths as the server's, ``["input", "products", "<index>", "quantity"]``.
    """
    errors: list[UserError] = []
    total = 0
    for index, (line_id, quantity) in enumerate(quantities):
        path = ("input", "products", str(index), "quantity")
        if line_id not in unshipped:
            errors.append(UserError(("input", "products", str(index), "id"),
                                    "This product is not part of the order."))
        elif quantity < 0:
            errors.append(UserError(path, "The quantity cannot be negative."))
        elif quantity > unshipped[line_id]:
            left = unshipped[line_id]
            errors.append(UserError(path, f"Only {left} left to ship; {quantity} is too many."
                                    if left else "Nothing is left to ship of this product."))
        else:
            total += quantity
    if not errors and total == 0:
        errors.append(UserError(("input", "products"), "Put at least one item in the parcel."))
    return errors


@dataclass(frozen=True)
class FieldErrors:
    """userErrors resolved to where the UI shows them."""

    lines: dict[str, str]  # order product id -> message
    fields: dict[str, str]  # input name (trackingNumber, deliveryTimeframe...) -> message
    general: list[str]


def map_user_errors(errors: Sequence[UserError], sent_line_ids: Sequence[str] = ()) -> FieldErrors:
    """Resolve field paths: ``input.products.<i>.*`` to the i-th sent line, others by input name."""
    lines: dict[str, str] = {}
    fields: dict[str, str] = {}
    general: list[str] = []
    for error in errors:
        path = [p for p in error.field if p != "input"]
        if len(path) >= 2 and path[0] == "products" and path[1].isdigit():
            index = int(path[1])
            if index < len(sent_line_ids):
                lines.setdefault(sent_line_ids[index], error.message)
                continue
        name = error.leaf
        if name and name != "input":
            fields.setdefault(name, error.message)
        else:
            general.append(error.message)
    return FieldErrors(lines, fields, general)


_NUMBER_WORDS = {"ONE": "1", "TWO": "2", "THREE": "3", "FOUR": "4", "FIVE": "5", "SIX": "6",
                 "SEVEN": "7", "EIGHT": "8", "NINE": "9", "TEN": "10", "FOURTEEN": "14",
                 "TWENTY": "20", "THIRTY": "30"}


def timeframe_label(value: str) -> str:
    """``ONE_TO_TWO_DAYS`` -> "1 to 2 days"; values the app does not know read sensibly too."""
    words = [_NUMBER_WORDS.get(w, w.lower()) for w in value.split("_") if w]
    text = " ".join(words)
    text = re.sub(r"\b(\d+) to (\d+)\b", r"\1–\2", text)
    return text[:1].upper() + text[1:] if text else value


@dataclass(frozen=True)
class Tracking:
    """How a parcel travels: a tracking number (carrier and link detected), or none + timeframe."""

    tracking_number: str | None = None
    carrier: str | None = None
    tracking_url: str | None = None
    delivery_timeframe: str | None = None
    problem: str | None = None  # set when the number looks mistyped (a failed check digit)

    @property
    def is_tracked(self) -> bool:
        return self.tracking_number is not None

    @classmethod
    def tracked(cls, number: str, *, postal_code: str | None = None, country: str | None = None,
                carrier: str | None = None) -> Tracking:
        """Detect carrier and link; an explicit ``carrier`` wins over the detected one."""
        text = " ".join((number or "").split())
        detection = detect_carrier(text, postal_code=postal_code, country=country)
        best = detection.best
        if best is not None and carrier in (None, best.carrier):
            return cls(tracking_number=best.tracking_number, carrier=best.carrier,
                       tracking_url=best.tracking_url)
        return cls(tracking_number=detection.number or text, carrier=carrier or None,
                   problem=detection.problem)

    @classmethod
    def untracked(cls, timeframe: str) -> Tracking:
        return cls(delivery_timeframe=timeframe)

    def input_fields(self) -> dict[str, Any]:
        if self.tracking_number is not None:
            fields: dict[str, Any] = {"trackingNumber": self.tracking_number, "isTracked": True}
            if self.carrier:
                fields["carrier"] = self.carrier
            if self.tracking_url:
                fields["trackingUrl"] = self.tracking_url
            return fields
        return {"isTracked": False, "deliveryTimeframe": self.delivery_timeframe}


def validate_tracking(tracking: Tracking, timeframes: Sequence[str]) -> list[UserError]:
    """Check tracking details before sending: a plausible number, or a known timeframe."""
    if tracking.is_tracked:
        path = ("input", "trackingNumber")
        number = tracking.tracking_number or ""
        if not number:
            return [UserError(path, "Enter the tracking number, or choose “No tracking”.")]
        if len(number) > MAX_TRACKING_LENGTH:
            return [UserError(path, "This is too long for a tracking number.")]
        if tracking.problem:
            return [UserError(path, tracking.problem)]
        return []
    path = ("input", "deliveryTimeframe")
    if not tracking.delivery_timeframe:
        return [UserError(path, "Choose how long delivery will take.")]
    if tracking.delivery_timeframe not in timeframes:
        return [UserError(path, "Orderchamp does not offer this delivery time; choose another.")]
    return []


# ---------------------------------------------------------------- the action

@dataclass(frozen=True)
class ShipResult:
    order: OrderState
    shipment_id: str
    #: True when an answer was lost and the app found out from a re-read what happened.
    recovered: bool = False


class ShippingService:
    """Ship, mark shipped and confirm orders, with write-through to the cache.

    ``store`` gets every re-read order (``apply_order``); ``on_changed`` hears the order ids.
    """

    def __init__(self, client: ApiLike, store: OrderWriter | None, *, schema: SchemaLike | None = None,
                 on_changed: ChangedCallback | None = None) -> None:
        self.client = client
        self.store = store
        self.schema = schema
        self.on_changed = on_changed
        self._busy: set[str] = set()
        # Page sizes that fit each order read so far: lines cost nothing per node (scalars),
        # shipments pay for their items, so these stay small to keep the query cheap.
        self._sizes: dict[str, tuple[int, int, int]] = {}

    # ------------------------------------------------------------ what the live schema offers

    def delivery_timeframes(self) -> list[str]:
        """The DeliveryTimeframe values the live schema offers (empty when unknown)."""
        if self.schema is None:
            return []
        try:
            return list(self.schema.enum_values(DELIVERY_TIMEFRAME_ENUM))
        except (KeyError, LookupError, ValueError):
            return []

    def can_confirm(self) -> bool:
        if self.schema is None:
            return False
        try:
            return bool(self.schema.has_mutation("orderConfirm"))
        except (KeyError, LookupError, ValueError):
            return False

    # ------------------------------------------------------------ reading

    async def read_order(self, order_id: str, *, write: bool = True) -> OrderState:
        """Re-read one order with all its lines and shipments; write it through to the cache."""
        known = self._known_sizes(order_id)
        lines, shipments, shipment_lines = known
        node: Mapping[str, Any] | None = None
        for _ in range(4):
            data = await self.client.query("OrderForShipping", {
                "id": order_id, "lines": lines, "shipments": shipments, "shipmentLines": shipment_lines})
            raw = data.get("order") if isinstance(data, Mapping) else None
            if not isinstance(raw, Mapping):
                raise KnownError("Orderchamp does not know this order any more. It may have been "
                                 "removed; the next sync will update the list.")
            node = raw
            more_lines, more_shipments, more_items = is_truncated(raw)
            if not (more_lines or more_shipments or more_items):
                break
            lines = min(250, lines * 2) if more_lines else lines
            shipments = min(100, shipments * 2) if more_shipments else shipments
            shipment_lines = min(250, shipment_lines * 2) if more_items else shipment_lines
        assert node is not None
        order = OrderState.from_node(node)
        if write:
            self._write(order)
        self._sizes[order_id] = (max(50, len(order.lines) + 10), max(5, len(order.shipments) + 3),
                                 max(10, len(order.lines)))
        return order

    def _known_sizes(self, order_id: str) -> tuple[int, int, int]:
        return self._sizes.get(order_id, (100, 8, 50))

    def _write(self, order: OrderState) -> None:
        if self.store is not None:
            self.store.apply_order(dict(order.node))
        if self.on_changed is not None:
            self.on_changed(frozenset({order.id}))

    # ------------------------------------------------------------ shipping

    async def ship(self, order_id: str, quantities: Sequence[tuple[str, int]], tracking: Tracking,
                   *, step: StepCallback | None = None) -> ShipResult:
        """Create a parcel with ``quantities`` (order product id, quantity) and mark it shipped.

        Lines with quantity 0 are left for a later parcel. Raises ShipmentInputError before
        sending anything when the input is wrong.
        """
        report = step or (lambda _text: None)
        parcel = [(line_id, qty) for line_id, qty in quantities if qty != 0]
        with self._guard(order_id):
            report("Checking the order with Orderchamp…")
            before = await self.read_order(order_id)
            self._check_shippable(before)
            errors = validate_quantities(before.unshipped, parcel) + validate_tracking(
                tracking, self.delivery_timeframes())
            if errors:
                raise ShipmentInputError(errors)
            report("Registering the parcel…")
            shipment_id, recovered = await self._create(before, parcel, report)
            return await self._ship_created(order_id, shipment_id, tracking, report, recovered)

    async def mark_shipped(self, order_id: str, shipment_id: str, tracking: Tracking,
                           *, step: StepCallback | None = None) -> ShipResult:
        """Finish a parcel that was created earlier but never marked as shipped."""
        report = step or (lambda _text: None)
        with self._guard(order_id):
            report("Checking the order with Orderchamp…")
            order = await self.read_order(order_id)
            shipment = order.shipment(shipment_id)
            if shipment is None:
                raise KnownError("This parcel is no longer on the order at Orderchamp.")
            if shipment.is_shipped:
                return ShipResult(order, shipment_id, recovered=True)
            errors = validate_tracking(tracking, self.delivery_timeframes())
            if errors:
                raise ShipmentInputError(errors)
            return await self._ship_created(order_id, shipment_id, tracking, report, False)

    async def _create(self, before: OrderState, parcel: list[tuple[str, int]], report: StepCallback
                      ) -> tuple[str, bool]:
        variables = {"input": {"orderId": before.id,
                               "products": [{"id": i, "quantity": q} for i, q in parcel]}}
        try:
            payload = await self.client.mutate("ShipmentCreate", variables, payload="shipmentCreate")
        except OutcomeUnknownError:
            log.warning("shipmentCreate outcome unknown for %s; re-reading the order", before.id)
            report("The connection dropped; checking whether the parcel was registered…")
            return await self._find_created(before, parcel), True
        shipment = payload.get("shipment") if isinstance(payload, Mapping) else None
        if not isinstance(shipment, Mapping) or not shipment.get("id"):
            # Accepted without an id: find it the same way as after a lost answer.
            return await self._find_created(before, parcel), True
        return str(shipment["id"]), False

    async def _find_created(self, before: OrderState, parcel: list[tuple[str, int]]) -> str:
        try:
            after = await self.read_order(before.id)
        except KnownError as exc:
            raise OutcomeUnknownError(
                "The connection dropped before Orderchamp confirmed the parcel, and the app could "
                "not check yet whether it was registered. Nothing will be sent twice: look at the "
                "order again after the next sync.", detail=str(exc)) from exc
        match = find_new_shipment(before, after, dict(parcel))
        if match is None:
            raise KnownError(
                "The connection dropped and Orderchamp did not register the parcel. Nothing was "
                "sent twice; check your connection and try again.")
        return match.id

    async def _ship_created(self, order_id: str, shipment_id: str, tracking: Tracking,
                            report: StepCallback, recovered: bool) -> ShipResult:
        report("Marking the parcel as shipped…")
        variables = {"input": {"shipmentId": shipment_id, **tracking.input_fields()}}
        try:
            await self.client.mutate("ShipmentShipped", variables, payload="shipmentShipped")
        except UserErrorsError as exc:
            order = await self._reread_quietly(order_id)
            raise ShippedStepRefusedError(exc.errors, shipment_id, order=order) from exc
        except OutcomeUnknownError as exc:
            report("The connection dropped; checking whether the parcel is marked as shipped…")
            order = await self._reread_quietly(order_id)
            shipment = order.shipment(shipment_id) if order else None
            if order is None or shipment is None or not shipment.is_shipped:
                raise ShipmentNotShippedError(
                    shipment_id, "the connection dropped before Orderchamp answered.", order=order
                ) from exc
            return ShipResult(order, shipment_id, recovered=True)
        report("Updating the order…")
        order = await self.read_order(order_id)
        return ShipResult(order, shipment_id, recovered=recovered)

    async def _reread_quietly(self, order_id: str) -> OrderState | None:
        try:
            return await self.read_order(order_id)
        except KnownError:
            log.warning("could not re-read order %s after a failed shipping step", order_id)
            return None

    def _check_shippable(self, order: OrderState) -> None:
        label = f"Order {order.number}".strip()
        if order.is_cancelled:
            raise OrderNotShippableError(f"{label} is cancelled, so it cannot be shipped.")
        if not order.is_confirmed:
            raise OrderNotShippableError(
                f"{label} is not confirmed yet. Unconfirmed orders can still change and are often "
                "not paid: confirm it first.")
        if order.is_fulfilled or not any(line.unshipped > 0 for line in order.lines):
            raise OrderNotShippableError(f"Every item of {label} is already in a parcel.")

    # ------------------------------------------------------------ confirming

    async def confirm(self, order_id: str) -> OrderState:
        """Confirm an order awaiting confirmation, where the live schema offers orderConfirm."""
        if not self.can_confirm():
            raise SchemaMismatchError(CONFIRM_IN_BACK_OFFICE)
        with self._guard(order_id):
            try:
                await self.client.mutate("OrderConfirm", {"input": {"orderId": order_id}},
                                         payload="orderConfirm")
            except OutcomeUnknownError:
                order = await self.read_order(order_id)
                if not order.is_confirmed:
                    raise KnownError("The connection dropped and the order is not confirmed yet. "
                                     "Try again.") from None
                return order
            return await self.read_order(order_id)

    # ------------------------------------------------------------ one action per order at a time

    def _guard(self, order_id: str) -> _Busy:
        return _Busy(self._busy, order_id)


class _Busy:
    def __init__(self, busy: set[str], key: str) -> None:
        self.busy, self.key = busy, key

    def __enter__(self) -> None:
        if self.key in self.busy:
            raise KnownError("This order is already being updated; wait for that to finish.")
        self.busy.add(self.key)

    def __exit__(self, *exc: object) -> None:
        self.busy.discard(self.key)


def find_new_shipment(before: OrderState, after: OrderState, items: Mapping[str, int]
                      ) -> ShipmentState | None:
    """The shipment in ``after`` that was not in ``before`` and holds exactly ``items``.

    When several match (two identical parcels created moments apart), the newest wins.
    """
    known = {s.id for s in before.shipments}
    wanted = {k: v for k, v in items.items() if v}
    candidates = [s for s in after.shipments
                  if s.id not in known and {k: v for k, v in s.items.items() if v} == wanted]
    if not candidates:
        return None
    return max(candidates, key=lambda s: s.created_at or "")

