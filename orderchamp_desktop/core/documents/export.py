"""Export the cache as CSV or JSON: orders, products, inventory, invoices. Works offline.

Streaming: rows go from SQLite cursors straight to the output, so exporting 100,000 orders
needs no more memory than a few. Columns come in a fixed order (documented by the
``*_COLUMNS`` tuples), money stays an exact decimal string, text is UTF-8, and nothing
secret is ever in the cache to begin with (the API token lives in the OS keychain).

CSV cells that a spreadsheet would run as a formula (``=cmd|...``, ``+SUM(...)``, ``@``,
``-2+3`` ...) are prefixed with an apostrophe: retailer names and notes come from other
people. Phone numbers ("+49 30 1234") and signed numbers ("-12.50") stay as they are.
"""

from __future__ import annotations

import csv
import json
import re
import sqlite3
from collections.abc import Callable, Iterator, Mapping, Sequence
from itertools import groupby
from typing import IO, Any

from orderchamp_desktop.core.cache import Store
from orderchamp_desktop.core.errors import DiskFullError, StorageError

ENTITIES = ("orders", "products", "inventory", "invoices")
FORMATS = ("csv", "json")

ORDER_COLUMNS = (
    "id", "number", "reference", "status", "is_paid", "is_confirmed", "is_cancelled", "is_fulfilled",
    "retailer", "city", "country", "currency", "subtotal_price", "shipping_price", "tax_price",
    "total_price", "products_count", "units", "unshipped_units", "created_at", "confirmed_at",
    "paid_at", "delivered_at", "cancelled_at", "estimated_delivery_at", "updated_at", "vat_number",
    "note",
)
ADDRESS_KEYS = ("companyName", "name", "street", "houseNumber", "postalCode", "city", "country", "phone")
SHIPPING_COLUMNS = ("shipping_company", "shipping_name", "shipping_street", "shipping_house_number",
                    "shipping_postal_code", "shipping_city", "shipping_country", "shipping_phone")
LINE_COLUMNS = ("id", "position", "title", "variant_title", "brand", "sku", "ean", "case_quantity",
                "quantity", "unshipped_quantity", "unit_price", "subtotal_price", "tax_price",
                "total_price")
SHIPMENT_COLUMNS = ("id", "status", "is_tracked", "tracking_number", "tracking_url", "carrier",
                    "delivery_timeframe", "shipped_at", "created_at", "updated_at")
PRODUCT_COLUMNS = ("id", "title", "brand", "category_path", "description", "option1", "option2",
                   "option3", "image_url", "external_id", "created_at", "updated_at")
VARIANT_COLUMNS = (
    "id", "title", "sku", "ean", "option1", "option2", "option3", "color", "size", "option",
    "case_quantity", "price", "msrp", "inventory_quantity", "inventory_policy", "weight", "length",
    "width", "height", "diameter", "volume", "hs_code", "lead_time", "made_in", "available_at",
    "external_id", "created_at", "updated_at",
)
INVENTORY_COLUMNS = ("variant_id", "product_id", "product_title", "variant_title", "sku", "ean",
                     "inventory_policy", "inventory_quantity")
INVOICE_COLUMNS = ("id", "number", "type", "status", "is_paid", "is_credit", "is_tax_shifted",
                   "tax_country", "currency", "subtotal_price", "tax_price", "total_price",
                   "order_id", "order_number", "created_at", "updated_at")
ITEM_COLUMNS = ("id", "position", "title", "type", "sku", "case_quantity", "quantity", "currency",
                "unit_price", "subtotal_price", "tax_price", "tax_rate", "total_price", "created_at",
                "updated_at")
_BOOLEAN = {"is_paid", "is_confirmed", "is_cancelled", "is_fulfilled", "is_tracked", "is_credit",
            "is_tax_shifted"}
_FORMULA_START = ("=", "@", "\t", "\r")  # always a formula (or a way to smuggle one in)
_SIGN_START = ("+", "-")  # a formula unless the rest is a plain number or phone number
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)*")
_PHONE_NUMBER = re.compile(r"\+\d[\d ()./-]*\d")  # "+49 30 1234", "+31 (0)20-123 45 67"

