"""PDF bytes kept on disk by a hash of everything printed, so a repeated download is a file read.

The key is the sha256 of the document's canonical data (plain strings: exactly what the page shows),
the template's name, TEMPLATE_VERSION and a digest of the files in templates/documents/. Any change
of the data or of the layout gives a new key; the same data reuses the file. Files live under
PRIVATE_MEDIA_ROOT (never served directly) and are only ever added, so concurrent writers are harmless.
"""

import hashlib
import json
import os
import tempfile
import time
from functools import cache
from pathlib import Path

from django.conf import settings

# Bump when the rendering changes in a way the template files do not show (a WeasyPrint upgrade, fonts).
TEMPLATE_VERSION = "2026.1"
CACHE_DIR_NAME = "pdf-cache"
DOCUMENTS_DIR = Path(settings.BASE_DIR) / "templates" / "documents"


def cache_dir() -> Path:
    return Path(settings.PRIVATE_MEDIA_ROOT) / CACHE_DIR_NAME


@cache
def layout_digest() -> str:
    """A digest of the document templates and CSS, read once per process."""
    digest = hashlib.sha256()
    for path in sorted(DOCUMENTS_DIR.glob("*")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def pdf_cache_key(*, template_name: str, data: dict) -> str:
    """sha256 of the canonical data plus the layout it is printed with."""
    canonical = json.dumps(
        {"template": template_name, "version": TEMPLATE_VERSION, "layout": layout_digest(), "data": data},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def pdf_cache_path(key: str) -> Path:
    # Two-character fan-out keeps directories small with millions of receipts.
    return cache_dir() / key[:2] / f"{key}.pdf"


def pdf_cache_read(key: str) -> bytes | None:
    try:
        return pdf_cache_path(key).read_bytes()
    except FileNotFoundError:
        return None


def pdf_cache_write(key: str, pdf: bytes) -> Path:
    """Write atomically (a temporary file, then rename): a reader never sees half a PDF."""
    path = pdf_cache_path(key)
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".part", delete=False) as temporary:
        temporary.write(pdf)
    os.replace(temporary.name, path)
    return path


def pdf_cache_purge(*, older_than_days: int) -> int:
    """Delete cached PDFs not written for `older_than_days`; they are re-rendered on demand. Returns the count."""
    deadline = time.time() - older_than_days * 86400
    removed = 0
    for path in cache_dir().glob("*/*.pdf"):
        if path.stat().st_mtime < deadline:
            path.unlink(missing_ok=True)
            removed += 1
    return removed
