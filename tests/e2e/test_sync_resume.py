"""A sync stopped mid-way (cancelled, or the process killed) keeps every stored page and
the next run finishes the job with the same result as an uninterrupted sync."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from orderchamp_desktop.core.api import ApiClient
from orderchamp_desktop.core.cache import Store
from orderchamp_desktop.core.errors import Progress
from orderchamp_desktop.core.sync import Syncer
from orderchamp_desktop.sandbox import SandboxConfig, SandboxServer
from tests.e2e.test_sync_support import assert_same_world, sync

pytestmark = pytest.mark.e2e
REPO = Path(__file__).resolve().parents[2]


@pytest.mark.asyncio
async def test_cancelled_sync_keeps_its_pages_and_resumes(tmp_path: Path) -> None:
    path = tmp_path / "cache-acct.sqlite3"
    with SandboxServer(SandboxConfig(seed=4, products=10, orders=200, restore_rate=5000.0)) as server:
        seen: list[int] = []
        async with ApiClient(server.url, server.token) as client:

            def on_progress(progress: Progress) -> None:
                if progress.entity == "orders":
                    seen.append(progress.done)
                    if len(seen) == 3:
                        task.cancel()

            task = asyncio.create_task(Syncer(client, path, on_progress=on_progress).run())
            with pytest.raises(asyncio.CancelledError):
                await task
        with Store(path) as store:
            state = store.sync_state("orders")
            assert not state.completed and state.cursor is not None
            assert state.done == seen[-1] == len(store.order_ids())  # every reported page is stored
        result = await sync(server, path)
        assert result.modes["orders"] == "resumed"
        assert result.counts["orders"] == len(server.state.orders) - seen[-1]  # nothing fetched twice
        assert_same_world(path, server)


@pytest.mark.asyncio
async def test_a_refused_resume_cursor_starts_the_pass_over(tmp_path: Path) -> None:
    """A cursor saved by an interrupted run may have expired by the next one."""
    path = tmp_path / "cache-acct.sqlite3"
    with SandboxServer(SandboxConfig(seed=4, products=5, orders=80, restore_rate=5000.0)) as server:
        async with ApiClient(server.url, server.token) as client:

            def on_progress(progress: Progress) -> None:
                if progress.entity == "orders":
                    task.cancel()

            task = asyncio.create_task(Syncer(client, path, on_progress=on_progress).run())
            with pytest.raises(asyncio.CancelledError):
                await task
        with Store(path) as store:
            store.save_sync_state("orders", cursor="bm8tc3VjaC1jdXJzb3I")
        result = await sync(server, path)
        assert result.modes["orders"] == "resumed"
        assert_same_world(path, server)


_CHILD = textwrap.dedent("""
    import asyncio, sys
    from pathlib import Path
    from orderchamp_desktop.core.api import ApiClient
    from orderchamp_desktop.core.sync import Syncer

    async def main() -> None:
        async with ApiClient(sys.argv[1], sys.argv[2]) as client:
            await Syncer(client, Path(sys.argv[3])).run()

    asyncio.run(main())
""")


def _cached_orders(path: Path) -> int:
    """Read with a plain read-only connection: the child may be creating the file."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=0.5)
        try:
            return int(conn.execute("SELECT count(*) FROM orders").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.Error:
        return 0


def test_sync_killed_with_sigkill_resumes_to_the_same_result(tmp_path: Path) -> None:
    path = tmp_path / "cache-acct.sqlite3"
    with SandboxServer(SandboxConfig(seed=6, products=10, orders=200, restore_rate=5000.0)) as server:
        server.faults.configure(1.0, {"slow"}, slow_seconds=0.1)  # slow enough to catch mid-way
        child = subprocess.Popen([sys.executable, "-c", _CHILD, server.url, server.token, str(path)],
                                 env=dict(os.environ, PYTHONPATH=str(REPO)))
        try:
            deadline = time.monotonic() + 60
            while _cached_orders(path) < 30 and child.poll() is None and time.monotonic() < deadline:
                time.sleep(0.02)
            assert child.poll() is None, "the sync finished before it could be killed"
            os.kill(child.pid, signal.SIGKILL)
        finally:
            child.wait(timeout=10)
        assert child.returncode == -signal.SIGKILL
        server.faults.clear()
        killed_at = _cached_orders(path)
        assert 30 <= killed_at < len(server.state.orders)
        result = asyncio.run(sync(server, path))
        assert result.modes["orders"] == "resumed"
        assert result.counts["orders"] <= len(server.state.orders) - killed_at
        assert_same_world(path, server)
        with Store(path) as store:
            assert not store.recovered_from_corruption