Row = dict[str, Any]


def export(store: Store, entity: str, fmt: str, out: IO[str]) -> int:
    """Write ``entity`` from the cache to ``out`` as ``fmt``; returns the number of records."""
    if entity not in ENTITIES:
        raise ValueError(f"unknown export {entity!r}; choose one of {', '.join(ENTITIES)}")
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose csv or json")
    conn = store.connection
    try:
        if fmt == "json":
            count = _write_json(out, _RECORDS[entity](conn))
        else:
            header, rows = _TABLES[entity](conn)
            count = _write_csv(out, header, rows)
        out.flush()  # a full disk must show up here, as a sentence, not later on close
    except BrokenPipeError:
        raise  # the reader left (`| head`): not a storage problem; the CLI ends quietly
    except OSError as exc:
        raise _output_error(exc) from exc
    return count


def _output_error(exc: OSError) -> StorageError:
    if exc.errno == 28:  # ENOSPC
        return DiskFullError(detail=str(exc))
    return StorageError(f"The export could not be written: {exc.strerror or exc}.", detail=str(exc))


# ---------------------------------------------------------------------- writers


def _json_value(column: str, value: Any) -> Any:
    if column in _BOOLEAN:
        return None if value is None else bool(value)
    return value


def _write_json(out: IO[str], records: Iterator[Row]) -> int:
    """A JSON array written record by record (never the whole list in memory)."""
    count = 0
    out.write("[")
    for record in records:
        out.write(",\n" if count else "\n")
        out.write(json.dumps(record, ensure_ascii=False))
        count += 1
    out.write("\n]\n" if count else "]\n")
    return count


def _csv_value(value: Any, boolean: bool) -> Any:
    if value is None:
        return ""
    if boolean:
        return "true" if value else "false"
    if isinstance(value, str) and _runs_as_formula(value):
        return "'" + value
    return value


def _runs_as_formula(text: str) -> bool:
    """Whether a spreadsheet would evaluate ``text``: formula starts, minus numbers and phones."""
    if text.startswith(_FORMULA_START):
        return True
    if text.startswith(_SIGN_START):
        return not (_PLAIN_NUMBER.fullmatch(text) or _PHONE_NUMBER.fullmatch(text))
    return False


def _write_csv(out: IO[str], header: Sequence[str], rows: Iterator[Sequence[Any]]) -> int:
    writer = csv.writer(out)
    writer.writerow(header)
    flags = [column in _BOOLEAN for column in header]
    count = 0
    for row in rows:
        writer.writerow([_csv_value(v, b) for v, b in zip(row, flags, strict=True)])
        count += 1
    return count


def _record(columns: Sequence[str], row: Sequence[Any]) -> Row:
    return {c: _json_value(c, v) for c, v in zip(columns, row, strict=True)}


def _select(columns: Sequence[str], table: str, alias: str = "") -> str:
    prefix = f"{alias}." if alias else ""
    return "SELECT " + ", ".join(prefix + c for c in columns) + f" FROM {table}"


def _address(raw: str | None) -> dict[str, Any] | None:
    if not raw:
        return None
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _children(conn: sqlite3.Connection, sql: str) -> Iterator[tuple[Any, list[Sequence[Any]]]]:
    """(parent key, rows) from a query ordered by its first column, the parent's key."""
    for key, group in groupby(conn.execute(sql), key=lambda r: r[0]):
        yield key, [r[1:] for r in group]


class _Merge:
    """Children of parents in parent order, from one ordered query (a merge join)."""

    def __init__(self, source: Iterator[tuple[Any, list[Sequence[Any]]]]) -> None:
        self._source = source
        self._pending: tuple[Any, list[Sequence[Any]]] | None = next(source, None)

    def take(self, key: Any) -> list[Sequence[Any]]:
        while self._pending is not None and self._pending[0] < key:
            self._pending = next(self._source, None)
        if self._pending is None or self._pending[0] != key:
            return []
        rows = self._pending[1]
        self._pending = next(self._source, None)
        return rows


# ---------------------------------------------------------------------- orders


