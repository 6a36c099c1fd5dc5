"""The billing screens (F-D1…F-D3, F-D5…F-D7): «Оплата» with its cards, advances and the debt banner, «График счетов
и оплат», «История» → «Документы» and «Платежи» with their filters, «Скачать» and «Отправка файла», a household's
«Все события» and tabs, the receipt, «Реквизиты ЛС» and «Статистика»; list pages in a fixed number of queries."""

import datetime
import io
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from openpyxl import load_workbook

from backoffice.models import BillingSettings, DocumentLine, OutboxMessage
from backoffice.models.choices import DocumentType, PaymentStatus, SalesKind, Zone, ZoneSet
from backoffice.services.balances import balances_refresh
from backoffice.services.periods import add_months
from tests.backoffice.factories import (
    ContractFactory,
    DocumentFactory,
    MeterFactory,
    PaymentFactory,
    PersonalAccountFactory,
    ReadingFactory,
    TariffFactory,
)
from tests.factories import UserFactory
from tests.querycount import assert_queries_flat
from tests.selfservice.cabinet import Role, give_role, link_account
from workflows.models import ServiceOrder

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 12, 1)


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(datetime.datetime(2026, 12, 1, 12, 0, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def contract():
    return ContractFactory(number="78010000002778")


@pytest.fixture
def head(contract):
    user = UserFactory(email="director@company.example")
    give_role(user, contract, Role.HEAD)
    return user


def contract_document(contract, number, *, period, amount, due=None, type=DocumentType.TAX_INVOICE, **extra):
    return DocumentFactory(
        account=None,
        contract=contract,
        number=number,
        type=type,
        period=period,
        issued_on=add_months(period, 1),
        amount=Decimal(amount),
        due_date=due or add_months(period, 1).replace(day=18),
        **extra,
    )


@pytest.fixture
def account():
    return PersonalAccountFactory(number="100000001", address="г. Энергоград, Степная ул., д. 9, кв. 4")


@pytest.fixture
def household(account):
    user = UserFactory(email="anna@example.test")
    link_account(user, account)
    return user


# --- «Оплата» ----------------------------------------------------------------------------------------------------


def test_the_contract_card_lists_unpaid_documents_with_due_dates(client, head, contract):
    contract_document(contract, "СФ-2610", period=datetime.date(2026, 10, 1), amount="478379.00")
    contract_document(contract, "СФ-2609", period=datetime.date(2026, 9, 1), amount="637839.00", amount_due=0)
    balances_refresh(contract_ids=[contract.pk])
    client.force_login(head)

    content = client.get(reverse("selfservice:payments")).content.decode()

    assert "Счета на оплату" in content and "Все документы" in content and "Оплатить до" in content
    assert "Счёт-фактура № СФ-2610" in content and "18.11.2026" in content
    assert "СФ-2609" not in content  # paid: not a debt document
    assert "478\xa0379,00\xa0₽" in content
    assert "Добавить договор" in content


def test_advances_show_per_kind_and_zero_rows_are_hidden(client, head, contract):
    contract_document(contract, "СФ-1", period=datetime.date(2026, 10, 1), amount="1000")
    PaymentFactory(account=None, contract=contract, amount=Decimal("1009570.00"))
    balances_refresh(contract_ids=[contract.pk])
    client.force_login(head)

    content = client.get(reverse("selfservice:payments")).content.decode()

    assert "Авансы и переплата" in content
    assert "Аванс" in content and "1\xa0009\xa0570,00\xa0₽" in content
    assert "Переплата</td>" not in content


def test_the_debt_is_shown_per_sales_kind_without_zero_rows(client, household, account):
    DocumentFactory(account=account, number="КВ-1", amount=Decimal("954.60"))
    DocumentFactory(
        account=account,
        number="ПН-1",
        type=DocumentType.PENALTY_CLAIM,
        sales_kind=SalesKind.PENALTY,
        amount=Decimal("51.74"),
    )
    DocumentFactory(
        account=account,
        number="СУ-1",
        type=DocumentType.INVOICE,
        sales_kind=SalesKind.SERVICES,
        amount=Decimal("2150.90"),
    )
    balances_refresh(account_ids=[account.pk])
    client.force_login(household)

    content = client.get(reverse("selfservice:payments")).content.decode()

    assert "Задолженность по видам реализации" in content
    table = content[content.index("Задолженность по видам реализации") :]
    assert table.index("Основная реализация") < table.index("Пени") < table.index("Услуги")
    assert "2\xa0150,90\xa0₽" in table
    assert "ГПЗ" not in content and "Акты" not in content


def test_a_card_without_advances_has_no_advances_table(client, head, contract):
    contract_document(contract, "СФ-1", period=datetime.date(2026, 10, 1), amount="1000")
    balances_refresh(contract_ids=[contract.pk])
    client.force_login(head)

    assert "Авансы и переплата" not in client.get(reverse("selfservice:payments")).content.decode()


def test_the_household_block_shows_the_debt_without_penalties(client, household, account):
    DocumentFactory(account=account, number="КВ-1", amount=Decimal("954.60"))
    DocumentFactory(
        account=account,
        number="ПН-1",
        type=DocumentType.PENALTY_CLAIM,
        sales_kind=SalesKind.PENALTY,
        amount=Decimal("51.74"),
    )
    balances_refresh(account_ids=[account.pk])
    client.force_login(household)

    for url in (reverse("selfservice:payments"), reverse("selfservice:home")):
        content = client.get(url).content.decode()
        assert "Электроэнергия - Оплата" in content
        assert (
            "Текущая задолженность <strong>954,60\xa0₽</strong>, не включая пени <strong>51,74\xa0₽</strong>" in content
        )
        assert 'name="amount"' in content and 'value="954,60"' in content and 'value="51,74"' in content


def test_the_home_screen_puts_the_debt_and_pay_first(client, household, account):
    DocumentFactory(account=account, amount=Decimal("954.60"))
    client.force_login(household)

    content = client.get(reverse("selfservice:home")).content.decode()

    assert content.index("Электроэнергия - Оплата") < content.index("Профиль</h2>")


@pytest.mark.parametrize(
    ("threshold", "due_date", "shown"),
    [
        ("500.00", datetime.date(2026, 11, 10), True),  # overdue and above the threshold
        ("1000.00", datetime.date(2026, 11, 10), False),  # below the threshold staff set
        ("500.00", datetime.date(2026, 12, 10), False),  # not due yet
    ],
)
def test_the_debt_banner_follows_the_threshold_and_the_due_date(client, household, account, threshold, due_date, shown):
    settings = BillingSettings.load()
    settings.debt_banner_threshold = Decimal(threshold)
    settings.save()
    DocumentFactory(account=account, amount=Decimal("671.71"), due_date=due_date)
    DocumentFactory(
        account=account, type=DocumentType.PENALTY_CLAIM, sales_kind=SalesKind.PENALTY, amount=Decimal("4.46")
    )
    balances_refresh(account_ids=[account.pk])
    client.force_login(household)

    for url in (reverse("selfservice:payments"), reverse("selfservice:home")):
        content = client.get(url).content.decode()
        banner = "Ваша задолженность составляет 671,71\xa0₽, не включая пени 4,46\xa0₽." in content
        assert banner is shown
        assert ("Перейти к оплате." in content) is shown


def test_the_payments_page_has_a_fixed_number_of_queries(client, head, contract):
    client.force_login(head)
    period = [datetime.date(2026, 11, 1)]

    def add_rows(n):
        for _ in range(n):
            period[0] = add_months(period[0], -1)
            contract_document(contract, f"СФ-{period[0]:%y%m}", period=period[0], amount="100")
            PaymentFactory(account=None, contract=contract, paid_on=period[0], amount=Decimal("50"))
            other = ContractFactory()
            give_role(head, other, Role.ACCOUNTANT)
            contract_document(other, f"СФ-{other.number}", period=period[0], amount="10")
        balances_refresh(contract_ids=[contract.pk])

    add_rows(1)
    client.get(reverse("selfservice:payments"))  # caches of the first request (content types, the settings)
    assert_queries_flat(client, reverse("selfservice:payments"), add_rows=add_rows, max_queries=30)


# --- «График счетов и оплат» ---------------------------------------------------------------------------------------


def test_the_chart_shows_invoiced_above_and_paid_below_by_month_with_a_table(client, head, contract):
    contract_document(contract, "СФ-2611", period=datetime.date(2026, 11, 1), amount="1200.00")
    contract_document(
        contract,
        "АП-2611",
        period=datetime.date(2026, 11, 1),
        amount="1200.00",
        type=DocumentType.ACCEPTANCE_ACT,
        amount_due=0,
    )
    PaymentFactory(account=None, contract=contract, paid_on=datetime.date(2026, 11, 20), amount=Decimal("700.00"))
    PaymentFactory(
        account=None,
        contract=contract,
        paid_on=datetime.date(2026, 11, 21),
        amount=Decimal("99"),
        status=PaymentStatus.DECLINED,
    )
    client.force_login(head)

    content = client.get(reverse("selfservice:payments")).content.decode()

    assert "График счетов и оплат" in content and "<svg" in content
    assert "<title>Ноябрь 2026: выставлено 1\xa0200,00\xa0₽</title>" in content  # the act is not counted again
    assert "<title>Ноябрь 2026: оплачено 700,00\xa0₽</title>" in content  # a declined payment is no payment
    assert "<title>Январь 2026: выставлено 0,00\xa0₽</title>" in content  # twelve months
    assert "Показать таблицей" in content and '<td data-label="Выставлено" class="num">1\xa0200,00\xa0₽</td>' in content


def test_the_chart_can_show_another_of_the_users_owners_but_not_someone_elses(client, head, contract, account):
    link_account(head, account)
    DocumentFactory(account=account, period=datetime.date(2026, 10, 1), amount=Decimal("321.00"))
    client.force_login(head)

    mine = client.get(reverse("selfservice:payments") + "?chart=account:100000001").content.decode()
    elsewhere = client.get(reverse("selfservice:payments") + "?chart=contract:78019999999999")

    assert "Октябрь 2026: выставлено 321,00\xa0₽" in mine
    assert elsewhere.status_code == 404


# --- «История» → «Документы» ----------------------------------------------------------------------------------------


@pytest.fixture
def documents(contract):
    second = ContractFactory(number="78010000003105")
    return {
        "invoice": contract_document(
            contract, "365201100130", period=datetime.date(2026, 10, 1), amount="147134.19", type=DocumentType.INVOICE
        ),
        "tax": contract_document(
            contract, "23651011378/23", period=datetime.date(2026, 10, 1), amount="147137.89", amount_due=0
        ),
        "act": contract_document(
            contract,
            "АП-1",
            period=datetime.date(2026, 10, 1),
            amount="147137.89",
            type=DocumentType.ACCEPTANCE_ACT,
            amount_due=0,
        ),
        "old": contract_document(contract, "СФ-OLD", period=datetime.date(2025, 1, 1), amount="10", amount_due=0),
        "other": contract_document(second, "СФ-OTHER", period=datetime.date(2026, 10, 1), amount="5"),
        "second": second,
    }


def test_documents_show_the_columns_of_the_manual_and_pay_only_what_is_due(client, head, documents):
    client.force_login(head)

    content = client.get(reverse("selfservice:history")).content.decode()

    for column in ("Период", "Вид реализации", "Сумма документа", "Дата задолженности", "К оплате"):
        assert column in content
    assert "Счёт на оплату № 365201100130" in content and "Счёт-фактура № 23651011378/23" in content
    assert "Октябрь 2026" in content and "Основная реализация" in content and "147\xa0134,19\xa0₽" in content
    assert content.count(">Оплатить<") == 1  # only the invoice still asks for money
    assert "СФ-OLD" not in content  # older than the last year shown by default
    assert "СФ-OTHER" not in content  # not the user's contract


def test_documents_filter_by_contract_period_and_type(client, head, documents, contract):
    give_role(head, documents["second"], Role.ACCOUNTANT)
    client.force_login(head)
    url = reverse("selfservice:history")

    by_contract = client.get(url, {"owner": "contract:78010000003105"}).content.decode()
    by_period = client.get(url, {"first": "2025-01", "last": "01.2025"}).content.decode()
    by_type = client.get(
        url, {"type": DocumentType.ACCEPTANCE_ACT, "first": "2026-01", "last": "2026-12"}
    ).content.decode()

    assert "СФ-OTHER" in by_contract and "365201100130" not in by_contract
    assert "СФ-OLD" in by_period and "365201100130" not in by_period
    assert "АП-1" in by_type and "365201100130" not in by_type and "Найден 1 документ" in by_type


def test_a_wrong_period_is_explained_and_keeps_what_was_typed(client, head, documents):
    client.force_login(head)

    content = client.get(reverse("selfservice:history"), {"first": "2026-10", "last": "2026-01"}).content.decode()

    assert "Месяц «по» раньше месяца «с»." in content and 'value="2026-10"' in content


def test_documents_are_downloaded_as_xlsx_with_the_same_filter(client, head, documents):
    client.force_login(head)

    response = client.get(reverse("selfservice:history_documents_export"), {"first": "2026-10", "last": "2026-10"})

    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(io.BytesIO(response.content)).active.values)
    assert rows[0][:3] == ("Договор / ЛС", "Документ", "Номер")
    assert sorted(row[2] for row in rows[1:]) == ["23651011378/23", "365201100130", "АП-1"]


def test_sending_a_document_by_email_says_it_takes_up_to_ten_minutes_and_sends_the_pdf(
    client, head, documents, django_capture_on_commit_callbacks
):
    client.force_login(head)
    document = documents["invoice"]
    url = reverse("selfservice:history_document_send", args=[document.pk])

    assert "Отправка файла" in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"email": "123@mail.ru", "next": reverse("selfservice:history")}, follow=True)

    assert (
        "Документ будет отправлен на ваш электронный адрес после формирования. "
        "Время подготовки может составить до 10 минут." in response.content.decode()
    )
    letter = OutboxMessage.objects.get(template="document_file")
    assert letter.attachments == [{"kind": "document_pdf", "id": document.pk}]
    sent = mail.outbox[-1]
    assert sent.to == ["123@mail.ru"] and sent.subject == "Счёт на оплату № 365201100130"
    assert sent.attachments[0][0] == "Счёт на оплату № 365201100130.pdf"
    assert sent.attachments[0][1].startswith(b"%PDF")


