"""Turning cache values into text for people: money, moments, statuses, counts.

No Qt here: these run once per row when a block of rows is loaded (pre-formatting), so the
table model's ``data()`` only indexes into tuples.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

_SYMBOLS = {"EUR": "€", "GBP": "£", "USD": "$", "CHF": "CHF ", "SEK": "SEK ", "DKK": "DKK ",
            "NOK": "NOK ", "PLN": "PLN "}


def money(amount: Decimal | str | int | None, currency: str | None = "EUR") -> str:
    """``€1,234.50``; an empty string for a missing amount. Never goes through float."""
    if amount is None or amount == "":
        return ""
    try:
        value = amount if isinstance(amount, Decimal) else Decimal(str(amount))
    except (InvalidOperation, ValueError):
        return str(amount)
    symbol = _SYMBOLS.get((currency or "").upper(), f"{currency} " if currency else "")
    sign = "-" if value < 0 else ""
    return f"{sign}{symbol}{abs(value):,.2f}"


def parse_moment(iso: str | None) -> datetime | None:
    """An ISO 8601 timestamp ("2020-05-26T11:00:37Z") as an aware datetime, or None."""
    if not iso:
        return None
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def moment(iso: str | None) -> str:
    """A timestamp in the user's local time zone, to the minute: ``2024-03-05 14:07``."""
    parsed = parse_moment(iso)
    if parsed is None:
        return iso or ""
    return parsed.astimezone().strftime("%Y-%m-%d %H:%M")


def day(iso: str | None) -> str:
    parsed = parse_moment(iso)
    if parsed is None:
        return iso or ""
    return parsed.astimezone().strftime("%Y-%m-%d")


def ago(iso: str | datetime | None, now: datetime | None = None) -> str:
    """``just now``, ``3 min ago``, ``2 h ago``, ``4 days ago``; ``never`` for None."""
    then = parse_moment(iso) if not isinstance(iso, datetime) else iso
    if then is None:
        return "never"
    seconds = ((now or datetime.now(UTC)) - then).total_seconds()
    if seconds < 45:
        return "just now"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min ago"
    hours = round(minutes / 60)
    if hours < 24:
        return f"{hours} h ago"
    days = round(hours / 24)
    return "1 day ago" if days == 1 else f"{days} days ago"


def status(code: str | None) -> str:
    """``AWAITING_FULFILMENT`` -> ``Awaiting fulfilment``. Unknown values read just as well."""
    if not code:
        return ""
    words = code.replace("_", " ").strip().lower()
    words = words.replace("orderchamp", "Orderchamp")
    return words[:1].upper() + words[1:]


def count(number: int | None) -> str:
    return "" if number is None else f"{number:,}"


def counted(number: int, one: str, many: str) -> str:
    """``1 order``, ``1,234 orders``: the row counts next to each tab's search box."""
    return f"1 {one}" if number == 1 else f"{count(number)} {many}"


def address_lines(*parts: str | None) -> str:
    """Non-empty parts, one per line."""
    return "\n".join(p.strip() for p in parts if p and p.strip())
