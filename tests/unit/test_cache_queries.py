"""What the views read: sorting and filtering in SQL must match what a person expects."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from orderchamp_desktop.core.cache import Store
from orderchamp_desktop.core.cache.reads import ORDER_SORTS, ORDER_VIEWS
from orderchamp_desktop.core.cache.schema import ORDER_STATE_SQL
from orderchamp_desktop.core.cache.values import sort_key
from tests.unit.test_cache_support import orders, product_node

NODES = orders(400, seed=11)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    store = Store(tmp_path_factory.mktemp("q") / "cache-acct.sqlite3")
    store.apply_orders(NODES)
    return store


def _in_view(node: dict[str, Any], view: str) -> bool:
    confirmed, cancelled, fulfilled = node["isConfirmed"], node["isCancelled"], node["isFulfilled"]
    return bool({
        "all": True,
        "needs_action": confirmed and not cancelled and not fulfilled,
        "unconfirmed": not confirmed and not cancelled,
        "cancelled": cancelled,
        "open": not cancelled and node["status"] not in ("COMPLETED", "CANCELLED"),
    }[view])


def _key(node: dict[str, Any], sort: str) -> Any:
    """The order a person expects (None first ascending, as SQLite does; names case- and
    accent-blind; shipping address first, billing address when shipping has no value)."""
    shipping, billing = node["shippingAddress"], node["billingAddress"]
    value: Any = {
        "created_at": node["createdAt"], "confirmed_at": node["confirmedAt"],
        "updated_at": node["updatedAt"], "number": node["number"], "reference": node["reference"],
        "retailer": sort_key(shipping["companyName"] or billing["companyName"]),
        "city": sort_key(shipping["city"] or billing["city"]), "status": node["status"],
        "items": sum(line["quantity"] for line in node["products"]["nodes"]),
        "total": Decimal(node["totalPrice"]),
    }[sort]
    return (value is not None, value)


@pytest.mark.parametrize("view", sorted(ORDER_VIEWS))
@pytest.mark.parametrize("sort", sorted(ORDER_SORTS))
def test_sort_and_view_match_a_reference(store: Store, view: str, sort: str) -> None:
    for descending in (False, True):
        chosen = [(n, i) for i, n in enumerate(NODES) if _in_view(n, view)]
        chosen.sort(key=lambda item: (_key(item[0], sort), item[1]), reverse=descending)
        assert store.order_ids(view=view, sort=sort, descending=descending) == [n["id"] for n, _ in chosen]
        assert store.count_orders(view=view) == len(chosen)


def test_status_filter_and_counts(store: Store) -> None:
    counts = dict(store.order_status_counts())
    for status, count in counts.items():
        ids = store.order_ids(status=status)
        assert len(ids) == count
        assert {r.status for r in store.order_rows(ids)} == {status}
    assert sum(counts.values()) == len(NODES)


def test_unknown_sort_or_view_is_a_programming_error(store: Store) -> None:
    with pytest.raises(ValueError):
        store.order_ids(sort="id; DROP TABLE orders")
    with pytest.raises(ValueError):
        store.order_ids(view="everything")


def test_rows_follow_the_requested_order(store: Store) -> None:
    ids = [NODES[5]["id"], "gone", NODES[1]["id"], NODES[300]["id"]]
    rows = store.order_rows(ids)
    assert [r.id for r in rows] == [NODES[5]["id"], NODES[1]["id"], NODES[300]["id"]]
    node = NODES[1]
    row = rows[1]
    assert row.number == node["number"] and row.status == node["status"]
    assert row.total == Decimal(node["totalPrice"]) and isinstance(row.total, Decimal)
    assert row.items == sum(line["quantity"] for line in node["products"]["nodes"])
    assert row.unshipped == sum(line["unshippedQuantity"] for line in node["products"]["nodes"])
    assert row.retailer == (node["shippingAddress"]["companyName"] or "Billing BV")


def test_order_detail_has_lines_shipments_and_addresses(tmp_path: Path) -> None:
    store = Store(tmp_path / "c.sqlite3")
    node = orders(1)[0]
    node["shipments"] = {"nodes": [{
        "id": "S1", "status": "SHIPPED", "isTracked": True, "trackingNumber": "3SABCD1234567",
        "carrier": "PostNL", "trackingUrl": "https://postnl.nl/t/3SABCD1234567",
        "products": {"nodes": [{"id": "SI1", "quantity": 1,
                                "orderProduct": {"id": node["products"]["nodes"][0]["id"]}}]}}]}
    store.apply_order(node)
    detail = store.order_detail(node["id"])
    assert detail is not None and detail.complete
    assert [line.id for line in detail.lines] == [line["id"] for line in node["products"]["nodes"]]
    assert detail.shipping_address is not None
    assert detail.shipping_address.city == node["shippingAddress"]["city"]
    assert detail.billing_address is not None and detail.billing_address.company_name == "Billing BV"
    (shipment,) = detail.shipments
    assert shipment.tracking_number == "3SABCD1234567" and shipment.is_tracked is True
    assert [(i.quantity, i.title) for i in shipment.items] == [(1, node["products"]["nodes"][0]["title"])]
    assert detail.shipping_price == Decimal("9.95")
    assert store.order_detail("nope") is None


def test_a_partial_reread_never_blanks_other_columns(tmp_path: Path) -> None:
    store = Store(tmp_path / "c.sqlite3")
    node = orders(1)[0]
    store.apply_order(node)
    store.apply_order({"id": node["id"], "status": "AWAITING_DELIVERY", "isFulfilled": True})
    row = store.order_rows([node["id"]])[0]
    assert row.status == "AWAITING_DELIVERY" and row.is_fulfilled
    assert row.number == node["number"] and row.total == Decimal(node["totalPrice"])
    detail = store.order_detail(node["id"])
    assert detail is not None and len(detail.lines) == len(node["products"]["nodes"])


def test_bad_data_is_kept_or_skipped_but_never_costs_other_rows(tmp_path: Path,
                                                                 caplog: pytest.LogCaptureFixture) -> None:
    store = Store(tmp_path / "c.sqlite3")
    good = orders(3)
    weird: list[Any] = [
        {"id": None, "number": "no id"}, "not even an object",
        {"id": "O-unknown", "status": "AWAITING_PICKUP", "totalPrice": "not money", "number": 12345,
         "isConfirmed": "true", "productsCount": "7", "createdAt": None, "note": "x" * 1_000_000,
         "reference": "lone \ud800 surrogate", "billingAddress": "a string, not an object",
         "shippingAddress": {"companyName": "<b>Markup</b> & ‏RTL‏ 🧸", "city": ["a", "list"]},
         "products": {"nodes": [{"id": "L-odd", "quantity": 2**70, "unitPrice": 1.1, "title": None},
                                {"quantity": 1}]}},
    ]
    store.apply_orders([good[0], *weird, good[1], good[2]])
    ids = set(store.order_ids())
    assert ids == {good[0]["id"], good[1]["id"], good[2]["id"], "O-unknown"}
    (row,) = store.order_rows(["O-unknown"])
    assert row.status == "AWAITING_PICKUP" and row.number == "12345" and row.is_confirmed
    assert row.total is None and row.products_count == 7
    assert row.retailer == "<b>Markup</b> & ‏RTL‏ 🧸"
    detail = store.order_detail("O-unknown")
    assert detail is not None and detail.note == "x" * 1_000_000
    assert detail.order.reference == "lone ? surrogate"  # unencodable text cleaned, row kept
    lines = [(line.id, line.quantity, line.unit_price) for line in detail.lines]
    assert lines == [("L-odd", 0, Decimal("1.1"))]
    assert "without a usable id" in caplog.text


def test_products_variants_and_inventory_matrix(tmp_path: Path) -> None:
    store = Store(tmp_path / "c.sqlite3")
    store.upsert_account({"id": "A", "name": "Studio Zonnig", "currency": "EUR", "locations": {
        "nodes": [{"id": "LOC1", "name": "Amsterdam", "isPrimary": True},
                  {"id": "LOC2", "name": "Utrecht", "isPrimary": False}]}})
    store.upsert_products([product_node(1, ["LOC1", "LOC2"]), product_node(2, ["LOC1"], variants=1)])
    products = store.products()
    assert [(p.title, p.variants, p.min_price, p.max_price) for p in products] == [
        ("Product 1", 3, Decimal("1.50"), Decimal("3.50")),
        ("Product 2", 1, Decimal("1.50"), Decimal("1.50"))]
    assert [p.id for p in store.products(search="SKU-2-")] == ["P2"]
    variants = store.product_variants("P1")
    assert [v.sku for v in variants] == ["SKU-1-0", "SKU-1-1", "SKU-1-2"]
    assert variants[0].tags == ("HANDMADE",) and variants[0].price == Decimal("1.50")
    matrix = store.inventory_matrix()
    assert [loc.name for loc in matrix.locations] == ["Amsterdam", "Utrecht"]
    by_sku = {row.sku: row for row in matrix.rows}
    assert by_sku["SKU-1-2"].quantities == (2, 3) and by_sku["SKU-1-2"].total == 5
    assert by_sku["SKU-2-0"].quantities == (0, None)
    assert [v.id for v in store.find_variants("SKU-1-1")] == ["V1-1"]
    # Write-through from a stock mutation: only what came back changes.
    store.upsert_inventory_levels([{"quantity": 42, "location": {"id": "LOC2"},
                                    "productVariant": {"id": "V1-2", "inventoryQuantity": 44}}])
    row = {r.sku: r for r in store.inventory_matrix().rows}["SKU-1-2"]
    assert row.quantities == (2, 42) and row.inventory_quantity == 44
    store.update_variants([{"id": "V1-0", "price": "12.00"}])
    assert store.product_variants("P1")[0].price == Decimal("12.00")
    assert store.product_variants("P1")[0].sku == "SKU-1-0"


def test_invoices_list_and_detail(tmp_path: Path) -> None:
    store = Store(tmp_path / "c.sqlite3")
    store.upsert_invoices([{
        "id": f"I{i}", "number": f"SZ-2024-{i:05d}", "currency": "EUR", "totalPrice": f"{100 - i}.00",
        "type": "SUPPLIER_INVOICE", "status": "PAID" if i % 2 else "OPEN", "isPaid": bool(i % 2),
        "createdAt": f"2024-01-{i + 1:02d}T00:00:00Z", "order": {"id": f"O{i}", "number": f"#ORD{i}"},
        "receiver": {"companyName": "Orderchamp B.V."},
        "items": {"nodes": [{"id": f"II{i}-{k}", "title": f"Item {k}", "quantity": k + 1,
                             "unitPrice": "1.00", "taxRate": "21.00", "totalPrice": "1.21"}
                            for k in range(3)]},
    } for i in range(5)])
    assert store.invoice_ids() == ["I4", "I3", "I2", "I1", "I0"]
    assert store.invoice_ids(sort="total", descending=False) == ["I4", "I3", "I2", "I1", "I0"]
    assert store.invoice_ids(status="PAID") == ["I3", "I1"]
    assert store.invoice_ids(search="00002") == ["I2"]
    rows = store.invoice_rows(["I1", "I0"])
    assert [(r.number, r.total, r.order_number, r.receiver) for r in rows] == [
        ("SZ-2024-00001", Decimal("99.00"), "#ORD1", "Orderchamp B.V."),
        ("SZ-2024-00000", Decimal("100.00"), "#ORD0", "Orderchamp B.V.")]
    detail = store.invoice_detail("I1")
    assert detail is not None and [i.title for i in detail.items] == ["Item 0", "Item 1", "Item 2"]
    assert detail.items[0].tax_rate == Decimal("21.00")


def test_order_ids_over_100k_orders_come_from_an_index(tmp_path: Path) -> None:
    """The order table asks for every id on each sort or filter change, so that query must be
    served in index order: a temp B-tree sort of 100,000 rows is what makes a table stutter.
    (bench/bench_core.py reports the real latency.)"""
    store = Store(tmp_path / "c.sqlite3")
    rows = [(f"O{i:07d}", f"#ORD{i:07d}", "AWAITING_FULFILMENT" if i % 5 else "COMPLETED", i % 5 != 0,
             f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}T{i % 24:02d}:00:00Z", i * 7 % 100_000,
             f"shop {i % 977}") for i in range(100_000)]
    with store.transaction() as conn:
        conn.executemany("INSERT INTO orders (id, number, status, is_confirmed, is_cancelled, is_fulfilled,"
                         " created_at, total_sort, retailer_key) VALUES (?, ?, ?, 1, 0, ?, ?, ?, ?)", rows)
        conn.execute(f"UPDATE orders SET state = {ORDER_STATE_SQL}")
    executed: list[str] = []
    store.connection.set_trace_callback(executed.append)
    cases: list[dict[str, Any]] = [{}, {"sort": "total"}, {"view": "needs_action"},
                                   {"sort": "retailer", "descending": False}]
    for kwargs in cases:
        executed.clear()
        ids = store.order_ids(**kwargs)
        assert len(ids) == (20_000 if kwargs.get("view") else 100_000)
        selects = [sql for sql in executed if sql.lstrip().upper().startswith("SELECT")]
        assert selects, kwargs
        plan = " | ".join(
            str(row[-1]) for sql in selects
            for row in store.connection.execute("EXPLAIN QUERY PLAN " + sql).fetchall()
        )
        assert "USING" in plan and "INDEX" in plan, (kwargs, plan)
        assert "TEMP B-TREE" not in plan, (kwargs, plan)
    store.connection.set_trace_callback(None)
