"""Celery tasks of the back office: thin wrappers around the services."""

from celery import shared_task

from .acquiring import tasks as acquiring_tasks  # noqa: F401  the reconciliation of stuck payments
from .acquiring.sandbox import tasks as sandbox_tasks  # noqa: F401  the sandbox bank's notifications
from .exchange import tasks as exchange_tasks  # noqa: F401  the import jobs run in Celery too
from .models import BillingRun
from .pdf import tasks as pdf_tasks  # noqa: F401  Celery discovers only this module: register the PDF tasks
from .services.billing import billing_run
from .services.consumption import BillingError
from .services.outbox import MAX_ATTEMPTS, outbox_deliver, outbox_flush


@shared_task(acks_late=True)
def billing_run_task(run_id: int) -> dict:
    """Carry out a billing run recorded by `billing_run_enqueue`.

    A rule that cannot be applied (a missing tariff) is kept on the run as «Ошибка» for staff
    to read and fix; retrying would only fail again, so it is not raised.
    """
    run = BillingRun.objects.get(pk=run_id)
    if run.status != BillingRun.Status.RUNNING:
        return run.stats  # already carried out: a redelivered message changes nothing
    try:
        return billing_run(period=run.period, user=run.started_by, run=run).stats
    except BillingError as error:
        return {"error": str(error)}


@shared_task(bind=True, acks_late=True, max_retries=MAX_ATTEMPTS)
def outbox_deliver_task(self, message_id: int) -> bool:
    """Send one outbox message; a transport failure is retried with a growing delay (30 s, 1 min, 2 min, …)."""
    sent = outbox_deliver(message_id=message_id)
    if not sent and not self.request.is_eager:  # inline (no broker) the next outbox_flush retries instead
        raise self.retry(countdown=min(30 * 2**self.request.retries, 3600))
    return sent


@shared_task
def outbox_flush_task() -> int:
    """Queue again what the broker missed (it was down when the change committed)."""
    return outbox_flush()
