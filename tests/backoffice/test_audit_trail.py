"""The audit trail wired into the back office (issue 10): staff edits in the admin, payments, billing runs and
imports each leave one entry with who, when, what, whose and from where; «Журнал аудита» lists, filters, inspects
and exports them and offers no way to change one."""

import datetime
import io
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, RequestFactory
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from openpyxl import load_workbook
from wagtail.admin.forms.models import WagtailAdminModelForm
from wagtail.admin.menu import admin_menu

from backoffice.audit_selectors import audit_entries_for_customer
from backoffice.models import AuditAction, AuditChannel, AuditEntry, ContractEmail, Customer, ImportJob, Reading
from backoffice.models.choices import ReadingKind, ReadingSource, Zone
from backoffice.services.audit import audit_customer_of, audit_record
from backoffice.services.billing import billing_run
from backoffice.services.payments import payment_register
from backoffice.wagtail_hooks.catalog import customer_viewset, energy_object_viewset
from tests.backoffice import factories as f
from tests.backoffice.acquiring import notification_body, post_notification, start_payment
from tests.factories import UserFactory
from tests.querycount import assert_queries_flat

pytestmark = pytest.mark.django_db

CLERK_IP = "198.51.100.7"
D = Decimal


def url(viewset: str, view: str = "index", *args) -> str:
    return reverse(f"backoffice_{viewset}:{view}", args=args)


@pytest.fixture
def admin():
    return UserFactory(
        is_staff=True,
        is_superuser=True,
        email="olga@energosbyt.example",
        last_name="Сидорова",
        first_name="Ольга",
        middle_name="",
    )


@pytest.fixture
def admin_client(admin):
    client = Client(REMOTE_ADDR=CLERK_IP)
    client.force_login(admin)
    return client


@pytest.fixture
def person():
    return f.PersonFactory(last_name="Петрова", first_name="Анна", middle_name="Сергеевна", email="anna@example.test")


@pytest.fixture
def contract():
    organisation = f.OrganisationFactory(full_name="ООО «Ромашка»", short_name="ООО «Ромашка»", inn="7801234567")
    return f.ContractFactory(number="78010000012345", customer=organisation)


def form_data(viewset, instance, user, **changes) -> dict:
    """What the admin's edit form posts back unchanged, with `changes` applied."""
    form_class = viewset.get_form_class(for_update=True)
    form = form_class(
        instance=instance, **({"for_user": user} if issubclass(form_class, WagtailAdminModelForm) else {})
    )
    data = {}
    for name in form.fields:
        value = form[name].value()
        data[name] = "" if value is None else str(value) if not isinstance(value, list) else value
    return {**data, **changes}


def only_entry(**filters) -> AuditEntry:
    [entry] = AuditEntry.objects.filter(**filters)
    return entry


# --- Staff edits in the admin --------------------------------------------------------------------------------------


def test_a_clerk_changing_a_customer_is_recorded_field_by_field(admin_client, admin, person):
    data = form_data(customer_viewset, person, admin, email="anna.petrova@example.test", phone="+79110000001")

    response = admin_client.post(url("customers", "edit", person.pk), data)

    assert response.status_code == 302
    entry = only_entry(action=AuditAction.STAFF_EDIT)
    assert entry.summary == "Изменено: клиент «Петрова Анна Сергеевна» (телефон, e-mail)"
    assert entry.changes == {
        "E-mail": ["anna@example.test", "anna.petrova@example.test"],
        "Телефон": [None, "+7 911 000-00-01"],
    }
    assert (entry.actor_id, entry.actor_repr) == (admin.pk, "Сидорова Ольга <olga@energosbyt.example>")
    assert (entry.customer_id, entry.object_id, entry.object_repr) == (person.pk, person.pk, "Петрова Анна Сергеевна")
    assert (entry.channel, entry.ip_address) == (AuditChannel.ADMIN, CLERK_IP)


def test_saving_an_unchanged_form_or_a_refused_one_writes_nothing(admin_client, admin, person):
    admin_client.post(url("customers", "edit", person.pk), form_data(customer_viewset, person, admin))
    refused = admin_client.post(
        url("customers", "edit", person.pk), form_data(customer_viewset, person, admin, inn="1")
    )

    assert refused.status_code == 200  # the form again, with the error
    assert not AuditEntry.objects.exists()


