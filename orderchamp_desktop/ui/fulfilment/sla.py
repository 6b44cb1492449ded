"""Orderchamp's service levels for brands, as plain rules the inbox sorts and flags by.

Confirm an order within 24 hours of it being placed; ship it within 48 hours of confirming.
No Qt here (pure functions of an order row and "now"), so the rules are easy to test.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import Enum

from orderchamp_desktop.core.cache.rows import OrderRow
from orderchamp_desktop.ui.format import parse_moment

AWAITING_CONFIRMATION = "AWAITING_CONFIRMATION"
CONFIRM_WITHIN = timedelta(hours=24)
SHIP_WITHIN = timedelta(hours=48)
#: How long before a deadline an order is flagged as due soon.
DUE_SOON = timedelta(hours=6)


class Task(Enum):
    CONFIRM = "confirm"
    SHIP = "ship"
    NONE = "none"


class Flag(Enum):
    OVERDUE = "overdue"
    DUE_SOON = "due soon"
    ON_TIME = "on time"
    NONE = ""


@dataclass(frozen=True)
class Urgency:
    task: Task
    waiting_since: datetime | None
    deadline: datetime | None
    flag: Flag

    @property
    def can_ship(self) -> bool:
        return self.task is Task.SHIP


_FAR_FUTURE = datetime.max.replace(tzinfo=UTC)


def urgency(row: OrderRow, now: datetime | None = None) -> Urgency:
    """What the brand has to do with ``row`` and by when."""
    now = now or datetime.now(UTC)
    if row.is_cancelled or row.status == "CANCELLED":
        return Urgency(Task.NONE, None, None, Flag.NONE)
    if not row.is_confirmed:
        # Only AWAITING_CONFIRMATION is the brand's turn; drafts, unpaid or blocked orders are
        # visible elsewhere but there is nothing to do about them yet.
        if row.status != AWAITING_CONFIRMATION:
            return Urgency(Task.NONE, None, None, Flag.NONE)
        since = parse_moment(row.created_at)
        return _with_flag(Task.CONFIRM, since, CONFIRM_WITHIN, now)
    if not row.is_fulfilled:
        # Units left to pack, or parcels created but not yet marked as shipped.
        since = parse_moment(row.confirmed_at) or parse_moment(row.created_at)
        return _with_flag(Task.SHIP, since, SHIP_WITHIN, now)
    return Urgency(Task.NONE, None, None, Flag.NONE)


def _with_flag(task: Task, since: datetime | None, within: timedelta, now: datetime) -> Urgency:
    if since is None:
        return Urgency(task, None, None, Flag.ON_TIME)
    deadline = since + within
    if now >= deadline:
        flag = Flag.OVERDUE
    elif deadline - now <= DUE_SOON:
        flag = Flag.DUE_SOON
    else:
        flag = Flag.ON_TIME
    return Urgency(task, since, deadline, flag)


def sort_key(item: Urgency) -> tuple[int, datetime]:
    """Most urgent first: earliest deadline; orders with nothing to do last."""
    if item.task is Task.NONE:
        return (1, _FAR_FUTURE)
    return (0, item.deadline or _FAR_FUTURE)


def duration_text(delta: timedelta) -> str:
    """``45 min``, ``5 h``, ``2 d 3 h``: compact, for a table column."""
    minutes = max(0, int(delta.total_seconds() // 60))
    if minutes < 60:
        return f"{minutes} min"
    hours = minutes // 60
    if hours < 24:
        return f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


def flag_text(item: Urgency, now: datetime) -> str:
    """"Overdue by 5 h", "In 1 d 2 h": the inbox's Due column (its To do column says
    whether the deadline is for confirming or for shipping)."""
    if item.task is Task.NONE or item.deadline is None:
        return ""
    if item.flag is Flag.OVERDUE:
        return f"Overdue by {duration_text(now - item.deadline)}"
    return f"In {duration_text(item.deadline - now)}"
