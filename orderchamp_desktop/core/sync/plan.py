"""How each entity is read, chosen from what the live schema offers (read by introspection).

The docs show only ``orders(sort: CREATED_AT_DESC | CONFIRMED_AT_DESC)``,
``supplierInvoices(sort: ID_DESC)`` and ``products(first: ...)`` without a sort. Anything
else (an UPDATED_AT sort, ``since``) is used only when the live schema has it; without a
schema (introspection refused) only the documented shapes are used.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from orderchamp_desktop.core.api import LiveSchema

UPDATED_DESC = "UPDATED_AT_DESC"
CREATED_DESC = "CREATED_AT_DESC"

#: How an entity catches up between full passes.
Incremental = Literal["updated", "since", "newest", "full"]

# Sort values in order of preference. Full passes want a stable order (documented first);
# newest-first walks want the newest created first.
_ORDERS_FULL = (CREATED_DESC, "ID_DESC", "CREATED_AT_ASC", "ID_ASC")
_PRODUCTS_FULL = ("ID_ASC", "CREATED_AT_ASC", "ID_DESC", CREATED_DESC)
_INVOICES_FULL = ("ID_DESC", CREATED_DESC, "ID_ASC", "CREATED_AT_ASC")
_INVOICES_NEWEST = (CREATED_DESC, "ID_DESC")

#: What the docs show, assumed when the server does not describe itself.
_DOCUMENTED: dict[str, list[str] | None] = {
    "orders": [CREATED_DESC, "CONFIRMED_AT_DESC"],
    "supplierInvoices": ["ID_DESC"],
    "products": None,
}


@dataclass(frozen=True)
class EntityPlan:
    """The operation and sorts one entity's passes use."""

    entity: str
    op: str
    #: Sort of the full pass; None leaves the argument out (the server's own order).
    full_sort: str | None
    #: UPDATED_AT_DESC when offered: incremental passes read what changed, newest first.
    updated_sort: str | None = None
    #: Newest-created first (finds new rows when no updated-at sort exists).
    newest_sort: str | None = None
    #: The operation narrowing the listing by ``since`` (orders), when the schema takes it.
    since_op: str | None = None

    @property
    def incremental(self) -> Incremental:
        if self.updated_sort is not None:
            return "updated"
        if self.since_op is not None:
            return "since"
        if self.newest_sort is not None:
            return "newest"
        return "full"


def _pick(offered: Sequence[str] | None, preferred: Sequence[str]) -> str | None:
    if offered is None:
        return None
    return next((value for value in preferred if value in offered), None)


def _offered(schema: LiveSchema | None, field: str) -> list[str] | None:
    return _DOCUMENTED[field] if schema is None else schema.sort_values(field)


def plan_orders(schema: LiveSchema | None, accepted: Callable[[str], bool]) -> EntityPlan:
    values = _offered(schema, "orders")
    updated = UPDATED_DESC if values and UPDATED_DESC in values else None
    # `since` has no documented meaning: used only where the server says it takes it.
    since = (schema is not None and "since" in schema.query_args("orders")
             and accepted("SyncOrdersSince"))
    return EntityPlan("orders", "SyncOrders", _pick(values, _ORDERS_FULL), updated,
                      _pick(values, (CREATED_DESC,)), "SyncOrdersSince" if since else None)


def plan_products(schema: LiveSchema | None) -> EntityPlan:
    values = _offered(schema, "products")
    if values is None:  # no sort argument at all, as in the docs
        return EntityPlan("products", "SyncProductsUnsorted", None)
    updated = UPDATED_DESC if UPDATED_DESC in values else None
    return EntityPlan("products", "SyncProducts", _pick(values, _PRODUCTS_FULL), updated,
                      _pick(values, (CREATED_DESC,)))


def plan_invoices(schema: LiveSchema | None) -> EntityPlan:
    values = _offered(schema, "supplierInvoices")
    updated = UPDATED_DESC if values and UPDATED_DESC in values else None
    return EntityPlan("invoices", "SyncInvoices", _pick(values, _INVOICES_FULL), updated,
                      _pick(values, _INVOICES_NEWEST))


def plan_for(entity: str, schema: LiveSchema | None, accepted: Callable[[str], bool]) -> EntityPlan:
    """The plan for ``entity``; ``accepted(op)`` says whether the live schema takes ``op``."""
    if entity == "orders":
        return plan_orders(schema, accepted)
    if entity == "products":
        return plan_products(schema)
    return plan_invoices(schema)
