"""Desktop-shell benchmarks, printed as ratios measured in one run: ``python -m bench.bench_ui``.

1. Cold start: from launching the process to the first painted main window showing 10,000
   cached orders, against launching a bare PySide6 QMainWindow to its first paint. Both are
   fresh subprocesses timed by this parent the same way; medians of several launches.
   Target: at most 1.5x. For context it also times the least window that shows the same
   cached orders with none of the app's code (child_floor).
2. Longest UI stall during a full demo sync: a 10 ms QTimer heartbeat on the GUI thread, from
   the first sync step to the end of a full sync of the demo sandbox (in the same process, as
   `--demo` runs it). Also measured against the sandbox in a separate process, to show what
   the in-process server's share of the GIL costs. Target: under 50 ms.
3. Resident memory with 100,000 cached orders shown: the window open on them, scrolled to
   a few places and one order's detail open. Target: under 300 MB.

Exit status 0 when every target is met, 1 otherwise. Children are run as
``python -m bench.bench_ui child-...``; this module imports nothing heavy at the top, so the
bare child pays only for what it uses.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import Outcome, Part, run_parts

START_ORDERS = 10_000
MEMORY_ORDERS = 100_000
LAUNCHES = 5
STALL_RUNS = 2
DEMO_ORDERS = 2_000  # the built-in demo brand's size
PAINTED = "painted"


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env.pop("ORDERCHAMP_TOKEN", None)
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[1]) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def _child(*args: str, timeout: float = 600) -> tuple[float, list[str]]:
    """Run ``python -m bench.bench_ui <args>``; seconds until it printed PAINTED, and its output."""
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "bench.bench_ui", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=_env())
    assert proc.stdout is not None
    painted_at: float | None = None
    lines: list[str] = []
    for line in proc.stdout:
        if painted_at is None and line.strip() == PAINTED:
            painted_at = time.perf_counter() - started
        lines.append(line.rstrip("\n"))
    _, err = proc.communicate(timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError(f"child {args} failed ({proc.returncode}):\n{err[-3000:]}")
    return (painted_at if painted_at is not None else float("nan")), lines


# ---------------------------------------------------------------------- cached data


def make_cache(data_dir: Path, orders: int) -> None:
    """A data dir whose last account has ``orders`` synthesized orders cached (no token)."""
    from bench.bench_core import _synthetic_order
    from orderchamp_desktop.core.cache import Store
    from orderchamp_desktop.core.paths import AppPaths
    from orderchamp_desktop.core.profile import Profile, save_profile

    paths = AppPaths.resolve(data_dir)
    paths.ensure()
    profile = Profile("bench-account", "Studio Bench", "http://127.0.0.1:9/v1/graphql")
    save_profile(paths, profile)
    rng = random.Random(7)
    store = Store(paths.cache_file(profile.account_key))
    store.upsert_account({"id": "QWNjb3VudDox", "name": "Studio Bench", "currency": "EUR"})
    store.defer_search_index()
    for start in range(0, orders, 2000):
        store.apply_orders([_synthetic_order(i, rng) for i in range(start, min(start + 2000, orders))],
                           run=1)
    store.rebuild_search_index()
    store.close()


# ---------------------------------------------------------------------- children


def _show_until_painted(window: Any, watched: Any) -> None:
    """Show ``window``, process events until ``watched`` has painted, print PAINTED: an event
    filter on that one widget, as the app watches its own (app._PaintWatcher)."""
    from PySide6.QtCore import QCoreApplication, QEvent, QObject

    class Watch(QObject):
        painted = False

        def eventFilter(self, _watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint:
                self.painted = True
            return False

    watch = Watch()
    watched.installEventFilter(watch)
    window.show()
    while not watch.painted:
        QCoreApplication.processEvents()
    print(PAINTED, flush=True)


def child_bare() -> None:
    """The reference: the least a PySide6 app does to paint a main window."""
    from PySide6.QtWidgets import QApplication, QMainWindow

    _app = QApplication(sys.argv[:1])  # alive until the paint
    window = QMainWindow()
    window.resize(1280, 800)
    _show_until_painted(window, window)


def child_floor(cache_file: str) -> None:
    """Context, not a target: the least any window showing the cached orders does, with none
    of the app's code. The cache's order ids in SQL, a Python table model reading rows on
    demand, a search box, a filter, a count, four tabs, a menu and a status bar; the Qt
    namespace's enums are created as soon as a model answers headerData."""
    import sqlite3

    from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
    from PySide6.QtWidgets import (
        QApplication,
        QComboBox,
        QHBoxLayout,
        QLabel,
        QLineEdit,
        QMainWindow,
        QTableView,
        QTabWidget,
        QVBoxLayout,
        QWidget,
    )

    connection = sqlite3.connect(f"file:{cache_file}?mode=ro", uri=True)
    ids = [row[0] for row in connection.execute("SELECT id FROM orders ORDER BY created_at DESC")]
    columns = ("number", "retailer", "city", "status", "units", "total_price", "created_at", "confirmed_at")
    select_row = f"SELECT {', '.join(columns)} FROM orders WHERE id = ?"
    Index = QModelIndex | QPersistentModelIndex

    class Orders(QAbstractTableModel):
        def __init__(self) -> None:
            super().__init__()
            self.rows: dict[int, tuple[Any, ...]] = {}

        def rowCount(self, parent: Index = QModelIndex()) -> int:
            return len(ids)

        def columnCount(self, parent: Index = QModelIndex()) -> int:
            return len(columns)

        def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
            return columns[section] if role == 0 and orientation == Qt.Orientation.Horizontal else None

        def data(self, index: Index, role: int = 0) -> Any:
            if role != 0:
                return None
            row = self.rows.get(index.row())
            if row is None:
                row = self.rows[index.row()] = tuple(
                    connection.execute(select_row, (ids[index.row()],)).fetchone())
            return str(row[index.column()])

    _app = QApplication(sys.argv[:1])  # alive until the paint
    window = QMainWindow()
    window.resize(1280, 800)
    page = QWidget()
    layout = QVBoxLayout(page)
    bar = QHBoxLayout()
    bar.addWidget(QLineEdit())
    choice = QComboBox()
    choice.addItem("All orders")
    bar.addWidget(choice)
    bar.addWidget(QLabel(f"{len(ids):,} orders"))
    layout.addLayout(bar)
    table = QTableView()
    table.setModel(Orders())
    layout.addWidget(table)
    tabs = QTabWidget()
    for title in ("Orders", "Products", "Inventory", "Invoices"):
        tabs.addTab(page if title == "Orders" else QWidget(), title)
    window.setCentralWidget(tabs)
    window.menuBar().addMenu("&File")
    window.statusBar().showMessage("Studio Bench")
    _show_until_painted(window, table)


