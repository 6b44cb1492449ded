"""Headless commands: sync, export, sandbox. No Qt is imported here.

Every failure the user can act on ends as one sentence on stderr and the KnownError's exit
code; an unexpected failure prints a short note and the log path, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import errno
import logging
import os
import sys
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import IO, TYPE_CHECKING

from orderchamp_desktop.core.errors import (
    AlreadyRunningError,
    AuthError,
    CacheCorruptError,
    DataFolderError,
    DiskFullError,
    KeychainTimeoutError,
    KeychainUnavailableError,
    KnownError,
    PortInUseError,
    Progress,
    StorageError,
)
from orderchamp_desktop.core.logs import register_secret, setup_logging
from orderchamp_desktop.core.paths import AppPaths, resolve_api_url
from orderchamp_desktop.core.profile import Profile, account_key_for, load_profile, save_profile
from orderchamp_desktop.core.secrets import Secrets

if TYPE_CHECKING:
    from orderchamp_desktop.core.cache import Store

log = logging.getLogger(__name__)

EXIT_BUG = 70  # EX_SOFTWARE
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE: what a shell reports for `cat big.csv | head`
_ADDRESS_ERRNOS = {errno.EADDRINUSE, errno.EACCES, errno.EADDRNOTAVAIL,
                   getattr(errno, "WSAEADDRINUSE", errno.EADDRINUSE),
                   getattr(errno, "WSAEACCES", errno.EACCES)}


class _Console:
    """stderr for people: progress redraws one line; anything else starts on a fresh one."""

    def __init__(self) -> None:
        self._mid_line = False

    def progress(self, progress: Progress) -> None:
        total = f"/{progress.total}" if progress.total is not None else ""
        print(f"\r{progress.entity}: {progress.done}{total}   ", end="", file=sys.stderr, flush=True)
        self._mid_line = True

    def say(self, text: str) -> None:
        if self._mid_line:  # Ctrl+C or an error during sync: not glued to "orders: 120/2000"
            print(file=sys.stderr)
            self._mid_line = False
        print(text, file=sys.stderr, flush=True)


def run_command(args: argparse.Namespace, *, secrets: Secrets | None = None) -> int:
    console = _Console()
    log_file: Path | None = None
    try:
        paths = AppPaths.resolve(args.data_dir)
        if args.command == "sandbox":
            return _run_sandbox(args)
        log_file = _prepare_folders(paths, reading_only=args.command == "export")
        if args.command == "sync":
            _require_writable(paths)
            return asyncio.run(_sync(args, paths, secrets or Secrets(), console))
        if args.command == "export":
            return _export(args, paths, console)
    except KnownError as error:
        console.say(error.user_message)
        log.info("command failed: %s", error)
        return error.exit_code
    except BrokenPipeError:  # `export ... | head`: the reader has all it wanted
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    except KeyboardInterrupt:
        console.say("Stopped. Everything downloaded so far is kept." if args.command == "sync"
                    else "Stopped.")
        return 130
    except Exception:
        log.exception("unexpected failure in %s", args.command)
        where = f"Details are in {log_file}." if log_file else "No log file could be written."
        console.say(f"Something unexpected went wrong; your data is safe. {where}")
        return EXIT_BUG
    raise AssertionError(f"unknown command {args.command!r}")


def _prepare_folders(paths: AppPaths, *, reading_only: bool) -> Path | None:
    """Create the data folders and start the log file; returns the log path.

    An export only reads, so an existing data folder that cannot be written (a read-only
    disk, a backup) is no reason to stop: it runs without a log file.
    """
    try:
        paths.ensure()
        return setup_logging(paths.log_dir)
    except DataFolderError:
        if reading_only and paths.data_dir.is_dir():
            return None
        raise


def _require_writable(paths: AppPaths) -> None:
    """Say so before going online: a sync into a folder it cannot write would fail at the end."""
    if not paths.data_dir_writable():
        raise StorageError(f"Orderchamp Desktop cannot write its data folder {paths.data_dir}. "
                           "Make it writable, or choose another folder with --data-dir.")


def _silence_stdout() -> None:
    """Point stdout at the null device, so the flush at exit does not complain again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # no real stdout to redirect: nothing will be flushed
        pass


def _run_sandbox(args: argparse.Namespace) -> int:
    from orderchamp_desktop.sandbox import SandboxConfig, run_standalone

    config = SandboxConfig(seed=args.seed, orders=args.orders, products=args.products,
                           restore_rate=args.restore_rate)
    try:
        run_standalone(args.port, config)
    except OSError as exc:
        if exc.errno not in _ADDRESS_ERRNOS:
            raise
        in_use = exc.errno in (errno.EADDRINUSE, getattr(errno, "WSAEADDRINUSE", errno.EADDRINUSE))
        raise PortInUseError(args.port, None if in_use else exc.strerror) from exc
    return 0


# ---------------------------------------------------------------------- sync


def _resolve_token(secrets: Secrets, profile: Profile | None) -> str:
    token = secrets.env_token()
    if token:
        return token
    if profile is not None:
        try:
            stored = secrets.get_token(profile.account_key)
        except KeychainUnavailableError as error:
            raise _keychain_error(error) from error
        if stored:
            return stored
    raise AuthError("No API token is set up yet. Open Orderchamp Desktop and connect your account, "
                    "or set ORDERCHAMP_TOKEN.")


