"""The API token lives in the OS keychain (through keyring), or in ORDERCHAMP_TOKEN.

Never in SQLite, settings, logs or exports. Keyring calls run in a worker thread under a
short timeout: with no Secret Service on the D-Bus session a call can block for minutes.
The worker is a daemon thread that nobody joins, so a call that never returns cannot hold
up the exit of the app or of a headless command either.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
from collections.abc import Callable
from typing import NoReturn, Protocol, TypeVar

from orderchamp_desktop.core.errors import KeychainTimeoutError, KeychainUnavailableError
from orderchamp_desktop.core.paths import TOKEN_ENV

log = logging.getLogger(__name__)

SERVICE = "orderchamp-desktop"
KEYRING_TIMEOUT_S = 5.0
T = TypeVar("T")


class SecretBackend(Protocol):
    """The three keyring calls the app uses (keyring.backend.KeyringBackend fits)."""

    def get_password(self, service: str, username: str) -> str | None: ...
    def set_password(self, service: str, username: str, password: str) -> None: ...
    def delete_password(self, service: str, username: str) -> None: ...


class MemoryBackend:
    """Session-only storage: for tests, and when the user accepts 'this session only'."""

    def __init__(self) -> None:
        self._store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self._store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self._store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self._store.pop((service, username), None)


def system_backend() -> SecretBackend:
    """The OS keychain, or KeychainUnavailableError when there is none that is safe.

    keyring's "fail" and plaintext backends are refused: a token must never land in a file.
    """
    import keyring  # imported late: ~60 ms that start-up does not need
    from keyring.backends import fail

    backend = keyring.get_keyring()
    name = type(backend).__module__ + "." + type(backend).__name__
    if isinstance(backend, fail.Keyring) or "plaintext" in name.lower() or backend.priority <= 0:
        raise KeychainUnavailableError(detail=f"keyring backend {name}")
    return backend


class Secrets:
    """Token storage per account, with the environment variable taking precedence."""

    def __init__(self, backend: SecretBackend | None = None, *, timeout: float = KEYRING_TIMEOUT_S,
                 environ: dict[str, str] | None = None) -> None:
        self._backend = backend
        self._timeout = timeout
        self._environ = os.environ if environ is None else environ

    @property
    def backend(self) -> SecretBackend:
        if self._backend is None:
            self._backend = self._call(system_backend)
        return self._backend

    def use_session_only(self) -> None:
        """Switch to in-memory storage (the user's explicit choice when no keychain exists)."""
        self._backend = MemoryBackend()

    @property
    def is_session_only(self) -> bool:
        return isinstance(self._backend, MemoryBackend)

    def env_token(self) -> str | None:
        token = self._environ.get(TOKEN_ENV, "").strip()
        return token or None

    def get_token(self, account: str) -> str | None:
        env = self.env_token()
        if env:
            return env
        return self._call(lambda: self.backend.get_password(SERVICE, account))

    def set_token(self, account: str, token: str) -> None:
        self._call(lambda: self.backend.set_password(SERVICE, account, token))

    def delete_token(self, account: str) -> None:
        def delete() -> None:
            try:
                self.backend.delete_password(SERVICE, account)
            except Exception as exc:  # keyring raises PasswordDeleteError when absent
                if type(exc).__name__ != "PasswordDeleteError":
                    raise
        self._call(delete)

    def _call(self, func: Callable[[], T]) -> T:
        """Run a keyring call in a daemon thread; a hang becomes a clear KnownError.

        Not a ThreadPoolExecutor: its workers are joined at interpreter exit, so one hung
        D-Bus call kept a finished command alive until the call gave up by itself.
        """
        outcomes: queue.SimpleQueue[Callable[[], T]] = queue.SimpleQueue()

        def work() -> None:
            try:
                value = func()
            except BaseException as exc:  # raised again in the caller's thread
                outcomes.put(_raiser(exc))
            else:
                outcomes.put(lambda: value)

        threading.Thread(target=work, name="keyring", daemon=True).start()
        try:
            outcome = outcomes.get(timeout=self._timeout)
        except queue.Empty:
            raise KeychainTimeoutError(detail="keyring call timed out") from None
        try:
            return outcome()
        except KeychainUnavailableError:
            raise
        except Exception as exc:
            if type(exc).__module__.startswith(("keyring", "secretstorage", "jeepney")):
                log.warning("keyring failed: %s", type(exc).__name__)
                raise KeychainUnavailableError(detail=type(exc).__name__) from exc
            raise


def _raiser(exc: BaseException) -> Callable[[], NoReturn]:
    def again() -> NoReturn:
        raise exc
    return again
