"""Relay connections: edges/nodes/pageInfo over a sorted list, with opaque key-based cursors.

A cursor holds the sort name and the sort key of its item, not an offset, so a page boundary
stays put when items are added or move (an order whose updatedAt changes moves to the end of an
UPDATED_AT_ASC listing, as it would on the live API).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from graphql import GraphQLError

from .ids import decode_cursor, encode_cursor

T = TypeVar("T")
MAX_PAGE_SIZE = 250
FIRST_OR_LAST = "You must provide one of first or last"
KeyFn = Callable[[Any], list[Any]]


def timestamp(moment: datetime | None) -> int:
    """Sort key part for a moment (-1 for none, so missing values sort first ascending)."""
    return int(moment.timestamp()) if moment is not None else -1


def requested_page_size(args: dict[str, Any]) -> int:
    """The number of items a connection asks for: first or last, capped at 250."""
    sizes: list[int] = [args[name] for name in ("first", "last") if args.get(name) is not None]
    if not sizes:
        raise GraphQLError(FIRST_OR_LAST)
    if any(size < 0 for size in sizes):
        raise GraphQLError("first and last must not be negative")
    return min(min(sizes), MAX_PAGE_SIZE)


def split_sort(value: str | None, default: str) -> tuple[str, bool]:
    """("CREATED_AT", True) from "CREATED_AT_DESC"."""
    chosen = value or default
    base, _, direction = chosen.rpartition("_")
    return base, direction == "DESC"


def _position(items: Sequence[Any], key: KeyFn, cursor: str, sort_name: str, descending: bool) -> int:
    """Index of the first item that comes after the cursor in output order."""
    decoded = decode_cursor(cursor)
    if not decoded or decoded[0] != sort_name:
        raise GraphQLError(f"Invalid cursor {cursor!r} for this sort order")
    wanted = decoded[1:]
    try:
        for index, item in enumerate(items):
            current = key(item)
            if (current < wanted) if descending else (current > wanted):
                return index
    except TypeError:
        raise GraphQLError(f"Invalid cursor {cursor!r}") from None
    return len(items)


def _at_or_after(items: Sequence[Any], key: KeyFn, cursor: str, sort_name: str, descending: bool) -> int:
    """Index of the first item at or after the cursor in output order (for ``before``)."""
    after = _position(items, key, cursor, sort_name, descending)
    wanted = (decode_cursor(cursor) or [None])[1:]
    return after - 1 if after > 0 and key(items[after - 1]) == wanted else after


def connection(
    items: Sequence[Any],
    args: dict[str, Any],
    key: KeyFn,
    *,
    sort_name: str = "ID",
    descending: bool = False,
    total: bool = False,
) -> dict[str, Any]:
    """A page of ``items`` (already in output order) as a Relay connection."""
    requested_page_size(args)  # validates first/last
    start, end = 0, len(items)
    if args.get("after"):
        start = _position(items, key, args["after"], sort_name, descending)
    if args.get("before"):
        end = max(start, _at_or_after(items, key, args["before"], sort_name, descending))
    if args.get("first") is not None:
        end = min(end, start + min(args["first"], MAX_PAGE_SIZE))
    if args.get("last") is not None:
        start = max(start, end - min(args["last"], MAX_PAGE_SIZE))
    page = items[start:end]
    edges = [{"cursor": encode_cursor([sort_name, *key(item)]), "node": item} for item in page]
    result: dict[str, Any] = {
        "edges": edges,
        "nodes": list(page),
        "pageInfo": {
            "hasNextPage": end < len(items),
            "hasPreviousPage": start > 0,
            "startCursor": edges[0]["cursor"] if edges else None,
            "endCursor": edges[-1]["cursor"] if edges else None,
        },
    }
    if total:
        result["totalCount"] = len(items)
    return result


def by_number(item: Any) -> list[Any]:
    return [item.num]
