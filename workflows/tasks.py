"""Background work of the workflows: thin wrappers around the services, safe to run twice."""

from celery import shared_task
from django.db import OperationalError


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def mailing_dispatch_task(mailing_id: int) -> int:
    from .services.mailings import mailing_dispatch

    return mailing_dispatch(mailing_id=mailing_id)


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=8)
def mailing_send_batch_task(mailing_id: int, user_ids: list[int]) -> int:
    """One batch of a mailing; a retry after a failure sends only to those the failed attempt did not commit."""
    from .services.mailings import mailing_send_batch

    return mailing_send_batch(mailing_id=mailing_id, user_ids=user_ids)


@shared_task
def mailings_dispatch_due_task() -> int:
    from .services.mailings import mailings_dispatch_due

    return mailings_dispatch_due()


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def reading_reminders_task() -> dict:
    """Beat job (daily): the reading-window and МПИ reminders of F-C5; each is sent at most once."""
    from .services.reading_reminders import reading_reminders_send

    return reading_reminders_send()


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def appeal_drafts_purge_task() -> int:
    """Beat job (hourly): drafts past «Дата окончания действия черновика» and wizards left unsaved for a day go."""
    from .services.appeals import appeal_drafts_purge

    return appeal_drafts_purge()


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def appeals_close_resolved_task() -> int:
    """Beat job (hourly): «Выполнена» appeals whose reopening window passed are closed, the customer told."""
    from .services.appeals import appeals_close_resolved

    return appeals_close_resolved()
