"""Packing slips and pick lists as real PDFs: checked by text extraction and rendered to PNG.

The PDFs are made from a cache synced from the sandbox (real orders, real parcels), written
with QPdfWriter, read back with pypdf, and rendered with pdftoppm to /tmp/shots for a person
to look at. The print path is driven up to the print dialog (no printer on a CI box).
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import pypdf
import pytest
from PySide6.QtCore import QLocale, Qt
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QApplication, QFileDialog

from orderchamp_desktop.core.actions.shipping import ShippingService, Tracking
from orderchamp_desktop.core.errors import StorageError
from orderchamp_desktop.sandbox import SandboxConfig, SandboxServer
from orderchamp_desktop.ui.documents.render import LocaleFormatter, new_printer, print_document, write_pdf
from orderchamp_desktop.ui.fulfilment.controller import FulfilmentController
from orderchamp_desktop.ui.testing import ShellDriver
from tests.ui.signed_in import signed_in, wait_for_first_sync

SHOTS = Path("/tmp/shots")


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer(SandboxConfig(seed=9, products=20, orders=120, restore_rate=5000.0)) as server:
        yield server


@pytest.fixture
def shell(qtbot: Any, qloop: Any, data_dir: Path, sandbox: SandboxServer
          ) -> Iterator[tuple[ShellDriver, FulfilmentController]]:
    with signed_in(qtbot, data_dir, sandbox) as (driver, fulfilment):
        wait_for_first_sync(driver)
        yield driver, fulfilment


def _text(path: Path) -> str:
    """The PDF's text with runs of whitespace as single spaces (Qt writes words as separate runs)."""
    reader = pypdf.PdfReader(str(path))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


class Word(NamedTuple):
    """Where a word landed on the page, in points from the top left."""

    x0: float
    x1: float
    y0: float
    y1: float
    text: str


