"""Money, ids, operation files and the static cost estimate of the API layer."""

from __future__ import annotations

from decimal import Decimal

import pytest
from graphql import parse

from orderchamp_desktop.core.api import (
    OperationFileError,
    OperationLibrary,
    format_money,
    load_operation,
    operation_names,
    parse_money,
)
from orderchamp_desktop.core.api.cost import estimate_cost
from orderchamp_desktop.core.api.ids import decode_id, encode_id
from orderchamp_desktop.core.api.operations import parse_operation


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("45.50", Decimal("45.50")),
        (" 0.10 ", Decimal("0.10")),
        ("12345678901234567890.123456789", Decimal("12345678901234567890.123456789")),
        (7, Decimal(7)),
        (10**20, Decimal(10**20)),
        (0.1, Decimal("0.1")),  # via repr, not the binary 0.1000000000000000055...
        (45.5, Decimal("45.5")),
        (Decimal("1.05"), Decimal("1.05")),
        ("-3", Decimal("-3")),
    ],
)
def test_parse_money_is_exact(raw: object, expected: Decimal) -> None:
    result = parse_money(raw)  # type: ignore[arg-type]
    assert result == expected
    assert str(result) == str(expected)


@pytest.mark.parametrize("raw", [None, "", "   ", "abc", "NaN", "Infinity", "1,50", True, [], float("nan")])
def test_parse_money_garbage_is_none_not_a_crash(raw: object) -> None:
    assert parse_money(raw) is None  # type: ignore[arg-type]


def test_parse_money_strict_refuses_garbage() -> None:
    with pytest.raises(ValueError, match="not an amount"):
        parse_money("12 euro", strict=True)


@pytest.mark.parametrize(
    ("value", "text"),
    [(Decimal("45.50"), "45.50"), (Decimal("1E+2"), "100"), (3, "3"), ("0.10", "0.10"), (0.1, "0.1")],
)
def test_format_money_is_a_plain_decimal_string(value: object, text: str) -> None:
    assert format_money(value) == text  # type: ignore[arg-type]


def test_ids_round_trip_and_tolerate_other_shapes() -> None:
    assert decode_id("UHJvZHVjdDo1Njg0ODk5MjAxNTE1NTM") == ("Product", "568489920151553")
    assert encode_id("Product", 568489920151553) == "UHJvZHVjdDo1Njg0ODk5MjAxNTE1NTM"
    assert decode_id(encode_id("OrderProduct", "9")) == ("OrderProduct", "9")
    for odd in ("", "123", "not base64 at all!", encode_id("x y", 1), "🙂"):
        assert decode_id(odd) is None


def test_packaged_operations_parse_and_are_named_like_their_file() -> None:
    names = operation_names()
    assert "Account" in names
    for name in names:
        operation = load_operation(name)
        assert operation.name == name
        assert operation.kind in ("query", "mutation")
    account = load_operation("Account")
    assert account is load_operation("Account")  # cached
    assert account.feature == "Signing in"


@pytest.mark.parametrize("name", ["../secrets", "Missing", "", "a/b"])
def test_bad_operation_names_are_app_bugs(name: str) -> None:
    with pytest.raises(OperationFileError):
        load_operation(name)


@pytest.mark.parametrize(
    "text",
    ["query Other { account { id } }", "query A { account { id } } query B { account { id } }",
     "query A { account { id }", "subscription A { x }"],
)
def test_an_operation_file_must_hold_one_operation_of_its_name(text: str) -> None:
    with pytest.raises(OperationFileError):
        parse_operation("A", text)


def test_library_extras_add_operations_and_name_features() -> None:
    library = OperationLibrary({"OrderConfirm": "mutation OrderConfirm { x }"})
    assert "OrderConfirm" in library.names() and "Account" in library.names()
    assert library.load("OrderConfirm").feature == "Order confirm"
    assert library.load("OrderConfirm").kind == "mutation"


def test_static_cost_follows_the_documented_model() -> None:
    document = parse(
        """
        query Orders($first: Int!, $after: String) {
          account { id name }
          orders(first: $first, after: $after) {
            totalCount
            pageInfo { hasNextPage endCursor }
            edges { cursor node { ...O } }
          }
        }
        fragment O on Order {
          id shippingAddress { city }
          products(first: 50) { nodes { id productVariant { id } } }
        }
        """
    )
    # account 1; orders 2 + first * (node 1 + address 1 + products (2 + 50 * (node 1 + variant 1)))
    node = 1 + 1 + 2 + 50 * 2
    assert estimate_cost(document, {"first": 10}) == 1 + 2 + 10 * node
    assert estimate_cost(document, {"first": 1}) == 1 + 2 + node
    assert estimate_cost(parse("{ account { id } }")) == 1
