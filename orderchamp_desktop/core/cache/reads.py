"""The read half of the Store: what the views show, sorted and filtered in SQL.

Every list query returns ids first (cheap, indexed) and rows for a block of ids second, so
a table over 100,000 orders only ever turns the visible rows into Python objects.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections import deque
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from itertools import compress, repeat
from typing import Any

from orderchamp_desktop.core.cache.base import StoreBase
from orderchamp_desktop.core.cache.rows import (
    AccountRow,
    Address,
    InventoryMatrix,
    InventoryRow,
    InvoiceDetail,
    InvoiceItemRow,
    InvoiceRef,
    InvoiceRow,
    LocationRow,
    OrderDetail,
    OrderLine,
    OrderRow,
    ProductRow,
    ShipmentItem,
    ShipmentRow,
    SyncState,
    VariantRow,
)
from orderchamp_desktop.core.cache.search import match_query

log = logging.getLogger(__name__)

# ``state`` bits (schema v2): 1 confirmed, 2 cancelled, 4 fulfilled, 8 COMPLETED/CANCELLED.
ORDER_VIEWS: dict[str, str] = {
    "all": "1",
    "needs_action": "state & 7 = 1",  # confirmed, not cancelled, not fulfilled
    "unconfirmed": "state & 3 = 0",
    "cancelled": "state & 2 = 2",
    "open": "state & 10 = 0",  # not cancelled, status not final
}
ORDER_SORTS: dict[str, str] = {
    "created_at": "created_at", "confirmed_at": "confirmed_at", "updated_at": "updated_at",
    "number": "number", "reference": "reference", "retailer": "retailer_key",
    "city": "city_key", "status": "status", "items": "units", "total": "total_sort",
}
INVOICE_SORTS: dict[str, str] = {
    "created_at": "created_at", "number": "number", "total": "total_sort", "type": "type",
    "status": "status", "order_number": "order_number",
}
_ID_SEPARATOR = "\x1f"  # never in an id (the writer refuses ids with control characters)
_FEW_HITS = 2000  # below this many search matches, sorting them in SQL is the quicker way
PRODUCT_SORTS: dict[str, str] = {
    "title": "title COLLATE NOCASE", "brand": "brand COLLATE NOCASE", "created_at": "created_at",
    "updated_at": "updated_at",
}
_ORDER_ROW_SQL = (
    "SELECT id, number, reference, retailer, city, country, status, is_paid, is_confirmed,"
    " is_cancelled, is_fulfilled, units, unshipped_units, products_count, total_price, currency,"
    " created_at, confirmed_at, updated_at FROM orders"
)
_VARIANT_SQL = (
    "SELECT v.id, v.product_id, p.title, v.title, v.sku, v.ean, v.option1, v.option2, v.option3,"
    " v.color, v.size, v.option, v.case_quantity, v.price, v.msrp, v.inventory_quantity,"
    " v.inventory_policy, v.lead_time, v.made_in, v.available_at, v.tags_json, v.weight, v.length,"
    " v.width, v.height, v.diameter, v.volume, v.hs_code, v.external_id, v.updated_at"
    " FROM variants AS v LEFT JOIN products AS p ON p.id = v.product_id"
)
_INVOICE_ROW_SQL = (
    "SELECT id, number, type, status, is_paid, is_credit, currency, subtotal_price, tax_price,"
    " total_price, order_id, order_number, receiver_json, created_at FROM invoices"
)
_BLOCK = 500  # ids per query: keeps json_each arguments small


def dec(value: Any) -> Decimal | None:
    """Stored money back to Decimal (None for NULL or, defensively, for unreadable text)."""
    if value is None:
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _address(raw: str | None) -> Address | None:
    if not raw:
        return None
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None

    def get(key: str) -> str | None:
        value = data.get(key)
        return None if value is None else str(value)

    return Address(get("companyName"), get("name"), get("street"), get("houseNumber"),
                   get("postalCode"), get("city"), get("country"), get("phone"), get("vatNumber"))


def _tags(raw: str | None) -> tuple[str, ...]:
    try:
        data = json.loads(raw) if raw else []
    except ValueError:
        return ()
    return tuple(str(t) for t in data) if isinstance(data, list) else ()


def _like(text: str) -> str:
    """A LIKE pattern matching ``text`` anywhere, with LIKE's wildcards taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _order_row(r: Sequence[Any]) -> OrderRow:
    units = r[11] if r[11] is not None else (r[13] or 0)
    return OrderRow(
        id=r[0], number=r[1] or "", reference=r[2], retailer=r[3] or "", city=r[4] or "",
        country=r[5], status=r[6] or "", is_paid=bool(r[7]), is_confirmed=bool(r[8]),
        is_cancelled=bool(r[9]), is_fulfilled=bool(r[10]), items=int(units),
        unshipped=int(r[12] or 0), products_count=r[13], total=dec(r[14]), currency=r[15],
        created_at=r[16], confirmed_at=r[17], updated_at=r[18])


