"""Reads the pages need, shaped so their query count does not grow with the rows."""

from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When, Window
from django.utils import timezone

from .models import Notification, PersonalAccount, Tariff

TARIFFS_CACHE_SECONDS = 60 * 60


def tariffs_cache_key(group_id: int) -> str:
    return f"backoffice:tariffs:{group_id}"


def tariff_history_for(*, account: PersonalAccount) -> list[Tariff]:
    """«История Тарифов» of a household account (seed 004): its group's tariffs, newest first.

    The same for every account of the group, so it is cached (Redis in production) and forgotten whenever a
    tariff of the group changes (backoffice/signals.py, and the tariff import).
    """
    key = tariffs_cache_key(account.customer.group_id)
    tariffs = cache.get(key)
    if tariffs is None:
        tariffs = list(Tariff.objects.filter(group_id=account.customer.group_id).order_by("-valid_from", "zone"))
        cache.set(key, tariffs, TARIFFS_CACHE_SECONDS)
    return tariffs


def tariffs_cache_forget(*, group_ids) -> None:
    cache.delete_many([tariffs_cache_key(group_id) for group_id in set(group_ids)])


# --- Notifications (F-H2) ----------------------------------------------------------------------------------------


def notifications_for(*, user, account_id: int | None = None, contract_id: int | None = None) -> QuerySet[Notification]:
    """«Уведомления»: new and unread first, each group newest first (seed 001 §12.1); optionally of one ЛС/contract."""
    notifications = Notification.objects.filter(user=user).select_related("attachment")
    if account_id is not None:
        notifications = notifications.filter(account_id=account_id)
    if contract_id is not None:
        notifications = notifications.filter(contract_id=contract_id)
    unread_first = Case(When(read_at__isnull=True, then=Value(0)), default=Value(1), output_field=IntegerField())
    return notifications.order_by(unread_first, "-created_at", "-pk")


NOTIFICATION_SUMMARY_SECONDS = 5 * 60


@dataclass(frozen=True)
class NotificationSummary:
    """What the header of every page needs: the bell's count and popup, and whether any bar or modal is open."""

    unread: int
    latest: list
    open_bars: int
    open_modals: int


def _showing(display: str, now) -> Q:
    return Q(display=display, closed_at__isnull=True) & (Q(shown_until__isnull=True) | Q(shown_until__gt=now))


def _summary_key(user_id: int) -> str:
    return f"notifications-summary:{user_id}"


def notifications_summary(*, user, limit: int = 5) -> NotificationSummary:
    """The bell (unread count, the last five, read or not; seed 000 §3.5) and the counts of open bars and modals.

    One query, the totals riding on the rows as window aggregates; kept in the cache until the user's notifications
    change (`notifications_summary_forget`, called by every writer in services/notifications.py) or for
    NOTIFICATION_SUMMARY_SECONDS, so most pages ask the database nothing for the bell.
    """
    key = _summary_key(user.pk)
    summary = cache.get(key)
    if summary is not None:
        return summary
    now = timezone.now()
    rows = list(
        Notification.objects.filter(user=user)
        .annotate(
            unread_total=Window(Count("pk", filter=Q(read_at__isnull=True))),
            open_bars=Window(Count("pk", filter=_showing(Notification.Display.TOP, now))),
            open_modals=Window(Count("pk", filter=_showing(Notification.Display.MODAL, now))),
        )
        .order_by("-created_at", "-pk")[:limit]
    )
    first = rows[0] if rows else None
    summary = NotificationSummary(
        unread=first.unread_total if first else 0,
        latest=rows,
        open_bars=first.open_bars if first else 0,
        open_modals=first.open_modals if first else 0,
    )
    cache.set(key, summary, NOTIFICATION_SUMMARY_SECONDS)
    return summary


def notifications_summary_forget(*, user_id: int) -> None:
    cache.delete(_summary_key(user_id))


def notifications_unread_count(*, user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def notifications_to_show(*, user, display: str) -> list[Notification]:
    """The modal windows (oldest first, «1 из N») or the bars at the top: not closed, not past `shown_until`."""
    return list(Notification.objects.filter(_showing(display, timezone.now()), user=user).order_by("created_at", "pk"))


def notifications_unread_by_owner(*, user) -> dict[tuple[str, int], int]:
    """Per-account badges: unread notifications of each ЛС and contract, keyed ("account", id) / ("contract", id)."""
    rows = (
        Notification.objects.filter(user=user, read_at__isnull=True)
        .filter(Q(account__isnull=False) | Q(contract__isnull=False))
        .values_list("account_id", "contract_id")
        .annotate(count=Count("pk"))
        .order_by()
    )
    return {("account", account) if account else ("contract", contract): count for account, contract, count in rows}
