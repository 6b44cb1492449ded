"""Fixtures the UI tests share."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from orderchamp_desktop.ui.testing import attach_loop, detach_loop


@pytest.fixture
def qloop(qapp: Any) -> Iterator[Any]:
    """The asyncio loop on pytest-qt's QApplication, for tests that drive the app's coroutines."""
    loop = attach_loop()
    yield loop
    detach_loop(loop)
