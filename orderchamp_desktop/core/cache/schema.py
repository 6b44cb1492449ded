"""The cache schema as an append-only list of migration steps (``PRAGMA user_version``).

Step N moves a database from version N-1 to N. Never edit a released step: add a new one,
and save a database file of the old version under tests/ so the upgrade path stays tested
(tests/unit/test_cache_v1.db is a version-1 file).
"""

from __future__ import annotations

import sqlite3

# Version 1: the tables the first release shipped.
_V1 = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;

CREATE TABLE account (
    key INTEGER PRIMARY KEY CHECK (key = 1),
    id TEXT, name TEXT, email TEXT, currency TEXT, address_json TEXT, synced_at TEXT
);

CREATE TABLE locations (
    id TEXT PRIMARY KEY, name TEXT, is_primary INTEGER, is_fulfilment_centre INTEGER,
    address_json TEXT, position INTEGER, seen_run INTEGER
);

CREATE TABLE products (
    pk INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    external_id TEXT, brand TEXT, title TEXT, description TEXT,
    option1 TEXT, option2 TEXT, option3 TEXT, category_path TEXT, image_url TEXT,
    created_at TEXT, updated_at TEXT, variants_complete INTEGER NOT NULL DEFAULT 1,
    seen_run INTEGER
);
CREATE INDEX products_title ON products (title COLLATE NOCASE);
CREATE INDEX products_incomplete ON products (variants_complete) WHERE variants_complete = 0;

CREATE TABLE variants (
    pk INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    product_id TEXT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    position INTEGER, external_id TEXT, title TEXT,
    option1 TEXT, option2 TEXT, option3 TEXT, sku TEXT, ean TEXT,
    color TEXT, size TEXT, option TEXT, case_quantity INTEGER,
    price TEXT, msrp TEXT, inventory_quantity INTEGER, inventory_policy TEXT,
    weight TEXT, length TEXT, width TEXT, height TEXT, diameter TEXT, volume TEXT,
    hs_code TEXT, lead_time TEXT, made_in TEXT, available_at TEXT, tags_json TEXT,
    created_at TEXT, updated_at TEXT, levels_complete INTEGER NOT NULL DEFAULT 1, seen_run INTEGER
);
CREATE INDEX variants_product ON variants (product_id, position);
CREATE INDEX variants_sku ON variants (sku);
CREATE INDEX variants_incomplete ON variants (levels_complete) WHERE levels_complete = 0;

CREATE TABLE inventory_levels (
    variant_id TEXT NOT NULL REFERENCES variants (id) ON DELETE CASCADE,
    location_id TEXT NOT NULL,
    id TEXT, quantity INTEGER, updated_at TEXT,
    PRIMARY KEY (variant_id, location_id)
) WITHOUT ROWID;

CREATE TABLE orders (
    pk INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    number TEXT, reference TEXT, status TEXT,
    is_paid INTEGER, is_confirmed INTEGER, is_cancelled INTEGER, is_fulfilled INTEGER,
    paid_at TEXT, confirmed_at TEXT, delivered_at TEXT, cancelled_at TEXT,
    estimated_delivery_at TEXT, created_at TEXT, updated_at TEXT,
    currency TEXT, subtotal_price TEXT, shipping_price TEXT, tax_price TEXT, total_price TEXT,
    total_sort INTEGER,
    products_count INTEGER, units INTEGER, unshipped_units INTEGER,
    vat_number TEXT, note TEXT,
    retailer TEXT, city TEXT, country TEXT, retailer_key TEXT, city_key TEXT,
    billing_json TEXT, shipping_json TEXT,
    complete INTEGER NOT NULL DEFAULT 1,
    seen_run INTEGER, synced_at TEXT
);
CREATE INDEX orders_created ON orders (created_at);
CREATE INDEX orders_incomplete ON orders (complete) WHERE complete = 0;

CREATE TABLE order_products (
    id TEXT PRIMARY KEY,
    order_id TEXT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    position INTEGER, brand TEXT, title TEXT, variant_title TEXT, sku TEXT, ean TEXT,
    case_quantity INTEGER, quantity INTEGER, unshipped_quantity INTEGER,
    unit_price TEXT, subtotal_price TEXT, tax_price TEXT, total_price TEXT
);
CREATE INDEX order_products_order ON order_products (order_id, position);
CREATE INDEX order_products_sku ON order_products (sku);

CREATE TABLE shipments (
    id TEXT PRIMARY KEY,
    order_id TEXT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    position INTEGER, status TEXT, is_tracked INTEGER, tracking_number TEXT,
    tracking_url TEXT, carrier TEXT, delivery_timeframe TEXT, shipped_at TEXT,
    created_at TEXT, updated_at TEXT
);
CREATE INDEX shipments_order ON shipments (order_id, position);

CREATE TABLE shipment_items (
    id TEXT PRIMARY KEY,
    shipment_id TEXT NOT NULL REFERENCES shipments (id) ON DELETE CASCADE,
    position INTEGER, order_product_id TEXT, quantity INTEGER
);
CREATE INDEX shipment_items_shipment ON shipment_items (shipment_id, position);

