"""Storage for customers' and company's private files: outside the web root, never served directly."""

from functools import cache
from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.http import FileResponse, HttpResponse
from django.utils.http import content_disposition_header


@cache
def private_storage() -> FileSystemStorage:
    """Callable storage, so migrations do not freeze the path and tests may point it elsewhere."""
    return FileSystemStorage(location=settings.PRIVATE_MEDIA_ROOT, base_url=None)


def private_file_response(file, *, filename: str):
    """A download of a private file, for a view that has already checked the user's right to it.

    Behind the production proxy (PRIVATE_MEDIA_ACCEL_REDIRECT set) Django only says where the file is and nginx
    sends it from its internal location, so no gunicorn worker is busy streaming a scan; elsewhere Django
    streams the file itself.
    """
    prefix = settings.PRIVATE_MEDIA_ACCEL_REDIRECT
    if not prefix:
        return FileResponse(file.open("rb"), as_attachment=True, filename=filename)
    response = HttpResponse(content_type="")  # nginx sets the type from the file's extension
    # Percent-encoded: a header carries ASCII only, and nginx decodes the path before it looks the file up.
    response["X-Accel-Redirect"] = quote(prefix.rstrip("/") + "/" + file.name.lstrip("/"))
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response
