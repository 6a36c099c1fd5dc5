"""Imports and exports of the back office (F-D8): the only writers of ImportJob and of imported data.

A file becomes an `ImportJob` first (stored privately, so a background worker can read it and staff
can see what was loaded). Small files run at once; large ones go to Celery and the admin shows the
progress. Either way `import_job_run` does the work: the whole file is checked, and only a file
without a single bad row is stored — in one transaction.
"""

import logging
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import DEFAULT_DB_ALIAS, OperationalError, connection, connections, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ..models import AuditAction, ImportJob
from ..services.audit import audit_record
from .formats import FileError, count_rows, open_table, write_csv, write_xlsx
from .importer import Issue, Outcome, import_table
from .resources import RESOURCES, resource_for

logger = logging.getLogger(__name__)

# Above this many rows a file is imported by a Celery worker, with a progress bar; below, at once.
INLINE_MAX_ROWS = getattr(settings, "EXCHANGE_INLINE_MAX_ROWS", 2000)
EXPORT_FORMATS = ("csv", "xlsx")


def resource_check(*, resource: str, user, action: str) -> None:
    """Raise unless `resource` exists and `user` may import (add and change) or export (view) its model.

    `user=None` is the system itself: management commands and scheduled exchanges.
    """
    if resource not in RESOURCES:
        raise ValueError(_("Неизвестный вид данных «%(name)s».") % {"name": resource})
    if user is None:
        return
    model = RESOURCES[resource]._meta.model._meta
    needed = ("add", "change") if action == "import" else ("view",)
    if not user.has_perms([f"{model.app_label}.{verb}_{model.model_name}" for verb in needed]):
        raise PermissionDenied(_("Нет прав на эти данные."))


def import_file(*, resource: str, file, dry_run: bool, user, background: bool | None = None) -> ImportJob:
    """Store `file` as an import job of `resource` and run it: inline when small, in Celery when large.

    `background` forces one way (the command passes False to wait for the result).
    """
    resource_check(resource=resource, user=user, action="import")
    name = PurePath(getattr(file, "name", "") or "import").name
    job = ImportJob(resource=resource, original_name=name[:255], dry_run=dry_run, created_by=user)
    job.file.save(name, file, save=False)
    with job.file.open("rb") as stored:
        job.total_rows = count_rows(stored, name)
    job.save()
    return import_job_dispatch(job=job, background=background)


def import_job_confirm(*, job: ImportJob, user) -> ImportJob:
    """Load for real a file whose dry run passed: a new job over the same stored file."""
    resource_check(resource=job.resource, user=user, action="import")
    if not (job.dry_run and job.status == ImportJob.Status.PREVIEWED):
        raise ValueError(_("Загрузить можно только файл, проверка которого прошла без ошибок."))
    real = ImportJob.objects.create(
        resource=job.resource,
        file=job.file.name,
        original_name=job.original_name,
        dry_run=False,
        total_rows=job.total_rows,
        created_by=user,
    )
    return import_job_dispatch(job=real, background=None)


def import_job_dispatch(*, job: ImportJob, background: bool | None) -> ImportJob:
    if background is None:
        background = job.total_rows > INLINE_MAX_ROWS
    if not background:
        return import_job_run(job=job)
    from .tasks import import_job_run_task  # the task module imports this one

    transaction.on_commit(lambda: import_job_run_task.delay(job.pk))
    return job


def import_job_run(*, job: ImportJob) -> ImportJob:
    """Check the job's file whole and, unless it is a dry run, store it whole; the job keeps the result.

    Runs once: a job that is no longer queued (already run, or running elsewhere) is returned as it is.
    """
    claimed = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.RUNNING, processed_rows=0
    )
    if not claimed:
        job.refresh_from_db()
        return job
    job.status = ImportJob.Status.RUNNING
    progress = JobProgress(job)
    try:
        outcome = run_file(job, progress)
    except OperationalError:
        ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.QUEUED)
        raise  # the database went away: the task retries the whole job later
    except Exception:
        logger.exception("Import job %s crashed", job.pk)
        return job_finish(job, status=ImportJob.Status.CRASHED, outcome=crash_outcome())
    finally:
        progress.close()
    return job_finish(job, status=status_after(job, outcome), outcome=outcome)


def run_file(job: ImportJob, progress) -> Outcome:
    # Messages are stored once and read by every staff member: in the site's language, not the caller's.
    with translation.override(settings.LANGUAGE_CODE), job.file.open("rb") as stored:
        try:
            table = open_table(stored, job.original_name)
        except FileError as error:
            return Outcome(issues=[Issue(None, "", job.original_name, str(error))])
        resource = resource_for(job.resource)
        return import_table(
            resource=resource,
            table=table,
            dry_run=job.dry_run,
            progress=progress,
            on_written=lambda outcome: import_audit(job=job, title=str(resource.title), outcome=outcome),
        )


