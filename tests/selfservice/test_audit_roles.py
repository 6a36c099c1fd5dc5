"""The audit trail of rights in the portal (issue 10): roles given, changed and removed, contracts bound and
removed, accounts linked and unlinked, and what staff do to a customer's cabinet — each one entry with the actor,
the customer, the channel and the address."""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from backoffice.models import AuditAction, AuditChannel, AuditEntry
from selfservice.models import ContractRole
from selfservice.services.contracts import contract_bind_confirm, contract_bind_request, contract_remove
from tests.backoffice import factories as f
from tests.factories import UserFactory
from tests.selfservice.cabinet import Role, contract_with_sites, give_role, link_account

pytestmark = pytest.mark.django_db

CUSTOMER_IP = "203.0.113.9"
CLERK_IP = "198.51.100.7"


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = "http://testserver"


@pytest.fixture
def contract():
    return contract_with_sites(energy_objects=2)


@pytest.fixture
def administrator(contract):
    user = UserFactory(email="director@company.example")
    give_role(user, contract, Role.ADMINISTRATOR)
    return user


@pytest.fixture
def portal(administrator):
    client = Client(REMOTE_ADDR=CUSTOMER_IP)
    client.force_login(administrator)
    return client


def add_role(client, contract, *, role=Role.ACCOUNTANT, energy_objects=None):
    chosen = energy_objects if energy_objects is not None else contract.energy_objects.all()
    return client.post(
        reverse("selfservice:role_add", args=[contract.number]),
        {"role": role, "email": "buh@company.example", "energy_objects": [site.pk for site in chosen]},
    )


def entries(action) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action).order_by("pk"))


def test_a_role_given_by_the_administrator_is_recorded_from_the_portal(portal, administrator, contract):
    UserFactory(email="buh@company.example")

    add_role(portal, contract)

    [entry] = entries(AuditAction.ROLE_GRANT)
    assert entry.summary == (
        f"Пользователю buh@company.example назначена роль «Бухгалтер» по договору № {contract.number}"
    )
    assert entry.changes == {"Роль": [None, "Бухгалтер"], "Энергообъекты": [None, "все энергообъекты договора"]}
    assert (entry.actor_id, entry.customer_id) == (administrator.pk, contract.customer_id)
    assert (entry.channel, entry.ip_address) == (AuditChannel.PORTAL, CUSTOMER_IP)
    assert entry.object_id == ContractRole.objects.get(user__email="buh@company.example").pk


def test_a_changed_role_records_what_changed_and_the_same_role_again_records_nothing(portal, contract):
    UserFactory(email="buh@company.example")
    first = contract.energy_objects.order_by("code").first()
    add_role(portal, contract)

    add_role(portal, contract, role=Role.ENERGETIC, energy_objects=[first])
    add_role(portal, contract, role=Role.ENERGETIC, energy_objects=[first])

    [entry] = entries(AuditAction.ROLE_CHANGE)
    assert entry.changes == {
        "Роль": ["Бухгалтер", "Энергетик"],
        "Энергообъекты": ["все энергообъекты договора", first.code],
    }
    assert entry.summary.endswith("«Энергетик»")


def test_a_refused_role_leaves_no_entry(portal, contract):
    response = add_role(portal, contract, role=Role.ADMINISTRATOR)

    assert response.status_code == 200  # the form again, with the refusal
    assert not AuditEntry.objects.filter(action__startswith="role").exists()


def test_a_removed_role_is_recorded_with_what_it_was(portal, administrator, contract):
    colleague = UserFactory(email="energo@company.example")
    role = give_role(colleague, contract, Role.ENERGETIC)

    portal.post(reverse("selfservice:role_remove", args=[contract.number, role.pk]))

    assert not ContractRole.objects.filter(pk=role.pk).exists()
    [entry] = entries(AuditAction.ROLE_REVOKE)
    assert entry.summary == (
        f"Удалена роль «Энергетик» пользователя energo@company.example по договору № {contract.number}"
    )
    assert entry.changes["Роль"] == ["Энергетик", None]
    assert (entry.actor_id, entry.customer_id, entry.object_id) == (administrator.pk, contract.customer_id, role.pk)


