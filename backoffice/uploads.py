"""Files customers send (a power of attorney, a scan, a photo): limits on size and type, judged by content.

The name and the browser's content type are the sender's word; the first bytes are the file's. A renamed
HTML page or an executable called «доверенность.pdf» is refused with the same message as any wrong type.
"""

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024

# What a scan or a signed document is sent as: the leading bytes of each format.
SIGNATURES = {
    "pdf": (b"%PDF-",),
    "jpg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
}
ALLOWED_LABEL = "PDF, JPG, PNG"


def attachment_validate(file, *, max_bytes: int = MAX_ATTACHMENT_BYTES) -> str:
    """Refuse an empty, too large or wrongly typed file; return its kind («pdf», «jpg», «png»)."""
    if file.size == 0:
        raise ValidationError(_("Файл «%(name)s» пуст.") % {"name": file.name}, code="empty")
    if file.size > max_bytes:
        raise ValidationError(
            _("Файл «%(name)s» больше %(limit)s.") % {"name": file.name, "limit": filesizeformat(max_bytes)},
            code="too_large",
        )
    file.seek(0)
    head = file.read(16)
    file.seek(0)
    for kind, signatures in SIGNATURES.items():
        if head.startswith(signatures):
            return kind
    raise ValidationError(
        _("Файл «%(name)s» не подходит: принимаются %(types)s.") % {"name": file.name, "types": ALLOWED_LABEL},
        code="type",
    )
