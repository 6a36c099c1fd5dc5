"""Readings in templates: values as the meter's dial shows them, kWh in Russian, the home page's reminder."""

from django import template
from django.utils import timezone

from backoffice.readings.values import quantity_text, register_text

from ..selectors_readings import account_needs_readings

register = template.Library()


@register.filter
def kwh(value) -> str:
    """12600 → «12 600», -124530.48 → «−124 530,48»."""
    return quantity_text(value)


@register.filter
def dial(value, meter) -> str:
    """The register as the meter shows it: «012 441,00» for a 6,2 meter."""
    return register_text(value, meter)


@register.inclusion_tag("selfservice/readings/home_action.html", takes_context=True)
def readings_home_action(context, account=None):
    """«Передать показания» next to the debt (UI.md), with «Необходимо заявить показания» while the window is open
    and nothing was sent this period (seed 000 §3.4.3)."""
    needs = account_needs_readings(account=account, today=timezone.localdate()) if account is not None else False
    return {"account": account, "needs_readings": needs, "request": context.get("request")}
