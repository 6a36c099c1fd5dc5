"""The Администратор grant (F-B5; seed 001 §13.2.1.3): «Запросить доступ», documents, grant, refusal, revocation,
with the log, the letters, the permissions and two clerks at once."""

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from backoffice.models import Notification
from selfservice.access import Capability
from selfservice.models import ContractRole
from selfservice.selectors import contracts_for
from tests.factories import UserFactory
from tests.selfservice.cabinet import Role, contract_with_sites, give_role
from workflows.models import AdministratorRequest, TransitionLog
from workflows.services.grants import (
    GrantRefused,
    administrator_request_ask_documents,
    administrator_request_grant,
    administrator_request_refuse,
    administrator_request_revoke,
    administrator_request_submit,
)

pytestmark = pytest.mark.django_db(transaction=True)

State = AdministratorRequest.State
POWER_OF_ATTORNEY = "%PDF-1.4 доверенность".encode()


@pytest.fixture
def contract():
    return contract_with_sites()


@pytest.fixture
def customer(contract):
    user = UserFactory(email="glavbuh@company.example")
    give_role(user, contract, Role.HEAD)
    return user


@pytest.fixture
def clerk():
    clerk = UserFactory(email="clerk@energosbyt.example", is_staff=True)
    clerk.user_permissions.add(
        Permission.objects.get(codename="decide_administratorrequest"),
        Permission.objects.get(codename="view_administratorrequest"),
        Permission.objects.get(codename="access_admin"),
    )
    return clerk


def submit(customer, contract, **kwargs):
    return administrator_request_submit(user=customer, contract=contract, text="Я директор", **kwargs)


def steps(request) -> list[tuple[str, str, str]]:
    return list(TransitionLog.objects.filter(object_id=request.pk).values_list("transition", "source", "target"))


def test_the_customer_asks_with_a_power_of_attorney(client, customer, contract):
    client.force_login(customer)

    response = client.post(
        reverse("selfservice:access_request_create", args=[contract.number]),
        {"text": "Прошу роль администратора", "file": SimpleUploadedFile("доверенность.pdf", POWER_OF_ATTORNEY)},
    )

    request = AdministratorRequest.objects.get()
    assert response.url == reverse("selfservice:access_request", args=[request.pk])
    assert request.state == State.NEW and request.user == customer
    message = request.messages.get()
    assert message.text == "Прошу роль администратора" and message.file.read() == POWER_OF_ATTORNEY
    assert steps(request) == [("submit", "", "new")]
    page = client.get(response.url).content.decode()
    assert "[Новая] Права доступа" in page and "доверенность.pdf" in page


def test_a_file_that_is_not_a_document_is_refused_and_the_text_kept(client, customer, contract):
    client.force_login(customer)

    response = client.post(
        reverse("selfservice:access_request_create", args=[contract.number]),
        {"text": "Прошу роль", "file": SimpleUploadedFile("доверенность.pdf", b"<html>not a pdf</html>")},
    )

    page = response.content.decode()
    assert "не подходит: принимаются PDF, JPG, PNG" in page and "Прошу роль" in page
    assert not AdministratorRequest.objects.exists()


def test_no_request_where_the_contract_has_an_administrator(customer, contract):
    give_role(UserFactory(), contract, Role.ADMINISTRATOR)

    with pytest.raises(GrantRefused):
        submit(customer, contract)


def test_one_open_request_per_contract_and_user(customer, contract):
    submit(customer, contract)

    with pytest.raises(GrantRefused):
        submit(customer, contract)


def test_someone_without_the_contract_cannot_ask(contract):
    with pytest.raises(PermissionDenied):
        submit(UserFactory(), contract)


def test_documents_asked_then_sent_then_granted(client, customer, contract, clerk, mailoutbox):
    request = submit(customer, contract)

    administrator_request_ask_documents(request=request, by=clerk, comment="Пришлите доверенность")
    request.refresh_from_db()
    assert request.state == State.WAITING
    assert Notification.objects.filter(user=customer, kind=Notification.Kind.ACCESS_REQUEST).exists()
    assert "Пришлите доверенность" in mailoutbox[-1].body

    client.force_login(customer)
    client.post(
        reverse("selfservice:access_request", args=[request.pk]),
        {"text": "Прикладываю", "file": SimpleUploadedFile("dov.png", b"\x89PNG\r\n\x1a\n....")},
    )
    request.refresh_from_db()
    assert request.state == State.NEW

    administrator_request_grant(request=request, by=clerk)
    request.refresh_from_db()
    assert request.state == State.GRANTED and request.decided_by == clerk
    assert ContractRole.objects.get(user=customer, contract=contract).role == Role.ADMINISTRATOR
    assert contract in contracts_for(user=customer, capability=Capability.ROLES)
    assert steps(request) == [
        ("submit", "", "new"),
        ("ask_documents", "new", "waiting"),
        ("documents_sent", "waiting", "new"),
        ("grant", "new", "granted"),
    ]
    assert "Вам выдана роль «Администратор»" in mailoutbox[-1].subject


