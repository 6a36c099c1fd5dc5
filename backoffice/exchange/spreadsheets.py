"""Spreadsheets customers send (readings files, F-C2 and F-C3): .xls and .xlsx, judged by their contents.

`formats.py` reads the staff's CSV and XLSX exchange files; customers also send the old binary .xls that
Russian offices still save, and their files come from anywhere, so before a single cell is read:

- the size is limited (`max_bytes`), and so are the rows and columns a sheet may have;
- the type is the file's, not the name's: a CSV or an HTML page renamed «.xlsx», a PDF, an executable are
  refused with what they really are and what to do;
- an .xlsx is a zip: its members' unpacked sizes are added up from the zip's directory (nothing is unpacked)
  and a file that would grow past `MAX_UNPACKED_BYTES`, or whose members are packed more tightly than any
  real workbook (`MAX_PACK_RATIO`), is refused as a zip bomb;
- workbooks with macros (an .xlsm/.xls with a VBA project) are refused: macros have no business in readings.

`sheet_read` then gives the first sheet as rows of cells (values as Excel keeps them: numbers, text,
dates), which the readings parsers address as Excel does («B7»).
"""

import datetime
import io
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from .formats import OLE_MAGIC, XLSX_MAGIC, FileError

MAX_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_PACK_RATIO = 200  # the cells of a real sheet pack 10–30 times; a bomb packs thousands of times
MACRO_MEMBERS = ("xl/vbaproject.bin", "xl/vbaprojectsignature.bin")
OLE_MACRO_STORAGES = {"_vba_project_cur", "_vba_project", "vba", "macros", "_xlmacros"}
HTML_STARTS = (b"<!doctype", b"<html", b"<?xml", b"<table", b"<head", b"<body", b"<meta")
KNOWN_OTHER = {
    b"%PDF-": "PDF",
    b"\x89PNG": "PNG",
    b"\xff\xd8\xff": "JPEG",
    b"MZ": "программа Windows",
    b"Rar!": "архив RAR",
    b"7z\xbc\xaf": "архив 7-Zip",
    b"\x1f\x8b": "архив gzip",
}
ACCEPTED_LABEL = ".xls или .xlsx"
EMPTY_TAIL = 1000  # blank formatted rows read past the row limit before the sheet is taken as ended


@dataclass
class Sheet:
    """The first sheet: `rows[r][c]` is the cell in Excel's row r+1 and column c+1 (None when empty)."""

    rows: list[list]
    kind: str  # «xls» or «xlsx»


def spreadsheet_validate(file, name: str, *, max_bytes: int) -> str:
    """«xls» or «xlsx» when `file` is a workbook without macros within the limits; FileError otherwise."""
    size = getattr(file, "size", None)
    if size is None:
        file.seek(0, io.SEEK_END)
        size = file.tell()
    file.seek(0)
    if size == 0:
        raise FileError(_("Файл пустой."))
    if size > max_bytes:
        raise FileError(_("Файл больше %(limit)s: разделите его на несколько.") % {"limit": filesizeformat(max_bytes)})
    head = file.read(512)
    file.seek(0)
    extension = PurePath(name or "").suffix.lower().lstrip(".")
    if head.startswith(XLSX_MAGIC):
        _check_zip(file)
        if extension not in ("xlsx", "xlsm", "xls"):
            raise FileError(_("Принимаются файлы %(types)s.") % {"types": ACCEPTED_LABEL})
        return "xlsx"
    if head.startswith(OLE_MAGIC):
        _check_ole(file)
        if extension not in ("xls", "xlsx"):
            raise FileError(_("Принимаются файлы %(types)s.") % {"types": ACCEPTED_LABEL})
        return "xls"
    raise FileError(_what_it_is(head))


def _what_it_is(head: bytes) -> str:
    """The refusal for a file that is no workbook, naming what it is where that can be told."""
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if stripped.startswith(HTML_STARTS):
        return _(
            "Это веб-страница (HTML), а не книга Excel. Откройте файл в Excel и сохраните его "
            "как «Книга Excel (.xlsx)»."
        )
    for magic, label in KNOWN_OTHER.items():
        if head.startswith(magic):
            return _("Это не книга Excel (файл — %(kind)s). Загрузите файл %(types)s.") % {
                "kind": label,
                "types": ACCEPTED_LABEL,
            }
    if b"\x00" not in head:
        return _(
            "Это текстовый файл (например, CSV), а не книга Excel. Откройте его в Excel и сохраните как "
            "«Книга Excel (.xlsx)»."
        )
    return _("Файл не похож на книгу Excel. Загрузите файл %(types)s.") % {"types": ACCEPTED_LABEL}


def _check_zip(file) -> None:
    try:
        with zipfile.ZipFile(file) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise FileError(_("Не удалось прочитать книгу Excel: файл повреждён.")) from None
    finally:
        file.seek(0)
    names = {member.filename.lower() for member in members}
    if "[content_types].xml" not in names:
        raise FileError(_("Это архив ZIP, а не книга Excel. Загрузите файл %(types)s.") % {"types": ACCEPTED_LABEL})
    unpacked = sum(member.file_size for member in members)
    tightest = max(
        (member.file_size / max(member.compress_size, 1) for member in members if member.file_size > 1024 * 1024),
        default=0,
    )
    if unpacked > MAX_UNPACKED_BYTES or tightest > MAX_PACK_RATIO:
        raise FileError(
            _("Файл распаковывается в слишком большой объём (возможна «zip-бомба»): такой файл не принимается.")
        )
    if names & set(MACRO_MEMBERS):
        raise FileError(_("В книге есть макросы: сохраните её без макросов как «Книга Excel (.xlsx)»."))


