"""«Добавить роль» by the contract's Администратор (F-B4; seed 001 §13.2.1.4): registered users, invitations,
changes and removal, and the database's rules."""

import re

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from backoffice.models import Notification
from selfservice.models import ContractRole
from selfservice.selectors import contracts_for, energy_objects_for
from tests.factories import PASSWORD, UserFactory
from tests.selfservice.cabinet import Role, contract_with_sites, give_role

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def contract():
    return contract_with_sites(energy_objects=3)


@pytest.fixture
def administrator(contract):
    user = UserFactory(email="director@company.example")
    give_role(user, contract, Role.ADMINISTRATOR)
    return user


@pytest.fixture
def admin_client(client, administrator):
    client.force_login(administrator)
    return client


def add_role(client, contract, **fields):
    data = {
        "role": Role.ACCOUNTANT,
        "email": "buh@company.example",
        "energy_objects": list(contract.energy_objects.values_list("pk", flat=True)),
        **fields,
    }
    return client.post(reverse("selfservice:role_add", args=[contract.number]), data)


def test_a_registered_user_gets_the_contract_a_notification_and_a_letter(admin_client, contract, mailoutbox):
    colleague = UserFactory(email="buh@company.example")

    response = add_role(admin_client, contract)

    assert response.status_code == 302
    assert ContractRole.objects.get(user=colleague, contract=contract).role == Role.ACCOUNTANT
    assert list(contracts_for(user=colleague)) == [contract]
    notification = Notification.objects.get(user=colleague)
    assert notification.title == f"Вам добавлен договор № {contract.number}"
    [letter] = mailoutbox
    assert letter.to == ["buh@company.example"]
    assert "Вам назначена роль Бухгалтер" in letter.body and contract.customer.display_name in letter.body


def test_an_unknown_email_gets_an_invitation_that_lands_on_the_contract(admin_client, client, contract, mailoutbox):
    add_role(admin_client, contract, email="new.person@company.example", role=Role.ENERGETIC)

    [letter] = mailoutbox
    link = re.search(r"https?://[^/\s]+(/password/set/\S+)", letter.body).group(1)
    invited = ContractRole.objects.get(contract=contract, role=Role.ENERGETIC).user
    assert invited.email == "new.person@company.example" and not invited.has_usable_password()

    admin_client.logout()
    form = client.get(link, follow=True)
    response = client.post(
        form.redirect_chain[-1][0], {"new_password1": "Newpass-2026", "new_password2": "Newpass-2026"}
    )

    # The link lands on the contract, which first asks for «Давайте познакомимся» and comes right after it.
    contract_path = reverse("selfservice:contract_detail", args=[contract.number])
    assert response.status_code == 302 and response.url == contract_path
    gate = client.get(contract_path)
    assert gate.url.startswith(reverse("selfservice:introduce")) and contract_path in gate.url


def test_the_energy_objects_chosen_limit_the_role(admin_client, contract):
    first, *_others = contract.energy_objects.order_by("code")
    colleague = UserFactory(email="buh@company.example")

    add_role(admin_client, contract, role=Role.ENERGETIC, energy_objects=[first.pk])

    assert list(energy_objects_for(user=colleague)) == [first]


def test_choosing_every_energy_object_means_the_whole_contract(admin_client, contract):
    colleague = UserFactory(email="buh@company.example")

    add_role(admin_client, contract)

    assert not ContractRole.objects.get(user=colleague).energy_objects.exists()
    assert energy_objects_for(user=colleague).count() == 3


def test_at_least_one_energy_object(admin_client, contract):
    response = add_role(admin_client, contract, energy_objects=[])

    assert "Выберите хотя бы один энергообъект." in response.content.decode()
    assert ContractRole.objects.count() == 1


def test_an_energy_object_of_another_contract_is_refused(admin_client, contract):
    other = contract_with_sites(energy_objects=1)

    response = add_role(admin_client, contract, energy_objects=[other.energy_objects.get().pk])

    assert response.status_code == 200
    assert not ContractRole.objects.filter(user__email="buh@company.example").exists()


def test_the_administrator_role_is_not_offered(admin_client, contract):
    response = add_role(admin_client, contract, role=Role.ADMINISTRATOR)

    assert response.status_code == 200
    assert not ContractRole.objects.filter(user__email="buh@company.example").exists()


def test_adding_again_changes_the_role(admin_client, contract):
    colleague = UserFactory(email="buh@company.example")
    add_role(admin_client, contract)

    add_role(admin_client, contract, role=Role.ENERGETIC)

    assert ContractRole.objects.get(user=colleague).role == Role.ENERGETIC
    assert Notification.objects.filter(user=colleague).first().title.startswith("Изменена роль")


def test_the_administrator_cannot_change_or_remove_themselves(admin_client, administrator, contract):
    response = add_role(admin_client, contract, email=administrator.email)

    assert "Свою роль изменить нельзя." in response.content.decode()
    own = ContractRole.objects.get(user=administrator)
    admin_client.post(reverse("selfservice:role_remove", args=[contract.number, own.pk]))
    assert ContractRole.objects.get(user=administrator).role == Role.ADMINISTRATOR


def test_removal_takes_the_contract_away(admin_client, contract):
    colleague = UserFactory(email="buh@company.example")
    add_role(admin_client, contract)
    role = ContractRole.objects.get(user=colleague)

    admin_client.post(reverse("selfservice:role_remove", args=[contract.number, role.pk]))

    assert not contracts_for(user=colleague).exists()


def test_the_administrator_sees_everyone_with_the_contract(admin_client, contract):
    give_role(UserFactory(email="energo@company.example"), contract, Role.ENERGETIC)

    page = admin_client.get(reverse("selfservice:contract_detail", args=[contract.number])).content.decode()

    assert "energo@company.example" in page and "Энергетик" in page


def test_a_head_cannot_assign(client, contract):
    head = UserFactory()
    give_role(head, contract, Role.HEAD)
    client.force_login(head)

    assert add_role(client, contract).status_code == 404
    assert not ContractRole.objects.filter(user__email="buh@company.example").exists()


def test_the_database_keeps_one_role_per_user_and_one_administrator(contract, administrator):
    with pytest.raises(IntegrityError), transaction.atomic():
        ContractRole.objects.create(user=administrator, contract=contract, role=Role.HEAD)
    with pytest.raises(IntegrityError), transaction.atomic():
        ContractRole.objects.create(user=UserFactory(), contract=contract, role=Role.ADMINISTRATOR)


def test_the_invited_user_can_sign_in_later_with_the_password(admin_client, client, contract, mailoutbox):
    add_role(admin_client, contract, email="new.person@company.example")
    link = re.search(r"https?://[^/\s]+(/password/set/\S+)", mailoutbox[0].body).group(1)
    admin_client.logout()
    form = client.get(link, follow=True)
    client.post(form.redirect_chain[-1][0], {"new_password1": PASSWORD, "new_password2": PASSWORD})

    invited = ContractRole.objects.get(user__email="new.person@company.example").user
    invited.refresh_from_db()
    assert invited.has_usable_password() and invited.email_confirmed
