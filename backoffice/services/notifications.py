"""Notifications (F-H2) delivered the way each user asked (F-H3): every feature tells users through `notification_send`.

The rules of delivery live here and nowhere else:

- a kind goes to the channels the user chose in «Настройки уведомлений», or to its defaults (`DEFAULT_CHANNELS`);
- «E-mail уведомления» switched off stops every e-mail, the advertising newsletter included;
- e-mail goes only to a confirmed address, SMS only to a confirmed phone;
- «О счетах» and «Об оплате» switched off for a contract or ЛС silence the invoices or payments of that one;
- messages from the company always appear in the cabinet (they may also be e-mailed);
- a deleted (anonymised) or blocked cabinet is told nothing.

The in-app row and the outbox letter are written in the caller's transaction, so a change that rolls back tells
nobody; the letter is delivered by Celery after commit (services/outbox.py).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import DateTimeField, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from ..models import Channel, Notification, NotificationSettings, OutboxMessage, OwnerNotificationSetting
from ..selectors import notifications_summary_forget
from .outbox import message_send

Kind = Notification.Kind
IN_APP, EMAIL, SMS = Channel.IN_APP, Channel.EMAIL, Channel.SMS

# What a user gets until they change it. SMS is never on by default: it costs money and wakes people up.
DEFAULT_CHANNELS: dict[str, frozenset[str]] = {
    Kind.CONTRACT_ADDED: frozenset({IN_APP, EMAIL}),
    Kind.ROLE_CHANGED: frozenset({IN_APP, EMAIL}),
    Kind.ACCOUNT_SHARED: frozenset({IN_APP, EMAIL}),
    Kind.ACCESS_REQUEST: frozenset({IN_APP, EMAIL}),
    Kind.INVOICE: frozenset({IN_APP, EMAIL}),
    Kind.PAYMENT: frozenset({IN_APP, EMAIL}),
    Kind.DEBT: frozenset({IN_APP, EMAIL}),
    Kind.READING_WINDOW: frozenset({IN_APP, EMAIL}),
    Kind.METER_VERIFICATION: frozenset({IN_APP, EMAIL}),
    Kind.APPEAL: frozenset({IN_APP, EMAIL}),
    Kind.SERVICE_ORDER: frozenset({IN_APP, EMAIL}),
    Kind.PROFILE_CHANGED: frozenset({IN_APP}),
    Kind.MESSAGE: frozenset({IN_APP, EMAIL}),
}
ALWAYS_IN_APP = frozenset({Kind.MESSAGE})
# «О счетах» / «Об оплате» (seed 001 §13.1.5): which switch of OwnerNotificationSetting silences a kind.
OWNER_SWITCH = {Kind.INVOICE: "invoices", Kind.PAYMENT: "payments"}
SMS_LENGTH = 300


@dataclass
class Preferences:
    """A user's choices with the defaults filled in; what delivery and the settings page both read."""

    email_enabled: bool = True
    overrides: dict = field(default_factory=dict)
    reading_start_reminder: bool = True
    reading_start_days: int = 4
    reading_end_reminder: bool = True
    reading_end_days: int = 2

    def wants(self, kind: str, channel: str) -> bool:
        if channel == IN_APP and kind in ALWAYS_IN_APP:
            return True
        chosen = self.overrides.get(kind, {}).get(channel)
        return chosen if chosen is not None else channel in DEFAULT_CHANNELS.get(kind, frozenset({IN_APP}))

    @classmethod
    def of(cls, row: NotificationSettings | None) -> "Preferences":
        if row is None:
            return cls()
        return cls(
            email_enabled=row.email_enabled,
            overrides=row.channels or {},
            reading_start_reminder=row.reading_start_reminder,
            reading_start_days=row.reading_start_days,
            reading_end_reminder=row.reading_end_reminder,
            reading_end_days=row.reading_end_days,
        )


def preferences_for(*, user) -> Preferences:
    return Preferences.of(NotificationSettings.objects.filter(user=user).first())


def _reachable(user) -> bool:
    return user.is_active and getattr(user, "anonymised_at", None) is None


