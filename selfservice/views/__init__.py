"""The portal's views, one module per feature (signin, registration, recovery, profile); `urls.py` collects them."""

from django.shortcuts import render
from django.utils.translation import gettext as _
from wagtail.models import Site

from ..forms.signin import LoginForm
from ..selectors import account_balance_total, account_links_for, contract_roles_for


def home(request):
    """The portal's front page: the cabinet for a signed-in user, a welcome with sign-in otherwise."""
    if request.user.is_authenticated:
        return render(request, "selfservice/home.html", _cabinet(request))
    site = Site.find_for_request(request)
    return render(
        request,
        "selfservice/welcome.html",
        {"page": site.root_page.specific if site else None, "form": LoginForm(request)},
    )


def _cabinet(request) -> dict:
    """The current ЛС (the switcher keeps it in the session) with its balance, the others, and the contracts."""
    links = list(account_links_for(user=request.user))
    current = next((link for link in links if link.account.number == request.session.get("current_account")), None)
    current = current or (links[0] if links else None)
    balance = account_balance_total(account=current.account) if current else None
    return {
        "links": links,
        "current_link": current,
        "current_balance": balance,
        "current_overpayment": -balance if balance is not None and balance < 0 else None,
        "contract_roles": list(contract_roles_for(user=request.user)),
    }


def ratelimited(request, exception=None):
    """What django-ratelimit answers when an address or an IP asks too often (429, in Russian)."""
    return render(
        request,
        "selfservice/ratelimited.html",
        {"message": _("Слишком много попыток. Подождите несколько минут и повторите.")},
        status=429,
    )
