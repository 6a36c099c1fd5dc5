"""The integral file (F-C2, seed 001 §5.2): «Шаблон интегральных показаний» and its upload.

The template lists every register of the contract's meters on a row of its own, in the nine columns of the
manual; the customer fills «Текущие показания» and sends the file back (.xlsx, or .xls saved by an older Excel).
Two optional columns carry what the screen asks with a tick and a text box: «Переход через ноль» («да») and
«Причина большого расхода».

`integral_rows_read` turns a sheet into rows with their cell addresses; `integral_entries` groups them into the
entries of `backoffice.services.readings`, which applies the same rules as the screen.
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from ..exchange.spreadsheets import cell_address
from ..exchange.widgets import normalized
from ..models import Meter
from ..models.choices import Quantity, Zone
from .files import FileInvalid, FileIssue, cell, match_headers

ENERGY_OBJECT_CODE = "Код ЭО"
ENERGY_OBJECT_NAME = "Наименование ЭО"
ENERGY_OBJECT_STATUS = "Статус ЭО"
METER = "Номер ПУ"
METERING_POINT = "Наименование ИК"
QUANTITY = "Измеряемая величина"
ZONE = "Шкала"
PREVIOUS = "Предыдущие показания"
CURRENT = "Текущие показания"
ROLLOVER = "Переход через ноль"
REASON = "Причина большого расхода"

COLUMNS = (
    ENERGY_OBJECT_CODE,
    ENERGY_OBJECT_NAME,
    ENERGY_OBJECT_STATUS,
    METER,
    METERING_POINT,
    QUANTITY,
    ZONE,
    PREVIOUS,
    CURRENT,
)
REQUIRED = (METER, QUANTITY, ZONE, CURRENT)
INFORMATIVE = (ENERGY_OBJECT_CODE, ENERGY_OBJECT_NAME, ENERGY_OBJECT_STATUS, METERING_POINT, PREVIOUS)
OPTIONAL = (ROLLOVER, REASON)
YES = {"да", "yes", "1", "true", "+", "x", "х"}

QUANTITY_SPELLINGS = {
    normalized(spelling): quantity
    for quantity, spellings in {
        Quantity.ACTIVE_IN: ("А+", "A+"),
        Quantity.ACTIVE_OUT: ("А-", "A-", "А−", "A−"),
        Quantity.REACTIVE_IN: ("R+", "Р+"),
        Quantity.REACTIVE_OUT: ("R-", "Р-", "R−"),
    }.items()
    for spelling in spellings
}
ZONE_SPELLINGS = {
    normalized(spelling): zone
    for zone, spellings in {
        Zone.ROUND_THE_CLOCK: ("Круглосуточная", "Круглосуточный", "Круглосуточные", "Кругл."),
        Zone.DAY: ("День", "Дневная"),
        Zone.NIGHT: ("Ночь", "Ночная"),
        Zone.PEAK: ("Пик", "Пиковая"),
        Zone.SEMI_PEAK: ("Полупик", "Полупиковая"),
    }.items()
    for spelling in spellings
}


@dataclass(frozen=True)
class TemplateRow:
    """One register of the template: what the customer sees and where «Текущие показания» go."""

    energy_object_code: str
    energy_object_name: str
    energy_object_status: str
    meter_serial: str
    metering_point: str
    quantity: str
    zone: str
    previous: Decimal | None
    current: Decimal | None


def integral_template_write(stream, *, rows: Iterable[TemplateRow], title: str = "") -> None:
    """The .xlsx of the template: the nine columns, the previous values as numbers, «Текущие показания» to fill."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = (title or "Показания")[:31]
    sheet.append(list(COLUMNS))
    bold = Font(bold=True)
    for column in sheet[1]:
        column.font = bold
        column.alignment = Alignment(wrap_text=True, vertical="top")
    fill = PatternFill("solid", fgColor="FFF4E0")
    count = 0
    for count, row in enumerate(rows, start=2):
        sheet.append(
            [
                row.energy_object_code,
                row.energy_object_name,
                str(row.energy_object_status),
                row.meter_serial,
                row.metering_point,
                str(Quantity(row.quantity).label),
                str(Zone(row.zone).label),
                row.previous,
                row.current,
            ]
        )
        for column in ("D", "A"):
            sheet[f"{column}{count}"].number_format = "@"
        sheet[f"I{count}"].fill = fill
    if count:
        numbers = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
        numbers.error = _("Введите число: цифры и разделитель «,» или «.».")
        numbers.add(f"I2:I{count}")
        sheet.add_data_validation(numbers)
    for letter, width in zip("ABCDEFGHI", (22, 28, 14, 14, 26, 12, 16, 14, 16), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    workbook.save(stream)


@dataclass
class IntegralRow:
    row: int  # as Excel numbers it
    serial: str
    quantity: str
    zone: str
    value: object  # the raw cell: the rules of the screen read it
    rollover: bool
    reason: str
    current_column: int


def integral_rows_read(rows: list[list]) -> list[IntegralRow]:
    """Rows of the sheet as registers; FileInvalid naming every bad header and cell."""
    columns, issues = match_headers(rows, required=REQUIRED, optional=OPTIONAL, ignored=INFORMATIVE)
    if issues:
        raise FileInvalid(issues)
    result = []
    for index in range(1, len(rows)):
        if not any(value not in (None, "") for value in rows[index]):
            continue
        serial_raw = cell(rows, index, columns[METER])
        serial = _text(serial_raw)
        quantity_raw = cell(rows, index, columns[QUANTITY])
        zone_raw = cell(rows, index, columns[ZONE])
        if not serial:
            issues.append(FileIssue(cell_address(index, columns[METER]), _("Не указан номер ПУ.")))
            continue
        quantity = QUANTITY_SPELLINGS.get(normalized(_text(quantity_raw)))
        if quantity is None:
            issues.append(
                FileIssue(
                    cell_address(index, columns[QUANTITY]),
                    _("Неизвестная измеряемая величина «%(value)s»: ожидается А+ или А−.")
                    % {"value": quantity_raw or ""},
                )
            )
        zone = ZONE_SPELLINGS.get(normalized(_text(zone_raw)))
        if zone is None:
            issues.append(
                FileIssue(
                    cell_address(index, columns[ZONE]),
                    _("Неизвестная шкала «%(value)s»: ожидается Круглосуточная, День, Ночь, Пик или Полупик.")
                    % {"value": zone_raw or ""},
                )
            )
        if quantity is None or zone is None:
            continue
        rollover_raw = cell(rows, index, columns[ROLLOVER]) if ROLLOVER in columns else None
        reason = cell(rows, index, columns[REASON]) if REASON in columns else None
        result.append(
            IntegralRow(
                row=index + 1,
                serial=serial,
                quantity=quantity,
                zone=zone,
                value=cell(rows, index, columns[CURRENT]),
                rollover=normalized(_text(rollover_raw)) in YES,
                reason=_text(reason),
                current_column=columns[CURRENT],
            )
        )
    if issues:
        raise FileInvalid(issues)
    if not result:
        raise FileInvalid([FileIssue("", _("В файле нет строк с приборами учёта: только заголовок."))])
    return result


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.date):
        return value.strftime("%d.%m.%Y")
    return str(value).strip()


