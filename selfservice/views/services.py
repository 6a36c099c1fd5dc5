"""«Услуги» (F-F1, F-F2; seed 001 §6, seed 004 §4.3.1): the catalog from the CMS and «Отправить заявку» under a card.

The cards and their text are Wagtail pages (cms/models/catalog.py); the portal shows them with the order form,
which needs the user's contracts and accounts. After «Отправить» the card shows the confirmation window with the
order's number and «Перейти в историю заказов».
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.cache import never_cache

from cms.selectors import service_catalog, service_live_get
from workflows.models import ServiceOrder
from workflows.services.orders import ServiceOrderRefused, service_order_submit

from ..forms.services import ServiceOrderForm
from ..selectors import accounts_for, contracts_for


@login_required
@never_cache
def services(request):
    """«Каталог услуг»: the published cards, each leading to its order form."""
    catalog = service_catalog()
    if catalog is None:
        raise Http404("Каталог услуг не опубликован")
    return render(
        request,
        "selfservice/services/catalog.html",
        {"page": catalog, "self": catalog, "services": catalog.services()},
    )


@login_required
@never_cache
def service(request, slug: str):
    """A service card with «Отправить заявку»; bad input keeps what was typed and stores nothing."""
    page = service_live_get(slug=slug)
    if page is None:
        raise Http404("Нет такой услуги")
    user = request.user
    contracts, accounts = list(contracts_for(user=user)), list(accounts_for(user=user))
    form = ServiceOrderForm(
        request.POST if request.method == "POST" else None,
        service=page,
        contracts=contracts,
        accounts=accounts,
        user=user,
    )
    if request.method == "POST" and form.is_valid():
        try:
            order = service_order_submit(user=user, service=page, **form.cleaned_owner(), **form.contact_data())
        except ServiceOrderRefused as refusal:
            form.add_error("owner", str(refusal))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect(f"{reverse('selfservice:service', args=[page.slug])}?order={order.number}")
    created = None
    if request.GET.get("order"):
        created = ServiceOrder.objects.filter(user=user, number=request.GET["order"]).first()
    return render(
        request,
        "selfservice/services/service.html",
        {
            "page": page,
            "self": page,
            "disclaimer": page.disclaimer(),
            "form": form,
            "has_owners": bool(contracts or accounts),
            "created": created,
        },
    )


urls = [
    path("services/", services, name="services"),
    path("services/<slug:slug>/", service, name="service"),
]