def test_a_wrong_address_for_the_file_is_explained(client, head, documents):
    client.force_login(head)

    response = client.post(
        reverse("selfservice:history_document_send", args=[documents["invoice"].pk]), {"email": "123"}
    )

    assert "Введите e-mail, например ivanov@example.ru." in response.content.decode()
    assert not OutboxMessage.objects.filter(template="document_file").exists()


def test_the_documents_page_has_a_fixed_number_of_queries(client, head, contract):
    client.force_login(head)
    period = [datetime.date(2026, 12, 1)]

    def add_rows(n):
        for _ in range(n):
            period[0] = add_months(period[0], -1)
            contract_document(contract, f"СФ-{period[0]:%y%m}", period=period[0], amount="100")

    url = reverse("selfservice:history") + "?first=2000-01&last=2026-12"
    client.get(url)  # caches of the first request (content types, the site)
    assert_queries_flat(client, url, add_rows=add_rows, max_queries=25)


# --- «История» → «Платежи» -------------------------------------------------------------------------------------------


def test_payments_show_bank_number_date_amount_status_and_purpose_of_this_month(client, head, contract):
    PaymentFactory(
        account=None, contract=contract, bank='АО "АБ "РОССИЯ"', number="244435495605",
        paid_on=datetime.date(2026, 12, 1), amount=Decimal("44.44"), status=PaymentStatus.PENDING,
        purpose="Оплата задолженности по договору № 78010000002778",
    )  # fmt: skip
    PaymentFactory(account=None, contract=contract, number="OLD", paid_on=datetime.date(2026, 10, 5))
    client.force_login(head)

    content = client.get(reverse("selfservice:history_payments")).content.decode()

    assert "АО &quot;АБ &quot;РОССИЯ&quot; № 244435495605" in content and "от 01.12.2026" in content
    assert "44,44\xa0₽" in content and "В процессе" in content
    assert "Оплата задолженности по договору № 78010000002778" in content
    assert "OLD" not in content  # «По умолчанию … текущий расчетный период (месяц)»


