"""Pulling an Orderchamp account into the local cache: full, incremental, resumable."""

from orderchamp_desktop.core.sync.context import Tuning
from orderchamp_desktop.core.sync.syncer import Features, Syncer, SyncResult

__all__ = ["Features", "SyncResult", "Syncer", "Tuning"]
