"""Composition root of the desktop app: builds the services and hands them to the UI.

Start-up order matters for how fast the window appears (ARCHITECTURE.md, start-up costs):
1. Qt widgets, paths, logging, settings, the instance lock and the cache of the last
   account (sqlite3 only) -> the main window is shown and painted with the cached orders;
2. only then asyncio/qasync (~70 ms), and later httpx and keyring (~125 ms), which the
   controller imports when it first needs them.
"""

from __future__ import annotations

import argparse
import gc
import logging
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

# Everything without Qt is imported before PySide6, which hooks every import after it (for
# its `__feature__` switches, reading each new module's source): importing the ~60 modules
# of the cache, logging and paths ahead of it made the first paint ~10 ms sooner.
from orderchamp_desktop import APP_ID, APP_NAME, __version__
from orderchamp_desktop.core.cache import InstanceLock, Store
from orderchamp_desktop.core.errors import KnownError, user_message_for
from orderchamp_desktop.core.logs import setup_logging, start_rotation
from orderchamp_desktop.core.paths import AppPaths
from orderchamp_desktop.core.profile import load_profile
from orderchamp_desktop.core.secrets import Secrets

# isort: split
from PySide6.QtCore import QCoreApplication, QEvent, QObject
from PySide6.QtWidgets import QApplication, QWidget

from orderchamp_desktop.ui.changes import ChangeBus
from orderchamp_desktop.ui.datasource import DataSource
from orderchamp_desktop.ui.main_window import MainWindow
from orderchamp_desktop.ui.services import AppOptions, Services
from orderchamp_desktop.ui.settings import UiSettings

if TYPE_CHECKING:
    from orderchamp_desktop.ui.controller import AppController

log = logging.getLogger(__name__)

#: Bounded wait for the first paint; the loop takes over afterwards in any case.
FIRST_PAINT_TIMEOUT_S = 3.0


@dataclass
class Shell:
    """The window and its services before the asyncio loop runs (tests build one too)."""

    app: QApplication
    window: MainWindow
    services: Services
    options: AppOptions
    log_file: Path

    def controller(self) -> AppController:
        """The behaviour behind the window (imports asyncio: call after the first paint)."""
        from orderchamp_desktop.ui.controller import AppController

        return AppController(self.window, self.services, self.options)

    def show_and_paint(self, on_painted: Callable[[], None] | None = None) -> float:
        """Show the window and process events until it has painted; returns the seconds taken.

        Then builds what the first paint did not need (the detail pane, the log's rotation);
        ``on_painted`` is called before that (the start-up benchmark's clock stops there).
        """
        started = time.perf_counter()
        watcher = _PaintWatcher(self.window.first_paint_target())
        self.window.show()
        deadline = started + FIRST_PAINT_TIMEOUT_S
        while not watcher.painted and time.perf_counter() < deadline:
            QCoreApplication.processEvents()
        watcher.remove()
        took = time.perf_counter() - started
        if on_painted is not None:
            on_painted()
        self.window.finish_start()
        start_rotation()
        resume_garbage_collection()
        return took

    def close(self) -> None:
        """Release what outlives the loop: the cache connection and the instance lock."""
        store = self.services.source.store
        if store is not None:
            self.services.source.set_store(None)
            store.close()
        lock = self.services.lock
        self.services.lock = None
        if lock is not None:
            lock.release()


def resume_garbage_collection() -> None:
    """End the collector's pause that the entry point (``__main__``) starts the GUI with.

    Start-up creates ~46,000 tracked objects that live as long as the process (modules, classes,
    Qt enums, widgets); collecting among them found nothing and cost the first paint ~8 ms.
    Once painted they are frozen (``gc.freeze``: left out of later full passes) and the
    collector runs as usual. Does nothing when the collector was not paused.
    """
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


class _PaintWatcher(QObject):
    """Notices the first Paint event of one widget (what the user came for: the orders).

    Installed on that widget only, not on the application: an application-wide filter
    hands every event of the start-up (window system, timers, layout) to Python, which
    turns each into a Python object first; that cost the first paint ~50 ms. Filtering all
    the window's widgets instead made Python wrappers (and enum types) for each (~3 ms).
    """

    def __init__(self, widget: QWidget) -> None:
        super().__init__()
        self.painted = False
        self._watched: QWidget | None = widget
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.painted = True
        return False

    def remove(self) -> None:
        if self._watched is not None:
            self._watched.removeEventFilter(self)
            self._watched = None