def test_payments_filter_by_period_and_export_to_excel(client, head, contract):
    PaymentFactory(
        account=None, contract=contract, number="P-OCT", paid_on=datetime.date(2026, 10, 5), amount=Decimal("5")
    )
    PaymentFactory(
        account=None, contract=contract, number="P-NOV", paid_on=datetime.date(2026, 11, 5), amount=Decimal("6")
    )
    client.force_login(head)
    query = {"first": "2026-10-01", "last": "2026-10-31"}

    content = client.get(reverse("selfservice:history_payments"), query).content.decode()
    export = client.get(reverse("selfservice:history_payments_export"), query)

    assert "P-OCT" in content and "P-NOV" not in content
    rows = list(load_workbook(io.BytesIO(export.content)).active.values)
    assert rows[0] == ("Договор / ЛС", "Банк", "Номер", "Дата", "Сумма оплаты, ₽", "Статус", "Назначение платежа")
    assert rows[1][2:6] == ("P-OCT", "05.10.2026", 5, "Проведён")


def test_the_payment_history_has_a_fixed_number_of_queries(client, head, contract):
    client.force_login(head)
    url = reverse("selfservice:history_payments") + "?first=2000-01-01&last=2026-12-01"
    client.get(url)  # caches of the first request (content types, the site)
    assert_queries_flat(
        client,
        url,
        add_rows=lambda n: PaymentFactory.create_batch(
            n, account=None, contract=contract, paid_on=datetime.date(2026, 1, 1)
        ),
        max_queries=25,
    )


