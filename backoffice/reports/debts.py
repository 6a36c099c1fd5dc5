"""«Задолженность по срокам»: what customers owe today, by how long it has been overdue.

A debt is a billing document's unpaid rest (`Document.amount_due > 0`): payments pay documents off oldest first
(services/payments.py) and the saldo (`Balance`, services/balances.py) is the sum of these rests per sales kind, less
unallocated payments. Advances and overpayments are credits, not debts, and are not shown here.

The age of a debt is the number of days from the document's «Оплатить до» (`due_date`; the billing run sets it to
the group's `payment_due_day` of the month after the period; a document without one is due on its `issued_on`) to
today: age = today − due date. A document due later than today is «Срок не наступил»; age 0–30 days (due today up
to a month ago) is the first bucket, then 31–60, 61–90, 91–180 and more than 180 days. The rests are what they are
today — a past day's picture cannot be rebuilt from them, so the report is always «на сегодня».

The buckets are split by customer kind (ЛС of households, contracts of organisations) or by sales kind («Основная
реализация», «Пени», …). Two queries whatever the number of documents: the sums per bucket and split value, and
the counts of documents and debtors per bucket, both GROUP BY a CASE over the due date; and the debtors in all
(one debtor may owe in several buckets, so the buckets' debtors do not add up).
"""

import datetime

from django import forms
from django.db.models import Case, CharField, Count, DecimalField, Q, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..formatting import format_money
from ..models import CustomerGroup, Document
from ..models.choices import CustomerKind, SalesKind
from .charts import bar_chart
from .common import COUNT, MONEY, TEXT, Column, Report, Result

NOT_DUE = "not_due"
BUCKETS = (  # (key, label, oldest age in days or None)
    (NOT_DUE, _("Срок не наступил"), None),
    ("0_30", _("0–30 дней"), 30),
    ("31_60", _("31–60 дней"), 60),
    ("61_90", _("61–90 дней"), 90),
    ("91_180", _("91–180 дней"), 180),
    ("over_180", _("более 180 дней"), None),
)
BY_CUSTOMER_KIND, BY_SALES_KIND = "customer_kind", "sales_kind"
HOUSEHOLD, ORGANISATION = "household", "organisation"
SPLIT_LABELS = {HOUSEHOLD: _("Физические лица (ЛС)"), ORGANISATION: _("Юридические лица (договоры)")}


class DebtsReportForm(forms.Form):
    split = forms.ChoiceField(
        label=_("Разбить по"),
        choices=[(BY_CUSTOMER_KIND, _("типу клиента")), (BY_SALES_KIND, _("виду реализации"))],
        initial=BY_CUSTOMER_KIND,
        error_messages={"invalid_choice": _("Выберите, по чему разбить: по типу клиента или по виду реализации.")},
    )
    customer_kind = forms.ChoiceField(
        label=_("Клиенты"),
        choices=[("", _("Все")), *CustomerKind.choices],
        required=False,
        error_messages={"invalid_choice": _("Выберите тип клиента из списка.")},
    )
    sales_kind = forms.ChoiceField(
        label=_("Вид реализации"),
        choices=[("", _("Все")), *SalesKind.choices],
        required=False,
        error_messages={"invalid_choice": _("Выберите вид реализации из списка.")},
    )
    group = forms.ModelChoiceField(
        label=_("Группа потребителей"),
        queryset=CustomerGroup.objects.order_by("name"),
        required=False,
        empty_label=_("Все группы"),
        error_messages={"invalid_choice": _("Такой группы потребителей нет: выберите из списка.")},
    )


def _bucket(today: datetime.date):
    due = Coalesce("due_date", "issued_on")
    whens = [When(Q(due_date__gt=today) | Q(due_date__isnull=True, issued_on__gt=today), then=Value(NOT_DUE))]
    for key, _label, oldest in BUCKETS[1:-1]:
        whens.append(When(Q(due_on__gte=today - datetime.timedelta(days=oldest)), then=Value(key)))
    return due, Case(*whens, default=Value(BUCKETS[-1][0]), output_field=CharField())


