"""«Показания» in the portal (F-C1…F-C4): what a customer sees, types, uploads and finds in the history."""

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from backoffice.models import Meter, Reading
from backoffice.models.choices import MeterStatus, ReadingKind, ZoneSet
from backoffice.readings.integral import COLUMNS
from tests.backoffice.factories import (
    EnergyObjectFactory,
    MeterFactory,
    MeteringPointFactory,
    PersonalAccountFactory,
    ReadingFactory,
)
from tests.factories import UserFactory
from tests.querycount import assert_queries_flat
from tests.readings import interval_rows, organisation_meter, upload, xlsx
from tests.selfservice.cabinet import Role, give_role, link_account
from workflows.models import IntervalAct

pytestmark = pytest.mark.django_db
READINGS = reverse("selfservice:readings")


@pytest.fixture
def in_november(time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 20, 12, 0), tick=False)


@pytest.fixture
def in_legal_window(time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 10, 12, 0), tick=False)


@pytest.fixture
def household(user):
    account = PersonalAccountFactory(number="100000001", address="г. Энергоград, ул. Садовая, д. 5, кв. 12")
    meter = MeterFactory(account=account, serial="874100", model="СОЭЭ 6706")
    ReadingFactory(meter=meter, value=Decimal("29816"), taken_on=datetime.date(2026, 10, 20))
    link_account(user, account)
    return meter


@pytest.fixture
def company_meter(user):
    meter = organisation_meter(serial="20300109", ratio="12000", losses="5")
    site = meter.metering_point.energy_object
    site.address = "г. Санкт-Петербург, п. Парголово, Комендантский пр., д.140"
    site.save()
    ReadingFactory(meter=meter, value=Decimal("12441"), taken_on=datetime.date(2026, 9, 30))
    give_role(user, site.contract, Role.ENERGETIC)
    return meter


# --- The household's block (seed 000 §3.4) -------------------------------------------------------------------


def test_the_household_block(signed_in_client, household, in_november):
    page = signed_in_client.get(READINGS).content.decode()

    assert "Прибор учета: (СОЭЭ 6706 №874100)" in page
    assert "Последние показания от" in page and "20.10.2026" in page and "029\xa0816,00" in page
    assert "Необходимо заявить показания" in page
    assert "Круглосуточные:" in page
    assert "До окончания периода передачи: 6 дней" in page


def test_calculate_shows_the_consumption_and_stores_nothing(signed_in_client, household, in_november):
    response = signed_in_client.post(
        READINGS, {f"m{household.pk}-ap-round_the_clock": "29925,5", "action": "calculate"}
    )

    page = response.content.decode()
    assert "Рассчитанные показания счётчика" in page and "109,5" in page
    assert not Reading.objects.filter(meter=household, taken_on=datetime.date(2026, 11, 20)).exists()


def test_send_stores_and_says_readings_saved(signed_in_client, household, in_november):
    response = signed_in_client.post(
        READINGS, {f"m{household.pk}-ap-round_the_clock": "29925.5", "action": "submit"}, follow=True
    )

    assert "Показания сохранены" in response.content.decode()
    reading = Reading.objects.get(meter=household, taken_on=datetime.date(2026, 11, 20))
    assert (reading.value, reading.submitted_by) == (Decimal("29925.5"), response.wsgi_request.user)
    page = signed_in_client.get(READINGS).content.decode()
    assert "Показания переданы 20.11.2026" in page and "Необходимо заявить показания" not in page
    assert 'value="29925,50"' in page  # shown in the input until the period closes


def test_an_error_stays_next_to_its_input(signed_in_client, household, in_november):
    response = signed_in_client.post(READINGS, {f"m{household.pk}-ap-round_the_clock": "15", "action": "submit"})

    page = response.content.decode()
    assert "Показания не переданы: проверьте поля, отмеченные ниже." in page
    assert "Показание меньше предыдущего" in page
    assert 'aria-invalid="true"' in page
    assert "Счётчик перешёл через ноль" in page  # the tick is offered
    assert not Reading.objects.filter(meter=household, value=15).exists()


def test_an_implausible_consumption_asks_for_the_reason(signed_in_client, user, in_november):
    account = PersonalAccountFactory()
    meter = MeterFactory(account=account)
    link_account(user, account)
    for month in range(5, 11):
        ReadingFactory(meter=meter, value=Decimal(1000 + 100 * month), taken_on=datetime.date(2026, month, 20))
    name = f"m{meter.pk}-ap-round_the_clock"

    page = signed_in_client.post(READINGS, {name: "5000", "action": "calculate"}).content.decode()
    assert "Причина большого расхода" in page and "намного больше обычного" in page

    signed_in_client.post(READINGS, {name: "5000", "action": "submit", f"m{meter.pk}-reason": "Гостили родственники"})
    assert Reading.objects.get(meter=meter, value=5000).reason == "Гостили родственники"