def test_a_clerk_editing_an_energy_object_is_recorded_for_the_contracts_organisation(admin_client, admin, contract):
    site = f.EnergyObjectFactory(contract=contract, code="780100000123450001", name="Пекарня")

    admin_client.post(
        url("energy_objects", "edit", site.pk),
        form_data(energy_object_viewset, site, admin, name="Пекарня на Садовой", status="disconnected"),
    )

    entry = only_entry(action=AuditAction.STAFF_EDIT)
    assert entry.changes == {
        "Наименование ЭО": ["Пекарня", "Пекарня на Садовой"],
        "Статус ЭО": ["Действующий", "Отключён"],
    }
    assert entry.customer_id == contract.customer_id


def test_an_added_contract_email_belongs_to_the_contracts_organisation(admin_client, contract):
    admin_client.post(
        f"{url('contract_emails', 'add')}?contract={contract.pk}",
        {"contract": contract.pk, "email": "buh@romashka.example", "source": "requisites", "agreement": ""},
    )

    entry = only_entry(action=AuditAction.STAFF_EDIT)
    assert entry.summary == "Добавлено: e-mail договора «buh@romashka.example»"
    assert entry.changes["E-mail"] == [None, "buh@romashka.example"]
    assert entry.changes["Договор"] == [None, "Договор № 78010000012345"]
    assert entry.customer_id == contract.customer_id


def test_a_deleted_contract_email_keeps_what_it_was(admin_client, contract):
    email = f.ContractEmailFactory(contract=contract, email="old@romashka.example")

    admin_client.post(url("contract_emails", "delete", email.pk))

    assert not ContractEmail.objects.filter(pk=email.pk).exists()
    entry = only_entry(action=AuditAction.STAFF_EDIT)
    assert entry.summary == "Удалено: e-mail договора «old@romashka.example»"
    assert entry.changes["E-mail"] == ["old@romashka.example", None]
    assert (entry.object_id, entry.customer_id) == (email.pk, contract.customer_id)


def test_a_refused_delete_leaves_no_entry(admin_client, person):
    f.PersonalAccountFactory(customer=person)

    response = admin_client.post(url("customers", "delete", person.pk), follow=True)

    assert "Нельзя удалить" in response.content.decode()
    assert Customer.objects.filter(pk=person.pk).exists()
    assert not AuditEntry.objects.exists()


def test_a_reading_entered_by_staff_reaches_the_household_through_its_meter(admin_client, person):
    meter = f.MeterFactory(serial="874199", account=f.PersonalAccountFactory(customer=person))

    admin_client.post(
        url("readings", "add"),
        {
            "meter": meter.pk,
            "zone": Zone.ROUND_THE_CLOCK,
            "quantity": "A+",
            "value": "1400",
            "taken_on": "25.03.2020",
            "kind": ReadingKind.CONTROL,
            "source": ReadingSource.INSPECTOR,
            "status": "accepted",
        },
    )

    assert Reading.objects.filter(meter=meter).exists()
    entry = only_entry(action=AuditAction.STAFF_EDIT)
    assert entry.customer_id == person.pk
    assert entry.changes["Показание"] == [None, "1400"]
    assert entry.changes["Дата показаний"] == [None, "25.03.2020"]


def test_whose_an_object_is_costs_no_query_when_its_relations_are_loaded(person, django_assert_num_queries):
    reading = f.ReadingFactory(meter=f.MeterFactory(account=f.PersonalAccountFactory(customer=person)))
    loaded = Reading.objects.select_related("meter__account").get(pk=reading.pk)
    bare = Reading.objects.get(pk=reading.pk)

    with django_assert_num_queries(0):
        assert audit_customer_of(loaded) == person.pk
    with django_assert_num_queries(1):
        assert audit_customer_of(bare) == person.pk
    assert audit_customer_of(f.TariffFactory()) is None


# --- Money and state -----------------------------------------------------------------------------------------------


def test_a_card_payment_posted_by_the_bank_is_recorded_once(client, contract):
    invoice = f.DocumentFactory(account=None, contract=contract, number="СФ-2610-1", amount=D("1500.00"))
    payer = UserFactory(email="buh@romashka.example")
    order = start_payment(
        user=payer, contract=contract, amount="2000.00", mode="document", targets=[(invoice, "1500.00")]
    )
    body = notification_body(order, "succeeded")

    post_notification(client, body)
    post_notification(client, body)  # the bank repeats itself: the money moved once, so did the trail

    entry = only_entry(action=AuditAction.PAYMENT)
    assert entry.summary == f"Проведён платёж № {order.reference} на 2\xa0000,00\xa0₽: Договор № 78010000012345"
    assert entry.changes["Зачтено в документы"] == "1\xa0500,00\xa0₽"
    assert entry.changes["Аванс / переплата"] == "500,00\xa0₽"
    assert entry.changes["Документы"] == "СФ-2610-1" and entry.changes["Плательщик"] == "buh@romashka.example"
    assert entry.actor_id is None and entry.customer_id == contract.customer_id
    assert entry.channel == AuditChannel.PORTAL and entry.ip_address == "127.0.0.1"  # the bank's address


