"""What every sync step needs: the API client, the store worker, tuning, progress, counters."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from orderchamp_desktop.core.api import ApiClient
from orderchamp_desktop.core.cache.values import end_cursor, has_next_page
from orderchamp_desktop.core.errors import Progress
from orderchamp_desktop.core.sync.worker import StoreWorker

log = logging.getLogger(__name__)

ProgressCallback = Callable[[Progress], None]


@dataclass(frozen=True)
class Tuning:
    """Nested page sizes: they set each node's requested cost, hence the outer page size.

    An order asks for 1 + 2 (addresses) + (2 + lines) + (2 + shipments * (3 + 2 * shipment
    lines)) points: 73 with these values, so an adaptive page carries about 13 orders under
    the 1000-point bucket. Most orders fit (1-12 lines, 1-2 shipments); the rest are
    completed by the follow-up operations with larger pages.
    """

    order_lines: int = 12
    order_shipments: int = 2
    shipment_lines: int = 12
    product_variants: int = 12
    invoice_items: int = 14
    follow_up_page: int = 100
    follow_up_shipments: int = 5
    follow_up_shipment_lines: int = 50
    follow_up_variants: int = 40
    #: Inventory levels asked per variant; None: the number of locations (all of them).
    inventory_levels: int | None = None
    #: Incremental passes read this far past the watermark: clocks and equal seconds.
    overlap: timedelta = timedelta(minutes=2)
    #: A catalogue without an updated-at sort is read in full at most this often.
    products_full_every: timedelta = timedelta(hours=6)
    #: Invoices without an updated-at sort: a full read this often catches what the
    #: newest-first walk cannot (a paid invoice changed again, an invoice removed).
    invoices_full_every: timedelta = timedelta(hours=24)
    #: Orders synced by ``since`` (whose meaning the docs do not give): a full read this
    #: often makes sure no change is missed for longer.
    orders_full_every: timedelta = timedelta(hours=24)
    #: Unpaid invoices created this long before the newest one are re-read by the newest-
    #: first walk (their status can still change); older ones wait for the full read.
    unpaid_invoice_window: timedelta = timedelta(days=120)
    #: Concurrent single-order re-reads when the API has no updated-at sort.
    reread_concurrency: int = 4


@dataclass
class SyncContext:
    client: ApiClient
    db: StoreWorker
    tuning: Tuning
    on_progress: ProgressCallback | None
    counts: dict[str, int] = field(default_factory=dict)
    levels: int = 1  # inventory levels per variant to ask for: the number of locations

    def progress(self, entity: str, done: int, total: int | None) -> None:
        if self.on_progress is None:
            return
        try:
            self.on_progress(Progress(entity, done, total))
        except Exception:  # a broken progress bar must not stop the sync
            log.exception("progress callback failed")

    def count(self, entity: str, amount: int) -> None:
        self.counts[entity] = self.counts.get(entity, 0) + amount

    async def nested_pages(self, op: str, variables: Mapping[str, Any],
                           extract: Callable[[Mapping[str, Any]], Any]) -> AsyncIterator[Mapping[str, Any]]:
        """Pages of a connection inside one parent (fixed page size; the cost is known).

        Stops quietly when the parent is gone (null without an error), logging it: the next
        full sync settles whether it still exists. A null that comes with an error never
        gets here: the client raises IncompleteAnswerError, so the parent keeps its
        "not complete" flag and the next sync completes it.
        """
        after: str | None = None
        while True:
            data = await self.client.query(op, {**variables, "after": after})
            connection = extract(data)
            if not isinstance(connection, Mapping):
                log.warning("%s: %s returned nothing; leaving it as cached", op, variables.get("id"))
                return
            yield connection
            if not has_next_page(connection):
                return
            cursor = end_cursor(connection)
            if cursor is None or cursor == after:
                log.warning("%s: no new cursor for %s; stopping", op, variables.get("id"))
                return
            after = cursor


def now_iso() -> str:
    return format_time(datetime.now(UTC))


def format_time(moment: datetime) -> str:
    """A moment as the API writes it: UTC, whole seconds, a Z ("2020-05-26T11:00:37Z")."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(value: object) -> datetime | None:
    """An API timestamp as an aware datetime; None when absent or unreadable."""
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def dig(data: Any, *keys: str) -> Any:
    """data[k1][k2]... with None for anything missing on the way."""
    for key in keys:
        if not isinstance(data, Mapping):
            return None
        data = data.get(key)
    return data
