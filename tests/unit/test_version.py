"""The version the app shows (About, --version, User-Agent) is the one pyproject releases."""

from __future__ import annotations

import tomllib
from pathlib import Path

from orderchamp_desktop import __version__


def test_version_matches_pyproject() -> None:
    pyproject = tomllib.loads((Path(__file__).resolve().parents[2] / "pyproject.toml").read_text())
    assert __version__ == pyproject["project"]["version"]