def test_a_bank_payment_is_recorded_for_the_households_customer(person):
    account = f.PersonalAccountFactory(customer=person, number="100200300")

    payment_register(account=account, amount=D("643.20"), paid_on=datetime.date(2020, 2, 5), number="77")
    payment_register(account=account, amount=D("643.20"), paid_on=datetime.date(2020, 2, 5), provider_id="x:1")
    payment_register(account=account, amount=D("643.20"), paid_on=datetime.date(2020, 2, 5), provider_id="x:1")

    entries = AuditEntry.objects.filter(action=AuditAction.PAYMENT)
    assert entries.count() == 2  # the second report of provider id x:1 stored nothing, so recorded nothing
    assert {entry.customer_id for entry in entries} == {person.pk}
    assert entries.last().summary == "Проведён платёж № 77 на 643,20\xa0₽: ЛС 100200300"
    assert entries.last().channel == AuditChannel.COMMAND


def test_a_billing_run_is_one_entry_with_its_totals(admin):
    meter = f.MeterFactory(account__number="100000001")
    f.TariffFactory(group=meter.account.customer.group, rate=D("3.20"))
    f.ReadingFactory(meter=meter, taken_on=datetime.date(2019, 12, 25), value=D("1000"))
    f.ReadingFactory(meter=meter, taken_on=datetime.date(2020, 1, 25), value=D("1201"))

    run = billing_run(period=datetime.date(2020, 1, 1), user=admin)

    entry = only_entry(action=AuditAction.BILLING_RUN)
    assert entry.summary == "Расчёт за январь 2020: документов 1, начислено 643,20\xa0₽"
    assert entry.changes["Документов"] == 1 and entry.changes["Показаний учтено"] == 1
    assert (entry.object_id, entry.actor_id, entry.customer_id) == (run.pk, admin.pk, None)


IMPORT_HEADER = "Номер ПУ;Зона;Дата;Показание\n"


def upload(client, text: str, *, dry_run=False):
    data = {"resource": "readings", "file": SimpleUploadedFile("readings.csv", (IMPORT_HEADER + text).encode())}
    if dry_run:
        data["dry_run"] = "on"
    return client.post("/admin/exchange/", data)


@pytest.fixture
def private_media(settings, tmp_path):
    from backoffice.storage import private_storage

    settings.PRIVATE_MEDIA_ROOT = tmp_path
    private_storage.cache_clear()
    yield
    private_storage.cache_clear()


def test_an_import_is_one_entry_per_stored_file_not_per_row(admin_client, admin, private_media):
    f.MeterFactory(serial="874100")
    rows = "874100;Круглосуточная;25.01.2020;1234,5\n874100;Круглосуточная;25.02.2020;1300\n"

    upload(admin_client, rows, dry_run=True)  # a check stores nothing
    upload(admin_client, "874100;Круглосуточная;31.02.2020;1\n")  # a bad file stores nothing
    upload(admin_client, rows)

    entry = only_entry(action=AuditAction.IMPORT)
    job = ImportJob.objects.get(dry_run=False, status=ImportJob.Status.DONE)
    assert entry.summary == "Загружен файл «readings.csv» (Показания): строк 2, добавлено 2, обновлено 0"
    assert entry.changes["Строк"] == 2 and entry.changes["Файл"] == "readings.csv"
    assert (entry.object_id, entry.actor_id, entry.channel, entry.ip_address) == (
        job.pk,
        admin.pk,
        AuditChannel.ADMIN,
        CLERK_IP,
    )


# --- «Журнал аудита» -----------------------------------------------------------------------------------------------


def record(customer=None, *, action=AuditAction.STAFF_EDIT, actor=None, summary="Изменён e-mail клиента", **kwargs):
    return audit_record(actor=actor, action=action, summary=summary, subject=customer, customer=customer, **kwargs)


def test_the_report_lists_when_who_from_where_what_and_the_object(admin_client, admin, person):
    record(person, actor=admin, changes={"E-mail": ["a@example.test", "b@example.test"]})

    page = admin_client.get(url("audit")).content.decode()

    entry = AuditEntry.objects.get()
    assert timezone.localtime(entry.at).strftime("%d.%m.%Y %H:%M") in page
    for text in ("Когда", "Кто", "Откуда", "Действие", "Объект", "Что сделано"):
        assert text in page
    assert "Сидорова Ольга &lt;olga@energosbyt.example&gt;" in page
    assert "Команда сервера" in page and "Изменение данных сотрудником" in page
    assert "Петрова Анна Сергеевна" in page and "Изменён e-mail клиента" in page
    assert url("audit", "inspect", entry.pk) in page


