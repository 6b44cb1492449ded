"""``orderchamp-desktop --self-test``: prove that this installation works, then quit.

Run on the frozen app in CI and by a user who wonders whether an install is broken. It
exercises every part that packaging can break, for real: Qt and its plugins (offscreen),
the bundled resources and GraphQL operations, TLS certificates, the SQLite cache, the
keychain through keyring, the demo sandbox over loopback HTTP, a sync on the qasync loop,
and the main window rendered with the synced orders.

It prints one line per step on stdout and exits 0 when every step passed. Anything
unexpected (a Qt warning, a Python warning, a traceback) goes to stderr, so CI can also
demand an empty stderr. Environment knobs, for CI and benchmarks only:

- ``ORDERCHAMP_SELF_TEST_PLATFORM``: Qt platform plugin instead of ``offscreen``
  (e.g. ``xcb`` under Xvfb, to check the plugin's system libraries are present);
- ``ORDERCHAMP_SELF_TEST_STEPS``: comma-separated subset of steps (e.g. ``qt,window`` to time
  a bare window start);
- ``ORDERCHAMP_SELF_TEST_SCREENSHOT``: save the rendered main window to this PNG file.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import os
import sys
import tempfile
import threading
import time
import traceback
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from orderchamp_desktop.core.paths import AppPaths
    from orderchamp_desktop.core.secrets import Secrets

PLATFORM_ENV = "ORDERCHAMP_SELF_TEST_PLATFORM"
STEPS_ENV = "ORDERCHAMP_SELF_TEST_STEPS"
SCREENSHOT_ENV = "ORDERCHAMP_SELF_TEST_SCREENSHOT"

#: Qt messages that are noise, not faults (same list as the UI tests' qt_log_ignore).
QT_NOISE = (
    "This plugin does not support propagateSizeHints",
    "QFont::fromString",
)
#: The keyring backend module each OS needs; missing means the build forgot it.
KEYRING_MODULES = {"linux": "keyring.backends.SecretService", "darwin": "keyring.backends.macOS",
                   "win32": "keyring.backends.Windows"}
SELF_TEST_CACHE = "self-test"


class StepSkipped(Exception):
    """A step that cannot run in this build (said clearly; not a failure)."""


@dataclass
class Context:
    """What the steps hand on to each other."""

    tmp: Path
    paths: AppPaths | None = None
    store_path: Path | None = None
    server: Any = None  # sandbox.SandboxServer while it runs
    synced_orders: int = 0
    app: Any = None  # the QApplication
    cleanups: list[Callable[[], None]] = field(default_factory=list)


class Report:
    """One line per step on ``out``; the unexpected on ``err``."""

    def __init__(self, out: TextIO | None, err: TextIO | None) -> None:
        # A windowed Windows build has no console: sys.stdout is None there (the console
        # twin orderchamp-desktop-cli.exe is the one to run); keep the lines in memory.
        self.out: TextIO = out or io.StringIO()
        self.err: TextIO = err or self.out
        self.failed: list[str] = []
        self.unexpected: list[str] = []

    def line(self, status: str, name: str, detail: str, seconds: float) -> None:
        print(f"self-test: {status:<4} {name:<10} {detail} ({seconds * 1000:.0f} ms)",
              file=self.out, flush=True)

    def problem(self, text: str) -> None:
        self.unexpected.append(text)
        print(text.rstrip(), file=self.err, flush=True)


# ---------------------------------------------------------------------------- the steps

def step_runtime(ctx: Context) -> str:
    """Where we run from, and that TLS certificates for the live API are bundled."""
    import httpx

    from orderchamp_desktop import __version__

    httpx.create_ssl_context()  # loads certifi's bundle: a missing cacert.pem fails here
    _check_frozen_patches()
    if getattr(sys, "frozen", False):
        where = f"frozen app in {Path(sys.executable).parent}"
    else:
        where = f"Python environment {sys.prefix}"
    return f"orderchamp-desktop {__version__}, Python {sys.version.split()[0]}, {where}"


def _check_frozen_patches() -> None:
    """The frozen app's patches of pkgutil and inspect are in place (the spec defers them
    until first import): modules inside the archive are listed and have source files."""
    import inspect
    import pkgutil

    import orderchamp_desktop

    found = {module.name for module in pkgutil.iter_modules(orderchamp_desktop.__path__)}
    if not {"core", "sandbox", "ui"} <= found:
        raise RuntimeError(f"pkgutil cannot list the app's modules (found {sorted(found)})")
    if inspect.getsourcefile(step_runtime) is None:
        raise RuntimeError("inspect cannot locate the app's modules")


def step_qt(ctx: Context) -> str:
    """The QApplication on the chosen platform plugin, image plugins and the app icon."""
    from PySide6 import __version__ as pyside_version
    from PySide6.QtGui import QIcon, QImageReader
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([sys.argv[0]])
    ctx.app = app
    formats = {bytes(f.data()).decode() for f in QImageReader.supportedImageFormats()}
    missing = {"png", "svg", "jpeg"} - formats
    if missing:
        raise RuntimeError(f"image format plugins missing: {', '.join(sorted(missing))}")
    _check_qt_prefix()
    icon_file = _app_icon_file()
    icon = QIcon(str(icon_file))
    if icon.isNull() or icon.pixmap(64, 64).isNull():
        raise RuntimeError(f"the app icon does not render: {icon_file}")
    return (f"Qt {pyside_version} on '{QApplication.platformName()}', "
            f"{len(formats)} image formats, app icon renders")


def _check_qt_prefix() -> None:
    """Qt finds its own files (frozen: a relocated prefix): the Dutch standard-dialog texts."""
    from PySide6.QtCore import QLibraryInfo, QTranslator

    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if not QTranslator().load("qtbase_nl", folder):
        raise RuntimeError(f"Qt's translations are not where Qt looks for them ({folder})")


def _app_icon_file() -> Path:
    """resources/ sits next to the package, in the source tree and in the frozen folder."""
    root = Path(__file__).resolve().parents[1]
    path = root / "resources" / "icons" / "app" / "orderchamp-desktop.svg"
    if not path.is_file():
        raise RuntimeError(f"resources are not bundled: {path} is missing")
    return path


def step_data_dir(ctx: Context) -> str:
    from orderchamp_desktop.core.logs import setup_logging
    from orderchamp_desktop.core.paths import AppPaths

    ctx.paths = AppPaths.resolve(ctx.tmp / "data")
    ctx.paths.ensure()
    setup_logging(ctx.paths.log_dir)
    return f"temporary data folder {ctx.paths.data_dir}"


def step_operations(ctx: Context) -> str:
    """Every bundled .graphql operation is found and parses."""
    from orderchamp_desktop.core.api import load_operation, operation_names

    names = operation_names()
    if "Account" not in names:
        raise RuntimeError(f"GraphQL operations are not bundled (found {names or 'none'})")
    for name in names:
        load_operation(name)
    return f"{len(names)} GraphQL operations load and parse"


def step_cache(ctx: Context) -> str:
    from orderchamp_desktop.core.cache import Store

    path = _need_paths(ctx).cache_file(SELF_TEST_CACHE)
    store = Store(path)
    try:
        before = store.count_orders()
    finally:
        store.close()
    reopened = Store(path, create=False)
    try:
        after = reopened.count_orders()
    finally:
        reopened.close()
    if (before, after) != (0, 0):
        raise RuntimeError(f"a new cache holds orders: {before}, {after}")
    return f"created and reopened {path.name} ({path.stat().st_size} bytes)"


def step_keyring(ctx: Context) -> str:
    """Store, read and delete a throwaway secret in the system keychain (or memory)."""
    from orderchamp_desktop.core.errors import KeychainUnavailableError
    from orderchamp_desktop.core.secrets import MemoryBackend, Secrets

    module = KEYRING_MODULES.get(sys.platform)
    if module:
        importlib.import_module(module)  # bundled even when this machine has no keychain
    try:
        secrets = Secrets(environ={})
        backend = secrets.backend
        which = f"system keychain ({type(backend).__module__}.{type(backend).__name__})"
        _store_read_delete(secrets)
    except KeychainUnavailableError as error:
        # What the app does too: offer to keep the token for this session only.
        which = f"in-memory backend: the system keychain is unavailable ({error.detail or error})"
        _store_read_delete(Secrets(MemoryBackend(), environ={}))
    return f"stored, read and deleted a secret: {which}"


def _store_read_delete(secrets: Secrets) -> None:
    account = f"self-test-{os.getpid()}-{time.monotonic_ns()}"
    value = f"self-test-secret-{os.urandom(6).hex()}"
    secrets.set_token(account, value)
    try:
        if secrets.get_token(account) != value:
            raise RuntimeError("the keychain returned a different secret than was stored")
    finally:
        secrets.delete_token(account)
    if secrets.get_token(account) is not None:
        raise RuntimeError("the keychain kept a deleted secret")


def step_sandbox(ctx: Context) -> str:
    from orderchamp_desktop.sandbox import SandboxConfig, SandboxServer

    config = SandboxConfig(seed=7, products=20, orders=120, restore_rate=5000.0)
    server = SandboxServer(config)
    server.start()
    ctx.server = server
    ctx.cleanups.append(server.stop)
    return f"demo API listening at {server.url}"


def step_sync(ctx: Context) -> str:
    """A full sync of the sandbox into the account's cache, on the qasync loop the app uses;
    the profile is saved as a sign-in would, so the window step opens that account."""
    from orderchamp_desktop import qt_async
    from orderchamp_desktop.core.api import ApiClient
    from orderchamp_desktop.core.cache import Store
    from orderchamp_desktop.core.profile import Profile, account_key_for, save_profile
    from orderchamp_desktop.core.sync import Syncer

    if ctx.server is None or ctx.paths is None:
        raise StepSkipped("needs the data-dir and sandbox steps")
    if ctx.app is None:
        step_qt(ctx)
    paths, server = ctx.paths, ctx.server
    summary: list[str] = []

    async def sync() -> int:
        client = ApiClient(server.url, server.token)
        try:
            account = (await client.query("Account"))["account"]
            key = account_key_for(str(account["id"]))
            ctx.store_path = paths.cache_file(key)
            result = await Syncer(client, ctx.store_path).run(full=True)
            save_profile(paths, Profile(key, str(account.get("name") or ""), server.url, is_demo=False))
            summary.append(result.summary() if hasattr(result, "summary") else str(result))
            summary.append(f"{client.stats.requests} requests")
        finally:
            await client.aclose()
        return 0

    qt_async.run(sync)
    assert ctx.store_path is not None
    store = Store(ctx.store_path, create=False)
    try:
        ctx.synced_orders = store.count_orders()
    finally:
        store.close()
    if ctx.synced_orders <= 0:
        raise RuntimeError("the sync finished but the cache holds no orders")
    return f"{ctx.synced_orders} orders in the cache; {', '.join(summary)}"


def step_window(ctx: Context) -> str:
    """The main window as the app starts it (app.build_shell: instance lock, profile, cached
    orders), shown and painted; with the synced account it must list those orders."""
    if ctx.app is None:
        step_qt(ctx)
    if ctx.paths is None:
        step_data_dir(ctx)
    paths = _need_paths(ctx)
    try:
        from orderchamp_desktop.app import build_shell
        from orderchamp_desktop.ui.services import AppOptions
    except ModuleNotFoundError as error:
        if error.name and error.name.startswith("orderchamp_desktop."):
            raise StepSkipped(f"the main window is not part of this build yet ({error.name})") from None
        raise
    from orderchamp_desktop.core.secrets import MemoryBackend, Secrets

    shell = build_shell(AppOptions(), data_dir=paths.data_dir, secrets=Secrets(MemoryBackend(), environ={}))
    try:
        paint_s = shell.show_and_paint()
        return _render(ctx, shell.window, paint_s)
    finally:
        shell.window.close()
        shell.close()
        shell.window.deleteLater()
        shell.app.processEvents()


def _render(ctx: Context, window: Any, paint_s: float) -> str:
    from PySide6.QtCore import QCoreApplication

    QCoreApplication.processEvents()
    image = window.grab().toImage()
    if image.isNull() or image.width() < 100 or image.height() < 100:
        raise RuntimeError("the main window did not render")
    colours = {image.pixel(x, y) for x in range(0, image.width(), 37) for y in range(0, image.height(), 23)}
    if len(colours) < 3:
        raise RuntimeError("the main window rendered blank")
    if ctx.synced_orders:
        rows = window.orders_tab.model.rowCount()
        if not window.is_showing_main() or rows != ctx.synced_orders:
            raise RuntimeError(f"the window lists {rows} orders; the cache holds {ctx.synced_orders}")
        shown = f"{rows} orders listed"
    else:
        shown = "welcome page (nothing synced)"
    target = os.environ.get(SCREENSHOT_ENV)
    if target:
        image.save(target)
    return (f"painted in {paint_s * 1000:.0f} ms, {image.width()}x{image.height()} "
            f"on '{QCoreApplication.instance().platformName()}', {shown}")  # type: ignore[union-attr]


def _need_paths(ctx: Context) -> AppPaths:
    if ctx.paths is None:
        raise StepSkipped("needs the data-dir step")
    return ctx.paths


STEPS: dict[str, Callable[[Context], str]] = {
    "runtime": step_runtime,
    "qt": step_qt,
    "data-dir": step_data_dir,
    "operations": step_operations,
    "cache": step_cache,
    "keyring": step_keyring,
    "sandbox": step_sandbox,
    "sync": step_sync,
    "window": step_window,
}


# ---------------------------------------------------------------------------- the runner

def run_self_test(out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run the steps; 0 when all passed. Call before anything imports Qt (offscreen)."""
    os.environ["QT_QPA_PLATFORM"] = os.environ.get(PLATFORM_ENV) or "offscreen"
    report = Report(out if out is not None else sys.stdout, err if err is not None else sys.stderr)
    chosen = _chosen_steps()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="orderchamp-self-test-") as tmp, \
            _watch(report) as restore_qt_handler:
        ctx = Context(tmp=Path(tmp))
        try:
            for name in chosen:
                _run_step(report, name, STEPS[name], ctx)
        finally:
            _clean_up(report, ctx)
            restore_qt_handler()
    return _finish(report, len(chosen), time.perf_counter() - started)