def test_outside_the_window_the_inputs_are_disabled(signed_in_client, household, time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 27, 9, 0), tick=False)

    page = signed_in_client.get(READINGS).content.decode()

    assert "Сейчас показания передать нельзя. Передача откроется через 18 дней: с 15.12.2026" in page
    assert "disabled" in page and "Необходимо заявить показания" not in page


def test_an_unconfirmed_email_cannot_send(client, household, in_november, user):
    user.email_confirmed_at = None
    user.save()
    client.force_login(user)

    response = client.post(READINGS, {f"m{household.pk}-ap-round_the_clock": "29900", "action": "submit"})

    assert response.status_code == 302
    assert not Reading.objects.filter(meter=household, value=29900).exists()


def test_home_offers_to_send_readings(signed_in_client, household, in_november):
    page = signed_in_client.get(reverse("selfservice:home")).content.decode()

    assert "Передать показания" in page and "Необходимо заявить показания" in page


# --- An organisation's contract (seed 001 §5.1) --------------------------------------------------------------


def test_the_contract_page(signed_in_client, company_meter, in_legal_window):
    page = signed_in_client.get(READINGS).content.decode()

    assert "Комендантский пр., д.140" in page
    assert f"ЭО № {company_meter.metering_point.energy_object.code}" in page
    assert "Ожидание" in page
    assert "Расчётный коэф. 12000" in page and "Потери 5%" in page
    assert "ПУ 20300109" in page
    assert "012\xa0441,00" in page and "за сентябрь 2026" in page
    assert "Передача показаний за октябрь 2026 года доступна с 1 октября 2026 года по 21 ноября 2026 года" in page


def test_the_contract_sends_and_shows_the_tick(signed_in_client, company_meter, in_legal_window):
    name = f"m{company_meter.pk}-ap-round_the_clock"

    page = signed_in_client.post(READINGS, {name: "12442", "action": "calculate"}).content.decode()
    assert "12\xa0600" in page  # «Расход»: 1 × 12 000 × 1,05

    response = signed_in_client.post(READINGS, {name: "12442", "action": "submit"}, follow=True)
    page = response.content.decode()
    assert "Показания сохранены" in page
    assert "Показания переданы" in page and "readings-tick" in page
    assert Reading.objects.get(meter=company_meter, value=12442).taken_on == datetime.date(2026, 10, 31)


def test_the_transfer_filter(signed_in_client, company_meter, in_legal_window):
    other_site = EnergyObjectFactory(contract=company_meter.metering_point.energy_object.contract, address="Склад")
    other = MeterFactory(account=None, metering_point=MeteringPointFactory(energy_object=other_site), serial="555001")
    ReadingFactory(meter=other, value=5, taken_on=datetime.date(2026, 10, 31))

    waiting = signed_in_client.get(READINGS + "?transfer=waiting").content.decode()
    sent = signed_in_client.get(READINGS + "?transfer=sent").content.decode()

    assert "ПУ 20300109" in waiting and "ПУ 555001" not in waiting
    assert "ПУ 555001" in sent and "ПУ 20300109" not in sent


def test_a_role_limited_to_one_energy_object_sees_only_it(client, company_meter, in_legal_window):
    contract = company_meter.metering_point.energy_object.contract
    other_site = EnergyObjectFactory(contract=contract, address="Склад готовой продукции")
    MeterFactory(account=None, metering_point=MeteringPointFactory(energy_object=other_site), serial="555002")
    colleague = UserFactory()
    give_role(colleague, contract, Role.ENERGETIC, energy_objects=[other_site])
    client.force_login(colleague)

    page = client.get(READINGS).content.decode()
    assert "ПУ 555002" in page and "ПУ 20300109" not in page

    client.post(READINGS, {f"m{company_meter.pk}-ap-round_the_clock": "12442", "action": "submit"})
    assert not Reading.objects.filter(meter=company_meter, value=12442).exists()


def test_an_accountant_has_no_readings(client, company_meter, in_legal_window):
    accountant = UserFactory()
    give_role(accountant, company_meter.metering_point.energy_object.contract, Role.ACCOUNTANT)
    client.force_login(accountant)

    page = client.get(READINGS).content.decode()

    assert "ПУ 20300109" not in page
    assert (
        client.get(READINGS + f"?contract={company_meter.metering_point.energy_object.contract.number}").status_code
        == 404
    )


