"""The back office in the Wagtail admin (F-I1): every entity listed, searched, filtered, inspected, exported."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import NoReverseMatch, reverse
from wagtail.admin.menu import admin_menu

from backoffice.models import (
    Balance,
    BillingRun,
    ContractAttachment,
    ContractEmail,
    Customer,
    DocumentLine,
    ImportJob,
    PaymentAllocation,
    Reading,
)
from backoffice.models.choices import ReadingKind, ReadingSource, SalesKind, Zone
from tests.backoffice import factories as f
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PDF_BYTES = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def url(viewset: str, view: str = "index", *args) -> str:
    return reverse(f"backoffice_{viewset}:{view}", args=args)


def grant(user, *perms):
    for perm in perms:
        app_label, codename = perm.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True, email="admin@example.test"))
    return client


@pytest.fixture
def data(db):
    """One household and one organisation with everything the back office shows about them."""
    person = f.PersonFactory(last_name="Петрова", first_name="Анна", middle_name="Сергеевна", email="anna@example.test")
    account = f.PersonalAccountFactory(number="100200300", customer=person)
    meter = f.MeterFactory(serial="874199", account=account)
    reading = f.ReadingFactory(meter=meter, value=Decimal("1234.5"), taken_on=datetime.date(2020, 1, 25))
    estimated = f.ReadingFactory(
        meter=meter,
        value=Decimal("1300"),
        taken_on=datetime.date(2020, 2, 25),
        kind=ReadingKind.ESTIMATED,
        source=ReadingSource.ESTIMATE,
    )
    organisation = f.OrganisationFactory(
        full_name="ООО «Ромашка энерго»", short_name="ООО «Ромашка энерго»", inn="7801234567"
    )
    contract = f.ContractFactory(number="78010000012345", customer=organisation)
    email = f.ContractEmailFactory(contract=contract, email="energo@romashka.example")
    energy_object = f.EnergyObjectFactory(contract=contract, code="780100000123450001", name="Пекарня на Садовой")
    point = f.MeteringPointFactory(
        energy_object=energy_object, name="ТП-77, ввод 2", transformation_ratio=Decimal("40")
    )
    org_meter = f.MeterFactory(serial="550011", account=None, metering_point=point)
    tariff = f.TariffFactory(group=person.group, rate=Decimal("5.1200"))
    run = BillingRun.objects.create(
        period=datetime.date(2020, 1, 1),
        status=BillingRun.Status.DONE,
        stats={"documents": 1, "charged": "1234.56"},
    )
    document = f.DocumentFactory(
        number="КВ-2020-01-000001", account=account, amount=Decimal("1234.56"), billing_run=run
    )
    DocumentLine.objects.create(
        document=document,
        description="Электроэнергия, круглосуточная зона",
        zone=Zone.ROUND_THE_CLOCK,
        meter=meter,
        consumption=Decimal("241.125"),
        rate=Decimal("5.12"),
        amount=Decimal("1234.56"),
    )
    contract_document = f.DocumentFactory(
        number="СФ-2020-01-000002", account=None, contract=contract, amount=Decimal("99000.00")
    )
    payment = f.PaymentFactory(account=account, number="555001", amount=Decimal("1000.00"), unallocated=Decimal("0"))
    PaymentAllocation.objects.create(
        payment=payment, document=document, amount=Decimal("1000.00"), allocated_on=datetime.date(2020, 2, 5)
    )
    balance = Balance.objects.create(account=account, sales_kind=SalesKind.MAIN, amount=Decimal("234.56"))
    job = ImportJob.objects.create(
        resource="readings",
        original_name="показания-январь.xlsx",
        file="imports/2020/01/readings.xlsx",
        status=ImportJob.Status.FAILED,
        total_rows=3,
        processed_rows=3,
        errors=[{"row": 2, "message": "Нет прибора учёта 000"}],
    )
    return {
        "person": person,
        "account": account,
        "meter": meter,
        "reading": reading,
        "estimated": estimated,
        "organisation": organisation,
        "contract": contract,
        "email": email,
        "energy_object": energy_object,
        "point": point,
        "org_meter": org_meter,
        "tariff": tariff,
        "run": run,
        "document": document,
        "contract_document": contract_document,
        "payment": payment,
        "balance": balance,
        "job": job,
    }


# viewset, the data key of a row, Russian column labels on the index, a text of that row
SCREENS = [
    ("customers", "person", ["Клиент", "Тип", "ИНН", "Группа потребителей"], "Петрова Анна Сергеевна"),
    ("customers", "organisation", ["Клиент", "ИНН"], "7801234567"),
    ("accounts", "account", ["Номер ЛС", "Абонент", "Адрес", "Отделение"], "100200300"),
    ("contracts", "contract", ["Номер договора", "Организация", "ИНН", "Дата заключения"], "78010000012345"),
    ("customer_groups", None, ["Название", "Код", "Тип клиентов"], "Население"),
    ("branches", None, ["Название", "Начальник отделения", "Телефон"], "Центральное отделение"),
    ("curators", None, ["ФИО", "Отделение"], "Лебедева Ольга Ивановна"),
    ("energy_objects", "energy_object", ["Код ЭО", "Наименование ЭО", "Договор", "Организация"], "Пекарня на Садовой"),
    ("metering_points", "point", ["Наименование ИК", "Энергообъект", "Коэффициент трансформации"], "ТП-77, ввод 2"),
    ("meters", "meter", ["Номер ПУ", "Модель ПУ", "Лицевой счёт / ИК", "Тарифность"], "874199"),
    ("readings", "reading", ["Номер ПУ", "Лицевой счёт / ИК", "Зона", "Показание", "Дата показаний", "Тип"], "1234,50"),
    ("tariffs", "tariff", ["Группа потребителей", "Зона", "Величина тарифа"], "5,1200"),
    ("billing_runs", "run", ["Период", "Статус", "Документов", "Запустил"], "январь 2020"),
    (
        "documents",
        "document",
        ["Номер", "Тип документа", "Лицевой счёт / договор", "Сумма документа"],
        "1\xa0234,56\xa0₽",
    ),
    ("payments", "payment", ["Платёж", "Лицевой счёт / договор", "Способ", "Сумма"], "Платёж 555001 от 05.02.2020"),
    ("balances", "balance", ["Лицевой счёт / договор", "Вид реализации", "Сальдо"], "234,56\xa0₽"),
    ("import_jobs", "job", ["Имя файла", "Данные", "Статус", "Загрузил"], "показания-январь.xlsx"),
    ("contract_emails", "email", ["E-mail", "Договор", "Где указан"], "energo@romashka.example"),
]
EDITABLE = [
    ("customers", "person"),
    ("accounts", "account"),
    ("contracts", "contract"),
    ("contract_emails", "email"),
    ("energy_objects", "energy_object"),
    ("metering_points", "point"),
    ("meters", "meter"),
    ("readings", "reading"),
    ("tariffs", "tariff"),
]
READ_ONLY = [
    ("billing_runs", "run"),
    ("documents", "document"),
    ("payments", "payment"),
    ("balances", "balance"),
    ("import_jobs", "job"),
]


@pytest.mark.parametrize(("viewset", "key", "labels", "row_text"), SCREENS)
def test_index_lists_rows_under_russian_column_labels(admin_client, data, viewset, key, labels, row_text):
    response = admin_client.get(url(viewset))

    assert response.status_code == 200
    html = response.content.decode()
    for label in labels:
        assert label in html
    assert row_text in html


@pytest.mark.parametrize(("viewset", "key", "labels", "row_text"), [screen for screen in SCREENS if screen[1]])
def test_inspect_page_opens(admin_client, data, viewset, key, labels, row_text):
    response = admin_client.get(url(viewset, "inspect", data[key].pk))

    assert response.status_code == 200


@pytest.mark.parametrize(("viewset", "key"), EDITABLE)
def test_edit_and_add_pages_open(admin_client, data, viewset, key):
    assert admin_client.get(url(viewset, "edit", data[key].pk)).status_code == 200
    assert admin_client.get(url(viewset, "add")).status_code == 200


@pytest.mark.parametrize(("viewset", "key"), READ_ONLY)
def test_money_and_state_records_have_no_add_edit_or_delete(admin_client, data, viewset, key):
    for view, args in (("add", ()), ("edit", (data[key].pk,)), ("delete", (data[key].pk,))):
        with pytest.raises(NoReverseMatch):
            url(viewset, view, *args)
    prefix = url(viewset)
    assert admin_client.get(f"{prefix}new/").status_code == 404
    assert admin_client.get(f"{prefix}edit/{data[key].pk}/").status_code == 404
    assert admin_client.get(f"{prefix}delete/{data[key].pk}/").status_code == 404


def test_document_inspect_shows_its_lines_and_what_paid_it(admin_client, data):
    response = admin_client.get(url("documents", "inspect", data["document"].pk))

    html = response.content.decode()
    assert "Детализация" in html
    assert "Электроэнергия, круглосуточная зона" in html
    assert "241,125" in html
    assert "1\xa0234,56\xa0₽" in html  # the amount, Russian style
    assert "январь 2020" in html  # the period
    assert "Платёж 555001 от 05.02.2020" in html
    assert url("payments", "inspect", data["payment"].pk) in html


def test_payment_inspect_shows_the_documents_it_paid(admin_client, data):
    response = admin_client.get(url("payments", "inspect", data["payment"].pk))

    assert "Квитанция № КВ-2020-01-000001" in response.content.decode()


def test_contract_inspect_lists_its_emails_with_a_link_to_add_one(admin_client, data):
    contract = data["contract"]
    response = admin_client.get(url("contracts", "inspect", contract.pk))

    html = response.content.decode()
    assert "energo@romashka.example" in html
    assert f"{url('contract_emails', 'add')}?contract={contract.pk}" in html


def test_import_job_inspect_lists_the_errors_of_the_file(admin_client, data):
    response = admin_client.get(url("import_jobs", "inspect", data["job"].pk))

    html = response.content.decode()
    assert "Ошибки в файле" in html
    assert "Нет прибора учёта 000" in html


def test_billed_reading_cannot_be_deleted(admin_client, data):
    reading = data["reading"]
    reading.billed_period = datetime.date(2020, 1, 1)
    reading.save()

    response = admin_client.post(url("readings", "delete", reading.pk), follow=True)

    assert "удалить его нельзя" in response.content.decode()
    assert Reading.objects.filter(pk=reading.pk).exists()


def test_billing_run_inspect_shows_its_totals_and_documents(admin_client, data):
    response = admin_client.get(url("billing_runs", "inspect", data["run"].pk))

    html = response.content.decode()
    assert "Документов: 1" in html
    assert "Начислено: 1\xa0234,56\xa0₽" in html
    assert f"{url('documents')}?billing_run={data['run'].pk}" in html


def test_search_finds_a_contract_by_number(admin_client, data):
    f.ContractFactory(number="78019999999999")

    response = admin_client.get(url("contracts"), {"q": "0000012345"})

    html = response.content.decode()
    assert "78010000012345" in html
    assert "78019999999999" not in html


def test_search_finds_a_customer_by_inn(admin_client, data):
    response = admin_client.get(url("customers"), {"q": "7801234567"})

    html = response.content.decode()
    assert "Ромашка энерго" in html
    assert "Петрова" not in html


def test_search_matches_every_word_of_a_full_name(admin_client, data):
    f.PersonFactory(last_name="Петрова", first_name="Мария", middle_name="Ивановна")

    response = admin_client.get(url("customers"), {"q": "петрова анна"})

    html = response.content.decode()
    assert "Петрова Анна Сергеевна" in html
    assert "Петрова Мария" not in html


def test_documents_filter_by_period_and_owner(admin_client, data):
    f.DocumentFactory(number="КВ-2019-12-000009", period=datetime.date(2019, 12, 1))

    by_period = admin_client.get(url("documents"), {"period": "01.2020"}).content.decode()
    by_owner = admin_client.get(url("documents"), {"owner": "contract"}).content.decode()

    assert "КВ-2020-01-000001" in by_period
    assert "КВ-2019-12-000009" not in by_period
    assert "СФ-2020-01-000002" in by_owner
    assert "КВ-2020-01-000001" not in by_owner


def test_documents_of_one_billing_run(admin_client, data):
    response = admin_client.get(url("documents"), {"billing_run": data["run"].pk})

    html = response.content.decode()
    assert "КВ-2020-01-000001" in html
    assert "СФ-2020-01-000002" not in html


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8"))))


def test_customer_export_is_a_csv_with_russian_headings_and_the_rows(admin_client, data):
    rows = read_csv(admin_client.get(url("customers"), {"export": "csv"}))

    heading = rows[0]
    assert heading[:3] == ["Тип", "Клиент", "Фамилия"]
    by_name = {row[1]: dict(zip(heading, row, strict=True)) for row in rows[1:]}
    assert len(rows) == 3  # the heading, the organisation and the person
    assert by_name["ООО «Ромашка энерго»"]["ИНН"] == "7801234567"
    assert by_name["ООО «Ромашка энерго»"]["Тип"] == "Юридическое лицо"
    assert by_name["Петрова Анна Сергеевна"]["Фамилия"] == "Петрова"


def test_export_follows_the_search(admin_client, data):
    f.ContractFactory(number="78019999999999")

    rows = read_csv(admin_client.get(url("contracts"), {"q": "78010000012345", "export": "csv"}))

    assert [row[0] for row in rows] == ["Номер договора", "78010000012345"]


def test_meter_export_leaves_the_metering_point_empty_for_a_household_meter(admin_client, data):
    rows = read_csv(admin_client.get(url("meters"), {"export": "csv"}))

    heading = rows[0]
    by_serial = {row[0]: dict(zip(heading, row, strict=True)) for row in rows[1:]}
    assert by_serial["874199"]["Номер ЛС"] == "100200300"
    assert by_serial["874199"]["Код ЭО"] == ""
    assert by_serial["550011"]["Код ЭО"] == "780100000123450001"


def test_document_export_as_xlsx(admin_client, data):
    response = admin_client.get(url("documents"), {"export": "xlsx"})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert 'filename="documents.xlsx"' in response["Content-Disposition"]


def test_staff_without_admin_access_is_sent_to_the_login(client, data):
    client.force_login(UserFactory(is_staff=True))

    response = client.get(url("customers"))

    assert response.status_code == 302
    assert reverse("wagtailadmin_login") in response["Location"]


def test_staff_without_permissions_is_refused_every_screen(client, data):
    clerk = UserFactory(is_staff=True)
    grant(clerk, "wagtailadmin.access_admin")
    client.force_login(clerk)

    for viewset in ("customers", "contracts", "readings", "documents", "payments", "balances"):
        response = client.get(url(viewset))
        assert response.status_code == 302, viewset
        assert response["Location"] == reverse("wagtailadmin_home")
    assert client.get(url("documents", "inspect", data["document"].pk)).status_code == 302


def test_view_permission_opens_the_list_but_not_other_lists(client, data):
    operator = UserFactory(is_staff=True)
    grant(operator, "wagtailadmin.access_admin", "backoffice.view_document")
    client.force_login(operator)

    assert client.get(url("documents")).status_code == 200
    assert client.get(url("documents", "inspect", data["document"].pk)).status_code == 200
    assert client.get(url("payments")).status_code == 302


def test_view_only_user_cannot_edit_master_data(client, data):
    support = UserFactory(is_staff=True)
    grant(support, "wagtailadmin.access_admin", "backoffice.view_customer")
    client.force_login(support)

    index = client.get(url("customers"))
    assert index.status_code == 200
    assert url("customers", "add") not in index.content.decode()
    assert url("customers", "edit", data["person"].pk) not in index.content.decode()
    assert client.get(url("customers", "edit", data["person"].pk)).status_code == 302


def test_estimated_reading_cannot_be_edited_or_deleted(admin_client, data):
    estimated = data["estimated"]

    edit = admin_client.get(url("readings", "edit", estimated.pk), follow=True)
    delete = admin_client.post(url("readings", "delete", estimated.pk), follow=True)

    inspect_url = url("readings", "inspect", estimated.pk)
    assert edit.redirect_chain[-1][0] == inspect_url
    assert "Расчетные показания формирует расчёт периода" in edit.content.decode()
    assert delete.redirect_chain[-1][0] == inspect_url
    assert Reading.objects.filter(pk=estimated.pk).exists()


def test_reading_list_offers_edit_only_for_manual_readings(admin_client, data):
    html = admin_client.get(url("readings")).content.decode()

    assert url("readings", "edit", data["reading"].pk) in html
    assert url("readings", "edit", data["estimated"].pk) not in html
    assert url("readings", "inspect", data["estimated"].pk) in html


def test_staff_cannot_add_an_estimated_reading(admin_client, data):
    response = admin_client.post(
        url("readings", "add"),
        {
            "meter": data["meter"].pk,
            "zone": Zone.ROUND_THE_CLOCK,
            "quantity": "A+",
            "value": "1400",
            "taken_on": "25.03.2020",
            "kind": ReadingKind.ESTIMATED,
            "source": ReadingSource.INSPECTOR,
            "status": "accepted",
        },
    )

    assert response.status_code == 200  # the form again, with an error
    assert not Reading.objects.filter(taken_on=datetime.date(2020, 3, 25)).exists()


def test_staff_adds_a_control_reading_signed_with_their_name(admin_client, data):
    response = admin_client.post(
        url("readings", "add"),
        {
            "meter": data["meter"].pk,
            "zone": Zone.ROUND_THE_CLOCK,
            "quantity": "A+",
            "value": "1400",
            "taken_on": "25.03.2020",
            "kind": ReadingKind.CONTROL,
            "source": ReadingSource.INSPECTOR,
            "status": "accepted",
        },
    )

    assert response.status_code == 302
    reading = Reading.objects.get(taken_on=datetime.date(2020, 3, 25))
    assert reading.kind == ReadingKind.CONTROL
    assert reading.submitted_by.email == "admin@example.test"


def test_deleting_a_customer_with_accounts_is_refused_with_a_message(admin_client, data):
    person = data["person"]

    response = admin_client.post(url("customers", "delete", person.pk), follow=True)

    assert response.status_code == 200
    assert "Нельзя удалить «Петрова Анна Сергеевна»" in response.content.decode()
    assert Customer.objects.filter(pk=person.pk).exists()


def test_accounts_contracts_and_meters_are_closed_not_deleted(data):
    for viewset, key in (("accounts", "account"), ("contracts", "contract"), ("meters", "meter")):
        with pytest.raises(NoReverseMatch):
            url(viewset, "delete", data[key].pk)


def test_adding_an_email_from_the_contract_returns_to_the_contract(admin_client, data):
    contract = data["contract"]
    form = admin_client.get(url("contract_emails", "add"), {"contract": contract.pk})
    assert f'value="{contract.pk}"' in form.content.decode()

    response = admin_client.post(
        f"{url('contract_emails', 'add')}?contract={contract.pk}",
        {"contract": contract.pk, "email": "Buh@Romashka.example", "source": "requisites", "agreement": ""},
    )

    assert response.status_code == 302
    assert response["Location"] == url("contracts", "inspect", contract.pk)
    assert ContractEmail.objects.filter(contract=contract, email="buh@romashka.example").exists()


def test_contract_scan_is_uploaded_checked_by_content_and_downloaded(admin_client, data, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    from backoffice.storage import private_storage

    private_storage.cache_clear()
    contract = data["contract"]
    add = url("contract_attachments", "add")

    fake = admin_client.post(
        add,
        {"contract": contract.pk, "title": "Договор", "file": SimpleUploadedFile("dogovor.pdf", b"MZ not a pdf")},
    )
    real = admin_client.post(
        add,
        {"contract": contract.pk, "title": "Договор", "file": SimpleUploadedFile("dogovor.pdf", PDF_BYTES)},
    )

    assert fake.status_code == 200
    assert "Загрузите PDF или изображение" in fake.content.decode()
    assert real.status_code == 302
    attachment = ContractAttachment.objects.get(contract=contract)
    download = admin_client.get(url("contract_attachments", "download", attachment.pk))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF_BYTES
    # The file is stored outside the web root: the pages link to the checked download, never to a URL of it.
    assert admin_client.get(url("contract_attachments", "edit", attachment.pk)).status_code == 200
    assert admin_client.get(url("contract_attachments", "inspect", attachment.pk)).status_code == 200
    contract_page = admin_client.get(url("contracts", "inspect", contract.pk)).content.decode()
    assert url("contract_attachments", "download", attachment.pk) in contract_page
    private_storage.cache_clear()


def test_chooser_searches_customers_for_staff_only(admin_client, client, data):
    chooser = reverse("backoffice_customer_chooser:choose_results")

    found = admin_client.get(chooser, {"q": "7801234567"})
    editor = UserFactory(is_staff=True)
    grant(editor, "wagtailadmin.access_admin")
    client.force_login(editor)

    assert found.status_code == 200
    assert "Ромашка энерго" in found.content.decode()
    assert "Петрова" not in found.content.decode()
    assert client.get(chooser).status_code == 302


def test_account_form_picks_the_customer_with_a_chooser_not_a_select_of_everyone(admin_client, data):
    html = admin_client.get(url("accounts", "edit", data["account"].pk)).content.decode()

    assert reverse("backoffice_customer_chooser:choose") in html
    assert "<select" not in html.split('name="customer"')[0].rsplit("<", 3)[-1]


def test_menu_groups_screens_by_job():
    reverse("wagtailadmin_home")  # loads the admin URLs, which register the viewsets, so the test runs on its own
    request = RequestFactory().get("/admin/")
    request.user = UserFactory(is_staff=True, is_superuser=True)

    groups = {item.name: item for item in admin_menu.menu_items_for_request(request)}

    def labels(name):
        return [
            str(sub.label) for sub in sorted(groups[name].menu.menu_items_for_request(request), key=lambda i: i.order)
        ]

    assert str(groups["backoffice-clients"].label) == "Клиенты"
    assert labels("backoffice-clients") == [
        "Поиск клиента",  # workflows/wagtail_hooks/customer360.py, at the top
        "Клиенты",
        "Лицевые счета",
        "Договоры",
        "Группы потребителей",
        "Отделения",
        "Кураторы",
        "Пользователи портала",
        "Заявки на активацию",
        "Запросы роли Администратор",
        "Заказы услуг",
        "Роли по договорам",
    ]
    assert labels("backoffice-metering") == [
        "Энергообъекты",
        "Измерительные комплексы",
        "Приборы учёта",
        "Показания",
        "Первичные акты",
        "Показания на проверку",
    ]
    assert labels("backoffice-billing") == [
        "Тарифы",
        "Расчёты периодов",
        "Запустить расчёт",
        "Документы",
        "Платежи",
        "Оплаты картой",
        "Уведомления эквайера",
        "Сальдо",
        "Загрузка и выгрузка",
        "Загрузки данных",
    ]


# --- No N+1 on the big lists ----------------------------------------------------------


def many_documents(n):
    f.DocumentFactory.create_batch(n)


def many_meters(n):
    for _index in range(n):
        if _index % 2:
            f.MeterFactory()
        else:
            f.MeterFactory(account=None, metering_point=f.MeteringPointFactory())


def many_readings(n):
    for meter in (f.MeterFactory(), f.MeterFactory(account=None, metering_point=f.MeteringPointFactory())):
        for day in range(n // 2 + 1):
            f.ReadingFactory(meter=meter, taken_on=datetime.date(2020, 1, 1) + datetime.timedelta(days=day))


@pytest.mark.parametrize(
    ("viewset", "add_rows"), [("documents", many_documents), ("meters", many_meters), ("readings", many_readings)]
)
def test_big_lists_cost_the_same_queries_for_few_and_many_rows(
    admin_client, django_assert_max_num_queries, viewset, add_rows
):
    from tests.querycount import count_queries

    add_rows(3)
    few = count_queries(admin_client, url(viewset))
    add_rows(35)

    with django_assert_max_num_queries(few):
        response = admin_client.get(url(viewset))

    assert response.status_code == 200
    assert few <= 12