def child_start(data_dir: str) -> None:
    """The app's own start-up path (what run_gui does before the event loop), to first paint."""
    import argparse
    import gc

    gc.disable()  # as orderchamp_desktop.__main__ starts the GUI
    from orderchamp_desktop.app import build_shell, options_from_args

    args = argparse.Namespace(demo=False, api_url=None, data_dir=data_dir)
    shell = build_shell(options_from_args(args), data_dir=data_dir)
    shell.window.resize(1280, 800)
    shell.show_and_paint(on_painted=lambda: print(PAINTED, flush=True))
    rows = shell.window.orders_tab.model.rowCount()
    print(f"rows {rows}", flush=True)
    shell.close()


def child_memory(data_dir: str) -> None:
    """100,000 cached orders shown, scrolled about and one detail open; then report RSS."""
    from PySide6.QtCore import QCoreApplication

    from orderchamp_desktop.app import build_shell
    from orderchamp_desktop.ui.services import AppOptions

    shell = build_shell(AppOptions(), data_dir=data_dir)
    shell.window.resize(1280, 800)
    shell.show_and_paint()
    tab = shell.window.orders_tab
    tab.set_filter("all")
    table = tab.table
    rows = tab.model.rowCount()
    for fraction in (0.0, 0.25, 0.5, 0.75, 0.999, 0.1):
        row = int(rows * fraction)
        table.scrollTo(tab.model.index(row, 0))
        table.select_row(row)
        for _ in range(5):
            QCoreApplication.processEvents()
    for column in (0, 1, 5):  # sort by number, retailer, total: SQL, then a reset
        tab.model.sort(column)
        QCoreApplication.processEvents()
    print(PAINTED, flush=True)
    print(f"rows {rows}", flush=True)
    print(f"rss_mb {_rss_mb():.1f}", flush=True)
    shell.close()


