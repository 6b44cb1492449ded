"""Paging through a top-level connection into the cache: full (resumable) and incremental.

Full pass: each page's rows and the cursor after it are written in one transaction, so a
killed or cancelled sync resumes after the last page it stored. At the end, rows the
server no longer lists are dropped (sweep) and the pass is marked complete. The sweep is
only safe after a pass that saw every row: a page the server could not send whole fails
the pass (the client refuses it), and a page that came with any error skips the sweep.

Incremental passes: pages sorted newest first (by updated-at, or created-at where the API
offers no updated-at sort) until the page reaches a given moment; or every page of a
listing narrowed by ``since``.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from orderchamp_desktop.core.api import IncompleteAnswerError, Page
from orderchamp_desktop.core.cache import Store
from orderchamp_desktop.core.errors import ServerError
from orderchamp_desktop.core.sync.context import SyncContext, dig, format_time, now_iso, parse_time

log = logging.getLogger(__name__)

Writer = Callable[[Store, list[dict[str, Any]], int | None], list[str]]


@dataclass(frozen=True)
class EntityPass:
    """How one entity is paged: operation, where its connection is, how pages are stored."""

    entity: str
    op: str
    connection: tuple[str, ...]
    variables: Mapping[str, Any]
    write: Writer
    complete: Callable[[SyncContext, int | None], Awaitable[None]]
    latest_op: str | None = None  # probe for the newest updatedAt (needs an updated-at sort)
    full_sort: str | None = None  # None: the sort argument is left out (the server's order)
    sweep: bool = True


def _sorted(variables: Mapping[str, Any], sort: str | None) -> dict[str, Any]:
    """``variables`` with ``sort`` set, or without any sort (never ``sort: null``)."""
    result = {k: v for k, v in variables.items() if k != "sort"}
    if sort is not None:
        result["sort"] = sort
    return result


@asynccontextmanager
async def closing_pages(pages: AsyncIterator[Page]) -> AsyncIterator[AsyncIterator[Page]]:
    """Close the page generator when the pass stops early (no request left in flight)."""
    try:
        yield pages
    finally:
        close = getattr(pages, "aclose", None)
        if close is not None:
            await close()


def _write_page(store: Store, spec: EntityPass, page: Page, run: int | None,
                state: Mapping[str, Any]) -> list[str]:
    """Rows and resume state in one transaction: a kill never leaves half a page."""
    with store.transaction():
        ids = spec.write(store, page.nodes, run)
        changes = dict(state)
        if page.end_cursor is not None and "cursor" in changes:
            changes["cursor"] = page.end_cursor
        elif "cursor" in changes:
            del changes["cursor"]
        if changes:
            store.save_sync_state(spec.entity, **changes)
    return ids


def _finish_full(store: Store, spec: EntityPass, run: int, sweep: bool) -> None:
    with store.transaction():
        if spec.sweep and sweep:
            gone = store.sweep_unseen(spec.entity, run)
            if gone:
                log.info("%s: %d no longer on Orderchamp, removed from the cache", spec.entity, gone)
        elif spec.sweep:
            log.warning("%s: a page came with errors; rows not seen are kept this time", spec.entity)
        if spec.entity == "orders":
            store.rebuild_search_index()
        state = store.sync_state(spec.entity)
        moment = now_iso()
        store.save_sync_state(spec.entity, completed=1, cursor=None, finished_at=moment,
                              last_full_at=moment,
                              watermark=state.watermark or store.newest(spec.entity, "updated_at"))


async def latest_updated(ctx: SyncContext, spec: EntityPass, sort: str | None) -> str | None:
    """The newest updatedAt on the server now: changes after this moment sort above it."""
    if spec.latest_op is None or sort is None:
        return None
    data = await ctx.client.query(spec.latest_op, {"sort": sort})
    nodes = dig(data, *spec.connection, "nodes")
    if isinstance(nodes, list) and nodes and isinstance(nodes[0], Mapping):
        value = nodes[0].get("updatedAt")
        return value if isinstance(value, str) else None
    return None


async def full_pass(ctx: SyncContext, spec: EntityPass, *, resume: bool, updated_sort: str | None) -> None:
    store = ctx.db.store
    state = await ctx.db(store.sync_state, spec.entity)
    if resume:
        run, cursor, done = state.run, state.cursor, state.done
        log.info("%s: resuming the full sync after %d rows", spec.entity, done)
    else:
        run, cursor, done = state.run + 1, None, 0
        watermark = await latest_updated(ctx, spec, updated_sort)
        await ctx.db(store.save_sync_state, spec.entity, run=run, cursor=None, completed=0, done=0,
                     total=None, started_at=now_iso(), watermark=watermark)
    if spec.entity == "orders":
        await ctx.db(store.defer_search_index)
    await spec.complete(ctx, run)  # parents a killed run left incomplete
    try:
        whole = await _pages(ctx, spec, run, cursor, done)
    except ServerError as exc:
        if cursor is None or not isinstance(exc, _FirstPageRefused):
            raise
        # A cursor from an interrupted run may have expired: start over (same run number, so
        # everything stored so far still counts as seen).
        log.warning("%s: resume cursor refused (%s); reading from the start", spec.entity, exc.detail)
        whole = await _pages(ctx, spec, run, None, 0)
    await ctx.db(_finish_full, store, spec, run, whole)


class _FirstPageRefused(ServerError):
    """The server refused the very first page of a resumed pass."""


async def _pages(ctx: SyncContext, spec: EntityPass, run: int, cursor: str | None, done: int) -> bool:
    """Every page from ``cursor`` on; True when none of them came with an error."""
    store = ctx.db.store
    variables = {**_sorted(spec.variables, spec.full_sort), **({"after": cursor} if cursor else {})}
    first, whole = True, True
    async with closing_pages(ctx.client.paginate(spec.op, variables, connection=spec.connection)) as pages:
        while True:
            try:
                page = await anext(pages)
            except StopAsyncIteration:
                return whole
            except ServerError as exc:
                if first and cursor is not None and not isinstance(
                        exc, _FirstPageRefused | IncompleteAnswerError):
                    raise _FirstPageRefused(exc.user_message, detail=exc.detail) from exc
                raise
            first, whole = False, whole and not page.partial
            done += len(page.nodes)
            ctx.count(spec.entity, len(page.nodes))
            await ctx.db(_write_page, store, spec, page, run,
                         {"cursor": None, "done": done, "total": page.total_count})
            ctx.progress(spec.entity, done, page.total_count)
            await spec.complete(ctx, run)


def _older_than(nodes: Sequence[Mapping[str, Any]], key: str, cutoff: datetime) -> bool:
    """True when the page's last node is older than the cutoff: the listing is caught up."""
    if not nodes:
        return True
    moment = parse_time(nodes[-1].get(key))
    return moment is not None and moment < cutoff


