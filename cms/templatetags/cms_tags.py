from pathlib import Path

from django import template
from django.template.defaultfilters import filesizeformat

register = template.Library()


@register.filter
def file_uri(path: str) -> str:
    """A local file as a file:// URI, for images in the PDF of the manual (cms/pdf.py)."""
    return Path(path).resolve().as_uri()


@register.filter
def document_size(document) -> str:
    """«PDF, 120,5 КБ» for a link to a Wagtail document; empty when the file is gone."""
    try:
        size = document.get_file_size()
    except OSError:
        return ""
    extension = document.file_extension.upper()
    return f"{extension}, {filesizeformat(size)}" if size else extension
