"""«Поиск клиента» and the customer's card (the customer 360 view): the one box, every section, the staff's actions."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from backoffice.models import AuditEntry, Balance, Notification, OutboxMessage
from backoffice.models.audit import AuditAction
from backoffice.models.choices import SalesKind
from backoffice.services.audit import audit_record
from selfservice.models import AccountLink
from tests.backoffice import factories as f
from tests.factories import UserFactory
from tests.querycount import assert_queries_flat, steady_count
from tests.selfservice.cabinet import give_role, link_account
from tests.workflows.appeals_kit import file_appeal, topic, topics
from workflows.models import Appeal, ServiceOrder, TransitionLog
from workflows.services.customer360_selectors import customer_search

pytestmark = pytest.mark.django_db

SEARCH = reverse("workflows_customer_search")
HOME = reverse("wagtailadmin_home")


def card(customer):
    return reverse("workflows_customer_card", args=[customer.pk])


def action(customer, name):
    return reverse("workflows_customer_action", args=[customer.pk, name])


def grant(user, *codenames):
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return type(user).objects.get(pk=user.pk)  # permissions are cached per instance


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = "http://testserver"


@pytest.fixture
def clerk(client):
    user = UserFactory(is_staff=True, email="clerk@energosbyt.example", last_name="Смирнова", first_name="Ольга")
    user = grant(user, "access_admin", "view_customer", "assist_customer", "view_appeal", "work_appeal")
    client.force_login(user)
    return user


@pytest.fixture
def household():
    customer = f.PersonFactory(
        last_name="Петрова",
        first_name="Анна",
        middle_name="Сергеевна",
        email="Anna.Petrova@mail.example",
        phone="+79119998877",
    )
    account = f.PersonalAccountFactory(number="100200300", customer=customer, address="г. Энергоград, ул. Лесная, д. 3")
    user = UserFactory(email="anna@example.test", phone="+79115554433", last_name="Петрова", first_name="Анна")
    link_account(user, account)
    return customer


@pytest.fixture
def organisation():
    customer = f.OrganisationFactory(
        full_name="Общество с ограниченной ответственностью «Ромашка»", short_name="ООО «Ромашка»", inn="7812345678"
    )
    contract = f.ContractFactory(number="78010000000487", customer=customer)
    f.ContractEmailFactory(contract=contract, email="energy@romashka.example")
    give_role(UserFactory(email="buh@romashka.example", phone="+79210001122"), contract)
    return customer


@pytest.fixture
def others():
    """Customers the searches must not return."""
    person = f.PersonFactory(last_name="Сидоров", first_name="Пётр", email="sidorov@mail.example", phone="+79110001111")
    f.PersonalAccountFactory(number="300400500", customer=person)
    org = f.OrganisationFactory(full_name="Акционерное общество «Василёк»", short_name="АО «Василёк»", inn="7899999999")
    f.ContractFactory(number="78020000000999", customer=org)
    return [person, org]


def page(client, url, **params):
    response = client.get(url, params, follow=True)
    assert response.status_code == 200, response
    return response.content.decode()


# --- The search box ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "who"),
    [
        ("100200300", "household"),  # ЛС
        ("1002003", "household"),  # the start of the ЛС
        ("78010000000487", "organisation"),  # contract number
        ("7812345678", "organisation"),  # ИНН
        ("ANNA.PETROVA@mail.example", "household"),  # the customer's e-mail, any case
        ("energy@romashka.example", "organisation"),  # a contract's e-mail
        ("anna@example.test", "household"),  # a portal user's e-mail
        ("buh@romashka.example", "organisation"),  # a portal user with a role on the contract
        ("+7 911 999-88-77", "household"),  # the customer's phone, spelled variously
        ("8 (911) 999 88 77", "household"),
        ("89119998877", "household"),
        ("+79115554433", "household"),  # a portal user's phone
        ("петрова", "household"),  # a name, any case
        ("анна петр", "household"),  # words of the name in any order, as beginnings
        ("ромашка", "organisation"),  # a word of the organisation's name
    ],
)
def test_the_box_finds_the_customer_by_each_key_and_no_one_else(query, who, household, organisation, others):
    expected = {"household": household, "organisation": organisation}[who]
    found = customer_search(query=query).customers
    assert [customer.pk for customer in found] == [expected.pk]


def test_an_only_hit_opens_the_card(client, clerk, household, others):
    response = client.get(SEARCH, {"q": "100200300"})
    assert response.status_code == 302
    assert response["Location"] == card(household)


def test_several_hits_are_listed_with_their_numbers_and_links(client, clerk, household, others):
    namesake = f.PersonFactory(last_name="Петрова", first_name="Мария", middle_name="Ивановна")
    f.PersonalAccountFactory(number="555666777", customer=namesake)
    content = page(client, SEARCH, q="Петрова")
    assert "Найдено 2 клиентов по имени или наименованию" in content
    assert "Петрова Анна Сергеевна" in content and "Петрова Мария Ивановна" in content
    assert "100200300" in content and "555666777" in content
    assert "anna.petrova@mail.example" in content.lower()
    assert card(household) in content and card(namesake) in content
    assert "Сидоров" not in content


def test_an_unknown_query_says_nothing_was_found(client, clerk, household):
    assert "Ничего не найдено по запросу «Кузнецов»." in page(client, SEARCH, q="Кузнецов")
    assert "Ничего не найдено" in page(client, SEARCH, q="nobody@nowhere.example")
    assert "Ничего не найдено" in page(client, SEARCH, q="999888777")


def test_a_query_too_short_to_search_says_so(client, clerk, household):
    assert "Введите не меньше 4 цифр номера." in page(client, SEARCH, q="10")
    assert "Введите не меньше 3 букв имени или наименования." in page(client, SEARCH, q="Пе")


def test_the_search_is_in_the_clients_menu_and_on_the_home_page(client, clerk):
    content = page(client, reverse("wagtailadmin_home"))
    assert "Поиск клиента" in content
    assert f'action="{SEARCH}"' in content


# --- The card -----------------------------------------------------------------------------------------------------


@pytest.fixture
def full_household(household):
    account = household.accounts.get()
    user = AccountLink.objects.get(account=account).user
    type(user).objects.filter(pk=user.pk).update(last_login=datetime.datetime(2026, 11, 20, 9, 30, tzinfo=datetime.UTC))
    Balance.objects.create(account=account, sales_kind=SalesKind.MAIN, amount=Decimal("1234.56"))
    Balance.objects.create(account=account, sales_kind=SalesKind.PENALTY, amount=Decimal("12.30"))
    f.DocumentFactory(account=account, number="КВ-2026-777", amount=Decimal("643.20"))
    f.ReadingFactory(meter=f.MeterFactory(account=account, serial="874999"), value=Decimal("4321"))
    f.PaymentFactory(account=account, amount=Decimal("665.60"), number="P-000123")
    topics()
    file_appeal(user, account=account, text="Не вижу квитанцию")
    ServiceOrder.objects.create(number="З-0000042", user=user, service_title="Замена прибора учёта", account=account)
    Notification.objects.create(user=user, kind=Notification.Kind.MESSAGE, title="Плановое отключение 05.12")
    OutboxMessage.objects.create(recipient=user.email, template="notification", subject="Выставлен счёт за ноябрь")
    audit_record(actor=None, action=AuditAction.PAYMENT, summary="Платёж 665,60 ₽ проведён", customer=household)
    return household


def test_the_card_shows_every_section(client, clerk, full_household):
    content = page(client, card(full_household))
    for text in (
        "Петрова Анна Сергеевна",
        "Пользователи кабинета",
        "anna@example.test",
        "ЛС 100200300: Собственник",
        "20.11.2026",  # last sign-in
        "Лицевые счета и договоры",
        "г. Энергоград, ул. Лесная, д. 3",
        "Баланс по видам реализации",
        "Основная реализация",
        "1\xa0234,56\xa0₽",
        "Пени",
        "Документы",
        "№ КВ-2026-777",
        "643,20\xa0₽",
        "Отправить повторно",
        "Показания",
        "874999",
        "25.01.2020",
        "Обращения",
        "Другой вопрос по работе личного кабинета",
        "Заявки на услуги",
        "Замена прибора учёта",
        "Платежи",
        "P-000123",
        "665,60\xa0₽",
        "Отправленные уведомления",
        "Выставлен счёт за ноябрь",
        "Плановое отключение 05.12",
        "Журнал аудита",
        "Платёж 665,60 ₽ проведён",
        "Отправить ссылку для входа/смены пароля",
        "Привязать лицевой счёт",
        "Создать обращение от имени клиента",
    ):
        assert text in content, text
    appeal = Appeal.objects.get(user__email="anna@example.test")
    assert reverse("workflows_appeals:inspect", args=[appeal.pk]) in content  # the desk's card
    assert f"{reverse('backoffice_documents:index')}?q=100200300" in content  # the full listing


def test_an_organisations_card_shows_its_contract_users_and_roles(client, clerk, organisation):
    content = page(client, card(organisation))
    assert "ООО «Ромашка»" in content
    assert "78010000000487" in content
    assert "energy@romashka.example" in content
    assert "buh@romashka.example" in content
    assert "Договор № 78010000000487: Руководитель" in content


def test_the_customer_listing_links_to_the_card(client, clerk, household):
    content = page(client, reverse("backoffice_customers:index"))
    assert card(household) in content
    assert card(household) in page(client, reverse("backoffice_customers:inspect", args=[household.pk]))


def test_an_unknown_customer_is_not_found(client, clerk):
    assert client.get(reverse("workflows_customer_card", args=[999999])).status_code == 404


# --- Actions ------------------------------------------------------------------------------------------------------


def staff_entries(customer):
    """What staff did to the customer, as the card's «Журнал аудита» shows it (the customer's own steps aside)."""
    return list(AuditEntry.objects.filter(customer_id=customer.pk, actor__is_staff=True))


def test_a_password_link_goes_to_the_users_address_and_is_audited(client, clerk, household):
    user = AccountLink.objects.get(account__customer=household).user
    response = client.post(action(household, "password-link"), {"user": user.pk}, follow=True)
    assert "Ссылка для смены пароля отправлена на anna@example.test." in response.content.decode()
    letter = OutboxMessage.objects.get(template="password_reset_by_staff")
    assert letter.recipient == "anna@example.test"
    [entry] = staff_entries(household)
    assert entry.actor_id == clerk.pk and "anna@example.test" in entry.summary


def test_a_password_link_to_a_stranger_is_refused(client, clerk, household, organisation):
    stranger = type(clerk).objects.get(email="buh@romashka.example")
    response = client.post(action(household, "password-link"), {"user": stranger.pk}, follow=True)
    assert "Этот пользователь не связан с клиентом." in response.content.decode()
    assert not OutboxMessage.objects.exists()
    assert not staff_entries(household)


def test_linking_an_account_gives_the_cabinet_the_account(client, clerk, household):
    relative = UserFactory(email="son@example.test")
    account = household.accounts.get()
    response = client.post(
        action(household, "link-account"),
        {"account": account.pk, "email": "Son@Example.test", "relation": "resides"},
        follow=True,
    )
    assert "Лицевой счёт № 100200300 привязан к кабинету son@example.test." in response.content.decode()
    link = AccountLink.objects.get(user=relative, account=account)
    assert link.relation == "resides" and link.linked_by == clerk
    [entry] = staff_entries(household)
    assert "100200300" in entry.summary and entry.actor_id == clerk.pk


def test_linking_to_an_unknown_cabinet_is_refused(client, clerk, household):
    account = household.accounts.get()
    response = client.post(
        action(household, "link-account"),
        {"account": account.pk, "email": "ghost@example.test", "relation": "owner"},
        follow=True,
    )
    assert "Кабинета с e-mail ghost@example.test нет." in response.content.decode()
    assert AccountLink.objects.count() == 1


def test_an_appeal_on_the_customers_behalf_is_filed_as_new(client, clerk, household):
    topics()
    user = AccountLink.objects.get(account__customer=household).user
    response = client.post(
        action(household, "appeal"),
        {"user": user.pk, "topic": topic("tech-support-other").pk, "owner": "", "text": "Позвонила: не входит в ЛК"},
        follow=True,
    )
    appeal = Appeal.objects.get(user=user)
    assert f"Обращение № {appeal.number} создано от имени клиента." in response.content.decode()
    assert appeal.state == Appeal.State.NEW and appeal.text == "Позвонила: не входит в ЛК"
    log = TransitionLog.objects.get(object_id=appeal.pk, transition="submit")
    assert log.by == clerk
    entries = [entry for entry in staff_entries(household) if entry.action == AuditAction.STAFF_ACTION]
    assert [entry.actor_id for entry in entries] == [clerk.pk]
    assert appeal.number in entries[0].summary


def test_an_appeal_without_text_is_refused(client, clerk, household):
    topics()
    user = AccountLink.objects.get(account__customer=household).user
    response = client.post(
        action(household, "appeal"),
        {"user": user.pk, "topic": topic("tech-support-other").pk, "text": " "},
        follow=True,
    )
    assert "Заполните поле" in response.content.decode()
    assert not Appeal.objects.exclude(state=Appeal.State.DRAFT).exists()


def test_a_document_is_sent_again_with_its_pdf(client, clerk, household):
    document = f.DocumentFactory(account=household.accounts.get(), number="КВ-2026-778")
    response = client.post(
        action(household, "resend-document"),
        {"document": document.pk, "email": "anna.petrova@mail.example"},
        follow=True,
    )
    assert "отправлен повторно на anna.petrova@mail.example." in response.content.decode()
    letter = OutboxMessage.objects.get(template="document_file")
    assert letter.recipient == "anna.petrova@mail.example"
    assert letter.attachments == [{"kind": "document_pdf", "id": document.pk}]
    [entry] = staff_entries(household)
    assert "КВ-2026-778" in entry.summary and entry.action == AuditAction.STAFF_ACTION


def test_a_document_to_an_address_not_the_customers_is_refused(client, clerk, household, others):
    document = f.DocumentFactory(account=household.accounts.get())
    response = client.post(
        action(household, "resend-document"), {"document": document.pk, "email": "sidorov@mail.example"}, follow=True
    )
    assert "Выберите адрес клиента из списка." in response.content.decode()
    assert not OutboxMessage.objects.filter(template="document_file").exists()
    alien = f.DocumentFactory(account=others[0].accounts.get())
    response = client.post(
        action(household, "resend-document"), {"document": alien.pk, "email": "anna@example.test"}, follow=True
    )
    assert "Это документ другого клиента." in response.content.decode()
    assert not staff_entries(household)


# --- Rights -------------------------------------------------------------------------------------------------------


def test_staff_without_the_right_to_see_customers_are_refused(client, household):
    user = grant(UserFactory(is_staff=True, email="editor@energosbyt.example"), "access_admin")
    client.force_login(user)
    for url in (f"{SEARCH}?q=Петрова", card(household)):
        response = client.get(url)  # Wagtail answers PermissionDenied with its home and «no permission»
        assert (response.status_code, response["Location"]) == (302, HOME)
        assert "Петрова" not in page(client, url)
    assert "Поиск клиента" not in page(client, HOME)


def test_a_clerk_who_may_only_look_gets_no_forms_and_a_forged_post_is_refused(client, household):
    user = grant(UserFactory(is_staff=True, email="viewer@energosbyt.example"), "access_admin", "view_customer")
    client.force_login(user)
    content = page(client, card(household))
    assert "Петрова Анна Сергеевна" in content
    assert "Отправить ссылку для входа/смены пароля" not in content
    assert "Создать обращение от имени клиента" not in content
    portal_user = AccountLink.objects.get(account__customer=household).user
    response = client.post(action(household, "password-link"), {"user": portal_user.pk})
    assert (response.status_code, response["Location"]) == (302, HOME)
    assert not OutboxMessage.objects.exists()
    assert not staff_entries(household)


# --- Query counts -------------------------------------------------------------------------------------------------


def test_the_cards_queries_do_not_grow_with_its_rows(client, clerk, full_household):
    account = full_household.accounts.get()
    user = AccountLink.objects.get(account=account).user
    meter = account.meters.get()

    def add_rows(n):
        for index in range(n):
            f.DocumentFactory(account=account)
            f.PaymentFactory(account=account)
            f.ReadingFactory(meter=meter, taken_on=datetime.date(2021, 1, 1) + datetime.timedelta(days=index * 7 + n))
            Notification.objects.create(user=user, kind=Notification.Kind.MESSAGE, title=f"Сообщение {n}-{index}")
            OutboxMessage.objects.create(recipient=user.email, template="notification", subject=f"Письмо {n}-{index}")
            audit_record(
                actor=clerk, action=AuditAction.STAFF_EDIT, summary=f"Правка {n}-{index}", customer=account.customer
            )
            relative = UserFactory()
            link_account(relative, account)

    assert_queries_flat(client, card(full_household), add_rows=add_rows, max_queries=40)


def test_the_searchs_queries_do_not_grow_with_its_hits(client, clerk, household):
    def add_rows(n):
        for _index in range(n):
            namesake = f.PersonFactory(last_name="Петрова")
            f.PersonalAccountFactory(customer=namesake)
            f.PersonalAccountFactory(customer=namesake)

    assert_queries_flat(client, f"{SEARCH}?q=Петрова", add_rows=add_rows, max_queries=15)
    f.PersonalAccountFactory.create_batch(2)
    by_number = steady_count(client, f"{SEARCH}?q=1000")
    f.PersonalAccountFactory.create_batch(5)
    assert steady_count(client, f"{SEARCH}?q=1000") == by_number
