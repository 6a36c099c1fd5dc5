"""Reactions to editors' work: a published manual gets its PDF rendered in the background."""

import logging

from django.db import transaction
from wagtail.signals import page_published

log = logging.getLogger(__name__)


def manual_published(sender, instance, **kwargs):
    from .tasks import manual_pdf_render_task

    def enqueue():
        try:
            manual_pdf_render_task.delay(instance.pk)
        except Exception:  # the broker is down: the first reader renders it instead
            log.warning("The PDF of manual %s will be rendered on first download", instance.pk, exc_info=True)

    transaction.on_commit(enqueue)


def connect() -> None:
    from .models import ManualPage

    page_published.connect(manual_published, sender=ManualPage, dispatch_uid="cms.manual_published")
