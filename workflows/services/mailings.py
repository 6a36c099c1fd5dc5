"""Mailings (F-H6): an editor's newsletter or message, sent to an audience in Celery batches.

`mailing_schedule` only changes the state and queues the dispatch, so the admin answers at once however large the
audience. The dispatch fixes the audience (who receives it is decided when sending starts, not per batch), counts
who is skipped for lack of consent, and queues batches of BATCH_SIZE users; each batch writes the in-app
notifications and the outbox letters of its users in one transaction, through `notification_send_many` — the one
place where «Настройки уведомлений» are applied — or, for the newsletter, straight to the outbox for the users who
agreed to advertising. A batch that runs twice delivers nothing twice (`MailingRecipient` is unique per user).
"""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from backoffice.models import Notification, OutboxMessage
from backoffice.services.notifications import newsletter_recipients_filter, notification_send_many
from backoffice.services.outbox import message_send
from selfservice.models import AccountLink, ContractRole

from ..models import Mailing, MailingRecipient
from .history import transition_log_write

log = logging.getLogger(__name__)
State = Mailing.State
Audience = Mailing.Audience
BATCH_SIZE = 500


class MailingRefused(Exception):
    """A step that cannot be made now; the message is shown to the editor as it is."""


# --- Who receives it ---------------------------------------------------------------------------------------------


def _portal_users() -> QuerySet:
    return get_user_model().objects.filter(is_active=True, is_staff=False, anonymised_at__isnull=True)


def mailing_audience(*, mailing: Mailing) -> QuerySet:
    """Everyone the mailing is for, before consents: all users, households, organisations, a branch or a group.

    A household is a user with a ЛС in the cabinet, an organisation a user with a role on a contract; a branch or a
    customer group reaches users through the accounts and contracts they hold.
    """
    users = _portal_users()
    accounts = AccountLink.objects.filter(user=OuterRef("pk"), account__closed_on__isnull=True)
    roles = ContractRole.objects.filter(user=OuterRef("pk"), contract__is_active=True)
    if mailing.audience == Audience.HOUSEHOLDS:
        return users.filter(Exists(accounts))
    if mailing.audience == Audience.ORGANISATIONS:
        return users.filter(Exists(roles))
    if mailing.audience == Audience.BRANCH:
        return users.filter(
            Exists(accounts.filter(account__branch=mailing.branch_id))
            | Exists(roles.filter(contract__branch=mailing.branch_id))
        )
    if mailing.audience == Audience.GROUP:
        group = mailing.customer_group_id
        return users.filter(
            Exists(accounts.filter(account__customer__group=group))
            | Exists(roles.filter(contract__customer__group=group))
        )
    return users


def mailing_recipients(*, mailing: Mailing) -> QuerySet:
    """Who will actually get it: for the newsletter only those who agreed to advertising by e-mail (F-A1, F-H3)."""
    audience = mailing_audience(mailing=mailing)
    if mailing.kind == Mailing.Kind.NEWSLETTER:
        return audience.filter(newsletter_recipients_filter())
    return audience


def mailing_audience_count(*, mailing: Mailing) -> dict[str, int]:
    """What the editor sees before sending: how many are in the audience and how many will receive it."""
    audience = mailing_audience(mailing=mailing).count()
    receiving = mailing_recipients(mailing=mailing).count() if mailing.kind == Mailing.Kind.NEWSLETTER else audience
    return {"audience": audience, "recipients": receiving, "skipped": audience - receiving}


def mailing_counts(*, mailing: Mailing) -> dict[str, int]:
    """Progress and result, in one query: delivered to cabinets, letters sent, failed and waiting."""
    counts = mailing.recipients.aggregate(
        processed=Count("pk"),
        in_app=Count("pk", filter=Q(notification__isnull=False)),
        sent=Count("pk", filter=Q(message__status=OutboxMessage.Status.SENT)),
        failed=Count("pk", filter=Q(message__status=OutboxMessage.Status.FAILED)),
        waiting=Count("pk", filter=Q(message__status=OutboxMessage.Status.PENDING)),
        withdrawn=Count("pk", filter=Q(notification__isnull=True, message__isnull=True)),
    )
    withdrawn = counts.pop("withdrawn")
    return {**counts, "total": mailing.recipients_total, "skipped": mailing.skipped + withdrawn}


