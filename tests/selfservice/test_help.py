"""«Помощь» (F-H5, seed 001 §10–11, seed 000 §3.12): «Контакты» per contract, the manual, «Быстрый старт»."""

import pytest
from django.urls import reverse

from selfservice.demo import demo_agreement_create
from tests.backoffice.factories import (
    BranchFactory,
    ContractFactory,
    CuratorFactory,
    OrganisationFactory,
    PersonalAccountFactory,
)
from tests.content import manual
from tests.selfservice.cabinet import give_role, link_account

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return response.content.decode().replace("&quot;", '"')


@pytest.fixture
def contracts(user):
    branch = BranchFactory(
        name="Северное отделение",
        head="Соколов Андрей Петрович",
        phone="(812) 336-69-69",
        address="195009, ул. Михайлова, д. 11",
    )
    curator = CuratorFactory(
        full_name="Бойкова Татьяна Геннадьевна", branch=branch, phone="(812) 336-00-01", email="ornp@company.example"
    )
    first = ContractFactory(
        number="78020000313870",
        branch=branch,
        curator=curator,
        customer=OrganisationFactory(short_name='ООО "Р-Индустрия"'),
    )
    second = ContractFactory(number="78020000998034", customer=OrganisationFactory(short_name="ООО «МагнитЭнерго»"))
    give_role(user, first)
    give_role(user, second)
    return first, second


def test_contacts_show_the_branch_and_the_curator_of_each_contract(signed_in_client, contracts):
    page = text(signed_in_client.get(reverse("selfservice:help_contacts")))
    for value in (
        'ООО "Р-Индустрия"',
        "Договор 78020000313870",
        "Соколов Андрей Петрович",
        "(812) 336-69-69",
        "195009, ул. Михайлова, д. 11",
        "Бойкова Татьяна Геннадьевна",
        "ornp@company.example",
        "ООО «МагнитЭнерго»",
        "Обратите внимание: состав данных на форме может отличаться для вашего договора!",
    ):
        assert value in page, value


def test_choosing_a_contract_shows_only_it(signed_in_client, contracts):
    first, second = contracts
    page = text(signed_in_client.get(reverse("selfservice:help_contacts"), {"owner": f"contract:{second.pk}"}))
    assert "ООО «МагнитЭнерго»" in page and "Бойкова Татьяна Геннадьевна" not in page


def test_someone_elses_contract_is_not_offered(signed_in_client, contracts):
    foreign = ContractFactory(number="78020000000001")
    page = text(signed_in_client.get(reverse("selfservice:help_contacts"), {"owner": f"contract:{foreign.pk}"}))
    assert "78020000000001" not in page


def test_a_household_sees_the_branch_of_its_account(signed_in_client, user):
    link_account(
        user,
        PersonalAccountFactory(
            number="100000321", branch=BranchFactory(name="Южное отделение", phone="8 800 000-00-20")
        ),
    )
    page = text(signed_in_client.get(reverse("selfservice:help_contacts")))
    assert "ЛС 100000321" in page and "Южное отделение" in page and "8 800 000-00-20" in page


def test_without_a_cabinet_the_company_contacts_remain(signed_in_client):
    page = text(signed_in_client.get(reverse("selfservice:help_contacts")))
    assert "Контакты появятся, когда в кабинете будет договор или лицевой счёт" in page and "Контактный центр" in page


def test_help_links_the_manual_its_pdf_and_the_agreement(signed_in_client):
    page_manual = manual()
    agreement = demo_agreement_create()
    page = text(signed_in_client.get(reverse("selfservice:help")))
    assert page_manual.url in page and page_manual.pdf_url() in page and agreement.url in page
    assert signed_in_client.get(reverse("selfservice:agreement"))["Location"] == agreement.url


def test_the_quick_start_tour_is_offered_on_every_page(signed_in_client):
    page = text(signed_in_client.get(reverse("selfservice:help")))
    assert "Быстрый старт" in page and 'data-next-label="Далее"' in page and "Закрыть подсказки" in page
    assert "data-tour-autostart" not in page  # it starts by itself on the home page only