def _chosen_steps() -> list[str]:
    wanted = [s.strip() for s in os.environ.get(STEPS_ENV, "").split(",") if s.strip()]
    unknown = [s for s in wanted if s not in STEPS]
    if unknown:
        raise SystemExit(f"unknown self-test steps: {', '.join(unknown)} (known: {', '.join(STEPS)})")
    return [s for s in STEPS if not wanted or s in wanted]


def _run_step(report: Report, name: str, step: Callable[[Context], str], ctx: Context) -> None:
    began = time.perf_counter()
    try:
        detail = step(ctx)
    except StepSkipped as skipped:
        report.line("skip", name, str(skipped), time.perf_counter() - began)
    except Exception as error:
        report.failed.append(name)
        report.line("FAIL", name, f"{type(error).__name__}: {error}", time.perf_counter() - began)
        report.problem(f"self-test: {name} failed:\n{traceback.format_exc()}")
    else:
        report.line("ok", name, detail, time.perf_counter() - began)


def _clean_up(report: Report, ctx: Context) -> None:
    for cleanup in reversed(ctx.cleanups):
        try:
            cleanup()
        except Exception:
            report.problem(f"self-test: clean-up failed:\n{traceback.format_exc()}")


@contextlib.contextmanager
def _watch(report: Report) -> Iterator[Callable[[], None]]:
    """Python warnings and Qt warnings count as unexpected output."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield _install_qt_handler(report)
    for w in caught:
        text = warnings.formatwarning(w.message, w.category, w.filename, w.lineno)
        report.problem(f"self-test: Python warning: {text}")


def _install_qt_handler(report: Report) -> Callable[[], None]:
    from PySide6.QtCore import QtMsgType, qInstallMessageHandler

    def handler(kind: QtMsgType, _context: object, message: str) -> None:
        if kind in (QtMsgType.QtDebugMsg, QtMsgType.QtInfoMsg):
            return
        if any(noise in message for noise in QT_NOISE):
            return
        report.problem(f"self-test: Qt {kind.name}: {message}")

    previous = qInstallMessageHandler(handler)

    def restore() -> None:
        qInstallMessageHandler(previous)

    return restore


def _finish(report: Report, steps: int, seconds: float) -> int:
    if report.failed:
        print(f"self-test: FAILED ({', '.join(report.failed)}) after {seconds:.2f} s", file=report.out)
        code = 1
    elif report.unexpected:
        print(f"self-test: FAILED: {len(report.unexpected)} unexpected messages on stderr",
              file=report.out)
        code = 1
    else:
        print(f"self-test: passed, {steps} steps in {seconds:.2f} s", file=report.out)
        code = 0
    report.out.flush()
    _exit_if_threads_hang(code)
    return code


def _exit_if_threads_hang(code: int) -> None:
    """A keychain call that timed out may still block a worker thread for minutes (D-Bus
    activation); Python would wait for it at exit. The self-test has its answer: leave."""
    stuck = [t for t in threading.enumerate()
             if t is not threading.main_thread() and not t.daemon and t.is_alive()]
    if stuck:
        sys.stderr.flush()
        os._exit(code)


def main() -> int:
    return run_self_test()


if __name__ == "__main__":
    sys.exit(main())
