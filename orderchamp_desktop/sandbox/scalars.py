"""Custom scalars: Money and Decimal (exact decimal strings), Ean, DateTime, Date.

Money and Decimal go out as strings with two decimals ("4.99", "100.00") and come in as
numbers or strings. Strings never pass through float; JSON numbers are read as Decimal by the
HTTP layer (``json.loads(parse_float=Decimal)``), so they are exact too.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from graphql import (
    ConstValueNode,
    FloatValueNode,
    GraphQLError,
    GraphQLScalarType,
    GraphQLSchema,
    IntValueNode,
    StringValueNode,
)

CENT = Decimal("0.01")


def to_decimal(value: Any) -> Decimal:
    """An exact Decimal from an int, Decimal or numeric string; GraphQLError otherwise."""
    if isinstance(value, bool):
        raise GraphQLError(f"Expected a decimal number, got {value!r}.")
    if isinstance(value, Decimal | int):
        result = Decimal(value)
    elif isinstance(value, float):
        # Only reachable from an in-process caller: repr() gives the shortest exact text.
        result = Decimal(repr(value))
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except InvalidOperation:
            raise GraphQLError(f"Expected a decimal number, got {value!r}.") from None
    else:
        raise GraphQLError(f"Expected a decimal number, got {value!r}.")
    if not result.is_finite():
        raise GraphQLError(f"Expected a finite decimal number, got {value!r}.")
    return result


def format_decimal(value: Any) -> str:
    """Two decimals at least ("100" -> "100.00"), more when the value has them ("0.125")."""
    number = to_decimal(value)
    if number == number.quantize(CENT):
        number = number.quantize(CENT)
    return f"{number:f}"


def _decimal_literal(node: ConstValueNode) -> Decimal:
    if isinstance(node, StringValueNode | IntValueNode | FloatValueNode):
        return to_decimal(node.value)
    raise GraphQLError("Expected a decimal number as a string or a number.")


def coerce_ean_input(value: Any) -> str:
    """An EAN from an integer or a string; digits are checked by the mutations (userErrors)."""
    if isinstance(value, bool):
        raise GraphQLError("Expected an EAN as a string or an integer.")
    if isinstance(value, int):
        if value < 0:
            raise GraphQLError("An EAN cannot be negative.")
        return str(value)
    if isinstance(value, str):
        return value.strip()
    raise GraphQLError("Expected an EAN as a string or an integer.")


def _ean_literal(node: ConstValueNode) -> str:
    if isinstance(node, StringValueNode | IntValueNode):
        return coerce_ean_input(node.value if isinstance(node, StringValueNode) else int(node.value))
    raise GraphQLError("Expected an EAN as a string or an integer.")


def format_datetime(value: datetime) -> str:
    """ISO 8601 UTC with a Z and whole seconds: "2020-05-26T11:00:37Z"."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_datetime(value: Any) -> datetime:
    """A timezone-aware UTC datetime from an ISO 8601 string (naive text is taken as UTC)."""
    if not isinstance(value, str):
        raise GraphQLError(f"Expected an ISO 8601 date-time string, got {value!r}.")
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise GraphQLError(f"Expected an ISO 8601 date-time string, got {value!r}.") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _serialize_datetime(value: Any) -> str:
    if isinstance(value, datetime):
        return format_datetime(value)
    return format_datetime(parse_datetime(value))


def parse_date(value: Any) -> date:
    """A calendar date from "YYYY-MM-DD"."""
    if not isinstance(value, str):
        raise GraphQLError(f"Expected a date like 2021-10-31, got {value!r}.")
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise GraphQLError(f"Expected a date like 2021-10-31, got {value!r}.") from None


def _serialize_date(value: Any) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return parse_date(value).isoformat()


def _string_literal(node: ConstValueNode) -> str:
    if isinstance(node, StringValueNode):
        return node.value
    raise GraphQLError("Expected a string.")


def _install(
    scalar: GraphQLScalarType,
    out: Any,
    value_in: Any,
    literal_in: Any,
) -> None:
    scalar.coerce_output_value = out
    scalar.coerce_input_value = value_in
    scalar.coerce_input_literal = literal_in


def install_scalars(schema: GraphQLSchema) -> None:
    """Give the SDL's custom scalars their behaviour (build_ast_schema leaves them pass-through)."""
    types = schema.type_map
    for name in ("Money", "Decimal"):
        scalar = types[name]
        assert isinstance(scalar, GraphQLScalarType)
        _install(scalar, format_decimal, to_decimal, _decimal_literal)
    ean = types["Ean"]
    assert isinstance(ean, GraphQLScalarType)
    _install(ean, str, coerce_ean_input, _ean_literal)
    moment = types["DateTime"]
    assert isinstance(moment, GraphQLScalarType)
    _install(moment, _serialize_datetime, parse_datetime, lambda node: parse_datetime(_string_literal(node)))
    day = types["Date"]
    assert isinstance(day, GraphQLScalarType)
    _install(day, _serialize_date, parse_date, lambda node: parse_date(_string_literal(node)))
