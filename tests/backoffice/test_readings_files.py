"""The integral file (F-C2) and the bad files of issue 6: each refused with its cell and nothing stored."""

import datetime
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from backoffice.models import Meter, Reading
from backoffice.readings import files
from backoffice.readings.integral import COLUMNS, integral_template_write
from backoffice.services.readings import integral_file_store, integral_template_rows
from tests.backoffice.factories import ReadingFactory
from tests.readings import organisation_meter, upload, xls, xls_with_macros, xlsm, xlsx, zip_bomb

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 10)  # a legal entity sends October until 21 November


@pytest.fixture
def meter():
    meter = organisation_meter(serial="20300109", ratio="12000", losses="5")
    ReadingFactory(meter=meter, value=Decimal("12441"), taken_on=datetime.date(2026, 9, 30))
    return meter


def everyone(serials):
    return {meter.serial: meter for meter in Meter.objects.filter(serial__in=serials)}


def load(data: bytes, name: str = "pokazaniya.xlsx", find_meters=everyone):
    return integral_file_store(file=upload(name, data), name=name, find_meters=find_meters, today=TODAY)


def template_rows(meter, current=None):
    return [
        list(COLUMNS),
        [
            meter.metering_point.energy_object.code,
            "Цех № 1",
            "Действующий",
            meter.serial,
            "ТП-15",
            "А+",
            "Круглосуточная",
            12441,
            current,
        ],
    ]


def issues(outcome) -> list[str]:
    return [str(issue) for issue in outcome.issues]


def test_the_template_has_the_nine_columns_and_a_row_per_register(meter):
    two_zone = organisation_meter(zone_set="two", quantities=["A+", "A-"])
    stream = io.BytesIO()
    integral_template_write(stream, rows=integral_template_rows(meters=[meter, two_zone], today=TODAY))

    sheet = load_workbook(io.BytesIO(stream.getvalue())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == (
        "Код ЭО",
        "Наименование ЭО",
        "Статус ЭО",
        "Номер ПУ",
        "Наименование ИК",
        "Измеряемая величина",
        "Шкала",
        "Предыдущие показания",
        "Текущие показания",
    )
    assert rows[1][3:] == ("20300109", "ТП-15, ввод 1", "А+", "Круглосуточная", 12441, None)
    assert [(row[3], row[5], row[6]) for row in rows[2:]] == [
        (two_zone.serial, "А+", "День"),
        (two_zone.serial, "А+", "Ночь"),
        (two_zone.serial, "А−", "День"),
        (two_zone.serial, "А−", "Ночь"),
    ]


def test_the_filled_template_is_stored(meter):
    stream = io.BytesIO()
    integral_template_write(stream, rows=integral_template_rows(meters=[meter], today=TODAY))
    workbook = load_workbook(io.BytesIO(stream.getvalue()))
    workbook.active["I2"] = "12442,00"
    filled = io.BytesIO()
    workbook.save(filled)

    outcome = load(filled.getvalue())

    assert outcome.ok, issues(outcome)
    reading = Reading.objects.get(meter=meter, taken_on=datetime.date(2026, 10, 31))
    assert reading.value == Decimal("12442")
    assert outcome.stored[0].consumption == Decimal("12600.000")  # 1 × 12 000 × 1,05


def test_an_old_xls_is_read_too(meter):
    outcome = load(xls(template_rows(meter, current=12443.5)), name="pokazaniya.xls")

    assert outcome.ok, issues(outcome)
    assert Reading.objects.get(meter=meter, taken_on=datetime.date(2026, 10, 31)).value == Decimal("12443.5")


def test_rows_without_current_values_are_left_out(meter):
    other = organisation_meter()
    rows = template_rows(meter, current=12442)
    rows.append(["", "", "", other.serial, "", "А+", "Круглосуточная", None, None])

    outcome = load(xlsx(rows))

    assert outcome.ok and [item.meter for item in outcome.stored] == [meter]
    assert not Reading.objects.filter(meter=other).exists()


def test_a_rollover_and_a_reason_in_their_optional_columns(meter):
    meter.readings.update(value=Decimal("999990"))
    rows = template_rows(meter, current=5)
    rows[0] += ["Переход через ноль"]
    rows[1] += ["да"]

    outcome = load(xlsx(rows))

    assert outcome.ok, issues(outcome)
    assert "перешёл через ноль" in Reading.objects.get(meter=meter, value=5).reason


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        (
            "pokazaniya.xlsx",
            b"\xef\xbb\xbf\xd0\x9a\xd0\xbe\xd0\xb4 \xd0\xad\xd0\x9e;\n1;2\n",
            "Это текстовый файл (например, CSV), а не книга Excel",
        ),
        (
            "pokazaniya.xls",
            b"<!DOCTYPE html><html><body><table><tr><td>1</td></tr></table></body></html>",
            "Это веб-страница (HTML), а не книга Excel",
        ),
        ("pokazaniya.xlsx", zip_bomb(), "возможна «zip-бомба»"),
        ("pokazaniya.xlsx", b"%PDF-1.4 scan", "Это не книга Excel (файл — PDF)"),
        ("pokazaniya.xlsx", b"", "Файл пустой."),
        ("pokazaniya.xlsx", b"PK\x03\x04broken", "Не удалось прочитать книгу Excel: файл повреждён."),
    ],
    ids=["renamed-csv", "html", "zip-bomb", "pdf", "empty", "broken-zip"],
)
def test_a_file_that_is_no_workbook_is_refused_by_its_contents(meter, name, data, message):
    outcome = load(data, name=name)

    assert len(outcome.issues) == 1 and message in outcome.issues[0].message
    assert not Reading.objects.filter(meter=meter, taken_on__gte=datetime.date(2026, 10, 1)).exists()


