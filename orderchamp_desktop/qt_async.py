"""The one module that owns asyncio running on the Qt event loop (through qasync).

Everything else starts background work through a :class:`TaskRunner`, which:

- keeps a strong reference to every running task (the released qasync keeps none for
  ``asyncSlot`` tasks, so they can be garbage collected mid-flight);
- offers "latest wins" named tasks: starting ``search`` again cancels the previous ``search``;
- routes failures to one handler (the window's error banner) and the log, never to a traceback
  on screen;
- shuts down by cancelling and awaiting its tasks, so closing the window exits promptly.

Start-up: :func:`run` uses ``qasync.run`` (on Python 3.11 ``asyncio.run(loop_factory=...)`` does
not exist). Tests attach a loop to pytest-qt's QApplication with :func:`attach_loop` and drive it
with ``qtbot.waitUntil`` from plain (not ``async def``) tests.

qasync is imported lazily: asyncio plus qasync cost ~70 ms, which the first paint does not need.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from PySide6.QtCore import QCoreApplication, QEventLoop

from orderchamp_desktop.core.errors import KnownError

log = logging.getLogger(__name__)

T = TypeVar("T")
ErrorHandler = Callable[[BaseException], None]

#: How long shutdown waits for cancelled tasks to unwind before giving up on them.
SHUTDOWN_TIMEOUT_S = 0.8


class TaskRunner:
    """Owns the app's background tasks: strong references, names, errors, shutdown."""

    def __init__(self, on_error: ErrorHandler | None = None) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()
        self._named: dict[str, asyncio.Task[Any]] = {}
        self._on_error = on_error
        self._closing = False
        #: Unexpected (non-KnownError) exceptions seen; tests assert this stays empty.
        self.unexpected: list[BaseException] = []

    def set_error_handler(self, on_error: ErrorHandler | None) -> None:
        self._on_error = on_error

    @property
    def closing(self) -> bool:
        return self._closing

    def spawn(self, coro: Coroutine[Any, Any, T], *, name: str | None = None) -> asyncio.Task[T]:
        """Start ``coro`` as a task the runner keeps alive and reports on."""
        if self._closing:
            coro.close()
            raise RuntimeError("the app is shutting down; no new work is started")
        task = asyncio.get_event_loop().create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._finished)
        return task

    def latest(self, name: str, coro: Coroutine[Any, Any, T]) -> asyncio.Task[T]:
        """Start ``coro`` under ``name``, cancelling the task of that name still running."""
        self.cancel(name)
        task = self.spawn(coro, name=name)
        self._named[name] = task
        return task

    def start_once(self, name: str, coro: Coroutine[Any, Any, T]) -> asyncio.Task[T]:
        """Start ``coro`` under ``name`` unless a task of that name runs; return the running one."""
        running = self._named.get(name)
        if running is not None and not running.done():
            coro.close()
            return running
        task = self.spawn(coro, name=name)
        self._named[name] = task
        return task

    def get(self, name: str) -> asyncio.Task[Any] | None:
        task = self._named.get(name)
        return task if task is not None and not task.done() else None

    def is_running(self, name: str) -> bool:
        return self.get(name) is not None

    def cancel(self, name: str) -> None:
        task = self._named.pop(name, None)
        if task is not None and not task.done():
            task.cancel()

    async def cancel_and_wait(self, name: str, grace: float = SHUTDOWN_TIMEOUT_S) -> None:
        task = self._named.pop(name, None)
        if task is not None and not task.done():
            task.cancel()
            await _wait_quietly({task}, grace)

    def report(self, error: BaseException, where: str = "") -> None:
        """Report an error caught inside a task that goes on running (e.g. a sync loop)."""
        report_error(error, self._on_error, where=where)
        if not isinstance(error, KnownError):
            self.unexpected.append(error)

    def __len__(self) -> int:
        return len(self._tasks)

    async def shutdown(self, grace: float = SHUTDOWN_TIMEOUT_S) -> None:
        """Cancel every task and wait (bounded) for them to unwind. No new tasks afterwards."""
        self._closing = True
        current = asyncio.current_task()
        pending = {t for t in self._tasks if t is not current and not t.done()}
        for task in pending:
            task.cancel()
        if pending:
            await _wait_quietly(pending, grace)
        self._named.clear()

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        name = task.get_name()
        if self._named.get(name) is task:
            del self._named[name]
        if task.cancelled():
            return
        error = task.exception()
        if error is None:
            return
        report_error(error, self._on_error, where=name)
        if not isinstance(error, KnownError):
            self.unexpected.append(error)


