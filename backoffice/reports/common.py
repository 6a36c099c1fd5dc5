"""The contract every report of «Отчёты» keeps (F-I4), and what they share: filters, cells, the chart, the xlsx.

A report is a `Report` subclass: a title, the permission that opens it, a filter form with Russian labels and
messages, and `compute(filters)` that asks the database for the figures already grouped (GROUP BY in SQL, a fixed
number of queries however many accounts, readings or payments there are) and returns a `Result`: the columns, the
rows, the totals and the chart. The admin page (backoffice/reports/views.py) and «Скачать в Excel» (`to_xlsx`)
show the same `Result`, so the screen and the file can never disagree.

Cells keep their real values (Decimal money, int counts, dates, percents 0–100); each column's `kind` says how the
page prints them («1 234,56 ₽», DD.MM.YYYY, «87,5 %») and which number format the workbook gives them.
"""

import datetime
import io
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django import forms
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from ..formatting import NBSP, format_money
from ..services.periods import period_title

TEXT, COUNT, MONEY, PERCENT, DATE, DAYS, PERIOD = "text", "count", "money", "percent", "date", "days", "period"
DATE_INPUT = "%d.%m.%Y"
XLSX_FORMATS = {
    COUNT: "#,##0",
    MONEY: '#,##0.00\\ "₽"',
    PERCENT: "0.0%",
    DATE: "DD.MM.YYYY",
    DAYS: "0.0",
    PERIOD: "MM.YYYY",
}


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = TEXT

    @property
    def css(self) -> str:
        """Figures align right; text, days and months read from the left."""
        return "" if self.kind in (TEXT, DATE, PERIOD) else "num"


@dataclass
class Result:
    columns: list[Column]
    rows: list[dict]
    totals: dict | None = None
    chart: dict | None = None
    notes: list[str] = field(default_factory=list)

    def cells(self, row: dict) -> list[tuple[str, str]]:
        """(css class, text) of each cell, printed here so the template only loops."""
        return [(column.css, cell_text(row.get(column.key), column.kind)) for column in self.columns]

    @property
    def table_rows(self) -> list[list[tuple[str, str]]]:
        return [self.cells(row) for row in self.rows]

    @property
    def table_totals(self) -> list[tuple[str, str]] | None:
        return self.cells(self.totals) if self.totals is not None else None


def percent(part, whole) -> Decimal | None:
    """part / whole in percent with one decimal place; None when there is nothing to divide by."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def number_text(value, places: int = 0) -> str:
    """«1 234», «87,5»: Russian grouping with non-breaking spaces and a decimal comma."""
    text = f"{Decimal(value):,.{places}f}" if places else f"{int(value):,}"
    return text.replace(",", NBSP).replace(".", ",")


def cell_text(value, kind: str) -> str:
    if value == "":
        return ""
    if value is None:
        return "—"
    if kind == MONEY:
        return format_money(value)
    if kind == COUNT:
        return number_text(value)
    if kind == PERCENT:
        return f"{number_text(value, 1)}{NBSP}%"
    if kind == DAYS:
        return number_text(value, 1)
    if kind == DATE and isinstance(value, datetime.date):
        return value.strftime("%d.%m.%Y")
    if kind == PERIOD and isinstance(value, datetime.date):
        return period_title(value)
    return str(value)


class Report:
    """One report: subclasses set the attributes and implement `compute`."""

    slug: str = ""
    title: str = ""
    description: str = ""
    permission: str = ""
    form_class: type[forms.Form]
    icon: str = "bars"

    def form(self, data=None) -> forms.Form:
        """The filters; an empty query string means the defaults (the form is bound to its initial values)."""
        form = self.form_class()
        if not data:
            data = {name: form[name].value() for name in form.fields}
            data = {name: form.fields[name].prepare_value(value) for name, value in data.items() if value is not None}
        return self.form_class(data)

    def compute(self, filters: dict) -> Result:
        raise NotImplementedError

    def filters_text(self, form: forms.Form) -> str:
        """«Период: 01.2026 — 03.2026; Группа: Население» for the workbook's second line."""
        parts = []
        for bound in form:
            value = bound.value()
            if value in (None, "", []):
                continue
            field_ = bound.field
            if isinstance(field_, forms.ModelChoiceField):
                chosen = form.cleaned_data.get(bound.name)
                text = str(chosen) if chosen is not None else ""
            elif isinstance(field_, forms.ChoiceField):
                text = str(dict(field_.choices).get(value, value))
            else:
                text = str(field_.prepare_value(value))
            if text:
                parts.append(f"{field_.label}: {text}")
        return "; ".join(parts)


# --- Filters ----------------------------------------------------------------------------------------------------


class RuDateField(forms.DateField):
    """A day typed as DD.MM.YYYY, with a Russian message that shows the format."""

    default_error_messages = {"invalid": _("Введите дату в формате ДД.ММ.ГГГГ, например 01.11.2026.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", [DATE_INPUT])
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={"placeholder": _("ДД.ММ.ГГГГ"), "inputmode": "numeric", "autocomplete": "off", "size": 10}
            ),
        )
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, datetime.date):
            return value.strftime(DATE_INPUT)
        return value


class DateRangeForm(forms.Form):
    """«с … по …», both days included; at most `max_days` long."""

    max_days = 366
    date_from = RuDateField(label=_("С"), error_messages={"required": _("Укажите, с какого дня.")})
    date_to = RuDateField(label=_("По"), error_messages={"required": _("Укажите, по какой день.")})

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end:
            if start > end:
                self.add_error("date_to", _("Дата «по» не может быть раньше даты «с»."))
            elif (end - start).days + 1 > self.max_days:
                self.add_error("date_to", _("Отчёт строится не больше чем за %(days)s дней.") % {"days": self.max_days})
        return cleaned


# --- The workbook -----------------------------------------------------------------------------------------------


def to_xlsx(*, title: str, filters: str, result: Result) -> bytes:
    """The report as one sheet: the title, the filters, the headers, the rows and «Итого» in bold.

    Numbers stay numbers (money with two places and «₽», counts, percents as Excel percents, dates as dates shown
    DD.MM.YYYY), so the file can be summed and charted in Excel.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    bold = Font(bold=True)
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([filters])
    sheet.append([])
    sheet.append([str(column.label) for column in result.columns])
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    body = [*result.rows, *([result.totals] if result.totals is not None else [])]
    for row in body:
        sheet.append([_xlsx_value(row.get(column.key), column.kind) for column in result.columns])
        for index, column in enumerate(result.columns, start=1):
            if column.kind in XLSX_FORMATS:
                sheet.cell(row=sheet.max_row, column=index).number_format = XLSX_FORMATS[column.kind]
    if result.totals is not None:
        for cell in sheet[sheet.max_row]:
            cell.font = bold
    for index, column in enumerate(result.columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, min(len(column.label) + 2, 40))
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def _xlsx_value(value, kind: str):
    if value is None:
        return None
    if isinstance(value, Promise):  # «Итого» and other lazy translations
        return str(value)
    if kind == PERCENT:
        return Decimal(value) / 100
    if kind in (MONEY, DAYS):
        return Decimal(value)
    return value
