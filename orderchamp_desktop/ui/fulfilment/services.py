"""Glue between the open account and the (Qt-free) shipping actions.

Builds a :class:`ShippingService` for the current session on demand: the API client of the
session, the live schema (loaded once per client, from the per-account cache when fresh),
the GUI thread's Store for write-through, and the change bus for "what changed".
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from orderchamp_desktop.core.actions.shipping import ShippingService
from orderchamp_desktop.core.errors import KnownError
from orderchamp_desktop.ui.changes import ORDERS, Changes
from orderchamp_desktop.ui.datasource import DataSource

if TYPE_CHECKING:
    from orderchamp_desktop.core.api import ApiClient


class NotConnectedError(KnownError):
    default_message = (
        "Shipping needs a connection to Orderchamp, and this account is not connected right now. "
        "Sign in again or wait until the app is back online; your cached orders stay available."
    )


@dataclass(frozen=True)
class Connection:
    """What the shipping actions need from the open session."""

    client: ApiClient
    schema_dir: Path | None
    account_key: str


ConnectionProvider = Callable[[], Connection | None]


class FulfilmentServices:
    def __init__(self, source: DataSource, connection: ConnectionProvider) -> None:
        self.source = source
        self._connection = connection
        self._schema_lock: asyncio.Lock | None = None

    def connection(self) -> Connection | None:
        return self._connection()

    async def shipping(self) -> ShippingService:
        """A service for the current account, with its live schema loaded."""
        connection = self._connection()
        if connection is None:
            raise NotConnectedError()
        client = connection.client
        if client.schema is None:
            if self._schema_lock is None:
                self._schema_lock = asyncio.Lock()
            async with self._schema_lock:
                if client.schema is None:  # None again if the server refuses introspection
                    from orderchamp_desktop.core.sync import load_live_schema

                    await load_live_schema(client, connection.schema_dir, connection.account_key)
        return ShippingService(client, self.source.store, schema=client.schema,
                               on_changed=self._publish)

    def _publish(self, order_ids: frozenset[str]) -> None:
        self.source.changes.publish(Changes.of(ORDERS, ids=order_ids, source="fulfilment"))


def connection_from_controller(controller: Any) -> ConnectionProvider:
    """A provider reading the shell's AppController session (client, schema dir, account)."""

    def provide() -> Connection | None:
        session = getattr(controller, "session", None)
        client = getattr(session, "client", None) if session is not None else None
        if session is None or client is None:
            return None
        profile = session.profile
        schema_dir = None if getattr(profile, "is_demo", False) else controller.paths.schema_dir
        return Connection(client, schema_dir, profile.account_key)

    return provide
