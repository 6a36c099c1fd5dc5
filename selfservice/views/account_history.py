"""A household's «История» of one ЛС (F-D3, F-D6): «Все события» by month (seed 004 §4.4.4.2) and the tabs of
«Информация о действиях абонента» — «Счета», «Платежи», «Показания», «Заявки» — with «с … по …» (seed 000 §3.9,
§3.10), each showing at most 20 rows («Отображены первые 20 результатов поиска…»); the receipt with «Общая
информация», «Детализация» and «ПЕЧАТЬ КВИТАНЦИИ».
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from backoffice.models.choices import DocumentType
from backoffice.pdf.data import receipt_summary
from backoffice.services.periods import add_months, month_start
from workflows.models import ServiceOrder

from ..billing_selectors import account_events, account_payments, account_readings, account_receipts
from ..forms.billing import PeriodForm
from ..selectors import account_get_for, documents_for
from .orders import STATE_FAMILY

ROWS = 20
EVENT_MONTHS = 3  # «по умолчанию … за последние 3 месяца» (seed 004 §4.4.4.2)
TAB_MONTHS = 12  # «Информация по счетам и платежам выводится за последний год» (seed 003 §2.3)
PRESETS = ((3, _("За последние 3 месяца")), (6, _("За последние 6 месяцев")), (12, _("За последний год")))
TABS = (
    ("events", _("Все события")),
    ("bills", _("Счета")),
    ("payments", _("Платежи")),
    ("readings", _("Показания")),
    ("requests", _("Заявки")),
)


def account_sections(number: str, current: str) -> list[dict]:
    """The sections of one ЛС (seed 004 §4.4): «История», «Реквизиты ЛС», «Статистика»."""
    sections = (
        ("history", _("История"), reverse("selfservice:account_history", args=[number])),
        ("requisites", _("Реквизиты ЛС"), reverse("selfservice:account_requisites", args=[number])),
        ("statistics", _("Статистика"), reverse("selfservice:account_statistics", args=[number])),
    )
    return [{"label": label, "url": url, "is_current": key == current} for key, label, url in sections]


def receipt_view(document) -> dict:
    """«Общая информация» and «Детализация» of a household receipt, as the PDF words them (backoffice.pdf.data)."""
    rows, total, to_pay = receipt_summary(document)
    lines = list(document.lines.all())
    return {"document": document, "summary": rows, "total": total, "to_pay": to_pay, "lines": lines}


def _tabs(request, number: str, current: str) -> list[dict]:
    """The tabs keep the chosen «с … по …»."""
    query = f"?{request.GET.urlencode()}" if request.GET else ""
    tabs = []
    for key, label in TABS:
        if key == "events":
            url = reverse("selfservice:account_history", args=[number])
        else:
            url = reverse("selfservice:account_history_tab", args=[number, key])
        tabs.append({"label": label, "url": url + query, "is_current": key == current})
    return tabs


def _presets(first, last) -> list[dict]:
    """«За последние 3 месяца» and the like, as links that fill «с … по …»."""
    today = timezone.localdate()
    presets = []
    for months, label in PRESETS:
        start = add_months(month_start(today), 1 - months)
        query = urlencode({"first": start.isoformat(), "last": today.isoformat()})
        presets.append({"label": label, "query": query, "is_current": (first, last) == (start, today)})
    return presets


def _limited(items) -> tuple[list, bool]:
    items = list(items[: ROWS + 1])
    return items[:ROWS], len(items) > ROWS


@login_required
@never_cache
def account_history(request, number: str, tab: str = "events"):
    account = account_get_for(user=request.user, number=number)
    if tab not in dict(TABS):
        raise Http404
    form = PeriodForm(request.GET or None)
    first, last = form.period(default_months=EVENT_MONTHS if tab == "events" else TAB_MONTHS)
    if not form.is_bound:
        form = PeriodForm(initial={"first": first, "last": last})  # the dates in force, shown in «с … по …»
    context = {
        "account": account,
        "sections": account_sections(number, "history"),
        "tabs": _tabs(request, number, tab),
        "tab": tab,
        "form": form,
        "first": first,
        "last": last,
        "presets": _presets(first, last),
    }
    if tab == "events":
        months = account_events(user=request.user, account=account, first=first, last=last)
        for month in months:
            month.receipt_views = [receipt_view(receipt) for receipt in month.receipts]
        opened = next((month for month in months if not month.is_empty), None)
        for month in months:
            month.is_open = month is opened
        context["months"] = months
    elif tab == "bills":
        context["rows"], context["more"] = _limited(account_receipts(account=account, first=first, last=last))
    elif tab == "payments":
        context["rows"], context["more"] = _limited(account_payments(account=account, first=first, last=last))
    elif tab == "readings":
        context["rows"], context["more"] = _limited(
            account_readings(user=request.user, account=account, first=first, last=last)
        )
    else:
        requests = (
            ServiceOrder.objects.filter(user=request.user, account=account, created_at__date__range=(first, last))
            .select_related("service")
            .order_by("-created_at", "-pk")
        )
        rows, more = _limited(requests)
        for row in rows:
            row.state_family = STATE_FAMILY.get(row.state, "neutral")
        context["rows"], context["more"] = rows, more
    return render(request, f"selfservice/account_history/{tab}.html", context)


@login_required
@never_cache
def receipt_detail(request, pk: int):
    """A household receipt: «Общая информация», «Детализация» per zone, «ПЕЧАТЬ КВИТАНЦИИ» (F-D3)."""
    document = get_object_or_404(
        documents_for(user=request.user)
        .filter(account__isnull=False, type=DocumentType.RECEIPT)
        .prefetch_related("lines"),
        pk=pk,
    )
    return render(
        request,
        "selfservice/account_history/receipt.html",
        {
            "account": document.account,
            "sections": account_sections(document.account.number, "history"),
            "receipt": receipt_view(document),
        },
    )


urls = [
    path("accounts/<str:number>/history/", account_history, name="account_history"),
    path("accounts/<str:number>/history/<slug:tab>/", account_history, name="account_history_tab"),
    path("history/receipts/<int:pk>/", receipt_detail, name="receipt_detail"),
]
