"""«Платежи по дням»: the money received per day and channel (Личный кабинет, Банк, Почта России, Касса).

A payment counts on its `paid_on` day once it is «Проведён» (a card payment «В процессе» or «Отклонён» has brought
no money). Every day of the range has a row, a day without payments with zeros, so the chart shows the gaps.
One query whatever the number of payments: COUNT and SUM grouped by day and channel.
"""

import datetime

from django import forms
from django.db.models import Count, DecimalField, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..formatting import format_money
from ..models import Payment
from ..models.choices import CustomerKind, PaymentChannel, PaymentStatus
from .charts import column_chart
from .common import COUNT, DATE, MONEY, Column, DateRangeForm, Report, Result


def _month_start():
    return timezone.localdate().replace(day=1)


class PaymentsReportForm(DateRangeForm):
    max_days = 186

    customer_kind = forms.ChoiceField(
        label=_("Клиенты"),
        choices=[("", _("Все")), *CustomerKind.choices],
        required=False,
        error_messages={"invalid_choice": _("Выберите тип клиента из списка.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date_from"].initial = _month_start
        self.fields["date_to"].initial = timezone.localdate


def payment_rows(*, date_from: datetime.date, date_to: datetime.date, customer_kind: str = "") -> list[dict]:
    """One row per day: `<channel>_count`, `<channel>_sum` for every channel, `count` and `total`."""
    payments = Payment.objects.filter(status=PaymentStatus.POSTED, paid_on__gte=date_from, paid_on__lte=date_to)
    if customer_kind == CustomerKind.PERSON:
        payments = payments.filter(account__isnull=False)
    elif customer_kind == CustomerKind.ORGANISATION:
        payments = payments.filter(contract__isnull=False)
    money = DecimalField(max_digits=16, decimal_places=2)
    aggregates = {}
    for channel in PaymentChannel.values:
        aggregates[f"{channel}_count"] = Count("pk", filter=Q(channel=channel))
        aggregates[f"{channel}_sum"] = Sum("amount", filter=Q(channel=channel), default=0, output_field=money)
    by_day = {
        row["paid_on"]: row
        for row in payments.values("paid_on")
        .annotate(**aggregates, count=Count("pk"), total=Sum("amount", output_field=money))
        .order_by()
    }
    rows = []
    day = date_from
    while day <= date_to:
        row = by_day.get(day) or {key: 0 for key in aggregates} | {"count": 0, "total": 0}
        rows.append({**row, "paid_on": day})
        day += datetime.timedelta(days=1)
    return rows


class PaymentsReport(Report):
    slug = "payments"
    title = _("Платежи по дням")
    description = _("Проведённые платежи за выбранные дни по способам оплаты: количество и сумма.")
    permission = "backoffice.view_payment"
    form_class = PaymentsReportForm
    icon = "calendar"

    @property
    def columns(self) -> list[Column]:
        columns = [Column("paid_on", _("Дата"), DATE)]
        for channel, label in PaymentChannel.choices:
            columns.append(Column(f"{channel}_count", _("%(channel)s, платежей") % {"channel": label}, COUNT))
            columns.append(Column(f"{channel}_sum", _("%(channel)s, сумма") % {"channel": label}, MONEY))
        return [*columns, Column("count", _("Всего платежей"), COUNT), Column("total", _("Всего, сумма"), MONEY)]

    def compute(self, filters: dict) -> Result:
        rows = payment_rows(
            date_from=filters["date_from"],
            date_to=filters["date_to"],
            customer_kind=filters.get("customer_kind") or "",
        )
        columns = self.columns
        totals = {"paid_on": _("Итого")}
        for column in columns[1:]:
            totals[column.key] = sum((row[column.key] for row in rows), 0)
        chart = column_chart(
            labels=[f"{row['paid_on']:%d.%m}" for row in rows],
            titles=[f"{row['paid_on']:%d.%m.%Y}" for row in rows],
            series=[str(label) for label in PaymentChannel.labels],
            values=[[row[f"{channel}_sum"] for channel in PaymentChannel.values] for row in rows],
            text=format_money,
            scale_text=format_money,
        )
        return Result(columns=columns, rows=rows, totals=totals, chart=chart)
