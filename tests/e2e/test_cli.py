"""The headless CLI as a user runs it: a real subprocess against the sandbox over HTTP."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.e2e


def _cli(*args: str, token: str | None, data_dir: Path,
         timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ORDERCHAMP")}
    if token is not None:
        env["ORDERCHAMP_TOKEN"] = token
    return subprocess.run(
        [sys.executable, "-m", "orderchamp_desktop", "--data-dir", str(data_dir), *args],
        capture_output=True, text=True, env=env, timeout=timeout, check=False,
    )


def _total_orders(server: Any) -> int:
    query = "{ orders(first: 1, includeUnconfirmed: true, includeCancelled: true) { totalCount } }"
    answer = httpx.post(server.url, json={"query": query},
                        headers={"Authorization": f"Bearer {server.token}"}, timeout=10)
    return int(answer.json()["data"]["orders"]["totalCount"])


def _closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1/graphql"


def test_version() -> None:
    result = subprocess.run([sys.executable, "-m", "orderchamp_desktop", "--version"],
                            capture_output=True, text=True, check=True)
    assert result.stdout.startswith("Orderchamp Desktop ")


def test_sync_then_export_every_order_offline(small_sandbox: Any, tmp_path: Path) -> None:
    synced = _cli("--api-url", small_sandbox.url, "sync", token=small_sandbox.token, data_dir=tmp_path)
    assert synced.returncode == 0, synced.stderr
    assert small_sandbox.token not in synced.stderr + synced.stdout

    small_sandbox.stop()  # exports read the cache only: no network needed
    out = tmp_path / "orders.json"
    exported = _cli("export", "orders", "--format", "json", "-o", str(out), token=None, data_dir=tmp_path)
    assert exported.returncode == 0, exported.stderr
    orders = json.loads(out.read_text(encoding="utf-8"))
    ids = [order["id"] for order in orders]
    assert len(ids) == len(set(ids))
    assert len(ids) == small_sandbox.config.orders

    csv_result = _cli("export", "products", "--format", "csv", token=None, data_dir=tmp_path)
    assert csv_result.returncode == 0, csv_result.stderr
    assert len(csv_result.stdout.splitlines()) > small_sandbox.config.products  # header + rows
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert small_sandbox.token.encode() not in path.read_bytes(), path


def test_sync_counts_match_the_server(small_sandbox: Any, tmp_path: Path) -> None:
    synced = _cli("--api-url", small_sandbox.url, "sync", token=small_sandbox.token, data_dir=tmp_path)
    assert synced.returncode == 0, synced.stderr
    exported = _cli("export", "orders", "--format", "json", token=None, data_dir=tmp_path)
    assert len(json.loads(exported.stdout)) == _total_orders(small_sandbox)


def test_wrong_token_says_so(small_sandbox: Any, tmp_path: Path) -> None:
    result = _cli("--api-url", small_sandbox.url, "sync", token="not-the-token", data_dir=tmp_path)
    assert result.returncode == 3
    assert "token" in result.stderr.lower()
    assert "Traceback" not in result.stderr
    logs = "".join(p.read_text(encoding="utf-8") for p in tmp_path.rglob("*.log*"))
    assert logs, "the failure was not logged"
    assert "not-the-token" not in logs + result.stderr


def test_offline_says_so(tmp_path: Path) -> None:
    result = _cli("--api-url", _closed_port_url(), "sync", token="anything", data_dir=tmp_path)
    assert result.returncode == 4
    assert "cannot be reached" in result.stderr
    assert "Traceback" not in result.stderr


def test_export_without_cache_explains_what_to_do(tmp_path: Path) -> None:
    result = _cli("export", "orders", token=None, data_dir=tmp_path)
    assert result.returncode == 9
    assert "sync" in result.stderr
    assert "Traceback" not in result.stderr


def test_no_token_at_all_explains_what_to_do(tmp_path: Path) -> None:
    result = _cli("--api-url", _closed_port_url(), "sync", token=None, data_dir=tmp_path)
    assert result.returncode in (3, 12)  # no token set up / no keychain on this machine
    assert "ORDERCHAMP_TOKEN" in result.stderr


def test_export_to_a_full_disk_says_so(small_sandbox: Any, tmp_path: Path) -> None:
    """/dev/full accepts the open and refuses every write with ENOSPC, like a full disk."""
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full on this platform")
    synced = _cli("--api-url", small_sandbox.url, "sync", token=small_sandbox.token, data_dir=tmp_path)
    assert synced.returncode == 0, synced.stderr
    result = _cli("export", "orders", "-o", "/dev/full", token=None, data_dir=tmp_path)
    assert result.returncode == 9
    assert "disk is full" in result.stderr
    assert "Traceback" not in result.stderr


def test_sync_works_when_the_server_refuses_introspection(tmp_path: Path) -> None:
    from orderchamp_desktop.sandbox import SandboxConfig, SandboxServer
    from orderchamp_desktop.sandbox.config import DEFAULT_FEATURES

    features = {**DEFAULT_FEATURES, "introspection": False}
    config = SandboxConfig(seed=7, products=20, orders=120, restore_rate=5000.0, features=features)
    with SandboxServer(config) as server:
        synced = _cli("--api-url", server.url, "sync", token=server.token, data_dir=tmp_path)
        assert synced.returncode == 0, synced.stderr
        exported = _cli("export", "orders", "--format", "json", token=None, data_dir=tmp_path)
        assert exported.returncode == 0, exported.stderr
        assert len(json.loads(exported.stdout)) == _total_orders(server)
