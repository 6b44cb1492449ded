"""Shared fixtures. Strict: Python warnings are errors (pyproject), Qt warnings fail UI tests.

Fixtures here give real substitutes, never mocks of what a test claims to test:
a sandbox server on loopback, a temp data dir, an in-memory secret backend.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# UI tests render offscreen; set before anything imports Qt.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Never let a test touch the developer's real data dir, keychain token or live API.
os.environ.pop("ORDERCHAMP_TOKEN", None)
os.environ.pop("ORDERCHAMP_API_URL", None)


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An isolated data dir, also exported so code that resolves paths itself uses it."""
    folder = tmp_path / "data"
    folder.mkdir()
    monkeypatch.setenv("ORDERCHAMP_DESKTOP_DATA_DIR", str(folder))
    return folder


@pytest.fixture
def small_sandbox() -> Iterator[object]:
    """A small, fast sandbox (few orders, generous throttle) for quick end-to-end tests."""
    from orderchamp_desktop.sandbox import SandboxConfig, SandboxServer

    config = SandboxConfig(seed=7, products=20, orders=120, restore_rate=5000.0)
    with SandboxServer(config) as server:
        yield server