@pytest.mark.parametrize("maker", [xls_with_macros, xlsm], ids=["xls-with-macros", "xlsm-renamed"])
def test_a_workbook_with_macros_is_refused(meter, maker):
    name = "pokazaniya.xls" if maker is xls_with_macros else "pokazaniya.xlsx"

    outcome = load(maker(template_rows(meter, current=12442)), name=name)

    assert issues(outcome) == ["В книге есть макросы: сохраните её без макросов как «Книга Excel (.xlsx)»."]
    assert not Reading.objects.filter(meter=meter, taken_on__gte=datetime.date(2026, 10, 1)).exists()


def test_a_file_above_the_size_limit(meter, monkeypatch):
    monkeypatch.setattr(files, "MAX_BYTES", 1024)
    data = xlsx(template_rows(meter, current=12442) + [["x" * 50] * 9 for _ in range(200)])

    assert issues(load(data)) == ["Файл больше 1,0\xa0КБ: разделите его на несколько."]


def test_a_file_with_more_rows_than_allowed(meter, monkeypatch):
    monkeypatch.setattr(files, "MAX_ROWS", 5)
    rows = template_rows(meter, current=12442) + [["", "", "", meter.serial, "", "А+", "День", None, None]] * 6

    assert issues(load(xlsx(rows))) == ["В файле больше 5 строк: разделите его на несколько."]


def test_a_wrong_and_a_missing_header_with_their_cells(meter):
    rows = template_rows(meter, current=12442)
    rows[0][8] = "Показания сейчас"

    assert issues(load(xlsx(rows))) == [
        "I1: Неизвестный столбец «Показания сейчас». Ожидаются: «Номер ПУ», «Измеряемая величина», «Шкала», "
        "«Текущие показания».",
        "строка 1: Нет обязательного столбца «Текущие показания».",
    ]


def test_a_repeated_column(meter):
    rows = template_rows(meter, current=12442)
    rows[0].append("Номер ПУ")
    rows[1].append(meter.serial)

    assert issues(load(xlsx(rows))) == ["J1: Столбец «Номер ПУ» повторяется: он уже в ячейке D1."]


