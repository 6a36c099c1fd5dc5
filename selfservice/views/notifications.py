"""«Уведомления» (F-H2, seed 001 §12, seed 000 §3.5): the list, opening one, marking read, closing the modal or a bar.

The bell with the count and the popup of the last five, the modal window after sign-in and the bars at the top are
drawn on every page by selfservice/templatetags/notifications.py; the buttons in them post here. Every view acts
only on the signed-in user's own notifications: another user's id is a 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from backoffice.models import Notification
from backoffice.selectors import notifications_for, notifications_unread_by_owner
from backoffice.services.notifications import notification_close, notifications_mark_read

from ..selectors import accounts_for, contracts_for

PER_PAGE = 20


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return fallback


def _owner_filters(request, user) -> tuple[list[dict], dict]:
    """The chips «Все», each ЛС and each contract with its unread badge; and the filter the chosen chip means."""
    unread = notifications_unread_by_owner(user=user)
    chosen = request.GET.get("owner", "")
    chips, selected = [{"key": "", "label": _("Все"), "count": sum(unread.values()), "is_current": not chosen}], {}
    owners = [("account", account, f"ЛС {account.number}") for account in accounts_for(user=user)]
    owners += [("contract", contract, f"Договор № {contract.number}") for contract in contracts_for(user=user)]
    for kind, owner, label in owners:
        key = f"{kind}:{owner.pk}"
        chips.append(
            {"key": key, "label": label, "count": unread.get((kind, owner.pk), 0), "is_current": key == chosen}
        )
        if key == chosen:
            selected = {f"{kind}_id": owner.pk}
    if chosen and not selected:
        raise Http404  # not one of the user's accounts or contracts
    return (chips if len(chips) > 1 else []), selected


@login_required
@never_cache
def notifications(request):
    """«Уведомления»: unread first, newest first within each; long texts fold with «еще» / «скрыть»."""
    chips, selected = _owner_filters(request, request.user)
    page = Paginator(notifications_for(user=request.user, **selected), PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "selfservice/notifications/list.html",
        {"page_obj": page, "chips": chips, "has_unread": any(not item.is_read for item in page)},
    )


@login_required
@never_cache
def notification_open(request, pk: int):
    """A click on a notification (in the popup or the list): it is read, and the user goes where it points."""
    notification = get_object_or_404(Notification, pk=pk, user=request.user)
    notifications_mark_read(user=request.user, ids=[notification.pk])
    target = notification.url
    if not target or not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(f"{_notifications_url()}#notification-{notification.pk}")
    return redirect(target)


def _notifications_url() -> str:
    return reverse("selfservice:notifications")


@require_POST
@login_required
def notifications_read(request):
    """«Отметить все как прочитанные», or the ids posted as `id`."""
    ids = [int(value) for value in request.POST.getlist("id") if value.isdigit()] or None
    count = notifications_mark_read(user=request.user, ids=ids)
    if request.headers.get("Accept") == "application/json":
        return JsonResponse({"marked": count})
    if ids is None:
        messages.success(request, _("Все уведомления отмечены как прочитанные."))
    return redirect(_safe_next(request, _notifications_url()))


@require_POST
@login_required
def notification_dismiss(request, pk: int):
    """«Подтвердить» in the modal window, «×» on a bar at the top: read, and not shown there again."""
    if not notification_close(user=request.user, notification_id=pk):
        raise Http404
    if request.headers.get("Accept") == "application/json":
        return JsonResponse({"closed": pk})
    return redirect(_safe_next(request, _notifications_url()))


urls = [
    path("notifications/", notifications, name="notifications"),
    path("notifications/read/", notifications_read, name="notifications_read"),
    path("notifications/<int:pk>/", notification_open, name="notification_open"),
    path("notifications/<int:pk>/dismiss/", notification_dismiss, name="notification_dismiss"),
]