def test_refusal_needs_a_reason_and_changes_no_rights(customer, contract, clerk):
    request = submit(customer, contract)

    with pytest.raises(Exception, match="Укажите причину"):
        administrator_request_refuse(request=request, by=clerk, comment=" ")
    administrator_request_refuse(request=request, by=clerk, comment="Нет доверенности")

    request.refresh_from_db()
    assert request.state == State.REFUSED
    assert ContractRole.objects.get(user=customer).role == Role.HEAD
    assert contract not in contracts_for(user=customer, capability=Capability.ROLES)


def test_revocation_makes_the_administrator_head_again(customer, contract, clerk):
    request = administrator_request_grant(request=submit(customer, contract), by=clerk)

    administrator_request_revoke(request=request, by=clerk, comment="Сменился директор")

    request.refresh_from_db()
    assert request.state == State.REVOKED
    assert ContractRole.objects.get(user=customer).role == Role.HEAD
    assert contract not in contracts_for(user=customer, capability=Capability.ROLES)
    assert contract in contracts_for(user=customer, capability=Capability.PAY)


def test_a_clerk_without_the_right_is_refused(customer, contract):
    plain_staff = UserFactory(is_staff=True)

    with pytest.raises(PermissionDenied):
        administrator_request_grant(request=submit(customer, contract), by=plain_staff)


def test_two_clerks_at_once_one_wins_and_the_log_has_one_entry(customer, contract, clerk):
    request = submit(customer, contract)
    other_clerk = UserFactory(is_staff=True, is_superuser=True)
    seen_by_both = request.state

    administrator_request_grant(request=request, by=clerk, seen_state=seen_by_both)
    with pytest.raises(GrantRefused, match="уже рассмотрел другой сотрудник"):
        administrator_request_refuse(request=request, by=other_clerk, seen_state=seen_by_both, comment="Нет")

    assert [transition for transition, *_ in steps(request)] == ["submit", "grant"]


def test_a_grant_where_another_got_the_role_meanwhile_is_refused(customer, contract, clerk):
    request = submit(customer, contract)
    rival = UserFactory()
    give_role(rival, contract, Role.ADMINISTRATOR)

    with pytest.raises(GrantRefused, match="уже есть администратор"):
        administrator_request_grant(request=request, by=clerk)

    request.refresh_from_db()
    assert request.state == State.NEW and ContractRole.objects.get(user=customer).role == Role.HEAD


def test_a_closed_request_takes_no_reply(client, customer, contract, clerk):
    request = administrator_request_refuse(request=submit(customer, contract), by=clerk, comment="Нет")
    client.force_login(customer)

    response = client.post(reverse("selfservice:access_request", args=[request.pk]), {"text": "Почему?"})

    assert "Запрос закрыт" in response.content.decode() or "Обращение закрыто" in response.content.decode()
    assert request.messages.count() == 2


def test_the_clerk_works_the_request_in_the_admin(client, customer, contract, clerk):
    request = submit(customer, contract, file=SimpleUploadedFile("dov.pdf", POWER_OF_ATTORNEY))
    client.force_login(clerk)

    queue = client.get(reverse("workflows_administrator_requests:index"))
    page = client.get(reverse("workflows_administrator_requests:inspect", args=[request.pk]))
    granted = client.post(
        reverse("workflows_administrator_requests:inspect", args=[request.pk]),
        {"grant-seen_state": "new", "grant-comment": "", "grant": ""},
    )

    assert contract.number in queue.content.decode()
    assert "Выдать роль" in page.content.decode() and "dov.pdf" in page.content.decode()
    assert granted.status_code == 302
    request.refresh_from_db()
    assert request.state == State.GRANTED


def test_a_stale_page_in_the_admin_gets_a_clear_message(client, customer, contract, clerk):
    request = submit(customer, contract)
    administrator_request_grant(request=request, by=clerk)
    client.force_login(clerk)

    response = client.post(
        reverse("workflows_administrator_requests:inspect", args=[request.pk]),
        {"revoke-seen_state": "new", "revoke-comment": "Ошибка", "revoke": ""},
        follow=True,
    )

    assert "уже рассмотрел другой сотрудник" in response.content.decode()
    request.refresh_from_db()
    assert request.state == State.GRANTED


def test_staff_see_who_holds_which_contract(client, customer, contract):
    give_role(UserFactory(email="energo@company.example"), contract, Role.ENERGETIC)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    listing = client.get(reverse("selfservice_contract_roles:index"), {"q": contract.number}).content.decode()
    user_page = client.get(reverse("selfservice_portal_users:inspect", args=[customer.pk])).content.decode()

    assert "energo@company.example" in listing and "Энергетик" in listing and "glavbuh@company.example" in listing
    assert contract.number in user_page and "Руководитель" in user_page
