"""Exports (F-D8): the same columns the import reads, so an exported file imports back unchanged."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from backoffice.exchange.resources import RESOURCES
from backoffice.exchange.services import export_write, import_file
from backoffice.models import ImportJob, Reading
from backoffice.models.choices import Quantity, ReadingKind, Zone, ZoneSet
from tests.backoffice import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def remove_uploaded_files(db):
    """Uploads are kept in the private storage; a test's files go with its jobs."""
    yield
    for name in set(ImportJob.objects.values_list("file", flat=True)):
        if name:
            ImportJob.file.field.storage.delete(name)


@pytest.fixture
def everything():
    """One of each: a household with a meter and readings, an organisation with its whole contract."""
    household = f.PersonalAccountFactory(number="100200300", registered=3, opened_on=datetime.date(2019, 5, 1))
    meter = f.MeterFactory(serial="874100", account=household, zone_set=ZoneSet.TWO, digits_fraction=1)
    f.ReadingFactory(meter=meter, zone=Zone.DAY, value=Decimal("1234.5"), taken_on=datetime.date(2020, 1, 25))
    f.ReadingFactory(meter=meter, zone=Zone.NIGHT, value=Decimal("99"), kind=ReadingKind.CONTROL)
    contract = f.ContractFactory(number="78010000000027", customer__phone="+78121234567", customer__email="a@b.example")
    f.ContractEmailFactory(contract=contract, email="energy@plant.example", agreement="ДС № 1 от 01.02.2020")
    energy_object = f.EnergyObjectFactory(contract=contract, code="780100000000270001")
    point = f.MeteringPointFactory(energy_object=energy_object, transformation_ratio=Decimal("40"))
    plant_meter = f.MeterFactory(
        serial="M-1", account=None, metering_point=point, quantities=[Quantity.ACTIVE_IN, Quantity.ACTIVE_OUT]
    )
    f.ReadingFactory(meter=plant_meter, quantity=Quantity.ACTIVE_OUT, value=Decimal("0.5"))
    f.TariffFactory(valid_from=datetime.date(2019, 1, 1), valid_to=datetime.date(2019, 12, 31), rate=Decimal("5.1"))
    f.TariffFactory(valid_from=datetime.date(2020, 1, 1), rate=Decimal("5.6"))
    f.DocumentFactory(account=household, number="К-1")
    f.DocumentFactory(account=None, contract=contract, number="С-1", amount=Decimal("-10"), amount_due=0)
    f.PaymentFactory(account=household, number="000123")
    return {"household": household, "meter": meter, "contract": contract}


def exported(resource: str, fmt: str) -> bytes:
    stream = io.BytesIO()
    export_write(resource=resource, fmt=fmt, stream=stream)
    return stream.getvalue()


def reimport(resource: str, data: bytes, fmt: str) -> ImportJob:
    upload = SimpleUploadedFile(f"{resource}.{fmt}", data)
    return import_file(resource=resource, file=upload, dry_run=False, user=None)


def csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def test_readings_csv_has_russian_headers_labels_dates_and_decimal_commas(everything):
    rows = csv_rows(exported("readings", "csv"))
    assert rows[0] == ["Номер ПУ", "Зона", "Величина", "Дата", "Показание", "Тип", "Источник", "Статус"]
    assert ["874100", "День", "А+", "25.01.2020", "1234,5", "Заявленные", "передано через ЛКК", "Принято"] in rows
    assert ["874100", "Ночь", "А+", "25.01.2020", "99", "Контрольные", "передано через ЛКК", "Принято"] in rows


def test_xlsx_has_real_dates_and_numbers_and_text_codes(everything):
    workbook = load_workbook(io.BytesIO(exported("readings", "xlsx")))
    sheet = workbook.active
    assert [cell.value for cell in sheet[1]] == ["Номер ПУ", "Зона", "Величина", "Дата", "Показание", "Тип"] + [
        "Источник",
        "Статус",
    ]
    day = next(row for row in sheet.iter_rows(min_row=2) if row[1].value == "День")
    assert day[0].value == "874100"  # a number-like code stays text
    assert day[3].value == datetime.datetime(2020, 1, 25) and day[3].number_format == "DD.MM.YYYY"
    assert day[4].value == 1234.5


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("resource", list(RESOURCES))
def test_an_exported_file_imports_back_unchanged(everything, resource, fmt):
    data = exported(resource, fmt)
    job = reimport(resource, data, fmt)
    assert job.status == ImportJob.Status.DONE, job.errors
    assert job.total_rows > 0
    assert (job.created_rows, job.updated_rows) == (0, 0)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exported_readings_restore_what_was_deleted(everything, fmt):
    columns = ("meter__serial", "zone", "quantity", "taken_on", "value", "kind", "source", "status")
    before = set(Reading.objects.values_list(*columns))
    data = exported("readings", fmt)
    Reading.objects.all().delete()
    job = reimport("readings", data, fmt)
    assert (job.status, job.created_rows) == (ImportJob.Status.DONE, len(before))
    assert set(Reading.objects.values_list(*columns)) == before


def test_export_command_writes_the_format_of_the_extension(everything, tmp_path):
    target = tmp_path / "readings.xlsx"
    out = io.StringIO()
    call_command("export_data", "readings", str(target), stdout=out)
    assert "Выгружено строк: 3" in out.getvalue()
    assert load_workbook(target).active.max_row == 4


def test_export_command_refuses_an_unknown_extension(tmp_path):
    with pytest.raises(CommandError, match="расширением .csv или .xlsx"):
        call_command("export_data", "readings", str(tmp_path / "readings.txt"))
