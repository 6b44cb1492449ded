"""Why pyproject pins PySide6-Essentials below 6.12 while Python 3.11 is supported.

PySide6 6.12.0 on Python 3.11 loses one reference to None each time Qt hands a Python None
back through C++ (a model's data() for an unused role, read via a proxy). After a few
thousand calls the interpreter aborts with "Fatal Python error: none_dealloc"; a table
repaint makes ~2,300 such calls. This test fails on an affected build long before a crash.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractListModel, QIdentityProxyModel, QModelIndex, QPersistentModelIndex, Qt

CALLS = 10_000


class _NoneModel(QAbstractListModel):
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else 3

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        return None


def test_none_refcount_survives_proxy_data_calls() -> None:
    source = _NoneModel()
    proxy = QIdentityProxyModel()
    proxy.setSourceModel(source)
    index = proxy.index(1, 0)
    before = sys.getrefcount(None)
    for _ in range(CALLS):
        proxy.data(index, Qt.ItemDataRole.ToolTipRole)
    drift = before - sys.getrefcount(None)
    # Other threads may create or drop a handful of None references meanwhile; a leak is ~CALLS.
    assert drift < CALLS // 10, f"PySide6 leaked {drift} references to None in {CALLS} calls"


def test_pyproject_keeps_the_pin_while_python_311_is_supported() -> None:
    project = tomllib.loads((Path(__file__).resolve().parents[2] / "pyproject.toml").read_text())["project"]
    assert project["requires-python"] == ">=3.11"
    pyside = next(dep for dep in project["dependencies"] if dep.startswith("PySide6-Essentials"))
    assert re.search(r"<\s*6\.12\b", pyside), pyside
