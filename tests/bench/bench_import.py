"""Import of 100 000 readings through the real service (F-D8), in rows per second.

The file covers 2 000 meters × 50 monthly dates far in the future, so every row is new and nothing
real is touched: existing meters are used first, the missing ones are created in bulk, and whatever
the benchmark created is deleted at the end. The figure is the median of a few runs of
`import_file` (storing the file, checking every row, writing in one transaction). For comparison,
django-import-export's own import of the same resource is measured on a slice of the file
(BENCH_IMPORT_LIBRARY_ROWS, 2 000 by default; 0 skips it), row by row and in its bulk mode.
"""

import datetime
import os
import statistics
import time
from decimal import Decimal

import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from backoffice.exchange.resources import ReadingResource
from backoffice.exchange.services import import_file
from backoffice.models import Branch, Customer, CustomerGroup, ImportJob, Meter, PersonalAccount, Reading
from backoffice.models.choices import CustomerKind, ZoneSet

ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "100000"))
METERS = 2000
RUNS = int(os.environ.get("BENCH_IMPORT_RUNS", "3"))
LIBRARY_ROWS = int(os.environ.get("BENCH_IMPORT_LIBRARY_ROWS", "2000"))
FIRST_DATE = datetime.date(2090, 1, 25)
HEADERS = ["Номер ПУ", "Зона", "Величина", "Дата", "Показание", "Тип", "Источник", "Статус"]
ZONE_LABELS = {"round_the_clock": "Круглосуточная", "day": "День", "peak": "Пик"}


def run() -> dict:
    created = {}
    try:
        meters = bench_meters(created)
        lines = reading_lines(meters)
        data = csv_bytes(lines)
        rates = [import_once(data, meters) for _ in range(RUNS)]
        results = {
            "import.readings_rows_per_s": {"value": round(statistics.median(rates)), "unit": "rows/s"},
            "import.readings_rows": {"value": len(lines), "unit": "rows"},
            "import.readings_runs": {"value": len(rates), "unit": "runs"},
        }
        if LIBRARY_ROWS:
            results.update(library_rates(lines[:LIBRARY_ROWS], meters))
        return results
    finally:
        clean_up(created)


# --- data ---------------------------------------------------------------------------------------


def bench_meters(created: dict) -> list[Meter]:
    """Up to METERS meters that exist and measure А+; the missing ones are created under one invented account."""
    meters = usable_meters()
    missing = METERS - len(meters)
    if missing > 0:
        account = bench_account(created)
        new = [
            Meter(serial=f"BENCH-{number:06d}", model="Бенч-1", account=account, zone_set=ZoneSet.SINGLE)
            for number in range(missing)
        ]
        Meter.objects.bulk_create(new, batch_size=2000)
        created["meters"] = list(Meter.objects.filter(serial__startswith="BENCH-").values_list("pk", flat=True))
        meters = usable_meters()
    return meters


def usable_meters() -> list[Meter]:
    return [meter for meter in Meter.objects.order_by("pk")[: METERS * 2] if "A+" in meter.measured][:METERS]


def bench_account(created: dict) -> PersonalAccount:
    group, created["group"] = CustomerGroup.objects.get_or_create(
        code="bench-import", defaults={"name": "Бенчмарк импорта", "customer_kind": CustomerKind.PERSON}
    )
    branch, created["branch"] = Branch.objects.get_or_create(name="Бенчмарк импорта")
    customer = Customer.objects.create(kind=CustomerKind.PERSON, group=group, last_name="Бенчмарков")
    account = PersonalAccount.objects.create(number="999999999999", customer=customer, branch=branch, address="—")
    created.update(customer=customer, account=account)
    return account


def reading_lines(meters: list[Meter]) -> list[list[str]]:
    """Rows meter by meter, date by date; values grow and fit every meter's capacity."""
    dates = -(-ROWS // len(meters))
    lines = []
    for meter in meters:
        zone = ZONE_LABELS[meter.zones[0]]
        step = min(Decimal(10), meter.max_value / (dates + 1))
        places = Decimal(1).scaleb(-meter.digits_fraction)
        for month in range(dates):
            if len(lines) == ROWS:
                return lines
            taken_on = add_months(FIRST_DATE, month)
            value = str((step * (month + 1)).quantize(places, rounding="ROUND_DOWN")).replace(".", ",")
            lines.append([meter.serial, zone, "А+", f"{taken_on:%d.%m.%Y}", value, "Заявленные", "АСКУЭ", "Принято"])
    return lines


def add_months(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    return day.replace(year=day.year + month // 12, month=month % 12 + 1)


def csv_bytes(lines: list[list[str]]) -> bytes:
    return ("\n".join(";".join(line) for line in [HEADERS, *lines]) + "\n").encode()


# --- measurements -------------------------------------------------------------------------------


def import_once(data: bytes, meters: list[Meter]) -> float:
    delete_bench_readings(meters)
    started = time.perf_counter()
    job = import_file(
        resource="readings", file=SimpleUploadedFile("bench.csv", data), dry_run=False, user=None, background=False
    )
    elapsed = time.perf_counter() - started
    assert job.status == ImportJob.Status.DONE, job.errors[:5]
    assert job.created_rows == job.total_rows, (job.created_rows, job.total_rows)
    rate = job.total_rows / elapsed
    delete_bench_readings(meters)
    job.file.delete(save=False)
    job.delete()
    return rate


def library_rates(lines: list[list[str]], meters: list[Meter]) -> dict:
    """django-import-export's own import of the same columns and rows: row by row, then in its bulk mode.

    With the library's defaults, i.e. without `full_clean` per row: it checks less than our engine does.
    """

    class LibraryDefault(ReadingResource):
        class Meta:
            clean_model_instances = False
            skip_unchanged = False

    class LibraryBulk(LibraryDefault):
        class Meta:
            use_bulk = True
            batch_size = 1000

    results = {}
    for name, resource_class in (("default", LibraryDefault), ("bulk", LibraryBulk)):
        delete_bench_readings(meters)
        dataset = tablib.Dataset(*lines, headers=HEADERS)
        started = time.perf_counter()
        result = resource_class().import_data(dataset, dry_run=False, raise_errors=True, use_transactions=True)
        elapsed = time.perf_counter() - started
        assert not result.has_errors() and not result.has_validation_errors()
        results[f"import.library_{name}_rows_per_s"] = {"value": round(len(lines) / elapsed), "unit": "rows/s"}
    delete_bench_readings(meters)
    return results


def delete_bench_readings(meters: list[Meter]) -> None:
    Reading.objects.filter(meter__in=meters, taken_on__gte=FIRST_DATE).delete()


def clean_up(created: dict) -> None:
    with transaction.atomic():
        if created.get("meters"):
            Reading.objects.filter(meter_id__in=created["meters"]).delete()
            Meter.objects.filter(pk__in=created["meters"]).delete()
        for name in ("account", "customer"):
            if created.get(name):
                created[name].delete()
        if created.get("group"):
            CustomerGroup.objects.filter(code="bench-import").delete()
        if created.get("branch"):
            Branch.objects.filter(name="Бенчмарк импорта").delete()
