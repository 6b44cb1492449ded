"""Packing slips and pick lists as real PDFs: checked by text extraction and rendered to PNG.

The PDFs are made from a cache synced from the sandbox (real orders, real parcels), written
with QPdfWriter, read back with pypdf, and rendered with pdftoppm to /tmp/shots for a person
to look at. The print path is driven up to the print dialog (no printer on a CI box).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pypdf
import pytest
from PySide6.QtCore import QLocale, Qt
from PySide6.QtPrintSupport import QPrintDialog
from PySide6.QtWidgets import QApplication, QFileDialog

from orderchamp_desktop.core.actions.shipping import ShippingService, Tracking
from orderchamp_desktop.core.errors import StorageError
from orderchamp_desktop.sandbox import SandboxConfig, SandboxServer
from orderchamp_desktop.ui.documents.render import LocaleFormatter, write_pdf
from orderchamp_desktop.ui.fulfilment.controller import FulfilmentController
from orderchamp_desktop.ui.testing import ShellDriver
from tests.ui.signed_in import signed_in

SHOTS = Path("/tmp/shots")


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer(SandboxConfig(seed=9, products=20, orders=120, restore_rate=5000.0)) as server:
        yield server


@pytest.fixture
def shell(qtbot: Any, qloop: Any, data_dir: Path, sandbox: SandboxServer
          ) -> Iterator[tuple[ShellDriver, FulfilmentController]]:
    with signed_in(qtbot, data_dir, sandbox) as (driver, fulfilment):
        source = driver.window.source
        driver.wait(lambda: source.store is not None and source.store.last_synced_at() is not None, 60)
        yield driver, fulfilment


def _text(path: Path) -> str:
    """The PDF's text with runs of whitespace as single spaces (Qt writes words as separate runs)."""
    reader = pypdf.PdfReader(str(path))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


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
    pages = _render(path, "packing_slip")  # for a person to look at (poppler-utils)
    assert pages or shutil.which("pdftoppm") is None
    assert fulfilment.last_saved == path
    banner = driver.window.info_banner
    assert banner.isVisible() and banner.text() == "Saved slip.pdf." and banner.button("Open") is not None


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
    assert text.startswith("Pick list")
    for sku, total in expected.items():
        where = text.find(sku)
        assert re.search(rf"{re.escape(sku)} .*? {total} ", text), text[where - 50:where + 200]
    units = sum(expected.values())
    assert f"{units:,} items".replace(",", QLocale().groupSeparator()) in text or f"{units} items" in text
    _render(path, "pick_list")

    # Selected orders only: the pick list follows the selection.
    one = next(d for d in details if d is not None and d.order.is_confirmed
               and any(line.unshipped_quantity for line in d.lines))
    fulfilment.inbox.table.select_id(one.order.id)
    page, _stem = fulfilment.pick_list_html()
    assert one.order.number in page
    others = [d.order.number for d in details if d is not None and d.order.id != one.order.id]
    assert not any(f"{n}&nbsp;×" in page for n in others)


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
    assert boxes, "the print dialog opens without blocking"
    for box in boxes:
        box.reject()


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
