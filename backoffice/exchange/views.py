"""The exchange screens of the Wagtail admin: upload, dry-run preview, progress, error report, export.

Plain Django views behind Wagtail's admin access check; they parse input, call a service and render.
"""

import csv
import io
import tempfile

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from wagtail.admin.auth import require_admin_access

from ..models import ImportJob
from . import services
from .formats import CONTENT_TYPES, FileError, preview
from .forms import ImportForm
from .resources import RESOURCES

ERRORS_SHOWN = 500  # on the page; the CSV report has every one
RECENT_JOBS = 20


@require_admin_access
def index(request):
    """Upload a file (checked, or checked and stored), the recent jobs, and the exports."""
    # The staff the menu item is shown to (wagtail_hooks/exchange.py); the rest get Wagtail's refusal.
    if not (request.user.has_perm("backoffice.add_importjob") or request.user.has_perm("backoffice.view_importjob")):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = services.import_file(
                resource=form.cleaned_data["resource"],
                file=form.cleaned_data["file"],
                dry_run=form.cleaned_data["dry_run"],
                user=request.user,
            )
        except PermissionDenied as error:
            form.add_error("resource", str(error))
        else:
            return redirect("exchange:job", pk=job.pk)
    recent = ImportJob.objects.select_related("created_by").order_by("-created_at")[:RECENT_JOBS]
    jobs = [(job, RESOURCES[job.resource].title if job.resource in RESOURCES else job.resource) for job in recent]
    resources = [{"name": name, "title": resource.title} for name, resource in RESOURCES.items()]
    return render(request, "backoffice/exchange/index.html", {"form": form, "jobs": jobs, "resources": resources})


def job_for(request, pk: int) -> ImportJob:
    """The job, if this staff member started it or may see every import; someone else's is a 404."""
    job = get_object_or_404(ImportJob.objects.select_related("created_by"), pk=pk)
    if job.created_by_id != request.user.pk and not request.user.has_perm("backoffice.view_importjob"):
        raise Http404
    return job


@require_admin_access
def job_detail(request, pk: int):
    job = job_for(request, pk)
    context = {
        "job": job,
        "title": RESOURCES[job.resource].title if job.resource in RESOURCES else job.resource,
        "finished": is_finished(job),
        "errors": job.errors[:ERRORS_SHOWN],
        "error_count": len(job.errors),
        "errors_hidden": max(len(job.errors) - ERRORS_SHOWN, 0),
        "bad_rows": len({error.get("row") for error in job.errors}),
        "unchanged": max(job.total_rows - job.created_rows - job.updated_rows, 0),
        "status": status_payload(job),
    }
    if job.status == ImportJob.Status.PREVIEWED:
        context["preview_headers"], context["preview_rows"] = preview_of(job)
    return render(request, "backoffice/exchange/job.html", context)


def preview_of(job: ImportJob):
    try:
        with job.file.open("rb") as stored:
            return preview(stored, job.original_name)
    except (FileError, OSError):
        return [], []


@require_admin_access
def job_status(request, pk: int):
    """JSON for the progress bar: {"percent", "done", "message", …}."""
    return JsonResponse(status_payload(job_for(request, pk)))


def is_finished(job: ImportJob) -> bool:
    return job.status not in (ImportJob.Status.QUEUED, ImportJob.Status.RUNNING)


def status_payload(job: ImportJob) -> dict:
    return {
        "status": job.status,
        "status_label": str(job.get_status_display()),
        "percent": job.percent if job.status != ImportJob.Status.QUEUED else 0,
        "processed": job.processed_rows,
        "total": job.total_rows,
        "created": job.created_rows,
        "updated": job.updated_rows,
        "errors": len(job.errors),
        "done": is_finished(job),
        "message": status_message(job),
        "url": reverse("exchange:job", args=[job.pk]),
    }


def status_message(job: ImportJob) -> str:
    if job.status == ImportJob.Status.QUEUED:
        return _("Файл в очереди на проверку.")
    if job.status == ImportJob.Status.RUNNING:
        return _("Обработано %(done)s из %(total)s строк.") % {"done": job.processed_rows, "total": job.total_rows}
    return str(job.get_status_display())


@require_admin_access
@require_POST
def job_confirm(request, pk: int):
    """Store the file whose dry run passed."""
    job = job_for(request, pk)
    try:
        real = services.import_job_confirm(job=job, user=request.user)
    except ValueError as error:
        messages.error(request, str(error))
        return redirect("exchange:job", pk=job.pk)
    return redirect("exchange:job", pk=real.pk)


@require_admin_access
def job_errors(request, pk: int):
    """Every problem of the file as CSV, for Excel: row, column, value, reason."""
    job = job_for(request, pk)
    text = io.StringIO()
    writer = csv.writer(text, delimiter=";", lineterminator="\r\n")
    writer.writerow([_("Строка"), _("Столбец"), _("Значение"), _("Ошибка")])
    for error in job.errors:
        writer.writerow([error.get("row") or "", error.get("column", ""), error.get("value", ""), error["message"]])
    response = HttpResponse("\ufeff" + text.getvalue(), content_type=CONTENT_TYPES["csv"])
    response["Content-Disposition"] = f'attachment; filename="errors-{job.pk}.csv"'
    return response


@require_admin_access
def export(request, resource: str, fmt: str):
    """Every row of a resource as CSV or XLSX, in the columns the import reads."""
    if resource not in RESOURCES or fmt not in services.EXPORT_FORMATS:
        raise Http404
    # In memory up to 16 MB, then on disk; FileResponse closes it after sending.
    stream = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)  # noqa: SIM115
    services.export_write(resource=resource, fmt=fmt, stream=stream, user=request.user)
    stream.seek(0)
    filename = services.export_filename(resource=resource, fmt=fmt)
    return FileResponse(stream, as_attachment=True, filename=filename, content_type=CONTENT_TYPES[fmt])


@require_admin_access
def template(request, resource: str):
    """An empty workbook with the resource's columns."""
    if resource not in RESOURCES:
        raise Http404
    services.resource_check(resource=resource, user=request.user, action="import")
    stream = io.BytesIO()
    services.export_template(resource=resource, stream=stream)
    stream.seek(0)
    return FileResponse(
        stream, as_attachment=True, filename=f"{resource}-template.xlsx", content_type=CONTENT_TYPES["xlsx"]
    )