# --- A household's «История» ----------------------------------------------------------------------------------------


def test_a_household_goes_from_history_to_its_accounts_events(client, household):
    client.force_login(household)

    response = client.get(reverse("selfservice:history"))

    assert response["Location"] == reverse("selfservice:account_history", args=["100000001"])


@pytest.fixture
def month_of_events(account):
    meter = MeterFactory(account=account, serial="874100", zone_set=ZoneSet.TWO)
    for zone, value in ((Zone.DAY, "4077"), (Zone.NIGHT, "1873")):
        ReadingFactory(
            meter=meter,
            zone=zone,
            value=Decimal(value),
            taken_on=datetime.date(2026, 11, 13),
            billed_period=datetime.date(2026, 11, 1),
        )
    receipt = DocumentFactory(
        account=account, number="КВ-2611", period=datetime.date(2026, 11, 1), amount=Decimal("643.20"),
        opening_balance=Decimal("19.85"), payments_counted=Decimal("665.60"), closing_balance=Decimal("-2.55"),
    )  # fmt: skip
    DocumentLine.objects.create(
        document=receipt,
        description="День",
        zone=Zone.DAY,
        consumption=Decimal("201"),
        rate=Decimal("3.2"),
        amount=Decimal("643.20"),
    )
    PaymentFactory(account=account, paid_on=datetime.date(2026, 11, 20), amount=Decimal("665.60"))
    return receipt