def _keychain_error(error: KeychainUnavailableError) -> KeychainUnavailableError:
    """The CLI's wording: no "this session only" choice here, ORDERCHAMP_TOKEN instead."""
    if isinstance(error, KeychainTimeoutError):
        text = ("The system keychain did not answer, so the saved API token could not be read. "
                "Unlock the keychain and try again, or set ORDERCHAMP_TOKEN to run without it "
                "(the way to go for scripts and scheduled tasks).")
    else:
        text = ("No system keychain is available, so the saved API token cannot be read. "
                "Set ORDERCHAMP_TOKEN to run without it (the way to go for scripts and "
                "scheduled tasks).")
    return KeychainUnavailableError(text, detail=error.detail)


async def _sync(args: argparse.Namespace, paths: AppPaths, secrets: Secrets, console: _Console) -> int:
    from orderchamp_desktop.core.api import ApiClient
    from orderchamp_desktop.core.cache import InstanceLock
    from orderchamp_desktop.core.sync import Syncer

    profile = load_profile(paths)
    api_url = resolve_api_url(args.api_url or (profile.api_url if profile else None))
    token = _resolve_token(secrets, profile)
    register_secret(token)  # whatever gets logged from here on, this value is masked
    client = ApiClient(api_url, token)
    try:
        account = (await client.query("Account"))["account"]
        key = account_key_for(str(account["id"]))
        if profile is None or profile.account_key != key:
            save_profile(paths, Profile(key, str(account.get("name") or ""), api_url))
        with InstanceLock(paths.data_dir):
            # The Syncer loads the live schema itself (cached per account), and syncs with the
            # documented API alone when the server refuses introspection. A damaged cache it
            # sets aside, starting over with a full download: the user is told where it went.
            syncer = Syncer(client, paths.cache_file(key), on_progress=console.progress,
                            schema_dir=paths.schema_dir, account_key=key,
                            on_damaged=lambda copy: _say_set_aside(console, copy))
            result = await syncer.run(full=True if args.full else None)
        console.say(f"Synced {account.get('name') or 'your account'}: {result.summary()}")
        return 0
    finally:
        await client.aclose()


def _say_set_aside(console: _Console, copy: Path) -> None:
    console.say(f"The local copy of your data was damaged. It was set aside as {copy}; "
                "a fresh copy is being downloaded from Orderchamp now.")


# ---------------------------------------------------------------------- export


def _export(args: argparse.Namespace, paths: AppPaths, console: _Console) -> int:
    from orderchamp_desktop.core.documents.export import export

    store = _open_for_export(paths, _cache_to_read(paths))
    try:
        target: AbstractContextManager[IO[str]] = (
            _open_output(Path(args.output)) if args.output else nullcontext(sys.stdout))
        try:
            with target as stream:
                count = export(store, args.kind, args.format, stream)
        except BrokenPipeError:
            raise
        except OSError as exc:  # closing flushes the last block: a full disk can show up here
            raise _storage_error(exc, args.output) from exc
    finally:
        store.close()
    if args.output:
        console.say(f"Wrote {count} {args.kind} to {args.output}.")
    return 0


def _open_for_export(paths: AppPaths, cache: Path) -> Store:
    """The cache, for reading: an export never creates, replaces or migrates beside the app.

    Read-only when the folder or file cannot be written, or when the app has the folder
    open (it owns any repair then). Otherwise the instance lock is held while opening, so
    a damaged file is set aside, or an old one migrated, with no app looking at it.
    """
    from orderchamp_desktop.core.cache import InstanceLock, Store

    if not paths.data_dir_writable() or not os.access(cache, os.W_OK):
        return Store(cache, read_only=True)
    lock = InstanceLock(paths.data_dir)
    try:
        lock.acquire()
    except AlreadyRunningError:
        return Store(cache, read_only=True)
    try:
        return Store(cache, create=False)
    except CacheCorruptError as error:
        raise _corrupt_for_export(error, cache) from error
    finally:
        lock.release()


def _corrupt_for_export(error: CacheCorruptError, cache: Path) -> CacheCorruptError:
    where = (f"It was set aside as {error.corrupt_copy}." if error.corrupt_copy
             else f"It is {cache}.")
    return CacheCorruptError(
        f"The local copy of your data is damaged, so nothing was exported. {where} "
        "Run `orderchamp-desktop sync` to download a fresh copy, then export again.",
        detail=error.detail, corrupt_copy=error.corrupt_copy)


def _open_output(path: Path) -> IO[str]:
    try:
        return path.open("w", encoding="utf-8", newline="")
    except OSError as exc:
        raise _storage_error(exc, str(path)) from exc


def _storage_error(exc: OSError, where: str | None) -> StorageError:
    if exc.errno == errno.ENOSPC:
        return DiskFullError(detail=str(exc))
    return StorageError(f"Cannot write {where or 'the output'}: {exc.strerror or exc}. "
                        "Choose another file or folder.")


def _cache_to_read(paths: AppPaths) -> Path:
    """The signed-in account's cache, or the only cache present."""
    profile = load_profile(paths)
    if profile is not None and paths.cache_file(profile.account_key).exists():
        return paths.cache_file(profile.account_key)
    caches = sorted(paths.data_dir.glob("cache-*.sqlite3"))
    if len(caches) == 1:
        return caches[0]
    raise StorageError("There is no cached data to export yet. Run `orderchamp-desktop sync` "
                       "first (or open the app once while online).")
