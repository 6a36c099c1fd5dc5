"""«Ваши счета»: a household's personal accounts (F-B1; seed 004 §4.1–4.2, §4.5.3, seed 000 §3.2, seed 003 §2.7).

«Добавить лицевой счет» asks for the supplier, the number, «Статус отношения к ЛС», the paperless opt-in and
the answer to a control question; a match links the account at once, anything else becomes an activation
request for staff. The cabinet keeps a current account (the switcher) in the session.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..decorators import email_confirmed_required
from ..forms.cabinet import AccountAddForm, AccountLinkForm
from ..selectors import account_links_for
from ..services.accounts import account_add, account_link_remove, account_link_update
from . import ratelimited
from .signin import by_ip, over_limit

CURRENT_ACCOUNT = "current_account"
# The control question guards someone else's account: a few tries an hour are enough for typos.
ADD_LIMITS = [("user", "10/h"), (by_ip, "30/h")]


def current_account_number(request) -> str | None:
    return request.session.get(CURRENT_ACCOUNT)


def _link_for(request, number: str):
    return get_object_or_404(account_links_for(user=request.user), account__number=number)


@login_required
def accounts(request):
    """The list of the user's ЛС with group, note and the current one."""
    links = list(account_links_for(user=request.user))
    groups = sorted({link.group for link in links if link.group})
    return render(
        request,
        "selfservice/accounts/list.html",
        {"links": links, "groups": groups, "current": current_account_number(request)},
    )


@email_confirmed_required
def account_add_view(request):
    form = AccountAddForm(request.POST or None)
    if request.method == "POST":
        if over_limit(request, group="account-add", limits=ADD_LIMITS):
            return ratelimited(request)
        if form.is_valid():
            data = form.cleaned_data
            try:
                added = account_add(
                    user=request.user,
                    number=data["number"],
                    control=data["control"],
                    answer=data["control_answer"],
                    relation=data["relation"],
                    paperless=data["paperless"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                if added.link is None:
                    return render(request, "selfservice/accounts/request_sent.html", {"activation": added.request})
                request.session[CURRENT_ACCOUNT] = added.link.account.number
                messages.success(
                    request, _("Лицевой счет № %(number)s успешно подключен.") % {"number": added.link.account.number}
                )
                return redirect("selfservice:account_settings", added.link.account.number)
    return render(request, "selfservice/accounts/add.html", {"form": form})


@login_required
def account_settings(request, number: str):
    """Group and note of a ЛС; right after linking it is the «выберите группу» step («Продолжить»)."""
    link = _link_for(request, number)
    form = AccountLinkForm(request.POST or None, instance=link)
    if request.method == "POST" and form.is_valid():
        account_link_update(link=link, group=form.cleaned_data["group"], note=form.cleaned_data["note"])
        messages.success(request, _("Лицевой счёт сохранён."))
        return redirect("selfservice:accounts")
    groups = sorted({g for g in account_links_for(user=request.user).values_list("group", flat=True) if g})
    return render(request, "selfservice/accounts/settings.html", {"link": link, "form": form, "groups": groups})


@login_required
def account_remove(request, number: str):
    """«Удалить» with a confirmation: the ЛС leaves this cabinet only."""
    link = _link_for(request, number)
    if request.method == "POST":
        account_link_remove(link=link)
        if current_account_number(request) == number:
            request.session.pop(CURRENT_ACCOUNT, None)
        messages.success(request, _("Лицевой счёт № %(number)s удалён из личного кабинета.") % {"number": number})
        return redirect("selfservice:accounts")
    return render(request, "selfservice/accounts/remove.html", {"link": link})


@login_required
@require_POST
def account_switch(request):
    """The switcher: make the chosen ЛС the current one and go back where the user was."""
    link = _link_for(request, request.POST.get("number", ""))
    request.session[CURRENT_ACCOUNT] = link.account.number
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "selfservice:home"
    return redirect(target)


urls = [
    path("accounts/", accounts, name="accounts"),
    path("accounts/add/", account_add_view, name="account_add"),
    path("accounts/switch/", account_switch, name="account_switch"),
    path("accounts/<str:number>/settings/", account_settings, name="account_settings"),
    path("accounts/<str:number>/remove/", account_remove, name="account_remove"),
]