def _order_table(conn: sqlite3.Connection) -> tuple[Sequence[str], Iterator[Sequence[Any]]]:
    sql = _select((*ORDER_COLUMNS, "shipping_json"), "orders") + " ORDER BY created_at DESC, pk DESC"

    def rows() -> Iterator[Sequence[Any]]:
        for row in conn.execute(sql):
            address = _address(row[-1]) or {}
            yield (*row[:-1], *(address.get(k) for k in ADDRESS_KEYS))

    return (*ORDER_COLUMNS, *SHIPPING_COLUMNS), rows()


def _order_records(conn: sqlite3.Connection) -> Iterator[Row]:
    """Orders with addresses, lines and shipments (with items), newest first."""
    order_sql = _select(("pk", *ORDER_COLUMNS, "billing_json", "shipping_json"), "orders")
    lines = _Merge(_children(conn, _select(("o.pk", *(f"l.{c}" for c in LINE_COLUMNS)),
                                          "order_products AS l JOIN orders AS o ON o.id = l.order_id")
                             + " ORDER BY o.pk, l.position, l.id"))
    shipments = _Merge(_children(conn, _select(("o.pk", *(f"s.{c}" for c in SHIPMENT_COLUMNS)),
                                              "shipments AS s JOIN orders AS o ON o.id = s.order_id")
                                 + " ORDER BY o.pk, s.position, s.id"))
    items = _Merge(_children(conn, "SELECT o.pk, i.shipment_id, i.id, i.order_product_id, i.quantity"
                                   " FROM shipment_items AS i JOIN shipments AS s ON s.id = i.shipment_id"
                                   " JOIN orders AS o ON o.id = s.order_id"
                                   " ORDER BY o.pk, i.shipment_id, i.position, i.id"))
    for row in conn.execute(order_sql + " ORDER BY pk"):
        record = _record(ORDER_COLUMNS, row[1:-2])
        record["billing_address"] = _address(row[-2])
        record["shipping_address"] = _address(row[-1])
        record["lines"] = [_record(LINE_COLUMNS, line) for line in lines.take(row[0])]
        record["shipments"] = _shipments(shipments.take(row[0]), items.take(row[0]))
        yield record


def _shipments(rows: list[Sequence[Any]], items: list[Sequence[Any]]) -> list[Row]:
    by_shipment: dict[str, list[Row]] = {}
    for shipment_id, item_id, line_id, quantity in items:
        by_shipment.setdefault(shipment_id, []).append(
            {"id": item_id, "order_product_id": line_id, "quantity": quantity})
    result = []
    for row in rows:
        record = _record(SHIPMENT_COLUMNS, row)
        record["items"] = by_shipment.get(row[0], [])
        result.append(record)
    return result


# ---------------------------------------------------------------------- products and stock


def _product_table(conn: sqlite3.Connection) -> tuple[Sequence[str], Iterator[Sequence[Any]]]:
    """One row per variant, with its product's columns first (spreadsheet friendly)."""
    header = (*(f"product_{c}" for c in PRODUCT_COLUMNS),
              *(f"variant_{c}" for c in VARIANT_COLUMNS))
    sql = (_select((*(f"p.{c}" for c in PRODUCT_COLUMNS), *(f"v.{c}" for c in VARIANT_COLUMNS)),
                   "products AS p JOIN variants AS v ON v.product_id = p.id")
           + " ORDER BY p.title COLLATE NOCASE, p.pk, v.position, v.pk")
    return header, iter(conn.execute(sql))


def _product_records(conn: sqlite3.Connection) -> Iterator[Row]:
    variants = _Merge(_children(conn, _select(("p.pk", *(f"v.{c}" for c in VARIANT_COLUMNS), "v.tags_json"),
                                             "variants AS v JOIN products AS p ON p.id = v.product_id")
                                + " ORDER BY p.pk, v.position, v.pk"))
    for row in conn.execute(_select(("pk", *PRODUCT_COLUMNS), "products") + " ORDER BY pk"):
        record = _record(PRODUCT_COLUMNS, row[1:])
        record["variants"] = [{**_record(VARIANT_COLUMNS, v[:-1]), "tags": json.loads(v[-1] or "[]")}
                              for v in variants.take(row[0])]
        yield record


