"""«Помощь» (F-H5; seed 001 §10, §11, seed 000 §3.12, §3.14): «Вопрос - Ответ», «Контакты» per contract, the manual
with its PDF, the user agreement and payment terms, and the onboarding tour «Быстрый старт».
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from cms.models import AGREEMENT_SLUG
from cms.selectors import help_pages, manual_page, standard_page
from faq.selectors import faq_groups, faq_search

from ..forms.help import ContactsFilterForm, FaqSearchForm
from ..forms.services import owner_label
from ..selectors import accounts_for, contracts_for


def _tabs(current: str) -> list[dict]:
    tabs = [(_("Вопрос - Ответ"), "selfservice:help"), (_("Контакты"), "selfservice:help_contacts")]
    return [{"label": label, "url": reverse(name), "is_current": name == current} for label, name in tabs]


@login_required
@never_cache
def help_faq(request):
    """«Вопрос - Ответ»: the accordion, «Поисковая фраза» and «Все вопросы» ▾ (seed 001 §10.1)."""
    groups = list(faq_groups())
    form = FaqSearchForm(request.GET or None, groups=groups)
    query, group = "", None
    if form.is_bound and form.is_valid():
        query, group = form.cleaned_data["q"], form.cleaned_data["group"]
    return render(
        request,
        "selfservice/help/faq.html",
        {
            "tabs": _tabs("selfservice:help"),
            "form": form,
            "results": faq_search(query=query, group_id=group),
            "is_searching": bool(query or group),
            "pages": help_pages(),
        },
    )


@login_required
@never_cache
def help_contacts(request):
    """«Контакты» (seed 001 §10.2): for each chosen contract the branch, its head, phone and address, the curator."""
    contracts = list(contracts_for(user=request.user))
    accounts = list(accounts_for(user=request.user))
    owners = {f"contract:{contract.pk}": contract for contract in contracts}
    owners |= {f"account:{account.pk}": account for account in accounts}
    form = ContactsFilterForm(request.GET or None, choices=[(key, owner_label(owner)) for key, owner in owners.items()])
    chosen = set(form.cleaned_data["owner"]) if form.is_bound and form.is_valid() else set()
    shown = [
        {"owner": owner, "is_contract": key.startswith("contract"), "branch": owner.branch}
        for key, owner in owners.items()
        if not chosen or key in chosen
    ]
    return render(
        request,
        "selfservice/help/contacts.html",
        {"tabs": _tabs("selfservice:help_contacts"), "form": form, "cards": shown, "has_owners": bool(owners)},
    )


def manual(request):
    """«Инструкция пользователя» from the menu «Ещё» and the sign-in page (seed 001 §2.5, §11.1)."""
    page = manual_page()
    if page is None:
        raise Http404("Инструкция пользователя не опубликована")
    return redirect(page.url)


def agreement(request):
    """«Пользовательское соглашение» from the menu «Ещё» (seed 001 §11.2)."""
    page = standard_page(slug=AGREEMENT_SLUG)
    if page is None:
        raise Http404("Пользовательское соглашение не опубликовано")
    return redirect(page.url)


urls = [
    path("help/", help_faq, name="help"),
    path("help/contacts/", help_contacts, name="help_contacts"),
    path("help/manual/", manual, name="manual"),
    path("help/agreement/", agreement, name="agreement"),
]
