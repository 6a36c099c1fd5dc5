"""«Передача показаний»: how many of the meters that should have sent a period's readings did, per customer group.

For each month of the chosen range and each customer group (a household account's group, or the group of the
organisation whose contract the metering point belongs to):

- «Ожидалось» — meters on record in that month: not «Снят с учёта», installed by the month's end (or with no
  installation date), on a ЛС not closed before the month began. The meter's status is today's (the model keeps no
  history of it), so a meter removed since then is left out of past months too.
- «Передано» — of those, the meters with at least one accepted reading dated in that month (`taken_on`), other than
  the billing's own estimates («Расчетные», source «расчёт»). A legal entity's reading sent in the next month's part
  of its window is dated the period's last day (readings/window.py), so it counts for the period it is for.
- «через ЛКК» — the meters with a reading of source «передано через ЛКК»; «другими способами» — the rest of
  «Передано» (контролёр, АСКУЭ, биллинговая система).
- «Доля» — «Передано» of «Ожидалось», in percent.

Three queries whatever the size: the meters counted per group with one conditional COUNT per month, the readings
grouped by month and group with COUNT(DISTINCT meter), and the groups' names.
"""

from django import forms
from django.db.models import Count, F, Q
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..admin_filters import PeriodField
from ..charts import MONTHS_SHORT
from ..models import CustomerGroup, Meter, Reading
from ..models.choices import MeterStatus, ReadingKind, ReadingSource, ReadingStatus
from ..services.periods import add_months, month_end, month_start, period_title
from .charts import column_chart
from .common import COUNT, PERCENT, PERIOD, TEXT, Column, Report, Result, number_text, percent

MAX_MONTHS = 24


def _default_from():
    return add_months(month_start(timezone.localdate()), -5)


def _default_to():
    return month_start(timezone.localdate())