def qt_application() -> QApplication:
    """The QApplication, configured so closing the window does not stop the asyncio loop."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setOrganizationName("Orderchamp Desktop")
    app.setDesktopFileName(APP_ID)
    # Off: with it on, closing the window stops the loop before tasks clean up.
    app.setQuitOnLastWindowClosed(False)
    return app


def build_shell(options: AppOptions, *, data_dir: str | Path | None = None,
                secrets: Secrets | None = None, client_factory: Any = None) -> Shell:
    """Everything up to a window ready to show, with the last account's cached data loaded."""
    app = qt_application()
    paths = AppPaths.resolve(data_dir)
    paths.ensure()
    log_file = setup_logging(paths.log_dir, rotate_later=True)  # see Shell.show_and_paint
    log.info("%s %s starting (data dir %s)", APP_NAME, __version__, paths.data_dir)
    changes = ChangeBus()
    source = DataSource(changes)
    if secrets is None:
        secrets = Secrets()
    services = Services(paths=paths, secrets=secrets, changes=changes, source=source,
                        client_factory=client_factory)
    profile = load_profile(paths)
    services.profile = profile
    cached = (not options.demo and profile is not None and not profile.is_demo
              and paths.cache_file(profile.account_key).exists())
    if cached and not paths.data_dir_writable():
        services.read_only_data = True
        log.warning("data dir %s is read-only: showing the saved data read-only", paths.data_dir)
    else:
        _acquire_lock(services)  # without a cache, a read-only folder is this lock's error
    window = MainWindow(source, UiSettings(paths.config_dir), paths)
    opened = False
    if cached and profile is not None and services.lock_error is None:
        opened = _open_cached(services, window, profile.account_key, profile.account_name)
    if not opened:
        window.show_welcome()
    if options.demo:
        window.welcome.set_busy("Starting the demo…", demo=True)
    return Shell(app, window, services, options, log_file)


def _acquire_lock(services: Services) -> None:
    lock = InstanceLock(services.paths.data_dir)
    try:
        lock.acquire()
    except KnownError as error:
        services.lock_error = error.user_message
        log.warning("data dir is locked: %s", error)
        return
    services.lock = lock


def _open_cached(services: Services, window: MainWindow, account_key: str, name: str) -> bool:
    """Show the saved data before anything touches the network (offline start, fast paint);
    build_shell calls it only when the cache file exists.

    The integrity check (``PRAGMA quick_check``, 0.3 s at 100,000 orders) is skipped here;
    the controller runs it on a worker thread right after the first paint.
    """
    path = services.paths.cache_file(account_key)
    try:
        store = Store(path, check_same_thread=False, verify=False, read_only=services.read_only_data)
    except KnownError as error:
        log.warning("cache could not be opened: %s", error)
        if services.read_only_data:  # nothing else can work: the welcome page says why
            services.lock_error = error.user_message
        window.show_error(error.user_message)
        return False
    services.source.set_store(store)
    account = store.account()
    window.set_account((account.name if account is not None and account.name else "") or name,
                       is_demo=False)
    window.show_main()
    window.status.set_last_synced(store.last_synced_at())
    return True


def options_from_args(args: argparse.Namespace) -> AppOptions:
    return AppOptions(demo=bool(getattr(args, "demo", False)), api_url=getattr(args, "api_url", None))


#: How often a thread holding the GIL is asked to hand it over (Python's default: 5 ms).
#: Sync work (parsing, cache writes, the demo's in-process server) runs on other threads;
#: a shorter interval lets the GUI thread back in sooner (measured: the 99th percentile of
#: event-loop gaps during a demo sync dropped from ~34 ms to ~21 ms).
GUI_SWITCH_INTERVAL_S = 0.001


def tune_interpreter() -> None:
    """Interpreter settings for the GUI process (not for tests or the headless CLI)."""
    sys.setswitchinterval(GUI_SWITCH_INTERVAL_S)


def run_gui(args: argparse.Namespace) -> int:
    """Open the desktop app; returns the process exit code when the window is closed."""
    tune_interpreter()
    options = options_from_args(args)
    try:
        shell = build_shell(options, data_dir=getattr(args, "data_dir", None))
    except KnownError as error:  # e.g. the data dir cannot be created
        print(error.user_message, file=sys.stderr)
        _tell_and_wait(error.user_message)
        return error.exit_code
    try:
        shell.show_and_paint()
        from orderchamp_desktop import qt_async

        controller = shell.controller()
        _install_excepthook(shell.window)
        return qt_async.run(controller.run)
    finally:
        shell.close()
        logging.shutdown()


def _tell_and_wait(message: str) -> None:
    """Before the app can even open its window: the sentence in a message box (someone who
    started the app from a menu never sees stderr), until it is dismissed. No asyncio loop
    runs yet, so Qt's own loop waits for the box."""
    from PySide6.QtWidgets import QMessageBox

    app = qt_application()
    box = QMessageBox(QMessageBox.Icon.Critical, APP_NAME, message, QMessageBox.StandardButton.Close)
    box.setObjectName("startupError")
    box.finished.connect(app.quit)
    box.open()
    app.exec()


def _install_excepthook(window: MainWindow) -> None:
    """A bug in a slot is logged with its traceback; the user sees one calm sentence."""

    def hook(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, error, tb)
            return
        log.error("unexpected error", exc_info=(kind, error, tb))
        try:
            window.show_error(user_message_for(error))
        except Exception:
            log.exception("could not show the error")

    sys.excepthook = hook