# --- The editor's steps ---------------------------------------------------------------------------------------------


def _locked(mailing: Mailing, expected: tuple[str, ...]) -> Mailing:
    locked = Mailing.objects.select_for_update().get(pk=mailing.pk)
    if locked.state not in expected:
        raise MailingRefused(
            _("Рассылка уже «%(state)s»: её изменил другой сотрудник. Обновите страницу.")
            % {"state": locked.get_state_display()}
        )
    return locked


def _check_complete(mailing: Mailing) -> None:
    if mailing.audience == Audience.BRANCH and mailing.branch_id is None:
        raise MailingRefused(_("Выберите отделение."))
    if mailing.audience == Audience.GROUP and mailing.customer_group_id is None:
        raise MailingRefused(_("Выберите группу потребителей."))


@transaction.atomic
def mailing_schedule(*, mailing: Mailing, by, when=None) -> Mailing:
    """«Отправить»: now, or at `when`; the sending itself happens in the background."""
    locked = _locked(mailing, (State.DRAFT,))
    _check_complete(locked)
    now = timezone.now()
    when = when or locked.scheduled_at or now
    if when < now:
        when = now
    locked.schedule(when=when)
    locked.save()
    transition_log_write(subject=locked, transition="schedule", source=State.DRAFT, target=locked.state, by=by)
    if when <= now:
        transaction.on_commit(lambda: _enqueue_dispatch(locked.pk))
    return locked


@transaction.atomic
def mailing_unschedule(*, mailing: Mailing, by) -> Mailing:
    """«Вернуть в черновики»: a scheduled mailing that has not started can be edited again."""
    locked = _locked(mailing, (State.SCHEDULED,))
    locked.unschedule()
    locked.save()
    transition_log_write(subject=locked, transition="unschedule", source=State.SCHEDULED, target=locked.state, by=by)
    return locked


@transaction.atomic
def mailing_cancel(*, mailing: Mailing, by) -> Mailing:
    locked = _locked(mailing, (State.DRAFT, State.SCHEDULED))
    source = locked.state
    locked.cancel()
    locked.save()
    transition_log_write(subject=locked, transition="cancel", source=source, target=locked.state, by=by)
    return locked


# --- The background work --------------------------------------------------------------------------------------------


def _enqueue_dispatch(mailing_id: int) -> None:
    from ..tasks import mailing_dispatch_task

    try:
        mailing_dispatch_task.delay(mailing_id)
    except Exception:  # the broker is down: the beat job dispatches due mailings every minute
        log.warning("Mailing %s waits for the next beat: the broker is not reachable", mailing_id, exc_info=True)


def _enqueue_batch(mailing_id: int, user_ids: list[int]) -> None:
    from ..tasks import mailing_send_batch_task

    mailing_send_batch_task.delay(mailing_id, user_ids)


def mailing_dispatch(*, mailing_id: int) -> int:
    """Start a due mailing: fix its recipients and queue their batches; returns how many batches (0 when not due)."""
    with transaction.atomic():
        mailing = Mailing.objects.select_for_update().filter(pk=mailing_id).first()
        if mailing is None or mailing.state != State.SCHEDULED or mailing.scheduled_at > timezone.now():
            return 0
        audience = mailing_audience(mailing=mailing).count()
        user_ids = list(mailing_recipients(mailing=mailing).order_by("pk").values_list("pk", flat=True))
        mailing.start(total=len(user_ids), skipped=audience - len(user_ids))
        mailing.save()
        transition_log_write(subject=mailing, transition="start", source=State.SCHEDULED, target=mailing.state)
        batches = [user_ids[start : start + BATCH_SIZE] for start in range(0, len(user_ids), BATCH_SIZE)]
        if not batches:
            mailing.finish()
            mailing.save()
            transition_log_write(subject=mailing, transition="finish", source=State.SENDING, target=mailing.state)
        for batch in batches:
            transaction.on_commit(lambda batch=batch: _enqueue_batch(mailing_id, batch))
    return len(batches)


