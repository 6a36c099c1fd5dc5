"""The notification centre on every page (F-H2): the bell, the bars at the top, the modal after sign-in, badges.

`{% notification_bell %}` sits in the header (templates/includes/header.html), `{% notification_top_bars %}` and
`{% notification_modal %}` in templates/base.html; `{% unread_badge account %}` puts the count of a ЛС's or contract's
unread notifications on its card. Each costs at most a query or two, and nothing for anonymous visitors.
"""

from django import template

from backoffice.models import Notification
from backoffice.selectors import notifications_summary, notifications_to_show, notifications_unread_by_owner

from ..signin_landing import ANNOUNCEMENTS_SESSION_KEY

register = template.Library()


def _user(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    return request, (user if user is not None and user.is_authenticated else None)


def _summary(request, user):
    """One query per page for the bell and the bars, shared by the tags of the page."""
    summary = getattr(request, "_notification_summary", None)
    if summary is None:
        summary = request._notification_summary = notifications_summary(user=user)
    return summary


@register.inclusion_tag("selfservice/notifications/bell.html", takes_context=True)
def notification_bell(context):
    request, user = _user(context)
    if user is None:
        return {"show": False}
    summary = _summary(request, user)
    return {"show": True, "request": request, "unread": summary.unread, "latest": summary.latest}


@register.inclusion_tag("selfservice/notifications/top_bars.html", takes_context=True)
def notification_top_bars(context):
    request, user = _user(context)
    if user is None or not _summary(request, user).open_bars:
        return {"bars": []}
    return {"bars": notifications_to_show(user=user, display=Notification.Display.TOP), "request": request}


@register.inclusion_tag("selfservice/notifications/modal.html", takes_context=True)
def notification_modal(context):
    """The company's modal messages, after sign-in only, until the user confirms them all (seed 001 §12.2)."""
    request, user = _user(context)
    if user is None or not request.session.get(ANNOUNCEMENTS_SESSION_KEY):
        return {"slides": []}
    slides = (
        notifications_to_show(user=user, display=Notification.Display.MODAL)
        if _summary(request, user).open_modals
        else []
    )
    if not slides:
        request.session.pop(ANNOUNCEMENTS_SESSION_KEY, None)
    return {"slides": slides, "request": request, "total": len(slides)}


@register.simple_tag(takes_context=True)
def unread_badge(context, owner):
    """«3» beside a ЛС or contract with three unread notifications; nothing when there are none."""
    from django.utils.html import format_html
    from django.utils.translation import gettext as _

    request, user = _user(context)
    if user is None or owner is None:
        return ""
    counts = getattr(request, "_unread_by_owner", None)
    if counts is None:
        counts = request._unread_by_owner = notifications_unread_by_owner(user=user)
    kind = "contract" if owner._meta.model_name == "contract" else "account"
    count = counts.get((kind, owner.pk), 0)
    if not count:
        return ""
    return format_html(
        '<span class="count-badge" title="{}">{}</span>',
        _("Непрочитанных уведомлений: %(count)s") % {"count": count},
        count,
    )
