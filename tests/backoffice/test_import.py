"""Imports (F-D8): every bad row is reported with its row, column and a Russian reason; nothing half-stored."""

import datetime
import io
import time
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from backoffice.exchange import services
from backoffice.exchange.services import import_file
from backoffice.models import (
    Contract,
    ContractEmail,
    Customer,
    Document,
    EnergyObject,
    ImportJob,
    Meter,
    MeteringPoint,
    Payment,
    PersonalAccount,
    Reading,
    Tariff,
)
from backoffice.models.choices import CustomerKind, ReadingKind, ReadingSource, Zone, ZoneSet
from tests.backoffice import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def remove_uploaded_files(db):
    """Uploads are kept in the private storage; a test's files go with its jobs."""
    yield
    for name in set(ImportJob.objects.values_list("file", flat=True)):
        if name:
            ImportJob.file.field.storage.delete(name)


READING_HEADERS = ["Номер ПУ", "Зона", "Дата", "Показание"]


def csv_bytes(headers, rows, delimiter=";") -> bytes:
    return "\n".join(delimiter.join(map(str, line)) for line in [headers, *rows]).encode()


def run(resource, headers, rows, *, name="data.csv", dry_run=False) -> ImportJob:
    upload = SimpleUploadedFile(name, csv_bytes(headers, rows))
    return import_file(resource=resource, file=upload, dry_run=dry_run, user=None)


def run_bytes(resource, data: bytes, name: str, dry_run=False) -> ImportJob:
    return import_file(resource=resource, file=SimpleUploadedFile(name, data), dry_run=dry_run, user=None)


def errors_of(job) -> list[tuple]:
    return [(error["row"], error["column"], error["value"], error["message"]) for error in job.errors]


def only_error(job) -> dict:
    assert job.status == ImportJob.Status.FAILED
    assert len(job.errors) == 1, job.errors
    return job.errors[0]


@pytest.fixture
def meter():
    return f.MeterFactory(serial="874100", zone_set=ZoneSet.SINGLE, digits_integer=6, digits_fraction=2)


# --- a good file ---------------------------------------------------------------------------------


def test_good_file_stores_every_row(meter):
    two_zone = f.MeterFactory(serial="874200", zone_set=ZoneSet.TWO)
    job = run(
        "readings",
        READING_HEADERS,
        [
            ["874100", "Круглосуточная", "25.01.2020", "1234,5"],
            ["874200", "День", "25.01.2020", "100.25"],
            ["874200", "ночь", "25.01.2020", "1 050"],
        ],
    )
    assert job.status == ImportJob.Status.DONE, job.errors
    assert (job.total_rows, job.created_rows, job.updated_rows, job.processed_rows) == (3, 3, 0, 3)
    stored = {(r.meter.serial, r.zone, r.value) for r in Reading.objects.select_related("meter")}
    assert stored == {
        ("874100", Zone.ROUND_THE_CLOCK, Decimal("1234.5")),
        ("874200", Zone.DAY, Decimal("100.25")),
        ("874200", Zone.NIGHT, Decimal("1050")),
    }
    reading = Reading.objects.get(meter=meter)
    assert (reading.quantity, reading.kind, reading.source) == ("A+", ReadingKind.DECLARED, ReadingSource.IMPORT)
    assert reading.taken_on == datetime.date(2020, 1, 25)
    assert two_zone.readings.count() == 2


def test_choice_columns_take_the_russian_labels(meter):
    headers = [*READING_HEADERS, "Величина", "Тип", "Источник"]
    job = run("readings", headers, [["874100", "Круглосуточная", "25.01.2020", "10", "А+", "Контрольные", "АСКУЭ"]])
    assert job.status == ImportJob.Status.DONE, job.errors
    reading = Reading.objects.get()
    assert (reading.kind, reading.source) == (ReadingKind.CONTROL, ReadingSource.ASKUE)


