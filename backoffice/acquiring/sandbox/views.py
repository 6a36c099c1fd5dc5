"""The sandbox bank's pages: the card form («Оплата» or «Регистрация карты»), 3-D Secure, and the way back.

They look like a bank's own pages, not the portal's: the customer has left the shop. The bank tells the shop the
result by a signed notification; the customer is sent back to the shop's return address either way.
"""

from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from ...formatting import format_money
from ...models import SandboxOrder
from . import bank
from .cards import TEST_CARDS, Outcome, brand_of
from .forms import AcsForm, CardForm, SavedCardForm

OUTCOME_LABEL = {
    Outcome.SUCCESS: "оплата проходит",
    Outcome.DECLINE: "отказ: недостаточно средств",
    Outcome.TIMEOUT: "банк не отвечает вовремя: магазин узнаёт результат запросом статуса",
}


def _order(order_id: str) -> SandboxOrder:
    order = bank.order_current(order_id=order_id)
    if order is None:
        raise Http404
    return order


def _context(order: SandboxOrder, **extra) -> dict:
    return {
        "order": order,
        "amount": format_money(order.amount / 100),
        "registration": order.verify_only,
        "test_cards": [
            {
                "number": " ".join(card.number[i : i + 4] for i in range(0, 16, 4)),
                "brand": brand_of(card.number),
                "outcome": OUTCOME_LABEL[card.outcome],
            }
            for card in TEST_CARDS.values()
        ],  # fmt: skip
        "acs_code": bank.ACS_CODE,
        **extra,
    }


@never_cache
@require_http_methods(["GET", "POST"])
def pay(request, order_id: str):
    order = _order(order_id)
    if order.status == SandboxOrder.Status.AWAITING_3DS:
        return redirect("sandbox_acquirer:acs", order.order_id)
    if order.status != SandboxOrder.Status.CREATED:
        return render(request, "sandbox_acquirer/closed.html", _context(order))
    if request.method == "POST" and "cancel" in request.POST:
        bank.order_cancel(order=order)
        return redirect(order.return_url)
    binding = bank.binding_of(order)
    if order.binding_token and binding is None:
        return render(request, "sandbox_acquirer/closed.html", _context(order, binding_lost=True))
    if binding is not None:
        form = SavedCardForm(request.POST or None)
    else:
        form = CardForm(request.POST or None, registration=order.verify_only)
    if request.method == "POST" and form.is_valid():
        if binding is not None:
            bank.card_submit(order=order)
        else:
            data = form.cleaned_data
            bank.card_submit(
                order=order,
                number=data["number"],
                expiry_month=int(data["month"]),
                expiry_year=int(data["year"]),
                holder=data.get("holder", ""),
            )
        return redirect("sandbox_acquirer:acs", order.order_id)
    return render(request, "sandbox_acquirer/pay.html", _context(order, form=form, binding=binding))


@never_cache
@require_http_methods(["GET", "POST"])
def acs(request, order_id: str):
    """The issuer's 3-D Secure page: «Введите код из SMS»."""
    order = _order(order_id)
    if order.status == SandboxOrder.Status.CREATED:
        return redirect("sandbox_acquirer:pay", order.order_id)
    if order.status != SandboxOrder.Status.AWAITING_3DS:
        return redirect(order.return_url)
    if request.method == "POST" and "cancel" in request.POST:
        bank.order_cancel(order=order)
        return redirect(order.return_url)
    form = AcsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        order, left = bank.acs_submit(order=order, code=form.cleaned_data["code"])
        if order.status != SandboxOrder.Status.AWAITING_3DS:
            return redirect(order.return_url)
        form.add_error("code", f"Неверный код. Осталось попыток: {left}.")
    return render(request, "sandbox_acquirer/acs.html", _context(order, form=form))
