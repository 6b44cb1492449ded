"""A server that refuses introspection: the window still syncs, with the documented API only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from orderchamp_desktop.sandbox import SandboxConfig, SandboxServer
from tests.ui.signed_in import signed_in


def test_the_window_syncs_when_introspection_is_refused(qtbot: Any, qloop: Any, data_dir: Path) -> None:
    config = SandboxConfig(seed=8, products=10, orders=40, restore_rate=5000.0,
                           features={"introspection": False})
    with SandboxServer(config) as sandbox, signed_in(qtbot, data_dir, sandbox) as (driver, fc):
        window = driver.window
        driver.wait(lambda: window.status.last_synced.text() == "Last synced just now", 60)
        store = window.source.store
        assert store is not None
        assert store.counts()["orders"] == len(sandbox.state.orders)
        assert not window.error_banner.isVisible()
        # Shipping still works without the schema: tracked parcels need none of its enums.
        service = driver.run(fc.services.shipping(), timeout=30)
        assert service.schema is None
