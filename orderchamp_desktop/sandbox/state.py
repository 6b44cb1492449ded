"""The live world of a sandbox: collections, indexes, the id counter and the world's clock."""

from __future__ import annotations

import random
import threading
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from .config import SandboxConfig
from .ids import decode_gid, encode_gid
from .model import (
    Account,
    Category,
    Location,
    Order,
    Product,
    ProductVariant,
    SupplierInvoice,
    Webhook,
)

T = TypeVar("T")

FIRST_NUMBER = 827_300_000_000_000


class SandboxState:
    """Everything the server knows. Guard reads and writes with ``state.lock`` (an RLock).

    Tests read it directly (``state.orders``, ``state.variants`` ...) to compare with what the
    app synced, and use the helpers (``add_random_order``, ``order``...) to change the world
    between two syncs.
    """

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.lock = threading.RLock()
        anchor = config.now or datetime.now(UTC)
        if anchor.tzinfo is None:  # a naive anchor is taken as UTC, never as local time
            anchor = anchor.replace(tzinfo=UTC)
        self.anchor = anchor.astimezone(UTC).replace(microsecond=0)
        self._clock_start = config.clock()
        self._last_now = self.anchor
        self._id_rng = random.Random(config.seed * 7919 + 17)
        self._next_number = FIRST_NUMBER + self._id_rng.randrange(10**12)
        self._by_gid: dict[str, Any] = {}
        # Drives the generated world, then whatever tests add through the helpers below.
        self.generation_rng = random.Random(config.seed)
        self.account: Account | None = None
        self.locations: list[Location] = []
        self.categories: dict[str, Category] = {}
        self.products: list[Product] = []
        self.variants: list[ProductVariant] = []
        self.variants_by_sku: dict[str, ProductVariant] = {}
        self.orders: list[Order] = []
        self.invoices: list[SupplierInvoice] = []
        self.webhooks: list[Webhook] = []
        self.retailers: list[Any] = []
        self.invoice_sequence = 0
        self.order_sequence = 0

    # ------------------------------------------------------------------ ids and time

    def new_id(self, type_name: str) -> tuple[str, int]:
        """A fresh (global id, number); numbers grow, so ID order is creation order."""
        self._next_number += 1_000 + self._id_rng.getrandbits(32)  # getrandbits: C-fast, ~38k ids per world
        return encode_gid(type_name, self._next_number), self._next_number

    def register(self, obj: T) -> T:
        self._by_gid[obj.id] = obj  # type: ignore[attr-defined]
        return obj

    def get(self, gid: Any, kind: type[T]) -> T | None:
        """The object of that type behind a global id (any base64 padding), or None."""
        if not isinstance(gid, str):
            return None
        decoded = decode_gid(gid)
        if decoded is None or decoded[0] != kind.__name__:
            return None
        found = self._by_gid.get(encode_gid(*decoded))
        return found if isinstance(found, kind) else None

    def now(self) -> datetime:
        """The world's time: the anchor plus the time elapsed on the clock, never going back."""
        elapsed = max(0.0, self.config.clock() - self._clock_start)
        current = (self.anchor + timedelta(seconds=elapsed)).replace(microsecond=0)
        self._last_now = max(self._last_now, current)
        return self._last_now

    # ------------------------------------------------------------------ lookups

    @property
    def primary_location(self) -> Location:
        return next(location for location in self.locations if location.is_primary)

    def order(self, gid: str) -> Order | None:
        return self.get(gid, Order)

    def variant_by_sku(self, sku: str) -> ProductVariant | None:
        return self.variants_by_sku.get(sku)

    # ------------------------------------------------------------------ test helpers

    def add_random_order(
        self, status: str = "AWAITING_FULFILMENT", *, lines: int | None = None, retailer: int | None = None
    ) -> str:
        """Place a new order created now (with its shipments/invoice as the status implies)."""
        from .orders import add_order_now  # the generator imports this module

        with self.lock:
            return add_order_now(self, status, lines=lines, retailer=retailer).id

    def touch_order(self, gid: str) -> None:
        """Bump an order's updatedAt as if something changed on Orderchamp's side."""
        with self.lock:
            order = self.order(gid)
            if order is None:
                raise KeyError(gid)
            order.updated_at = self.now()

    def cancel_order(self, gid: str) -> None:
        """Cancel an order (as a retailer or Orderchamp support would)."""
        with self.lock:
            order = self.order(gid)
            if order is None:
                raise KeyError(gid)
            order.is_cancelled = True
            order.status = "CANCELLED"
            order.cancelled_at = order.updated_at = self.now()
