"""Celery tasks for PDFs: thin wrappers that render in the background and leave the result in the cache.

Rendering is idempotent (same data, same file), so a redelivered or retried task costs only time.
A view that queued a task serves the PDF afterwards from the cache through the same service.
Not an app's tasks.py, so the Celery app imports this module from backoffice/tasks.py.
"""

import datetime

from celery import shared_task
from celery.signals import worker_process_init

from backoffice.models import Contract, Document, Payment, PersonalAccount

from .cache import pdf_cache_purge
from .render import document_render_pdf, payment_receipt_render_pdf, pdf_warm_up, reconciliation_act_render_pdf


@worker_process_init.connect
def warm_up_weasyprint(**kwargs):
    """Each worker process loads fonts and Pango once at start, not inside its first customer's task."""
    pdf_warm_up()


RETRY = {"autoretry_for": (OSError,), "retry_backoff": True, "max_retries": 3, "acks_late": True}


@shared_task(**RETRY)
def document_render_pdf_task(document_id: int) -> int:
    """Render (or find cached) a document's PDF; returns its size in bytes."""
    return len(document_render_pdf(document=Document.objects.get(pk=document_id)))


@shared_task(**RETRY)
def payment_receipt_render_pdf_task(payment_id: int) -> int:
    """Render (or find cached) a payment's «Чек об оплате»; returns its size in bytes."""
    return len(payment_receipt_render_pdf(payment=Payment.objects.get(pk=payment_id)))


@shared_task(**RETRY)
def reconciliation_act_render_pdf_task(
    *, date_from: str, date_to: str, account_id: int | None = None, contract_id: int | None = None
) -> int:
    """Render a long «Акт сверки» in the background; dates are ISO strings (JSON-serialisable)."""
    account = PersonalAccount.objects.get(pk=account_id) if account_id else None
    contract = Contract.objects.get(pk=contract_id) if contract_id else None
    pdf = reconciliation_act_render_pdf(
        account=account,
        contract=contract,
        date_from=datetime.date.fromisoformat(date_from),
        date_to=datetime.date.fromisoformat(date_to),
    )
    return len(pdf)


@shared_task(acks_late=True)
def pdf_cache_purge_task(older_than_days: int = 30) -> int:
    """Drop cached PDFs nobody has re-rendered for a month; returns how many were removed."""
    return pdf_cache_purge(older_than_days=older_than_days)
