"""How API nodes become rows: field tables, converters, and batched statements.

Each ``*_FIELDS`` table maps an API field to a column and a converter from values.py.
Kept apart from the Store so the mapping can be read (and reviewed against the docs) on
its own.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from typing import Any

from orderchamp_desktop.core.cache import values as v

log = logging.getLogger(__name__)

Node = Mapping[str, Any]
Field = tuple[str, str, Callable[[Any], Any]]


def now_iso() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def nested_text(*keys: str) -> Callable[[Any], Any]:
    """A converter that reads a nested scalar, e.g. category { path }."""
    def read(value: Any) -> Any:
        for key in keys:
            if not isinstance(value, Mapping):
                return None
            value = value.get(key)
        return v.text(value)
    return read


def image_url(value: Any) -> str | None:
    if not isinstance(value, Mapping):
        return None
    return v.text(value.get("originalUrl") or value.get("thumbnailUrl"))


ORDER_FIELDS: tuple[Field, ...] = (
    ("number", "number", v.text), ("reference", "reference", v.text), ("status", "status", v.text),
    ("isPaid", "is_paid", v.flag), ("isConfirmed", "is_confirmed", v.flag),
    ("isCancelled", "is_cancelled", v.flag), ("isFulfilled", "is_fulfilled", v.flag),
    ("paidAt", "paid_at", v.text), ("confirmedAt", "confirmed_at", v.text),
    ("deliveredAt", "delivered_at", v.text), ("cancelledAt", "cancelled_at", v.text),
    ("estimatedDeliveryAt", "estimated_delivery_at", v.text), ("createdAt", "created_at", v.text),
    ("updatedAt", "updated_at", v.text), ("currency", "currency", v.text),
    ("subtotalPrice", "subtotal_price", v.money), ("shippingPrice", "shipping_price", v.money),
    ("taxPrice", "tax_price", v.money), ("totalPrice", "total_price", v.money),
    ("productsCount", "products_count", v.integer), ("vatNumber", "vat_number", v.text),
    ("note", "note", v.text), ("billingAddress", "billing_json", v.json_text),
    ("shippingAddress", "shipping_json", v.json_text),
)
LINE_FIELDS: tuple[Field, ...] = (
    ("brand", "brand", v.text), ("title", "title", v.text), ("variantTitle", "variant_title", v.text),
    ("sku", "sku", v.text), ("ean", "ean", v.text), ("caseQuantity", "case_quantity", v.integer),
    ("quantity", "quantity", v.integer), ("unshippedQuantity", "unshipped_quantity", v.integer),
    ("unitPrice", "unit_price", v.money), ("subtotalPrice", "subtotal_price", v.money),
    ("taxPrice", "tax_price", v.money), ("totalPrice", "total_price", v.money),
)
SHIPMENT_FIELDS: tuple[Field, ...] = (
    ("status", "status", v.text), ("isTracked", "is_tracked", v.flag),
    ("trackingNumber", "tracking_number", v.text), ("trackingUrl", "tracking_url", v.text),
    ("carrier", "carrier", v.text), ("deliveryTimeframe", "delivery_timeframe", v.text),
    ("shippedAt", "shipped_at", v.text), ("createdAt", "created_at", v.text),
    ("updatedAt", "updated_at", v.text),
)
PRODUCT_FIELDS: tuple[Field, ...] = (
    ("externalProductId", "external_id", v.text), ("brand", "brand", v.text),
    ("title", "title", v.text), ("description", "description", v.text),
    ("option1", "option1", v.text), ("option2", "option2", v.text), ("option3", "option3", v.text),
    ("category", "category_path", nested_text("path")), ("featuredImage", "image_url", image_url),
    ("createdAt", "created_at", v.text), ("updatedAt", "updated_at", v.text),
)
VARIANT_FIELDS: tuple[Field, ...] = (
    ("externalProductVariantId", "external_id", v.text), ("title", "title", v.text),
    ("option1", "option1", v.text), ("option2", "option2", v.text), ("option3", "option3", v.text),
    ("sku", "sku", v.text), ("ean", "ean", v.text), ("color", "color", v.text),
    ("size", "size", v.text), ("option", "option", v.text),
    ("caseQuantity", "case_quantity", v.integer), ("price", "price", v.money),
    ("msrp", "msrp", v.money), ("inventoryQuantity", "inventory_quantity", v.integer),
    ("inventoryPolicy", "inventory_policy", v.text), ("weight", "weight", v.money),
    ("length", "length", v.money), ("width", "width", v.money), ("height", "height", v.money),
    ("diameter", "diameter", v.money), ("volume", "volume", v.money), ("hsCode", "hs_code", v.text),
    ("leadTime", "lead_time", v.text), ("madeIn", "made_in", v.text),
    ("availableAt", "available_at", v.text), ("tags", "tags_json", v.json_text),
    ("createdAt", "created_at", v.text), ("updatedAt", "updated_at", v.text),
)
INVOICE_FIELDS: tuple[Field, ...] = (
    ("number", "number", v.text), ("currency", "currency", v.text),
    ("totalPrice", "total_price", v.money), ("subtotalPrice", "subtotal_price", v.money),
    ("taxPrice", "tax_price", v.money), ("isPaid", "is_paid", v.flag),
    ("isCredit", "is_credit", v.flag), ("isTaxShifted", "is_tax_shifted", v.flag),
    ("taxCountry", "tax_country", v.text), ("type", "type", v.text), ("status", "status", v.text),
    ("issuer", "issuer_json", v.json_text), ("receiver", "receiver_json", v.json_text),
    ("order", "order_id", nested_text("id")), ("createdAt", "created_at", v.text),
    ("updatedAt", "updated_at", v.text),
)
INVOICE_ITEM_FIELDS: tuple[Field, ...] = (
    ("title", "title", v.text), ("type", "type", v.text), ("sku", "sku", v.text),
    ("caseQuantity", "case_quantity", v.integer), ("quantity", "quantity", v.integer),
    ("currency", "currency", v.text), ("unitPrice", "unit_price", v.money),
    ("subtotalPrice", "subtotal_price", v.money), ("taxPrice", "tax_price", v.money),
    ("taxRate", "tax_rate", v.money), ("totalPrice", "total_price", v.money),
    ("createdAt", "created_at", v.text), ("updatedAt", "updated_at", v.text),
)
COMPLETE_FLAGS = {
    "orders": ("orders", "complete"), "products": ("products", "variants_complete"),
    "variants": ("variants", "levels_complete"), "invoices": ("invoices", "items_complete"),
}
SWEEP_TABLES = {"orders": "orders", "products": "products", "invoices": "invoices"}


@lru_cache(maxsize=256)
def upsert_sql(table: str, columns: tuple[str, ...], key: str = "id") -> str:
    """INSERT .. ON CONFLICT DO UPDATE of exactly ``columns`` (others keep their value)."""
    marks = ", ".join("?" * len(columns))
    insert = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c != key)
    if not updates:
        return insert + f" ON CONFLICT ({key}) DO NOTHING"
    return insert + f" ON CONFLICT ({key}) DO UPDATE SET {updates}"


@lru_cache(maxsize=64)
def replace_sql(table: str, columns: tuple[str, ...]) -> str:
    marks = ", ".join("?" * len(columns))
    return f"INSERT OR REPLACE INTO {table} ({', '.join(columns)}) VALUES ({marks})"


def insert_children(conn: sqlite3.Connection, table: str, columns: tuple[str, ...],
                    rows: list[tuple[Any, ...]]) -> None:
    """Insert child rows (order lines, shipments, invoice items) after their parent's old
    children were deleted, so they rarely collide with a cached row.

    A plain INSERT first: ``INSERT OR REPLACE`` made every row of a full sync a third
    slower to store, to guard against a collision that almost never happens. When one
    does (a page read twice after a resumed sync, an id the API moved to another parent),
    the whole batch is written again with REPLACE.
    """
    if not rows:
        return
    try:
        executemany_rows(conn, insert_sql(table, columns), rows)
    except sqlite3.IntegrityError as exc:
        log.info("%s rows already cached, replacing them: %s", table, exc)
        executemany_rows(conn, replace_sql(table, columns), rows)


@lru_cache(maxsize=64)
def insert_sql(table: str, columns: tuple[str, ...]) -> str:
    marks = ", ".join("?" * len(columns))
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"


def node_id(node: Any, kind: str) -> str | None:
    """The id of a node, or None (logged) when the node is unusable.

    Ids are opaque tokens (base64 on the live API); one with control characters or an
    unencodable character cannot be a real id and would break id lists, so it is refused.
    """
    if isinstance(node, dict):
        ident = node.get("id")
        if type(ident) is str and ident and ident.isprintable():
            return ident
        if type(ident) is int:
            return str(ident)
    log.warning("skipping a %s without a usable id: %.200r", kind, node)
    return None


def partial(node: Node, fields: tuple[Field, ...]) -> tuple[list[str], list[Any]]:
    """Columns and values for the fields present in ``node`` (absent keys are left alone)."""
    present = [field for field in fields if field[0] in node]
    return [f[1] for f in present], [convert(node[key]) for key, _column, convert in present]


def full_row(node: Node, fields: tuple[Field, ...]) -> list[Any]:
    """Values for every field (absent keys become NULL): for children that are replaced."""
    get = node.get
    return [convert(get(key)) for key, _column, convert in fields]


def address_summary(node: Node) -> tuple[str | None, str | None, str | None]:
    """Retailer, city and country for the order table: shipping first, then billing."""
    found: list[str | None] = [None, None, None]
    for key in ("shippingAddress", "billingAddress"):
        address = node.get(key)
        if not isinstance(address, Mapping):
            continue
        for slot, field in enumerate(("companyName", "city", "country")):
            if found[slot] is None:
                found[slot] = v.text(address.get(field)) or None
    if found[0] is None:
        for key in ("shippingAddress", "billingAddress"):
            address = node.get(key)
            if isinstance(address, Mapping) and address.get("name"):
                found[0] = v.text(address.get("name"))
                break
    return found[0], found[1], found[2]


class Grouped:
    """Rows for one table grouped by their column sets, flushed with executemany."""

    def __init__(self, table: str, sql: Callable[[str, tuple[str, ...]], str]) -> None:
        self.table = table
        self.sql = sql
        self.groups: dict[tuple[str, ...], list[tuple[Any, ...]]] = {}

    def add(self, columns: Sequence[str], values: Sequence[Any]) -> None:
        self.groups.setdefault(tuple(columns), []).append(tuple(values))

    def flush(self, conn: sqlite3.Connection) -> None:
        for columns, rows in self.groups.items():
            executemany_rows(conn, self.sql(self.table, columns), rows)
        self.groups.clear()


def executemany_rows(conn: sqlite3.Connection, sql: str, rows: list[tuple[Any, ...]]) -> None:
    """executemany, retried once with cleaned parameters when a value cannot be bound."""
    if not rows:
        return
    try:
        conn.executemany(sql, rows)
    except (UnicodeEncodeError, OverflowError, sqlite3.InterfaceError, sqlite3.ProgrammingError) as exc:
        log.warning("cleaning unstorable values for %s: %s", sql.split("(")[0], exc)
        conn.executemany(sql, v.clean_rows(rows))


STATE_KEYS = ("isConfirmed", "isCancelled", "isFulfilled", "status")
FINAL_STATUSES = ("COMPLETED", "CANCELLED")
LINE_QUANTITY = 3 + [f[1] for f in LINE_FIELDS].index("quantity")  # position in a line row
LINE_UNSHIPPED = 3 + [f[1] for f in LINE_FIELDS].index("unshipped_quantity")


def order_state(node: Node) -> int:
    """The ``state`` column (schema.ORDER_STATE_SQL, computed in Python for whole nodes)."""
    return ((v.flag(node.get("isConfirmed")) or 0) | (v.flag(node.get("isCancelled")) or 0) * 2
            | (v.flag(node.get("isFulfilled")) or 0) * 4 | (node.get("status") in FINAL_STATUSES) * 8)


