"""Celery tasks of acquiring: the beat job that reconciles payments stuck «В процессе»."""

from celery import shared_task

from ..services.acquiring import acquiring_reconcile


@shared_task(acks_late=True)
def acquiring_reconcile_task() -> dict:
    """Ask the acquirer about payments «В процессе» for more than a few minutes and apply the answers."""
    return acquiring_reconcile()