def test_the_report_filters_by_action_channel_dates_actor_and_customer(admin_client, admin, person, contract):
    record(person, actor=admin, summary="Первое")
    record(contract.customer, action=AuditAction.PAYMENT, summary="Второе")
    today = timezone.localdate().strftime("%Y-%m-%d")

    def listed(**params) -> set[str]:
        page = admin_client.get(url("audit"), params).content.decode()
        return {summary for summary in ("Первое", "Второе") if summary in page}

    assert listed(action="payment") == {"Второе"}
    assert listed(channel="command") == {"Первое", "Второе"} and listed(channel="admin") == set()
    assert listed(at_from=today, at_to=today) == {"Первое", "Второе"}
    assert listed(at_from="2020-01-01", at_to="2020-01-31") == set()
    assert listed(actor="Сидорова") == {"Первое"}
    assert listed(customer=person.pk) == {"Первое"}
    assert listed(q="Второе") == {"Второе"}


def test_the_reports_query_count_does_not_grow_with_its_rows(admin_client, admin, person):
    def add_rows(count):
        for number in range(count):
            record(person, actor=admin, summary=f"Изменение {number}", changes={"E-mail": ["a", "b"]})

    assert_queries_flat(admin_client, url("audit"), add_rows=add_rows, max_queries=12)


def test_the_inspect_page_shows_the_changes_as_was_and_became(admin_client, admin, person):
    entry = record(person, actor=admin, changes={"E-mail": ["a@example.test", "b@example.test"], "Шаг": "grant"})

    page = admin_client.get(url("audit", "inspect", entry.pk)).content.decode()

    assert "Что изменилось" in page and "Было" in page and "Стало" in page
    assert "a@example.test" in page and "b@example.test" in page
    assert "Подробности" in page and "grant" in page
    assert url("customers", "edit", person.pk) in page  # the customer, linked


def test_an_entry_cannot_be_edited_or_deleted_from_the_admin(admin_client, admin, person):
    entry = record(person, actor=admin)

    for view in ("add", "edit", "delete"):
        with pytest.raises(NoReverseMatch):
            url("audit", view, *(() if view == "add" else (entry.pk,)))
    for path in (f"/admin/backoffice/audit/edit/{entry.pk}/", f"/admin/backoffice/audit/delete/{entry.pk}/"):
        assert admin_client.get(path).status_code == 404
        assert admin_client.post(path, {"summary": "Ничего не было"}).status_code == 404
    assert admin_client.post(url("audit", "inspect", entry.pk), {"summary": "Ничего не было"}).status_code == 405
    assert admin_client.post("/admin/backoffice/audit/new/", {"summary": "Ничего не было"}).status_code == 404
    entry.refresh_from_db()
    assert entry.summary == "Изменён e-mail клиента"


def test_the_report_exports_to_excel(admin_client, admin, person):
    record(person, actor=admin, changes={"E-mail": ["a@example.test", "b@example.test"]})

    response = admin_client.get(url("audit"), {"export": "xlsx"})

    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    header, row = [[cell.value for cell in line] for line in sheet.iter_rows(max_row=2)]
    assert header[:3] == ["Когда", "Кто", "Откуда"]
    assert row[1] == "Сидорова Ольга <olga@energosbyt.example>" and "E-mail: a@example.test → b@example.test" in row


def test_the_report_needs_its_view_permission(client, person):
    record(person)
    clerk = UserFactory(is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(clerk)

    refused = client.get(url("audit"))
    clerk.user_permissions.add(Permission.objects.get(codename="view_auditentry"))
    allowed = client.get(url("audit"))

    assert refused.status_code == 302  # Wagtail's «no permission» redirect to the dashboard
    assert allowed.status_code == 200 and "Изменён e-mail клиента" in allowed.content.decode()
    request = RequestFactory().get("/admin/")
    request.user = type(clerk).objects.get(pk=clerk.pk)
    menu = {str(item.label) for item in admin_menu.menu_items_for_request(request)}
    assert "Журнал аудита" in menu


def test_the_customer_selector_reads_the_latest_entries_in_one_query(person, contract, django_assert_num_queries):
    for number in range(5):
        record(person, summary=f"Изменение {number}")
    record(contract.customer, summary="Чужое")

    with django_assert_num_queries(1):
        entries = list(audit_entries_for_customer(customer_id=person.pk, limit=3))
        shown = [(entry.summary, entry.content_type.model) for entry in entries]

    assert shown == [("Изменение 4", "customer"), ("Изменение 3", "customer"), ("Изменение 2", "customer")]
