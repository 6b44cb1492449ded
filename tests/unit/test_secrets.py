"""Token storage: env var first, keychain otherwise, never a silent plaintext fallback."""

from __future__ import annotations

import os
import threading

import pytest

from orderchamp_desktop.core.errors import KeychainTimeoutError, KeychainUnavailableError
from orderchamp_desktop.core.secrets import SERVICE, MemoryBackend, Secrets


def test_token_round_trip_per_account() -> None:
    secrets = Secrets(MemoryBackend(), environ={})
    secrets.set_token("acct-a", "token-a")
    secrets.set_token("acct-b", "token-b")
    assert secrets.get_token("acct-a") == "token-a"
    secrets.delete_token("acct-a")
    assert secrets.get_token("acct-a") is None
    assert secrets.get_token("acct-b") == "token-b"
    secrets.delete_token("acct-a")  # deleting twice is not an error


def test_environment_token_wins_over_keychain() -> None:
    backend = MemoryBackend()
    backend.set_password(SERVICE, "acct", "from-keychain")
    secrets = Secrets(backend, environ={"ORDERCHAMP_TOKEN": "  from-env  "})
    assert secrets.get_token("acct") == "from-env"


class _HangingBackend(MemoryBackend):
    """Behaves like a Secret Service that never answers on the D-Bus session."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()

    def get_password(self, service: str, username: str) -> str | None:
        self.release.wait(10)
        return None


def test_hanging_keychain_becomes_a_clear_error_quickly() -> None:
    backend = _HangingBackend()
    secrets = Secrets(backend, timeout=0.2, environ={})
    try:
        with pytest.raises(KeychainUnavailableError) as raised:
            secrets.get_token("acct")
        assert "keychain did not answer" in raised.value.user_message
    finally:
        backend.release.set()


def test_no_usable_keyring_is_refused_not_replaced_by_a_file(monkeypatch: pytest.MonkeyPatch) -> None:
    import keyring
    from keyring.backends import fail

    monkeypatch.setattr(keyring, "get_keyring", lambda: fail.Keyring())
    secrets = Secrets(environ={})
    with pytest.raises(KeychainUnavailableError):
        secrets.set_token("acct", "secret")
    secrets.use_session_only()
    secrets.set_token("acct", "secret")
    assert secrets.get_token("acct") == "secret"
    assert secrets.is_session_only


@pytest.mark.keyring_real
def test_real_secret_service_round_trip() -> None:
    """Against gnome-keyring under dbus-run-session (tests/keyring_session.sh)."""
    if not os.environ.get("KEYRING_TEST_REAL"):
        pytest.skip("run through tests/keyring_session.sh, which starts a Secret Service")
    from keyring.backends.SecretService import Keyring as SecretServiceKeyring

    secrets = Secrets(environ={})
    assert isinstance(secrets.backend, SecretServiceKeyring)
    secrets.set_token("ci-account", "tok-ü-123")
    assert Secrets(environ={}).get_token("ci-account") == "tok-ü-123"
    secrets.delete_token("ci-account")
    assert Secrets(environ={}).get_token("ci-account") is None


def test_a_hung_keychain_call_is_left_to_a_daemon_thread() -> None:
    """Nothing joins a daemon thread at exit: a hung call cannot keep the CLI alive."""
    backend = _HangingBackend()
    secrets = Secrets(backend, timeout=0.2, environ={})
    try:
        with pytest.raises(KeychainTimeoutError):
            secrets.get_token("acct")
        hung = [t for t in threading.enumerate() if t.name == "keyring" and t.is_alive()]
        assert hung and all(t.daemon for t in hung)
    finally:
        backend.release.set()


def test_a_keyring_failure_becomes_a_clear_error_and_other_errors_stay_bugs() -> None:
    from keyring.errors import KeyringLocked

    class Locked(MemoryBackend):
        def get_password(self, service: str, username: str) -> str | None:
            raise KeyringLocked("locked")

    class Broken(MemoryBackend):
        def get_password(self, service: str, username: str) -> str | None:
            raise ZeroDivisionError

    with pytest.raises(KeychainUnavailableError):
        Secrets(Locked(), environ={}).get_token("acct")
    with pytest.raises(ZeroDivisionError):
        Secrets(Broken(), environ={}).get_token("acct")
