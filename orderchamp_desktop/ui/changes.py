"""The "what changed" notice: after data lands in the cache, views hear which rows changed.

Sync publishes after each committed page and at the end; actions (ship, adjust stock...)
publish the ids they touched. Each view decides itself whether and how to refresh.
Emitting from a worker thread is fine: Qt queues the signal to the receivers' thread.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal

ORDERS = "orders"
PRODUCTS = "products"
INVENTORY = "inventory"
INVOICES = "invoices"
LOCATIONS = "locations"
ACCOUNT = "account"
ALL_ENTITIES = frozenset({ORDERS, PRODUCTS, INVENTORY, INVOICES, LOCATIONS, ACCOUNT})


@dataclass(frozen=True)
class Changes:
    """Which entities changed and, when known, which ids (empty: any row may have changed)."""

    entities: frozenset[str]
    ids: frozenset[str] = frozenset()
    source: str = ""

    @classmethod
    def of(cls, *entities: str, ids: Iterable[str] = (), source: str = "") -> Changes:
        return cls(frozenset(entities), frozenset(ids), source)

    @classmethod
    def everything(cls, source: str = "") -> Changes:
        return cls(ALL_ENTITIES, frozenset(), source)

    def touches(self, *entities: str) -> bool:
        return not self.entities.isdisjoint(entities)

    def touches_id(self, entity: str, item_id: str | None) -> bool:
        """True when ``item_id`` of ``entity`` may have changed."""
        if entity not in self.entities or item_id is None:
            return False
        return not self.ids or item_id in self.ids


class ChangeBus(QObject):
    """One per app. ``changed(Changes)`` reaches every view; ``publish`` from any thread."""

    changed = Signal(object)

    def publish(self, changes: Changes) -> None:
        self.changed.emit(changes)
