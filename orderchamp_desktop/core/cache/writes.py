"""The write half of the Store: API nodes in, rows out, one transaction per call.

Nodes are written as the API sent them, with three rules that keep bad data from costing
good data: a field missing from a node leaves the cached value alone (so a partial re-read
never blanks a column), a field that cannot be read is stored as NULL with a log line, and
a node without an id is skipped with a log line while the rest of the page is kept.
Nested connections (an order's lines and shipments, a product's variants) replace the
cached children when present; pages after the first are appended with ``append_*``.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from orderchamp_desktop.core.cache import values as v
from orderchamp_desktop.core.cache.base import StoreBase
from orderchamp_desktop.core.cache.mapping import (
    COMPLETE_FLAGS,
    INVOICE_FIELDS,
    INVOICE_ITEM_FIELDS,
    LINE_FIELDS,
    LINE_QUANTITY,
    LINE_UNSHIPPED,
    ORDER_FIELDS,
    PRODUCT_FIELDS,
    SHIPMENT_FIELDS,
    STATE_KEYS,
    SWEEP_TABLES,
    VARIANT_FIELDS,
    Grouped,
    Node,
    address_summary,
    executemany_rows,
    full_row,
    insert_children,
    nested_text,
    node_id,
    now_iso,
    order_state,
    partial,
    replace_sql,
    upsert_sql,
)
from orderchamp_desktop.core.cache.schema import ORDER_STATE_SQL
from orderchamp_desktop.core.cache.values import has_next_page, nodes_of

log = logging.getLogger(__name__)

SEARCH_INDEX_KEY = "search_index"


class _OrderChildren:
    """Lines, shipments and shipment items of a batch of orders, written after the orders."""

    def __init__(self) -> None:
        self.lines: list[tuple[Any, ...]] = []
        self.shipments: list[tuple[Any, ...]] = []
        self.items: list[tuple[Any, ...]] = []
        self.replace_lines: list[tuple[str]] = []
        self.replace_shipments: list[tuple[str]] = []

    def write(self, conn: sqlite3.Connection, new: set[str]) -> None:
        """Replace the children of the orders (orders that were ``new`` have none to delete)."""
        conn.executemany("DELETE FROM order_products WHERE order_id = ?",
                         [key for key in self.replace_lines if key[0] not in new])
        conn.executemany("DELETE FROM shipments WHERE order_id = ?",
                         [key for key in self.replace_shipments if key[0] not in new])
        StoreWrites._insert_order_children(conn, self.lines, self.shipments, self.items)


class StoreWrites(StoreBase):
    """Write API used by sync and by actions (write-through after a mutation)."""

    # ------------------------------------------------------------------ account
    def upsert_account(self, node: Node) -> None:
        """The account and, when its locations list is complete, exactly those locations."""
        locations = node.get("locations")
        with self.transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO account (key, id, name, email, currency, address_json, synced_at)"
                " VALUES (1, ?, ?, ?, ?, ?, ?)",
                (v.text(node.get("id")), v.text(node.get("name")), v.text(node.get("email")),
                 v.text(node.get("currency")), v.json_text(node.get("address")), now_iso()))
            if isinstance(locations, Mapping):
                written = self.upsert_locations(nodes_of(locations))
                if not has_next_page(locations):
                    conn.execute("DELETE FROM locations WHERE id NOT IN (SELECT value FROM json_each(?))",
                                 (json.dumps(written),))

    def upsert_locations(self, nodes: Iterable[Node]) -> list[str]:
        rows = []
        for position, node in enumerate(nodes):
            ident = node_id(node, "location")
            if ident is not None:
                rows.append((ident, v.text(node.get("name")), v.flag(node.get("isPrimary")),
                             v.flag(node.get("isOrderchampFulfilmentCentre")),
                             v.json_text(node.get("address")), position))
        with self.transaction() as conn:
            executemany_rows(conn, replace_sql("locations", (
                "id", "name", "is_primary", "is_fulfilment_centre", "address_json", "position")), rows)
        return [row[0] for row in rows]

    # ------------------------------------------------------------------ orders
    def apply_order(self, node: Node) -> None:
        """Write one full or partial order (e.g. re-read after a shipment)."""
        self.apply_orders([node])

    def apply_orders(self, nodes: Iterable[Node], *, run: int | None = None) -> list[str]:
        """Upsert orders with their nested lines and shipments; returns the ids written.

        Orders whose nested lines or shipments have more pages are stored with
        ``complete = 0``; :meth:`incomplete` lists them for follow-up fetches.
        Derived columns (view flags, unit counts) are computed here so each row is written
        once: rewriting them afterwards would touch every sort index again.
        """
        orders = Grouped("orders", upsert_sql)
        children = _OrderChildren()
        written: list[str] = []
        stale: list[str] = []
        stamp = now_iso()
        for node in nodes:
            ident = node_id(node, "order")
            if ident is None:
                continue
            columns, values = self._order_columns(ident, node, run, stamp)
            if "state" not in columns:
                stale.append(ident)
            self._order_children(ident, node, columns, values, children)
            orders.add(columns, values)
            written.append(ident)
        with self.transaction() as conn:
            new = set(written) - self._existing(conn, "orders", written)
            orders.flush(conn)
            children.write(conn, new)
            if stale:
                self._refresh_state(conn, stale)
            self._refresh_search(conn, written)
        return written

    def _order_children(self, ident: str, node: Node, columns: list[str], values: list[Any],
                        children: _OrderChildren) -> None:
        """Collect lines and shipments; add unit counts and the completeness flag to the row."""
        complete = True
        if "products" in node:
            children.replace_lines.append((ident,))
            start = len(children.lines)
            complete &= self._collect_lines(ident, node["products"], 0, children.lines)
            added = children.lines[start:]
            columns.extend(("units", "unshipped_units"))
            values.extend((sum(row[LINE_QUANTITY] or 0 for row in added),
                           sum(row[LINE_UNSHIPPED] or 0 for row in added)))
        if "shipments" in node:
            children.replace_shipments.append((ident,))
            complete &= self._collect_shipments(ident, node["shipments"], 0, children.shipments,
                                                children.items)
        if "products" in node or "shipments" in node:
            columns.append("complete")
            values.append(1 if complete else 0)

    @staticmethod
    def _existing(conn: sqlite3.Connection, table: str, ids: list[str]) -> set[str]:
        """Which of ``ids`` are cached already (one query instead of a DELETE per row)."""
        rows = conn.execute(f"SELECT id FROM {table} WHERE id IN (SELECT value FROM json_each(?))",
                            (json.dumps(ids),))
        return {r[0] for r in rows}

    @staticmethod
    def _order_columns(ident: str, node: Node, run: int | None, stamp: str) -> tuple[list[str], list[Any]]:
        columns, values = partial(node, ORDER_FIELDS)
        columns[:0] = ["id", "synced_at"]
        values[:0] = [ident, stamp]
        if "totalPrice" in node:
            columns.append("total_sort")
            values.append(v.money_sort_key(values[columns.index("total_price")]))
        if "shippingAddress" in node or "billingAddress" in node:
            retailer, city, country = address_summary(node)
            columns.extend(("retailer", "city", "country", "retailer_key", "city_key"))
            values.extend((retailer, city, country, v.sort_key(retailer), v.sort_key(city)))
        if all(key in node for key in STATE_KEYS):
            columns.append("state")
            values.append(order_state(node))
        if run is not None:
            columns.append("seen_run")
            values.append(run)
        return columns, values

    @staticmethod
    def _refresh_state(conn: sqlite3.Connection, order_ids: list[str]) -> None:
        """View flags of partially updated orders, from their merged columns."""
        conn.execute(f"UPDATE orders SET state = {ORDER_STATE_SQL}"
                     " WHERE id IN (SELECT value FROM json_each(?))", (json.dumps(order_ids),))

    @staticmethod
    def _collect_lines(order_id: str, connection: Any, offset: int, out: list[tuple[Any, ...]]) -> bool:
        for position, line in enumerate(nodes_of(connection), start=offset):
            ident = node_id(line, "order line")
            if ident is not None:
                out.append((ident, order_id, position, *full_row(line, LINE_FIELDS)))
        return not has_next_page(connection)

    @staticmethod
    def _collect_shipments(order_id: str, connection: Any, offset: int, out: list[tuple[Any, ...]],
                           items: list[tuple[Any, ...]]) -> bool:
        complete = not has_next_page(connection)
        for position, shipment in enumerate(nodes_of(connection), start=offset):
            ident = node_id(shipment, "shipment")
            if ident is None:
                continue
            out.append((ident, order_id, position, *full_row(shipment, SHIPMENT_FIELDS)))
            complete &= StoreWrites._collect_items(ident, shipment.get("products"), 0, items)
        return complete

    @staticmethod
    def _collect_items(shipment_id: str, connection: Any, offset: int, out: list[tuple[Any, ...]]) -> bool:
        for position, item in enumerate(nodes_of(connection), start=offset):
            ident = node_id(item, "shipment item")
            if ident is not None:
                line = item.get("orderProduct")
                line_id = v.text(line.get("id")) if isinstance(line, dict) else None
                out.append((ident, shipment_id, position, line_id, v.integer(item.get("quantity"))))
        return not has_next_page(connection)

    @staticmethod
    def _insert_order_children(conn: sqlite3.Connection, lines: list[tuple[Any, ...]],
                               shipments: list[tuple[Any, ...]], items: list[tuple[Any, ...]]) -> None:
        line_cols = ("id", "order_id", "position", *(f[1] for f in LINE_FIELDS))
        ship_cols = ("id", "order_id", "position", *(f[1] for f in SHIPMENT_FIELDS))
        item_cols = ("id", "shipment_id", "position", "order_product_id", "quantity")
        insert_children(conn, "order_products", line_cols, lines)
        insert_children(conn, "shipments", ship_cols, shipments)
        insert_children(conn, "shipment_items", item_cols, items)

    @staticmethod
    def _refresh_units(conn: sqlite3.Connection, order_ids: list[str]) -> None:
        conn.execute(
            "UPDATE orders SET"
            " units = (SELECT coalesce(sum(quantity), 0) FROM order_products WHERE order_id = orders.id),"
            " unshipped_units = (SELECT coalesce(sum(unshipped_quantity), 0) FROM order_products"
            "                    WHERE order_id = orders.id)"
            " WHERE id IN (SELECT value FROM json_each(?))", (json.dumps(order_ids),))

    def append_order_products(self, order_id: str, connection: Any, *, replace: bool = False) -> bool:
        """Write a page of an order's lines (``replace``: it is the first page); True when complete."""
        lines: list[tuple[Any, ...]] = []
        with self.transaction() as conn:
            if replace:
                conn.execute("DELETE FROM order_products WHERE order_id = ?", (order_id,))
            offset = self._next_position(conn, "order_products", "order_id", order_id)
            done = self._collect_lines(order_id, connection, offset, lines)
            self._insert_order_children(conn, lines, [], [])
            self._refresh_units(conn, [order_id])
            self._refresh_search(conn, [order_id])
        return done

    def append_shipments(self, order_id: str, connection: Any, *, replace: bool = False) -> bool:
        """Write a page of an order's shipments with their first page of items."""
        shipments: list[tuple[Any, ...]] = []
        items: list[tuple[Any, ...]] = []
        with self.transaction() as conn:
            if replace:
                conn.execute("DELETE FROM shipments WHERE order_id = ?", (order_id,))
            offset = self._next_position(conn, "shipments", "order_id", order_id)
            done = self._collect_shipments(order_id, connection, offset, shipments, items)
            self._insert_order_children(conn, [], shipments, items)
        return done

    def append_shipment_items(self, shipment_id: str, connection: Any, *, replace: bool = False) -> bool:
        items: list[tuple[Any, ...]] = []
        with self.transaction() as conn:
            if replace:
                conn.execute("DELETE FROM shipment_items WHERE shipment_id = ?", (shipment_id,))
            offset = self._next_position(conn, "shipment_items", "shipment_id", shipment_id)
            done = self._collect_items(shipment_id, connection, offset, items)
            self._insert_order_children(conn, [], [], items)
        return done

    @staticmethod
    def _next_position(conn: sqlite3.Connection, table: str, parent: str, parent_id: str) -> int:
        row = conn.execute(f"SELECT coalesce(max(position) + 1, 0) FROM {table} WHERE {parent} = ?",
                           (parent_id,)).fetchone()
        return int(row[0])

    # ------------------------------------------------------------------ search index
    def search_index_deferred(self) -> bool:
        row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (SEARCH_INDEX_KEY,)).fetchone()
        return bool(row and row[0] == "deferred")

    def defer_search_index(self) -> None:
        """Stop indexing page by page (bulk loads); :meth:`rebuild_search_index` catches up.

        FTS5 kept row by row indexes a few thousand rows a second; one rebuild at the end
        of a full sync indexes the whole table in a fraction of that time. The flag is
        stored, so a sync killed in between still gets its rebuild on the next run.
        """
        with self.transaction() as conn:
            conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, 'deferred')",
                         (SEARCH_INDEX_KEY,))

    def rebuild_search_index(self) -> None:
        with self.transaction() as conn:
            conn.execute("DELETE FROM orders_fts")
            conn.execute(_FTS_INSERT + ";")
            conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, 'ready')",
                         (SEARCH_INDEX_KEY,))

    def _refresh_search(self, conn: sqlite3.Connection, order_ids: list[str]) -> None:
        if not order_ids or self.search_index_deferred():
            return
        ids = json.dumps(order_ids)
        conn.execute("DELETE FROM orders_fts WHERE rowid IN"
                     " (SELECT pk FROM orders WHERE id IN (SELECT value FROM json_each(?)))", (ids,))
        conn.execute(_FTS_INSERT + " WHERE o.id IN (SELECT value FROM json_each(?))", (ids,))

    # ------------------------------------------------------------------ products
    def upsert_products(self, nodes: Iterable[Node], *, run: int | None = None) -> list[str]:
        """Upsert products with nested variants and their inventory levels."""
        products = Grouped("products", upsert_sql)
        variants = Grouped("variants", upsert_sql)
        levels: list[tuple[Any, ...]] = []
        replace: list[tuple[str]] = []
        written: list[str] = []
        for node in nodes:
            ident = node_id(node, "product")
            if ident is None:
                continue
            columns, values = partial(node, PRODUCT_FIELDS)
            columns[:0], values[:0] = ["id"], [ident]
            if "variants" in node:
                replace.append((ident,))
                complete = self._collect_variants(ident, node["variants"], 0, variants, levels, run)
                columns.append("variants_complete")
                values.append(int(complete))
            if run is not None:
                columns.append("seen_run")
                values.append(run)
            products.add(columns, values)
            written.append(ident)
        with self.transaction() as conn:
            products.flush(conn)
            conn.executemany("DELETE FROM variants WHERE product_id = ?", replace)
            variants.flush(conn)
            self._insert_levels(conn, levels)
        return written

    @staticmethod
    def _collect_variants(product_id: str, connection: Any, offset: int, out: Grouped,
                          levels: list[tuple[Any, ...]], run: int | None) -> bool:
        for position, node in enumerate(nodes_of(connection), start=offset):
            ident = node_id(node, "variant")
            if ident is None:
                continue
            columns, values = partial(node, VARIANT_FIELDS)
            columns[:0], values[:0] = ["id", "product_id", "position"], [ident, product_id, position]
            if "inventoryLevels" in node:
                complete = StoreWrites._collect_levels(ident, node["inventoryLevels"], levels)
                columns.append("levels_complete")
                values.append(int(complete))
            if run is not None:
                columns.append("seen_run")
                values.append(run)
            out.add(columns, values)
        return not has_next_page(connection)

    @staticmethod
    def _collect_levels(variant_id: str, connection: Any, out: list[tuple[Any, ...]]) -> bool:
        for level in nodes_of(connection):
            location = level.get("location")
            location_id = v.text(location.get("id")) if isinstance(location, Mapping) else None
            if location_id is None:
                log.warning("skipping an inventory level without a location: %.200r", level)
                continue
            out.append((variant_id, location_id, v.text(level.get("id")),
                        v.integer(level.get("quantity")), v.text(level.get("updatedAt"))))
        return not has_next_page(connection)

    @staticmethod
    def _insert_levels(conn: sqlite3.Connection, levels: list[tuple[Any, ...]]) -> None:
        executemany_rows(conn, replace_sql("inventory_levels", (
            "variant_id", "location_id", "id", "quantity", "updated_at")), levels)

    def append_variants(self, product_id: str, connection: Any, *, replace: bool = False,
                        run: int | None = None) -> bool:
        """Write a page of a product's variants (``replace``: first page); True when complete."""
        variants = Grouped("variants", upsert_sql)
        levels: list[tuple[Any, ...]] = []
        with self.transaction() as conn:
            if replace:
                conn.execute("DELETE FROM variants WHERE product_id = ?", (product_id,))
            offset = self._next_position(conn, "variants", "product_id", product_id)
            done = self._collect_variants(product_id, connection, offset, variants, levels, run)
            variants.flush(conn)
            self._insert_levels(conn, levels)
        return done

    def append_inventory_levels(self, variant_id: str, connection: Any, *, replace: bool = False) -> bool:
        levels: list[tuple[Any, ...]] = []
        with self.transaction() as conn:
            if replace:
                conn.execute("DELETE FROM inventory_levels WHERE variant_id = ?", (variant_id,))
            done = self._collect_levels(variant_id, connection, levels)
            self._insert_levels(conn, levels)
        return done

    def mark_complete(self, entity: str, ident: str, complete: bool = True) -> None:
        """Record that every nested page of an order/product/variant/invoice is cached."""
        table, column = COMPLETE_FLAGS[entity]
        with self.transaction() as conn:
            conn.execute(f"UPDATE {table} SET {column} = ? WHERE id = ?", (int(complete), ident))

    def update_variants(self, nodes: Iterable[Node]) -> None:
        """Write back variants returned by a mutation (only the fields present change)."""
        variants = Grouped("variants", upsert_sql)
        levels: list[tuple[Any, ...]] = []
        for node in nodes:
            ident = node_id(node, "variant")
            product = node.get("product") if isinstance(node, Mapping) else None
            product_id = v.text(product.get("id")) if isinstance(product, Mapping) else None
            if ident is None:
                continue
            columns, values = partial(node, VARIANT_FIELDS)
            columns[:0], values[:0] = ["id"], [ident]
            if product_id is not None:
                columns.append("product_id")
                values.append(product_id)
            if "inventoryLevels" in node:
                self._collect_levels(ident, node["inventoryLevels"], levels)
            variants.add(columns, values)
        with self.transaction() as conn:
            self._update_existing(conn, variants)
            self._insert_levels(conn, levels)

    @staticmethod
    def _update_existing(conn: sqlite3.Connection, grouped: Grouped) -> None:
        """UPDATE rows that exist (a variant of an unknown product waits for the next sync)."""
        for columns, rows in grouped.groups.items():
            sets = ", ".join(f"{c} = ?" for c in columns[1:])
            if sets:
                executemany_rows(conn, f"UPDATE {grouped.table} SET {sets} WHERE id = ?",
                             [(*row[1:], row[0]) for row in rows])

    def upsert_inventory_levels(self, nodes: Iterable[Node]) -> None:
        """Write back levels from inventoryLevelBulkAdjust (with productVariant and location)."""
        levels: list[tuple[Any, ...]] = []
        quantities: list[tuple[Any, ...]] = []
        for node in nodes:
            variant = node.get("productVariant") if isinstance(node, Mapping) else None
            if not isinstance(variant, Mapping) or not isinstance(variant.get("id"), str):
                log.warning("skipping an inventory level without a variant: %.200r", node)
                continue
            self._collect_levels(variant["id"], {"nodes": [node]}, levels)
            if "inventoryQuantity" in variant:
                quantities.append((v.integer(variant["inventoryQuantity"]), variant["id"]))
        with self.transaction() as conn:
            known = {r[0] for r in conn.execute(
                "SELECT id FROM variants WHERE id IN (SELECT value FROM json_each(?))",
                (json.dumps([row[0] for row in levels]),))}
            self._insert_levels(conn, [row for row in levels if row[0] in known])
            executemany_rows(conn, "UPDATE variants SET inventory_quantity = ? WHERE id = ?", quantities)

    # ------------------------------------------------------------------ invoices
    def upsert_invoices(self, nodes: Iterable[Node], *, run: int | None = None) -> list[str]:
        invoices = Grouped("invoices", upsert_sql)
        items: list[tuple[Any, ...]] = []
        replace: list[tuple[str]] = []
        written: list[str] = []
        for node in nodes:
            ident = node_id(node, "invoice")
            if ident is None:
                continue
            columns, values = self._invoice_columns(ident, node, run)
            if "items" in node:
                replace.append((ident,))
                complete = self._collect_invoice_items(ident, node["items"], 0, items)
                columns.append("items_complete")
                values.append(int(complete))
            invoices.add(columns, values)
            written.append(ident)
        with self.transaction() as conn:
            invoices.flush(conn)
            conn.executemany("DELETE FROM invoice_items WHERE invoice_id = ?", replace)
            self._insert_invoice_items(conn, items)
        return written

    @staticmethod
    def _invoice_columns(ident: str, node: Node, run: int | None) -> tuple[list[str], list[Any]]:
        columns, values = partial(node, INVOICE_FIELDS)
        columns[:0], values[:0] = ["id"], [ident]
        if "totalPrice" in node:
            columns.append("total_sort")
            values.append(v.money_sort_key(values[columns.index("total_price")]))
        if "order" in node:
            columns.append("order_number")
            values.append(nested_text("number")(node["order"]))
        if run is not None:
            columns.append("seen_run")
            values.append(run)
        return columns, values

    @staticmethod
    def _collect_invoice_items(invoice_id: str, connection: Any, offset: int,
                               out: list[tuple[Any, ...]]) -> bool:
        for position, item in enumerate(nodes_of(connection), start=offset):
            ident = node_id(item, "invoice item")
            if ident is not None:
                out.append((ident, invoice_id, position, *full_row(item, INVOICE_ITEM_FIELDS)))
        return not has_next_page(connection)

    @staticmethod
    def _insert_invoice_items(conn: sqlite3.Connection, items: list[tuple[Any, ...]]) -> None:
        columns = ("id", "invoice_id", "position", *(f[1] for f in INVOICE_ITEM_FIELDS))
        insert_children(conn, "invoice_items", columns, items)

    def append_invoice_items(self, invoice_id: str, connection: Any, *, replace: bool = False) -> bool:
        items: list[tuple[Any, ...]] = []
        with self.transaction() as conn:
            if replace:
                conn.execute("DELETE FROM invoice_items WHERE invoice_id = ?", (invoice_id,))
            offset = self._next_position(conn, "invoice_items", "invoice_id", invoice_id)
            done = self._collect_invoice_items(invoice_id, connection, offset, items)
            self._insert_invoice_items(conn, items)
        return done

    def incomplete(self, entity: str, among: Sequence[str] | None = None) -> list[str]:
        """Ids whose nested pages are not all cached (orders, products, variants, invoices).

        ``among`` limits the answer to those ids (the page just written).
        """
        table, column = COMPLETE_FLAGS[entity]
        sql = f"SELECT id FROM {table} WHERE {column} = 0"
        if among is None:
            return [r[0] for r in self._conn.execute(sql + " ORDER BY pk")]
        rows = self._conn.execute(sql + " AND id IN (SELECT value FROM json_each(?)) ORDER BY pk",
                                  (json.dumps(list(among)),))
        return [r[0] for r in rows]

    # ------------------------------------------------------------------ sync state
    def mark_synced(self, at: str | None = None) -> None:
        """Record that a sync run finished (shown as "last synced" in the window)."""
        with self.transaction() as conn:
            conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('last_synced_at', ?)",
                         (at or now_iso(),))

    def sweep_unseen(self, entity: str, run: int) -> int:
        """After a completed full sync: drop rows the server no longer has.

        Rows written by actions between syncs carry no run number and are kept.
        """
        table = SWEEP_TABLES[entity]
        with self.transaction() as conn:
            if entity == "orders" and not self.search_index_deferred():
                conn.execute("DELETE FROM orders_fts WHERE rowid IN"
                             " (SELECT pk FROM orders WHERE seen_run < ?)", (run,))
            cursor = conn.execute(f"DELETE FROM {table} WHERE seen_run < ?", (run,))
            return cursor.rowcount

    def save_sync_state(self, entity: str, **changes: Any) -> None:
        """Update some columns of an entity's sync state (inside the caller's transaction)."""
        allowed = {"cursor", "watermark", "completed", "run", "done", "total", "started_at",
                   "finished_at", "last_full_at", "last_incremental_at"}
        unknown = set(changes) - allowed
        if unknown:
            raise ValueError(f"unknown sync state fields: {sorted(unknown)}")
        columns = ("entity", *changes)
        with self.transaction() as conn:
            conn.execute(upsert_sql("sync_state", columns, "entity"), (entity, *changes.values()))


_FTS_INSERT = (
    "INSERT INTO orders_fts (rowid, number, reference, retailer, city, skus, titles)"
    " SELECT o.pk, oc_terms(o.number), oc_terms(o.reference), o.retailer, o.city,"
    " (SELECT group_concat(sku, ' ') FROM order_products WHERE order_id = o.id),"
    " (SELECT group_concat(coalesce(title, '') || ' ' || coalesce(variant_title, ''), ' ')"
    "  FROM order_products WHERE order_id = o.id)"
    " FROM orders AS o"
)
