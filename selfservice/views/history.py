"""«История» → «Документы» and «Платежи» (F-D2, seed 001 §7.1–7.2) with «Скачать» and «Отправка файла».

«Показания» (issue of the readings) and «Заказы» (the services' orders) are tabs of the same menu, HISTORY_MENU.
A household without contracts goes to its ЛС's own «История» (account_history.py), the screens of seeds 000/004.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from backoffice.services.periods import add_months, month_start

from ..billing_exports import documents_workbook, payments_workbook
from ..billing_selectors import document_history, history_scope_for, payment_history
from ..forms.billing import DocumentFilterForm, DocumentSendForm, PaymentFilterForm
from ..navigation import HISTORY_MENU, menu_links
from ..selectors import documents_for
from ..services.payments import document_send
from . import ratelimited
from .accounts import current_account_number
from .signin import over_limit

PER_PAGE = 20
DOCUMENT_MONTHS = 12  # «Документы» open on the last year
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SEND_LIMITS = [("user", "30/h")]
SENT_MESSAGE = _(
    "Документ будет отправлен на ваш электронный адрес после формирования. "
    "Время подготовки может составить до 10 минут."
)


def _tabs(request):
    return [
        {"label": link.label, "url": link.url, "is_current": link.url == request.path}
        for link in menu_links(request.path, HISTORY_MENU)
    ]


def _document_filters(request, owners):
    today = timezone.localdate()
    data = request.GET.copy() if request.GET else None
    form = DocumentFilterForm(data, owners=owners)
    if form.is_bound:
        if not form.is_valid():
            return form, None
        return form, form.cleaned_data
    defaults = {"owner": None, "first": add_months(month_start(today), 1 - DOCUMENT_MONTHS), "last": today, "type": ""}
    form = DocumentFilterForm(
        initial={"first": defaults["first"], "last": month_start(today)},
        owners=owners,
    )
    return form, defaults


@login_required
@never_cache
def history(request):
    """«Документы»: filters «Договор», «Период», «Тип документа»; 20 per page, newest first."""
    scope = history_scope_for(user=request.user)
    owners = scope.owners
    if scope.accounts and not scope.contracts:
        number = current_account_number(request)
        numbers = [account.number for account in scope.accounts]
        return redirect("selfservice:account_history", number if number in numbers else numbers[0])
    form, filters = _document_filters(request, owners)
    page = None
    if filters is not None:
        documents = document_history(
            scope=scope,
            owner=filters["owner"],
            first=filters["first"],
            last=filters["last"],
            types=[filters["type"]] if filters["type"] else (),
        )
        page = Paginator(documents, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "selfservice/history/documents.html",
        {
            "tabs": _tabs(request),
            "form": form,
            "page_obj": page,
            "payable_contracts": scope.payable,
            "has_owners": bool(owners),
            "accounts": scope.accounts,
            "query": request.GET.urlencode(),
        },
    )


@login_required
@require_GET
def history_documents_export(request):
    """«Скачать»: the documents of the current filter as .xlsx."""
    scope = history_scope_for(user=request.user)
    form, filters = _document_filters(request, scope.owners)
    if filters is None:
        return redirect(reverse("selfservice:history") + "?" + request.GET.urlencode())
    documents = document_history(
        scope=scope,
        owner=filters["owner"],
        first=filters["first"],
        last=filters["last"],
        types=[filters["type"]] if filters["type"] else (),
    )
    return _xlsx(documents_workbook(documents), "Документы.xlsx")


def _payment_filters(request, owners):
    today = timezone.localdate()
    form = PaymentFilterForm(request.GET or None, owners=owners)
    if form.is_bound:
        return form, (form.cleaned_data if form.is_valid() else None)
    # «По умолчанию … устанавливается текущий расчетный период (месяц)» (seed 001 §7.2).
    first = month_start(today)
    form = PaymentFilterForm(initial={"first": first, "last": today}, owners=owners)
    return form, {"owner": None, "first": first, "last": today}


@login_required
@never_cache
def history_payments(request):
    """«Платежи»: bank and number, date, amount, status, purpose; «Чек об оплате» of a portal payment."""
    scope = history_scope_for(user=request.user)
    form, filters = _payment_filters(request, scope.owners)
    page = None
    if filters is not None:
        payments = payment_history(scope=scope, owner=filters["owner"], first=filters["first"], last=filters["last"])
        page = Paginator(payments, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "selfservice/history/payments.html",
        {"tabs": _tabs(request), "form": form, "page_obj": page, "has_owners": bool(scope.owners)},
    )


@login_required
@require_GET
def history_payments_export(request):
    """«Скачать»: the payments of the current filter as .xlsx (seed 001 §7.2)."""
    scope = history_scope_for(user=request.user)
    form, filters = _payment_filters(request, scope.owners)
    if filters is None:
        return redirect(reverse("selfservice:history_payments") + "?" + request.GET.urlencode())
    payments = payment_history(scope=scope, owner=filters["owner"], first=filters["first"], last=filters["last"])
    return _xlsx(payments_workbook(payments), "Платежи.xlsx")


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response


@login_required
@never_cache
def history_document_send(request, pk: int):
    """«Отправка файла»: «E-mail *», «Отменить», «Отправить»; the letter with the PDF is prepared in the background."""
    document = get_object_or_404(documents_for(user=request.user), pk=pk)
    back = request.GET.get("next") or request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("selfservice:history")
    form = DocumentSendForm(request.POST or None, initial={"email": request.user.email})
    if request.method == "POST":
        if over_limit(request, group="document-send", limits=SEND_LIMITS):
            return ratelimited(request)
        if form.is_valid():
            try:
                document_send(user=request.user, document=document, email=form.cleaned_data["email"])
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, SENT_MESSAGE)
                return redirect(back)
    return render(request, "selfservice/history/send.html", {"document": document, "form": form, "back": back})


urls = [
    path("history/", history, name="history"),
    path("history/documents.xlsx", history_documents_export, name="history_documents_export"),
    path("history/documents/<int:pk>/send/", history_document_send, name="history_document_send"),
    path("history/payments/", history_payments, name="history_payments"),
    path("history/payments.xlsx", history_payments_export, name="history_payments_export"),
]
