"""«Отчёты» (F-I4): readings submission rate, debts by age, payments by day — the figures on the page and in the
downloaded workbook, the filters, the Russian messages for wrong filters, the rights and the query counts."""

import datetime
import io
from decimal import Decimal

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.test import RequestFactory
from openpyxl import load_workbook
from wagtail.admin.menu import admin_menu

from backoffice.models.choices import (
    MeterStatus,
    PaymentChannel,
    PaymentStatus,
    ReadingKind,
    ReadingSource,
    SalesKind,
)
from tests.backoffice import factories as f
from tests.backoffice.reports_kit import report_menu, rows_of
from tests.factories import UserFactory
from tests.querycount import assert_queries_flat

pytestmark = pytest.mark.django_db

READINGS, DEBTS, PAYMENTS = "/admin/reports/readings/", "/admin/reports/debts/", "/admin/reports/payments/"
TODAY = datetime.datetime(2026, 6, 15, 12, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=3)))


def staff(*perms):
    user = UserFactory(is_staff=True)
    codenames = [("wagtailadmin", "access_admin"), *(perm.split(".") for perm in perms)]
    for app_label, codename in codenames:
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return type(user).objects.get(pk=user.pk)


@pytest.fixture
def boss(client):
    user = staff("backoffice.view_reading", "backoffice.view_balance", "backoffice.view_payment")
    client.force_login(user)
    return user


def workbook(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(response.content)).active


def values(sheet, row: int) -> list:
    return [cell.value for cell in sheet[row]]


# --- Передача показаний ------------------------------------------------------------------------------------------


def household_meter(**fields):
    return f.MeterFactory(account=f.PersonalAccountFactory(), **fields)


def organisation_meter():
    return f.MeterFactory(account=None, metering_point=f.MeteringPointFactory())


def reading(meter, day, source=ReadingSource.PORTAL, **fields):
    return f.ReadingFactory(meter=meter, taken_on=day, source=source, **fields)


@pytest.fixture
def readings():
    """Население: in January two of three meters send (one through the portal, one by the inspector), an estimate
    and a removed meter do not count, a meter installed in February is expected from February; Прочие потребители:
    one meter, sent by АСКУЭ in January only."""
    portal, inspector, silent = household_meter(), household_meter(), household_meter()
    removed = household_meter(status=MeterStatus.REMOVED)
    new = household_meter(installed_on=datetime.date(2026, 2, 10))
    factory_meter = organisation_meter()
    reading(portal, datetime.date(2026, 1, 25))
    reading(portal, datetime.date(2026, 1, 26), value=Decimal("1001"))  # a second reading: still one meter
    reading(inspector, datetime.date(2026, 1, 20), ReadingSource.INSPECTOR)
    reading(silent, datetime.date(2026, 1, 31), ReadingSource.ESTIMATE, kind=ReadingKind.ESTIMATED)
    reading(removed, datetime.date(2026, 1, 22))
    reading(portal, datetime.date(2026, 2, 20), value=Decimal("1100"))
    reading(factory_meter, datetime.date(2026, 1, 31), ReadingSource.ASKUE)
    reading(new, datetime.date(2026, 3, 20))  # outside the range asked
    return portal


def test_readings_submission_rate_per_period_and_group(client, boss, readings):
    content = client.get(READINGS, {"period_from": "01.2026", "period_to": "02.2026"}).content.decode()

    rows = rows_of(content)
    assert rows[0] == [
        "Период",
        "Группа потребителей",
        "Ожидалось, ПУ",
        "Передано, ПУ",
        "через ЛКК",
        "другими способами",
        "Доля переданных",
    ]
    assert rows[1:] == [
        ["январь 2026", "Население", "3", "2", "1", "1", "66,7 %"],
        ["январь 2026", "Прочие потребители", "1", "1", "0", "1", "100,0 %"],
        ["февраль 2026", "Население", "4", "1", "1", "0", "25,0 %"],
        ["февраль 2026", "Прочие потребители", "1", "0", "0", "0", "0,0 %"],
        ["Итого", "", "9", "4", "2", "2", "44,4 %"],
    ]
    assert "<svg" in content and "январь 2026 (ожидалось 4, 75,0 %)" in content


