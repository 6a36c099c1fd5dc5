"""Builders for the readings tests: meters with a history, and every kind of file a customer may send, generated."""

import calendar
import datetime
import io
import struct
import zipfile
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from backoffice.models.choices import ReadingKind, Zone
from backoffice.readings.interval import HOURS
from tests.backoffice.factories import (
    ContractFactory,
    EnergyObjectFactory,
    MeterFactory,
    MeteringPointFactory,
    ReadingFactory,
)

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx(rows, *, title="Лист1") -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(list(row))
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def xls(rows) -> bytes:
    """An Excel 97–2003 workbook, as an old office saves it."""
    import xlwt

    book = xlwt.Workbook()
    sheet = book.add_sheet("Лист1")
    date_style = xlwt.easyxf(num_format_str="DD.MM.YYYY")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, datetime.date):
                sheet.write(r, c, value, date_style)
            elif isinstance(value, Decimal):
                sheet.write(r, c, float(value))
            else:
                sheet.write(r, c, value)
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()


def xls_with_macros(rows) -> bytes:
    """An .xls whose compound file holds the VBA storage Excel writes for macros («_VBA_PROJECT_CUR»)."""
    data = bytearray(xls(rows))
    sector_shift = struct.unpack_from("<H", data, 0x1E)[0]
    sector = 1 << sector_shift
    directory = 512 + struct.unpack_from("<l", data, 0x30)[0] * sector
    name = "_VBA_PROJECT_CUR\x00".encode("utf-16-le")
    entry = directory + 2 * 128  # the first free directory entry xlwt leaves
    data[entry : entry + 128] = b"\x00" * 128
    data[entry : entry + len(name)] = name
    struct.pack_into("<H", data, entry + 64, len(name))
    data[entry + 66] = 1  # a storage
    data[entry + 67] = 1  # black
    struct.pack_into("<lll", data, entry + 68, -1, -1, -1)
    struct.pack_into("<l", data, directory + 128 + 72, 2)  # «Workbook»'s right sibling: the VBA storage
    return bytes(data)


def xlsm(rows) -> bytes:
    """A macro-enabled workbook (a vbaProject.bin inside), renamed to .xlsx."""
    source = io.BytesIO(xlsx(rows))
    out = io.BytesIO()
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in original.infolist():
            target.writestr(item, original.read(item.filename))
        target.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0VBA" + b"\x00" * 512)
    return out.getvalue()


def zip_bomb() -> bytes:
    """A «workbook» of a few kilobytes that unpacks to megabytes of zeros."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * (8 * 1024 * 1024))
    return out.getvalue()


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=XLSX_TYPE)


def interval_rows(period: datetime.date, *, value=1, days: int | None = None):
    """The matrix of seed 001 table 2: «Время», the hours, every date of the month, `value` everywhere."""
    length = days or calendar.monthrange(period.year, period.month)[1]
    dates = [period.replace(day=day) for day in range(1, length + 1)]
    return [["Время", *dates], *([hour, *([value] * len(dates))] for hour in HOURS)]


def organisation_meter(*, category=3, serial=None, ratio="1", losses="0", zone_set="single", quantities=None, **meter):
    """A meter at a metering point of an energy object of a new contract (a legal entity's window: 1st–21st)."""
    contract = ContractFactory(price_category=category)
    site = EnergyObjectFactory(contract=contract, code=f"{contract.number}0001", name="Цех № 1")
    point = MeteringPointFactory(
        energy_object=site, transformation_ratio=Decimal(ratio), losses_percent=Decimal(losses)
    )
    fields = {"account": None, "metering_point": point, "zone_set": zone_set, "quantities": quantities or ["A+"]}
    if serial:
        fields["serial"] = serial
    return MeterFactory(**fields, **meter)


def monthly_history(meter, *, start: datetime.date, months: int, step: Decimal, value=Decimal("1000"), zone=None):
    """One declared reading on the 25th of each month, `step` apart: a steady history for plausibility."""
    zones = [zone] if zone else list(meter.zones)
    for index in range(months):
        month = start.month - 1 + index
        day = datetime.date(start.year + month // 12, month % 12 + 1, 25)
        for zone_value in zones:
            ReadingFactory(
                meter=meter, zone=zone_value, value=value + step * index, taken_on=day, kind=ReadingKind.DECLARED
            )
    return value + step * (months - 1)


ROUND = Zone.ROUND_THE_CLOCK
