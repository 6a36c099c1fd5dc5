"""Table 3 of seed 001 §13.2.1.2, walked whole: for every role and every capability, what the user may reach.

Each capability is checked where the portal offers it today: the selectors every page uses, and the pages,
downloads and actions that exist (the contract's page, «Скачать», the scans, documents' PDFs, «Добавить
роль», «Запросить доступ», «Удалить договор»).
"""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from backoffice.models import Document
from selfservice.access import ROLE_CAPABILITIES, Capability
from selfservice.models import ContractRole
from selfservice.selectors import (
    contract_permits,
    contracts_for,
    documents_for,
    energy_objects_for,
    meters_for,
    payments_for,
    readings_for,
)
from tests.factories import UserFactory
from tests.selfservice.cabinet import Role, contract_with_sites, give_role

pytestmark = pytest.mark.django_db

# Table 3 as the manual prints it: «+» for these roles, «–» for the others.
TABLE_3 = {
    Capability.VIEW: {Role.ENERGETIC, Role.ACCOUNTANT, Role.HEAD, Role.ADMINISTRATOR},
    Capability.READINGS: {Role.ENERGETIC, Role.HEAD, Role.ADMINISTRATOR},
    Capability.READINGS_HISTORY: {Role.ENERGETIC, Role.HEAD, Role.ADMINISTRATOR},
    Capability.BILLING: {Role.ACCOUNTANT, Role.HEAD, Role.ADMINISTRATOR},
    Capability.BILLING_HISTORY: {Role.ACCOUNTANT, Role.HEAD, Role.ADMINISTRATOR},
    Capability.PAY: {Role.ACCOUNTANT, Role.HEAD, Role.ADMINISTRATOR},
    Capability.ROLES: {Role.ADMINISTRATOR},
}
ROLES = list(Role)


@pytest.fixture
def contract():
    return contract_with_sites()


def holder(contract, role):
    user = UserFactory()
    give_role(user, contract, role)
    return user


def test_the_mapping_is_table_3():
    for role in ROLES:
        assert ROLE_CAPABILITIES[role] == {capability for capability, roles in TABLE_3.items() if role in roles}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("capability", list(Capability))
def test_selectors_give_the_contract_exactly_as_the_table_says(contract, role, capability):
    user = holder(contract, role)
    allowed = role in TABLE_3[capability]

    assert (contract in contracts_for(user=user, capability=capability)) == allowed
    assert contract_permits(user=user, contract=contract, capability=capability) == allowed


@pytest.mark.parametrize("role", ROLES)
def test_readings_history_as_the_table_says(contract, role):
    user = holder(contract, role)
    allowed = role in TABLE_3[Capability.READINGS_HISTORY]

    assert readings_for(user=user).exists() == allowed
    page = reverse("selfservice:contract_detail", args=[contract.number])
    assert ("Последние показания" in page_text(user, page)) == allowed


@pytest.mark.parametrize("role", ROLES)
def test_documents_and_payments_as_the_table_says(client, contract, role):
    user = holder(contract, role)
    allowed = role in TABLE_3[Capability.BILLING_HISTORY]
    document = Document.objects.get(contract=contract)

    assert documents_for(user=user).exists() == allowed
    assert payments_for(user=user).exists() == allowed
    client.force_login(user)
    pdf = client.get(reverse("selfservice:document_pdf", args=[document.pk]))
    assert pdf.status_code == (200 if allowed else 404)
    page = client.get(reverse("selfservice:contract_detail", args=[contract.number])).content.decode()
    assert (document.number in page) == allowed


@pytest.mark.parametrize("role", ROLES)
def test_every_role_sees_the_contract_its_scans_and_downloads_it(client, contract, role):
    client.force_login(holder(contract, role))

    page = client.get(reverse("selfservice:contract_detail", args=[contract.number]))
    download = client.get(reverse("selfservice:contract_download", args=[contract.number]))
    scan = client.get(reverse("selfservice:contract_attachment", args=[contract.number, contract.attachments.get().pk]))

    assert page.status_code == 200 and contract.customer.inn in page.content.decode()
    assert download.status_code == 200 and download["Content-Type"].startswith("application/vnd.openxmlformats")
    assert scan.status_code == 200 and b"".join(scan.streaming_content).startswith(b"%PDF")


@pytest.mark.parametrize("role", ROLES)
def test_only_the_administrator_manages_roles(client, contract, role):
    client.force_login(holder(contract, role))
    allowed = role in TABLE_3[Capability.ROLES]

    form = client.get(reverse("selfservice:role_add", args=[contract.number]))
    page = client.get(reverse("selfservice:contract_detail", args=[contract.number])).content.decode()

    assert form.status_code == (200 if allowed else 404)
    assert ("Добавить роль" in page) == allowed


@pytest.mark.parametrize("role", ROLES)
def test_every_role_may_ask_for_the_administrator_role_and_remove_the_contract(client, contract, role):
    user = holder(contract, role)
    client.force_login(user)

    ask = client.get(reverse("selfservice:access_request_create", args=[contract.number]))
    removed = client.post(reverse("selfservice:contract_remove", args=[contract.number]))

    assert ask.status_code == 200
    assert removed.status_code == 302 and not ContractRole.objects.filter(user=user).exists()
    assert client.get(reverse("selfservice:contract_detail", args=[contract.number])).status_code == 404


# --- Limits to chosen energy objects -------------------------------------------------------------


def test_a_role_limited_to_one_energy_object_reaches_only_that_one(client, contract):
    first, second = contract.energy_objects.order_by("code")
    user = UserFactory()
    give_role(user, contract, Role.ENERGETIC, energy_objects=[first])

    assert list(energy_objects_for(user=user)) == [first]
    assert {meter.metering_point.energy_object for meter in meters_for(user=user)} == {first}
    assert {reading.meter.metering_point.energy_object for reading in readings_for(user=user)} == {first}
    client.force_login(user)
    page = client.get(reverse("selfservice:contract_detail", args=[contract.number])).content.decode()
    assert first.code in page and second.code not in page
    workbook = load_workbook(
        io.BytesIO(client.get(reverse("selfservice:contract_download", args=[contract.number])).content)
    )
    codes = [row[0] for row in workbook["Приборы учёта"].iter_rows(min_row=2, values_only=True)]
    assert codes == [first.code]


def test_a_role_on_the_whole_contract_also_reaches_an_energy_object_added_later(contract):
    user = UserFactory()
    give_role(user, contract, Role.HEAD)
    from tests.backoffice.factories import EnergyObjectFactory

    later = EnergyObjectFactory(contract=contract, code=f"{contract.number}0099")

    assert later in energy_objects_for(user=user)


def page_text(user, url) -> str:
    from django.test import Client

    client = Client()
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()