def test_readings_filter_by_group_and_the_workbook(client, boss, readings):
    group = f.HouseholdGroupFactory()
    params = {"period_from": "01.2026", "period_to": "02.2026", "group": group.pk}

    rows = rows_of(client.get(READINGS, params).content.decode())
    assert [row[:2] for row in rows[1:]] == [["январь 2026", "Население"], ["февраль 2026", "Население"], ["Итого", ""]]

    sheet = workbook(client.get(READINGS, {**params, "export": "xlsx"}))
    assert sheet["A1"].value == "Передача показаний"
    assert sheet["A2"].value == "Период с: 01.2026; по: 02.2026; Группа потребителей: Население"
    assert values(sheet, 4) == [
        "Период",
        "Группа потребителей",
        "Ожидалось, ПУ",
        "Передано, ПУ",
        "через ЛКК",
        "другими способами",
        "Доля переданных",
    ]
    assert values(sheet, 5)[:6] == [datetime.datetime(2026, 1, 1), "Население", 3, 2, 1, 1]
    assert sheet["A5"].number_format == "MM.YYYY" and sheet["G5"].number_format == "0.0%"
    assert values(sheet, 5)[6] == pytest.approx(0.667, abs=0.001)
    assert values(sheet, 7)[:6] == ["Итого", None, 7, 3, 2, 1] and sheet["C7"].font.bold


def test_readings_wrong_periods_give_russian_messages(client, boss):
    content = client.get(READINGS, {"period_from": "13.2026", "period_to": "01.2026"}).content.decode()
    assert "Месяц — число от 01 до 12." in content and 'value="13.2026"' in content
    assert 'class="listing"' not in content

    content = client.get(READINGS, {"period_from": "05.2026", "period_to": "01.2026"}).content.decode()
    assert "Последний месяц не может быть раньше первого." in content

    content = client.get(READINGS, {"period_from": "01.2020", "period_to": "01.2026"}).content.decode()
    assert "Отчёт строится не больше чем за 24 месяца." in content

    content = client.get(READINGS, {"period_from": "01.2026", "period_to": "02.2026", "group": "999999"}).content
    assert "Такой группы потребителей нет: выберите из списка." in content.decode()


def test_readings_query_count_is_flat(client, boss):
    def add(count):
        for index in range(count):
            meter = household_meter() if index % 2 else organisation_meter()
            reading(meter, datetime.date(2026, 1, 10 + index % 15))

    assert_queries_flat(client, f"{READINGS}?period_from=12.2025&period_to=02.2026", add_rows=add, max_queries=12)


# --- Задолженность по срокам -------------------------------------------------------------------------------------


@pytest.fixture
def debts():
    """On 15.06.2026: a household owes 100 not yet due, 200 due today, 300 due 45 days ago and 70 issued 66 days ago
    without a due date; an organisation owes 1 000,50 due 106 days ago and 50 of penalties due 257 days ago."""
    account = f.PersonalAccountFactory()
    contract = f.ContractFactory()

    def document(owner, due, amount, **fields):
        owner_fields = (
            {"account": owner, "contract": None} if owner == account else {"account": None, "contract": owner}
        )
        return f.DocumentFactory(**owner_fields, due_date=due, amount=Decimal(amount), **fields)

    document(account, datetime.date(2026, 6, 20), "100")
    document(account, datetime.date(2026, 6, 15), "200")
    document(account, datetime.date(2026, 5, 1), "300")
    document(account, None, "70", issued_on=datetime.date(2026, 4, 10))
    document(account, datetime.date(2026, 1, 10), "500", amount_due=Decimal("0"))  # paid
    document(contract, datetime.date(2026, 3, 1), "1000.50")
    document(contract, datetime.date(2025, 10, 1), "50", sales_kind=SalesKind.PENALTY)


