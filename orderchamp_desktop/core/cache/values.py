"""Turning API values into column values without ever raising on bad data.

The API may send null where the docs show a value, numbers where strings are expected,
strings where numbers are expected, or text SQLite cannot encode (lone surrogates).
These helpers coerce what they can and return None for the rest, so one odd field never
costs the other rows of a page. They are on the hot path of every sync: keep them cheap.
"""

from __future__ import annotations

import json
import logging
import re
import unicodedata
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

log = logging.getLogger(__name__)

_INT64_MIN = -(2**63)
_INT64_MAX = 2**63 - 1
_PLAIN_DECIMAL = re.compile(r"-?(?:0|[1-9][0-9]{0,17})(?:\.[0-9]{1,8})?")
#: One encoder for every JSON column: json.dumps with options builds a new one per call,
#: a quarter of the cost of encoding an address.
_JSON = json.JSONEncoder(ensure_ascii=False, default=str, sort_keys=True)


def text(value: Any) -> str | None:
    """A string column value (numbers, lists and objects become text, never an error)."""
    if value is None or type(value) is str:
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | Decimal):
        return str(value)
    return _JSON.encode(value)


def integer(value: Any) -> int | None:
    """An INTEGER column value; None for anything that is not a whole number in range."""
    if type(value) is int:
        return value if _INT64_MIN <= value <= _INT64_MAX else None
    if value is None:
        return None
    if isinstance(value, bool):
        return int(value)
    try:
        number = Decimal(str(value).strip())
        if number != number.to_integral_value():
            return None
        result = int(number)
    except (InvalidOperation, ValueError, OverflowError):
        return None
    return result if _INT64_MIN <= result <= _INT64_MAX else None


def flag(value: Any) -> int | None:
    """0/1 for a Boolean field; None when absent or not a recognisable truth value."""
    if value is True:
        return 1
    if value is False:
        return 0
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in ("true", "1", "yes"):
            return 1
        if lowered in ("false", "0", "no"):
            return 0
    if isinstance(value, int):
        return 1 if value else 0
    return None


def decimal(value: Any) -> Decimal | None:
    """A finite Decimal from a money/decimal field; floats go through repr, never binary."""
    if value is None or isinstance(value, bool):
        return None
    try:
        if isinstance(value, str):
            number = Decimal(value.strip())
        elif isinstance(value, int):
            number = Decimal(value)
        elif isinstance(value, float):
            number = Decimal(repr(value))
        elif isinstance(value, Decimal):
            number = value
        else:
            return None
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def money(value: Any) -> str | None:
    """The canonical decimal string stored for a money field ("45.50"; never exponent form)."""
    if type(value) is str:
        return _money_text(value)
    return _canonical(value)


@lru_cache(maxsize=8192)
def _money_text(value: str) -> str | None:
    """Money as the API sends it, a string. Cached: a page repeats the same prices and
    zeros over and over (a sync converts ~50,000 amounts for 2,000 orders)."""
    if _PLAIN_DECIMAL.fullmatch(value):
        return value  # already canonical: skip the Decimal round trip
    return _canonical(value)


def _canonical(value: Any) -> str | None:
    number = decimal(value)
    if number is None:
        if value is not None:
            log.warning("ignoring unreadable amount %r", value)
        return None
    return format(number, "f")


def money_sort_key(value: str | None) -> int | None:
    """An integer that sorts like the amount (ten-thousandths), for ORDER BY in SQL."""
    if value is None:
        return None
    number = Decimal(value).scaleb(4).to_integral_value()
    result = int(number)
    return result if _INT64_MIN <= result <= _INT64_MAX else None


@lru_cache(maxsize=8192)  # retailer and city names repeat across a brand's orders
def sort_key(value: str | None) -> str | None:
    """How a name sorts for people: case and accents ignored ("Électricien" next to "Eten").

    SQLite's NOCASE folds ASCII only, which would put every accented capital after "z".
    """
    if not value:
        return value
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


def as_decimal(value: str | None) -> Decimal | None:
    """Read a stored money string back (stored values are always canonical)."""
    return None if value is None else Decimal(value)


def json_text(value: Any) -> str | None:
    """A JSON column for nested objects such as addresses; None stays NULL."""
    if value is None:
        return None
    return _JSON.encode(value)


def nodes_of(connection: Any) -> list[dict[str, Any]]:
    """The nodes of a Relay connection given as ``nodes`` or ``edges { node }``; [] if absent."""
    if not isinstance(connection, dict):
        return []
    nodes = connection.get("nodes")
    if type(nodes) is list:
        return [n for n in nodes if type(n) is dict]
    edges = connection.get("edges")
    if isinstance(edges, list):
        return [e["node"] for e in edges if isinstance(e, dict) and isinstance(e.get("node"), dict)]
    return []


def has_next_page(connection: Any) -> bool:
    if not isinstance(connection, dict):
        return False
    info = connection.get("pageInfo")
    return bool(isinstance(info, dict) and info.get("hasNextPage"))


def end_cursor(connection: Any) -> str | None:
    """The cursor to continue a nested connection from (pageInfo.endCursor or the last edge's)."""
    if not isinstance(connection, Mapping):
        return None
    info = connection.get("pageInfo")
    if isinstance(info, Mapping) and isinstance(info.get("endCursor"), str):
        return str(info["endCursor"])
    edges = connection.get("edges")
    if isinstance(edges, list) and edges and isinstance(edges[-1], Mapping):
        cursor = edges[-1].get("cursor")
        return cursor if isinstance(cursor, str) else None
    return None


def clean_text(value: object) -> object:
    """Make one SQL parameter storable: text SQLite cannot encode, ints out of range."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return value.encode("utf-8", "replace").decode("utf-8")
        return value
    if isinstance(value, int) and not _INT64_MIN <= value <= _INT64_MAX:
        return str(value)
    if value is None or isinstance(value, int | float | bytes):
        return value
    return text(value)


def clean_rows(rows: Iterable[tuple[object, ...]]) -> list[tuple[object, ...]]:
    return [tuple(clean_text(v) for v in row) for row in rows]
