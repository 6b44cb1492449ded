"""Pure rules of the fulfilment flow: parcel validation, error mapping, timeframes, reconciling
a lost answer, packing slip and pick list data. (Named test_carriers* to stay in the
fulfilment area of the test tree; no Qt, no network.)"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import pytest

from orderchamp_desktop.core.actions.orders import OrderState
from orderchamp_desktop.core.actions.shipping import (
    Tracking,
    find_new_shipment,
    map_user_errors,
    timeframe_label,
    validate_quantities,
    validate_tracking,
)
from orderchamp_desktop.core.cache.rows import (
    AccountRow,
    Address,
    InventoryMatrix,
    InventoryRow,
    LocationRow,
    OrderDetail,
    OrderLine,
    OrderRow,
    ShipmentItem,
    ShipmentRow,
)
from orderchamp_desktop.core.documents.packing import IsoFormatter, build_packing_slip, packing_slip_html
from orderchamp_desktop.core.documents.picklist import (
    build_pick_list,
    natural_key,
    needed_per_sku,
    pick_list_html,
    pick_locations,
)
from orderchamp_desktop.core.errors import UserError

# ---------------------------------------------------------------- quantities

UNSHIPPED = {"L1": 3, "L2": 1, "L3": 0}


def test_a_valid_partial_parcel_passes() -> None:
    assert validate_quantities(UNSHIPPED, [("L1", 2)]) == []
    assert validate_quantities(UNSHIPPED, [("L1", 3), ("L2", 1)]) == []


def test_over_shipping_is_refused_at_the_line_it_concerns() -> None:
    errors = validate_quantities(UNSHIPPED, [("L2", 1), ("L1", 4)])
    assert errors == [UserError(("input", "products", "1", "quantity"),
                                "Only 3 left to ship; 4 is too many.")]
    errors = validate_quantities(UNSHIPPED, [("L3", 1)])
    assert errors[0].message == "Nothing is left to ship of this product."


def test_negative_empty_and_unknown_lines_are_refused() -> None:
    assert validate_quantities(UNSHIPPED, [("L1", -1)])[0].message == "The quantity cannot be negative."
    assert validate_quantities(UNSHIPPED, [])[0].field == ("input", "products")
    assert validate_quantities(UNSHIPPED, [("L1", 0), ("L2", 0)])[0].message.startswith("Put at least")
    assert validate_quantities(UNSHIPPED, [("NOPE", 1)])[0].field == ("input", "products", "0", "id")


def test_user_errors_map_to_the_line_or_field_they_name() -> None:
    errors = [UserError(("input", "products", "1", "quantity"), "too many"),
              UserError(("input", "trackingNumber"), "bad number"),
              UserError(("input", "deliveryTimeframe"), "pick one"),
              UserError((), "general trouble"),
              UserError(("input", "products", "7", "quantity"), "index we never sent")]
    mapped = map_user_errors(errors, ["L1", "L2"])
    assert mapped.lines == {"L2": "too many"}
    assert mapped.fields == {"trackingNumber": "bad number", "deliveryTimeframe": "pick one",
                             "quantity": "index we never sent"}
    assert mapped.general == ["general trouble"]


# ---------------------------------------------------------------- tracking

TIMEFRAMES = ["ONE_TO_TWO_DAYS", "TWO_TO_THREE_DAYS", "MORE_THAN_TEN_DAYS"]


def test_tracking_detects_carrier_and_link_and_sends_them() -> None:
    tracking = Tracking.tracked(" 3sbol 12345678 ", postal_code="1012 AB", country="NL")
    assert tracking.carrier == "PostNL"
    assert tracking.input_fields() == {
        "trackingNumber": "3SBOL12345678", "isTracked": True, "carrier": "PostNL",
        "trackingUrl": "https://postnl.nl/tracktrace/?B=3SBOL12345678&P=1012AB&D=NL&T=C"}
    assert validate_tracking(tracking, TIMEFRAMES) == []


def test_unknown_formats_are_sent_without_carrier() -> None:
    tracking = Tracking.tracked("ABC-123")
    assert tracking.input_fields() == {"trackingNumber": "ABC123", "isTracked": True}
    assert validate_tracking(tracking, TIMEFRAMES) == []


def test_mistyped_check_digits_and_missing_values_are_refused() -> None:
    assert validate_tracking(Tracking.tracked("1Z5R89390357567128"), TIMEFRAMES)[0].field == (
        "input", "trackingNumber")
    assert validate_tracking(Tracking.tracked("  "), TIMEFRAMES)[0].message.startswith("Enter the")
    assert validate_tracking(Tracking.untracked(""), TIMEFRAMES)[0].field == ("input", "deliveryTimeframe")
    assert validate_tracking(Tracking.untracked("TOMORROW"), TIMEFRAMES)[0].field == (
        "input", "deliveryTimeframe")
    untracked = Tracking.untracked("TWO_TO_THREE_DAYS")
    assert validate_tracking(untracked, TIMEFRAMES) == []
    assert untracked.input_fields() == {"isTracked": False, "deliveryTimeframe": "TWO_TO_THREE_DAYS"}


@pytest.mark.parametrize(("value", "label"), [
    ("ONE_TO_TWO_DAYS", "1–2 days"), ("FIVE_TO_TEN_DAYS", "5–10 days"),
    ("MORE_THAN_TEN_DAYS", "More than 10 days"), ("SAME_DAY", "Same day"), ("", "")])
def test_timeframe_labels_read_well_even_for_unknown_values(value: str, label: str) -> None:
    assert timeframe_label(value) == label


# ---------------------------------------------------------------- reconciling a lost answer

def _order(shipments: list[dict[str, Any]]) -> OrderState:
    return OrderState.from_node({
        "id": "O1", "number": "#1", "status": "AWAITING_SHIPMENT", "isConfirmed": True,
        "isCancelled": False, "isFulfilled": False,
        "products": {"nodes": [{"id": "L1", "title": "Mug", "quantity": 3, "unshippedQuantity": 3}]},
        "shipments": {"nodes": shipments}})


def _shipment(sid: str, items: dict[str, int], created: str) -> dict[str, Any]:
    return {"id": sid, "status": "AWAITING_SHIPMENT", "createdAt": created, "products": {"nodes": [
        {"id": f"{sid}-{k}", "quantity": v, "orderProduct": {"id": k}} for k, v in items.items()]}}


def test_the_new_shipment_with_the_same_items_is_found() -> None:
    old = _shipment("S1", {"L1": 1}, "2024-01-01T00:00:00Z")
    before = _order([old])
    after = _order([old, _shipment("S2", {"L1": 2}, "2024-01-02T00:00:00Z"),
                    _shipment("S3", {"L1": 1}, "2024-01-02T00:00:01Z")])
    found = find_new_shipment(before, after, {"L1": 1})
    assert found is not None and found.id == "S3"  # S1 has the same items but existed before
    assert find_new_shipment(before, after, {"L1": 3}) is None


def test_order_state_tolerates_missing_and_null_fields() -> None:
    state = OrderState.from_node({"id": "O", "products": None, "shipments": {"edges": [
        {"node": {"id": "S", "status": "SHIPPED", "products": {"nodes": [{"quantity": "2"}]}}}]}})
    assert state.lines == () and state.shipments[0].items == {} and state.shipments[0].is_shipped


# ---------------------------------------------------------------- documents data

def _row(oid: str, number: str, *, confirmed: bool = True, cancelled: bool = False) -> OrderRow:
    return OrderRow(id=oid, number=number, reference="PO-77", retailer=f"Shop {number}", city="Utrecht",
                    country="NL", status="AWAITING_SHIPMENT", is_paid=True, is_confirmed=confirmed,
                    is_cancelled=cancelled, is_fulfilled=False, items=0, unshipped=0, products_count=2,
                    total=Decimal("10.00"), currency="EUR", created_at="2024-03-05T10:00:00Z",
                    confirmed_at=None, updated_at=None)


def _line(lid: str, sku: str | None, qty: int, unshipped: int, title: str = "Mug") -> OrderLine:
    return OrderLine(id=lid, position=int(lid[-1]), title=title, variant_title="Blue", brand=None, sku=sku,
                     ean="8712345678906", case_quantity=1, quantity=qty, unshipped_quantity=unshipped,
                     unit_price=None, subtotal_price=None, tax_price=None, total_price=None)


def _detail(row: OrderRow, lines: list[OrderLine], shipments: Sequence[ShipmentRow] = ()) -> OrderDetail:
    return OrderDetail(order=row, billing_address=None,
                       shipping_address=Address(company_name="Winkel <b>&</b> Co", street="Oudegracht",
                                                house_number="1", postal_code="3511 AA", city="Utrecht",
                                                country="NL"),
                       subtotal_price=None, shipping_price=None, tax_price=None, total_price=None,
                       vat_number=None, note=None, paid_at=None, delivered_at=None, cancelled_at=None,
                       estimated_delivery_at=None, lines=tuple(lines), shipments=tuple(shipments),
                       invoices=(), complete=True)


def _parcel(sid: str, created: str, items: dict[str, int]) -> ShipmentRow:
    return ShipmentRow(id=sid, status="SHIPPED", is_tracked=True, tracking_number="3SBOL12345678",
                       tracking_url=None, carrier="PostNL", delivery_timeframe=None,
                       shipped_at=created, created_at=created,
                       items=tuple(ShipmentItem(id=f"{sid}{k}", order_product_id=k, quantity=v, title=None,
                                                variant_title=None, sku=None) for k, v in items.items()))


ACCOUNT = AccountRow(id="A", name="Studio Klei", email=None, currency="EUR",
                     address=Address(street="Kerkstraat", house_number="5", postal_code="1017 GA",
                                     city="Amsterdam", country="NL"), synced_at=None)


def test_packing_slip_lists_this_parcel_and_what_is_still_to_follow_at_that_time() -> None:
    lines = [_line("L1", "MUG-1", 5, 1), _line("L2", "MUG-2", 2, 2, title="Plate")]
    detail = _detail(_row("O1", "#ORD1"), lines, [
        _parcel("S2", "2024-03-07T00:00:00Z", {"L1": 1}),
        _parcel("S1", "2024-03-06T00:00:00Z", {"L1": 3})])
    first = build_packing_slip(detail, "S1", ACCOUNT)
    assert (first.parcel_number, first.parcel_count) == (1, 2)
    # One unit of MUG-1 and both plates are not in any parcel yet: the count is not final.
    assert not first.order_complete and first.parcel_text(IsoFormatter()) == "1 (more to follow)"
    assert [(x.sku, x.quantity) for x in first.in_parcel] == [("MUG-1", 3)]
    assert [(x.sku, x.quantity) for x in first.to_follow] == [("MUG-1", 2), ("MUG-2", 2)]
    second = build_packing_slip(detail, "S2", ACCOUNT)
    assert [(x.sku, x.quantity) for x in second.to_follow] == [("MUG-1", 1), ("MUG-2", 2)]
    assert first.brand_name == "Studio Klei" and "Kerkstraat 5" in first.brand_address
    assert first.ship_to[0] == "Winkel <b>&</b> Co" and first.reference == "PO-77"
    with pytest.raises(KeyError):
        build_packing_slip(detail, "nope", ACCOUNT)


def test_the_parcel_count_is_printed_once_it_is_final() -> None:
    lines = [_line("L1", "MUG-1", 4, 0)]
    first, second = _parcel("S1", "2024-03-06T00:00:00Z", {"L1": 3}), _parcel("S2", "2024-03-07T00:00:00Z",
                                                                              {"L1": 1})
    only_first = build_packing_slip(_detail(_row("O1", "#ORD1"), lines, [first]), "S1", ACCOUNT)
    assert "<b>1 (more to follow)</b>" in packing_slip_html(only_first)
    assert " of 1" not in packing_slip_html(only_first)
    both = _detail(_row("O1", "#ORD1"), lines, [first, second])
    assert "<b>1 of 2</b>" in packing_slip_html(build_packing_slip(both, "S1", ACCOUNT))  # reprinted later
    page = packing_slip_html(build_packing_slip(both, "S2", ACCOUNT))
    assert "<b>2 of 2</b>" in page and "In this parcel (1 item)" in page


def test_phone_numbers_on_the_slip_do_not_break_between_digits() -> None:
    account = AccountRow(id="A", name="Studio Klei", email=None, currency="EUR", synced_at=None,
                         address=Address(street="Kerkstraat", house_number="5", postal_code="1017 GA",
                                         city="Amsterdam", country="NL", phone="+31 20 123 4567"))
    detail = _detail(_row("O1", "#ORD1"), [_line("L1", "MUG-1", 1, 0)],
                     [_parcel("S1", "2024-03-06T00:00:00Z", {"L1": 1})])
    page = packing_slip_html(build_packing_slip(detail, "S1", account))
    assert "+31&nbsp;20&nbsp;123&nbsp;4567" in page
    assert "1017 GA Amsterdam" in page  # other lines still wrap where they must


def test_packing_slip_html_escapes_every_text() -> None:
    detail = _detail(_row("O1", "#<script>"), [_line("L1", "<i>SKU</i>", 1, 0)],
                     [_parcel("S1", "2024-03-06T00:00:00Z", {"L1": 1})])
    page = packing_slip_html(build_packing_slip(detail, "S1", ACCOUNT))
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "<i>SKU</i>" not in page and "&lt;i&gt;SKU&lt;/i&gt;" in page
    assert "Winkel &lt;b&gt;&amp;&lt;/b&gt; Co" in page
    assert "Nothing: this parcel completes the order." in page


def test_pick_list_groups_by_sku_with_per_order_quantities_in_walking_order() -> None:
    a = _detail(_row("O1", "#A"), [_line("L1", "SKU-10", 4, 3), _line("L2", "SKU-2", 1, 1)])
    b = _detail(_row("O2", "#B"), [_line("L1", "SKU-10", 2, 2), _line("L2", None, 1, 1, title="Loose")])
    unconfirmed = _detail(_row("O3", "#C", confirmed=False), [_line("L1", "SKU-10", 9, 9)])
    done = _detail(_row("O4", "#D"), [_line("L1", "SKU-10", 9, 0)])
    pick = build_pick_list([a, b, unconfirmed, done], locations={"SKU-10": "Main", "SKU-2": "Main"})
    assert [(i.sku, i.total) for i in pick.items] == [("SKU-2", 1), ("SKU-10", 5), (None, 1)]
    assert [(o.number, o.quantity) for o in pick.items[1].orders] == [("#A", 3), ("#B", 2)]
    assert pick.skipped == ("#C", "#D") and pick.total_units == 7
    page = pick_list_html(pick)
    assert "SKU-10" in page and "#C, #D" in page
    # Each order on its own line, its quantity in the column beside it.
    assert '<td width="18%" class="code order">#A<br/>#B</td>' in page
    assert '<td width="8%" class="code qty">×&nbsp;3<br/>×&nbsp;2</td>' in page
    assert "2 orders · 7 items" in page


def test_pick_list_wording_for_one_order_and_for_none() -> None:
    one = build_pick_list([_detail(_row("O1", "#A"), [_line("L1", "SKU-1", 1, 1)])])
    assert "1 order · 1 item" in pick_list_html(one)
    empty = pick_list_html(build_pick_list([_detail(_row("O4", "#D"), [_line("L1", "SKU-10", 9, 0)])]))
    assert "Nothing to pick: none of these orders has items left to ship." in empty
    assert "None" not in empty and "0 orders" not in empty and "#D" in empty  # named as left out


def test_pick_locations_prefer_the_first_location_with_enough_stock() -> None:
    locs = (LocationRow("W1", "Main", True, False, None), LocationRow("W2", "Overflow", False, False, None))
    rows = (InventoryRow("V1", "P", None, None, "A", None, (1, 10), 11, 11, None),
            InventoryRow("V2", "P", None, None, "B", None, (5, 0), 5, 5, None),
            InventoryRow("V3", "P", None, None, "C", None, (2, 3), 5, 5, None),
            InventoryRow("V4", "P", None, None, "D", None, (None, 0), 0, 0, None))
    got = pick_locations(InventoryMatrix(locs, rows), {"A": 4, "B": 4, "C": 9, "D": 1})
    assert got == {"A": "Overflow", "B": "Main", "C": "Overflow"}
    assert needed_per_sku([_detail(_row("O1", "#A"), [_line("L1", "A", 4, 3)])]) == {"A": 3}


def test_natural_sort_orders_numbers_by_value() -> None:
    assert sorted(["A-10", "a-2", "B-1", None, "A-1"], key=natural_key) == ["A-1", "a-2", "A-10", "B-1", None]
