"""Full-text search over orders: any text a person types is safe, and finds what they mean."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from orderchamp_desktop.core.cache import Store, match_query
from tests.unit.test_cache_support import order_node, orders

NASTY = [
    '"', '""', "'", "*", "**", "-", "--", "- -", "+", "^", ":", "(", ")", "()", "NEAR(", "NEAR(a b)",
    "AND", "OR", "NOT", "a AND", "AND OR NOT", "number:1", "{number}: x", "a*b", '"unterminated',
    "😀", "🧸 Utrecht", "👍🏽‍", "\u200b", "\x00", "\\", "%", "_", "%_%", "' OR 1=1 --",
    "Robert'); DROP TABLE orders;--", "x" * 5000, "ab " * 400, "\u202eRTL override", "مرحبا",
    "ﷺ", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "e\u0301", "İstanbul", "ß", "\ud800", "\t\n\r", "   ",
]


@pytest.fixture
def store(tmp_path: Path) -> Store:
    store = Store(tmp_path / "cache-acct.sqlite3")
    store.apply_orders(orders(200))
    return store


@pytest.mark.parametrize("text", NASTY)
def test_any_user_text_is_safe(store: Store, text: str) -> None:
    ids = store.order_ids(search=text)
    assert isinstance(ids, list)
    assert store.count_orders(search=text) == len(ids)


def test_random_unicode_never_raises(store: Store) -> None:
    rng = random.Random(5)
    alphabet = [chr(c) for c in range(0x20, 0x2FF)] + list('"*-+^:()&|!~@#$%{}[]<>😀🧸\u200b\u0301')
    for _ in range(1500):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 30)))
        store.order_ids(search=text)


def test_query_builder_quotes_every_word() -> None:
    assert match_query('NEAR("a" b*) OR c') == '"NEAR a"* AND "b"* AND "OR"* AND "c"*'
    assert match_query("SZ-MUG-0001") == '"SZ MUG 0001"*'
    assert match_query("😀 ** --") is None
    assert match_query(None) is None


def _store_with(tmp_path: Path, *nodes: dict[str, object]) -> Store:
    store = Store(tmp_path / "cache-acct.sqlite3")
    store.apply_orders(list(nodes))
    return store


def test_finds_by_number_reference_retailer_city_sku_and_title(tmp_path: Path) -> None:
    rng = random.Random(3)
    first, second = order_node(1, rng, lines=2), order_node(2, rng, lines=1)
    first.update(number="#ORD001234", reference="Kerst 🎄 2024")
    first["shippingAddress"] = {"companyName": "Café Ünïcode", "city": "Köln"}
    first["products"]["nodes"][0].update(sku="SZ-MUG-0042-01", title="Stoneware mug 'Goedemorgen'",
                                         variantTitle="Ochre")
    first["products"]["nodes"][1].update(sku="SZ-BIB-0042-02", title="Baby bib", variantTitle=None)
    second.update(number="#ORD009999", reference=None)
    second["shippingAddress"] = {"companyName": "Boekhandel De Vries", "city": "Zwolle"}
    second["products"]["nodes"][0].update(sku="SZ-TEA-0001-01", title="Linen tea towel", variantTitle=None)
    store = _store_with(tmp_path, first, second)
    one, two = ["O000001"], ["O000002"]
    expectations = {
        "1234": one, "#ORD0012": one, "ord001234": one, "kerst": one, "cafe": one, "CAFÉ ünï": one,
        "koln": one, "köln": one, "SZ-MUG-0042": one, "sz mug": one, "goedemorgen": one, "mug": one,
        "9999": two, "boek": two, "de vries": two, "zwol": two, "linen towel": two, "tea": two,
        "ORD00": sorted(one + two, reverse=True), "mug zwolle": [], "nothing-like-this": [],
    }
    for text, expected in expectations.items():
        assert store.order_ids(search=text, sort="number") == expected, text


def test_search_combines_with_view_status_and_sort(tmp_path: Path) -> None:
    store = Store(tmp_path / "cache-acct.sqlite3")
    nodes = orders(300, seed=9)
    store.apply_orders(nodes)
    term = "stoneware"
    expected = [n for n in nodes
                if any("stoneware" in line["title"].lower() for line in n["products"]["nodes"])
                and n["isConfirmed"] and not n["isCancelled"] and not n["isFulfilled"]]
    got = store.order_ids(search=term, view="needs_action", sort="total", descending=False)
    assert set(got) == {n["id"] for n in expected}
    totals = [r.total for r in store.order_rows(got)]
    assert totals == sorted(totals)  # type: ignore[type-var]


def test_changed_order_is_found_by_its_new_text(tmp_path: Path) -> None:
    rng = random.Random(1)
    node = order_node(7, rng)
    node["shippingAddress"] = {"companyName": "Old Name", "city": "Utrecht"}
    store = _store_with(tmp_path, node)
    store.apply_order({"id": node["id"], "shippingAddress": {"companyName": "Nieuwe Naam", "city": "Gouda"}})
    assert store.order_ids(search="old") == []
    assert store.order_ids(search="nieuwe gouda") == [node["id"]]


def test_bulk_load_defers_indexing_then_rebuilds(tmp_path: Path) -> None:
    store = Store(tmp_path / "cache-acct.sqlite3")
    store.defer_search_index()
    store.apply_orders(orders(50))
    assert store.search_index_deferred()
    assert store.order_ids(search="ORD0000") == []  # not indexed yet: bulk mode
    store.rebuild_search_index()
    assert not store.search_index_deferred()
    assert len(store.order_ids(search="ORD0000")) == 50


def test_swept_orders_leave_the_index(tmp_path: Path) -> None:
    store = Store(tmp_path / "cache-acct.sqlite3")
    nodes = orders(10)
    store.apply_orders(nodes, run=1)
    store.apply_orders(nodes[:4], run=2)
    assert store.sweep_unseen("orders", 2) == 6
    assert len(store.order_ids(search="ORD")) == 4
    assert store.connection.execute("SELECT count(*) FROM orders_fts").fetchone()[0] == 4


@pytest.mark.parametrize("few_hits", [0, 10**9], ids=["picked-from-view", "sorted-in-sql"])
def test_both_search_strategies_give_the_same_answer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     few_hits: int) -> None:
    """Broad searches pick matches out of the cached view list, narrow ones sort in SQL."""
    from orderchamp_desktop.core.cache import reads

    store = Store(tmp_path / "cache-acct.sqlite3")
    nodes = orders(300, seed=4)
    store.apply_orders(nodes)
    reference = {}
    for view, sort, descending in (("all", "created_at", True), ("needs_action", "total", False),
                                   ("open", "retailer", True)):
        everything = store.order_ids(view=view, sort=sort, descending=descending)
        reference[view, sort, descending] = everything
    monkeypatch.setattr(reads, "_FEW_HITS", few_hits)
    for (view, sort, descending), everything in reference.items():
        for text in ("stoneware", "sz mug", "amsterdam", "ORD0001"):
            matching = set(store.order_ids(search=text))
            got = store.order_ids(search=text, view=view, sort=sort, descending=descending)
            assert got == [i for i in everything if i in matching], (view, sort, text)


def test_cached_view_list_follows_writes_from_any_connection(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from orderchamp_desktop.core.cache import reads

    monkeypatch.setattr(reads, "_FEW_HITS", 0)
    path = tmp_path / "cache-acct.sqlite3"
    nodes = orders(30, seed=2)
    with Store(path) as reader, Store(path) as writer:
        reader.apply_orders(nodes[:10])
        assert len(reader.order_ids(search="ORD")) == 10
        reader.apply_orders(nodes[10:20])  # its own write
        assert len(reader.order_ids(search="ORD")) == 20
        writer.apply_orders(nodes[20:])  # the sync's connection
        assert len(reader.order_ids(search="ORD")) == 30
