"""Celery tasks of the exchange: thin wrappers around the services."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from ..models import ImportJob
from .services import import_job_run


@shared_task(acks_late=True, autoretry_for=(OperationalError, InterfaceError), retry_backoff=True, max_retries=5)
def import_job_run_task(job_id: int) -> str:
    """Run a queued import job (F-D8) and return its status.

    Idempotent: `import_job_run` claims only a queued job, so a redelivered message changes nothing.
    """
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None:
        return "missing"
    return import_job_run(job=job).status