def test_all_events_are_grouped_by_month(client, household, month_of_events):
    client.force_login(household)

    content = client.get(reverse("selfservice:account_history", args=["100000001"])).content.decode()

    assert "Информация о действиях абонента" in content
    assert "Ноябрь 2026" in content and "Октябрь 2026" in content and "Декабрь 2026" in content
    assert "Показания переданы 13 ноября 2026" in content and "учтены в счете ноябрь 2026" in content
    assert "Снял показания: передано через ЛКК" in content
    assert "Квитанция за ноябрь 2026" in content and "ПЕЧАТЬ КВИТАНЦИИ" in content
    assert "Сумма платежей за ноябрь 2026 665,60\xa0₽" in content


def test_the_receipt_shows_general_information_and_details_per_zone(client, household, month_of_events):
    client.force_login(household)

    content = client.get(reverse("selfservice:receipt_detail", args=[month_of_events.pk])).content.decode()

    for text in (
        "Общая информация",
        "Сумма задолженности на начало периода",
        "19,85\xa0₽",
        "Всего начислено за текущий период",
        "Сумма поступивших платежей, учтенных при расчете",
        "Итого переплата",
        "2,55\xa0₽",
        "Детализация",
        "201\xa0кВт·ч",
        "3,2&nbsp;₽/кВт·ч",
    ):
        assert text in content, text
    assert reverse("selfservice:document_pdf", args=[month_of_events.pk]) in content


@pytest.mark.parametrize(
    ("tab", "texts"),
    [
        ("bills", ["Счета абонента", "КВ-2611", "ноябрь 2026", "643,20\xa0₽", "Скачать счет в формате pdf"]),
        ("payments", ["Платежи абонента", "20.11.2026", "665,60\xa0₽", "Проведён"]),
        ("readings", ["Показания абонента", "13.11.2026", "Заявленные показания", "день: 4077 / ночь: 1873"]),
    ],
)
def test_the_tabs_show_the_period_chosen(client, household, month_of_events, tab, texts):
    client.force_login(household)
    url = reverse("selfservice:account_history_tab", args=["100000001", tab])

    inside = client.get(url, {"first": "2026-11-01", "last": "2026-11-30"}).content.decode()
    outside = client.get(url, {"first": "2026-01-01", "last": "2026-10-31"}).content.decode()

    for text in texts:
        assert text in inside, text
    assert texts[1] not in outside
    assert "Отображена 1 запись." in inside


