"""«Показания» in a browser (F-C1…F-C4): a household sends its reading from the home screen; an organisation sends
a meter's reading on the screen, then the month's hourly profile by the interval file, and sees the «Первичный акт»
and «Дельта» on the readings page.

The clock is not frozen (Chromium keeps its own): the customer groups' windows are set wide enough to be open on
any day, so the journeys run the same whenever they run.
"""

import datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from backoffice.models import Reading
from backoffice.services.periods import add_months, month_end, month_start
from tests.backoffice.factories import (
    HouseholdGroupFactory,
    MeterFactory,
    OrganisationGroupFactory,
    PersonalAccountFactory,
    PersonFactory,
    ReadingFactory,
)
from tests.e2e.conftest import screenshot
from tests.e2e.test_cabinet_journey import sign_in
from tests.factories import UserFactory
from tests.readings import organisation_meter
from tests.selfservice.cabinet import Role, give_role, link_account
from workflows.models import IntervalAct

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_household_sends_its_reading_from_the_home_screen(page):
    group = HouseholdGroupFactory(code="e2e-household", window_start_day=1, window_end_day=31)
    account = PersonalAccountFactory(
        customer=PersonFactory(group=group), address="г. Энергоград, Степная ул., д. 9, кв. 4"
    )
    meter = MeterFactory(account=account, serial="874100", model="СОЭЭ 6706")
    ReadingFactory(meter=meter, value=Decimal("29816"), taken_on=add_months(month_start(datetime.date.today()), -1))
    user = UserFactory(email="anna@example.test", first_name="Анна")
    link_account(user, account)
    sign_in(page, "anna@example.test")

    expect(page.get_by_text("Необходимо заявить показания")).to_be_visible()
    page.get_by_role("link", name="Передать показания").click()
    expect(page.get_by_text("Прибор учета: (СОЭЭ 6706 №874100)")).to_be_visible()
    expect(page.get_by_text("До окончания периода передачи", exact=False)).to_be_visible()
    page.get_by_label("Круглосуточные:").fill("29925,5")
    page.get_by_role("button", name="Рассчитать").click()
    expect(page.get_by_text("Рассчитанные показания счётчика")).to_be_visible()
    expect(page.get_by_role("cell", name="109,5")).to_be_visible()
    screenshot(page, "readings-household-calculated")

    page.get_by_role("button", name="Передать показания").click()
    expect(page.get_by_text("Показания сохранены")).to_be_visible()
    expect(page.get_by_text("Показания переданы", exact=False)).to_be_visible()
    screenshot(page, "readings-household-sent")
    assert Reading.objects.filter(meter=meter, value=Decimal("29925.5")).exists()

    page.goto(page.base_url + "/history/readings/")
    expect(page.get_by_text("ПУ 874100")).to_be_visible()
    screenshot(page, "readings-household-history")


def test_an_organisation_sends_on_the_screen_and_by_the_interval_file(page, tmp_path):
    # «с 1-го по 31-е следующего месяца»: the previous month is always the one being sent, and it has ended.
    group = OrganisationGroupFactory(code="e2e-organisation", window_start_day=1, window_end_day=31)
    meter = organisation_meter(category=3, serial="01284918", ratio="40", losses="0")
    customer = meter.metering_point.energy_object.contract.customer
    customer.group = group
    customer.save()
    site = meter.metering_point.energy_object
    site.address = "г. Энергоград, ул. Заводская, д. 7"
    site.save()
    meter.metering_point.name = "РТП 100. яч.2"
    meter.metering_point.save()
    period = add_months(month_start(datetime.date.today()), -1)
    ReadingFactory(meter=meter, value=Decimal("12441"), taken_on=add_months(period, -1))
    user = UserFactory(email="energo@company.example", first_name="Олег")
    give_role(user, site.contract, Role.HEAD)
    sign_in(page, "energo@company.example")

    page.goto(page.base_url + "/readings/")
    expect(page.get_by_text(f"ЭО № {site.code}")).to_be_visible()
    expect(page.locator(".readings-site__status").get_by_text("Ожидание")).to_be_visible()
    page.get_by_label("Текущие показания ПУ 01284918, А+ Круглосуточная").fill("12 473.5")
    page.get_by_role("button", name="Рассчитать").click()
    expect(page.locator(".readings-totals").get_by_text("1\xa0300")).to_be_visible()  # 32,5 × 40
    screenshot(page, "readings-contract-calculated")
    page.get_by_role("button", name="Передать показания").click()
    expect(page.get_by_text("Показания сохранены")).to_be_visible()
    expect(page.locator(".readings-site__status").get_by_text("Показания переданы")).to_be_visible()
    screenshot(page, "readings-contract-sent")

    page.get_by_role("link", name="Загрузить файлом").click()
    expect(page.get_by_role("heading", name="Загрузить показания файлом")).to_be_visible()
    page.get_by_label("Интервальные по прибору учета").check()
    page.get_by_label("Прибор учёта").select_option(label="ПУ 01284918 • РТП 100. яч.2")
    with page.expect_download() as download:
        page.get_by_role("link", name="Шаблон интервальных показаний").click()
    template = tmp_path / "template.xlsx"
    download.value.save_as(template)
    workbook = load_workbook(template)
    sheet = workbook.active
    days = (month_end(period) - period).days + 1
    for row in range(2, 26):
        for column in range(2, days + 2):
            sheet.cell(row=row, column=column, value=1.5 if row < 14 else 2)
    filled = tmp_path / "interval.xlsx"
    workbook.save(filled)

    page.get_by_label("Загрузите файл (.xls или .xlsx)").set_input_files(str(filled))
    page.get_by_label("Вид показаний").select_option(label="без КТ и без потерь")
    screenshot(page, "readings-interval-upload")
    page.get_by_role("button", name="Передать показания").click()
    expect(page.get_by_text("Файл загружен: создан «Первичный акт» в статусе «В ожидании».")).to_be_visible()
    expect(page.locator(".act-card").get_by_text("В ожидании")).to_be_visible()
    screenshot(page, "readings-interval-act")
    act = IntervalAct.objects.get()
    assert act.total == Decimal(days * (12 * 1.5 + 12 * 2))
    with page.expect_download() as act_file:
        page.get_by_role("link", name="Скачать первичный акт", exact=False).click()
    assert act_file.value.suggested_filename.startswith("pervichnyi-akt-01284918")

    page.get_by_role("link", name="Закрыть").click()
    totals = page.locator(".readings-totals")
    expect(totals.get_by_text("Расход интерв.")).to_be_visible()
    interval = act.consumption
    delta = Decimal("1300") - interval
    expect(totals).to_contain_text(f"{int(interval):,}".replace(",", "\xa0"))
    expect(totals).to_contain_text("−" + f"{int(-delta):,}".replace(",", "\xa0"))
    screenshot(page, "readings-contract-delta")