def _owner_allows(user, kind: str, account, contract) -> bool:
    switch = OWNER_SWITCH.get(kind)
    if switch is None or (account is None and contract is None):
        return True
    owner = {"account": account} if account is not None else {"contract": contract}
    row = OwnerNotificationSetting.objects.filter(user=user, **owner).values_list(switch, flat=True).first()
    return row is not False


def email_allowed(*, user, preferences: Preferences) -> bool:
    """«E-mail уведомления» on, and an address the user has confirmed."""
    return preferences.email_enabled and bool(user.email) and user.email_confirmed_at is not None


def _changed(user_id: int) -> None:
    """The bell of `user_id` must be read again: now, and once more after commit (a page rendered meanwhile may
    have cached the state before this change)."""
    notifications_summary_forget(user_id=user_id)
    transaction.on_commit(lambda: notifications_summary_forget(user_id=user_id))


def _absolute(url: str) -> str:
    if not url or url.startswith(("http://", "https://")):
        return url
    return settings.SITE_URL.rstrip("/") + url


def _deliver(
    *, user, preferences: Preferences, kind, title, body, url, account, contract, extra: dict
) -> Notification | None:
    context = {
        "title": title,
        "body": body,
        "link": _absolute(url),
        "action_label": extra.get("action_label", ""),
        "attachment": extra.get("attachment"),
    }
    letter = None
    if preferences.wants(kind, EMAIL) and email_allowed(user=user, preferences=preferences):
        letter = message_send(to=user.email, template="notification", context=context, user=user)
    notification = None
    if preferences.wants(kind, IN_APP):
        notification = Notification(
            user=user,
            kind=kind,
            title=title[:255],
            body=body,
            url=url,
            account=account,
            contract=contract,
            email_message=letter,
            **extra,
        )
        notification.full_clean(exclude={"user", "account", "contract", "attachment", "email_message"})
        notification.save()
        _changed(user.pk)
    if preferences.wants(kind, SMS) and user.phone and getattr(user, "phone_confirmed_at", None):
        message_send(
            to=getattr(user.phone, "as_e164", str(user.phone)),
            template="notification",
            context={**context, "text": f"{title}. {body}"[:SMS_LENGTH]},
            channel=OutboxMessage.Channel.SMS,
            user=user,
        )
    return notification


def notification_send(
    *,
    user,
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    account=None,
    contract=None,
    display: str = Notification.Display.LIST,
    action_label: str = "",
    confirm_label: str = "",
    shown_until=None,
    attachment=None,
) -> Notification | None:
    """Tell `user` about something, on the channels their settings allow; the in-app row, or None without one.

    `display`, the two button labels, `shown_until` and `attachment` are for messages from the company: a modal
    window after sign-in («1 из N») or a bar at the top. Runs in the caller's transaction.
    """
    if not _reachable(user) or not _owner_allows(user, kind, account, contract):
        return None
    extra = {
        "display": display,
        "action_label": action_label,
        "confirm_label": confirm_label,
        "shown_until": shown_until,
        "attachment": attachment,
    }
    return _deliver(
        user=user,
        preferences=preferences_for(user=user),
        kind=kind,
        title=title,
        body=body,
        url=url,
        account=account,
        contract=contract,
        extra=extra,
    )


def notification_send_many(*, users: Iterable, kind: str, title: str, body: str = "", url: str = "", **extra) -> dict:
    """`notification_send` for many users at once (a company message to an audience), the settings read in one query.

    Returns {user_id: Notification or None}.
    """
    users = [user for user in users if _reachable(user)]
    rows = {row.user_id: row for row in NotificationSettings.objects.filter(user__in=[user.pk for user in users])}
    extra = {
        "display": extra.get("display", Notification.Display.LIST),
        "action_label": extra.get("action_label", ""),
        "confirm_label": extra.get("confirm_label", ""),
        "shown_until": extra.get("shown_until"),
        "attachment": extra.get("attachment"),
    }
    return {
        user.pk: _deliver(
            user=user,
            preferences=Preferences.of(rows.get(user.pk)),
            kind=kind,
            title=title,
            body=body,
            url=url,
            account=None,
            contract=None,
            extra=extra,
        )
        for user in users
    }


