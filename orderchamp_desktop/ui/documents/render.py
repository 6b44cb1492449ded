"""Packing slips and pick lists as PDF files or on a printer, with Qt's own PDF and print support.

The HTML comes from core/documents (plain data, every text escaped); this module lays it out
with QTextDocument and writes it with QPdfWriter (A4, vector text, fonts embedded so the PDF
is searchable) or prints it through QPrinter. Dates and numbers are written in the user's
locale (QLocale).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QDateTime, QLocale, QMarginsF, QSizeF, Qt
from PySide6.QtGui import QPageLayout, QPageSize, QPdfWriter, QTextDocument
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QWidget

from orderchamp_desktop import APP_NAME
from orderchamp_desktop.core.errors import StorageError

#: Page margins in millimetres; printers cannot print to the edge.
MARGIN_MM = 15.0


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


def text_document(html: str, title: str) -> QTextDocument:
    document = QTextDocument()
    document.setMetaInformation(QTextDocument.MetaInformation.DocumentTitle, title)
    document.setDocumentMargin(0)
    document.setHtml(html)
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
    document = text_document(html, title)
    # Lay the text out on the printable area in points; print_ scales to the device.
    rect = writer.pageLayout().paintRectPoints()
    document.setPageSize(QSizeF(rect.width(), rect.height()))
    document.print_(writer)
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


def print_html(html: str, *, title: str, parent: QWidget | None,
               done: Callable[[bool], None] | None = None) -> QPrintDialog:
    """Show the print dialog non-modally (``open()``); print when the user accepts.

    ``done(printed)`` is called afterwards. Returns the dialog (tests accept it directly).
    """
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setDocName(title)
    printer.setPageLayout(_page_layout())
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle(f"Print {title}")
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def accepted() -> None:
        text_document(html, title).print_(printer)
        if done is not None:
            done(True)

    dialog.accepted.connect(accepted)
    if done is not None:
        dialog.rejected.connect(lambda: done(False))
    # What QDialog.open() does (window-modal, non-blocking), spelled out for the type stubs.
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.show()
    return dialog
