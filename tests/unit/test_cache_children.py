"""Child rows (order lines, shipments, invoice items) are inserted plainly for speed; a page
that arrives twice, or a line the API moved to another order, must still leave one row."""

from __future__ import annotations

import random
from pathlib import Path

from orderchamp_desktop.core.cache import Store
from tests.unit.test_cache_support import order_node


def test_a_lines_page_read_twice_is_stored_once(tmp_path: Path) -> None:
    store = Store(tmp_path / "cache.sqlite3")
    order = order_node(1, random.Random(3), lines=4)
    store.apply_orders([order])
    # A resumed sync re-reads a follow-up page it had already written (no ``replace``).
    store.append_order_products(order["id"], order["products"])
    detail = store.order_detail(order["id"])
    assert detail is not None
    assert [line.id for line in detail.lines] == [line["id"] for line in order["products"]["nodes"]]
    store.close()


def test_a_line_that_moved_to_another_order_belongs_to_the_new_one(tmp_path: Path) -> None:
    store = Store(tmp_path / "cache.sqlite3")
    rng = random.Random(5)
    first, second = order_node(1, rng, lines=2), order_node(2, rng, lines=1)
    store.apply_orders([first])
    second["products"]["nodes"].append(dict(first["products"]["nodes"][0]))
    store.apply_orders([second])
    moved = first["products"]["nodes"][0]["id"]
    first_detail, second_detail = store.order_detail(first["id"]), store.order_detail(second["id"])
    assert first_detail is not None and second_detail is not None
    assert moved not in [line.id for line in first_detail.lines]
    assert moved in [line.id for line in second_detail.lines]
    store.close()
