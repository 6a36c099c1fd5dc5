"""Billing on shared pages: the debt banner and «Электроэнергия - Оплата» on the home screen (UI.md: the debt with
«Оплатить» comes first), and the filters the billing templates format numbers with.

The two tags share one read of the user's panels per request (payment_panels_for: a fixed handful of queries).
"""

from decimal import Decimal

from django import template
from django.utils import timezone

from ..billing_selectors import ACCOUNT, ContractAccess, debt_banners, payment_panels_for
from ..charts import kwh as kwh_text

register = template.Library()


def _panels(context):
    """The home view already read the ЛС links and the roles: reuse them rather than ask again."""
    request = context["request"]
    if not hasattr(request, "_billing_panels"):
        links, roles = context.get("links"), context.get("contract_roles")
        access = ContractAccess({}, {}) if roles == [] else None  # no role, no contract: nothing to read
        request._billing_panels = payment_panels_for(user=request.user, access=access, links=links)
    return request._billing_panels


@register.inclusion_tag("selfservice/payments/_banners.html", takes_context=True)
def debt_banner_list(context):
    request = context["request"]
    if not request.user.is_authenticated:
        return {"banners": []}
    return {"banners": debt_banners(panels=_panels(context), request=request, today=timezone.localdate())}


@register.inclusion_tag("selfservice/payments/_household_block.html", takes_context=True)
def household_payment(context, account):
    """The block of one ЛС of the cabinet; nothing for an account that is not the user's."""
    panel = next((p for p in _panels(context) if p.kind == ACCOUNT and p.owner.pk == account.pk), None)
    return {"panel": panel}


@register.filter
def money_input(amount) -> str:
    """1234.5 → «1234,50», the way a money input shows a value (no spaces: the input is edited)."""
    if amount is None or amount == "":
        return ""
    return f"{Decimal(amount):.2f}".replace(".", ",")


@register.filter
def kwh(value) -> str:
    return kwh_text(value) if value is not None else ""


@register.filter
def decimal_short(value) -> str:
    """3.2000 → «3,2», 54.30 → «54,3», 100.00 → «100»: a rate, an area or a reading without trailing zeros."""
    if value is None or value == "":
        return ""
    text = f"{Decimal(value).normalize():f}"
    return text.replace(".", ",")