def _words(path: Path) -> list[Word]:
    """The words of page 1 with their boxes, from pdftotext -bbox (poppler-utils)."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is needed to check the layout")
    out = subprocess.run(["pdftotext", "-f", "1", "-l", "1", "-bbox", str(path), "-"], check=True,
                         capture_output=True, text=True, timeout=60).stdout
    box = r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
    found = re.findall(box, out)
    return [Word(float(x0), float(x1), float(y0), float(y1), html.unescape(text))
            for x0, y0, x1, y1, text in found]


def _first(words: list[Word], text: str) -> Word:
    return next(w for w in words if w.text == text)


def _render(path: Path, name: str) -> list[Path]:
    """PNG pages via pdftoppm (poppler-utils) for looking at; skipped where it is missing."""
    if shutil.which("pdftoppm") is None:
        return []
    SHOTS.mkdir(exist_ok=True)
    prefix = SHOTS / name
    subprocess.run(["pdftoppm", "-r", "70", "-png", str(path), str(prefix)], check=True, timeout=60)
    return sorted(SHOTS.glob(f"{name}*.png"))


def _partly_shipped_order(driver: ShellDriver, sandbox: SandboxServer) -> tuple[Any, str]:
    """A fresh order with one parcel shipped (tracked) and one line still to follow."""
    order = sandbox.state.order(sandbox.state.add_random_order("AWAITING_FULFILMENT", lines=3))
    assert order is not None
    client = driver.controller.session.client  # type: ignore[union-attr]
    assert client is not None

    async def ship() -> str:
        await client.load_schema(None, "docs")
        service = ShippingService(client, driver.window.source.store, schema=client.schema)
        result = await service.ship(order.id, [(order.lines[0].id, order.lines[0].quantity),
                                               (order.lines[1].id, 1)], Tracking.tracked("3SBOL12345678"))
        return result.shipment_id

    shipment_id = driver.run(ship(), timeout=30)
    return order, shipment_id


def test_packing_slip_pdf_has_the_parcel_the_addresses_and_what_follows(
        shell: tuple[ShellDriver, FulfilmentController], sandbox: SandboxServer, tmp_path: Path) -> None:
    driver, fulfilment = shell
    order, shipment_id = _partly_shipped_order(driver, sandbox)
    first, second, third = order.lines

    path = fulfilment.save_packing_slip(order.id, shipment_id, tmp_path / "slip.pdf")
    text = _text(path)
    assert text.startswith("Packing slip")
    assert order.number in text
    if order.reference:
        assert " ".join(order.reference.split()) in text or "Your reference" in text
    assert sandbox.state.account is not None and sandbox.state.account.name in text  # the brand
    ship_to = order.shipping_address
    assert ship_to.city in text and ship_to.postal_code in text
    assert "3SBOL12345678" in text and "PostNL" in text
    in_parcel, _, to_follow = text.partition("Still to follow")
    assert first.sku in in_parcel and second.sku in in_parcel and third.sku not in in_parcel
    assert f"In this parcel ({first.quantity + 1} items)" in text
    # Still to follow: the rest of line 2 and all of line 3.
    assert second.sku in to_follow and third.sku in to_follow and first.sku not in to_follow
    assert re.search(rf"{re.escape(third.sku)} .*{third.quantity}", to_follow)
    # Units are still to follow: the number of parcels is not known yet.
    assert "Parcel 1 (more to follow)" in text and "1 of 1" not in text
    pages = _render(path, "packing_slip")  # for a person to look at (poppler-utils)
    assert pages or shutil.which("pdftoppm") is None
    assert fulfilment.last_saved == path
    banner = driver.window.info_banner
    assert banner.isVisible() and banner.text() == "Saved slip.pdf." and banner.button("Open") is not None

    # The header: the phone number on one line, a clear gap before the order's facts.
    words = _words(path)
    phone = ship_to.phone.split()
    first_part = _first(words, phone[0])
    same_line = [w.text for w in words if abs(w.y0 - first_part.y0) < 1 and w.x0 >= first_part.x0]
    assert same_line[:len(phone)] == phone
    facts_left = _first(words, "Tracking").x0
    top, bottom = _first(words, "From").y0, _first(words, "In").y0
    addresses_right = max(w.x1 for w in words if top <= w.y0 < bottom and w.x0 < facts_left)
    assert facts_left - addresses_right >= 12, (facts_left, addresses_right)


def test_a_slip_printed_again_once_the_rest_was_shipped_counts_the_parcels(
        shell: tuple[ShellDriver, FulfilmentController], sandbox: SandboxServer, tmp_path: Path) -> None:
    driver, fulfilment = shell
    order, shipment_id = _partly_shipped_order(driver, sandbox)
    client = driver.controller.session.client  # type: ignore[union-attr]
    assert client is not None
    rest = [(line.id, line.unshipped_quantity) for line in order.lines if line.unshipped_quantity]

    async def ship_the_rest() -> None:
        service = ShippingService(client, driver.window.source.store, schema=client.schema)
        await service.ship(order.id, rest, Tracking.tracked("3SBOL87654321"))

    driver.run(ship_the_rest(), timeout=30)
    text = _text(fulfilment.save_packing_slip(order.id, shipment_id, tmp_path / "again.pdf"))
    assert "Parcel 1 of 2" in text and "more to follow" not in text


def test_pick_list_pdf_groups_by_sku_with_totals_per_order(
        shell: tuple[ShellDriver, FulfilmentController], sandbox: SandboxServer, tmp_path: Path) -> None:
    driver, fulfilment = shell
    store = driver.window.source.store
    assert store is not None
    ids = fulfilment.inbox.model.ids()
    details = [store.order_detail(i) for i in ids]
    expected: dict[str, int] = {}
    for detail in details:
        assert detail is not None
        if detail.order.is_confirmed and not detail.order.is_cancelled:
            for line in detail.lines:
                if line.sku and line.unshipped_quantity:
                    expected[line.sku] = expected.get(line.sku, 0) + line.unshipped_quantity
    assert expected

    path = fulfilment.save_pick_list(tmp_path / "pick.pdf")  # nothing selected: the whole inbox
    _render(path, "pick_list")
    text = _text(path)
    # Room between the columns; each order's quantity on the same line as its number.
    words = _words(path)
    per_order = _first(words, "Per")
    assert _first(words, "Total").x1 + 10 <= per_order.x0
    numbers = [w for w in words if w.text.startswith("#") and w.x0 >= per_order.x0 - 1]
    assert numbers
    for number in numbers:
        beside = [w for w in words if abs(w.y0 - number.y0) < 1 and w.x0 > number.x1]
        assert any(w.text.startswith("×") for w in beside), number
    assert text.startswith("Pick list")
    for sku, total in expected.items():
        where = text.find(sku)
        assert re.search(rf"{re.escape(sku)} .*? {total} ", text), text[where - 50:where + 200]
    units = sum(expected.values())
    assert f"{units:,} items".replace(",", QLocale().groupSeparator()) in text or f"{units} items" in text
    _render(path, "pick_list")

    # Chosen orders only (here one: "1 order", not "1 orders").
    one = next(d for d in details if d is not None and d.order.is_confirmed
               and any(line.unshipped_quantity for line in d.lines))
    page, _stem = fulfilment.pick_list_html([one.order.id])
    assert one.order.number in page and "1 order · " in page
    others = [d.order.number for d in details if d is not None and d.order.id != one.order.id]
    assert not any(n in page for n in others)


def test_save_and_print_go_through_non_modal_dialogs(
        shell: tuple[ShellDriver, FulfilmentController], sandbox: SandboxServer, tmp_path: Path) -> None:
    driver, fulfilment = shell
    order, shipment_id = _partly_shipped_order(driver, sandbox)
    dialog = fulfilment.ask_save_packing_slip(order.id, shipment_id)
    assert isinstance(dialog, QFileDialog) and dialog.isVisible()
    assert dialog.windowModality() == Qt.WindowModality.WindowModal  # open(), never exec()
    target = tmp_path / "chosen.pdf"
    dialog.fileSelected.emit(str(target))  # the user picked a file
    assert target.exists() and _text(target).startswith("Packing slip")
    dialog.close()

    fulfilment.print_packing_slip(order.id, shipment_id)
    QApplication.processEvents()
    boxes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QPrintDialog) and w.isVisible()]
    assert len(boxes) == 1, "the print dialog opens without blocking"
    boxes[0].reject()

    # What the dialog prints once accepted, on a printer writing PDF (no real printer here).
    printed = tmp_path / "printed.pdf"
    printer = new_printer("Packing slip")
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(printed))
    print_document(fulfilment.packing_slip_html(order.id, shipment_id)[0], printer, title="Packing slip")
    del printer  # finishes the file
    assert _text(printed) == _text(target)
    # Printed as saved, and 10 pt text is 10 pt on paper (it was laid out a third too large).
    sku = order.lines[0].sku
    saved, on_paper = _first(_words(target), sku), _first(_words(printed), sku)
    assert 10 <= saved.y1 - saved.y0 <= 13, saved
    assert [round(v) for v in on_paper[:4]] == [round(v) for v in saved[:4]]


def test_unknown_parcel_or_unwritable_folder_gives_a_sentence_not_a_traceback(
        shell: tuple[ShellDriver, FulfilmentController], sandbox: SandboxServer, tmp_path: Path) -> None:
    driver, fulfilment = shell
    order, _shipment_id = _partly_shipped_order(driver, sandbox)
    assert fulfilment.ask_save_packing_slip(order.id, "no-such-parcel") is None
    assert "no longer on the order" in driver.window.error_banner.text()
    page = "<html><body><p>x</p></body></html>"
    with pytest.raises(StorageError) as caught:
        write_pdf(page, tmp_path / "missing" / "deeper" / "x.pdf", title="x")
    assert "could not be saved" in caught.value.user_message
    assert not list(tmp_path.glob("**/*.partial"))


def test_documents_follow_the_users_locale() -> None:
    german = LocaleFormatter(QLocale(QLocale.Language.German, QLocale.Country.Germany))
    assert german.date("2024-03-05T10:00:00Z") == "05.03.24"
    assert german.number(12345) == "12.345"
    english = LocaleFormatter(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
    assert english.date("2024-03-05T10:00:00Z") == "3/5/24"
    assert english.number(12345) == "12,345"
    assert english.date("not a date") == "not a date" and english.date(None) == ""