CREATE TABLE invoices (
    pk INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    number TEXT, currency TEXT, total_price TEXT, subtotal_price TEXT, tax_price TEXT,
    total_sort INTEGER, is_paid INTEGER, is_credit INTEGER, is_tax_shifted INTEGER,
    tax_country TEXT, type TEXT, status TEXT, issuer_json TEXT, receiver_json TEXT,
    order_id TEXT, order_number TEXT, created_at TEXT, updated_at TEXT,
    items_complete INTEGER NOT NULL DEFAULT 1, seen_run INTEGER
);
CREATE INDEX invoices_order ON invoices (order_id);
CREATE INDEX invoices_incomplete ON invoices (items_complete) WHERE items_complete = 0;

CREATE TABLE invoice_items (
    id TEXT PRIMARY KEY,
    invoice_id TEXT NOT NULL REFERENCES invoices (id) ON DELETE CASCADE,
    position INTEGER, title TEXT, type TEXT, sku TEXT, case_quantity INTEGER,
    quantity INTEGER, currency TEXT, unit_price TEXT, subtotal_price TEXT, tax_price TEXT,
    tax_rate TEXT, total_price TEXT, created_at TEXT, updated_at TEXT
);
CREATE INDEX invoice_items_invoice ON invoice_items (invoice_id, position);

CREATE TABLE sync_state (
    entity TEXT PRIMARY KEY,
    cursor TEXT, watermark TEXT, completed INTEGER NOT NULL DEFAULT 0,
    run INTEGER NOT NULL DEFAULT 0, done INTEGER NOT NULL DEFAULT 0, total INTEGER,
    started_at TEXT, finished_at TEXT, last_full_at TEXT, last_incremental_at TEXT
) WITHOUT ROWID;
"""

# The view flags of an order as one integer: 1 confirmed, 2 cancelled, 4 fulfilled, 8 final
# status. A plain column (kept by the writer), because SQLite 3.40 will not cover an index
# with a generated column.
ORDER_STATE_SQL = (
    "coalesce(is_confirmed, 0) | coalesce(is_cancelled, 0) * 2 | coalesce(is_fulfilled, 0) * 4"
    " | (coalesce(status, '') IN ('COMPLETED', 'CANCELLED')) * 8"
)

# Version 2: full-text search over orders, and the order table's views served by indexes.
# ``state`` (ORDER_STATE_SQL) rides in every sort index next to the id, so 100,000 ordered,
# filtered ids come from an index alone, without touching the table.
# The search index is filled here from whatever version 1 cached.
_V2 = """
ALTER TABLE orders ADD COLUMN state INTEGER NOT NULL DEFAULT 0;
UPDATE orders SET state = """ + ORDER_STATE_SQL + """;
DROP INDEX orders_created;
CREATE INDEX orders_by_created ON orders (created_at, id, state);
CREATE INDEX orders_by_confirmed ON orders (confirmed_at, id, state);
CREATE INDEX orders_by_updated ON orders (updated_at, id, state);
CREATE INDEX orders_by_number ON orders (number, id, state);
CREATE INDEX orders_by_reference ON orders (reference, id, state);
CREATE INDEX orders_by_retailer ON orders (retailer_key, id, state);
CREATE INDEX orders_by_city ON orders (city_key, id, state);
CREATE INDEX orders_by_units ON orders (units, id, state);
CREATE INDEX orders_by_total ON orders (total_sort, id, state);
CREATE INDEX orders_by_status ON orders (status, created_at, id, state);
CREATE INDEX invoices_by_created ON invoices (created_at, id);
CREATE INDEX invoices_by_number ON invoices (number, id);
CREATE INDEX invoices_by_total ON invoices (total_sort, id);
CREATE VIRTUAL TABLE orders_fts USING fts5 (
    number, reference, retailer, city, skus, titles,
    tokenize = "unicode61 remove_diacritics 2", prefix = '1 2 3'
);
INSERT INTO orders_fts (rowid, number, reference, retailer, city, skus, titles)
    SELECT o.pk, oc_terms(o.number), oc_terms(o.reference), o.retailer, o.city, l.skus, l.titles
    FROM orders AS o LEFT JOIN (
        SELECT order_id, group_concat(sku, ' ') AS skus,
               group_concat(coalesce(title, '') || ' ' || coalesce(variant_title, ''), ' ') AS titles
        FROM order_products GROUP BY order_id
    ) AS l ON l.order_id = o.id;
"""

MIGRATIONS: tuple[str, ...] = (_V1, _V2)
LATEST_VERSION = len(MIGRATIONS)


def split_statements(script: str) -> list[str]:
    """Split a script into complete statements (triggers keep their inner semicolons).

    ``executescript`` would commit on its own; running statement by statement keeps each
    migration step inside one transaction together with its ``user_version`` bump.
    """
    statements: list[str] = []
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            if pending.strip():
                statements.append(pending.strip())
            pending = ""
    if pending.strip():
        statements.append(pending.strip())
    return statements
