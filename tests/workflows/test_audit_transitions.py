"""Every workflow step is a line of the audit trail (issue 10): «Смена статуса» with the object, the states, the actor,
the customer the object belongs to and where the step came from; the Администратор grant also records the role."""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from backoffice.models import AuditAction, AuditChannel, AuditEntry
from backoffice.services.audit import audit_customer_of
from selfservice.models import ContractRole
from tests.backoffice import factories as f
from tests.factories import UserFactory
from tests.selfservice.cabinet import Role, contract_with_sites, give_role, link_account
from tests.workflows.appeals_kit import file_appeal
from workflows.models import ActivationRequest, AdministratorRequest, Appeal, IntervalAct, Mailing, ServiceOrder
from workflows.services.activation import activation_request_approve, activation_request_submit
from workflows.services.grants import GrantRefused, administrator_request_grant, administrator_request_revoke

pytestmark = pytest.mark.django_db

CUSTOMER_IP = "203.0.113.9"
CLERK_IP = "198.51.100.7"


@pytest.fixture
def contract():
    return contract_with_sites(energy_objects=1)


@pytest.fixture
def customer(contract):
    user = UserFactory(email="glavbuh@company.example")
    give_role(user, contract, Role.HEAD)
    return user


@pytest.fixture
def clerk():
    clerk = UserFactory(email="clerk@energosbyt.example", is_staff=True)
    clerk.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["decide_administratorrequest", "view_administratorrequest", "access_admin"]
        )
    )
    return type(clerk).objects.get(pk=clerk.pk)


def steps() -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=AuditAction.TRANSITION).order_by("pk"))


def ask(customer, contract) -> AdministratorRequest:
    portal = Client(REMOTE_ADDR=CUSTOMER_IP)
    portal.force_login(customer)
    portal.post(reverse("selfservice:access_request_create", args=[contract.number]), {"text": "Я директор"})
    return AdministratorRequest.objects.get()


def test_the_grant_workflow_records_each_step_and_the_role(customer, contract, clerk):
    request = ask(customer, contract)
    admin = Client(REMOTE_ADDR=CLERK_IP)
    admin.force_login(clerk)

    admin.post(
        reverse("workflows_administrator_requests:inspect", args=[request.pk]),
        {"grant-seen_state": "new", "grant-comment": "", "grant": ""},
    )

    submitted, granted = steps()
    label = f"Запрос роли «Администратор» по договору № {contract.number}"
    assert submitted.summary == f"{label}: — → Новая"
    assert (submitted.actor_id, submitted.channel, submitted.ip_address) == (
        customer.pk,
        AuditChannel.PORTAL,
        CUSTOMER_IP,
    )
    assert granted.summary == f"{label}: Новая → Роль выдана"
    assert granted.changes == {"Статус": ["Новая", "Роль выдана"], "Шаг": "grant"}
    assert (granted.actor_id, granted.channel, granted.ip_address) == (clerk.pk, AuditChannel.ADMIN, CLERK_IP)
    assert {submitted.customer_id, granted.customer_id} == {contract.customer_id}
    assert (submitted.object_id, granted.object_id) == (request.pk, request.pk)
    role = AuditEntry.objects.get(action=AuditAction.ROLE_GRANT)
    assert role.summary == (
        f"Пользователю glavbuh@company.example выдана роль «Администратор» по договору № {contract.number}"
    )
    assert role.changes["Роль"] == ["Руководитель", "Администратор"]
    assert (role.actor_id, role.customer_id, role.channel) == (clerk.pk, contract.customer_id, AuditChannel.ADMIN)


def test_revoking_records_the_step_and_the_role_taken_back(customer, contract, clerk):
    request = administrator_request_grant(request=ask(customer, contract), by=clerk)

    administrator_request_revoke(request=request, by=clerk, comment="Доверенность отозвана")

    assert ContractRole.objects.get(user=customer).role == Role.HEAD
    revoked = steps()[-1]
    assert revoked.summary.endswith(": Роль выдана → Роль отозвана")
    assert revoked.changes["Комментарий"] == "Доверенность отозвана"
    role = AuditEntry.objects.get(action=AuditAction.ROLE_REVOKE)
    assert role.changes == {"Роль": ["Администратор", "Руководитель"]}
    assert (role.actor_id, role.customer_id) == (clerk.pk, contract.customer_id)


def test_a_refused_grant_leaves_neither_the_step_nor_the_role(customer, contract, clerk):
    request = ask(customer, contract)
    give_role(UserFactory(), contract, Role.ADMINISTRATOR)  # someone got the role meanwhile

    with pytest.raises(GrantRefused):
        administrator_request_grant(request=request, by=clerk)

    assert [entry.summary.rsplit(": ", 1)[1] for entry in steps()] == ["— → Новая"]
    assert not AuditEntry.objects.filter(action=AuditAction.ROLE_GRANT).exists()


def test_an_appeal_submitted_on_an_account_belongs_to_the_household():
    account = f.PersonalAccountFactory(number="100200300")
    household = UserFactory(email="anna@example.test")
    link_account(household, account)

    appeal = file_appeal(household, account=account)

    [step] = steps()
    assert step.summary == f"Обращение № {appeal.number}: Черновик → Новая"
    assert (step.actor_id, step.customer_id, step.object_id) == (household.pk, account.customer_id, appeal.pk)


def test_an_approved_activation_request_links_the_account_and_records_both(clerk):
    account = f.PersonalAccountFactory(number="100200300")
    household = UserFactory(email="anna@example.test")
    request = activation_request_submit(
        user=household,
        full_name="Петрова Анна",
        account_number="100200300",
        control="meter_number",
        control_answer="000",
    )

    activation_request_approve(request=request, by=clerk)

    submitted, approved = steps()
    assert approved.summary == "Заявка на активацию «ЛС 100200300 · Петрова Анна»: Новая → Одобрена"
    assert {submitted.customer_id, approved.customer_id} == {account.customer_id}
    link = AuditEntry.objects.get(action=AuditAction.ACCOUNT_LINK)
    assert (link.actor_id, link.customer_id) == (clerk.pk, account.customer_id)


def test_every_kind_of_workflow_object_finds_its_customer_in_at_most_one_query(django_assert_num_queries):
    contract = f.ContractFactory()
    site = f.EnergyObjectFactory(contract=contract, code=f"{contract.number}0001")
    meter = f.MeterFactory(account=None, metering_point=f.MeteringPointFactory(energy_object=site))
    account = f.PersonalAccountFactory()
    subjects = {
        "interval act": (IntervalAct(meter_id=meter.pk), contract.customer_id),
        "service order": (ServiceOrder(contract_id=contract.pk), contract.customer_id),
        "activation request": (ActivationRequest(account_id=account.pk), account.customer_id),
        "appeal": (Appeal(account_id=account.pk), account.customer_id),
    }

    for name, (subject, customer_id) in subjects.items():
        with django_assert_num_queries(1):
            assert audit_customer_of(subject) == customer_id, name
    with django_assert_num_queries(0):
        assert audit_customer_of(Mailing()) is None
        assert audit_customer_of(ActivationRequest(account_number="100200300")) is None
