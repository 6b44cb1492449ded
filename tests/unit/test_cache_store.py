"""Opening the cache file: permissions, damage, a full disk, an unwritable folder, two apps."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from orderchamp_desktop.core.cache import CacheMissingError, InstanceLock, Store
from orderchamp_desktop.core.errors import AlreadyRunningError, CacheCorruptError, DiskFullError, StorageError
from tests.unit.test_cache_support import orders

REPO = Path(__file__).resolve().parents[2]


def _mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


@pytest.fixture
def open_umask() -> Iterator[None]:
    """A permissive umask, as on some desktops: the cache must not depend on the umask."""
    previous = os.umask(0)
    try:
        yield
    finally:
        os.umask(previous)


def test_new_cache_and_its_side_files_are_owner_only(tmp_path: Path, open_umask: None) -> None:
    path = tmp_path / "cache-acct.sqlite3"
    with Store(path) as store:
        store.apply_orders(orders(5))
        side_files = [path.with_name(path.name + s) for s in ("-wal", "-shm")]
        assert all(p.exists() for p in side_files)
        assert [_mode(p) for p in (path, *side_files)] == [0o600, 0o600, 0o600]
        assert store.connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store.connection.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_an_existing_readable_cache_is_made_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "cache-acct.sqlite3"
    Store(path).close()
    os.chmod(path, 0o644)
    Store(path).close()
    assert _mode(path) == 0o600


def test_missing_cache_is_not_created_when_asked_not_to(tmp_path: Path) -> None:
    with pytest.raises(CacheMissingError) as caught:
        Store(tmp_path / "cache-acct.sqlite3", create=False)
    assert "sync once" in caught.value.user_message
    assert not (tmp_path / "cache-acct.sqlite3").exists()


def test_a_file_that_is_not_a_database_is_set_aside(tmp_path: Path) -> None:
    path = tmp_path / "cache-acct.sqlite3"
    garbage = b"this is not sqlite at all\n" * 100
    path.write_bytes(garbage)
    with Store(path) as store:
        assert store.recovered_from_corruption
        assert store.corrupt_copy is not None
        assert store.corrupt_copy.name.startswith("cache-acct.sqlite3.corrupt-")
        assert store.corrupt_copy.read_bytes() == garbage
        store.apply_orders(orders(3))
        assert len(store.order_ids()) == 3


def test_a_database_with_damaged_pages_is_set_aside(tmp_path: Path) -> None:
    path = tmp_path / "cache-acct.sqlite3"
    with Store(path) as store:
        store.apply_orders(orders(400))
        store.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(path.read_bytes())
    page = 4096
    for offset in range(3 * page, len(data) - page, 7 * page):  # scribble over some b-tree pages
        data[offset:offset + 64] = os.urandom(64)
    path.write_bytes(bytes(data))
    with Store(path) as store:
        assert store.recovered_from_corruption
        assert store.order_ids() == []
    assert store.corrupt_copy is not None and store.corrupt_copy.exists()


def test_a_healthy_cache_is_not_flagged(tmp_path: Path) -> None:
    path = tmp_path / "cache-acct.sqlite3"
    Store(path).close()
    with Store(path) as store:
        assert not store.recovered_from_corruption
        assert store.corrupt_copy is None


def test_a_full_disk_is_a_clear_error_and_loses_nothing(tmp_path: Path) -> None:
    """SQLite's own "database or disk is full" (SQLITE_FULL), reached by capping the file."""
    with Store(tmp_path / "cache-acct.sqlite3") as store:
        store.apply_orders(orders(20))
        pages = store.connection.execute("PRAGMA page_count").fetchone()[0]
        store.connection.execute(f"PRAGMA max_page_count = {pages + 2}")
        with pytest.raises(DiskFullError) as caught:
            store.apply_orders(orders(2000, seed=2)[20:])
        assert "disk is full" in caught.value.user_message
        assert len(store.order_ids()) == 20  # the failed page rolled back, the rest is intact
        store.apply_orders(orders(21)[20:])  # and the store still works
        assert len(store.order_ids()) == 21


