"""Export from the cache: stable columns, exact money, any text, clear errors on a full disk."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
from decimal import Decimal
from pathlib import Path

import pytest

from orderchamp_desktop.core.cache import Store
from orderchamp_desktop.core.documents.export import ENTITIES, FORMATS, ORDER_COLUMNS, export
from orderchamp_desktop.core.errors import DiskFullError
from tests.unit.test_cache_support import orders, product_node


@pytest.fixture
def store(tmp_path: Path) -> Store:
    store = Store(tmp_path / "cache-acct.sqlite3")
    store.upsert_account({"id": "A", "name": "Studio", "locations": {"nodes": [
        {"id": "LOC1", "name": "Amsterdam"}, {"id": "LOC2", "name": "Amsterdam"}]}})
    store.upsert_products([product_node(1, ["LOC1", "LOC2"])])
    nodes = orders(25, seed=3)
    nodes[0]["totalPrice"] = "1234567890.10"
    nodes[1]["shippingAddress"] = {"companyName": "@SUM(A1:A9) & \"Zonen\"\nnewline", "city": "Köln"}
    store.apply_orders(nodes)
    return store


def test_every_entity_and_format_writes_parseable_output(store: Store) -> None:
    for entity in ENTITIES:
        for fmt in FORMATS:
            buffer = io.StringIO()
            count = export(store, entity, fmt, buffer)
            text = buffer.getvalue()
            if fmt == "json":
                assert len(json.loads(text)) == count
            else:
                assert len(list(csv.reader(io.StringIO(text)))) == count + 1


def test_orders_csv_has_stable_columns_and_exact_money(store: Store) -> None:
    buffer = io.StringIO()
    export(store, "orders", "csv", buffer)
    rows = list(csv.DictReader(io.StringIO(buffer.getvalue())))
    assert list(rows[0])[:len(ORDER_COLUMNS)] == list(ORDER_COLUMNS)
    by_id = {r["id"]: r for r in rows}
    assert by_id["O000000"]["total_price"] == "1234567890.10"
    assert Decimal(by_id["O000000"]["total_price"]) == Decimal("1234567890.10")
    assert by_id["O000001"]["retailer"] == "'@SUM(A1:A9) & \"Zonen\"\nnewline"
    assert by_id["O000001"]["is_confirmed"] in ("true", "false")


def test_orders_json_nests_lines_and_keeps_money_as_text(store: Store) -> None:
    buffer = io.StringIO()
    export(store, "orders", "json", buffer)
    record = next(r for r in json.loads(buffer.getvalue()) if r["id"] == "O000000")
    assert record["total_price"] == "1234567890.10"
    assert isinstance(record["is_confirmed"], bool)
    assert record["lines"] and all(isinstance(line["unit_price"], str) for line in record["lines"])


def test_inventory_has_one_column_per_location_even_with_equal_names(store: Store) -> None:
    buffer = io.StringIO()
    export(store, "inventory", "csv", buffer)
    header, first, *_ = list(csv.reader(io.StringIO(buffer.getvalue())))
    assert header[-2:] == ["Amsterdam", "Amsterdam (2)"]
    assert first[-2:] == ["0", "1"]


def test_an_empty_cache_exports_empty_documents(tmp_path: Path) -> None:
    with Store(tmp_path / "empty.sqlite3") as empty:
        buffer = io.StringIO()
        assert export(empty, "orders", "json", buffer) == 0
        assert json.loads(buffer.getvalue()) == []
        buffer = io.StringIO()
        assert export(empty, "invoices", "csv", buffer) == 0
        assert buffer.getvalue().count("\n") == 1


def test_unknown_entity_or_format_is_refused(store: Store) -> None:
    with pytest.raises(ValueError, match="unknown export"):
        export(store, "customers", "csv", io.StringIO())
    with pytest.raises(ValueError, match="unknown format"):
        export(store, "orders", "xlsx", io.StringIO())


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full (Linux)")
def test_a_full_disk_while_exporting_is_a_clear_error(store: Store) -> None:
    full = open("/dev/full", "w", encoding="utf-8")  # noqa: SIM115 - closing fails on purpose
    try:
        with pytest.raises(DiskFullError) as caught:
            export(store, "orders", "csv", full)
        assert "disk is full" in caught.value.user_message
    finally:
        with contextlib.suppress(OSError):
            full.close()


@pytest.mark.parametrize(("text", "guarded"), [
    ("+49 30 1234", False), ("+31 (0)20-123 45 67", False), ("+1 555.123.4567", False),
    ("-12.50", False), ("+3", False), ("06-12345678", False),
    ("=cmd|' /C calc'!A0", True), ("+SUM(A1:A9)", True), ("-2+3", True), ("@SUM(A1)", True),
    ("+1+1", True), ("-A1", True), ("\tTab", True), ("\r=1", True), ("+", True),
])
def test_csv_guards_formulas_but_keeps_phone_numbers(tmp_path: Path, text: str, guarded: bool) -> None:
    """A retailer's phone number comes out as typed; anything a spreadsheet would run does not."""
    with Store(tmp_path / "cache-acct.sqlite3") as store:
        node = orders(1, seed=5)[0]
        node["shippingAddress"] = {"companyName": "Shop", "phone": text, "city": text}
        store.apply_orders([node])
        buffer = io.StringIO()
        export(store, "orders", "csv", buffer)
    (row,) = csv.DictReader(io.StringIO(buffer.getvalue()))
    expected = "'" + text if guarded else text
    assert row["shipping_phone"] == expected
    assert row["city"] == expected


def test_a_closed_pipe_is_not_reported_as_a_storage_problem(store: Store) -> None:
    """`export ... | head`: the CLI ends quietly on BrokenPipeError, so it must reach it."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    out = os.fdopen(write_end, "w", encoding="utf-8")
    try:
        with pytest.raises(BrokenPipeError):
            export(store, "orders", "json", out)
    finally:
        with contextlib.suppress(OSError):
            out.close()