def _variant_row(r: Sequence[Any]) -> VariantRow:
    return VariantRow(
        id=r[0], product_id=r[1], product_title=r[2], title=r[3] or "", sku=r[4], ean=r[5],
        option1=r[6], option2=r[7], option3=r[8], color=r[9], size=r[10], option=r[11],
        case_quantity=r[12], price=dec(r[13]), msrp=dec(r[14]), inventory_quantity=int(r[15] or 0),
        inventory_policy=r[16], lead_time=r[17], made_in=r[18], available_at=r[19],
        tags=_tags(r[20]), weight=dec(r[21]), length=dec(r[22]), width=dec(r[23]),
        height=dec(r[24]), diameter=dec(r[25]), volume=dec(r[26]), hs_code=r[27],
        external_id=r[28], updated_at=r[29])


def _invoice_row(r: Sequence[Any]) -> InvoiceRow:
    receiver = _address(r[12])
    return InvoiceRow(
        id=r[0], number=r[1] or "", type=r[2], status=r[3], is_paid=bool(r[4]),
        is_credit=bool(r[5]), currency=r[6], subtotal=dec(r[7]), tax=dec(r[8]), total=dec(r[9]),
        order_id=r[10], order_number=r[11], receiver=receiver.company_name if receiver else None,
        created_at=r[13])


def _split(joined: str | None) -> list[str]:
    return joined.split(_ID_SEPARATOR) if joined else []


def _mask_of(hits: list[int], largest_key: int) -> bytearray:
    """A byte per row key up to ``largest_key``, 1 where the key is among ``hits``: picking a
    broad search's matches out of a view's ordered keys then runs in C (``compress`` over the
    mask), about twice as fast as testing each key against a set of strings."""
    mask = bytearray(max(largest_key, max(hits, default=0)) + 1)
    deque(map(mask.__setitem__, hits, repeat(1)), maxlen=0)  # scatter the ones at C speed
    return mask


def _in_order(ids: Sequence[str], rows: dict[str, Any]) -> list[Any]:
    return [rows[i] for i in ids if i in rows]