def test_a_data_folder_that_is_a_file_is_a_storage_error(tmp_path: Path) -> None:
    blocker = tmp_path / "data"
    blocker.write_text("not a folder")
    with pytest.raises(StorageError) as caught:
        Store(blocker / "cache-acct.sqlite3")
    assert "cannot write its data folder" in caught.value.user_message


_READ_ONLY_CHILD = textwrap.dedent("""
    import sys
    from pathlib import Path
    from orderchamp_desktop.core.cache import Store
    from orderchamp_desktop.core.errors import StorageError
    try:
        Store(Path(sys.argv[1]))
    except StorageError as error:
        print("StorageError:", error.user_message)
    else:
        print("opened")
""")


_DROP_ROOT_POWERS = textwrap.dedent("""
    import ctypes, os, sys
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
        if libc.prctl(24, capability, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            sys.exit("cannot drop capability %d: errno %d" % (capability, ctypes.get_errno()))
    os.execv(sys.executable, [sys.executable, "-c", sys.argv[1], *sys.argv[2:]])
""")


def _run_as_unprivileged(folder: Path) -> str:
    """Open a cache in ``folder`` from a process that obeys file permissions.

    root ignores permissions through two capabilities; as root the child first drops them
    from its bounding set and re-executes itself, so it is refused like any user would be.
    """
    args = [sys.executable, "-c", _READ_ONLY_CHILD, str(folder / "cache-acct.sqlite3")]
    if os.geteuid() == 0:
        args = [sys.executable, "-c", _DROP_ROOT_POWERS, *args[2:]]
    result = subprocess.run(args, capture_output=True, text=True, timeout=60, check=False,
                            env=dict(os.environ, PYTHONPATH=str(REPO)))
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_a_read_only_data_folder_is_a_storage_error() -> None:
    root = Path(tempfile.mkdtemp(prefix="oc-ro-"))
    folder = root / "data"
    try:
        folder.mkdir()
        os.chmod(folder, 0o555)
        output = _run_as_unprivileged(folder)
        assert output.startswith("StorageError: The app cannot write its data folder"), output
        assert list(folder.iterdir()) == []
    finally:
        os.chmod(folder, 0o755)
        shutil.rmtree(root)


def test_a_read_only_cache_file_is_a_storage_error_on_write(tmp_path: Path) -> None:
    path = tmp_path / "cache-acct.sqlite3"
    Store(path).close()
    with Store(path) as store:
        store.connection.execute("PRAGMA query_only = ON")  # what a read-only file looks like to SQLite
        with pytest.raises(StorageError):
            store.apply_orders(orders(2))
        assert store.order_ids() == []


def test_one_instance_per_data_folder(tmp_path: Path) -> None:
    with InstanceLock(tmp_path) as lock:
        assert lock.held
        with pytest.raises(AlreadyRunningError) as caught:
            InstanceLock(tmp_path).acquire()
        assert "already running" in caught.value.user_message
    with InstanceLock(tmp_path) as again:  # released on exit
        assert again.held


_LOCK_HOLDER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from orderchamp_desktop.core.cache import InstanceLock
    lock = InstanceLock(Path(sys.argv[1]))
    lock.acquire()
    print("locked", flush=True)
    time.sleep(60)