def test_a_blocked_meter_has_no_input(signed_in_client, company_meter, in_legal_window):
    Meter.objects.filter(pk=company_meter.pk).update(status=MeterStatus.BLOCKED)

    page = signed_in_client.get(READINGS).content.decode()

    assert "Передача недоступна" in page
    assert re.search(rf'name="m{company_meter.pk}-ap-round_the_clock"[^>]*\sdisabled', page)


def test_interval_consumption_and_delta_on_the_page(signed_in_client, company_meter, in_legal_window):
    ReadingFactory(meter=company_meter, value=Decimal("12442"), taken_on=datetime.date(2026, 10, 31))
    signed_in_client.post(
        reverse("selfservice:readings_upload"),
        {
            "contract": company_meter.metering_point.energy_object.contract.number,
            "type": "interval",
            "meter": company_meter.pk,
            "kind": "ratio_losses",
            "file": upload("interval.xlsx", xlsx(interval_rows(datetime.date(2026, 10, 1), value=Decimal("18.5")))),
        },
    )
    assert IntervalAct.objects.get().consumption == Decimal("13764.000")  # 744 × 18,5

    page = signed_in_client.get(READINGS).content.decode()

    assert "Расход интерв." in page and "13\xa0764" in page
    assert "−1\xa0164" in page  # «Дельта»: 12 600 − 13 764


def test_the_page_costs_the_same_queries_for_one_or_many_meters(signed_in_client, company_meter, in_legal_window):
    point = company_meter.metering_point

    def add_meters(count):
        for _ in range(count):
            meter = MeterFactory(account=None, metering_point=point, zone_set=ZoneSet.TWO)
            ReadingFactory(meter=meter, zone="day", value=10, taken_on=datetime.date(2026, 9, 30))

    signed_in_client.get(READINGS)  # the first request of a session fills caches (content types, settings)
    assert_queries_flat(signed_in_client, READINGS, add_rows=add_meters, max_queries=25)


def test_someone_elses_contract_is_a_404(signed_in_client, company_meter, in_legal_window):
    stranger_meter = organisation_meter()

    response = signed_in_client.get(
        READINGS + f"?contract={stranger_meter.metering_point.energy_object.contract.number}"
    )

    assert response.status_code == 404


def test_a_posted_meter_of_someone_else_is_ignored(signed_in_client, company_meter, in_legal_window):
    stranger_meter = organisation_meter()

    signed_in_client.post(READINGS, {f"m{stranger_meter.pk}-ap-round_the_clock": "10", "action": "submit"})

    assert not Reading.objects.filter(meter=stranger_meter).exists()


# --- «Загрузить показания файлом» ---------------------------------------------------------------------------

UPLOAD = reverse("selfservice:readings_upload")


def test_the_upload_page_shows_the_window_and_the_template(signed_in_client, company_meter, in_legal_window):
    page = signed_in_client.get(UPLOAD).content.decode()

    assert "Загрузить показания файлом" in page and "Интегральные по договору" in page
    assert "Шаблон интегральных показаний" in page
    assert "Передача показаний за октябрь 2026 года доступна с 1 октября 2026 года по 21 ноября 2026 года" in page


def test_the_integral_template_downloads(signed_in_client, company_meter, in_legal_window):
    number = company_meter.metering_point.energy_object.contract.number

    response = signed_in_client.get(reverse("selfservice:readings_integral_template", args=[number]))

    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [cell.value for cell in sheet[1]] == list(COLUMNS)
    assert sheet["D2"].value == "20300109" and sheet["H2"].value == 12441


def test_an_integral_upload_is_stored(signed_in_client, company_meter, in_legal_window):
    number = company_meter.metering_point.energy_object.contract.number
    rows = [list(COLUMNS), ["", "", "", "20300109", "", "А+", "Круглосуточная", 12441, "12442,5"]]

    response = signed_in_client.post(
        UPLOAD, {"contract": number, "type": "integral", "file": upload("f.xlsx", xlsx(rows))}
    )

    assert response.status_code == 302
    assert Reading.objects.get(meter=company_meter, value=Decimal("12442.5"))