def import_audit(*, job: ImportJob, title: str, outcome: Outcome) -> None:
    """«Загрузка данных»: one entry per file that was stored (never per row), with what it did."""
    audit_record(
        actor=job.created_by,
        action=AuditAction.IMPORT,
        summary=_("Загружен файл «%(name)s» (%(title)s): строк %(rows)s, добавлено %(created)s, обновлено %(updated)s")
        % {
            "name": job.original_name,
            "title": title,
            "rows": outcome.total,
            "created": outcome.created,
            "updated": outcome.updated,
        },
        subject=job,
        changes={
            _("Данные"): title,
            _("Файл"): job.original_name,
            _("Строк"): outcome.total,
            _("Добавлено"): outcome.created,
            _("Обновлено"): outcome.updated,
        },
    )


def crash_outcome() -> Outcome:
    with translation.override(settings.LANGUAGE_CODE):
        message = _("Сбой при загрузке: ничего не сохранено. Сообщите администратору и повторите позже.")
    return Outcome(issues=[Issue(None, "", "", message)])


def status_after(job: ImportJob, outcome: Outcome) -> str:
    if not outcome.ok:
        return ImportJob.Status.FAILED
    return ImportJob.Status.PREVIEWED if job.dry_run else ImportJob.Status.DONE


def job_finish(job: ImportJob, *, status: str, outcome: Outcome) -> ImportJob:
    job.status = status
    job.total_rows = outcome.total
    job.processed_rows = outcome.total
    # A preview says how many rows the real load would add and change; a failed file changed none.
    job.created_rows = outcome.created if outcome.ok else 0
    job.updated_rows = outcome.updated if outcome.ok else 0
    job.errors = [issue.as_dict() for issue in outcome.issues]
    job.finished_at = timezone.now()
    job.save()
    return job


class JobProgress:
    """Moves `ImportJob.processed_rows` after every batch, so the admin's progress bar moves.

    While the rows are being written the importer holds a transaction; an update made inside it would
    stay invisible until the commit. On PostgreSQL the progress then goes through a second connection.
    """

    def __init__(self, job: ImportJob):
        self.job = job
        self.nested = connection.in_atomic_block  # called inside someone's transaction (tests): keep to it
        self.side = None

    def __call__(self, done: int, units: int, total: int) -> None:
        processed = total * done // units if units else 0
        if not connection.in_atomic_block or self.nested:
            ImportJob.objects.filter(pk=self.job.pk).update(processed_rows=processed, total_rows=total)
        elif connection.vendor == "postgresql":
            self.side_update(processed, total)

    def side_update(self, processed: int, total: int) -> None:
        if self.side is None:
            self.side = connections.create_connection(DEFAULT_DB_ALIAS)
        meta = ImportJob._meta
        quote = connection.ops.quote_name
        columns = [quote(meta.get_field(name).column) for name in ("processed_rows", "total_rows")]
        where = f"{quote(meta.pk.column)} = %s"
        sql = f"UPDATE {quote(meta.db_table)} SET {columns[0]} = %s, {columns[1]} = %s WHERE {where}"
        try:
            with self.side.cursor() as cursor:
                cursor.execute("SET lock_timeout = '2s'")  # never wait long for a progress figure
                cursor.execute(sql, [processed, total, self.job.pk])
        except Exception:  # progress is a courtesy; the import must not fail for it
            logger.warning("Import job %s: progress not recorded", self.job.pk, exc_info=True)

    def close(self) -> None:
        if self.side is not None:
            self.side.close()


def export_write(*, resource: str, fmt: str, stream, user=None) -> int:
    """Write every row of `resource` to the binary `stream` as CSV or XLSX; return the number of rows.

    The columns are the resource's, so the file imports back unchanged.
    """
    resource_check(resource=resource, user=user, action="export")
    if fmt not in EXPORT_FORMATS:
        raise ValueError(_("Выгрузка возможна в CSV или XLSX."))
    exporter = resource_for(resource)
    fields = exporter.get_export_fields()
    headers = [field.column_name for field in fields]
    counter = {"rows": 0}
    native = fmt == "xlsx"  # real dates and numbers in a workbook, text in CSV

    def rows():
        # What Field.export does, with each column's renderer prepared once instead of per cell.
        cells = [(field.get_value, field.widget.renderer(native)) for field in fields]
        for obj in exporter.export_queryset().iterator(chunk_size=2000):
            counter["rows"] += 1
            yield [render(value(obj)) for value, render in cells]

    with translation.override(settings.LANGUAGE_CODE):
        if fmt == "xlsx":
            write_xlsx(stream, headers, rows(), title=str(exporter.title))
        else:
            write_csv(stream, headers, rows())
    return counter["rows"]


def export_template(*, resource: str, stream) -> None:
    """An empty XLSX with the resource's headers: the blank form for a new file."""
    resource_check(resource=resource, user=None, action="export")
    exporter = resource_for(resource)
    write_xlsx(stream, [field.column_name for field in exporter.get_export_fields()], [], title=str(exporter.title))


def export_filename(*, resource: str, fmt: str) -> str:
    return f"{resource}-{timezone.localdate():%Y-%m-%d}.{fmt}"
