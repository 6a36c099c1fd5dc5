"""«Клиенты» → «Поиск клиента» and the customer's card (the customer 360 view) in the Wagtail admin.

One box finds a customer by ЛС, contract number, ИНН, e-mail, phone or name (an only hit opens the card at once);
the card shows everything about the customer on one page, the latest rows of each kind with links to the full
listings, and the actions staff take from there. The reads are `customer360_selectors`, the actions the services
of `customer360` (and `appeal_open_on_behalf`); these views only parse the input and show the outcome.

Rights: the search and the card need `backoffice.view_customer`; the actions check their own (see
workflows/services/customer360.py): a clerk without them sees no forms, and a forged POST is refused.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component

from backoffice.models import Contract, Customer, Document, PersonalAccount
from backoffice.wagtail_hooks.catalog import CLIENTS_MENU_HOOK
from selfservice.models import AccountLink

from ..models import AppealTopic
from ..models.appeals import Classifier
from ..services.appeals import AppealRefused, appeal_open_on_behalf
from ..services.customer360 import (
    ASSIST,
    WORK_APPEAL,
    customer_account_link,
    customer_document_resend,
    customer_password_link_send,
    customer_user_ids,
)
from ..services.customer360_selectors import customer_360, customer_search

VIEW_CUSTOMER = "backoffice.view_customer"
SEARCH_URL_NAME = "workflows_customer_search"
CARD_URL_NAME = "workflows_customer_card"
ACTION_URL_NAME = "workflows_customer_action"
TEMPLATES = "workflows/admin/customer360"


def _require_view(request) -> None:
    if not request.user.has_perm(VIEW_CUSTOMER):
        raise PermissionDenied  # Wagtail answers with its «no permission» message


def card_url(customer_id: int) -> str:
    return reverse(CARD_URL_NAME, args=[customer_id])


def search_view(request):
    """«Поиск клиента»: the box and what it found; an only hit opens the card."""
    _require_view(request)
    query = request.GET.get("q", "")
    search = customer_search(query=query) if query.strip() else None
    if search is not None and len(search.customers) == 1:
        return redirect(card_url(search.customers[0].pk))
    return render(request, f"{TEMPLATES}/search.html", {"search": search, "query": query, "header_icon": "search"})


def staff_topics() -> list[tuple[int, str]]:
    """Topics a clerk may file on a customer's behalf: leaves without steps, signature or a screen of their own."""
    classifier = Classifier.load()
    topics = []
    for node in classifier.walk():
        if not classifier.is_leaf(node):
            continue
        rules = classifier.rules(node)
        if not (rules.handover or rules.steps or rules.signature_required):
            topics.append((node.pk, rules.path_label))
    return topics


def _audit_listing_url(customer_id: int) -> str | None:
    """The full «Журнал аудита» filtered to the customer (backoffice/wagtail_hooks/audit.py)."""
    try:
        return f"{reverse('backoffice_audit:index')}?{urlencode({'customer': customer_id})}"
    except NoReverseMatch:
        return None


def card_view(request, pk: int):
    """The customer's card: every section and the actions the clerk's rights allow."""
    _require_view(request)
    try:
        card = customer_360(customer_id=pk)
    except Customer.DoesNotExist:
        raise Http404(_("Клиент не найден.")) from None
    can_assist = request.user.has_perm(ASSIST)
    can_appeal = request.user.has_perm(WORK_APPEAL)
    context = {
        "card": card,
        "customer": card.customer,
        "can_assist": can_assist,
        "can_appeal": can_appeal,
        "topics": staff_topics() if can_appeal and card.users else [],
        "relations": AccountLink.Relation.choices,
        "open_accounts": [account for account in card.accounts if account.closed_on is None],
        "header_icon": "user",
        "customer_search_url": reverse(SEARCH_URL_NAME),
        "audit_url": _audit_listing_url(card.customer.pk),
    }
    return render(request, f"{TEMPLATES}/card.html", context)


# --- Actions ------------------------------------------------------------------------------------------------------


def _portal_user(customer, raw_id):
    try:
        user_id = int(raw_id)
    except (TypeError, ValueError):
        raise ValidationError(_("Выберите пользователя кабинета.")) from None
    if user_id not in customer_user_ids(customer):
        raise ValidationError(_("Этот пользователь не связан с клиентом."))
    return get_user_model().objects.get(pk=user_id)


