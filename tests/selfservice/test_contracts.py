"""«Добавить договор» (F-B2; seed 001 §4.3–4.5, seed 002): the contract's e-mail, the link, 24 hours, the page,
«Скачать», «Удалить договор»."""

import io
import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from selfservice.models import ContractBinding, ContractRole
from selfservice.selectors import contracts_for
from selfservice.services.contracts import contract_bindings_purge
from selfservice.tasks import purge_contract_bindings
from tests.factories import UserFactory
from tests.querycount import count_queries
from tests.selfservice.cabinet import Role, contract_with_sites, give_role

pytestmark = pytest.mark.django_db(transaction=True)  # the letter leaves after commit

ADD = reverse("selfservice:contract_add")


@pytest.fixture
def contract():
    return contract_with_sites()


def contract_email(contract) -> str:
    return contract.emails.get().email


def confirm_path(letter) -> str:
    return re.search(r"https?://[^/\s]+(/contracts/confirm/[^/\s]+/)", letter.body).group(1)


def test_the_link_goes_to_the_contracts_email_and_binds_the_contract_as_head(signed_in_client, user, contract):
    response = signed_in_client.post(ADD, {"number": contract.number, "email": contract_email(contract).upper()})

    assert response.status_code == 302 and response.url == reverse("selfservice:contracts")
    assert not contracts_for(user=user).exists()  # nothing is bound before the link
    [letter] = mail.outbox
    assert letter.to == [contract_email(contract)]
    assert contract.number in letter.subject
    assert user.email in letter.body

    page = signed_in_client.get(confirm_path(letter))
    assert "Подтвердить" in page.content.decode()
    confirmed = signed_in_client.post(confirm_path(letter))

    assert confirmed.url == reverse("selfservice:contract_detail", args=[contract.number])
    assert ContractRole.objects.get(user=user, contract=contract).role == Role.HEAD
    assert list(contracts_for(user=user)) == [contract]
    assert not ContractBinding.objects.exists()


@pytest.mark.parametrize("email", ["other@company.example", "energo@else.example"])
def test_an_email_not_in_the_contract_binds_nothing(signed_in_client, contract, email):
    response = signed_in_client.post(ADD, {"number": contract.number, "email": email})

    page = response.content.decode()
    assert response.status_code == 200
    assert "Договор с таким номером и e-mail не найден." in page
    assert f'value="{contract.number}"' in page and f'value="{email}"' in page
    assert mail.outbox == [] and not ContractBinding.objects.exists()


def test_an_unknown_number_says_the_same(signed_in_client, contract):
    response = signed_in_client.post(ADD, {"number": "78019999999999", "email": contract_email(contract)})

    assert "Договор с таким номером и e-mail не найден." in response.content.decode()


@pytest.mark.parametrize("number", ["7801", "7801000000000a", ""])
def test_the_number_has_fourteen_digits(signed_in_client, number):
    response = signed_in_client.post(ADD, {"number": number, "email": "a@b.example"})

    page = response.content.decode()
    assert "Номер договора — 14 цифр." in page or "Заполните поле" in page


def test_a_contract_in_another_cabinet_is_refused(signed_in_client, contract):
    give_role(UserFactory(), contract, Role.HEAD)

    response = signed_in_client.post(ADD, {"number": contract.number, "email": contract_email(contract)})

    assert "уже добавлен в личный кабинет другого пользователя" in response.content.decode()
    assert mail.outbox == []


def test_a_contract_already_mine_is_refused(signed_in_client, user, contract):
    give_role(user, contract, Role.HEAD)

    response = signed_in_client.post(ADD, {"number": contract.number, "email": contract_email(contract)})

    assert "уже добавлен в ваш личный кабинет" in response.content.decode()


def test_another_users_link_is_a_404(client, contract):
    asker = UserFactory()
    client.force_login(asker)
    client.post(ADD, {"number": contract.number, "email": contract_email(contract)})
    link = confirm_path(mail.outbox[0])

    client.force_login(UserFactory())

    assert client.post(link).status_code == 404
    assert not ContractRole.objects.exists()


def test_an_unconfirmed_binding_disappears_after_24_hours(signed_in_client, user, contract):
    signed_in_client.post(ADD, {"number": contract.number, "email": contract_email(contract)})
    link = confirm_path(mail.outbox[0])

    with time_machine.travel(timezone.now() + timedelta(hours=23, minutes=59)):
        assert contract_bindings_purge() == 0
    with time_machine.travel(timezone.now() + timedelta(hours=24, minutes=1)):
        assert signed_in_client.post(link).status_code == 404  # the link is dead even before the purge
        assert purge_contract_bindings.delay().get() == 1

    assert not ContractBinding.objects.exists() and not ContractRole.objects.exists()


