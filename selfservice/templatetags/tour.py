"""«Быстрый старт» (F-H5, seed 000 §3.12): the onboarding tour over the header, on every page of a signed-in user.

It starts by itself on the home page of a new cabinet (NEW_FOR_DAYS after registration) until it is closed or
finished in that browser, and from «Помощь» → «Быстрый старт» at any time. The steps point at the header's parts;
without JavaScript nothing is shown (the manual says the same in words).
"""

import datetime

from django import template
from django.utils import timezone

register = template.Library()
NEW_FOR_DAYS = 14
HOME_VIEW = "selfservice:home"


@register.inclusion_tag("includes/tour.html", takes_context=True)
def onboarding_tour(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"show": False}
    joined = getattr(user, "date_joined", None)
    is_new = joined is not None and joined > timezone.now() - datetime.timedelta(days=NEW_FOR_DAYS)
    match = getattr(request, "resolver_match", None)
    on_home = match is not None and match.view_name == HOME_VIEW
    return {"show": True, "autostart": is_new and on_home}