def _rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_stall(mode: str) -> None:
    """Heartbeat during a full sync; mode "demo" (in-process sandbox) or "process"."""
    import asyncio

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from orderchamp_desktop import qt_async
    from orderchamp_desktop.app import build_shell, tune_interpreter
    from orderchamp_desktop.sandbox import SandboxConfig
    from orderchamp_desktop.ui.services import AppOptions

    tune_interpreter()  # as run_gui does

    config = {"orders": DEMO_ORDERS, "restore_rate": 1250.0}
    server = None
    if mode == "demo":
        options = AppOptions(demo=True, demo_config=SandboxConfig(**config), auto_sync_interval=3600)  # type: ignore[arg-type]
    else:
        server = subprocess.Popen(
            [sys.executable, "-m", "orderchamp_desktop", "sandbox", "--orders", str(DEMO_ORDERS),
             "--restore-rate", "1250"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            env=_env())
        assert server.stdout is not None
        url = None
        while url is None:
            found = re.search(r"(http://\S+/v1/graphql)", server.stdout.readline())
            url = found.group(1) if found else None
        options = AppOptions(api_url=url, auto_sync_interval=3600)
    app = QApplication(sys.argv[:1])
    loop = qt_async.attach_loop(app)
    with tempfile.TemporaryDirectory(prefix="bench-ui-stall-") as folder:
        from orderchamp_desktop.core.secrets import MemoryBackend, Secrets

        shell = build_shell(options, data_dir=folder, secrets=Secrets(MemoryBackend(), environ={}))
        shell.window.resize(1280, 800)
        shell.show_and_paint()
        controller = shell.controller()
        main = loop.create_task(controller.run())
        if mode != "demo":
            loop.create_task(controller.connect_with_token("sandbox-token"))
        beats: list[float] = []
        heartbeat = QTimer()
        heartbeat.setInterval(10)
        heartbeat.timeout.connect(lambda: beats.append(time.perf_counter()))

        def on_progress(text: str) -> None:
            if text and not heartbeat.isActive():
                heartbeat.start()

        shell.window.status.progress_changed.connect(on_progress)
        started = time.perf_counter()
        done = qt_async.pump_until(
            lambda: shell.window.status.last_synced.text() == "Last synced just now", 600)
        heartbeat.stop()
        took = time.perf_counter() - started
        shell.window.close()
        qt_async.pump_until(main.done, 5)
        shell.close()
    qt_async.detach_loop(loop)
    asyncio.set_event_loop(None)
    if server is not None:
        server.terminate()
        server.wait()
    gaps = sorted((b - a for a, b in itertools.pairwise(beats)), reverse=True)
    print(json.dumps({"done": done, "seconds": took, "beats": len(beats),
                      "worst_ms": [round(g * 1000, 1) for g in gaps[:5]],
                      "p99_ms": round(gaps[len(gaps) // 100] * 1000, 1) if gaps else None}), flush=True)


# ---------------------------------------------------------------------- benchmarks


def _compile_package() -> None:
    """Write the app's bytecode, as any install does (pip, the frozen build): otherwise a
    checkout run with PYTHONDONTWRITEBYTECODE compiles every module on every launch, a
    cost the bare reference (PySide6 only, compiled when installed) never pays."""
    import compileall

    import orderchamp_desktop

    compileall.compile_dir(Path(orderchamp_desktop.__file__).parent, quiet=1)


def bench_cold_start(work: Path) -> list[Outcome]:
    data_dir = work / "start"
    make_cache(data_dir, START_ORDERS)
    _compile_package()
    (cache_file,) = data_dir.glob("cache-*.sqlite3")
    _child("child-bare")  # warm the OS file cache for all three
    _child("child-floor", str(cache_file))
    _child("child-start", str(data_dir))
    bare, floor, ours, rows = [], [], [], ""
    for _ in range(LAUNCHES):
        bare.append(_child("child-bare")[0])
        floor.append(_child("child-floor", str(cache_file))[0])
        took, lines = _child("child-start", str(data_dir))
        ours.append(took)
        rows = next((line for line in lines if line.startswith("rows ")), "")
    bare_s, floor_s, ours_s = (statistics.median(times) for times in (bare, floor, ours))
    print(f"   cold start: bare QMainWindow {bare_s * 1000:.0f} ms, least orders window "
          f"{floor_s * 1000:.0f} ms, app with {START_ORDERS:,} cached orders {ours_s * 1000:.0f} ms "
          f"(medians of {LAUNCHES}; first table view: {rows})")
    ratio = ours_s / bare_s
    return [Outcome(f"cold start to first paint, {START_ORDERS:,} orders / bare", ratio, "<= 1.5",
                    ratio <= 1.5),
            Outcome("  least window showing the orders, no app code / bare", floor_s / bare_s, "-", True)]


def bench_stall() -> list[Outcome]:
    results: dict[str, list[dict[str, Any]]] = {"demo": [], "process": []}
    for mode in results:
        for _ in range(STALL_RUNS):
            _, lines = _child("child-stall", mode)
            results[mode].append(json.loads(lines[-1]))
    for mode, runs in results.items():
        where = "in-process demo sandbox" if mode == "demo" else "sandbox in another process"
        print(f"   stall ({where}): " + "; ".join(
            f"sync {r['seconds']:.1f} s, worst {r['worst_ms'][:3]} ms, p99 {r['p99_ms']} ms"
            for r in runs))
    worst_demo = statistics.median(max(r["worst_ms"]) for r in results["demo"])
    worst_process = statistics.median(max(r["worst_ms"]) for r in results["process"])
    return [
        Outcome(f"longest UI stall, full demo sync ({DEMO_ORDERS:,} orders), ms", worst_demo, "< 50",
                worst_demo < 50),
        Outcome("  same, sandbox in a separate process, ms", worst_process, "-", True),
    ]


def bench_memory(work: Path) -> list[Outcome]:
    data_dir = work / "memory"
    started = time.perf_counter()
    make_cache(data_dir, MEMORY_ORDERS)
    print(f"   memory: {MEMORY_ORDERS:,} orders synthesized in {time.perf_counter() - started:.0f} s")
    _, lines = _child("child-memory", str(data_dir))
    rss = float(next(line for line in lines if line.startswith("rss_mb ")).split()[1])
    rows = next(line for line in lines if line.startswith("rows "))
    print(f"   memory: window open on {rows.split()[1]} orders, scrolled, sorted, detail open")
    return [Outcome(f"resident memory, {MEMORY_ORDERS:,} orders shown, MB", rss, "< 300", rss < 300)]


def main(argv: list[str] | None = None) -> int:
    """All parts, or those named (start, stall, memory); ``child-*`` runs one child."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0].startswith("child-"):
        children = {"child-bare": child_bare, "child-floor": child_floor, "child-start": child_start,
                    "child-memory": child_memory, "child-stall": child_stall}
        children[args[0]](*args[1:])  # type: ignore[operator]
        return 0
    parts: dict[str, Part] = {"start": bench_cold_start, "stall": lambda _work: bench_stall(),
                              "memory": bench_memory}
    return run_parts(parts, set(args), "bench-ui-")


if __name__ == "__main__":
    sys.exit(main())
