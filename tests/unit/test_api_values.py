"""Money, ids, operation files and the static cost estimate of the API layer."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from graphql import FragmentDefinitionNode, OperationDefinitionNode, build_schema, parse, validate

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
from orderchamp_desktop.core.api.operations import parse_operation, shared_fragments

SANDBOX_SDL = Path(__file__).parents[2] / "orderchamp_desktop" / "sandbox" / "schema.graphql"
SHARED = """
fragment AccountBits on Account { id address { ...AddressBits } }
fragment AddressBits on Address { city country }
fragment LocationBits on Location { id name }
"""


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


# ------------------------------------------------------------------ shared fragments


def shared(text: str = SHARED) -> dict[str, FragmentDefinitionNode]:
    return {d.name.value: d for d in parse(text).definitions if isinstance(d, FragmentDefinitionNode)}


def fragment_names(text: str) -> list[str]:
    return [d.name.value for d in parse(text).definitions if isinstance(d, FragmentDefinitionNode)]


def test_used_shared_fragments_are_appended_transitively_and_unused_ones_not() -> None:
    source = "# feature: Checking\nquery Q { account { ...AccountBits } }\n"
    operation = parse_operation("Q", source, shared())
    assert operation.fragments == ("AccountBits", "AddressBits")  # AddressBits through AccountBits
    assert fragment_names(operation.text) == ["AccountBits", "AddressBits"]  # no LocationBits
    assert operation.text.startswith(source) and operation.feature == "Checking"
    first, *rest = operation.document.definitions
    assert isinstance(first, OperationDefinitionNode) and len(rest) == 2  # parsed from the full text
    assert validate(build_schema(SANDBOX_SDL.read_text()), operation.document) == []


def test_a_document_without_spreads_is_left_as_it_is() -> None:
    operation = parse_operation("Q", "query Q { account { id } }", shared())
    assert operation.fragments == () and operation.text == "query Q { account { id } }"


def test_a_fragment_defined_in_the_file_is_not_taken_from_the_shared_ones() -> None:
    text = "query Q { account { ...Own } }\nfragment Own on Account { address { ...AddressBits } }"
    operation = parse_operation("Q", text, shared())
    assert operation.fragments == ("AddressBits",)
    assert fragment_names(operation.text) == ["Own", "AddressBits"]


def test_an_unknown_fragment_is_an_app_bug_at_load() -> None:
    with pytest.raises(OperationFileError, match=r"Q\.graphql uses fragment NoSuchFields"):
        parse_operation("Q", "query Q { account { ...AccountBits ...NoSuchFields } }", shared())
    with pytest.raises(OperationFileError, match="NoSuchFields"):
        OperationLibrary({"Q": "query Q { account { ...NoSuchFields } }"})


def test_a_file_may_not_redefine_a_shared_fragment() -> None:
    with pytest.raises(OperationFileError, match="AddressBits"):
        parse_operation("Q", "query Q { account { address { ...AddressBits } } }\n"
                             "fragment AddressBits on Address { city }", shared())


def test_packaged_operations_get_exactly_the_shared_fragments_they_use() -> None:
    packaged = shared_fragments()
    assert {"AddressFields", "OrderFields", "ShipmentFields", "VariantFields"} <= set(packaged)
    schema = build_schema(SANDBOX_SDL.read_text())
    used: set[str] = set()
    for name in operation_names():
        operation = load_operation(name)
        assert validate(schema, operation.document) == [], name  # NoUnusedFragments among them
        used.update(operation.fragments)
    assert used == set(packaged), "a shared fragment no operation uses"
    order = load_operation("SyncOrder")
    assert order.fragments[0] == "OrderFields"
    assert {"OrderHeaderFields", "AddressFields", "ShipmentFields", "ShipmentProductFields"} <= set(
        order.fragments)
    assert "VariantFields" not in order.fragments
    assert load_operation("SyncVariantLevels").fragments == ("InventoryLevelFields",)
    assert load_operation("OrderConfirm").fragments == ()


def test_library_extras_may_spread_shared_fragments() -> None:
    library = OperationLibrary({"Places": "query Places { account { address { ...AddressFields } } }"})
    assert library.load("Places").fragments == ("AddressFields",)
    assert "fragment AddressFields on Address" in library.load("Places").text


def test_static_cost_follows_shared_fragments_and_inline_fragments() -> None:
    # order 1 + addresses 2 + lines (2 + lines) + shipments (2 + shipments * (1 + items (2 + 2 * items)))
    variables = {"lines": 5, "shipments": 3, "shipmentLines": 4}
    expected = 1 + 2 + (2 + 5) + (2 + 3 * (1 + 2 + 4 * 2))
    assert estimate_cost(load_operation("OrderForShipping").document, variables) == expected
    assert estimate_cost(load_operation("SyncOrder").document, variables) == expected
    inline = parse("query { order(id: 1) { ... on Order { products(first: 3) { nodes { id } } } } }")
    assert estimate_cost(inline) == 1 + 2 + 3