def test_debts_by_age_and_customer_kind(client, boss, debts):
    with time_machine.travel(TODAY, tick=False):
        content = client.get(DEBTS).content.decode()

    assert rows_of(content) == [
        [
            "Срок просрочки",
            "Физические лица (ЛС)",
            "Юридические лица (договоры)",
            "Сумма долга",
            "Документов",
            "Должников (ЛС и договоров)",
        ],
        ["Срок не наступил", "100,00 ₽", "0,00 ₽", "100,00 ₽", "1", "1"],
        ["0–30 дней", "200,00 ₽", "0,00 ₽", "200,00 ₽", "1", "1"],
        ["31–60 дней", "300,00 ₽", "0,00 ₽", "300,00 ₽", "1", "1"],
        ["61–90 дней", "70,00 ₽", "0,00 ₽", "70,00 ₽", "1", "1"],
        ["91–180 дней", "0,00 ₽", "1 000,50 ₽", "1 000,50 ₽", "1", "1"],
        ["более 180 дней", "0,00 ₽", "50,00 ₽", "50,00 ₽", "1", "1"],
        ["Итого", "670,00 ₽", "1 050,50 ₽", "1 720,50 ₽", "6", "2"],
    ]
    assert "<svg" in content


def test_debts_by_sales_kind_filtered_and_the_workbook(client, boss, debts):
    with time_machine.travel(TODAY, tick=False):
        rows = rows_of(client.get(DEBTS, {"split": "sales_kind", "customer_kind": "organisation"}).content.decode())
        sheet = workbook(client.get(DEBTS, {"split": "sales_kind", "export": "xlsx"}))

    assert rows[0][:4] == ["Срок просрочки", "Основная реализация", "Пени", "Сумма долга"]
    assert rows[-1] == ["Итого", "1 000,50 ₽", "50,00 ₽", "1 050,50 ₽", "2", "1"]
    assert sheet["A1"].value == "Задолженность по срокам" and sheet["A2"].value == "Разбить по: виду реализации"
    assert values(sheet, 4) == [
        "Срок просрочки",
        "Основная реализация",
        "Пени",
        "Сумма долга",
        "Документов",
        "Должников (ЛС и договоров)",
    ]
    assert values(sheet, 9)[:5] == ["91–180 дней", Decimal("1000.5"), 0, Decimal("1000.5"), 1]
    assert sheet["B9"].number_format == '#,##0.00\\ "₽"' and sheet["E9"].number_format == "#,##0"
    assert values(sheet, 11) == ["Итого", Decimal("1670.5"), Decimal("50"), Decimal("1720.5"), 6, 2]


def test_debts_wrong_filters_give_russian_messages(client, boss):
    content = client.get(DEBTS, {"split": "branch", "sales_kind": "gift"}).content.decode()

    assert "Выберите, по чему разбить: по типу клиента или по виду реализации." in content
    assert "Выберите вид реализации из списка." in content and 'class="listing"' not in content


def test_debts_query_count_is_flat(client, boss):
    def add(count):
        for index in range(count):
            f.DocumentFactory(due_date=datetime.date(2026, 1, 1) + datetime.timedelta(days=index * 20))

    assert_queries_flat(client, f"{DEBTS}?split=customer_kind", add_rows=add, max_queries=12)


# --- Платежи по дням ---------------------------------------------------------------------------------------------


@pytest.fixture
def payments():
    f.PaymentFactory(paid_on=datetime.date(2026, 2, 1), channel=PaymentChannel.PORTAL, amount=Decimal("100"))
    f.PaymentFactory(
        account=None,
        contract=f.ContractFactory(),
        paid_on=datetime.date(2026, 2, 1),
        channel=PaymentChannel.BANK,
        amount=Decimal("250.50"),
    )
    f.PaymentFactory(paid_on=datetime.date(2026, 2, 3), channel=PaymentChannel.CASHIER, amount=Decimal("40"))
    f.PaymentFactory(
        paid_on=datetime.date(2026, 2, 2), channel=PaymentChannel.PORTAL, status=PaymentStatus.DECLINED
    )  # no money came
    f.PaymentFactory(paid_on=datetime.date(2026, 2, 4), channel=PaymentChannel.POST)  # after the range


FEBRUARY = {"date_from": "01.02.2026", "date_to": "03.02.2026"}


