"""Opening the cache file: permissions, corruption, version checks, migrations, transactions."""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Self

from orderchamp_desktop.core.cache import files
from orderchamp_desktop.core.cache.schema import LATEST_VERSION, MIGRATIONS, split_statements
from orderchamp_desktop.core.cache.search import index_terms
from orderchamp_desktop.core.errors import CacheCorruptError, CacheTooNewError, StorageError

log = logging.getLogger(__name__)

BUSY_TIMEOUT_S = 5.0


class CacheMissingError(StorageError):
    default_message = (
        "There is no local copy of your Orderchamp data yet. Connect to Orderchamp and "
        "sync once; after that it works offline."
    )


def _too_new(path: Path, version: int) -> CacheTooNewError:
    return CacheTooNewError(detail=f"{path} has version {version}, this app knows {LATEST_VERSION}")


class StoreBase:
    """Connection handling shared by the read and write halves of :class:`Store`."""

    def __init__(self, path: Path, *, create: bool = True, check_same_thread: bool = True,
                 verify: bool = True, read_only: bool = False) -> None:
        self.path = Path(path)
        self.recovered_from_corruption = False
        self.corrupt_copy: Path | None = None
        self.migration_backup: Path | None = None
        self.read_only = read_only
        self._check_same_thread = check_same_thread
        self._depth = 0
        self._commits = 0  # own commits: PRAGMA data_version only counts other connections
        self._conn = self._open_read_only(verify) if read_only else self._open(create=create, verify=verify)

    # ------------------------------------------------------------------ life cycle
    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    @property
    def connection(self) -> sqlite3.Connection:
        """The raw connection, for diagnostics and benchmarks; views use the typed methods."""
        return self._conn

    def data_version(self) -> tuple[int, int]:
        """Changes whenever anyone committed to the file: a key for caches of query results."""
        return int(self._conn.execute("PRAGMA data_version").fetchone()[0]), self._commits

    @property
    def schema_version(self) -> int:
        return int(self._conn.execute("PRAGMA user_version").fetchone()[0])

    # ------------------------------------------------------------------ opening
    def _open(self, *, create: bool, verify: bool) -> sqlite3.Connection:
        if not self.path.exists():
            if not create:
                raise CacheMissingError(detail=str(self.path))
            files.create_private_file(self.path)
        files.tighten_modes(self.path)
        looks_like_sqlite, version = files.read_header(self.path)
        if looks_like_sqlite and version > LATEST_VERSION:
            raise _too_new(self.path, version)
        conn = self._probe(verify) if looks_like_sqlite else None
        if conn is None:
            conn = self._recover(replace=create)
        try:
            self._prepare(conn)
        except BaseException:
            conn.close()
            raise
        files.tighten_modes(self.path)
        return conn

    def _open_read_only(self, verify: bool) -> sqlite3.Connection:
        """Open for reading only: no file is created, moved, migrated or switched to WAL.

        For a folder that cannot be written (a read-only disk, a backup, another user's
        data): exporting still works. A damaged or outdated file is reported, never changed.
        """
        if not self.path.exists():
            raise CacheMissingError(detail=str(self.path))
        looks_like_sqlite, version = files.read_header(self.path)
        if looks_like_sqlite and version > LATEST_VERSION:
            raise _too_new(self.path, version)
        conn = self._probe(verify) if looks_like_sqlite else None
        if conn is None:
            raise CacheCorruptError(
                f"The local copy of your data ({self.path}) is damaged. It was opened for reading "
                "only, so it was left as it is; sync again where the folder can be written.",
                detail=str(self.path))
        try:
            self._check_readable_version(conn)
            conn.execute("PRAGMA query_only=ON")  # belt and braces: this connection never writes
            conn.execute("PRAGMA temp_store=MEMORY")
        except BaseException:
            conn.close()
            raise
        return conn

    def _check_readable_version(self, conn: sqlite3.Connection) -> None:
        """A read-only cache cannot be migrated: an empty or older file cannot be read."""
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if version == 0:
            raise CacheMissingError(detail=f"{self.path} is empty")
        if version < LATEST_VERSION:
            raise StorageError(
                f"The local data in {self.path.parent} comes from an older version of the app and "
                "must be updated before it can be read, which cannot happen while it is opened "
                "for reading only. Make the folder writable (and close the app), then try again.",
                detail=f"{self.path} has version {version}")

    def _connect(self) -> sqlite3.Connection:
        target: str | Path = self.path
        if self.read_only:
            target = files.read_only_uri(self.path)
        try:
            conn = sqlite3.connect(target, isolation_level=None, timeout=BUSY_TIMEOUT_S,
                                   check_same_thread=self._check_same_thread, uri=self.read_only)
        except sqlite3.Error as exc:
            raise files.storage_error(exc, self.path) from exc
        conn.create_function("oc_terms", 1, index_terms, deterministic=True)
        return conn

    def _probe(self, verify: bool) -> sqlite3.Connection | None:
        """Open and check the file; None when it is corrupt (the caller sets it aside)."""
        conn = self._connect()
        try:
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            if version > LATEST_VERSION:  # e.g. a newer app's migration still in the WAL
                conn.close()
                raise _too_new(self.path, version)
            if verify and version > 0:
                result = conn.execute("PRAGMA quick_check").fetchall()
                if [tuple(r) for r in result] != [("ok",)]:
                    log.error("cache %s failed its check: %s", self.path, result[:5])
                    conn.close()
                    return None
        except sqlite3.DatabaseError as exc:
            conn.close()
            if files.is_corruption(exc):
                log.error("cache %s is damaged: %s", self.path, exc)
                return None
            raise files.storage_error(exc, self.path) from exc
        return conn

    def _recover(self, *, replace: bool) -> sqlite3.Connection:
        """Set a damaged file aside and start an empty cache in its place.

        With ``replace`` False (``create=False``: the caller wants existing data, e.g. an
        export) no empty cache is made: CacheCorruptError says where the damaged copy went.
        """
        self.corrupt_copy = files.set_aside(self.path, "corrupt")
        self.recovered_from_corruption = True
        if not replace:
            log.warning("damaged cache moved to %s; not replaced (create=False)", self.corrupt_copy)
            raise CacheCorruptError(
                f"The local copy of your data was damaged. It was set aside as {self.corrupt_copy}; "
                "sync with Orderchamp to download a fresh copy.",
                detail=str(self.path), corrupt_copy=self.corrupt_copy)
        log.warning("damaged cache moved to %s; starting a fresh one", self.corrupt_copy)
        files.create_private_file(self.path)
        conn = self._connect()
        try:
            conn.execute("PRAGMA user_version").fetchone()
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise CacheCorruptError(
                "The local copy of your data is damaged and could not be replaced. "
                "Check the disk, then start the app again.", detail=str(exc)) from exc
        return conn

    def _prepare(self, conn: sqlite3.Connection) -> None:
        try:
            _enter_wal(conn)
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA temp_store=MEMORY")
            conn.execute("PRAGMA cache_size=-16000")  # 16 MB: the order table's hot pages
            self._migrate(conn)
        except sqlite3.Error as exc:
            if files.is_storage_failure(exc) or files.is_corruption(exc):
                raise files.storage_error(exc, self.path) from exc
            raise  # a broken migration is our bug, not the user's disk

    def _migrate(self, conn: sqlite3.Connection) -> None:
        """Bring the file to LATEST_VERSION in one transaction (all steps or none).

        The version is read again under the write lock: the UI and the sync writer may open
        a brand-new cache at the same moment, and only one of them may migrate it.
        """
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if version >= LATEST_VERSION:
            return
        if version > 0:
            self.migration_backup = files.backup_copy(conn, self.path, version)
        conn.execute("BEGIN IMMEDIATE")
        try:
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            if version > 0:
                log.info("migrating cache %s from v%d to v%d (backup %s)", self.path, version,
                         LATEST_VERSION, self.migration_backup)
            for number in range(version + 1, LATEST_VERSION + 1):
                for statement in split_statements(MIGRATIONS[number - 1]):
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {max(version, LATEST_VERSION)}")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    # ------------------------------------------------------------------ transactions
    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; nested uses join the outer one.

        A crash or kill inside leaves the database as it was before: this is how a fetched
        page and its resume cursor land together or not at all.
        """
        if self._depth:
            self._depth += 1
            try:
                yield self._conn
            finally:
                self._depth -= 1
            return
        self._execute_control("BEGIN IMMEDIATE")
        self._depth = 1
        try:
            yield self._conn
        except BaseException as exc:
            self._rollback()
            if isinstance(exc, sqlite3.Error) and files.is_storage_failure(exc):
                raise files.storage_error(exc, self.path) from exc
            raise
        else:
            self._execute_control("COMMIT")
            self._commits += 1
        finally:
            self._depth = 0

    def _execute_control(self, statement: str) -> None:
        try:
            self._conn.execute(statement)
        except sqlite3.Error as exc:
            if self._conn.in_transaction:
                self._rollback()
            raise files.storage_error(exc, self.path) from exc

    def _rollback(self) -> None:
        try:
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
        except sqlite3.Error as exc:  # the connection is unusable; the file is still intact
            log.error("rollback failed on %s: %s", self.path, exc)


def _enter_wal(conn: sqlite3.Connection) -> None:
    """Switch to WAL, waiting out another connection that is opening the same new file.

    The journal-mode change needs an exclusive lock and, unlike ordinary statements, can
    answer "database is locked" at once instead of going through the busy timeout: the
    window and the sync worker open a brand-new cache together on first start.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    while True:
        try:
            conn.execute("PRAGMA journal_mode=WAL").fetchone()
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() >= deadline:
                raise
            time.sleep(0.01)

