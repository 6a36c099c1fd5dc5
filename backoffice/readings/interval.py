"""The interval file of price categories III–VI (F-C3, seed 001 §5.3.1): the hourly profile of one meter, А+ only.

The sheet looks like the screen form: A1 «Время»; column A the hours «00-01» … «23-24»; row 1 the dates of the
month (DD.MM.YYYY, as real dates or as text) in B…AF; the consumption of each hour at the crossing. Every day
of the month and every hour must be there once, every cell filled with a number within the meter's capacity;
each problem is reported with its cell.

«Вид показаний» says what the numbers are: straight from the register («без КТ и без потерь»), already
multiplied by the transformation ratio, or with the losses too. `interval_consumption` brings any of them to
the kWh the integral «Расход» counts, so «Дельта» compares like with like.
"""

import calendar
import datetime
import re
from dataclasses import dataclass
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..exchange.spreadsheets import cell_address
from ..services.consumption import energy
from ..services.periods import MONTHS_NOMINATIVE
from .files import FileInvalid, FileIssue, cell
from .values import ReadingValueError, check_capacity, to_decimal
from .window import MONTHS_PREPOSITIONAL

TIME_HEADER = "Время"
HOURS = tuple(f"{hour:02d}-{hour + 1:02d}" for hour in range(24))
HOUR_LABEL = re.compile(r"^(\d{1,2})(?::00)?\s*[-–—]\s*(\d{1,2})(?::00)?$")
DATE_TEXT = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
MAX_ROWS = 60  # 25 rows of the matrix and a few of notes; anything longer is not this file


class IntervalKind(models.TextChoices):
    """«Вид показаний» of seed 001 fig. 14."""

    RAW = "raw", gettext_lazy("без КТ и без потерь")
    WITH_RATIO = "ratio", gettext_lazy("с КТ, без потерь")
    WITH_RATIO_AND_LOSSES = "ratio_losses", gettext_lazy("с КТ и с потерями")


@dataclass
class Profile:
    """A checked hourly profile: `values[d][h]` is the hour h of `days[d]`."""

    period: datetime.date
    days: list[datetime.date]
    values: list[list[Decimal]]

    @property
    def total(self) -> Decimal:
        return sum((value for day in self.values for value in day), Decimal(0))

    def day_totals(self) -> list[Decimal]:
        return [sum(day, Decimal(0)) for day in self.values]


def interval_consumption(total: Decimal, *, kind: str, ratio: Decimal, losses_percent: Decimal) -> Decimal:
    """The profile's kWh as the integral «Расход» counts them (ratio and losses applied once)."""
    if kind == IntervalKind.RAW:
        return energy(total, ratio=ratio, losses_percent=losses_percent)
    if kind == IntervalKind.WITH_RATIO:
        return energy(total, losses_percent=losses_percent)
    return energy(total)


def month_title(period: datetime.date) -> str:
    return f"{MONTHS_NOMINATIVE[period.month - 1]} {period.year}"


