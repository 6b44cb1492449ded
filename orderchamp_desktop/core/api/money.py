"""Money is Decimal, never float.

Orderchamp sends amounts as decimal strings ("45.50") and accepts numbers or strings.
Strings are parsed directly (a float in between would turn 0.1 into 0.1000000000000000055...),
ints are exact, and a float that slipped through JSON is read via ``repr`` (its shortest
round-tripping form, which is the literal the server sent for any realistic amount).
"""

from __future__ import annotations

import logging
from decimal import Decimal, InvalidOperation

log = logging.getLogger(__name__)


def parse_money(value: str | int | float | Decimal | None, *, strict: bool = False) -> Decimal | None:
    """Turn an API amount into a Decimal.

    None and blank strings give None. Garbage (not a finite number) gives None and a
    warning, so one odd field never stops a sync; pass ``strict=True`` to get ValueError.
    """
    if value is None:
        return None
    result = _to_decimal(value)
    if result is None or not result.is_finite():
        if strict:
            raise ValueError(f"not an amount: {value!r}")
        if not (isinstance(value, str) and not value.strip()):
            log.warning("Ignoring an amount that is not a number: %r", value)
        return None
    return result


def _to_decimal(value: object) -> Decimal | None:
    if isinstance(value, bool):  # bool is an int subclass; True is not one euro
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        try:
            return Decimal(text)
        except InvalidOperation:
            return None
    return None


def format_money(value: Decimal | int | str | float) -> str:
    """An amount as the plain decimal string the API accepts ("45.50", never "4.55E+1")."""
    amount = parse_money(value, strict=True)
    assert amount is not None  # strict parsing never yields None for a non-None value
    return format(amount, "f")
