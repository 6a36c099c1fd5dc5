"""«Отчёты» → «Обращения по темам» (F-I4): received, resolved in time and late, rejected, overdue, SLA compliance and
the mean time to answer per theme, on the page and in the downloaded workbook."""

import datetime
import io

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.utils import timezone
from openpyxl import load_workbook

from tests.backoffice.factories import PersonalAccountFactory
from tests.backoffice.reports_kit import report_menu, rows_of
from tests.factories import UserFactory
from tests.querycount import assert_queries_flat
from tests.selfservice.cabinet import link_account
from tests.workflows.appeals_kit import clerk, file_appeal, topics
from workflows.services.appeals import appeal_register, appeal_reject, appeal_resolve, appeal_start

pytestmark = pytest.mark.django_db

URL = "/admin/reports/appeals/"
DAY = datetime.timedelta(days=1)
START = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=3)))
MARCH = {"date_from": "01.03.2026", "date_to": "31.03.2026"}


@pytest.fixture(autouse=True)
def classifier(db):
    topics()


@pytest.fixture
def desk():
    return clerk()


@pytest.fixture
def customer():
    return UserFactory(email="anna@example.test")


def in_work(customer, desk, code="tech-support-other", **kwargs):
    appeal = file_appeal(customer, code, **kwargs)
    return appeal_start(appeal=appeal_register(appeal=appeal, by=desk), by=desk)


@pytest.fixture
def march(customer, desk):
    """Техническая поддержка (3 days): one resolved in time, one late, one left overdue, one rejected; Расчёты и
    оплата (10 days): one resolved in a day. And one appeal of January, outside March."""
    account = PersonalAccountFactory()
    link_account(customer, account)
    with time_machine.travel(START - 50 * DAY, tick=False):
        file_appeal(customer, text="Январский вопрос")
    with time_machine.travel(START, tick=False):
        quick, slow = in_work(customer, desk), in_work(customer, desk)
        in_work(customer, desk, text="Так и не ответили")
        rejected = file_appeal(customer, text="Ошибся темой")
        billing = in_work(customer, desk, "billing-invoice", text="Вопрос по счёту", account=account)
    with time_machine.travel(START + DAY, tick=False):
        appeal_reject(appeal=rejected, by=desk, comment="Не по теме")
        appeal_resolve(appeal=billing, by=desk, comment="Счёт верный")
    with time_machine.travel(START + 2 * DAY, tick=False):
        appeal_resolve(appeal=quick, by=desk, comment="Готово")
    with time_machine.travel(START + 4 * DAY, tick=False):
        appeal_resolve(appeal=slow, by=desk, comment="Готово, с опозданием")


def test_the_page_shows_each_theme_with_its_sla(client, desk, march):
    client.force_login(desk)

    response = client.get(URL, MARCH)

    assert response.status_code == 200
    rows = rows_of(response.content.decode())
    assert rows[0] == [
        "Тема",
        "Поступило",
        "Выполнено",
        "в срок",
        "с опозданием",
        "Отклонено",
        "Просрочены сейчас",
        "Соблюдение срока",
        "Среднее время ответа, дней",
    ]
    assert rows[1] == ["Техническая поддержка", "4", "2", "1", "1", "1", "1", "50,0 %", "3,0"]
    assert rows[2] == ["Расчёты и оплата", "1", "1", "1", "0", "0", "0", "100,0 %", "1,0"]
    assert rows[3] == ["Итого", "5", "3", "2", "1", "1", "1", "66,7 %", "2,3"]
    assert "<svg" in response.content.decode() and "Выполнено в срок" in response.content.decode()


def test_the_range_and_the_branch_change_the_rows(client, desk, march):
    client.force_login(desk)

    january = rows_of(client.get(URL, {"date_from": "01.01.2026", "date_to": "31.01.2026"}).content.decode())
    assert january[1][:3] == ["Техническая поддержка", "1", "0"] and january[-1][:2] == ["Итого", "1"]

    from tests.backoffice.factories import BranchFactory

    other = BranchFactory(name="Северное отделение")
    content = client.get(URL, {**MARCH, "branch": other.pk}).content.decode()
    assert "Техническая поддержка" not in content and "За выбранные условия данных нет" in content


def test_the_workbook_has_the_same_numbers(client, desk, march):
    client.force_login(desk)

    response = client.get(URL, {**MARCH, "export": "xlsx"})

    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A1"].value == "Обращения по темам"
    assert "01.03.2026" in sheet["A2"].value and "31.03.2026" in sheet["A2"].value
    assert [cell.value for cell in sheet[4]][:3] == ["Тема", "Поступило", "Выполнено"]
    support = [cell.value for cell in sheet[5]]
    assert support[:7] == ["Техническая поддержка", 4, 2, 1, 1, 1, 1]
    assert support[7] == pytest.approx(0.5) and sheet["H5"].number_format == "0.0%"
    assert support[8] == pytest.approx(3.0)
    totals = [cell.value for cell in sheet[7]]
    assert totals[:7] == ["Итого", 5, 3, 2, 1, 1, 1] and sheet["A7"].font.bold
    assert totals[7] == pytest.approx(0.667, abs=0.001)


def test_wrong_days_give_a_russian_message_and_keep_what_was_typed(client, desk):
    client.force_login(desk)

    content = client.get(URL, {"date_from": "32.03.2026", "date_to": "01.03.2026"}).content.decode()
    assert "Введите дату в формате ДД.ММ.ГГГГ, например 01.11.2026." in content
    assert 'value="32.03.2026"' in content and 'class="listing"' not in content

    content = client.get(URL, {"date_from": "10.03.2026", "date_to": "01.03.2026"}).content.decode()
    assert "Дата «по» не может быть раньше даты «с»." in content


def test_without_the_right_the_report_is_refused_and_not_in_the_menu(client):
    stranger = UserFactory(is_staff=True)
    stranger.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(stranger)

    assert client.get(URL, MARCH).status_code in (302, 403)
    assert client.get(URL, {**MARCH, "export": "xlsx"}).status_code in (302, 403)
    assert "Обращения по темам" not in report_menu(stranger)


def test_the_menu_item_is_shown_with_the_right(client, desk):
    client.force_login(desk)

    assert report_menu(desk) == ["Обращения по темам"]
    assert client.get(URL).status_code == 200  # opens on the last 30 days


def test_the_query_count_does_not_grow_with_the_appeals(client, desk, customer):
    client.force_login(desk)
    codes = ["tech-support-other", "tech-support-login"]

    def add(count):
        for index in range(count):
            appeal = file_appeal(customer, codes[index % 2], text=f"Вопрос {index}")
            if index % 3 == 0:
                appeal = appeal_start(appeal=appeal_register(appeal=appeal, by=desk), by=desk)
                appeal_resolve(appeal=appeal, by=desk, comment="Готово")

    today = timezone.localdate()
    since = today - 300 * DAY
    assert_queries_flat(
        client, f"{URL}?date_from={since:%d.%m.%Y}&date_to={today:%d.%m.%Y}", add_rows=add, max_queries=12
    )
