"""«Оплата» (F-D1, F-D5, F-E1…F-E3; seed 001 §4, seed 000 §3.11, seed 004 §4.4.3.1).

The page lists the user's ЛС and the contracts whose role shows the debt, each with «Счета на оплату», «Авансы и
переплата» and «К оплате», the debt banner, and «График счетов и оплат». «Оплатить» opens «Реквизиты оплаты» for
the whole debt (documents pre-selected, amount editable), one document (amount fixed) or any amount; «Перейти к
оплате» sends the customer to the acquirer's page, which sends them back to `payment_return`.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from backoffice.acquiring import AcquiringUnavailable, provider_get
from backoffice.models import AcquiringOrder, Contract
from backoffice.models.choices import PaymentStatus
from backoffice.pdf import payment_receipt_render_pdf
from backoffice.services.acquiring import acquiring_order_refresh
from backoffice.services.periods import add_months, month_start
from cms.models import PAYMENT_TERMS_SLUG
from cms.selectors import standard_page

from ..access import Capability
from ..billing_selectors import (
    ACCOUNT,
    contract_access_for,
    debt_banners,
    invoices_and_payments,
    owner_key,
    owner_label,
    payment_panels_for,
    payments_in_process,
    saved_cards_for,
)
from ..charts import invoices_payments_chart
from ..decorators import email_confirmed_required
from ..forms.billing import NEW_CARD, MoneyField, PaymentForm
from ..selectors import account_get_for, contract_get_for, contract_permits, documents_for, payments_for
from ..services.payments import (
    PaymentBlocked,
    payment_start,
    plan_for_debt,
    plan_for_document,
    plan_for_prepayment,
)
from . import ratelimited
from .signin import over_limit

CHART_MONTHS = 12
# Each «Перейти к оплате» registers an order at the bank: plenty for people, a wall for a script.
START_LIMITS = [("user", "30/h")]


@login_required
@never_cache
def payments(request):
    user = request.user
    access = contract_access_for(user=user)
    panels = payment_panels_for(user=user, access=access)
    today = timezone.localdate()
    chart_panel = None
    if panels:
        chosen = request.GET.get("chart")
        chart_panel = next((panel for panel in panels if panel.key == chosen), None) if chosen else panels[0]
        if chart_panel is None:
            raise Http404  # not one of the user's contracts or ЛС
    chart = None
    if chart_panel is not None:
        last = month_start(today)
        months = invoices_and_payments(owner=chart_panel.owner, first=add_months(last, 1 - CHART_MONTHS), last=last)
        chart = invoices_payments_chart(months)
    billing_ids = access.ids_having(Capability.BILLING)
    without_billing = [contract for pk, contract in access.contracts.items() if pk not in billing_ids]
    return render(
        request,
        "selfservice/payments/list.html",
        {
            "panels": panels,
            "banners": debt_banners(panels=panels, request=request, today=today),
            "chart": chart,
            "chart_panel": chart_panel,
            "chart_choices": [(panel.key, owner_label(panel.owner)) for panel in panels],
            "without_billing": without_billing,
            "has_accounts": any(panel.kind == ACCOUNT for panel in panels),
            "today": today,
        },
    )


def _initial_money(request, name):
    try:
        return MoneyField(required=False).clean(request.GET.get(name, ""))
    except ValidationError:
        return None


def _pay(request, *, plan, back_url):
    """«Реквизиты оплаты» for a plan: the form, then the acquirer's page."""
    user = request.user
    cards = saved_cards_for(user=user)
    initial = {
        "receipt_email": user.email,
        "amount": _initial_money(request, "amount") or plan.amount,
        "penalty": plan.penalty,
        "method": str(cards[0].pk) if cards else NEW_CARD,
    }
    if plan.splits_penalty and "penalty" in request.GET:
        initial["penalty"] = _initial_money(request, "penalty")
    form = PaymentForm(request.POST or None, plan=plan, cards=cards, initial=initial)
    if request.method == "POST" and over_limit(request, group="payment-start", limits=START_LIMITS):
        return ratelimited(request)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            provider, callback_url = acquirer_for(request)
            order = payment_start(
                user=user,
                plan=plan,
                amount=data.get("amount") or 0,
                penalty=data.get("penalty") or 0,
                receipt_email=data["receipt_email"],
                card=form.card,
                save_card=data.get("save_card", False) and form.card is None,
                return_url_for=lambda reference: request.build_absolute_uri(
                    reverse("selfservice:payment_return", args=[reference])
                ),
                callback_url=callback_url,
                provider=provider,
            )
        except PaymentBlocked as error:
            form.add_error(None, error.args[0])
        except ValidationError as error:
            form.add_error(None, error)
        except AcquiringUnavailable:
            form.add_error(None, _("Платёжный сервис сейчас недоступен. Попробуйте ещё раз через несколько минут."))
        else:
            return redirect(order.payment_url)
    return render(
        request,
        "selfservice/payments/pay.html",
        {
            "form": form,
            "plan": plan,
            "back_url": back_url,
            "payment_terms": standard_page(slug=PAYMENT_TERMS_SLUG),
            "in_process": payments_in_process(owner=plan.owner),
            "is_contract": isinstance(plan.owner, Contract),
        },
    )


