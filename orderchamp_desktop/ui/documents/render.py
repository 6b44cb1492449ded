"""Packing slips and pick lists as PDF files or on a printer, with Qt's own PDF and print support.

The HTML comes from core/documents (plain data, every text escaped); this module lays it out
with QTextDocument and writes it with QPdfWriter (A4, vector text, fonts embedded so the PDF
is searchable) or prints it through QPrinter. Dates and numbers are written in the user's
locale (QLocale).

Layout happens on a fixed 96-dpi device, as in a browser: font sizes in pt come out at their
size on paper and CSS px (the unit QTextDocument honours for padding and margins) is 1/96 inch,
whatever the screen's DPI. ``print_`` then scales the laid-out page onto the PDF or printer
page. (Laying out on the screen's DPI in a page measured in points printed every font a third
too large, on a page that looked cramped.)
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QDateTime, QLocale, QMarginsF, QSizeF, Qt
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPdfWriter, QTextDocument
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QWidget

from orderchamp_desktop import APP_NAME
from orderchamp_desktop.core.errors import StorageError

#: Page margins in millimetres; printers cannot print to the edge.
MARGIN_MM = 15.0
#: Resolution the documents are laid out at (CSS px per inch).
LAYOUT_DPI = 96
_POINTS_PER_INCH = 72


class LocaleFormatter:
    """core.documents.Formatter in the user's locale (or the one given, for tests)."""

    def __init__(self, locale: QLocale | None = None) -> None:
        self.locale = locale or QLocale()

    def date(self, iso: str | None) -> str:
        if not iso:
            return ""
        moment = QDateTime.fromString(iso, Qt.DateFormat.ISODate)
        if not moment.isValid():
            return iso
        day = moment.toLocalTime().date()
        if self.locale.language() == QLocale.Language.C:
            return day.toString(Qt.DateFormat.ISODate)  # no locale set: unambiguous ISO dates
        return self.locale.toString(day, QLocale.FormatType.ShortFormat)

    def number(self, value: int) -> str:
        return self.locale.toString(value)


def _page_layout() -> QPageLayout:
    return QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait,
                       QMarginsF(MARGIN_MM, MARGIN_MM, MARGIN_MM, MARGIN_MM),
                       QPageLayout.Unit.Millimeter)


@functools.cache
def _layout_dpi_device() -> QImage:
    """A 1-pixel image at LAYOUT_DPI, kept for the process (the layout holds a raw pointer)."""
    image = QImage(1, 1, QImage.Format.Format_RGB32)
    dots_per_metre = round(LAYOUT_DPI / 0.0254)
    image.setDotsPerMeterX(dots_per_metre)
    image.setDotsPerMeterY(dots_per_metre)
    return image


def text_document(html: str, title: str, layout: QPageLayout | None = None) -> QTextDocument:
    """``html`` laid out in pages of ``layout``'s printable area (A4 with margins by default)."""
    document = QTextDocument()
    document.setMetaInformation(QTextDocument.MetaInformation.DocumentTitle, title)
    document.documentLayout().setPaintDevice(_layout_dpi_device())
    document.setDocumentMargin(0)
    document.setHtml(html)
    rect = (layout or _page_layout()).paintRectPoints()
    scale = LAYOUT_DPI / _POINTS_PER_INCH
    document.setPageSize(QSizeF(rect.width() * scale, rect.height() * scale))
    return document


def write_pdf(html: str, path: Path, *, title: str) -> Path:
    """Lay out ``html`` on A4 pages and write it to ``path`` (replaced atomically)."""
    path = Path(path)
    partial = path.with_name(path.name + ".partial")
    try:  # QPdfWriter only warns when it cannot open the file: find out first
        with open(partial, "wb"):
            pass
    except OSError as exc:
        raise _not_saved(path, exc) from exc
    writer = QPdfWriter(str(partial))
    writer.setTitle(title)
    writer.setCreator(APP_NAME)
    writer.setResolution(300)
    writer.setPageLayout(_page_layout())
    text_document(html, title, writer.pageLayout()).print_(writer)
    del writer  # flushes and closes the file
    try:
        if partial.stat().st_size == 0:
            raise OSError("empty PDF")
        partial.replace(path)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise _not_saved(path, exc) from exc
    return path


def _not_saved(path: Path, exc: OSError) -> StorageError:
    return StorageError(f"The PDF could not be saved to {path.parent}. Check that the folder exists, "
                        "that you may write to it and that the disk is not full.", detail=str(exc))


def new_printer(title: str) -> QPrinter:
    """A printer set up like the PDFs (A4, the same margins) until the user changes it."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setDocName(title)
    printer.setPageLayout(_page_layout())
    return printer


def print_document(html: str, printer: QPrinter, *, title: str) -> None:
    """Print ``html`` on ``printer`` as the PDF lays it out, on the page the user chose."""
    text_document(html, title, printer.pageLayout()).print_(printer)


def print_html(html: str, *, title: str, parent: QWidget | None,
               done: Callable[[bool], None] | None = None) -> QPrintDialog:
    """Show the print dialog non-modally (``open()``); print when the user accepts.

    ``done(printed)`` is called afterwards. Returns the dialog (tests accept it directly).
    """
    printer = new_printer(title)
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle(f"Print {title}")
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def accepted() -> None:
        print_document(html, printer, title=title)
        if done is not None:
            done(True)

    dialog.accepted.connect(accepted)
    if done is not None:
        dialog.rejected.connect(lambda: done(False))
    # What QDialog.open() does (window-modal, non-blocking), spelled out for the type stubs.
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.show()
    return dialog
