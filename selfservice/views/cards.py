"""«Карты» (F-E4, seed 001 §9.1): the user's saved cards («****9256»), «Добавить карту» through the acquirer,
«Удалить». A failed registration comes back with the toast «Не удалось добавить карту» and «Ок»."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from backoffice.acquiring import AcquiringUnavailable
from backoffice.models import AcquiringOrder, SavedCard
from backoffice.services.acquiring import acquiring_card_binding_start, acquiring_order_refresh, saved_card_delete

from ..billing_selectors import saved_cards_for
from ..decorators import email_confirmed_required
from .payments import acquirer_for

FAILED = "card_binding_failed"


@login_required
@never_cache
def cards(request):
    return render(
        request,
        "selfservice/cards/list.html",
        {"cards": saved_cards_for(user=request.user), "failed": request.session.pop(FAILED, False)},
    )


@email_confirmed_required
@require_POST
def card_add(request):
    """«Добавить карту»: off to the bank's «Регистрация карты» page."""
    try:
        provider, callback_url = acquirer_for(request)
        order = acquiring_card_binding_start(
            user=request.user,
            return_url_for=lambda reference: request.build_absolute_uri(
                reverse("selfservice:card_return", args=[reference])
            ),
            callback_url=callback_url,
            provider=provider,
        )
    except AcquiringUnavailable:
        request.session[FAILED] = True
        return redirect("selfservice:cards")
    return redirect(order.payment_url)


@login_required
@never_cache
def card_return(request, reference: str):
    """Back from the bank: the card is in the list, or «Не удалось добавить карту»."""
    order = get_object_or_404(
        AcquiringOrder, reference=reference, user=request.user, purpose=AcquiringOrder.Purpose.CARD_BINDING
    )
    order = acquiring_order_refresh(order=order)
    if order.status == AcquiringOrder.Status.SUCCEEDED:
        messages.success(request, _("Карта %(card)s добавлена.") % {"card": order.card_mask})
    elif order.status == AcquiringOrder.Status.DECLINED:
        request.session[FAILED] = True
    else:
        messages.info(request, _("Банк ещё регистрирует карту. Она появится в списке через несколько минут."))
    return redirect("selfservice:cards")


@login_required
@never_cache
def card_delete(request, pk: int):
    """«Удалить» with a confirmation."""
    card = get_object_or_404(SavedCard, pk=pk, user=request.user)
    if request.method == "POST":
        saved_card_delete(user=request.user, card=card)
        messages.success(request, _("Карта %(card)s удалена.") % {"card": card.masked})
        return redirect("selfservice:cards")
    return render(request, "selfservice/cards/delete.html", {"card": card})


urls = [
    path("cards/", cards, name="cards"),
    path("cards/add/", card_add, name="card_add"),
    path("cards/result/<str:reference>/", card_return, name="card_return"),
    path("cards/<int:pk>/delete/", card_delete, name="card_delete"),
]