def debt_rows(*, today: datetime.date, split: str, customer_kind: str = "", sales_kind: str = "", group=None):
    """{bucket: {"documents", "debtors", "total", split value: sum}}, the split values found in order, and the
    number of debtors in all."""
    due, bucket = _bucket(today)
    documents = Document.objects.filter(amount_due__gt=0).annotate(due_on=due).annotate(bucket=bucket)
    if customer_kind == CustomerKind.PERSON:
        documents = documents.filter(account__isnull=False)
    elif customer_kind == CustomerKind.ORGANISATION:
        documents = documents.filter(contract__isnull=False)
    if sales_kind:
        documents = documents.filter(sales_kind=sales_kind)
    if group is not None:
        documents = documents.filter(Q(account__customer__group=group) | Q(contract__customer__group=group))
    if split == BY_SALES_KIND:
        key = "sales_kind"
    else:
        key = "owner_kind"
        documents = documents.annotate(
            owner_kind=Case(
                When(account__isnull=False, then=Value(HOUSEHOLD)),
                default=Value(ORGANISATION),
                output_field=CharField(),
            )
        )
    money = DecimalField(max_digits=16, decimal_places=2)
    sums = documents.values("bucket", key).annotate(total=Sum("amount_due", output_field=money)).order_by()
    counts = (
        documents.values("bucket")
        .annotate(
            documents=Count("pk"),
            debtors=Count("account_id", distinct=True) + Count("contract_id", distinct=True),
        )
        .order_by()
    )
    figures = {name: {"documents": 0, "debtors": 0, "total": 0} for name, _label, _oldest in BUCKETS}
    found = set()
    for row in sums:
        figures[row["bucket"]][row[key]] = row["total"]
        figures[row["bucket"]]["total"] += row["total"]
        found.add(row[key])
    for row in counts:
        figures[row["bucket"]].update(documents=row["documents"], debtors=row["debtors"])
    order = list(SPLIT_LABELS) if split == BY_CUSTOMER_KIND else list(SalesKind.values)
    debtors = documents.aggregate(debtors=Count("account_id", distinct=True) + Count("contract_id", distinct=True))[
        "debtors"
    ]
    return figures, [value for value in order if value in found], debtors


class DebtsReport(Report):
    slug = "debts"
    title = _("Задолженность по срокам")
    description = _(
        "Неоплаченные остатки документов на сегодня по сроку просрочки: от даты «Оплатить до» до сегодняшнего дня."
    )
    permission = "backoffice.view_balance"
    form_class = DebtsReportForm
    icon = "time"

    def compute(self, filters: dict) -> Result:
        split = filters["split"]
        figures, values, debtors = debt_rows(
            today=timezone.localdate(),
            split=split,
            customer_kind=filters.get("customer_kind") or "",
            sales_kind=filters.get("sales_kind") or "",
            group=filters.get("group"),
        )
        labels = SPLIT_LABELS if split == BY_CUSTOMER_KIND else dict(SalesKind.choices)
        columns = [
            Column("bucket", _("Срок просрочки"), TEXT),
            *(Column(value, labels[value], MONEY) for value in values),
            Column("total", _("Сумма долга"), MONEY),
            Column("documents", _("Документов"), COUNT),
            Column("debtors", _("Должников (ЛС и договоров)"), COUNT),
        ]
        rows = []
        for key, label, _oldest in BUCKETS:
            row = {"bucket": label, **figures[key]}
            for value in values:
                row.setdefault(value, 0)
            rows.append(row)
        totals = {"bucket": _("Итого")}
        for column in columns[1:]:
            totals[column.key] = sum((row[column.key] for row in rows), 0)
        totals["debtors"] = debtors  # not the buckets' sum: one debtor may owe in several buckets
        chart = bar_chart(
            labels=[str(label) for _key, label, _oldest in BUCKETS],
            series=[str(labels[value]) for value in values],
            values=[[row[value] for value in values] for row in rows],
            text=format_money,
            scale_text=format_money,
        )
        has_rows = any(row["documents"] for row in rows)
        return Result(columns=columns, rows=rows if has_rows else [], totals=totals if has_rows else None, chart=chart)
