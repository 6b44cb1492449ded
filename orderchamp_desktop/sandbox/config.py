"""Configuration of a sandbox world and server."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

DEFAULT_FEATURES: dict[str, bool] = {
    "order_confirm": True,  # the orderConfirm mutation exists
    "orders_updated_sort": True,  # OrderSort has UPDATED_AT_ASC/DESC
    "products_updated_sort": True,  # ProductSort has UPDATED_AT_ASC/DESC
    "invoices_updated_sort": True,  # InvoiceSort has UPDATED_AT_ASC/DESC
    "products_sort": True,  # Query.products takes a sort argument
    "invoices_created_sort": True,  # InvoiceSort has CREATED_AT_ASC/DESC
    "orders_since": True,  # Query.orders takes since
    "introspection": True,  # __schema / __type queries are answered
}

#: The schema as far as the public docs show it: no UPDATED_AT sort anywhere, products
#: without a sort argument, invoices sorted by id only. Merge into ``features``.
DOCS_SHAPED: dict[str, bool] = {
    "orders_updated_sort": False,
    "products_updated_sort": False,
    "invoices_updated_sort": False,
    "products_sort": False,
    "invoices_created_sort": False,
}

#: Features that shape the schema (the rest change behaviour only).
SCHEMA_FEATURES = (
    "order_confirm", "orders_updated_sort", "products_updated_sort", "invoices_updated_sort",
    "products_sort", "invoices_created_sort", "orders_since",
)


def _default_features() -> dict[str, bool]:
    return dict(DEFAULT_FEATURES)


@dataclass
class SandboxConfig:
    """Everything that shapes a sandbox: its data, its limits and the schema features it offers.

    The world is deterministic from ``seed`` and ``now`` (the anchor of the generated history;
    ``None`` means the current UTC time). ``clock`` is a monotonic clock in seconds used by the
    throttle bucket and to move the world's time forward; tests inject a fake one.
    """

    seed: int = 42
    token: str = "sandbox-token"
    products: int = 150
    orders: int = 2000
    locations: int = 3
    bucket_size: int = 1000
    restore_rate: float = 50.0
    max_query_cost: int = 2000
    now: datetime | None = None
    features: dict[str, bool] = field(default_factory=_default_features)
    extra_order_statuses: tuple[str, ...] = ()
    clock: Callable[[], float] = time.monotonic

    def feature(self, name: str) -> bool:
        """A feature flag, on unless switched off (unknown names default to on)."""
        return self.features.get(name, DEFAULT_FEATURES.get(name, True))