def interval_template_write(stream, *, period: datetime.date, title: str = "") -> None:
    """The blank matrix of `period`: «Время», the hours, the month's dates as real dates (DD.MM.YYYY)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = (title or "Интервальные показания")[:31]
    days = calendar.monthrange(period.year, period.month)[1]
    sheet.append([TIME_HEADER, *(period.replace(day=day) for day in range(1, days + 1))])
    bold = Font(bold=True)
    for column in sheet[1]:
        column.font = bold
        column.alignment = Alignment(horizontal="center")
        if column.column > 1:
            column.number_format = "DD.MM.YYYY"
    for hour in HOURS:
        sheet.append([hour])
        sheet.cell(row=sheet.max_row, column=1).font = bold
    sheet.column_dimensions["A"].width = 9
    for index in range(2, days + 2):
        sheet.column_dimensions[cell_address(0, index - 1).rstrip("1")].width = 11
    sheet.freeze_panes = "B2"
    workbook.save(stream)


def _hour_of(raw) -> int | None:
    """The hour a label of column A starts: «00-01», «0-1», «00:00-01:00» → 0."""
    if raw is None:
        return None
    if isinstance(raw, datetime.time):
        return raw.hour
    match = HOUR_LABEL.match(str(raw).strip())
    if not match:
        return None
    start, end = map(int, match.groups())
    return start if end == start + 1 and 0 <= start <= 23 else None


def _date_of(raw, address: str, issues: list[FileIssue]) -> datetime.date | None:
    if isinstance(raw, datetime.datetime):
        return raw.date()
    if isinstance(raw, datetime.date):
        return raw
    match = DATE_TEXT.match(str(raw).strip()) if raw is not None else None
    if not match:
        issues.append(
            FileIssue(address, _("Ожидается дата в формате ДД.ММ.ГГГГ, а в ячейке «%(value)s».") % {"value": raw})
        )
        return None
    day, month, year = map(int, match.groups())
    if not 1 <= month <= 12:
        issues.append(
            FileIssue(address, _("Такой даты нет: %(value)s — месяца %(month)s нет.") % {"value": raw, "month": month})
        )
        return None
    length = calendar.monthrange(year, month)[1]
    if not 1 <= day <= length:
        issues.append(
            FileIssue(
                address,
                _("Такой даты нет: %(value)s — в %(month)s %(year)s года %(days)s дней.")
                % {"value": raw, "month": MONTHS_PREPOSITIONAL[month - 1], "year": year, "days": length},
            )
        )
        return None
    return datetime.date(year, month, day)


def interval_profile_read(
    rows: list[list], *, meter, expected_period: datetime.date | None = None, today: datetime.date | None = None
) -> Profile:
    """Check the matrix of one meter; FileInvalid naming every bad cell, or the profile."""
    issues: list[FileIssue] = []
    if len(rows) > MAX_ROWS:
        raise FileInvalid(
            [FileIssue("", _("В файле больше %(n)s строк: это не файл интервальных показаний.") % {"n": MAX_ROWS})]
        )
    header = rows[0] if rows else []
    if str(cell(rows, 0, 0) or "").strip().casefold() != TIME_HEADER.casefold():
        issues.append(
            FileIssue(
                "A1", _("В ячейке A1 должно быть «Время», а в ней «%(value)s».") % {"value": cell(rows, 0, 0) or ""}
            )
        )
    # Row 1: the dates, each once, all of one month.
    columns: list[tuple[int, datetime.date]] = []
    first_column_of: dict[datetime.date, int] = {}
    for index in range(1, len(header)):
        raw = cell(rows, 0, index)
        if raw is None:
            continue
        address = cell_address(0, index)
        day = _date_of(raw, address, issues)
        if day is None:
            continue
        if day in first_column_of:
            issues.append(
                FileIssue(
                    address,
                    _("Дата %(date)s повторяется: она уже в ячейке %(first)s.")
                    % {"date": day.strftime("%d.%m.%Y"), "first": cell_address(0, first_column_of[day])},
                )
            )
            continue
        first_column_of[day] = index
        columns.append((index, day))
    if not columns and not issues:
        issues.append(FileIssue(_("строка 1"), _("В строке 1 нет дат месяца: с ячейки B1 — даты ДД.ММ.ГГГГ.")))
    period = None
    if columns:
        counts: dict[datetime.date, int] = {}
        for _index, day in columns:
            counts[day.replace(day=1)] = counts.get(day.replace(day=1), 0) + 1
        period = max(counts, key=counts.get)
        for index, day in columns:
            if day.replace(day=1) != period:
                issues.append(
                    FileIssue(
                        cell_address(0, index),
                        _("Дата %(date)s не из месяца файла (%(month)s).")
                        % {"date": day.strftime("%d.%m.%Y"), "month": month_title(period)},
                    )
                )
        if expected_period is not None and period != expected_period:
            issues.append(
                FileIssue(
                    _("строка 1"),
                    _("Файл за %(file)s, а передаются показания за %(period)s.")
                    % {"file": month_title(period), "period": month_title(expected_period)},
                )
            )
        length = calendar.monthrange(period.year, period.month)[1]
        missing = [period.replace(day=d) for d in range(1, length + 1) if period.replace(day=d) not in first_column_of]
        for day in missing:
            issues.append(
                FileIssue(_("строка 1"), _("Нет столбца с датой %(date)s.") % {"date": day.strftime("%d.%m.%Y")})
            )
        if today is not None:
            for index, day in columns:
                if day > today:
                    issues.append(
                        FileIssue(
                            cell_address(0, index),
                            _("Дата %(date)s ещё не наступила: почасовой расход за неё передать нельзя.")
                            % {"date": day.strftime("%d.%m.%Y")},
                        )
                    )
    # Column A: the hours, each once (in any order: a sorted sheet is still right).
    hour_rows: dict[int, int] = {}
    for index in range(1, len(rows)):
        raw = cell(rows, index, 0)
        filled = any(value not in (None, "") for value in rows[index])
        if not filled:
            continue
        hour = _hour_of(raw)
        address = cell_address(index, 0)
        if hour is None:
            issues.append(
                FileIssue(
                    address, _("Ожидается час суток, например «05-06», а в ячейке «%(value)s».") % {"value": raw or ""}
                )
            )
            continue
        if hour in hour_rows:
            issues.append(
                FileIssue(
                    address,
                    _("Час «%(hour)s» повторяется: он уже в ячейке %(first)s.")
                    % {"hour": HOURS[hour], "first": cell_address(hour_rows[hour], 0)},
                )
            )
            continue
        hour_rows[hour] = index
    for hour, label in enumerate(HOURS):
        if hour not in hour_rows:
            issues.append(FileIssue(_("столбец A"), _("Нет строки «%(hour)s».") % {"hour": label}))
    # The crossings.
    values: dict[tuple[int, int], Decimal] = {}
    for hour, row_index in hour_rows.items():
        for column_index, day in columns:
            address = cell_address(row_index, column_index)
            raw = cell(rows, row_index, column_index)
            if raw is None:
                issues.append(
                    FileIssue(
                        address,
                        _("Нет значения за %(hour)s %(date)s.")
                        % {"hour": HOURS[hour], "date": day.strftime("%d.%m.%Y")},
                    )
                )
                continue
            try:
                value = to_decimal(raw)
                check_capacity(value, meter)
            except ReadingValueError as error:
                message = str(error)
                if isinstance(raw, str):
                    message = _("«%(value)s» — не число. %(reason)s") % {"value": raw, "reason": message}
                issues.append(FileIssue(address, message))
                continue
            values[(hour, column_index)] = value
    if issues:
        raise FileInvalid(issues)
    ordered = sorted(columns, key=lambda pair: pair[1])
    return Profile(
        period=period,
        days=[day for _index, day in ordered],
        values=[[values[(hour, column_index)] for hour in range(24)] for column_index, _day in ordered],
    )
