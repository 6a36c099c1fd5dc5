"""Reactions to editors' work: a published manual gets its PDF rendered in the background; any change to pages,
the FAQ or the company's settings forgets the cached content (cms/cache.py)."""

import logging

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from wagtail.signals import page_published, page_slug_changed, page_unpublished, post_page_move

from .cache import content_changed

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
    from wagtail.models import Page

    from faq.models import FaqGroup, FaqQuestion

    from .models import CompanySettings, ManualPage

    page_published.connect(manual_published, sender=ManualPage, dispatch_uid="cms.manual_published")
    for signal in (page_published, page_unpublished, post_page_move, page_slug_changed):
        signal.connect(content_changed, dispatch_uid=f"cms.content_changed.{signal}")
    for model in (Page, FaqGroup, FaqQuestion, CompanySettings):
        post_delete.connect(content_changed, sender=model, dispatch_uid=f"cms.content_deleted.{model.__name__}")
    for model in (FaqGroup, FaqQuestion):
        post_save.connect(content_changed, sender=model, dispatch_uid=f"cms.content_saved.{model.__name__}")
    post_save.connect(company_settings_saved, sender=CompanySettings, dispatch_uid="cms.company_settings_saved")


def company_settings_saved(sender, instance, created, **kwargs):
    if not created:  # the first request creates the row with the defaults it showed anyway
        content_changed()
