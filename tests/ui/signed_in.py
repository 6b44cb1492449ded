"""The real window signed in to a sandbox over loopback HTTP, with fulfilment installed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from orderchamp_desktop.core.secrets import MemoryBackend, Secrets
from orderchamp_desktop.sandbox import SandboxServer
from orderchamp_desktop.ui.fulfilment.controller import FulfilmentController, install_fulfilment
from orderchamp_desktop.ui.fulfilment.shipment_dialog import ShipmentDialog
from orderchamp_desktop.ui.services import AppOptions
from orderchamp_desktop.ui.testing import ShellDriver


@contextmanager
def signed_in(qtbot: Any, data_dir: Path, sandbox: SandboxServer
              ) -> Iterator[tuple[ShellDriver, FulfilmentController]]:
    """Started and signed in with the sandbox's token; each caller waits for what it needs.

    On the way out it closes the dialogs (once no shipment is in flight) and the window like a
    user, then checks the app logged no unexpected error.
    """
    options = AppOptions(api_url=sandbox.url, auto_sync_interval=3600)
    driver = ShellDriver(qtbot, data_dir, secrets=Secrets(MemoryBackend(), environ={}), options=options)
    driver.start()
    controller = driver.controller
    assert controller is not None
    fulfilment = getattr(controller, "fulfilment", None) or install_fulfilment(controller)
    try:
        driver.run(controller.connect_with_token(sandbox.token), timeout=30)
        yield driver, fulfilment
    finally:
        busy = [d for d in fulfilment.dialogs if isinstance(d, ShipmentDialog)]
        driver.wait(lambda: not any(d.busy for d in busy))
        for dialog in list(fulfilment.dialogs):
            dialog.close()
        driver.close()
    assert driver.unexpected_errors() == []


def wait_for_first_sync(driver: ShellDriver, timeout: float = 60) -> None:
    """Until the cache holds a finished sync (the window shows what the sandbox has)."""
    source = driver.window.source
    driver.wait(lambda: source.store is not None and source.store.last_synced_at() is not None, timeout)