def test_payments_by_day_and_channel(client, boss, payments):
    content = client.get(PAYMENTS, FEBRUARY).content.decode()

    rows = rows_of(content)
    assert rows[0] == [
        "Дата",
        "Личный кабинет, платежей",
        "Личный кабинет, сумма",
        "Банк, платежей",
        "Банк, сумма",
        "Почта России, платежей",
        "Почта России, сумма",
        "Касса, платежей",
        "Касса, сумма",
        "Всего платежей",
        "Всего, сумма",
    ]
    assert rows[1] == ["01.02.2026", "1", "100,00 ₽", "1", "250,50 ₽", "0", "0,00 ₽", "0", "0,00 ₽", "2", "350,50 ₽"]
    assert rows[2] == ["02.02.2026", "0", "0,00 ₽", "0", "0,00 ₽", "0", "0,00 ₽", "0", "0,00 ₽", "0", "0,00 ₽"]
    assert rows[3][0] == "03.02.2026" and rows[3][-4:] == ["1", "40,00 ₽", "1", "40,00 ₽"]
    assert rows[4] == ["Итого", "1", "100,00 ₽", "1", "250,50 ₽", "0", "0,00 ₽", "1", "40,00 ₽", "3", "390,50 ₽"]
    assert "<svg" in content and "01.02.2026: Банк — 250,50\xa0₽" in content


def test_payments_filter_and_the_workbook(client, boss, payments):
    rows = rows_of(client.get(PAYMENTS, {**FEBRUARY, "customer_kind": "organisation"}).content.decode())
    assert rows[-1][-2:] == ["1", "250,50 ₽"] and rows[1][1:3] == ["0", "0,00 ₽"]

    sheet = workbook(client.get(PAYMENTS, {**FEBRUARY, "export": "xlsx"}))
    assert sheet["A2"].value == "С: 01.02.2026; По: 03.02.2026"
    assert values(sheet, 4)[:3] == ["Дата", "Личный кабинет, платежей", "Личный кабинет, сумма"]
    first = values(sheet, 5)
    assert first[0] == datetime.datetime(2026, 2, 1) and sheet["A5"].number_format == "DD.MM.YYYY"
    assert first[1:5] == [1, Decimal("100"), 1, Decimal("250.5")] and first[-2:] == [2, Decimal("350.5")]
    assert values(sheet, 8)[0] == "Итого" and values(sheet, 8)[-2:] == [3, Decimal("390.5")]
    assert sheet["K8"].number_format == '#,##0.00\\ "₽"' and sheet["K8"].font.bold


def test_payments_wrong_days_give_russian_messages(client, boss):
    content = client.get(PAYMENTS, {"date_from": "1 февраля", "date_to": "03.02.2026"}).content.decode()
    assert "Введите дату в формате ДД.ММ.ГГГГ, например 01.11.2026." in content
    assert 'value="1 февраля"' in content and 'class="listing"' not in content

    content = client.get(PAYMENTS, {"date_from": "01.01.2025", "date_to": "03.02.2026"}).content.decode()
    assert "Отчёт строится не больше чем за 186 дней." in content


def test_payments_query_count_is_flat(client, boss):
    def add(count):
        for index in range(count):
            channel = PaymentChannel.values[index % 4]
            f.PaymentFactory(paid_on=datetime.date(2026, 2, 1 + index % 28), channel=channel)

    assert_queries_flat(client, f"{PAYMENTS}?date_from=01.02.2026&date_to=28.02.2026", add_rows=add, max_queries=12)


# --- Rights and the menu -----------------------------------------------------------------------------------------


def test_each_report_needs_its_right(client):
    cashier = staff("backoffice.view_payment")
    client.force_login(cashier)

    assert report_menu(cashier) == ["Платежи по дням"]
    assert client.get(PAYMENTS).status_code == 200
    for url in (READINGS, DEBTS):
        assert client.get(url).status_code in (302, 403)
        assert client.get(url, {"export": "xlsx"}).status_code in (302, 403)


def test_without_any_report_right_the_menu_is_hidden(client):
    nobody = staff()
    client.force_login(nobody)

    assert report_menu(nobody) == []
    assert client.get(PAYMENTS, {"export": "xlsx"}).status_code in (302, 403)


def test_the_menu_lists_the_reports_and_wagtails_own_menu_is_renamed():
    admin = UserFactory(is_staff=True, is_superuser=True)

    assert report_menu(admin)[:3] == ["Передача показаний", "Задолженность по срокам", "Платежи по дням"]
    request = RequestFactory().get("/admin/")
    request.user = admin
    labels = {item.name: str(item.label) for item in admin_menu.menu_items_for_request(request)}
    assert labels["backoffice-reports"] == "Отчёты" and labels["reports"] == "Отчёты сайта"