def _own(model, customer, raw_id, message):
    try:
        return model.objects.get(pk=int(raw_id), customer=customer)
    except (TypeError, ValueError, model.DoesNotExist):
        raise ValidationError(message) from None


def _password_link(request, customer):
    user = _portal_user(customer, request.POST.get("user"))
    customer_password_link_send(by=request.user, customer=customer, user=user)
    return _("Ссылка для смены пароля отправлена на %(email)s.") % {"email": user.email}


def _link_account(request, customer):
    account = _own(PersonalAccount, customer, request.POST.get("account"), _("Выберите лицевой счёт клиента."))
    link = customer_account_link(
        by=request.user,
        customer=customer,
        email=request.POST.get("email", ""),
        account=account,
        relation=request.POST.get("relation", ""),
    )
    return _("Лицевой счёт № %(number)s привязан к кабинету %(email)s.") % {
        "number": account.number,
        "email": link.user.email,
    }


def _owner(customer, raw: str):
    """«account:12» / «contract:5» / empty: the contract or ЛС the appeal is filed on."""
    kind, _sep, raw_id = (raw or "").partition(":")
    if not kind:
        return None, None
    if kind == "account":
        return None, _own(PersonalAccount, customer, raw_id, _("Выберите лицевой счёт клиента."))
    if kind == "contract":
        return _own(Contract, customer, raw_id, _("Выберите договор клиента.")), None
    raise ValidationError(_("Выберите договор или лицевой счёт клиента."))


def _open_appeal(request, customer):
    user = _portal_user(customer, request.POST.get("user"))
    topic = AppealTopic.objects.filter(pk=request.POST.get("topic") or None).first()
    if topic is None:
        raise ValidationError(_("Выберите тему обращения."))
    contract, account = _owner(customer, request.POST.get("owner", ""))
    appeal = appeal_open_on_behalf(
        by=request.user,
        user=user,
        topic=topic,
        text=request.POST.get("text", ""),
        contract=contract,
        account=account,
        customer=customer,
    )
    return _("Обращение № %(number)s создано от имени клиента.") % {"number": appeal.number}


def _resend_document(request, customer):
    try:
        document = Document.objects.get(pk=int(request.POST.get("document", "")))
    except (TypeError, ValueError, Document.DoesNotExist):
        raise ValidationError(_("Выберите документ.")) from None
    email = request.POST.get("email", "")
    customer_document_resend(by=request.user, customer=customer, document=document, email=email)
    return _("%(document)s отправлен повторно на %(email)s.") % {"document": document, "email": email.strip().lower()}


ACTIONS = {
    "password-link": (_password_link, "users"),
    "link-account": (_link_account, "accounts"),
    "appeal": (_open_appeal, "appeals"),
    "resend-document": (_resend_document, "documents"),
}


@require_POST
def action_view(request, pk: int, action: str):
    """One of the card's actions: done and said in a message, or refused with the reason; back to the card."""
    _require_view(request)
    if action not in ACTIONS:
        raise PermissionDenied
    customer = get_object_or_404(Customer, pk=pk)
    handler, anchor = ACTIONS[action]
    try:
        messages.success(request, handler(request, customer))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except AppealRefused as refusal:
        messages.error(request, str(refusal))
    return redirect(f"{card_url(customer.pk)}#{anchor}")


# --- Menu, URLs and the home panel --------------------------------------------------------------------------------


class CustomerSearchMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(VIEW_CUSTOMER)


class CustomerSearchPanel(Component):
    """The search box on the admin's home page, for whoever may see customers."""

    name = "customer_search"
    template_name = f"{TEMPLATES}/home_panel.html"
    order = 50

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        context["customer_search_url"] = reverse(SEARCH_URL_NAME)
        return context


@hooks.register("register_admin_urls")
def register_customer360_urls():
    return [
        path("customers/", search_view, name=SEARCH_URL_NAME),
        path("customers/<int:pk>/", card_view, name=CARD_URL_NAME),
        path("customers/<int:pk>/<slug:action>/", action_view, name=ACTION_URL_NAME),
    ]


@hooks.register(CLIENTS_MENU_HOOK)
def register_customer_search_menu_item():
    return CustomerSearchMenuItem(
        gettext_lazy("Поиск клиента"), reverse(SEARCH_URL_NAME), name="customer-search", icon_name="search", order=0
    )


@hooks.register("construct_homepage_panels")
def add_customer_search_panel(request, panels):
    if request.user.has_perm(VIEW_CUSTOMER):
        panels.append(CustomerSearchPanel())
