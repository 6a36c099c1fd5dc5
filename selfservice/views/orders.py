"""«История» → «Заказы» (F-F3, seed 001 §7.4): the user's service orders with name, contract, image, date, number,
price and status; filtered by «Договор/ЛС» and the period the order was placed in.
"""

import datetime

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.views.decorators.cache import never_cache

from workflows.models import ServiceOrder

from ..forms.services import ACCOUNT, CONTRACT, OrderFilterForm
from ..navigation import HISTORY_MENU, menu_links
from ..selectors import accounts_for, contracts_for

PER_PAGE = 20
STATE_FAMILY = {
    ServiceOrder.State.NEW: "info",
    ServiceOrder.State.ACCEPTED: "progress",
    ServiceOrder.State.INVOICED: "warning",
    ServiceOrder.State.DONE: "success",
    ServiceOrder.State.CANCELLED: "neutral",
}


def orders_for(*, user):
    """The user's orders, newest first, with what the list shows, in one query (the image through the service)."""
    return (
        ServiceOrder.objects.filter(user=user)
        .select_related("account", "contract__customer", "service__image", "invoice")
        .order_by("-created_at", "-pk")
    )


@login_required
@never_cache
def orders(request):
    user = request.user
    owners = {f"{CONTRACT}:{contract.pk}": contract for contract in contracts_for(user=user)}
    owners |= {f"{ACCOUNT}:{account.pk}": account for account in accounts_for(user=user)}
    form = OrderFilterForm(request.GET or None, owners=owners)
    queryset = orders_for(user=user)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data["owner"]:
            kind, _sep, pk = data["owner"].partition(":")
            queryset = queryset.filter(**{f"{kind}_id": int(pk)})
        zone = timezone.get_current_timezone()
        if data["date_from"]:
            queryset = queryset.filter(
                created_at__gte=datetime.datetime.combine(data["date_from"], datetime.time.min, zone)
            )
        if data["date_to"]:
            queryset = queryset.filter(
                created_at__lte=datetime.datetime.combine(data["date_to"], datetime.time.max, zone)
            )
    page = Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))
    for order in page:
        order.state_family = STATE_FAMILY.get(order.state, "neutral")
    return render(
        request,
        "selfservice/orders/list.html",
        {
            "tabs": [
                {"label": link.label, "url": link.url, "is_current": link.url == request.path}
                for link in menu_links(request.path, HISTORY_MENU)
            ],
            "form": form,
            "page_obj": page,
            "is_filtered": form.is_bound and form.is_valid() and any(form.cleaned_data.values()),
        },
    )


urls = [path("history/orders/", orders, name="orders")]
