"""The forms of «Показания»: the inputs of every meter on the page, «Загрузить показания файлом», the history filter.

The meters' inputs are not a Django form with a field per register (the page has up to hundreds): `MeterInputs`
reads the posted values of the meters the page shows, keeps what was typed to show it back, and puts each
refusal of the rules next to its input.
"""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from backoffice.exchange.widgets import DATE
from backoffice.models.choices import ReadingKind, ReadingSource, Zone
from backoffice.readings.files import MAX_BYTES
from backoffice.readings.interval import IntervalKind
from backoffice.readings.values import input_text

QUANTITY_CODES = {"A+": "ap", "A-": "am", "R+": "rp", "R-": "rm"}


def input_name(meter_id: int, quantity: str, zone: str) -> str:
    return f"m{meter_id}-{QUANTITY_CODES[quantity]}-{zone}"


class MeterInputs:
    """The typed values of the page's meters and the problems the rules found in them."""

    def __init__(self, rows, data=None):
        self.rows = rows
        self.data = data
        self.errors: dict[str, list[str]] = {}  # input name → messages
        self.meter_errors: dict[int, list[str]] = {}
        self.general: list[str] = []
        self.rollover_asked: set[int] = set()
        self.reason_asked: set[int] = set()

    def typed(self) -> dict[int, dict]:
        """The meters with anything typed: {meter id: {"values", "rollover", "reason", "taken_on"}}."""
        result = {}
        if self.data is None:
            return result
        for row in self.rows:
            if not row.enterable:
                continue
            meter = row.meter
            values = {
                (register.quantity, register.zone): self.data.get(
                    input_name(meter.pk, register.quantity, register.zone), ""
                )
                for register in row.registers
            }
            if not any(str(value).strip() for value in values.values()):
                continue
            taken_on = None
            if meter.account_id:  # a household may say when it read the meter («Дата съёма», seed 003)
                taken_on = self._date(meter.pk)
                if taken_on is False:
                    continue
            result[meter.pk] = {
                "values": values,
                "rollover": self.data.get(f"m{meter.pk}-rollover") == "on",
                "reason": self.data.get(f"m{meter.pk}-reason", "").strip()[:1000],
                "taken_on": taken_on,
            }
        return result

    def _date(self, meter_id: int):
        raw = (self.data.get(f"m{meter_id}-taken_on") or "").strip()
        if not raw:
            return None
        try:
            if "-" in raw:  # <input type="date"> sends ISO
                return datetime.date.fromisoformat(raw)
            match = DATE.match(raw)
            if match:
                day, month, year = map(int, match.groups())
                return datetime.date(year, month, day)
        except ValueError:
            pass
        self.meter_errors.setdefault(meter_id, []).append(str(_("Неверная дата: нужен формат ДД.ММ.ГГГГ.")))
        return False

    def add_problems(self, problems) -> None:
        for problem in problems:
            if problem.code == "rollover":
                self.rollover_asked.add(problem.meter_id)
            elif problem.code == "reason":
                self.reason_asked.add(problem.meter_id)
            if problem.quantity and problem.zone:
                self.errors.setdefault(input_name(problem.meter_id, problem.quantity, problem.zone), []).append(
                    problem.message
                )
            elif problem.meter_id and problem.field in ("reason", "taken_on"):
                self.errors.setdefault(f"m{problem.meter_id}-{problem.field}", []).append(problem.message)
            elif problem.meter_id:
                self.meter_errors.setdefault(problem.meter_id, []).append(problem.message)
            else:
                self.general.append(problem.message)

    @property
    def has_errors(self) -> bool:
        return bool(self.errors or self.general or any(self.meter_errors.values()))

    def value(self, row, register) -> str:
        """What the input shows: what was typed, else what was sent this period («до закрытия периода»)."""
        name = input_name(row.meter.pk, register.quantity, register.zone)
        if self.data is not None and name in self.data:
            return self.data.get(name, "")
        return input_text(register.current.value, row.meter) if register.current else ""


class UploadForm(forms.Form):
    """«Загрузить показания файлом» (seed 001 fig. 13 and 14)."""

    INTEGRAL, INTERVAL = "integral", "interval"

    contract = forms.ChoiceField(label=_("Договор"))
    type = forms.ChoiceField(
        label=_("Тип показаний"),
        choices=[(INTEGRAL, _("Интегральные по договору")), (INTERVAL, _("Интервальные по прибору учета"))],
        initial=INTEGRAL,
    )
    energy_object = forms.ChoiceField(label=_("Энергообъект"), required=False)
    meter = forms.TypedChoiceField(label=_("Прибор учёта"), coerce=int, required=False, empty_value=None)
    kind = forms.ChoiceField(label=_("Вид показаний"), choices=IntervalKind.choices, required=False)
    file = forms.FileField(
        label=_("Загрузите файл (.xls или .xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xls,.xlsx"}),
        help_text=_("Не больше %(size)s МБ.") % {"size": MAX_BYTES // (1024 * 1024)},
    )

    def __init__(self, *args, contracts, energy_objects=(), meters=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contract"].choices = [
            (contract.number, f"{contract.customer.display_name} ({contract.number})") for contract in contracts
        ]
        self.fields["energy_object"].choices = [("", _("Все"))] + [
            (site.code, f"{site.address or site.name} ({site.code})") for site in energy_objects
        ]
        self.fields["meter"].choices = [("", "—")] + [
            (meter.pk, f"ПУ {meter.serial} • {meter.metering_point.name}") for meter in meters
        ]
        self.fields["file"].widget.attrs["aria-describedby"] = "id_file_helptext"

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("type") == self.INTERVAL:
            if not cleaned.get("meter"):
                self.add_error("meter", _("Заполните поле"))
            if not cleaned.get("kind"):
                self.add_error("kind", _("Заполните поле"))
        return cleaned


class HistoryFilterForm(forms.Form):
    """«История» → «Показания» (seed 001 §7.3, seed 000 §3.4.2): the filter block."""

    owner = forms.ChoiceField(label=_("Договор / ЛС"), required=False)
    energy_object = forms.ChoiceField(label=_("Энергообъект"), required=False)
    date_from = forms.DateField(
        label=_("с"),
        required=False,
        input_formats=["%Y-%m-%d", "%d.%m.%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    date_to = forms.DateField(
        label=_("по"),
        required=False,
        input_formats=["%Y-%m-%d", "%d.%m.%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    kind = forms.ChoiceField(label=_("Тип показаний"), required=False, choices=[("", _("Все")), *ReadingKind.choices])
    source = forms.ChoiceField(
        label=_("Источник показаний"), required=False, choices=[("", _("Все")), *ReadingSource.choices]
    )
    zone = forms.ChoiceField(label=_("Тарифная зона"), required=False, choices=[("", _("Все")), *Zone.choices])

    def __init__(self, *args, owners, energy_objects=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = owners
        self.fields["energy_object"].choices = [("", _("Все"))] + [
            (site.code, f"{site.address or site.name} ({site.code})") for site in energy_objects
        ]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("Дата «по» раньше даты «с»."))
        return cleaned