def test_binding_a_contract_makes_the_user_head_and_removing_it_is_recorded(
    mailoutbox, django_capture_on_commit_callbacks
):
    contract = contract_with_sites(energy_objects=1)
    user = UserFactory(email="head@company.example")
    address = contract.emails.get().email
    with django_capture_on_commit_callbacks(execute=True):
        contract_bind_request(user=user, number=contract.number, email=address)
    token = mailoutbox[-1].body.split("/contracts/confirm/")[1].split("/")[0]

    contract_bind_confirm(user=user, token=token)
    contract_remove(user=user, contract=contract)

    [granted] = entries(AuditAction.ROLE_GRANT)
    assert granted.summary == (
        f"Договор № {contract.number} добавлен в личный кабинет head@company.example: роль «Руководитель»"
    )
    assert granted.changes == {"Роль": [None, "Руководитель"], "Подтверждён e-mail договора": address}
    [removed] = entries(AuditAction.ROLE_REVOKE)
    assert removed.changes["Роль"] == ["Руководитель", None]
    assert {granted.customer_id, removed.customer_id} == {contract.customer_id}
    assert {granted.actor_id, removed.actor_id} == {user.pk}


def test_an_account_removed_from_the_cabinet_is_recorded():
    account = f.PersonalAccountFactory(number="100200300")
    household = UserFactory(email="anna@example.test")
    link_account(household, account)
    client = Client(REMOTE_ADDR=CUSTOMER_IP)
    client.force_login(household)

    client.post(reverse("selfservice:account_remove", args=[account.number]))

    [linked] = entries(AuditAction.ACCOUNT_LINK)
    [unlinked] = entries(AuditAction.ACCOUNT_UNLINK)
    assert linked.summary == "Лицевой счёт № 100200300 привязан к личному кабинету anna@example.test"
    assert linked.changes["Статус отношения к ЛС"] == [None, "Собственник"]
    assert unlinked.summary == "Лицевой счёт № 100200300 удалён из личного кабинета anna@example.test"
    assert (unlinked.actor_id, unlinked.customer_id) == (household.pk, account.customer_id)
    assert (unlinked.channel, unlinked.ip_address) == (AuditChannel.PORTAL, CUSTOMER_IP)


# --- Staff in «Пользователи портала» ------------------------------------------------------------------------------


@pytest.fixture
def clerk():
    clerk = UserFactory(is_staff=True, email="clerk@example.test", last_name="Смирнова", first_name="Ольга")
    clerk.user_permissions.add(*Permission.objects.filter(codename__in=["access_admin", "assist_customer"]))
    return clerk


@pytest.fixture
def admin_client(clerk):
    client = Client(REMOTE_ADDR=CLERK_IP)
    client.force_login(clerk)
    return client


def test_staff_linking_an_account_is_recorded_as_the_clerks_act_in_the_admin(admin_client, clerk):
    account = f.PersonalAccountFactory(number="100200300")
    household = UserFactory(email="anna@example.test")

    response = admin_client.post(
        reverse("selfservice_portal_users:link_account", args=[household.pk]),
        {"account": "100200300", "relation": "tenant"},
    )

    assert response.status_code == 302
    [entry] = entries(AuditAction.ACCOUNT_LINK)
    assert entry.changes == {"Лицевой счёт": [None, "100200300"], "Статус отношения к ЛС": [None, "Наниматель"]}
    assert (entry.actor_id, entry.customer_id) == (clerk.pk, account.customer_id)
    assert (entry.channel, entry.ip_address) == (AuditChannel.ADMIN, CLERK_IP)


def test_staff_registering_a_customer_and_sending_a_password_link_are_recorded(admin_client, clerk):
    account = f.PersonalAccountFactory(number="100200300")
    admin_client.post(
        reverse("selfservice_portal_users:register"),
        {
            "email": "maria@example.test",
            "last_name": "Кузнецова",
            "first_name": "Мария",
            "middle_name": "Петровна",
            "phone": "+7 912 345-67-89",
            "account": "100200300",
            "relation": "owner",
        },
    )
    maria = type(clerk).objects.get(email="maria@example.test")

    admin_client.post(reverse("selfservice_portal_users:password_link", args=[maria.pk]))

    registered, password_link = entries(AuditAction.STAFF_ACTION)
    assert registered.summary == "Сотрудник зарегистрировал личный кабинет maria@example.test"
    assert registered.changes["ФИО"] == [None, "Кузнецова Мария Петровна"]
    assert password_link.summary == "Отправлена ссылка для смены пароля на maria@example.test"
    for entry in (registered, password_link):
        assert (entry.actor_id, entry.customer_id, entry.object_id) == (clerk.pk, account.customer_id, maria.pk)
        assert (entry.channel, entry.ip_address) == (AuditChannel.ADMIN, CLERK_IP)
    assert entries(AuditAction.ACCOUNT_LINK)[0].actor_id == clerk.pk