def acquirer_for(request):
    """The configured acquirer and the address of its notifications on this site; AcquiringUnavailable if none."""
    provider = provider_get()
    return provider, request.build_absolute_uri(reverse("acquiring:callback", args=[provider.code]))


def _back(request, default: str) -> str:
    """The page «Назад» returns to: the one the customer came from, if it is ours."""
    target = request.GET.get("back", "")
    return target if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}) else default


def _selected(request) -> list[int]:
    return [int(value) for value in request.GET.getlist("documents") if value.isdigit()]


@email_confirmed_required
@never_cache
def payment_contract(request, number: str):
    """«Оплатить» on a contract's card: its debt (the ticked documents), or any amount with ?mode=prepayment."""
    contract = contract_get_for(user=request.user, number=number, capability=Capability.PAY)
    if request.GET.get("mode") == AcquiringOrder.Mode.PREPAYMENT:
        plan = plan_for_prepayment(owner=contract)
    else:
        plan = plan_for_debt(owner=contract, selected=_selected(request))
        if not plan.documents:
            plan = plan_for_prepayment(owner=contract)  # «если … нет документов для оплаты — … в счёт предоплаты»
    return _pay(request, plan=plan, back_url=reverse("selfservice:payments"))


@email_confirmed_required
@never_cache
def payment_account(request, number: str):
    """«Электроэнергия - Оплата» of a ЛС: «Сумма» and «Пени», or any amount with ?mode=prepayment."""
    account = account_get_for(user=request.user, number=number)
    if request.GET.get("mode") == AcquiringOrder.Mode.PREPAYMENT:
        plan = plan_for_prepayment(owner=account)
    else:
        plan = plan_for_debt(owner=account)
        if not plan.documents:
            plan = plan_for_prepayment(owner=account)
    return _pay(request, plan=plan, back_url=reverse("selfservice:payments"))


@email_confirmed_required
@never_cache
def payment_document(request, pk: int):
    """«Оплатить» next to one document: the amount is the document's «К оплате»."""
    document = get_object_or_404(documents_for(user=request.user).select_related("contract__customer"), pk=pk)
    if document.contract_id and not contract_permits(
        user=request.user, contract=document.contract, capability=Capability.PAY
    ):
        raise Http404
    if document.amount_due <= 0:
        messages.info(request, _("Документ %(document)s уже оплачен.") % {"document": document})
        return redirect("selfservice:payments")
    back = _back(request, reverse("selfservice:payments"))
    return _pay(request, plan=plan_for_document(document=document), back_url=back)


@login_required
@never_cache
def payment_return(request, reference: str):
    """Where the acquirer sends the customer back: the payment's result, asked of the bank if still «В процессе»."""
    order = get_object_or_404(
        AcquiringOrder.objects.select_related("payment__account", "payment__contract"),
        reference=reference,
        user=request.user,
        purpose=AcquiringOrder.Purpose.PAYMENT,
    )
    order = acquiring_order_refresh(order=order)
    payment = order.payment
    owner = payment.contract or payment.account
    retry_url = (
        reverse("selfservice:payment_contract", args=[owner.number])
        if payment.contract_id
        else reverse("selfservice:payment_account", args=[owner.number])
    )
    return render(
        request,
        "selfservice/payments/result.html",
        {"order": order, "payment": payment, "owner": owner, "owner_key": owner_key(owner), "retry_url": retry_url},
    )


@login_required
def payment_receipt_pdf(request, pk: int):
    """«Чек об оплате» (F-E3) of a posted payment the user sees in «Платежи»; opens in the browser."""
    payment = get_object_or_404(
        payments_for(user=request.user).select_related("account__customer", "contract__customer"),
        pk=pk,
        status=PaymentStatus.POSTED,
    )
    response = HttpResponse(payment_receipt_render_pdf(payment=payment), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=False, filename=f"Чек об оплате № {payment.number or payment.pk}.pdf"
    )
    return response


urls = [
    path("payments/", payments, name="payments"),
    path("payments/contract/<str:number>/", payment_contract, name="payment_contract"),
    path("payments/account/<str:number>/", payment_account, name="payment_account"),
    path("payments/document/<int:pk>/", payment_document, name="payment_document"),
    path("payments/result/<str:reference>/", payment_return, name="payment_return"),
    path("history/payments/<int:pk>/receipt/", payment_receipt_pdf, name="payment_receipt_pdf"),
]
