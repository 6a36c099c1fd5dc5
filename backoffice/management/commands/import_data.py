"""`manage.py import_data RESOURCE FILE [--dry-run]`: load a CSV/XLSX file the way the admin does."""

from pathlib import Path

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from backoffice.exchange.resources import RESOURCES
from backoffice.exchange.services import import_file
from backoffice.models import ImportJob


class Command(BaseCommand):
    help = (
        "Загрузить файл CSV или XLSX. Файл проверяется целиком; при любой ошибке ничего не сохраняется, "
        "команда печатает все ошибки и завершается с ненулевым кодом."
    )

    def add_arguments(self, parser):
        parser.add_argument("resource", choices=sorted(RESOURCES), help="вид данных")
        parser.add_argument("file", help="путь к файлу .csv или .xlsx")
        parser.add_argument("--dry-run", action="store_true", help="только проверить, ничего не сохранять")

    def handle(self, *args, resource, file, dry_run, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("Файл не найден: %(path)s") % {"path": path})
        with path.open("rb") as handle:
            job = import_file(
                resource=resource, file=File(handle, name=path.name), dry_run=dry_run, user=None, background=False
            )
        for error in job.errors:
            self.stderr.write(describe(error))
        if job.status not in (ImportJob.Status.DONE, ImportJob.Status.PREVIEWED):
            message = _("%(status)s: ошибок %(count)s, ничего не сохранено.")
            raise CommandError(message % {"status": job.get_status_display(), "count": len(job.errors)})
        self.stdout.write(self.style.SUCCESS(summary(job)))


def describe(error: dict) -> str:
    """One line per problem: where (row, column, value) and why."""
    where = [_("строка %(row)s") % {"row": error["row"]} if error.get("row") else _("файл")]
    if error.get("column"):
        where.append(_("столбец «%(column)s»") % {"column": error["column"]})
    if error.get("value"):
        where.append(_("значение «%(value)s»") % {"value": error["value"]})
    return f"{', '.join(where)}: {error['message']}"


def summary(job: ImportJob) -> str:
    numbers = {
        "total": job.total_rows,
        "created": job.created_rows,
        "updated": job.updated_rows,
        "unchanged": job.total_rows - job.created_rows - job.updated_rows,
    }
    if job.dry_run:
        message = _(
            "Проверено строк: %(total)s, ошибок нет. При загрузке будет добавлено %(created)s, "
            "обновлено %(updated)s, без изменений %(unchanged)s."
        )
    else:
        message = _(
            "Загружено строк: %(total)s: добавлено %(created)s, обновлено %(updated)s, без изменений %(unchanged)s."
        )
    return message % numbers