def report_error(error: BaseException, handler: ErrorHandler | None, *, where: str = "") -> None:
    """Log ``error`` (a traceback only for bugs) and hand it to the UI's handler."""
    if isinstance(error, KnownError):
        log.warning("%s: %s: %s", where or "task", type(error).__name__, error)
    else:
        log.error("unexpected error in %s", where or "task",
                  exc_info=(type(error), error, error.__traceback__))
    if handler is not None:
        try:
            handler(error)
        except Exception:  # the error path must never raise into the loop
            log.exception("error handler failed")


async def _wait_quietly(tasks: set[asyncio.Task[Any]], grace: float) -> None:
    done, still = await asyncio.wait(tasks, timeout=grace)
    for task in still:
        log.warning("task %s did not stop within %.1f s", task.get_name(), grace)
    for task in done:
        if not task.cancelled():
            task.exception()  # mark retrieved; _finished already reported it


async def sleep(seconds: float) -> None:
    """asyncio.sleep; a named helper so views need not import asyncio for a debounce."""
    await asyncio.sleep(seconds)


def run(main: Callable[[], Coroutine[Any, Any, int]]) -> int:
    """Run ``main()`` on a qasync loop over the existing QApplication; return its exit code.

    The QApplication must exist and have ``quitOnLastWindowClosed`` off: otherwise closing the
    window stops the loop before tasks clean up ("Event loop stopped before Future completed").
    """
    import qasync

    app = QCoreApplication.instance()
    if app is None:
        raise RuntimeError("create the QApplication before qt_async.run")
    result: int = qasync.run(main())
    return result


def attach_loop(app: QCoreApplication) -> asyncio.AbstractEventLoop:
    """Install a qasync loop on an already running QApplication (tests, embedding).

    Pump it with ``qtbot.waitUntil`` / ``processEvents``; release it with :func:`detach_loop`.
    """
    import qasync

    loop: asyncio.AbstractEventLoop = qasync.QEventLoop(app, already_running=True)
    asyncio.set_event_loop(loop)
    return loop


def detach_loop(loop: asyncio.AbstractEventLoop, *, timeout: float = 2.0) -> None:
    """Cancel what still runs on ``loop``, let it unwind, then close the loop."""
    pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
    for task in pending:
        task.cancel()
    pump_until(lambda: all(t.done() for t in pending), timeout)
    for task in pending:
        if not task.cancelled() and task.exception() is not None:
            log.warning("task %s ended with %r at loop detach", task.get_name(), task.exception())
    # qasync's stop() calls QApplication.exit(). With no exec() running, that only leaves Qt's
    # "quit now" flag set, and from then on every QEventLoop.exec() returns at once (so
    # pytest-qt's qtbot.wait stops processing events and later waits time out). Mark the
    # loop stopped without it.
    if hasattr(loop, "_QEventLoop__is_running"):
        loop._QEventLoop__is_running = False
    else:
        loop.stop()
    with contextlib.suppress(Exception):
        asyncio.events._set_running_loop(None)
    loop.close()
    asyncio.set_event_loop(None)
    _kill_loop_timers(loop)


def _kill_loop_timers(loop: asyncio.AbstractEventLoop) -> None:
    """Stop the Qt timers of a closed qasync loop here, on the GUI thread.

    Otherwise they die with the loop object whenever the garbage collector frees it, which
    can happen on any thread ("QObject::~QObject: Timers cannot be stopped from another thread").
    """
    timer = getattr(loop, "_timer", None)
    callbacks = getattr(timer, "_SimpleTimer__callbacks", None)
    if timer is None or not isinstance(callbacks, dict):
        return
    for timer_id in list(callbacks):
        timer.killTimer(timer_id)
    callbacks.clear()


def pump_until(condition: Callable[[], bool], timeout: float) -> bool:
    """Process Qt (and so asyncio) events until ``condition()`` or ``timeout`` seconds pass."""
    import time

    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
        time.sleep(0.002)
    return True