def test_a_bad_upload_shows_the_report(signed_in_client, company_meter, in_legal_window):
    number = company_meter.metering_point.energy_object.contract.number
    rows = [list(COLUMNS), ["", "", "", "20300109", "", "А+", "Круглосуточная", 12441, "-1"]]

    response = signed_in_client.post(
        UPLOAD, {"contract": number, "type": "integral", "file": upload("f.xlsx", xlsx(rows))}
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "Файл не загружен: ничего не сохранено" in page and "I2" in page and "отрицательным" in page


def test_an_integral_upload_with_a_meter_of_someone_else(signed_in_client, company_meter, in_legal_window):
    stranger_meter = organisation_meter(serial="777000")
    number = company_meter.metering_point.energy_object.contract.number
    rows = [list(COLUMNS), ["", "", "", "777000", "", "А+", "Круглосуточная", None, "1"]]

    response = signed_in_client.post(
        UPLOAD, {"contract": number, "type": "integral", "file": upload("f.xlsx", xlsx(rows))}
    )

    assert "Прибор учёта № 777000 не найден." in response.content.decode()
    assert not Reading.objects.filter(meter=stranger_meter).exists()


def test_an_interval_upload_creates_the_act_shown_with_its_download(signed_in_client, company_meter, in_legal_window):
    number = company_meter.metering_point.energy_object.contract.number

    response = signed_in_client.post(
        UPLOAD,
        {
            "contract": number,
            "type": "interval",
            "meter": company_meter.pk,
            "kind": "raw",
            "file": upload("interval.xlsx", xlsx(interval_rows(datetime.date(2026, 10, 1)))),
        },
        follow=True,
    )

    page = response.content.decode()
    act = IntervalAct.objects.get()
    assert "Первичный акт" in page and "В ожидании" in page and "без КТ и без потерь" in page
    assert reverse("selfservice:interval_act_download", args=[act.pk]) in page
    download = signed_in_client.get(reverse("selfservice:interval_act_download", args=[act.pk]))
    assert download["Content-Disposition"].startswith("attachment")


def test_the_interval_template_is_the_month_being_sent(signed_in_client, company_meter, in_legal_window):
    response = signed_in_client.get(reverse("selfservice:readings_interval_template", args=[company_meter.pk]))

    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A1"].value == "Время" and sheet["A2"].value == "00-01" and sheet["A25"].value == "23-24"
    assert sheet["B1"].value.date() == datetime.date(2026, 10, 1) and sheet["AF1"].value.date() == datetime.date(
        2026, 10, 31
    )


def test_no_interval_for_a_contract_of_price_category_one(signed_in_client, user, in_legal_window):
    meter = organisation_meter(category=1)
    give_role(user, meter.metering_point.energy_object.contract, Role.HEAD)

    page = signed_in_client.get(UPLOAD + "?type=interval").content.decode()

    assert "Интервальные показания передают потребители III–VI ценовых категорий." in page


# --- «История» → «Показания» (F-C4) ---------------------------------------------------------------------------

HISTORY = reverse("selfservice:history_readings")


@pytest.fixture
def history(company_meter):
    ReadingFactory(
        meter=company_meter,
        value=Decimal("12450"),
        taken_on=datetime.date(2026, 10, 31),
        billed_period=datetime.date(2026, 10, 1),
    )
    ReadingFactory(
        meter=company_meter,
        value=Decimal("12460"),
        taken_on=datetime.date(2026, 11, 30),
        kind=ReadingKind.ESTIMATED,
        source="estimate",
    )
    return company_meter


def test_the_history_with_consumption_and_the_bill(signed_in_client, history, in_legal_window):
    page = signed_in_client.get(HISTORY + "?date_from=2026-01-01&date_to=2026-12-31").content.decode()

    assert "ПУ 20300109" in page
    assert "31.10.2026" in page and "учтены в счете октябрь 2026" in page
    assert "113\xa0400" in page  # (12 450 − 12 441) × 12 000 × 1,05
    assert "передано через ЛКК" in page and "Заявленные" in page and "Расчетные" in page


def test_the_history_filters_by_type(signed_in_client, history, in_legal_window):
    page = signed_in_client.get(HISTORY + "?date_from=2026-01-01&date_to=2026-12-31&kind=estimated").content.decode()

    assert "30.11.2026" in page and "31.10.2026" not in page


def test_the_history_exports_to_excel(signed_in_client, history, in_legal_window):
    response = signed_in_client.get(HISTORY + "?date_from=2026-01-01&date_to=2026-12-31&export=xlsx")

    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][:4] == ("Договор / ЛС", "Код ЭО", "Адрес", "Номер ПУ")
    october = next(row for row in rows[1:] if row[5].date() == datetime.date(2026, 10, 31))
    assert october[8] == 12450 and october[9] == 113400 and october[12] == "октябрь 2026"


def test_an_accountant_has_no_readings_history(client, history, in_legal_window):
    accountant = UserFactory()
    give_role(accountant, history.metering_point.energy_object.contract, Role.ACCOUNTANT)
    client.force_login(accountant)

    page = client.get(HISTORY).content.decode()

    assert "ПУ 20300109" not in page
    contract = history.metering_point.energy_object.contract.number
    assert client.get(HISTORY + f"?owner=c:{contract}").status_code == 404


def test_the_household_history(signed_in_client, household, in_november):
    page = signed_in_client.get(HISTORY).content.decode()

    assert "ПУ 874100" in page and "20.10.2026" in page