async def newest_first_pass(ctx: SyncContext, spec: EntityPass, *, sort: str | None, key: str,
                            since: str | None) -> tuple[set[str], str | None]:
    """Page newest first until the nodes' ``key`` is before ``since`` minus the overlap
    (every page when ``since`` is None).

    Returns the ids written and the newest ``key`` value seen (the next watermark).
    """
    start = parse_time(since)
    cutoff = start - ctx.tuning.overlap if start is not None else None

    def caught_up(page: Page) -> bool:
        return cutoff is not None and _older_than(page.nodes, key, cutoff)

    return await _read_listing(ctx, spec, spec.op, _sorted(spec.variables, sort), key, caught_up)


async def since_pass(ctx: SyncContext, spec: EntityPass, op: str, since: str) -> tuple[set[str], str | None]:
    """Every page of ``op`` narrowed to ``since`` minus the overlap (never null, never empty).

    Returns the ids written and the newest ``updatedAt`` among them (the next watermark).
    """
    start = parse_time(since)
    if start is None:
        raise ValueError(f"not a moment to sync from: {since!r}")
    moment = format_time(start - ctx.tuning.overlap)
    variables = {**_sorted(spec.variables, spec.full_sort), "since": moment}
    return await _read_listing(ctx, spec, op, variables, "updatedAt", lambda _page: False)


async def _read_listing(ctx: SyncContext, spec: EntityPass, op: str, variables: Mapping[str, Any],
                        key: str, caught_up: Callable[[Page], bool]) -> tuple[set[str], str | None]:
    """Write pages of ``op`` until ``caught_up``; the ids written and the latest ``key``."""
    store = ctx.db.store
    state = await ctx.db(store.sync_state, spec.entity)
    seen: set[str] = set()
    newest: datetime | None = None
    async with closing_pages(ctx.client.paginate(op, variables, connection=spec.connection)) as pages:
        async for page in pages:
            ids = await ctx.db(_write_page, store, spec, page, state.run, {})
            seen.update(ids)
            ctx.count(spec.entity, len(page.nodes))
            ctx.progress(spec.entity, len(seen), None)
            newest = _latest(page.nodes, key, newest)
            await spec.complete(ctx, state.run)
            if caught_up(page):
                break
    return seen, format_time(newest) if newest is not None else None


def _latest(nodes: Sequence[Mapping[str, Any]], key: str, so_far: datetime | None) -> datetime | None:
    """The latest ``key`` among ``nodes`` and ``so_far`` (unreadable values are ignored)."""
    moments = [m for m in (parse_time(node.get(key)) for node in nodes) if m is not None]
    return max([*moments, *([so_far] if so_far is not None else [])], default=None)


async def save_incremental(ctx: SyncContext, entity: str, watermark: str | None) -> None:
    store = ctx.db.store
    state = await ctx.db(store.sync_state, entity)
    best = watermark
    old, new = parse_time(state.watermark), parse_time(watermark)
    if old is not None and (new is None or old > new):
        best = state.watermark
    moment = now_iso()
    await ctx.db(store.save_sync_state, entity, watermark=best, last_incremental_at=moment,
                 finished_at=moment)
