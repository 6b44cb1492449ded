"""Headless commands: sync, export, sandbox. No Qt is imported here.

Every failure the user can act on ends as one sentence on stderr and the KnownError's exit
code; an unexpected failure prints a short note and the log path, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import errno
import logging
import sys
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import IO

from orderchamp_desktop.core.errors import AuthError, DiskFullError, KnownError, Progress, StorageError
from orderchamp_desktop.core.logs import register_secret, setup_logging
from orderchamp_desktop.core.paths import AppPaths, resolve_api_url
from orderchamp_desktop.core.profile import Profile, account_key_for, load_profile, save_profile
from orderchamp_desktop.core.secrets import Secrets

log = logging.getLogger(__name__)

EXIT_BUG = 70  # EX_SOFTWARE


def run_command(args: argparse.Namespace, *, secrets: Secrets | None = None) -> int:
    paths = AppPaths.resolve(args.data_dir)
    log_file: Path | str = "the log file"
    try:
        if args.command == "sandbox":
            return _run_sandbox(args)
        paths.ensure()
        log_file = setup_logging(paths.log_dir)
        if args.command == "sync":
            return asyncio.run(_sync(args, paths, secrets or Secrets()))
        if args.command == "export":
            return _export(args, paths)
    except KnownError as error:
        print(error.user_message, file=sys.stderr)
        log.info("command failed: %s", error)
        return error.exit_code
    except KeyboardInterrupt:
        print("Stopped. Everything downloaded so far is kept.", file=sys.stderr)
        return 130
    except Exception:
        log.exception("unexpected failure in %s", args.command)
        print("Something unexpected went wrong; your data is safe. "
              f"Details are in {log_file}.", file=sys.stderr)
        return EXIT_BUG
    raise AssertionError(f"unknown command {args.command!r}")


def _run_sandbox(args: argparse.Namespace) -> int:
    from orderchamp_desktop.sandbox import SandboxConfig, run_standalone

    config = SandboxConfig(seed=args.seed, orders=args.orders, products=args.products,
                           restore_rate=args.restore_rate)
    run_standalone(args.port, config)
    return 0


def _resolve_token(secrets: Secrets, profile: Profile | None) -> str:
    token = secrets.env_token()
    if token:
        return token
    if profile is not None:
        stored = secrets.get_token(profile.account_key)
        if stored:
            return stored
    raise AuthError("No API token is set up yet. Open Orderchamp Desktop and connect your account, "
                    "or set ORDERCHAMP_TOKEN.")


def _print_progress(progress: Progress) -> None:
    total = f"/{progress.total}" if progress.total is not None else ""
    print(f"\r{progress.entity}: {progress.done}{total}   ", end="", file=sys.stderr, flush=True)


async def _sync(args: argparse.Namespace, paths: AppPaths, secrets: Secrets) -> int:
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
            await client.load_schema(paths.schema_dir, key)
            syncer = Syncer(client, paths.cache_file(key), on_progress=_print_progress)
            result = await syncer.run(full=True if args.full else None)
        print(file=sys.stderr)
        print(f"Synced {account.get('name') or 'your account'}: {result.summary()}", file=sys.stderr)
        return 0
    finally:
        await client.aclose()


def _export(args: argparse.Namespace, paths: AppPaths) -> int:
    from orderchamp_desktop.core.cache import Store
    from orderchamp_desktop.core.documents.export import export

    cache = _cache_to_read(paths)
    store = Store(cache, create=False)
    try:
        target: AbstractContextManager[IO[str]] = (
            _open_output(Path(args.output)) if args.output else nullcontext(sys.stdout))
        try:
            with target as stream:
                count = export(store, args.kind, args.format, stream)
        except OSError as exc:  # closing flushes the last block: a full disk can show up here
            raise _storage_error(exc, args.output) from exc
    finally:
        store.close()
    if args.output:
        print(f"Wrote {count} {args.kind} to {args.output}.", file=sys.stderr)
    return 0


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
