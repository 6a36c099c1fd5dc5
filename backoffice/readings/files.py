"""What every readings file shares: the limits, the report of bad cells, reading a header row."""

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from ..exchange.formats import FileError
from ..exchange.spreadsheets import Sheet, cell_address, sheet_read
from ..exchange.widgets import normalized

MAX_BYTES = getattr(settings, "READINGS_UPLOAD_MAX_BYTES", 5 * 1024 * 1024)
MAX_ROWS = getattr(settings, "READINGS_UPLOAD_MAX_ROWS", 10_000)
MAX_COLUMNS = 40  # the interval matrix needs 32 (A…AF); the integral file 11
MAX_REPORTED = 300  # a file wrong everywhere is told its first problems and how many more


@dataclass(frozen=True)
class FileIssue:
    """One line of the report: where (a cell «B7», a row «строка 5», or nothing for the whole file) and why."""

    address: str
    message: str

    def __str__(self) -> str:
        return f"{self.address}: {self.message}" if self.address else self.message


class FileInvalid(Exception):
    """The file cannot be stored; `issues` names every bad cell, nothing was written."""

    def __init__(self, issues: list[FileIssue]):
        self.issues = trimmed(issues)
        super().__init__("\n".join(map(str, self.issues)))


def trimmed(issues: list[FileIssue]) -> list[FileIssue]:
    if len(issues) <= MAX_REPORTED:
        return issues
    rest = len(issues) - MAX_REPORTED
    return [*issues[:MAX_REPORTED], FileIssue("", _("…и ещё ошибок: %(n)s.") % {"n": rest})]


def read_sheet(file, name: str, *, max_rows: int | None = None) -> Sheet:
    """The first sheet of an .xls/.xlsx within the limits; FileInvalid with the reason for anything else."""
    try:
        return sheet_read(file, name, max_bytes=MAX_BYTES, max_rows=max_rows or MAX_ROWS, max_columns=MAX_COLUMNS)
    except FileError as error:
        raise FileInvalid([FileIssue("", str(error))]) from None


def cell(rows: list[list], row: int, column: int):
    """The cell at zero-based (row, column), None beyond the row's end; text stripped, blank text None."""
    if row >= len(rows) or column >= len(rows[row]):
        return None
    value = rows[row][column]
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def match_headers(
    rows: list[list], *, required: tuple[str, ...], optional: tuple[str, ...] = (), ignored: tuple[str, ...] = ()
) -> tuple[dict[str, int], list[FileIssue]]:
    """Find the columns of the header row by name (case, «ё», dashes and spaces do not matter)."""
    known = {normalized(name): name for name in (*required, *optional, *ignored)}
    found: dict[str, int] = {}
    issues = []
    header = rows[0] if rows else []
    for index, raw in enumerate(header):
        text = normalized(str(raw)).rstrip("*").strip() if raw is not None else ""
        if not text:
            continue
        name = known.get(text)
        if name is None:
            issues.append(
                FileIssue(
                    cell_address(0, index),
                    _("Неизвестный столбец «%(name)s». Ожидаются: %(allowed)s.")
                    % {"name": raw, "allowed": ", ".join(f"«{n}»" for n in required)},
                )
            )
        elif name in found:
            issues.append(
                FileIssue(
                    cell_address(0, index),
                    _("Столбец «%(name)s» повторяется: он уже в ячейке %(first)s.")
                    % {"name": name, "first": cell_address(0, found[name])},
                )
            )
        else:
            found[name] = index
    for name in required:
        if name not in found:
            issues.append(FileIssue(_("строка 1"), _("Нет обязательного столбца «%(name)s».") % {"name": name}))
    return found, issues