def test_every_bad_cell_is_reported_with_its_address_and_nothing_is_stored(meter):
    good = organisation_meter()
    rows = template_rows(meter, current="двенадцать")
    rows += [
        ["", "", "", good.serial, "", "А+", "Круглосуточная", None, 100],
        ["", "", "", meter.serial, "", "Б+", "Круглосуточная", None, 1],
        ["", "", "", "99999999", "", "А+", "Круглосуточная", None, 1],
    ]

    outcome = load(xlsx(rows))

    assert issues(outcome) == ["F4: Неизвестная измеряемая величина «Б+»: ожидается А+ или А−."]
    rows.pop(3)
    assert issues(load(xlsx(rows))) == ["строка 4: Прибор учёта № 99999999 не найден."]
    rows.pop(3)
    assert issues(load(xlsx(rows))) == ["I2: Введите число: цифры и разделитель «,» или «.»."]
    assert not Reading.objects.filter(meter=good).exists()


@pytest.mark.parametrize(
    ("current", "message"),
    [
        (-5, "I2: Показание не может быть отрицательным."),
        (1234567, "I2: Не больше 6 цифр до запятой и 2 после: значность прибора учёта 6,2."),
        (12441.555, "I2: Не больше 6 цифр до запятой и 2 после: значность прибора учёта 6,2."),
        (
            12000,
            "I2: Показание меньше предыдущего (012\xa0441,00 от 30.09.2026). Если счётчик дошёл до "
            "999\xa0999,99 и начал считать с нуля, напишите «да» в столбце «Переход через ноль».",
        ),
    ],
)
def test_the_rules_of_the_screen_apply_to_the_file(meter, current, message):
    assert issues(load(xlsx(template_rows(meter, current=current)))) == [message]


def test_a_missing_zone_of_a_meter_is_reported_at_its_cell(db):
    meter = organisation_meter(zone_set="two")
    rows = [
        list(COLUMNS),
        ["", "", "", meter.serial, "", "А+", "День", None, 100],
        ["", "", "", meter.serial, "", "А+", "Ночь", None, None],
    ]

    assert issues(load(xlsx(rows))) == ["I3: Заполните поле"]


def test_a_meter_the_sender_cannot_reach_does_not_exist(meter):
    outcome = load(xlsx(template_rows(meter, current=12442)), find_meters=lambda serials: {})

    assert issues(outcome) == ["строка 2: Прибор учёта № 20300109 не найден."]


def test_an_empty_template_is_told_so(meter):
    assert issues(load(xlsx(template_rows(meter)))) == ["В файле не заполнены «Текущие показания»."]
    assert issues(load(xlsx([list(COLUMNS)]))) == ["В файле нет строк с приборами учёта: только заголовок."]


def test_a_zone_the_meter_does_not_have(meter):
    rows = template_rows(meter, current=12442)
    rows[1][6] = "День"

    assert issues(load(xlsx(rows))) == ["строка 2: У прибора учёта № 20300109 нет шкалы «А+ День»."]


def test_a_row_repeated(meter):
    rows = template_rows(meter, current=12442)
    rows.append(list(rows[1]))

    assert issues(load(xlsx(rows))) == ["строка 3: Строка повторяет строку 2: прибор учёта, величина и шкала те же."]


def test_implausible_rows_ask_for_the_reason_column(meter):
    for month in (6, 7, 8):
        ReadingFactory(meter=meter, value=Decimal(12441 - 3 * (9 - month)), taken_on=datetime.date(2026, month, 30))

    outcome = load(xlsx(template_rows(meter, current=12541)))

    (issue,) = outcome.issues
    assert issue.address == "строка 2"
    assert issue.message.endswith("Укажите причину в столбце «Причина большого расхода».")
    rows = template_rows(meter, current=12541)
    rows[0].append("Причина большого расхода")
    rows[1].append("Запуск новой линии")
    assert load(xlsx(rows)).ok
    assert Reading.objects.get(meter=meter, value=12541).reason == "Запуск новой линии"
