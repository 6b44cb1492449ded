"""Pulling an Orderchamp account into the local cache: full, incremental, resumable."""

from orderchamp_desktop.core.sync.context import Tuning
from orderchamp_desktop.core.sync.plan import EntityPlan, plan_for
from orderchamp_desktop.core.sync.syncer import Syncer, SyncResult, load_live_schema

__all__ = ["EntityPlan", "SyncResult", "Syncer", "Tuning", "load_live_schema", "plan_for"]