class StoreReads(StoreBase):
    """Read API for the views. All sorting, filtering and searching happens in SQL."""

    _ordered_cache: tuple[tuple[Any, ...], list[str], list[int] | None] | None = None

    # ------------------------------------------------------------------ orders
    def _order_where(self, view: str, status: str | None) -> tuple[str, list[Any]]:
        if view not in ORDER_VIEWS:
            raise ValueError(f"unknown order view {view!r}")
        if status:
            return f"{ORDER_VIEWS[view]} AND status = ?", [status]
        return ORDER_VIEWS[view], []

    def order_ids(self, search: str | None = None, view: str = "all", status: str | None = None,
                  sort: str = "created_at", descending: bool = True) -> list[str]:
        """Ids of the orders to show, in display order.

        Without search: straight from a covering sort index. With search: the full-text
        index gives the matching rows; few matches are sorted in SQL, many are picked out of
        the view's ordered list (cached until the file changes), which keeps a broad search
        such as "ca" over 100,000 orders from sorting tens of thousands of rows each keystroke.
        """
        if sort not in ORDER_SORTS:
            raise ValueError(f"unknown order sort {sort!r}")
        where, params = self._order_where(view, status)
        direction = "DESC" if descending else "ASC"
        order_by = f"{ORDER_SORTS[sort]} {direction}, id {direction}"
        query = match_query(search)
        if query is None:
            return list(self._ordered(where, params, order_by))
        hits = self._search_hits(query)
        if len(hits) <= _FEW_HITS:
            sql = (f"SELECT group_concat(id, char(31)) FROM (SELECT id FROM orders WHERE {where}"
                   " AND pk IN (SELECT value FROM json_each(?)) ORDER BY " + order_by + ")")
            rows = self._conn.execute(sql, [*params, json.dumps(hits)]).fetchall()
            return _split(rows[0][0])
        keys, ids = self._ordered_keys(where, params, order_by)
        largest = self._conn.execute("SELECT max(pk) FROM orders").fetchone()[0] or 0
        return list(compress(ids, map(_mask_of(hits, largest).__getitem__, keys)))

    def _ordered(self, where: str, params: list[Any], order_by: str) -> list[str]:
        """Ids of a view in display order; the last answer is kept until anyone writes."""
        key = (where, tuple(params), order_by, self.data_version())
        cached = self._ordered_cache
        if cached is not None and cached[0] == key:
            return cached[1]
        ids = self._joined("id", where, params, order_by)
        self._ordered_cache = (key, ids, None)
        return ids

    def _ordered_keys(self, where: str, params: list[Any], order_by: str) -> tuple[list[int], list[str]]:
        """(row keys, ids) of a view in display order, for picking search matches out of it.

        The keys are fetched on the first search only, so plain listing stays one column;
        then ids and keys are read in one snapshot so they always line up.
        """
        key = (where, tuple(params), order_by, self.data_version())
        cached = self._ordered_cache
        if cached is not None and cached[0] == key and cached[2] is not None:
            return cached[2], cached[1]
        own = not self._conn.in_transaction
        if own:
            self._conn.execute("BEGIN")
        try:
            ids = self._joined("id", where, params, order_by)
            row = self._conn.execute(
                f"SELECT json_group_array(pk) FROM (SELECT pk FROM orders WHERE {where}"
                f" ORDER BY {order_by})", params).fetchone()
            keys: list[int] = json.loads(row[0])
        finally:
            if own:
                self._conn.execute("COMMIT")
        self._ordered_cache = (key, ids, keys)
        return keys, ids

    def _joined(self, column: str, where: str, params: list[Any], order_by: str) -> list[str]:
        """One column of a view in order, joined by SQLite and split in C (3x faster than a row
        object per order)."""
        row = self._conn.execute(
            f"SELECT group_concat({column}, char(31)) FROM (SELECT {column} FROM orders WHERE {where}"
            f" ORDER BY {order_by})", params).fetchone()
        return _split(row[0])

    def _search_hits(self, query: str) -> list[int]:
        """Row keys of the orders matching an FTS5 query; [] if the index refuses it.

        As one JSON array: SQLite writes it and ``json.loads`` reads it into ints in C,
        quicker than joined text split and converted, or a row object per match.
        """
        rows = self._safe_fetch(
            "SELECT json_group_array(rowid) FROM orders_fts WHERE orders_fts MATCH ?", [query])
        hits: list[int] = json.loads(rows[0][0]) if rows else []
        return hits

    def count_orders(self, view: str = "all", status: str | None = None, search: str | None = None) -> int:
        where, params = self._order_where(view, status)
        query = match_query(search)
        if query is not None:
            where += " AND pk IN (SELECT rowid FROM orders_fts WHERE orders_fts MATCH ?)"
            params = [*params, query]
        rows = self._safe_fetch(f"SELECT count(*) FROM orders WHERE {where}", params)
        return int(rows[0][0]) if rows else 0

    def _safe_fetch(self, sql: str, params: Sequence[Any]) -> list[Any]:
        """Run a query built from user input; a search the index refuses shows nothing."""
        try:
            return self._conn.execute(sql, params).fetchall()
        except sqlite3.OperationalError as exc:
            if "fts5" in str(exc).lower() or "match" in str(exc).lower():
                log.warning("search refused by the index: %s", exc)
                return []
            raise

    def order_status_counts(self) -> list[tuple[str, int]]:
        """Every status present in the cache (unknown ones too) with its order count."""
        rows = self._conn.execute(
            "SELECT coalesce(status, ''), count(*) FROM orders GROUP BY 1 ORDER BY 1")
        return [(r[0], int(r[1])) for r in rows]

    def order_rows(self, ids: Sequence[str]) -> list[OrderRow]:
        """Rows for ``ids`` in the same order (ids no longer cached are left out)."""
        found: dict[str, OrderRow] = {}
        for start in range(0, len(ids), _BLOCK):
            block = json.dumps(list(ids[start:start + _BLOCK]))
            for r in self._conn.execute(
                    _ORDER_ROW_SQL + " WHERE id IN (SELECT value FROM json_each(?))", (block,)):
                found[r[0]] = _order_row(r)
        return _in_order(ids, found)

    def order_detail(self, order_id: str) -> OrderDetail | None:
        row = self._conn.execute(
            _ORDER_ROW_SQL.replace(" FROM orders", ", billing_json, shipping_json, subtotal_price,"
                                   " shipping_price, tax_price, vat_number, note, paid_at, delivered_at,"
                                   " cancelled_at, estimated_delivery_at, complete FROM orders")
            + " WHERE id = ?", (order_id,)).fetchone()
        if row is None:
            return None
        lines = self._order_lines(order_id)
        return OrderDetail(
            order=_order_row(row), billing_address=_address(row[19]), shipping_address=_address(row[20]),
            subtotal_price=dec(row[21]), shipping_price=dec(row[22]), tax_price=dec(row[23]),
            total_price=dec(row[14]), vat_number=row[24], note=row[25], paid_at=row[26],
            delivered_at=row[27], cancelled_at=row[28], estimated_delivery_at=row[29],
            lines=tuple(lines), shipments=tuple(self._shipments(order_id, lines)),
            invoices=tuple(self._invoice_refs(order_id)), complete=bool(row[30]))

    def _order_lines(self, order_id: str) -> list[OrderLine]:
        rows = self._conn.execute(
            "SELECT id, position, title, variant_title, brand, sku, ean, case_quantity, quantity,"
            " unshipped_quantity, unit_price, subtotal_price, tax_price, total_price"
            " FROM order_products WHERE order_id = ? ORDER BY position, id", (order_id,))
        return [OrderLine(r[0], int(r[1] or 0), r[2] or "", r[3], r[4], r[5], r[6], r[7],
                          int(r[8] or 0), int(r[9] or 0), dec(r[10]), dec(r[11]), dec(r[12]),
                          dec(r[13])) for r in rows]

    def _shipments(self, order_id: str, lines: list[OrderLine]) -> list[ShipmentRow]:
        by_line = {line.id: line for line in lines}
        items: dict[str, list[ShipmentItem]] = {}
        for r in self._conn.execute(
                "SELECT i.shipment_id, i.id, i.order_product_id, i.quantity FROM shipment_items AS i"
                " JOIN shipments AS s ON s.id = i.shipment_id WHERE s.order_id = ?"
                " ORDER BY i.shipment_id, i.position", (order_id,)):
            line = by_line.get(r[2])
            items.setdefault(r[0], []).append(ShipmentItem(
                r[1], r[2], int(r[3] or 0), line.title if line else None,
                line.variant_title if line else None, line.sku if line else None))
        rows = self._conn.execute(
            "SELECT id, status, is_tracked, tracking_number, tracking_url, carrier, delivery_timeframe,"
            " shipped_at, created_at FROM shipments WHERE order_id = ? ORDER BY position, created_at",
            (order_id,))
        return [ShipmentRow(r[0], r[1], None if r[2] is None else bool(r[2]), r[3], r[4], r[5], r[6],
                            r[7], r[8], tuple(items.get(r[0], ()))) for r in rows]

    def _invoice_refs(self, order_id: str) -> list[InvoiceRef]:
        rows = self._conn.execute(
            "SELECT id, number, type, status, total_price FROM invoices WHERE order_id = ?"
            " ORDER BY created_at, pk", (order_id,))
        return [InvoiceRef(r[0], r[1], r[2], r[3], dec(r[4])) for r in rows]

    # ------------------------------------------------------------------ catalogue
    def products(self, search: str | None = None, sort: str = "title",
                 descending: bool = False) -> list[ProductRow]:
        """Products with variant count, stock and price range (search: title, brand, SKU, EAN)."""
        if sort not in PRODUCT_SORTS:
            raise ValueError(f"unknown product sort {sort!r}")
        direction = "DESC" if descending else "ASC"
        where, params = "1", []
        if search and search.strip():
            pattern = _like(search.strip())
            where = ("(title LIKE ?1 ESCAPE '\\' OR brand LIKE ?1 ESCAPE '\\' OR id IN"
                     " (SELECT product_id FROM variants WHERE sku LIKE ?1 ESCAPE '\\'"
                     "  OR ean LIKE ?1 ESCAPE '\\' OR title LIKE ?1 ESCAPE '\\'))")
            params = [pattern]
        stats = self._variant_stats()
        rows = self._conn.execute(
            "SELECT id, title, brand, category_path, image_url, created_at, updated_at FROM products"
            f" WHERE {where} ORDER BY {PRODUCT_SORTS[sort]} {direction}, pk {direction}", params)
        result = []
        for r in rows:
            count, stock, low, high = stats.get(r[0], (0, 0, None, None))
            result.append(ProductRow(r[0], r[1] or "", r[2], r[3], r[4], count, stock, low, high,
                                     r[5], r[6]))
        return result

    def _variant_stats(self) -> dict[str, tuple[int, int, Decimal | None, Decimal | None]]:
        stats: dict[str, tuple[int, int, Decimal | None, Decimal | None]] = {}
        for product_id, quantity, raw_price in self._conn.execute(
                "SELECT product_id, inventory_quantity, price FROM variants"):
            count, stock, low, high = stats.get(product_id, (0, 0, None, None))
            price = dec(raw_price)
            if price is not None:
                low = price if low is None else min(low, price)
                high = price if high is None else max(high, price)
            stats[product_id] = (count + 1, stock + int(quantity or 0), low, high)
        return stats

    def product_variants(self, product_id: str) -> list[VariantRow]:
        rows = self._conn.execute(_VARIANT_SQL + " WHERE v.product_id = ? ORDER BY v.position, v.pk",
                                  (product_id,))
        return [_variant_row(r) for r in rows]

    def find_variants(self, code: str) -> list[VariantRow]:
        """Variants whose SKU or EAN is exactly ``code`` (scanning, stock updates)."""
        rows = self._conn.execute(_VARIANT_SQL + " WHERE v.sku = ?1 OR v.ean = ?1 ORDER BY v.pk",
                                  (code.strip(),))
        return [_variant_row(r) for r in rows]

    def locations(self) -> list[LocationRow]:
        rows = self._conn.execute(
            "SELECT id, name, is_primary, is_fulfilment_centre, address_json FROM locations"
            " ORDER BY position, name")
        return [LocationRow(r[0], r[1] or "", bool(r[2]), bool(r[3]), _address(r[4])) for r in rows]

    def inventory_matrix(self, search: str | None = None) -> InventoryMatrix:
        """Every variant with its stock per location, one column per location."""
        locations = tuple(self.locations())
        column = {loc.id: index for index, loc in enumerate(locations)}
        levels: dict[str, list[int | None]] = {}
        for variant_id, location_id, quantity in self._conn.execute(
                "SELECT variant_id, location_id, quantity FROM inventory_levels"):
            if location_id in column:
                levels.setdefault(variant_id, [None] * len(locations))[column[location_id]] = quantity
        where, params = "1", []
        if search and search.strip():
            where = ("(v.sku LIKE ?1 ESCAPE '\\' OR v.ean LIKE ?1 ESCAPE '\\'"
                     " OR v.title LIKE ?1 ESCAPE '\\' OR p.title LIKE ?1 ESCAPE '\\')")
            params = [_like(search.strip())]
        rows = []
        for r in self._conn.execute(
                "SELECT v.id, v.product_id, p.title, v.title, v.sku, v.ean, v.inventory_quantity,"
                " v.inventory_policy FROM variants AS v LEFT JOIN products AS p ON p.id = v.product_id"
                f" WHERE {where} ORDER BY p.title COLLATE NOCASE, p.pk, v.position, v.pk", params):
            quantities = tuple(levels.get(r[0], [None] * len(locations)))
            rows.append(InventoryRow(r[0], r[1], r[2], r[3], r[4], r[5], quantities,
                                     sum(q for q in quantities if q is not None), int(r[6] or 0), r[7]))
        return InventoryMatrix(locations, tuple(rows))

    # ------------------------------------------------------------------ invoices
    def invoice_ids(self, search: str | None = None, type: str | None = None,
                    status: str | None = None, sort: str = "created_at",
                    descending: bool = True) -> list[str]:
        if sort not in INVOICE_SORTS:
            raise ValueError(f"unknown invoice sort {sort!r}")
        clauses, params = ["1"], []
        if search and search.strip():
            clauses.append("(number LIKE ?1 ESCAPE '\\' OR order_number LIKE ?1 ESCAPE '\\'"
                           " OR receiver_json LIKE ?1 ESCAPE '\\')")
            params.append(_like(search.strip()))
        for column, value in (("type", type), ("status", status)):
            if value:
                params.append(value)
                clauses.append(f"{column} = ?{len(params)}")
        direction = "DESC" if descending else "ASC"
        rows = self._conn.execute(
            f"SELECT id FROM invoices WHERE {' AND '.join(clauses)}"
            f" ORDER BY {INVOICE_SORTS[sort]} {direction}, id {direction}", params)
        return [r[0] for r in rows]

    def invoice_rows(self, ids: Sequence[str]) -> list[InvoiceRow]:
        found: dict[str, InvoiceRow] = {}
        for start in range(0, len(ids), _BLOCK):
            block = json.dumps(list(ids[start:start + _BLOCK]))
            for r in self._conn.execute(
                    _INVOICE_ROW_SQL + " WHERE id IN (SELECT value FROM json_each(?))", (block,)):
                found[r[0]] = _invoice_row(r)
        return _in_order(ids, found)

    def invoice_detail(self, invoice_id: str) -> InvoiceDetail | None:
        row = self._conn.execute(
            _INVOICE_ROW_SQL.replace(" FROM invoices", ", is_tax_shifted, tax_country, issuer_json,"
                                     " updated_at, items_complete FROM invoices") + " WHERE id = ?",
            (invoice_id,)).fetchone()
        if row is None:
            return None
        items = [InvoiceItemRow(r[0], int(r[1] or 0), r[2] or "", r[3], r[4], r[5], int(r[6] or 0),
                                r[7], dec(r[8]), dec(r[9]), dec(r[10]), dec(r[11]), dec(r[12]))
                 for r in self._conn.execute(
                     "SELECT id, position, title, type, sku, case_quantity, quantity, currency,"
                     " unit_price, subtotal_price, tax_price, tax_rate, total_price FROM invoice_items"
                     " WHERE invoice_id = ? ORDER BY position, id", (invoice_id,))]
        return InvoiceDetail(_invoice_row(row), bool(row[14]), row[15], _address(row[16]),
                             _address(row[12]), tuple(items), row[17], bool(row[18]))

    # ------------------------------------------------------------------ account and sync
    def account(self) -> AccountRow | None:
        r = self._conn.execute(
            "SELECT id, name, email, currency, address_json, synced_at FROM account").fetchone()
        return None if r is None else AccountRow(r[0], r[1], r[2], r[3], _address(r[4]), r[5])

    def last_synced_at(self) -> str | None:
        """When the last sync run finished successfully (ISO UTC), or None if never."""
        row = self._conn.execute("SELECT value FROM meta WHERE key = 'last_synced_at'").fetchone()
        return None if row is None else str(row[0])

    def sync_state(self, entity: str) -> SyncState:
        r = self._conn.execute(
            "SELECT entity, cursor, watermark, completed, run, done, total, started_at, finished_at,"
            " last_full_at, last_incremental_at FROM sync_state WHERE entity = ?", (entity,)).fetchone()
        if r is None:
            return SyncState(entity, None, None, False, 0, 0, None, None, None, None, None)
        return SyncState(r[0], r[1], r[2], bool(r[3]), int(r[4]), int(r[5]), r[6], r[7], r[8], r[9], r[10])

    def open_order_ids(self) -> list[str]:
        """Orders that can still change (not COMPLETED or CANCELLED), oldest first."""
        rows = self._conn.execute(
            "SELECT id FROM orders WHERE coalesce(status, '') NOT IN ('COMPLETED', 'CANCELLED')"
            " AND coalesce(is_cancelled, 0) = 0 ORDER BY created_at, pk")
        return [r[0] for r in rows]

    def newest(self, entity: str, column: str) -> str | None:
        """The latest ``created_at`` or ``updated_at`` cached for orders, products or invoices."""
        if entity not in ("orders", "products", "invoices") or column not in ("created_at", "updated_at"):
            raise ValueError(f"no such timestamp: {entity}.{column}")
        row = self._conn.execute(f"SELECT max({column}) FROM {entity}").fetchone()
        return None if row is None or row[0] is None else str(row[0])

    def counts(self) -> dict[str, int]:
        """How many rows of each kind are cached (status bar, diagnostics)."""
        tables = ("orders", "order_products", "shipments", "shipment_items", "products", "variants",
                  "inventory_levels", "locations", "invoices", "invoice_items")
        return {t: int(self._conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]) for t in tables}
