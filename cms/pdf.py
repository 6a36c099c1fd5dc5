"""The PDF of «Инструкция пользователя», rendered with WeasyPrint and kept until the page is published again.

The file is named by the page and its live revision, so a new publication gives a new file and the old ones are
removed; a reader never sees a half-written file (written to a temporary name, then renamed). Files live under
PRIVATE_MEDIA_ROOT/manuals/ and are served by the page's own `pdf/` route. Images are read from the local media
storage; WeasyPrint is not allowed to fetch anything else.
"""

import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from .models import CompanySettings, ManualPage

MANUALS_DIR = "manuals"


def manuals_dir() -> Path:
    return Path(settings.PRIVATE_MEDIA_ROOT) / MANUALS_DIR


def _file_name(page: ManualPage) -> str:
    return f"{page.pk}-{page.live_revision_id or 0}.pdf"


def _local_files_only(url: str, *args, **kwargs):
    """WeasyPrint's fetcher restricted to images under MEDIA_ROOT: no network, no other files."""
    from weasyprint.urls import URLFetchingError, default_url_fetcher

    media = Path(settings.MEDIA_ROOT).resolve().as_uri()
    if url.startswith("data:") or url.startswith(media + "/"):
        return default_url_fetcher(url, *args, **kwargs)
    raise URLFetchingError(f"Not allowed in the manual's PDF: {url}")


def manual_render_pdf(*, page: ManualPage) -> bytes:
    """The PDF bytes of the page as published: a title page, the contents, every section with its figures."""
    from weasyprint import HTML

    with translation.override("ru"):
        html = render_to_string(
            "cms/manual_pdf.html",
            {
                "page": page,
                "sections": page.sections(),
                "numbered_body": page.numbered_body(),
                "company": CompanySettings.load(),
                "for_pdf": True,
            },
        )
    return HTML(string=html, base_url=str(settings.MEDIA_ROOT), url_fetcher=_local_files_only).write_pdf()


def manual_pdf_path(page: ManualPage) -> Path:
    """The cached PDF of the page's live revision, rendered now if it is not there yet."""
    path = manuals_dir() / _file_name(page)
    if not path.exists():
        manual_pdf_write(page=page)
    return path


def manual_pdf_write(*, page: ManualPage) -> Path:
    """Render and store the PDF of `page`'s live revision; older files of the page go."""
    directory = manuals_dir()
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / _file_name(page)
    pdf = manual_render_pdf(page=page)
    with tempfile.NamedTemporaryFile(dir=directory, suffix=".part", delete=False) as temporary:
        temporary.write(pdf)
    os.replace(temporary.name, path)
    for old in directory.glob(f"{page.pk}-*.pdf"):
        if old != path:
            old.unlink(missing_ok=True)
    return path