@dataclass
class Grouped:
    """The file's rows per meter, with where each register's value is, for the report."""

    meter: Meter
    rows: list[IntegralRow]

    @property
    def first_row(self) -> int:
        return self.rows[0].row


def integral_group(
    rows: list[IntegralRow], *, find_meters: Callable[[set[str]], dict[str, Meter]]
) -> tuple[list[Grouped], list[FileIssue]]:
    """Rows per meter; a meter `find_meters` does not return is «не найден», as if it did not exist.

    A meter whose every «Текущие показания» is blank is left out: only meters with new values are sent.
    """
    meters = find_meters({row.serial for row in rows})
    issues: list[FileIssue] = []
    groups: dict[str, Grouped] = {}
    seen: dict[tuple, int] = {}
    for row in rows:
        meter = meters.get(row.serial)
        if meter is None:
            issues.append(
                FileIssue(
                    _("строка %(row)s") % {"row": row.row},
                    _("Прибор учёта № %(serial)s не найден.") % {"serial": row.serial},
                )
            )
            continue
        if (row.quantity, row.zone) not in [(q, z) for q in meter.measured for z in meter.zones]:
            issues.append(
                FileIssue(
                    _("строка %(row)s") % {"row": row.row},
                    _("У прибора учёта № %(serial)s нет шкалы «%(register)s».")
                    % {"serial": row.serial, "register": f"{Quantity(row.quantity).label} {Zone(row.zone).label}"},
                )
            )
            continue
        key = (row.serial, row.quantity, row.zone)
        if key in seen:
            issues.append(
                FileIssue(
                    _("строка %(row)s") % {"row": row.row},
                    _("Строка повторяет строку %(first)s: прибор учёта, величина и шкала те же.")
                    % {"first": seen[key]},
                )
            )
            continue
        seen[key] = row.row
        groups.setdefault(row.serial, Grouped(meter=meter, rows=[])).rows.append(row)
    filled = [group for group in groups.values() if any(row.value not in (None, "") for row in group.rows)]
    if not issues and not filled:
        issues.append(FileIssue("", _("В файле не заполнены «Текущие показания».")))
    return filled, issues
