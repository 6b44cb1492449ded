"""What the composition root (app.py) hands to the UI: options and services.

Light on purpose (no asyncio, no httpx): it is imported before the first paint.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from orderchamp_desktop.core.paths import AppPaths
from orderchamp_desktop.core.profile import Profile
from orderchamp_desktop.core.secrets import Secrets
from orderchamp_desktop.ui.changes import ChangeBus
from orderchamp_desktop.ui.datasource import DataSource

if TYPE_CHECKING:
    from orderchamp_desktop.core.api import ApiClient


@dataclass
class AppOptions:
    demo: bool = False
    api_url: str | None = None
    #: Seconds between automatic incremental syncs while the window is open.
    auto_sync_interval: float = 300.0
    #: Waits between reconnect attempts while offline (the last one repeats).
    reconnect_delays: tuple[float, ...] = (5.0, 15.0, 30.0, 60.0, 120.0)
    #: The sandbox world for demo mode (None: a built-in demo brand).
    demo_config: Any = None
    #: Timeout of the quick reachability check before a sync (seconds).
    probe_timeout: float = 10.0


@dataclass
class Services:
    """What the composition root (app.py) hands to the UI. Every dependency is replaceable."""

    paths: AppPaths
    secrets: Secrets
    changes: ChangeBus
    source: DataSource
    #: Held for the app's lifetime: one process per data dir.
    lock: Any = None
    #: Set when another instance holds the data dir: the window says so and does nothing else.
    lock_error: str | None = None
    #: The data folder cannot be written: the saved data is shown read-only (no sync, no
    #: changes) and no lock is taken (this process cannot write anything to guard).
    read_only_data: bool = False
    profile: Profile | None = None
    #: Builds API clients (endpoint, token, **options); tests may pass a transport-aware one.
    client_factory: Callable[..., ApiClient] | None = None
    extras: dict[str, Any] = field(default_factory=dict)