def _ole_names(data: bytes) -> list[str]:
    from xlrd import compdoc

    try:
        document = compdoc.CompDoc(data, logfile=io.StringIO())
    except Exception:  # xlrd's CompDocError and whatever a damaged header trips over
        raise FileError(_("Не удалось прочитать книгу Excel: файл повреждён.")) from None
    return [entry.name for entry in document.dirlist]


def _check_ole(file) -> None:
    data = file.read()
    file.seek(0)
    names = {name.strip("\x00").lower() for name in _ole_names(data)}
    if names & OLE_MACRO_STORAGES:
        raise FileError(_("В книге есть макросы: сохраните её без макросов как «Книга Excel (.xlsx)»."))
    if "workbook" not in names and "book" not in names:
        raise FileError(
            _("Это документ Microsoft Office, но не книга Excel. Загрузите файл %(types)s.") % {"types": ACCEPTED_LABEL}
        )


def sheet_read(file, name: str, *, max_bytes: int, max_rows: int, max_columns: int) -> Sheet:
    """Check the file (`spreadsheet_validate`) and read its first sheet, within the row and column limits."""
    kind = spreadsheet_validate(file, name, max_bytes=max_bytes)
    rows = _read_xls(file, max_rows, max_columns) if kind == "xls" else _read_xlsx(file, max_rows, max_columns)
    return Sheet(rows=rows, kind=kind)


def _too_many_rows(max_rows: int) -> FileError:
    return FileError(_("В файле больше %(n)s строк: разделите его на несколько.") % {"n": max_rows})


def _too_many_columns(max_columns: int) -> FileError:
    return FileError(_("В файле больше %(n)s столбцов: проверьте, тот ли это файл.") % {"n": max_columns})


def _trimmed(cells) -> list:
    cells = list(cells)
    while cells and (cells[-1] is None or (isinstance(cells[-1], str) and not cells[-1].strip())):
        cells.pop()
    return cells


def _read_xlsx(file, max_rows: int, max_columns: int) -> list[list]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, IndexError, OSError, ValueError):
        raise FileError(_("Не удалось прочитать книгу Excel: файл повреждён.")) from None
    try:
        if not workbook.worksheets:
            raise FileError(_("В книге нет листов."))
        rows = []
        try:
            # Rows past the limit are fine while empty (Excel keeps formatted blank rows); a filled one is not.
            for cells in workbook.worksheets[0].iter_rows(max_row=max_rows + EMPTY_TAIL, values_only=True):
                cells = _trimmed(cells)
                if len(cells) > max_columns:
                    raise _too_many_columns(max_columns)
                if cells and len(rows) >= max_rows:
                    raise _too_many_rows(max_rows)
                rows.append(cells)
        except FileError:
            raise
        except Exception:  # whatever openpyxl trips over in a damaged sheet
            raise FileError(_("Не удалось дочитать книгу Excel: файл повреждён.")) from None
    finally:
        workbook.close()
    while rows and not rows[-1]:
        rows.pop()
    if not rows:
        raise FileError(_("Файл пустой."))
    return rows


def _read_xls(file, max_rows: int, max_columns: int) -> list[list]:
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=file.read(), logfile=io.StringIO(), on_demand=True)
        sheet = book.sheet_by_index(0)
    except Exception:  # xlrd's XLRDError and its struct errors on a damaged file
        raise FileError(_("Не удалось прочитать книгу Excel (.xls): файл повреждён.")) from None
    finally:
        file.seek(0)
    if sheet.nrows > max_rows:
        raise _too_many_rows(max_rows)
    rows = []
    for index in range(sheet.nrows):
        cells = []
        for cell in sheet.row(index):
            cells.append(_xls_value(cell, book.datemode))
        cells = _trimmed(cells)
        if len(cells) > max_columns:
            raise _too_many_columns(max_columns)
        rows.append(cells)
    while rows and not rows[-1]:
        rows.pop()
    if not rows:
        raise FileError(_("Файл пустой."))
    return rows


def _xls_value(cell, datemode):
    import xlrd

    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return None
    if cell.ctype == xlrd.XL_CELL_DATE:
        try:
            moment = xlrd.xldate.xldate_as_datetime(cell.value, datemode)
        except (xlrd.xldate.XLDateError, OverflowError, ValueError):
            return cell.value
        return moment if moment.time() != datetime.time(0) else moment.date()
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return bool(cell.value)
    if cell.ctype == xlrd.XL_CELL_ERROR:
        return "#ОШИБКА"
    return cell.value


def cell_address(row_index: int, column_index: int) -> str:
    """«B7» for the zero-based row 6 and column 1."""
    from openpyxl.utils import get_column_letter

    return f"{get_column_letter(column_index + 1)}{row_index + 1}"