def test_reimport_updates_the_row_with_the_same_natural_key(meter):
    f.ReadingFactory(meter=meter, taken_on=datetime.date(2020, 1, 25), value=Decimal("100"))
    job = run(
        "readings",
        READING_HEADERS,
        [["874100", "Круглосуточная", "25.01.2020", "150"], ["874100", "Круглосуточная", "25.02.2020", "200"]],
    )
    assert job.status == ImportJob.Status.DONE, job.errors
    assert (job.created_rows, job.updated_rows) == (1, 1)
    assert sorted(Reading.objects.values_list("value", flat=True)) == [Decimal("150"), Decimal("200")]


def test_unchanged_rows_are_neither_created_nor_updated(meter):
    f.ReadingFactory(meter=meter, taken_on=datetime.date(2020, 1, 25), value=Decimal("100"))
    job = run("readings", READING_HEADERS, [["874100", "Круглосуточная", "25.01.2020", "100,00"]])
    assert (job.status, job.created_rows, job.updated_rows, job.total_rows) == (ImportJob.Status.DONE, 0, 0, 1)


def test_dry_run_checks_and_counts_but_stores_nothing(meter):
    job = run("readings", READING_HEADERS, [["874100", "Круглосуточная", "25.01.2020", "10"]], dry_run=True)
    assert job.status == ImportJob.Status.PREVIEWED
    assert (job.total_rows, job.created_rows) == (1, 1)
    assert not Reading.objects.exists()


def test_csv_with_bom_comma_separator_and_blank_lines(meter):
    data = '\ufeffНомер ПУ,Зона,Дата,Показание\r\n874100,Круглосуточная,25.01.2020,"12,5"\r\n\r\n,,,\r\n'.encode()
    job = run_bytes("readings", data, "readings.csv")
    assert job.status == ImportJob.Status.DONE, job.errors
    assert Reading.objects.get().value == Decimal("12.5")


def test_csv_saved_by_russian_excel_in_windows_1251(meter):
    data = "Номер ПУ;Зона;Дата;Показание\n874100;Круглосуточная;25.01.2020;7\n".encode("cp1251")
    job = run_bytes("readings", data, "readings.csv")
    assert job.status == ImportJob.Status.DONE, job.errors


