"""File-level care for the cache: owner-only files, set-aside copies, error translation.

SQLite creates the database, ``-wal`` and ``-shm`` files itself, with the process umask.
We create the database file first with mode 0600 so nobody else on a shared machine can
read a brand's orders; SQLite gives its side files the database file's permissions.
"""

from __future__ import annotations

import errno
import logging
import os
import sqlite3
import time
from pathlib import Path

from orderchamp_desktop.core.errors import CacheCorruptError, DiskFullError, StorageError
from orderchamp_desktop.core.paths import folder_writable

log = logging.getLogger(__name__)

SQLITE_HEADER = b"SQLite format 3\x00"
SIDE_SUFFIXES = ("-wal", "-shm", "-journal")
FILE_MODE = 0o600

# Primary SQLite result codes (extended codes keep them in the low byte).
_SQLITE_PERM = 3
_SQLITE_BUSY = 5
_SQLITE_LOCKED = 6
_SQLITE_READONLY = 8
_SQLITE_IOERR = 10
_SQLITE_CORRUPT = 11
_SQLITE_FULL = 13
_SQLITE_CANTOPEN = 14
_SQLITE_NOTADB = 26

_STORAGE_CODES = {_SQLITE_PERM, _SQLITE_READONLY, _SQLITE_IOERR, _SQLITE_CANTOPEN,
                  _SQLITE_BUSY, _SQLITE_LOCKED}
_DISK_FULL_ERRNOS = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}


def sqlite_code(error: sqlite3.Error) -> int:
    """The primary result code of a sqlite3 error (0 when Python did not attach one)."""
    code = getattr(error, "sqlite_errorcode", None)
    return int(code) & 0xFF if isinstance(code, int) else 0


def is_corruption(error: sqlite3.Error) -> bool:
    """True when SQLite says the file is not a database or its pages are damaged."""
    if sqlite_code(error) in (_SQLITE_CORRUPT, _SQLITE_NOTADB):
        return True
    text = str(error).lower()
    return "not a database" in text or "malformed" in text


def storage_error(error: BaseException, path: Path) -> StorageError:
    """Translate a low-level failure into the sentence a shop owner can act on."""
    detail = f"{path}: {error}"
    if isinstance(error, OSError):
        if error.errno in _DISK_FULL_ERRNOS:
            return DiskFullError(detail=detail)
        return StorageError(detail=detail)
    if isinstance(error, sqlite3.Error):
        if sqlite_code(error) == _SQLITE_FULL or "database or disk is full" in str(error):
            return DiskFullError(detail=detail)
        if is_corruption(error):
            return CacheCorruptError(detail=detail)
        if sqlite_code(error) in (_SQLITE_BUSY, _SQLITE_LOCKED):
            return StorageError(
                "The local data is busy in another window or program. Close it and try again.",
                detail=detail,
            )
    return StorageError(detail=detail)


def is_storage_failure(error: sqlite3.Error) -> bool:
    """True for failures of the disk or folder (not of our SQL): report, do not crash."""
    if sqlite_code(error) in _STORAGE_CODES or sqlite_code(error) == _SQLITE_FULL:
        return True
    text = str(error).lower()
    return any(s in text for s in ("disk is full", "readonly", "read-only", "unable to open", "disk i/o"))


def create_private_file(path: Path) -> None:
    """Create ``path`` empty with mode 0600 if it does not exist (never truncate)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        return
    except OSError as exc:
        raise storage_error(exc, path) from exc
    os.close(fd)


def tighten_modes(path: Path) -> None:
    """Make the database and any side files owner-only (older files may be too open)."""
    for candidate in (path, *(side_file(path, s) for s in SIDE_SUFFIXES)):
        try:
            if candidate.exists() and (candidate.stat().st_mode & 0o777) != FILE_MODE:
                os.chmod(candidate, FILE_MODE)
        except OSError as exc:  # not ours to fix (another owner); the open will tell
            log.warning("cannot restrict permissions of %s: %s", candidate, exc)


def side_file(path: Path, suffix: str) -> Path:
    return path.with_name(path.name + suffix)


def read_only_uri(path: Path) -> str:
    """The SQLite URI that opens ``path`` for reading only.

    In WAL mode even a reader needs the ``-shm`` file, and SQLite cannot make one in a
    folder it may not write. There, with no ``-wal`` file either, the file is opened as
    immutable: no process can be changing it, since a writer would need a ``-wal`` file in
    that same folder. Otherwise (a writable folder, or a ``-wal`` left to read) ``mode=ro``.
    """
    uri = path.absolute().as_uri() + "?mode=ro"
    if not folder_writable(path.parent) and not side_file(path, "-wal").exists():
        uri += "&immutable=1"
    return uri


def read_header(path: Path) -> tuple[bool, int]:
    """(looks like SQLite, user_version) read straight from the file header.

    Reading the header needs no SQLite connection, so a file from a newer app version can
    be refused before anything could checkpoint or rewrite it. An empty file counts as a
    valid, new database (SQLite writes the header on the first write).
    """
    try:
        with path.open("rb") as handle:
            head = handle.read(100)
    except OSError as exc:
        raise storage_error(exc, path) from exc
    if not head:
        return True, 0
    if len(head) < 100 or not head.startswith(SQLITE_HEADER):
        return False, 0
    return True, int.from_bytes(head[60:64], "big", signed=True)


def set_aside(path: Path, label: str) -> Path:
    """Rename the file (and its side files) to ``<name>.<label>-<timestamp>``; return the new path."""
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
    target = path.with_name(f"{path.name}.{label}-{stamp}")
    counter = 1
    while target.exists():
        target = path.with_name(f"{path.name}.{label}-{stamp}-{counter}")
        counter += 1
    try:
        os.replace(path, target)
        for suffix in SIDE_SUFFIXES:
            side = side_file(path, suffix)
            if side.exists():
                os.replace(side, side_file(target, suffix))
    except OSError as exc:
        raise storage_error(exc, path) from exc
    return target


def backup_copy(conn: sqlite3.Connection, path: Path, old_version: int) -> Path:
    """A consistent copy of the open database before a migration changes it."""
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
    target = path.with_name(f"{path.name}.v{old_version}-backup-{stamp}")
    create_private_file(target)
    try:
        with sqlite3.connect(target) as dest:
            conn.backup(dest)
        dest.close()
    except (sqlite3.Error, OSError) as exc:
        raise storage_error(exc, target) from exc
    return target
