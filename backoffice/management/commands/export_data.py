"""`manage.py export_data RESOURCE FILE`: write every row of a resource to CSV or XLSX (by the extension)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from backoffice.exchange.formats import extension_of
from backoffice.exchange.resources import RESOURCES
from backoffice.exchange.services import EXPORT_FORMATS, export_write


class Command(BaseCommand):
    help = "Выгрузить данные в CSV или XLSX (формат — по расширению файла); файл загружается обратно без правок."

    def add_arguments(self, parser):
        parser.add_argument("resource", choices=sorted(RESOURCES), help="вид данных")
        parser.add_argument("file", help="путь к файлу .csv или .xlsx")

    def handle(self, *args, resource, file, **options):
        path = Path(file)
        fmt = extension_of(path.name)
        if fmt not in EXPORT_FORMATS:
            raise CommandError(_("Укажите файл с расширением .csv или .xlsx."))
        with path.open("wb") as stream:
            rows = export_write(resource=resource, fmt=fmt, stream=stream)
        self.stdout.write(self.style.SUCCESS(_("Выгружено строк: %(rows)s → %(path)s") % {"rows": rows, "path": path}))