def xlsx_bytes(headers, rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def test_xlsx_with_real_dates_and_numbers(meter):
    data = xlsx_bytes(READING_HEADERS, [[874100, "Круглосуточная", datetime.datetime(2020, 1, 25), 1234.56]])
    job = run_bytes("readings", data, "readings.xlsx")
    assert job.status == ImportJob.Status.DONE, job.errors
    reading = Reading.objects.get()
    assert (reading.value, reading.taken_on) == (Decimal("1234.56"), datetime.date(2020, 1, 25))


def test_xlsx_errors_name_the_excel_row(meter):
    rows = [[874100, "Круглосуточная", "25.01.2020", 1], [874100, "Круглосуточная", "32.01.2020", 2]]
    job = run_bytes("readings", xlsx_bytes(READING_HEADERS, rows), "readings.xlsx")
    assert errors_of(job) == [(3, "Дата", "32.01.2020", "Такой даты нет в календаре.")]
    assert not Reading.objects.exists()


# --- every error path: the Russian reason, the row and column, and nothing stored -------------------


@pytest.mark.parametrize(
    ("date", "message"),
    [
        ("2020-01-25", "Неверная дата: нужен формат ДД.ММ.ГГГГ, например 25.01.2020."),
        ("31.02.2020", "Такой даты нет в календаре."),
    ],
)
def test_bad_date(meter, date, message):
    job = run(
        "readings", READING_HEADERS, [["874100", "Круглосуточная", "25.01.2020", "1"], ["874100", "День", date, "2"]]
    )
    error = only_error(job)
    assert (error["row"], error["column"], error["value"], error["message"]) == (3, "Дата", date, message)
    assert not Reading.objects.exists()


@pytest.mark.parametrize("value", ["abc", "1,234.5", "12,3,4"])
def test_bad_number(meter, value):
    job = run("readings", READING_HEADERS, [["874100", "Круглосуточная", "25.01.2020", value]])
    error = only_error(job)
    assert (error["row"], error["column"], error["value"]) == (2, "Показание", value)
    assert error["message"].startswith("Не число")
    assert not Reading.objects.exists()


def test_unknown_zone_label(meter):
    job = run("readings", READING_HEADERS, [["874100", "Вечер", "25.01.2020", "1"]])
    error = only_error(job)
    assert (error["row"], error["column"], error["value"]) == (2, "Зона", "Вечер")
    assert error["message"] == "Неизвестное значение. Допустимые: Круглосуточная, День, Ночь, Пик, Полупик."
    assert not Reading.objects.exists()


def test_unknown_meter(meter):
    job = run(
        "readings",
        READING_HEADERS,
        [["874100", "Круглосуточная", "25.01.2020", "1"], ["999", "День", "25.01.2020", "1"]],
    )
    assert errors_of(job) == [(3, "Номер ПУ", "999", "Прибор учёта № 999 не найден.")]
    assert not Reading.objects.exists()


def test_value_above_the_meter_capacity(meter):
    job = run("readings", READING_HEADERS, [["874100", "Круглосуточная", "25.01.2020", "1000000"]])
    assert errors_of(job) == [(2, "Показание", "1000000", "Показание не помещается в счётчик значностью 6,2.")]
    assert not Reading.objects.exists()


def test_more_decimals_than_the_meter_shows(meter):
    job = run("readings", READING_HEADERS, [["874100", "Круглосуточная", "25.01.2020", "10,123"]])
    assert errors_of(job) == [(2, "Показание", "10,123", "После запятой не больше 2 знаков.")]


def test_zone_the_meter_does_not_have(meter):
    job = run("readings", READING_HEADERS, [["874100", "День", "25.01.2020", "10"]])
    assert errors_of(job) == [(2, "Зона", "День", "У этого прибора учёта нет такой зоны.")]


def test_quantity_the_meter_does_not_measure(meter):
    job = run("readings", [*READING_HEADERS, "Величина"], [["874100", "Круглосуточная", "25.01.2020", "10", "R+"]])
    assert errors_of(job) == [(2, "Величина", "R+", "Этот прибор учёта не измеряет величину R+.")]


def test_negative_value(meter):
    job = run("readings", READING_HEADERS, [["874100", "Круглосуточная", "25.01.2020", "-5"]])
    error = only_error(job)
    assert (error["row"], error["column"]) == (2, "Показание")
    assert error["message"] == "Убедитесь, что это значение больше либо равно 0."


def test_duplicate_rows_in_one_file(meter):
    rows = [["874100", "Круглосуточная", "25.01.2020", "1"], ["874100", "круглосуточная", "25.01.2020", "2"]]
    job = run("readings", READING_HEADERS, rows)
    error = only_error(job)
    assert error["row"] == 3
    assert error["column"] == "Номер ПУ, Зона, Величина, Дата"
    assert error["message"] == "Повтор строки 2: тот же ключ (Номер ПУ, Зона, Величина, Дата)."
    assert not Reading.objects.exists()


def test_blank_required_cell(meter):
    job = run("readings", READING_HEADERS, [["874100", "Круглосуточная", "", "1"]])
    assert errors_of(job) == [(2, "Дата", "", "Заполните ячейку: столбец обязателен.")]


def test_missing_column(meter):
    job = run("readings", ["Номер ПУ", "Зона", "Дата"], [["874100", "Круглосуточная", "25.01.2020"]])
    assert errors_of(job) == [(1, "Показание", "", "Нет обязательного столбца «Показание».")]
    assert job.total_rows == 0
    assert not Reading.objects.exists()


def test_unknown_column(meter):
    job = run("readings", [*READING_HEADERS, "Комментарий"], [["874100", "Круглосуточная", "25.01.2020", "1", "—"]])
    error = only_error(job)
    assert (error["row"], error["column"]) == (1, "Комментарий")
    assert error["message"].startswith("Неизвестный столбец. Ожидаются: Номер ПУ, Зона, Величина, Дата, Показание")


def test_headers_ignore_case_spaces_and_yo(meter):
    job = run(
        "readings", ["номер  пу", "ЗОНА", "дата", "Показание*"], [["874100", "Круглосуточная", "25.01.2020", "1"]]
    )
    assert job.status == ImportJob.Status.DONE, job.errors


def test_every_bad_row_is_reported_and_nothing_is_stored(meter):
    rows = [
        ["874100", "Круглосуточная", "25.01.2020", "1"],
        ["874100", "Круглосуточная", "25.13.2020", "x"],
        ["nope", "Круглосуточная", "25.02.2020", "1"],
        ["874100", "Круглосуточная", "25.03.2020", "5"],
        ["874100", "Круглосуточная", "25.04.2020", "9999999"],
    ]
    job = run("readings", READING_HEADERS, rows)
    assert [(error["row"], error["column"]) for error in job.errors] == [
        (3, "Дата"),
        (3, "Показание"),
        (4, "Номер ПУ"),
        (6, "Показание"),
    ]
    assert (job.created_rows, job.updated_rows) == (0, 0)
    assert not Reading.objects.exists()


def test_empty_file(meter):
    job = run_bytes("readings", b"", "readings.csv")
    assert errors_of(job) == [(None, "", "readings.csv", "Файл пустой.")]


def test_header_without_rows(meter):
    job = run_bytes("readings", "Номер ПУ;Зона;Дата;Показание\n".encode(), "readings.csv")
    assert only_error(job)["message"] == "В файле нет строк с данными: только заголовок."


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("readings.xlsx", "Номер ПУ;Зона\n1;2\n".encode(), "Файл назван .xlsx, но это не книга Excel"),
        ("readings.csv", b"PK\x03\x04 not really", "Файл назван .csv, но это книга Excel"),
        ("readings.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "Поддерживаются файлы .csv и .xlsx."),
        ("readings.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "Старый формат Excel (.xls) не поддерживается"),
        ("readings.txt", b"hello", "Поддерживаются файлы .csv и .xlsx."),
        ("readings.xlsx", b"PK\x03\x04broken zip", "Не удалось прочитать книгу Excel"),
        ("readings.csv", b"\x00\x01\x02binary", "Файл не похож на текст CSV"),
    ],
)
def test_wrong_file_type_or_contents(meter, name, data, message):
    job = run_bytes("readings", data, name)
    error = only_error(job)
    assert error["message"].startswith(message)
    assert error["value"] == name
    assert not Reading.objects.exists()


# --- rules of other resources --------------------------------------------------------------------

TARIFF_HEADERS = ["Код группы потребителей", "Зона", "Величина тарифа, ₽/кВт·ч", "Дата начала действия"]
TARIFF_HEADERS = [*TARIFF_HEADERS, "Дата окончания действия"]


def test_tariff_overlapping_a_stored_one():
    f.TariffFactory(valid_from=datetime.date(2019, 1, 1), valid_to=datetime.date(2019, 12, 31))
    job = run("tariffs", TARIFF_HEADERS, [["population", "Круглосуточная", "5,5", "01.07.2019", ""]])
    assert errors_of(job) == [
        (2, "Дата начала действия", "01.07.2019", "На эти даты у группы уже есть тариф по этой зоне.")
    ]
    assert Tariff.objects.count() == 1


def test_tariffs_overlapping_each_other_in_the_file():
    f.HouseholdGroupFactory()
    rows = [
        ["population", "Круглосуточная", "5", "01.01.2020", "30.06.2020"],
        ["population", "Круглосуточная", "6", "01.06.2020", ""],
        ["population", "День", "7", "01.06.2020", ""],
    ]
    job = run("tariffs", TARIFF_HEADERS, rows)
    assert [(error["row"], error["message"]) for error in job.errors] == [
        (2, "Период пересекается с тарифом в строке 3."),
        (3, "Период пересекается с тарифом в строке 2."),
    ]
    assert not Tariff.objects.exists()


def test_tariffs_in_sequence_and_a_change_of_rate():
    stored = f.TariffFactory(valid_from=datetime.date(2019, 1, 1), valid_to=None)
    rows = [
        ["population", "Круглосуточная", "5,10", "01.01.2019", "31.12.2019"],
        ["population", "Круглосуточная", "5,60", "01.01.2020", ""],
    ]
    job = run("tariffs", TARIFF_HEADERS, rows)
    assert job.status == ImportJob.Status.DONE, job.errors
    assert (job.created_rows, job.updated_rows) == (1, 1)
    stored.refresh_from_db()
    assert (stored.rate, stored.valid_to) == (Decimal("5.10"), datetime.date(2019, 12, 31))


def test_tariff_ending_before_it_starts():
    f.HouseholdGroupFactory()
    job = run("tariffs", TARIFF_HEADERS, [["population", "День", "5", "01.07.2020", "01.01.2020"]])
    assert errors_of(job) == [(2, "Дата окончания действия", "01.01.2020", "Дата окончания раньше даты начала.")]


EO_HEADERS = ["Код ЭО", "Номер договора", "Наименование ЭО", "Адрес", "Статус ЭО"]


def test_energy_object_code_must_start_with_its_contract_number():
    contract = f.ContractFactory(number="78010000000027")
    rows = [
        ["780100000000270001", contract.number, "Цех № 1", "", "Действующий"],
        ["780200000000270002", contract.number, "Цех № 2", "", "Действующий"],
        ["7801000000002700", contract.number, "Цех № 3", "", "Действующий"],
    ]
    job = run("energy_objects", EO_HEADERS, rows)
    assert errors_of(job) == [
        (3, "Код ЭО", "780200000000270002", "Код ЭО начинается с номера договора 78010000000027."),
        (4, "Код ЭО", "7801000000002700", "Код энергообъекта — 18 цифр: номер договора и ещё четыре."),
    ]
    assert not EnergyObject.objects.exists()


def test_energy_objects_of_a_contract():
    contract = f.ContractFactory(number="78010000000027")
    job = run("energy_objects", EO_HEADERS, [["780100000000270001", contract.number, "Цех № 1", "ул. Заводская", ""]])
    assert job.status == ImportJob.Status.DONE, job.errors
    assert EnergyObject.objects.get().status == EnergyObject.Status.ACTIVE  # blank → the default


CUSTOMER_HEADERS = ["ИНН", "КПП", "Полное наименование", "Краткое наименование", "Код группы потребителей"]
CUSTOMER_HEADERS = [*CUSTOMER_HEADERS, "ОГРН", "Юридический адрес"]


def test_organisations_by_inn_and_kpp():
    f.OrganisationGroupFactory()
    existing = f.OrganisationFactory(inn="7801000001", kpp="780101001", full_name="Старое")
    rows = [
        ["7801000001", "780101001", "ООО «Новое имя»", "", "other-consumers", "", ""],
        ["7801000001", "780201001", "Филиал", "", "other-consumers", "", ""],
        ["780100000212", "", "ИП Сидоров", "", "other-consumers", "", ""],
    ]
    job = run("customers", CUSTOMER_HEADERS, rows)
    assert job.status == ImportJob.Status.DONE, job.errors
    assert (job.created_rows, job.updated_rows) == (2, 1)
    existing.refresh_from_db()
    assert existing.full_name == "ООО «Новое имя»"
    assert Customer.objects.get(inn="780100000212").kind == CustomerKind.ORGANISATION


def test_organisation_with_a_household_group_and_a_bad_inn():
    f.HouseholdGroupFactory()
    f.OrganisationGroupFactory()
    rows = [
        ["123", "", "ООО «Ромашка»", "", "other-consumers", "", ""],
        ["7801000002", "", "ООО", "", "population", "", ""],
    ]
    job = run("customers", CUSTOMER_HEADERS, rows)
    assert errors_of(job) == [
        (2, "ИНН", "123", "ИНН — 10 цифр у организации или 12 у предпринимателя."),
        (3, "Код группы потребителей", "population", "Эта группа потребителей — для физических лиц."),
    ]


ACCOUNT_HEADERS = ["Номер ЛС", "Фамилия", "Имя", "Отчество", "Код группы потребителей", "Адрес", "Отделение"]
ACCOUNT_HEADERS = [*ACCOUNT_HEADERS, "Общая площадь, м²", "Жилая площадь, м²", "Комнат", "Проживающих", "Тип плиты"]


def test_accounts_come_with_their_household_owner():
    f.HouseholdGroupFactory()
    branch = f.BranchFactory(name="Центральное")
    existing = f.PersonalAccountFactory(number="100200300", customer__last_name="Старова")
    rows = [
        ["100200300", "Новова", "Анна", "", "population", "ул. Садовая, 1", "Центральное", "54,3", "", "2", "2", ""],
        ["100200301", "Иванов", "Пётр", "Ильич", "population", "ул. Садовая, 2", "", "", "", "", "1", "Электрическая"],
    ]
    job = run("accounts", ACCOUNT_HEADERS, rows)
    assert job.status == ImportJob.Status.DONE, job.errors
    assert (job.created_rows, job.updated_rows) == (1, 1)
    existing.refresh_from_db()
    assert (existing.customer.last_name, existing.branch, existing.total_area) == ("Новова", branch, Decimal("54.3"))
    new = PersonalAccount.objects.select_related("customer").get(number="100200301")
    assert (new.customer.kind, new.customer.last_name, new.customer.middle_name) == ("person", "Иванов", "Ильич")
    assert (new.cooker, new.branch) == ("electric", None)


CONTRACT_HEADERS = ["Номер договора", "ИНН организации", "КПП организации", "Дата заключения", "Отделение"]
CONTRACT_HEADERS = [*CONTRACT_HEADERS, "Куратор", "Ценовая категория", "Действует"]


def test_contracts_find_the_organisation_by_inn_and_kpp_and_the_curator_in_the_branch():
    organisation = f.OrganisationFactory(inn="7801000001", kpp="780101001")
    curator = f.CuratorFactory(full_name="Лебедева О. И.", branch=f.BranchFactory(name="Северное"))
    rows = [
        ["78010000000001", "7801000001", "780101001", "01.02.2019", "Северное", "Лебедева О. И.", "III", "Да"],
        ["78010000000002", "7801000001", "780201001", "", "Северное", "", "I", "Нет"],
        ["78010000000003", "7801000001", "780101001", "", "Южное", "", "I", "Да"],
    ]
    job = run("contracts", CONTRACT_HEADERS, rows)
    assert errors_of(job) == [
        (3, "ИНН организации", "7801000001", "Организация с ИНН/КПП 7801000001 / 780201001 не найдена."),
        (4, "Отделение", "Южное", "Отделение «Южное» не найдено."),
    ]
    job = run("contracts", CONTRACT_HEADERS, rows[:1])
    assert job.status == ImportJob.Status.DONE, job.errors
    contract = Contract.objects.get()
    assert (contract.customer, contract.curator, contract.price_category) == (organisation, curator, 3)


def test_contract_emails_are_lower_case_and_checked():
    contract = f.ContractFactory(number="78010000000001")
    headers = ["Номер договора", "E-mail", "Где указан", "Соглашение"]
    job = run(
        "contract_emails",
        headers,
        [["78010000000001", "Energy@Plant.example", "", ""], ["78010000000001", "нет", "", ""]],
    )
    assert errors_of(job) == [(3, "E-mail", "нет", "Введите правильный адрес электронной почты.")]
    job = run("contract_emails", headers, [["78010000000001", "Energy@Plant.example", "Реквизиты сторон", ""]])
    assert job.status == ImportJob.Status.DONE, job.errors
    assert ContractEmail.objects.get(contract=contract).email == "energy@plant.example"


def test_metering_points_and_meters_of_an_organisation():
    eo = f.EnergyObjectFactory(contract=f.ContractFactory(number="78010000000001"), code="780100000000010001")
    job = run(
        "metering_points",
        ["Код ЭО", "Наименование ИК", "Коэффициент трансформации", "Потери, %"],
        [[eo.code, "ТП-15, ввод 1", "40", "1,5"], [eo.code, "ТП-15, ввод 2", "0", "100"]],
    )
    assert [(error["row"], error["column"]) for error in job.errors] == [
        (3, "Коэффициент трансформации"),
        (3, "Потери, %"),
    ]
    job = run(
        "metering_points",
        ["Код ЭО", "Наименование ИК", "Коэффициент трансформации", "Потери, %"],
        [[eo.code, "ТП-15, ввод 1", "40", "1,5"]],
    )
    assert job.status == ImportJob.Status.DONE, job.errors
    point = MeteringPoint.objects.get()
    assert (point.transformation_ratio, point.losses_percent) == (Decimal("40"), Decimal("1.5"))

    headers = ["Номер ПУ", "Модель ПУ", "Номер ЛС", "Код ЭО", "Наименование ИК", "Тарифность", "Измеряемые величины"]
    headers = [*headers, "Разрядов до запятой", "Разрядов после запятой", "Дата установки"]
    rows = [
        ["M-1", "Меркурий 230", "", eo.code, "ТП-15, ввод 1", "Двухтарифный", "А+, А−", "6", "2", "01.02.2019"],
        ["M-2", "Меркурий 230", "", "", "", "Однотарифный", "", "6", "2", ""],
    ]
    job = run("meters", headers, rows)
    assert errors_of(job) == [
        (3, "Номер ЛС", "", "Прибор учёта стоит либо на лицевом счёте, либо на измерительном комплексе.")
    ]
    job = run("meters", headers, rows[:1])
    assert job.status == ImportJob.Status.DONE, job.errors
    meter = Meter.objects.get()
    assert (meter.metering_point, meter.zone_set, meter.quantities) == (point, ZoneSet.TWO, ["A+", "A-"])


DOCUMENT_HEADERS = ["Номер", "Тип документа", "Номер ЛС", "Номер договора", "Период", "Вид реализации"]
DOCUMENT_HEADERS = [*DOCUMENT_HEADERS, "Дата документа", "Сумма документа", "К оплате", "Дата задолженности"]


def test_documents_need_one_owner_and_a_due_amount_within_the_sum():
    account = f.PersonalAccountFactory(number="100200300")
    contract = f.ContractFactory(number="78010000000001")
    rows = [
        [
            "К-1",
            "Квитанция",
            account.number,
            "",
            "01.01.2020",
            "Основная реализация",
            "01.02.2020",
            "643,20",
            "643,20",
            "",
        ],
        ["К-2", "Квитанция", account.number, contract.number, "01.01.2020", "", "01.02.2020", "10", "5", ""],
        ["К-3", "Квитанция", account.number, "", "15.01.2020", "", "01.02.2020", "10", "20", ""],
    ]
    job = run("documents", DOCUMENT_HEADERS, rows)
    assert errors_of(job) == [
        (3, "Номер ЛС", account.number, "Укажите либо лицевой счёт, либо договор."),
        (4, "Период", "15.01.2020", "Период — первое число месяца."),
        (4, "К оплате", "20", "К оплате больше суммы документа."),
    ]
    job = run("documents", DOCUMENT_HEADERS, rows[:1])
    assert job.status == ImportJob.Status.DONE, job.errors
    assert Document.objects.get().amount_due == Decimal("643.20")
    assert account.balances.get().amount == Decimal("643.20")  # the saldo follows the imported debt


def test_payments_by_number_date_and_payer():
    account = f.PersonalAccountFactory(number="100200300")
    headers = ["Номер платежа", "Дата платежа", "Номер ЛС", "Номер договора", "Сумма", "Не распределено"]
    headers = [*headers, "Способ", "Банк", "Назначение"]
    rows = [
        ["000123", "05.02.2020", account.number, "", "665,60", "665,60", "Банк", "ПАО «Демо-Банк»", "Оплата"],
        ["000124", "05.02.2020", account.number, "", "0", "0", "Почта России", "", ""],
    ]
    job = run("payments", headers, rows)
    assert errors_of(job) == [(3, "Сумма", "0", "Сумма платежа больше нуля.")]
    job = run("payments", headers, rows[:1])
    assert job.status == ImportJob.Status.DONE, job.errors
    job = run("payments", headers, [[*rows[0][:5], "0", *rows[0][6:]]])
    assert (job.created_rows, job.updated_rows) == (0, 1)
    assert Payment.objects.get().unallocated == Decimal("0")


# --- background work and progress ----------------------------------------------------------------


def test_large_files_run_in_celery_with_progress(meter, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(services, "INLINE_MAX_ROWS", 2)
    monkeypatch.setattr("backoffice.exchange.importer.BATCH", 2)
    monkeypatch.setattr("backoffice.exchange.writers.BATCH", 2)
    seen = []
    original = services.JobProgress.__call__
    monkeypatch.setattr(
        services.JobProgress, "__call__", lambda self, *args: seen.append(args) or original(self, *args)
    )
    rows = [["874100", "Круглосуточная", f"{day:02d}.01.2020", str(day)] for day in range(1, 6)]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job = run("readings", READING_HEADERS, rows)
        assert job.status == ImportJob.Status.QUEUED  # handed to the worker, not run in the request
    assert len(callbacks) == 1
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE, job.errors
    assert (job.processed_rows, job.total_rows, job.percent) == (5, 5, 100)
    assert [args[0] for args in seen] == [2, 4, 5, 7, 9, 10]  # three batches checked, then written
    assert Reading.objects.count() == 5


def test_the_task_runs_a_job_once(meter):
    from backoffice.exchange.tasks import import_job_run_task

    job = run("readings", READING_HEADERS, [["874100", "Круглосуточная", "25.01.2020", "1"]])
    assert import_job_run_task(job.pk) == ImportJob.Status.DONE  # redelivered: nothing happens again
    assert Reading.objects.count() == 1
    assert import_job_run_task(10**9) == "missing"


def test_a_crash_is_recorded_and_nothing_is_stored(meter, monkeypatch):
    def explode(plan):
        raise RuntimeError("boom")

    monkeypatch.setattr("backoffice.exchange.resources.ReadingResource.after_write", lambda self, plan: explode(plan))
    job = run("readings", READING_HEADERS, [["874100", "Круглосуточная", "25.01.2020", "1"]])
    assert job.status == ImportJob.Status.CRASHED
    assert job.errors[0]["message"].startswith("Сбой при загрузке: ничего не сохранено.")
    assert not Reading.objects.exists()


def test_staff_without_rights_cannot_import(meter):
    from django.core.exceptions import PermissionDenied

    from tests.factories import UserFactory

    with pytest.raises(PermissionDenied):
        import_file(
            resource="readings",
            file=SimpleUploadedFile("r.csv", csv_bytes(READING_HEADERS, [])),
            dry_run=True,
            user=UserFactory(is_staff=True),
        )
    assert not ImportJob.objects.exists()


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_large_file_travels_through_redis_to_a_worker(monkeypatch, redis_worker):
    """With a broker the job leaves the request: a real worker checks and stores it."""
    import backoffice.exchange.tasks  # noqa: F401  the worker must know the task

    f.MeterFactory(serial="874100")
    monkeypatch.setattr(services, "INLINE_MAX_ROWS", 1)
    rows = [["874100", "Круглосуточная", f"{day:02d}.01.2020", str(day)] for day in range(1, 4)]
    job = run("readings", READING_HEADERS, rows)
    for _attempt in range(100):
        job.refresh_from_db()
        if job.status not in (ImportJob.Status.QUEUED, ImportJob.Status.RUNNING):
            break
        time.sleep(0.1)
    assert job.status == ImportJob.Status.DONE, job.errors
    assert Reading.objects.count() == 3