@transaction.atomic
def notifications_mark_read(*, user, ids=None) -> int:
    """Mark the user's unread notifications read (only those of `ids` when given); return how many."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    marked = unread.update(read_at=timezone.now())
    if marked:
        _changed(user.pk)
    return marked


@transaction.atomic
def notification_close(*, user, notification_id: int) -> bool:
    """«Подтвердить» in the modal window or «×» on the bar at the top: it is read and no longer shown there.

    False when the user has no such notification (someone else's is not touched).
    """
    now = Value(timezone.now(), output_field=DateTimeField())
    updated = Notification.objects.filter(user=user, pk=notification_id).update(
        closed_at=Coalesce("closed_at", now), read_at=Coalesce("read_at", now)
    )
    if updated:
        _changed(user.pk)
    return bool(updated)


# --- Settings (F-H3) -------------------------------------------------------------------------------------------


def notification_kinds_configurable() -> list[tuple[str, str]]:
    """The kinds listed on «Настройки уведомлений», in the order of Notification.Kind."""
    return [(value, label) for value, label in Kind.choices if value in DEFAULT_CHANNELS]


@transaction.atomic
def notification_settings_update(
    *,
    user,
    email_enabled: bool,
    channels: dict[str, set[str]],
    reading_start_reminder: bool,
    reading_start_days: int,
    reading_end_reminder: bool,
    reading_end_days: int,
) -> NotificationSettings:
    """Store the «Уведомления» block; `channels` maps each kind to the channels the user ticked.

    Only choices that differ from the defaults are kept, so a later change of a default reaches everyone who
    never touched that kind. A kind missing from `channels` keeps what it had.
    """
    row, _created = NotificationSettings.objects.select_for_update().get_or_create(user=user)
    overrides = dict(row.channels or {})
    for kind, chosen in channels.items():
        if kind not in DEFAULT_CHANNELS:
            continue
        differences = {
            channel: channel in chosen
            for channel in Channel.values
            if (channel in chosen) != (channel in DEFAULT_CHANNELS[kind])
            and not (channel == IN_APP and kind in ALWAYS_IN_APP)
        }
        if differences:
            overrides[kind] = differences
        else:
            overrides.pop(kind, None)
    row.email_enabled = email_enabled
    row.channels = overrides
    row.reading_start_reminder, row.reading_start_days = reading_start_reminder, reading_start_days
    row.reading_end_reminder, row.reading_end_days = reading_end_reminder, reading_end_days
    row.full_clean(exclude={"user"})
    row.save()
    return row


@transaction.atomic
def owner_notification_settings_update(*, user, choices: Iterable[tuple]) -> int:
    """«О счетах» / «Об оплате» per contract or ЛС: `choices` holds (account or None, contract or None, invoices,
    payments). The caller passes only owners the user reaches. Returns how many rows were written."""
    written = 0
    for account, contract, invoices, payments in choices:
        owner = (
            {"account": account, "contract": None} if account is not None else {"account": None, "contract": contract}
        )
        OwnerNotificationSetting.objects.update_or_create(
            user=user, **owner, defaults={"invoices": invoices, "payments": payments}
        )
        written += 1
    return written


def owner_notification_settings_for(*, user) -> dict[tuple, OwnerNotificationSetting]:
    """The user's rows keyed by ("account", id) or ("contract", id)."""
    rows = OwnerNotificationSetting.objects.filter(user=user)
    return {("account", row.account_id) if row.account_id else ("contract", row.contract_id): row for row in rows}


def reading_reminder_days(*, user) -> dict[str, int | None]:
    """For the reading-window reminders (F-C5): how many days before the window opens and closes the user wants
    to be told, None where that reminder is off."""
    preferences = preferences_for(user=user)
    return {
        "start": preferences.reading_start_days if preferences.reading_start_reminder else None,
        "end": preferences.reading_end_days if preferences.reading_end_reminder else None,
    }


def newsletter_recipients_filter(prefix: str = "") -> Q:
    """Users who may get the advertising newsletter: consent given, «E-mail уведомления» on, the e-mail confirmed.

    `prefix` is the path from the filtered model to the user ("user__" for rows that point at one).
    """
    return (
        Q(**{f"{prefix}advertising_consent": True})
        & Q(**{f"{prefix}email_confirmed_at__isnull": False})
        & ~Q(**{f"{prefix}notification_settings__email_enabled": False})
    )
