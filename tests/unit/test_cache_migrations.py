"""Upgrading a cache written by an older version, and refusing one from a newer version.

``test_cache_v1.db`` is a real version-1 file (written by ``build_v1`` below with the
version-1 schema, as the first release would have). Regenerate it only if it is lost:
``python -m tests.unit.test_cache_migrations``.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest

from orderchamp_desktop.core.cache import LATEST_VERSION, Store
from orderchamp_desktop.core.cache.schema import MIGRATIONS, split_statements
from orderchamp_desktop.core.errors import CacheTooNewError

V1_FILE = Path(__file__).with_name("test_cache_v1.db")


def build_v1(path: Path) -> None:
    """A version-1 cache with a few orders, a product and an invoice."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("BEGIN")
    for statement in split_statements(MIGRATIONS[0]):
        conn.execute(statement)
    conn.execute("PRAGMA user_version = 1")
    conn.executemany(
        "INSERT INTO orders (id, number, reference, status, is_confirmed, is_cancelled, is_fulfilled,"
        " created_at, total_price, total_sort, retailer, city, retailer_key, city_key, units,"
        " unshipped_units) VALUES (?, ?, ?, ?, 1, 0, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [("T3JkZXI6MQ", "#ORD000101", "PO-2023-0042", "AWAITING_FULFILMENT", "2023-05-01T10:00:00Z",
          "120.50", 1205000, "Boekhandel De Vries", "Zwolle", "boekhandel de vries", "zwolle", 6, 6),
         ("T3JkZXI6Mg", "#ORD000102", None, "COMPLETED", "2023-05-02T10:00:00Z", "80.00", 800000,
          "Café Ünïcode", "Köln", "cafe unicode", "koln", 2, 0)])
    conn.executemany(
        "INSERT INTO order_products (id, order_id, position, title, sku, quantity, unshipped_quantity,"
        " unit_price) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [("L1", "T3JkZXI6MQ", 0, "Stoneware mug", "SZ-MUG-0001-01", 6, 6, "20.08"),
         ("L2", "T3JkZXI6Mg", 0, "Linen tea towel", "SZ-TEA-0002-01", 2, 0, "40.00")])
    conn.execute("INSERT INTO products (id, title) VALUES ('P1', 'Stoneware mug')")
    conn.execute("INSERT INTO variants (id, product_id, title, sku, price) "
                 "VALUES ('V1', 'P1', 'Ochre', 'SZ-MUG-0001-01', '20.08')")
    conn.execute("INSERT INTO invoices (id, number, order_id, total_price) "
                 "VALUES ('I1', 'SZ-2023-00001', 'T3JkZXI6Mg', '96.80')")
    conn.execute("INSERT INTO sync_state (entity, completed, run, watermark) "
                 "VALUES ('orders', 1, 1, '2023-05-02T10:00:00Z')")
    conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


@pytest.fixture
def v1_copy(tmp_path: Path) -> Path:
    target = tmp_path / "cache-acct.sqlite3"
    shutil.copyfile(V1_FILE, target)
    return target


def _version(path: Path) -> int:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])
    finally:
        conn.close()


def test_saved_file_is_version_1() -> None:
    assert _version(V1_FILE) == 1


def test_v1_file_is_upgraded_keeping_its_data(v1_copy: Path) -> None:
    with Store(v1_copy) as store:
        assert store.schema_version == LATEST_VERSION
        rows = store.order_rows(store.order_ids(sort="number", descending=False))
        assert [(r.number, r.retailer, str(r.total), r.items) for r in rows] == [
            ("#ORD000101", "Boekhandel De Vries", "120.50", 6), ("#ORD000102", "Café Ünïcode", "80.00", 2)]
        # Version 2 added full-text search: the upgrade indexed what version 1 had cached.
        assert store.order_ids(search="mug") == ["T3JkZXI6MQ"]
        assert store.order_ids(search="koln") == ["T3JkZXI6Mg"]
        assert store.order_ids(search="0042") == ["T3JkZXI6MQ"]
        assert store.sync_state("orders").completed
        assert store.order_ids(sort="retailer", descending=False) == ["T3JkZXI6MQ", "T3JkZXI6Mg"]
        assert [v.sku for v in store.product_variants("P1")] == ["SZ-MUG-0001-01"]
        backup = store.migration_backup
    assert backup is not None and backup.exists()
    assert _version(backup) == 1
    assert (backup.stat().st_mode & 0o777) == 0o600


def test_upgraded_schema_matches_a_fresh_one(v1_copy: Path, tmp_path: Path) -> None:
    """The upgrade path and the fresh path must build the very same tables and indexes."""
    Store(v1_copy).close()
    Store(tmp_path / "fresh.sqlite3").close()

    def schema(path: Path) -> list[tuple[str, str, str]]:
        conn = sqlite3.connect(path)
        try:
            return sorted(conn.execute("SELECT type, name, coalesce(sql, '') FROM sqlite_master"))
        finally:
            conn.close()

    assert schema(v1_copy) == schema(tmp_path / "fresh.sqlite3")


def test_opening_again_does_not_back_up_again(v1_copy: Path) -> None:
    Store(v1_copy).close()
    with Store(v1_copy) as store:
        assert store.migration_backup is None
    assert len(list(v1_copy.parent.glob("*backup*"))) == 1


def test_a_newer_version_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "cache-acct.sqlite3"
    with Store(path) as store:
        store.apply_orders([{"id": "O1", "number": "#1"}])
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {LATEST_VERSION + 1}")
    conn.close()
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    mtime = path.stat().st_mtime_ns
    with pytest.raises(CacheTooNewError) as caught:
        Store(path)
    assert "newer version" in caught.value.user_message
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    assert path.stat().st_mtime_ns == mtime
    assert not list(tmp_path.glob("*corrupt*")) and not list(tmp_path.glob("*backup*"))


def test_a_failed_migration_step_leaves_the_old_version(v1_copy: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """All steps run in one transaction with the version bump: a failure changes nothing."""
    from orderchamp_desktop.core.cache import base

    broken = (*MIGRATIONS[:1], MIGRATIONS[1] + "\nCREATE TABLE orders (id TEXT);\n")
    monkeypatch.setattr(base, "MIGRATIONS", broken)
    with pytest.raises(sqlite3.OperationalError, match="already exists"):
        Store(v1_copy)
    assert _version(v1_copy) == 1
    monkeypatch.undo()
    with Store(v1_copy) as store:
        assert store.schema_version == LATEST_VERSION
        assert len(store.order_ids()) == 2


if __name__ == "__main__":
    V1_FILE.unlink(missing_ok=True)
    build_v1(V1_FILE)
    print(f"wrote {V1_FILE}")
