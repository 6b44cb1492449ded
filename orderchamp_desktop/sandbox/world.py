"""Builds a complete seeded world."""

from __future__ import annotations

from .catalog import generate_catalog
from .config import SandboxConfig
from .orders import generate_orders
from .reference import build_categories
from .state import SandboxState


def build_state(config: SandboxConfig) -> SandboxState:
    """A fresh world, identical for the same seed and ``now``."""
    state = SandboxState(config)
    state.categories = build_categories()
    generate_catalog(state, state.generation_rng)
    generate_orders(state, state.generation_rng)
    return state
