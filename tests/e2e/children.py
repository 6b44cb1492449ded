"""Child processes for end-to-end tests: the app's own interpreter, a clean environment."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def child_env(token: str | None, **extra: str) -> dict[str, str]:
    """This environment without the app's settings or a keyring backend choice; ``token``
    as ORDERCHAMP_TOKEN when given, then ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ORDERCHAMP", "PYTHON_KEYRING"))}
    if token is not None:
        env["ORDERCHAMP_TOKEN"] = token
    env.update(extra)
    return env


def run_python(*args: str, token: str | None = None, prefix: tuple[str, ...] = (), timeout: float = 120,
               **extra_env: str) -> subprocess.CompletedProcess[str]:
    """``python <args>`` from the repository, behind ``prefix`` (e.g. a read-only mount)."""
    return subprocess.run([*prefix, sys.executable, *args], capture_output=True, text=True,
                          env=child_env(token, **extra_env), timeout=timeout, check=False, cwd=REPO)
