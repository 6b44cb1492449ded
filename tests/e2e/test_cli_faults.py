"""The headless CLI when the world misbehaves: damaged cache, unusable folders, hung keychain.

Real subprocesses against the real sandbox, as in test_cli.py; the faults are real too
(a file in the way, a read-only bind mount, /dev/full, a keyring backend that never answers).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.children import REPO, child_env, run_python
from tests.e2e.read_only import make_writable_again, read_only_prefix

pytestmark = pytest.mark.e2e

def _run(*args: str, token: str | None = None, prefix: tuple[str, ...] = (), timeout: float = 120,
         **extra_env: str) -> subprocess.CompletedProcess[str]:
    """The CLI exactly as typed: the arguments in the order given (no --data-dir added)."""
    return run_python("-m", "orderchamp_desktop", *args, token=token, prefix=prefix, timeout=timeout,
                      **extra_env)


def _sync(server: Any, data: Path) -> None:
    synced = _run("--data-dir", str(data), "--api-url", server.url, "sync", token=server.token)
    assert synced.returncode == 0, synced.stderr


def _caches(data: Path) -> list[Path]:
    return sorted(data.glob("cache-*.sqlite3"))


def _damage(data: Path) -> bytes:
    (cache,) = _caches(data)
    garbage = b"garbage\n" * 64
    cache.write_bytes(garbage)
    return garbage


# ---------------------------------------------------------------------- a damaged cache


def test_export_of_a_damaged_cache_says_so_and_creates_nothing(small_sandbox: Any, tmp_path: Path) -> None:
    data = tmp_path / "data"
    _sync(small_sandbox, data)
    garbage = _damage(data)
    out = tmp_path / "orders.csv"
    result = _run("--data-dir", str(data), "export", "orders", "-o", str(out))
    assert result.returncode == 9, result.stderr
    assert "damaged" in result.stderr and "orderchamp-desktop sync" in result.stderr
    assert "Wrote" not in result.stderr and not out.exists()
    assert _caches(data) == []  # no empty cache that a later export would report as 0 orders
    (copy,) = data.glob("cache-*.sqlite3.corrupt-*")
    assert str(copy) in result.stderr.replace("\n", "")
    assert copy.read_bytes() == garbage


def test_sync_of_a_damaged_cache_says_so_then_downloads_everything(small_sandbox: Any,
                                                                    tmp_path: Path) -> None:
    data = tmp_path / "data"
    _sync(small_sandbox, data)
    _damage(data)
    result = _run("--data-dir", str(data), "--api-url", small_sandbox.url, "sync", token=small_sandbox.token)
    assert result.returncode == 0, result.stderr
    assert "damaged" in result.stderr and "set aside as" in result.stderr
    assert len(list(data.glob("cache-*.sqlite3.corrupt-*"))) == 1
    exported = _run("--data-dir", str(data), "export", "orders", "--format", "json")
    assert len(json.loads(exported.stdout)) == small_sandbox.config.orders


# ---------------------------------------------------------------------- folders that cannot be used


@pytest.mark.parametrize("command", [("export", "orders"), ("sync",)])
def test_a_data_folder_that_cannot_be_created_is_named(tmp_path: Path, command: tuple[str, ...]) -> None:
    (tmp_path / "blocker").write_text("a file, not a folder")
    folder = tmp_path / "blocker" / "data"
    result = _run("--data-dir", str(folder), *command, token="anything")
    assert result.returncode == 9, result.stderr
    assert str(folder) in result.stderr and "--data-dir" in result.stderr
    assert "Traceback" not in result.stderr and "unexpected" not in result.stderr


def test_export_works_from_a_read_only_data_folder(small_sandbox: Any, tmp_path: Path) -> None:
    data = tmp_path / "data"
    _sync(small_sandbox, data)
    before = sorted(p.name for p in data.rglob("*"))
    out = tmp_path / "orders.json"
    try:
        result = _run("--data-dir", str(data), "export", "orders", "--format", "json", "-o", str(out),
                      prefix=read_only_prefix(data))
    finally:
        make_writable_again(data)
    assert result.returncode == 0, result.stderr
    assert len(json.loads(out.read_text(encoding="utf-8"))) == small_sandbox.config.orders
    assert "Logging error" not in result.stderr and "Traceback" not in result.stderr
    assert sorted(p.name for p in data.rglob("*")) == before  # nothing made, moved or removed


def test_a_log_file_on_a_full_disk_does_not_bury_the_message(small_sandbox: Any, tmp_path: Path) -> None:
    """/dev/full refuses every write with ENOSPC: as a log file it fails on every record."""
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full on this platform")
    data = tmp_path / "data"
    _sync(small_sandbox, data)
    log_file = data / "logs" / "orderchamp-desktop.log"
    for old in log_file.parent.iterdir():
        old.unlink()
    log_file.symlink_to("/dev/full")
    result = _run("--data-dir", str(data), "export", "orders", "-o", "/dev/full")
    assert result.returncode == 9
    assert "--- Logging error ---" not in result.stderr and "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines[0].startswith("The disk is full.")
    assert len(lines) <= 2, result.stderr  # the sentence, and at most one calm note about the log


# ---------------------------------------------------------------------- keychain, options, pipes


SLOW_KEYRING = '''
import time
from keyring.backend import KeyringBackend

class Slow(KeyringBackend):
    """A Secret Service that never answers (a locked or hung keychain daemon)."""
    priority = 1
    def get_password(self, service, username):
        time.sleep(60)
    def set_password(self, service, username, password):
        time.sleep(60)
    def delete_password(self, service, username):
        time.sleep(60)
'''


def test_a_hung_keychain_does_not_hold_up_the_exit(tmp_path: Path) -> None:
    (tmp_path / "slow_keyring.py").write_text(SLOW_KEYRING, encoding="utf-8")
    data = tmp_path / "data"
    (data / "config").mkdir(parents=True)
    (data / "config" / "profile.json").write_text(json.dumps(
        {"account_key": "acct", "account_name": "Studio", "api_url": "http://127.0.0.1:9/v1/graphql"}))
    started = time.monotonic()
    result = _run("--data-dir", str(data), "sync", timeout=90,
                  PYTHONPATH=f"{tmp_path}{os.pathsep}{REPO}", PYTHON_KEYRING_BACKEND="slow_keyring.Slow")
    elapsed = time.monotonic() - started
    assert result.returncode == 12, result.stderr
    assert "keychain did not answer" in result.stderr and "ORDERCHAMP_TOKEN" in result.stderr
    assert elapsed < 20, f"exit took {elapsed:.1f} s: the hung keychain call was waited for"


def test_global_options_work_after_the_command_too(small_sandbox: Any, tmp_path: Path) -> None:
    data = tmp_path / "data"
    synced = _run("sync", "--data-dir", str(data), "--api-url", small_sandbox.url, token=small_sandbox.token)
    assert synced.returncode == 0, synced.stderr
    exported = _run("export", "orders", "--format", "json", "--data-dir", str(data))
    assert exported.returncode == 0, exported.stderr
    assert len(json.loads(exported.stdout)) == small_sandbox.config.orders


def test_a_reader_that_stops_early_ends_the_export_quietly(small_sandbox: Any, tmp_path: Path) -> None:
    """`export orders | head`: the pipe closes after the first bytes (the JSON is ~0.5 MB)."""
    data = tmp_path / "data"
    _sync(small_sandbox, data)
    process = subprocess.Popen(
        [sys.executable, "-m", "orderchamp_desktop", "--data-dir", str(data), "export", "orders",
         "--format", "json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=child_env(None), cwd=REPO)
    assert process.stdout is not None and process.stderr is not None
    assert process.stdout.read(100)
    process.stdout.close()
    stderr = process.stderr.read().decode()
    process.stderr.close()
    assert process.wait(timeout=60) in (0, 141)
    assert stderr == ""


def test_sandbox_on_a_port_in_use_says_so(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = _run("sandbox", "--port", str(port), "--orders", "5", "--products", "3")
    assert result.returncode == 13, result.stderr
    assert f"Port {port} is in use" in result.stderr and "--port 0" in result.stderr
    assert "Traceback" not in result.stderr


# ---------------------------------------------------------------------- Ctrl+C


@pytest.fixture
def slow_sandbox() -> Iterator[Any]:
    """A sandbox paced like the live API, so a sync is still running when we interrupt it."""
    from orderchamp_desktop.sandbox import SandboxConfig, SandboxServer

    with SandboxServer(SandboxConfig(seed=7, products=20, orders=1500, restore_rate=50.0)) as server:
        yield server


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child process is POSIX")
def test_stopped_starts_on_its_own_line_after_progress(slow_sandbox: Any, tmp_path: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "orderchamp_desktop", "--data-dir", str(tmp_path / "data"),
         "--api-url", slow_sandbox.url, "sync"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        env=child_env(slow_sandbox.token), cwd=REPO)
    assert process.stderr is not None
    seen = bytearray()
    progressing = threading.Event()

    def read() -> None:
        assert process.stderr is not None
        while chunk := process.stderr.read1(4096):
            seen.extend(chunk)
            if b"orders: " in seen:
                progressing.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        assert progressing.wait(60), seen.decode()
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 130
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    reader.join(10)
    process.stderr.close()
    lines = seen.decode().split("\n")
    assert any(line.startswith("Stopped.") for line in lines), seen.decode()
    assert "Traceback" not in seen.decode()


def test_sync_into_a_read_only_data_folder_says_so_before_going_online(tmp_path: Path) -> None:
    data = tmp_path / "data"
    for folder in ("logs", "config", "schemas"):
        (data / folder).mkdir(parents=True)
    prefix = read_only_prefix(data)
    try:
        result = _run("--data-dir", str(data), "--api-url", "http://127.0.0.1:9/v1/graphql", "sync",
                      token="anything", prefix=prefix)
    finally:
        make_writable_again(data)
    assert result.returncode == 9, result.stderr  # not 4: nothing was sent before the check
    assert f"cannot write its data folder {data}" in result.stderr
    assert "Traceback" not in result.stderr
