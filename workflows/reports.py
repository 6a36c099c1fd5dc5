"""«Обращения по темам» (F-I4): what came in and what was answered in a range of days, per theme, with the SLA.

The figures use the desk's own definitions («Сводка», workflows/services/appeals_selectors.py), not new ones:

- «Поступило» — appeals submitted (`submitted_at`) in the range;
- «Выполнено» — appeals resolved (`resolved_at`) in the range, as «Сводка» counts «Выполнено»;
- «в срок» / «с опозданием» — of those, `resolved_in_time` true or false: the model's `resolve` sets it by the SLA
  clock (deadline from the topic's response days, paused while the customer is asked);
- «Соблюдение срока» — «в срок» of «Выполнено», in percent (`in_time_percent` of «Сводка»);
- «Отклонено» — rejected (`closed_at`, state «Отклонена») in the range;
- «Просрочены сейчас» — of the appeals received in the range, those open and past their deadline right now
  (`overdue_condition`, the desk's «Просрочены»);
- «Среднее время ответа» — from submission to «Выполнено», in days, over the appeals resolved in the range.

A theme is the top level of the classifier (`Appeal.theme`, as «Сводка» groups). One query whatever the number of
appeals: the counts grouped by theme, with the conditions as FILTER clauses.
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django import forms
from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backoffice.models import Branch
from backoffice.reports.charts import bar_chart
from backoffice.reports.common import COUNT, DAYS, PERCENT, TEXT, Column, DateRangeForm, Report, Result, percent

from .models import Appeal
from .services.appeals_selectors import overdue_condition

State = Appeal.State


class AppealsReportForm(DateRangeForm):
    branch = forms.ModelChoiceField(
        label=_("Отделение"),
        queryset=Branch.objects.order_by("name"),
        required=False,
        empty_label=_("Все отделения"),
        error_messages={"invalid_choice": _("Такого отделения нет: выберите из списка.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date_from"].initial = lambda: timezone.localdate() - datetime.timedelta(days=29)
        self.fields["date_to"].initial = timezone.localdate


def _moments(start: datetime.date, end: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """Local days → [the first moment, the moment after the last day)."""
    zone = timezone.get_current_timezone()
    return (
        datetime.datetime.combine(start, datetime.time.min, zone),
        datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, zone),
    )


def appeal_topic_rows(*, date_from: datetime.date, date_to: datetime.date, branch=None, now=None) -> list[dict]:
    """One row per theme that had anything in the range, the busiest first (see the module docstring)."""
    now = now or timezone.now()
    since, until = _moments(date_from, date_to)
    received = Q(submitted_at__gte=since, submitted_at__lt=until)
    resolved = Q(resolved_at__gte=since, resolved_at__lt=until)
    rejected = Q(state=State.REJECTED, closed_at__gte=since, closed_at__lt=until)
    appeals = Appeal.objects.exclude(state=State.DRAFT).filter(received | resolved | rejected)
    if branch is not None:
        appeals = appeals.filter(branch=branch)
    answer_time = ExpressionWrapper(F("resolved_at") - F("submitted_at"), output_field=DurationField())
    rows = (
        appeals.values("theme_id", "theme__name")
        .annotate(
            received=Count("pk", filter=received),
            resolved=Count("pk", filter=resolved),
            in_time=Count("pk", filter=resolved & Q(resolved_in_time=True)),
            late=Count("pk", filter=resolved & Q(resolved_in_time=False)),
            rejected=Count("pk", filter=rejected),
            overdue=Count("pk", filter=received & overdue_condition(now)),
            answer_time=Avg(answer_time, filter=resolved & Q(submitted_at__isnull=False)),
        )
        .order_by("-received", "theme__name")
    )
    result = []
    for row in rows:
        result.append(
            {
                "theme": row["theme__name"],
                "received": row["received"],
                "resolved": row["resolved"],
                "in_time": row["in_time"],
                "late": row["late"],
                "rejected": row["rejected"],
                "overdue": row["overdue"],
                "compliance": percent(row["in_time"], row["resolved"]),
                "answer_days": _days(row["answer_time"]),
                "_answer_seconds": row["answer_time"].total_seconds() * row["resolved"] if row["answer_time"] else 0,
            }
        )
    return result


def _days(delta: datetime.timedelta | None) -> Decimal | None:
    if delta is None:
        return None
    return (Decimal(delta.total_seconds()) / 86400).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


class AppealsReport(Report):
    slug = "appeals"
    title = _("Обращения по темам")
    description = _(
        "Поступившие, выполненные и отклонённые обращения за выбранные дни по темам; соблюдение срока ответа — "
        "как в «Сводке»: доля выполненных в срок."
    )
    permission = "workflows.view_appeal"
    form_class = AppealsReportForm
    icon = "mail"

    columns = [
        Column("theme", _("Тема"), TEXT),
        Column("received", _("Поступило"), COUNT),
        Column("resolved", _("Выполнено"), COUNT),
        Column("in_time", _("в срок"), COUNT),
        Column("late", _("с опозданием"), COUNT),
        Column("rejected", _("Отклонено"), COUNT),
        Column("overdue", _("Просрочены сейчас"), COUNT),
        Column("compliance", _("Соблюдение срока"), PERCENT),
        Column("answer_days", _("Среднее время ответа, дней"), DAYS),
    ]

    def compute(self, filters: dict) -> Result:
        rows = appeal_topic_rows(
            date_from=filters["date_from"], date_to=filters["date_to"], branch=filters.get("branch")
        )
        totals = {"theme": _("Итого")}
        for key in ("received", "resolved", "in_time", "late", "rejected", "overdue"):
            totals[key] = sum(row[key] for row in rows)
        totals["compliance"] = percent(totals["in_time"], totals["resolved"])
        seconds = sum(row.pop("_answer_seconds") for row in rows)
        totals["answer_days"] = (
            _days(datetime.timedelta(seconds=seconds / totals["resolved"])) if totals["resolved"] else None
        )
        chart = bar_chart(
            labels=[row["theme"] for row in rows],
            series=[str(_("Выполнено в срок")), str(_("Выполнено с опозданием"))],
            values=[[row["in_time"], row["late"]] for row in rows],
            text=lambda value: str(value),
            scale_text=lambda value: str(value),
        )
        return Result(columns=self.columns, rows=rows, totals=totals if rows else None, chart=chart)