def _location_names(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    """(location id, unique column name) in the app's location order."""
    names: list[tuple[str, str]] = []
    used: set[str] = set()
    for ident, name in conn.execute("SELECT id, coalesce(name, id) FROM locations ORDER BY position, name"):
        label, n = str(name), 2
        while label in used:
            label, n = f"{name} ({n})", n + 1
        used.add(label)
        names.append((ident, label))
    return names


def _inventory_source(conn: sqlite3.Connection) -> Iterator[tuple[Sequence[Any], dict[str, int]]]:
    levels = _Merge(_children(conn, "SELECT v.pk, l.location_id, l.quantity FROM inventory_levels AS l"
                                    " JOIN variants AS v ON v.id = l.variant_id ORDER BY v.pk"))
    sql = ("SELECT v.pk, v.id, v.product_id, p.title, v.title, v.sku, v.ean, v.inventory_policy,"
           " v.inventory_quantity FROM variants AS v LEFT JOIN products AS p ON p.id = v.product_id"
           " ORDER BY v.pk")
    for row in conn.execute(sql):
        yield row[1:], {loc: qty for loc, qty in levels.take(row[0])}


def _inventory_table(conn: sqlite3.Connection) -> tuple[Sequence[str], Iterator[Sequence[Any]]]:
    """One row per variant, one column per location (named after it), in SKU order."""
    locations = _location_names(conn)

    def rows() -> Iterator[Sequence[Any]]:
        for row, levels in _inventory_source(conn):
            yield (*row, *(levels.get(ident) for ident, _ in locations))

    return (*INVENTORY_COLUMNS, *(label for _, label in locations)), rows()


def _inventory_records(conn: sqlite3.Connection) -> Iterator[Row]:
    locations = _location_names(conn)
    for row, levels in _inventory_source(conn):
        record = _record(INVENTORY_COLUMNS, row)
        record["levels"] = [{"location_id": ident, "location": label, "quantity": levels[ident]}
                            for ident, label in locations if ident in levels]
        record["levels"] += [{"location_id": ident, "location": None, "quantity": qty}
                             for ident, qty in levels.items() if ident not in dict(locations)]
        yield record


# ---------------------------------------------------------------------- invoices


def _invoice_table(conn: sqlite3.Connection) -> tuple[Sequence[str], Iterator[Sequence[Any]]]:
    header = (*INVOICE_COLUMNS, "receiver_company", "issuer_company")
    sql = (_select((*INVOICE_COLUMNS, "receiver_json", "issuer_json"), "invoices")
           + " ORDER BY created_at DESC, pk DESC")

    def rows() -> Iterator[Sequence[Any]]:
        for row in conn.execute(sql):
            receiver, issuer = _address(row[-2]) or {}, _address(row[-1]) or {}
            yield (*row[:-2], receiver.get("companyName"), issuer.get("companyName"))

    return header, rows()


def _invoice_records(conn: sqlite3.Connection) -> Iterator[Row]:
    items = _Merge(_children(conn, _select(("v.pk", *(f"i.{c}" for c in ITEM_COLUMNS)),
                                          "invoice_items AS i JOIN invoices AS v ON v.id = i.invoice_id")
                             + " ORDER BY v.pk, i.position, i.id"))
    sql = _select(("pk", *INVOICE_COLUMNS, "issuer_json", "receiver_json"), "invoices") + " ORDER BY pk"
    for row in conn.execute(sql):
        record = _record(INVOICE_COLUMNS, row[1:-2])
        record["issuer"] = _address(row[-2])
        record["receiver"] = _address(row[-1])
        record["items"] = [_record(ITEM_COLUMNS, item) for item in items.take(row[0])]
        yield record


_TABLES: Mapping[str, Callable[[sqlite3.Connection], tuple[Sequence[str], Iterator[Sequence[Any]]]]] = {
    "orders": _order_table, "products": _product_table, "inventory": _inventory_table,
    "invoices": _invoice_table,
}
_RECORDS: Mapping[str, Callable[[sqlite3.Connection], Iterator[Row]]] = {
    "orders": _order_records, "products": _product_records, "inventory": _inventory_records,
    "invoices": _invoice_records,
}