def test_asking_again_replaces_the_first_link(signed_in_client, user, contract):
    for _attempt in range(2):
        signed_in_client.post(ADD, {"number": contract.number, "email": contract_email(contract)})
    first, second = (confirm_path(letter) for letter in mail.outbox)

    assert signed_in_client.post(first).status_code == 404
    assert signed_in_client.post(second).status_code == 302


def test_the_bindings_waiting_are_listed_and_can_be_cancelled(signed_in_client, contract):
    signed_in_client.post(ADD, {"number": contract.number, "email": contract_email(contract)})

    page = signed_in_client.get(reverse("selfservice:contracts")).content.decode()
    assert "Ожидает подтверждения" in page and contract_email(contract) in page

    signed_in_client.post(reverse("selfservice:contract_binding_cancel", args=[ContractBinding.objects.get().pk]))
    assert not ContractBinding.objects.exists()


def test_binding_needs_a_confirmed_email(client, contract):
    client.force_login(UserFactory(email_confirmed_at=None))

    response = client.post(ADD, {"number": contract.number, "email": contract_email(contract)})

    assert response.status_code == 302 and mail.outbox == []


def test_guessing_the_email_is_rate_limited(signed_in_client, contract):
    for attempt in range(10):
        signed_in_client.post(ADD, {"number": contract.number, "email": f"guess{attempt}@company.example"})

    response = signed_in_client.post(ADD, {"number": contract.number, "email": contract_email(contract)})

    assert response.status_code == 429 and mail.outbox == []


def test_the_contract_page_shows_requisites_sites_meters_and_scans(signed_in_client, user, contract):
    give_role(user, contract, Role.HEAD)

    page = signed_in_client.get(reverse("selfservice:contract_detail", args=[contract.number])).content.decode()

    customer = contract.customer
    for text in (customer.full_name, customer.inn, customer.kpp, customer.bik, customer.bank_account):
        assert text in page
    for site in contract.energy_objects.all():
        assert site.code in page
    assert "Расчётный коэф. 40" in page and "Потери 2%" in page
    assert "Договор энергоснабжения (скан)" in page
    assert "1200,5" in page  # the last reading, for a role that sees readings


def test_download_is_the_page_in_xlsx(signed_in_client, user, contract):
    give_role(user, contract, Role.ACCOUNTANT)

    response = signed_in_client.get(reverse("selfservice:contract_download", args=[contract.number]))

    workbook = load_workbook(io.BytesIO(response.content))
    facts = {row[0]: row[1] for row in workbook["Договор"].iter_rows(values_only=True) if row and row[0]}
    assert facts["ИНН"] == contract.customer.inn and facts["Номер договора"] == contract.number
    meters = list(workbook["Приборы учёта"].iter_rows(values_only=True))
    assert meters[0][:2] == ("Код ЭО", "Наименование ЭО") and len(meters) == 3
    assert f'filename="dogovor-{contract.number}.xlsx"' in response["Content-Disposition"]


def test_the_contract_page_has_a_fixed_number_of_queries(signed_in_client, user):
    small, big = contract_with_sites(energy_objects=1), contract_with_sites(energy_objects=8)
    give_role(user, small, Role.ADMINISTRATOR)
    give_role(user, big, Role.ADMINISTRATOR)

    count_queries(signed_in_client, reverse("selfservice:contract_detail", args=[small.number]))  # warm caches
    few = count_queries(signed_in_client, reverse("selfservice:contract_detail", args=[small.number]))
    many = count_queries(signed_in_client, reverse("selfservice:contract_detail", args=[big.number]))

    assert few == many <= 16


def test_the_contracts_tab_has_a_fixed_number_of_queries(signed_in_client, user):
    from tests.querycount import assert_queries_flat

    def add_contracts(n):
        for _index in range(n):
            give_role(user, contract_with_sites(energy_objects=1), Role.ACCOUNTANT)

    assert_queries_flat(signed_in_client, reverse("selfservice:contracts"), add_rows=add_contracts, max_queries=15)


def test_removing_leaves_the_others_their_roles(signed_in_client, user, contract):
    colleague = UserFactory()
    give_role(user, contract, Role.ADMINISTRATOR)
    give_role(colleague, contract, Role.ACCOUNTANT)

    signed_in_client.post(reverse("selfservice:contract_remove", args=[contract.number]))

    assert not contracts_for(user=user).exists()
    assert list(contracts_for(user=colleague)) == [contract]
    tab = signed_in_client.get(reverse("selfservice:contracts")).content.decode()
    assert "Договоры ещё не добавлены" in tab


def test_a_deleted_account_keeps_no_contract_and_no_permission(user, contract):
    from selfservice.models import ContractPermission
    from selfservice.services.profile import user_anonymise

    give_role(user, contract, Role.ADMINISTRATOR)

    user_anonymise(user=user)

    assert not ContractRole.objects.exists() and not ContractPermission.objects.filter(user=user).exists()
    assert not contracts_for(user=user).exists()
