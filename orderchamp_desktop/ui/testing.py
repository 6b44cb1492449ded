"""Driving the real window in tests (pytest-qt): the shell, its controller and a qasync loop.

Used by tests/ui/test_shell*.py and open to other UI tests (fulfilment). Tests stay plain
``def`` functions that wait with ``qtbot.waitUntil``: ``qtbot.waitSignal`` inside an
``async def`` test can hang the session with qasync.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication

from orderchamp_desktop import qt_async
from orderchamp_desktop.app import Shell, build_shell
from orderchamp_desktop.core.secrets import MemoryBackend, Secrets
from orderchamp_desktop.qt_async import TaskRunner
from orderchamp_desktop.ui.controller import AppController
from orderchamp_desktop.ui.main_window import MainWindow
from orderchamp_desktop.ui.services import AppOptions


class QtBot(Protocol):
    def waitUntil(self, callback: Callable[[], bool | None], *, timeout: int = ...) -> None: ...


class ShellDriver:
    """One app session on a data dir: start it, look at the window, close it like a user would."""

    def __init__(self, qtbot: QtBot, data_dir: Path, *, secrets: Secrets | None = None,
                 options: AppOptions | None = None) -> None:
        self.qtbot = qtbot
        self.data_dir = data_dir
        self.secrets = secrets or Secrets(MemoryBackend(), environ={})
        self.options = options or AppOptions()
        self.shell: Shell | None = None
        self.controller: AppController | None = None
        self.task: asyncio.Task[int] | None = None
        self._tasks: TaskRunner | None = None

    @property
    def window(self) -> MainWindow:
        assert self.shell is not None, "start() first"
        return self.shell.window

    def start(self) -> ShellDriver:
        self.shell = build_shell(self.options, data_dir=self.data_dir, secrets=self.secrets)
        self.shell.window.resize(1440, 900)
        self.shell.show_and_paint()
        self.controller = self.shell.controller()
        self._tasks = self.controller.tasks
        self.task = asyncio.get_event_loop().create_task(self.controller.run(), name="app-main")
        return self

    def wait(self, condition: Callable[[], Any], timeout: float = 15.0) -> None:
        self.qtbot.waitUntil(lambda: bool(condition()), timeout=int(timeout * 1000))

    def run(self, coro: Any, timeout: float = 15.0) -> Any:
        """Run a coroutine on the app's loop to completion (driving a controller method)."""
        task = asyncio.get_event_loop().create_task(coro)
        self.wait(task.done, timeout)
        return task.result()

    def close(self, timeout: float = 5.0) -> float:
        """Close the window as the user does; returns how long the app took to shut down."""
        import time

        if self.shell is None:
            return 0.0
        started = time.monotonic()
        if self.window.isVisible():
            self.window.close()
        if self.task is not None:
            self.wait(self.task.done, timeout)
        elapsed = time.monotonic() - started
        if self.task is not None and not self.task.cancelled():
            self.task.result()
        self.shell.close()
        self.shell.window.deleteLater()
        # Delete the widgets now, on this thread: left to the garbage collector, a QObject
        # with running timers may be freed on a worker thread (a Qt warning, a failed test).
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        QApplication.processEvents()
        self.shell = None
        self.controller = None
        gc.collect()
        return elapsed

    def unexpected_errors(self) -> list[BaseException]:
        return [] if self._tasks is None else list(self._tasks.unexpected)


def attach_loop() -> asyncio.AbstractEventLoop:
    app = QApplication.instance()
    assert app is not None, "pytest-qt's qapp fixture must run first"
    return qt_async.attach_loop(app)


def detach_loop(loop: asyncio.AbstractEventLoop) -> None:
    qt_async.detach_loop(loop)
