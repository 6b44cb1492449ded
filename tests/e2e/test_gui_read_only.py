"""The desktop app on a data folder it cannot write (a read-only disk or mount).

It opens the saved orders read-only and says why nothing can sync or change, instead of
refusing to start. The window runs in a child process that sees the folder through a real
read-only bind mount (see tests/e2e/read_only.py), offscreen, against nothing: no token.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.children import run_python
from tests.e2e.read_only import make_writable_again, read_only_prefix, snapshot

pytestmark = pytest.mark.e2e

_WINDOW_CHILD = textwrap.dedent("""
    import json, sys
    from PySide6.QtWidgets import QLabel
    from orderchamp_desktop import qt_async
    from orderchamp_desktop.app import build_shell
    from orderchamp_desktop.core.secrets import MemoryBackend, Secrets
    from orderchamp_desktop.ui.services import AppOptions

    shell = build_shell(AppOptions(auto_sync_interval=3600), data_dir=sys.argv[1],
                        secrets=Secrets(MemoryBackend(), environ={}))
    loop = qt_async.attach_loop(shell.app)
    shell.show_and_paint()
    window = shell.window
    main = loop.create_task(shell.controller().run())
    qt_async.pump_until(lambda: window.offline_banner.isVisible(), 20)
    tab = window.orders_tab
    tab.set_filter("needs_action")
    tab.table.select_row(0)  # an order to ship: its Ship button is there, and off
    qt_async.pump_until(lambda: tab.detail.detail is not None, 5)
    seen = {"main": window.is_showing_main(), "banner": window.offline_banner.text(),
            "can_sync": window.action_sync.isEnabled(),
            "can_sign_out": window.action_sign_out.isEnabled(),
            "detail": tab.detail.title.text(),
            "note": window.findChild(QLabel, "orderActionNote").text()}
    tab.set_filter("all")
    seen["rows"] = tab.model.rowCount()
    window.close()
    qt_async.pump_until(main.done, 5)
    shell.close()
    qt_async.detach_loop(loop)
    print(json.dumps(seen))
""")


def test_a_read_only_data_folder_opens_the_saved_orders_and_writes_nothing(
        small_sandbox: Any, tmp_path: Path) -> None:
    data = tmp_path / "data"
    synced = run_python("-m", "orderchamp_desktop", "--data-dir", str(data), "--api-url",
                        small_sandbox.url, "sync", token=small_sandbox.token)
    assert synced.returncode == 0, synced.stderr
    before = snapshot(data)
    prefix = read_only_prefix(data)
    try:
        result = run_python("-c", _WINDOW_CHILD, str(data), prefix=prefix, QT_QPA_PLATFORM="offscreen")
    finally:
        make_writable_again(data)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["main"] and seen["rows"] == small_sandbox.config.orders
    assert seen["detail"].startswith("Order ")
    assert f"The data folder {data} is read-only" in seen["banner"]
    assert not seen["can_sync"] and not seen["can_sign_out"]
    assert seen["note"] == "Shipping and confirming are off: the data folder is read-only."
    assert "Traceback" not in result.stderr and "Logging error" not in result.stderr
    assert snapshot(data) == before