class ReadingsReportForm(forms.Form):
    period_from = PeriodField(
        label=_("Период с"), initial=_default_from, error_messages={"required": _("Укажите первый месяц: ММ.ГГГГ.")}
    )
    period_to = PeriodField(
        label=_("по"), initial=_default_to, error_messages={"required": _("Укажите последний месяц: ММ.ГГГГ.")}
    )
    group = forms.ModelChoiceField(
        label=_("Группа потребителей"),
        queryset=CustomerGroup.objects.order_by("name"),
        required=False,
        empty_label=_("Все группы"),
        error_messages={"invalid_choice": _("Такой группы потребителей нет: выберите из списка.")},
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("period_from"), cleaned.get("period_to")
        if start and end:
            months = (end.year - start.year) * 12 + end.month - start.month + 1
            if months < 1:
                self.add_error("period_to", _("Последний месяц не может быть раньше первого."))
            elif months > MAX_MONTHS:
                self.add_error("period_to", _("Отчёт строится не больше чем за %(n)s месяца.") % {"n": MAX_MONTHS})
        return cleaned


def _group_of(prefix: str = ""):
    return Coalesce(
        F(f"{prefix}account__customer__group_id"),
        F(f"{prefix}metering_point__energy_object__contract__customer__group_id"),
    )


def _on_record(period, prefix: str = "") -> Q:
    end = month_end(period)
    installed = Q(**{f"{prefix}installed_on__isnull": True}) | Q(**{f"{prefix}installed_on__lte": end})
    open_account = Q(**{f"{prefix}account__closed_on__isnull": True}) | Q(
        **{f"{prefix}account__closed_on__gte": period}
    )
    return installed & open_account


def submission_rows(*, period_from, period_to, group=None) -> tuple[list[dict], list]:
    """The rows of the report, oldest month first, groups by name, and the months; the module docstring has the
    figures."""
    periods = []
    period = month_start(period_from)
    while period <= period_to:
        periods.append(period)
        period = add_months(period, 1)
    meters = Meter.objects.exclude(status=MeterStatus.REMOVED).annotate(group_key=_group_of())
    readings = (
        Reading.objects.filter(taken_on__gte=periods[0], taken_on__lte=month_end(periods[-1]))
        .filter(status=ReadingStatus.ACCEPTED)
        .exclude(kind=ReadingKind.ESTIMATED)
        .exclude(source=ReadingSource.ESTIMATE)
        .exclude(meter__status=MeterStatus.REMOVED)
        .filter(Q(meter__installed_on__isnull=True) | Q(meter__installed_on__lte=F("taken_on")))
        .filter(Q(meter__account__closed_on__isnull=True) | Q(meter__account__closed_on__gte=F("taken_on")))
        .annotate(group_key=_group_of("meter__"), month=TruncMonth("taken_on"))
    )
    groups = CustomerGroup.objects.order_by("name")
    if group is not None:
        meters, readings = meters.filter(group_key=group.pk), readings.filter(group_key=group.pk)
        groups = groups.filter(pk=group.pk)
    expected_by_group = {
        row.pop("group_key"): row
        for row in meters.values("group_key")
        .annotate(**{f"p{index}": Count("pk", filter=_on_record(period)) for index, period in enumerate(periods)})
        .order_by()
    }
    sent = {
        (row["month"], row["group_key"]): row
        for row in readings.values("month", "group_key")
        .annotate(
            submitted=Count("meter_id", distinct=True),
            portal=Count("meter_id", distinct=True, filter=Q(source=ReadingSource.PORTAL)),
        )
        .order_by()
    }
    names = list(groups.values_list("pk", "name"))
    rows = []
    for index, period in enumerate(periods):
        for group_id, name in names:
            expected = expected_by_group.get(group_id, {}).get(f"p{index}", 0)
            found = sent.get((period, group_id), {})
            submitted, portal = found.get("submitted", 0), found.get("portal", 0)
            if not expected and not submitted:
                continue
            rows.append(
                {
                    "period": period,
                    "group": name,
                    "expected": expected,
                    "submitted": submitted,
                    "portal": portal,
                    "other": submitted - portal,
                    "rate": percent(submitted, expected),
                }
            )
    return rows, periods


class ReadingsReport(Report):
    slug = "readings"
    title = _("Передача показаний")
    description = _(
        "Сколько приборов учёта, которые должны были передать показания за месяц, их передали — по группам "
        "потребителей, через личный кабинет и другими способами."
    )
    permission = "backoffice.view_reading"
    form_class = ReadingsReportForm
    icon = "sliders"

    columns = [
        Column("period", _("Период"), PERIOD),
        Column("group", _("Группа потребителей"), TEXT),
        Column("expected", _("Ожидалось, ПУ"), COUNT),
        Column("submitted", _("Передано, ПУ"), COUNT),
        Column("portal", _("через ЛКК"), COUNT),
        Column("other", _("другими способами"), COUNT),
        Column("rate", _("Доля переданных"), PERCENT),
    ]

    def compute(self, filters: dict) -> Result:
        rows, periods = submission_rows(
            period_from=filters["period_from"], period_to=filters["period_to"], group=filters.get("group")
        )
        totals = {"period": _("Итого"), "group": ""}
        for key in ("expected", "submitted", "portal", "other"):
            totals[key] = sum(row[key] for row in rows)
        totals["rate"] = percent(totals["submitted"], totals["expected"])
        by_period = {period: [0, 0, 0] for period in periods}
        for row in rows:
            figures = by_period[row["period"]]
            figures[0] += row["portal"]
            figures[1] += row["other"]
            figures[2] += row["expected"]
        titles = []
        for period, (portal, other, expected) in by_period.items():
            rate = percent(portal + other, expected)
            shown = f", {number_text(rate, 1)} %" if rate is not None else ""
            titles.append(
                gettext("%(period)s (ожидалось %(expected)s%(rate)s)")
                % {"period": period_title(period), "expected": expected, "rate": shown}
            )
        chart = column_chart(
            labels=[f"{MONTHS_SHORT[period.month - 1]} {period:%y}" for period in periods],
            titles=titles,
            series=[str(_("через ЛКК")), str(_("другими способами"))],
            values=[figures[:2] for figures in by_period.values()],
            text=_meters,
            scale_text=_meters,
        )
        return Result(columns=self.columns, rows=rows, totals=totals if rows else None, chart=chart)


def _meters(value) -> str:
    """«1 234 ПУ»."""
    return gettext("%(count)s ПУ") % {"count": number_text(value)}
