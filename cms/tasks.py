"""Background work of the CMS: thin wrappers around cms/pdf.py."""

from celery import shared_task


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def manual_pdf_render_task(page_id: int) -> None:
    """Render the PDF of a manual just published, so the first reader gets the file at once."""
    from .models import ManualPage
    from .pdf import manual_pdf_write

    page = ManualPage.objects.live().filter(pk=page_id).first()
    if page is not None:
        manual_pdf_write(page=page)


@shared_task
def publish_scheduled_task() -> None:
    """Wagtail's scheduled publishing (F-H7): pages and snippets whose «Опубликовать в» time has come go live, those
    past «Снять с публикации в» go offline. The beat job runs it every minute."""
    from django.core.management import call_command

    call_command("publish_scheduled")