""")


def test_another_process_holds_the_lock_until_it_is_killed(tmp_path: Path) -> None:
    child = subprocess.Popen([sys.executable, "-c", _LOCK_HOLDER, str(tmp_path)], stdout=subprocess.PIPE,
                             text=True, env=dict(os.environ, PYTHONPATH=str(REPO)))
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "locked"
        with pytest.raises(AlreadyRunningError):
            InstanceLock(tmp_path).acquire()
        assert (tmp_path / "instance.lock").read_text().strip() == str(child.pid)
    finally:
        child.kill()
        child.wait(timeout=10)
        if child.stdout is not None:
            child.stdout.close()
    with InstanceLock(tmp_path) as lock:  # a killed app leaves no stale lock
        assert lock.held


def test_two_stores_read_while_one_writes(tmp_path: Path) -> None:
    """The UI reads with its own Store while sync writes with another (WAL)."""
    path = tmp_path / "cache-acct.sqlite3"
    with Store(path) as writer, Store(path) as reader:
        writer.apply_orders(orders(10))
        with writer.transaction():
            writer.apply_orders(orders(30)[10:])
            assert len(reader.order_ids()) == 10  # uncommitted rows are invisible
        assert len(reader.order_ids()) == 30


def test_sqlite_errors_that_are_bugs_are_not_disguised(tmp_path: Path) -> None:
    with (Store(tmp_path / "cache-acct.sqlite3") as store, pytest.raises(sqlite3.OperationalError),
          store.transaction() as conn):
        conn.execute("SELECT no_such_column FROM orders")


def test_two_stores_opening_a_new_cache_at_once_migrate_it_once(tmp_path: Path) -> None:
    """The window and the sync worker open the cache together on first start."""
    import threading

    path = tmp_path / "cache-acct.sqlite3"
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def open_store() -> None:
        try:
            barrier.wait()
            Store(path).close()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=open_store) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with Store(path) as store:
        store.apply_orders(orders(2))
        assert len(store.order_ids()) == 2


def test_a_damaged_cache_opened_without_create_is_set_aside_and_not_replaced(tmp_path: Path) -> None:
    """An export must not report "0 orders" from a silently recreated empty cache."""
    path = tmp_path / "cache-acct.sqlite3"
    path.write_bytes(b"garbage\n" * 64)
    with pytest.raises(CacheCorruptError) as caught:
        Store(path, create=False)
    copy = caught.value.corrupt_copy
    assert copy is not None and copy.exists() and str(copy) in caught.value.user_message
    assert not path.exists()


_READ_ONLY_STORE_CHILD = textwrap.dedent("""
    import sys
    from pathlib import Path
    from orderchamp_desktop.core.cache import Store
    from orderchamp_desktop.core.errors import StorageError
    try:
        with Store(Path(sys.argv[1]), read_only=True) as store:
            print("orders:", len(store.order_ids()))
    except StorageError as error:
        print(type(error).__name__ + ":", error.user_message)
""")


def _read_only_child(cache: Path) -> str:
    """Open ``cache`` read-only from a process that obeys permissions (see _run_as_unprivileged)."""
    args = [sys.executable, "-c", _READ_ONLY_STORE_CHILD, str(cache)]
    if os.geteuid() == 0:
        args = [sys.executable, "-c", _DROP_ROOT_POWERS, *args[2:]]
    result = subprocess.run(args, capture_output=True, text=True, timeout=60, check=False,
                            env=dict(os.environ, PYTHONPATH=str(REPO)))
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.fixture
def read_only_folder() -> Iterator[Path]:
    root = Path(tempfile.mkdtemp(prefix="oc-ro-"))
    folder = root / "data"
    folder.mkdir()
    try:
        yield folder
    finally:
        os.chmod(folder, 0o755)
        shutil.rmtree(root)


def test_a_cache_in_a_read_only_folder_can_be_read(read_only_folder: Path) -> None:
    path = read_only_folder / "cache-acct.sqlite3"
    with Store(path) as store:
        store.apply_orders(orders(7))
    before = path.read_bytes()
    os.chmod(read_only_folder, 0o555)
    assert _read_only_child(path) == "orders: 7"
    assert [p.name for p in read_only_folder.iterdir()] == [path.name]
    assert path.read_bytes() == before


def test_a_damaged_cache_in_a_read_only_folder_is_reported_and_left_alone(read_only_folder: Path) -> None:
    path = read_only_folder / "cache-acct.sqlite3"
    path.write_bytes(b"garbage\n" * 64)
    os.chmod(read_only_folder, 0o555)
    output = _read_only_child(path)
    assert output.startswith("CacheCorruptError:") and "damaged" in output, output
    assert [p.name for p in read_only_folder.iterdir()] == [path.name]


def test_a_read_only_store_never_writes(tmp_path: Path) -> None:
    """Beside a running app (writable folder) too: no migration, no write gets through."""
    path = tmp_path / "cache-acct.sqlite3"
    with Store(path) as store:
        store.apply_orders(orders(3))
    with Store(path, read_only=True) as reader:
        assert len(reader.order_ids()) == 3
        with pytest.raises((StorageError, sqlite3.Error)):
            reader.apply_orders(orders(5))
    with pytest.raises(CacheMissingError):
        Store(tmp_path / "cache-other.sqlite3", read_only=True)
    assert not (tmp_path / "cache-other.sqlite3").exists()
