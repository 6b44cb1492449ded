"""The layer rules of ARCHITECTURE.md, enforced."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "orderchamp_desktop"


def _modules_under(folder: Path) -> list[str]:
    root = PACKAGE.parent
    return sorted(
        ".".join(path.relative_to(root).with_suffix("").parts).removesuffix(".__init__")
        for path in folder.rglob("*.py")
    )


def test_core_never_imports_qt() -> None:
    """Importing every core module in a fresh interpreter loads neither PySide6 nor qasync."""
    modules = _modules_under(PACKAGE / "core")
    assert len(modules) > 5
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6', 'qasync'))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "", f"core pulled in Qt: {result.stdout}"


def _imported_names(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_sandbox_imports_nothing_from_the_app() -> None:
    offenders = {
        str(path.relative_to(PACKAGE)): sorted(
            name for name in _imported_names(path)
            if name.startswith(("orderchamp_desktop.core", "orderchamp_desktop.ui", "PySide6"))
        )
        for path in (PACKAGE / "sandbox").rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_core_has_no_qt_imports_statically() -> None:
    """Catches a Qt import hidden in a function body, which the runtime check cannot see."""
    offenders = [
        str(path.relative_to(PACKAGE))
        for path in (PACKAGE / "core").rglob("*.py")
        if any(name.split(".")[0] in ("PySide6", "qasync", "shiboken6") for name in _imported_names(path))
    ]
    assert offenders == []
