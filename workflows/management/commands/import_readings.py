"""`manage.py import_readings --kind integral|interval [--meter SERIAL] FILE`: the portal's readings files for staff
and scripts, under the same rules (F-C2, F-C3).

- `--kind integral`: the integral file of seed 001 §5.2 (the nine columns of «Шаблон интегральных показаний»);
  its meters are found by «Номер ПУ» among all meters, or only `--meter`'s when given;
- `--kind interval --meter SERIAL`: the hourly profile of one meter; it becomes a «Первичный акт» «В ожидании».

The file is checked whole; on any problem nothing is stored, every problem is printed with its cell and the exit
code is 1.
"""

from pathlib import Path

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from backoffice.models import Meter
from backoffice.models.choices import ReadingSource
from backoffice.readings.files import FileInvalid
from backoffice.readings.interval import IntervalKind
from backoffice.services.readings import integral_file_store

from ...services.interval_acts import interval_act_submit

SOURCES = {"import": ReadingSource.IMPORT, "askue": ReadingSource.ASKUE, "inspector": ReadingSource.INSPECTOR}


class Command(BaseCommand):
    help = (
        "Загрузить файл показаний (.xls или .xlsx) по правилам личного кабинета: интегральные по договору или "
        "интервальные по прибору учёта. При любой ошибке ничего не сохраняется, команда печатает все ошибки с "
        "адресами ячеек и завершается с ненулевым кодом."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="путь к файлу .xls или .xlsx")
        parser.add_argument("--kind", required=True, choices=("integral", "interval"), help="вид файла")
        parser.add_argument("--meter", help="номер ПУ: обязателен для интервальных показаний")
        parser.add_argument(
            "--reading-kind",
            default=IntervalKind.RAW,
            choices=IntervalKind.values,
            help="вид интервальных показаний: raw — без КТ и без потерь (по умолчанию), ratio, ratio_losses",
        )
        parser.add_argument("--source", default="import", choices=sorted(SOURCES), help="источник показаний")

    def handle(self, *args, file, kind, meter, reading_kind, source, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("Файл не найден: %(path)s") % {"path": path})
        today = timezone.localdate()
        with path.open("rb") as handle:
            upload = File(handle, name=path.name)
            upload.size = path.stat().st_size
            if kind == "interval":
                self._interval(upload, path.name, meter, reading_kind, SOURCES[source], today)
            else:
                self._integral(upload, path.name, meter, SOURCES[source], today)

    def _fail(self, issues) -> None:
        for issue in issues:
            self.stderr.write(str(issue))
        raise CommandError(_("Ошибок: %(count)s. Ничего не сохранено.") % {"count": len(issues)})

    def _integral(self, upload, name, serial, source, today):
        def find_meters(serials):
            meters = Meter.objects.filter(serial__in=serials)
            if serial:
                meters = meters.filter(serial=serial)
            return {meter.serial: meter for meter in meters}

        outcome = integral_file_store(
            file=upload, name=name, find_meters=find_meters, user=None, source=source, today=today
        )
        if not outcome.ok:
            self._fail(outcome.issues)
        stored = outcome.stored
        registers = sum(len(item.registers) for item in stored)
        self.stdout.write(
            self.style.SUCCESS(
                _("Показания сохранены: приборов учёта %(meters)s, показаний %(registers)s.")
                % {"meters": len(stored), "registers": registers}
            )
        )

    def _interval(self, upload, name, serial, reading_kind, source, today):
        if not serial:
            raise CommandError(_("Для интервальных показаний укажите прибор учёта: --meter НОМЕР."))
        meter = Meter.objects.filter(serial=serial).first()
        if meter is None:
            raise CommandError(_("Прибор учёта № %(serial)s не найден.") % {"serial": serial})
        try:
            act = interval_act_submit(
                meter=meter, file=upload, name=name, kind=reading_kind, user=None, source=source, today=today
            )
        except FileInvalid as invalid:
            self._fail(invalid.issues)
        self.stdout.write(
            self.style.SUCCESS(
                _("Первичный акт № %(pk)s за %(period)s: %(state)s, расход интерв. %(consumption)s кВт·ч.")
                % {
                    "pk": act.pk,
                    "period": act.period.strftime("%m.%Y"),
                    "state": act.get_state_display(),
                    "consumption": act.consumption,
                }
            )
        )