def _absolute(url: str) -> str:
    return url if not url or url.startswith(("http://", "https://")) else settings.SITE_URL.rstrip("/") + url


@transaction.atomic
def mailing_send_batch(*, mailing_id: int, user_ids: list[int]) -> int:
    """Deliver the mailing to these users (those not served yet); returns how many were served now."""
    mailing = Mailing.objects.select_related("attachment").get(pk=mailing_id)
    if mailing.state != State.SENDING:
        return 0
    served = set(
        MailingRecipient.objects.filter(mailing=mailing, user_id__in=user_ids).values_list("user_id", flat=True)
    )
    users = list(get_user_model().objects.filter(pk__in=[pk for pk in user_ids if pk not in served]))
    deliver = _newsletter_to if mailing.kind == Mailing.Kind.NEWSLETTER else _message_to
    rows = deliver(mailing, users)
    MailingRecipient.objects.bulk_create(rows)
    handled = len(user_ids) - len(served)
    Mailing.objects.filter(pk=mailing.pk).update(recipients_processed=F("recipients_processed") + handled)
    transaction.on_commit(lambda: mailing_finish_if_done(mailing_id=mailing_id))
    return len(rows)


def _newsletter_to(mailing: Mailing, users) -> list[MailingRecipient]:
    context = {
        "title": mailing.title,
        "body": mailing.body,
        "link": _absolute(mailing.action_url),
        "action_label": mailing.action_label,
        "attachment": mailing.attachment,
        "settings_url": _absolute(reverse("selfservice:notification_settings")),
    }
    # The consent is checked again per user: someone may have withdrawn it since the dispatch.
    allowed = set(
        get_user_model()
        .objects.filter(newsletter_recipients_filter(), pk__in=[user.pk for user in users])
        .values_list("pk", flat=True)
    )
    return [
        MailingRecipient(
            mailing=mailing,
            user=user,
            message=message_send(to=user.email, template="newsletter", context=context, user=user)
            if user.pk in allowed
            else None,
        )
        for user in users
    ]


def _message_to(mailing: Mailing, users) -> list[MailingRecipient]:
    delivered = notification_send_many(
        users=users,
        kind=Notification.Kind.MESSAGE,
        title=mailing.title,
        body=mailing.body,
        url=mailing.action_url,
        display=mailing.display,
        action_label=mailing.action_label,
        confirm_label=mailing.confirm_label if mailing.display == Mailing.Display.MODAL else "",
        shown_until=mailing.shown_until,
        attachment=mailing.attachment,
    )
    return [
        MailingRecipient(
            mailing=mailing,
            user=user,
            notification=delivered.get(user.pk),
            message_id=getattr(delivered.get(user.pk), "email_message_id", None),
        )
        for user in users
    ]


@transaction.atomic
def mailing_finish_if_done(*, mailing_id: int) -> bool:
    """«Отправлена» once every batch has been handled."""
    mailing = Mailing.objects.select_for_update().get(pk=mailing_id)
    if mailing.state != State.SENDING or mailing.recipients_processed < mailing.recipients_total:
        return False
    mailing.finish()
    mailing.save()
    transition_log_write(subject=mailing, transition="finish", source=State.SENDING, target=mailing.state)
    return True


def mailings_dispatch_due() -> int:
    """The beat job: start every scheduled mailing whose time has come; returns how many were started."""
    due = Mailing.objects.filter(state=State.SCHEDULED, scheduled_at__lte=timezone.now()).values_list("pk", flat=True)
    started = 0
    for mailing_id in list(due):
        mailing_dispatch(mailing_id=mailing_id)
        started += 1
    return started
