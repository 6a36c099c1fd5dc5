"""CSV and XLSX files in and out.

The type is decided by the contents and must agree with the name: a «.xlsx» that is really text is
refused with a clear reason instead of being read as garbage. CSV is UTF-8 with or without BOM
(Windows-1251, what Russian Excel saves as «CSV», is understood too), «;», «,» or tab separated.
XLSX is read with openpyxl in read-only mode, so a big workbook is streamed, not loaded whole.
"""

import csv
import io
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import PurePath

from django.utils.translation import gettext as _

XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the binary .xls of Excel 97–2003
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
DATE_FORMAT = "DD.MM.YYYY"


class FileError(ValueError):
    """The file as a whole cannot be read; the message says why, in Russian."""


@dataclass
class Table:
    """The header row and the data rows with the row numbers Excel shows (the header is row 1)."""

    headers: list[str]
    rows: Iterator[tuple[int, tuple]]
    close: Callable[[], None] = lambda: None


def extension_of(name: str) -> str:
    return PurePath(name or "").suffix.lower().lstrip(".")


def file_type(file, name: str) -> str:
    """«csv» or «xlsx» by the contents, which must agree with the name; FileError otherwise."""
    head = file.read(8)
    file.seek(0)
    extension = extension_of(name)
    if extension not in ("csv", "xlsx"):
        raise FileError(_("Поддерживаются файлы .csv и .xlsx."))
    if not head:
        raise FileError(_("Файл пустой."))
    if head.startswith(OLE_MAGIC):
        raise FileError(_("Старый формат Excel (.xls) не поддерживается: сохраните файл как .xlsx или CSV."))
    if extension == "xlsx" and not head.startswith(XLSX_MAGIC):
        raise FileError(_("Файл назван .xlsx, но это не книга Excel. Сохраните его в Excel как .xlsx или CSV."))
    if extension == "csv" and head.startswith(XLSX_MAGIC):
        raise FileError(_("Файл назван .csv, но это книга Excel: переименуйте его в .xlsx."))
    return extension


def open_table(file, name: str) -> Table:
    """Read a CSV or XLSX file object; raise FileError when it is empty or not what its name says."""
    if file_type(file, name) == "xlsx":
        return read_xlsx(file)
    return read_csv(file.read())


def preview(file, name: str, limit: int = 10) -> tuple[list[str], list[tuple]]:
    """The header and the first rows, as they are in the file, for the dry run's page."""
    table = open_table(file, name)
    try:
        rows = []
        for _number, cells in table.rows:
            rows.append(tuple("" if cell is None else cell for cell in cells))
            if len(rows) == limit:
                break
        return table.headers, rows
    finally:
        table.close()


def decode(data: bytes) -> str:
    if b"\x00" in data[:65536]:
        raise FileError(_("Файл не похож на текст CSV: в нём двоичные данные."))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1251")  # Russian Excel's «CSV (разделители — запятые)»


def delimiter_of(header_line: str) -> str:
    """The header has no decimal commas, so the most frequent candidate there is the separator."""
    counts = {delimiter: header_line.count(delimiter) for delimiter in (";", "\t", ",")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ";"


def read_csv(data: bytes) -> Table:
    text = decode(data)
    if not text.strip():
        raise FileError(_("Файл пустой."))
    first_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter_of(first_line))
    try:
        headers = next(reader)
    except csv.Error as error:
        raise FileError(_("Не удалось прочитать CSV: %(error)s.") % {"error": error}) from None
    return Table(headers=headers, rows=numbered_csv_rows(reader))


def numbered_csv_rows(reader) -> Iterator[tuple[int, tuple]]:
    try:
        yield from enumerate(reader, start=2)
    except csv.Error as error:
        raise FileError(_("Не удалось прочитать CSV: %(error)s.") % {"error": error}) from None


def read_xlsx(file) -> Table:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        headers = next(rows, None)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, IndexError, OSError, ValueError):
        raise FileError(_("Не удалось прочитать книгу Excel: файл повреждён или это не .xlsx.")) from None
    if headers is None:
        workbook.close()
        raise FileError(_("Файл пустой."))
    headers = ["" if cell is None else str(cell) for cell in headers]
    return Table(headers=headers, rows=numbered_xlsx_rows(rows), close=workbook.close)


def numbered_xlsx_rows(rows) -> Iterator[tuple[int, tuple]]:
    try:
        yield from enumerate(rows, start=2)
    except Exception:  # whatever openpyxl trips over in a damaged sheet, the user needs one sentence
        raise FileError(_("Не удалось дочитать книгу Excel: файл повреждён.")) from None


def count_rows(file, name: str) -> int:
    """A cheap estimate of the data rows, to decide between inline and background work."""
    try:
        if extension_of(name) == "xlsx":
            from openpyxl import load_workbook

            workbook = load_workbook(file, read_only=True)
            sheet = workbook.worksheets[0]
            rows = max((sheet.max_row or 1) - 1, 0)
            workbook.close()
            return rows
        return max(sum(1 for line in file if line.strip()) - 1, 0)
    except Exception:  # a broken file is reported by the import itself, inline
        return 0
    finally:
        file.seek(0)


# --- Writing ------------------------------------------------------------------------------------


def write_csv(stream, headers: list[str], rows: Iterable[list]) -> None:
    """UTF-8 with BOM and «;», which Russian Excel opens as columns without asking."""
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="", write_through=True)
    writer = csv.writer(text, delimiter=";", lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(rows)
    text.flush()
    text.detach()


def write_xlsx(stream, headers: list[str], rows: Iterable[list], title: str = "") -> None:
    """A streamed workbook: dates as real dates shown DD.MM.YYYY, numbers as numbers, codes as text."""
    import datetime

    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=(title or "Данные")[:31])
    bold = Font(bold=True)
    sheet.append([bold_cell(sheet, header, bold) for header in headers])
    for row in rows:
        cells = []
        for value in row:
            if isinstance(value, datetime.date):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = DATE_FORMAT
                cells.append(cell)
            else:
                cells.append(value)
        sheet.append(cells)
    workbook.save(stream)


def bold_cell(sheet, value, font):
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    cell.font = font
    return cell