def test_the_requests_tab_lists_the_accounts_orders(client, household, account):
    ServiceOrder.objects.create(
        user=household,
        account=account,
        service_title="Контрольная проверка прибора учета",
        description="тестовая заявка",
    )
    client.force_login(household)

    content = client.get(reverse("selfservice:account_history_tab", args=["100000001", "requests"])).content.decode()

    assert "Заявки абонента" in content and "Контрольная проверка прибора учета" in content
    assert "тестовая заявка" in content and "Отображена 1 запись." in content


def test_a_tab_shows_at_most_twenty_rows_and_says_so(client, household, account):
    for month in range(1, 12):
        for day in (3, 17):
            PaymentFactory(account=account, paid_on=datetime.date(2026, month, day))
    client.force_login(household)

    content = client.get(reverse("selfservice:account_history_tab", args=["100000001", "payments"])).content.decode()

    assert content.count("<tr>") == 1 + 20
    assert "Отображены первые 20 результатов поиска. Для более точного поиска воспользуйтесь фильтром." in content


def test_an_unknown_tab_is_a_404(client, household):
    client.force_login(household)

    assert client.get(reverse("selfservice:account_history_tab", args=["100000001", "secret"])).status_code == 404


# --- «Реквизиты ЛС» and «Статистика» ----------------------------------------------------------------------------------


def test_account_requisites_show_premises_meter_tariff_and_its_history(client, household, account):
    MeterFactory(
        account=account,
        serial="0123451",
        installed_on=datetime.date(2019, 9, 12),
        verification_due_on=datetime.date(2035, 9, 1),
        place="Сарай",
    )
    group = account.customer.group
    TariffFactory(
        group=group, rate=Decimal("2.44"), valid_from=datetime.date(2019, 1, 1), valid_to=datetime.date(2019, 6, 30)
    )
    TariffFactory(group=group, rate=Decimal("2.48"), valid_from=datetime.date(2019, 7, 1))
    client.force_login(household)

    content = client.get(reverse("selfservice:account_requisites", args=["100000001"])).content.decode()

    for text in (
        "Общая информация",
        "Петрова Анна Сергеевна",
        "Степная ул., д. 9, кв. 4",
        "54,3/38,1 м²",
        "Кол-во проживающих",
        "Информация о жилом помещении",
        "Газовая",
        "Номер счетчика",
        "0123451",
        "12.09.2019",
        "Значность счетчика",
        "6,2",
        "2035 г.",
        "01.09.2035",
        "Сарай",
        "Тип учета",
        "Однотарифный",
        "круглосуточная 2,48",
        "История Тарифов",
        "01.07.2019",
        "30.06.2019",
        "2,44",
    ):
        assert text in content, text


def test_statistics_show_the_highest_the_lowest_and_the_total_of_the_year(client, household, account):
    for month, kwh in ((1, "250"), (2, "180"), (3, "201.5")):
        receipt = DocumentFactory(account=account, period=datetime.date(2026, month, 1), amount=Decimal("1"))
        DocumentLine.objects.create(
            document=receipt, description="Круглосуточная", consumption=Decimal(kwh), amount=Decimal("1")
        )
    old = DocumentFactory(account=account, period=datetime.date(2025, 5, 1), amount=Decimal("1"))
    DocumentLine.objects.create(
        document=old, description="Круглосуточная", consumption=Decimal("999"), amount=Decimal("1")
    )
    client.force_login(household)
    url = reverse("selfservice:account_statistics", args=["100000001"])

    this_year = client.get(url).content.decode()
    last_year = client.get(url, {"year": "2025"}).content.decode()

    assert "Потребление за 2026 год" in this_year
    assert "Наибольшее потребление" in this_year and "250\xa0кВт·ч" in this_year and "Январь 2026" in this_year
    assert "Наименьшее потребление" in this_year and "180\xa0кВт·ч" in this_year
    assert "Всего за год" in this_year and "631,5\xa0кВт·ч" in this_year
    assert "<svg" in this_year and "Показать таблицей" in this_year
    assert "999\xa0кВт·ч" in last_year and '<option value="2025" selected>' in last_year
