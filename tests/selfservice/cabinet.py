"""Builders for cabinet tests: an organisation's contract with everything its page shows, and roles on it."""

import datetime
from decimal import Decimal

from django.core.files.base import ContentFile

from backoffice.models import ContractAttachment
from backoffice.models.choices import DocumentType
from selfservice.access import access_sync
from selfservice.models import ContractRole
from selfservice.services.accounts import account_link_create
from tests.backoffice.factories import (
    ContractEmailFactory,
    ContractFactory,
    DocumentFactory,
    EnergyObjectFactory,
    MeterFactory,
    MeteringPointFactory,
    PaymentFactory,
    ReadingFactory,
)

Role = ContractRole.Role


def contract_with_sites(*, energy_objects: int = 2, **fields):
    """A contract with its e-mail, `energy_objects` sites each with a metering point, a meter and a reading,
    an invoice, a payment and a scan: every block of the contract's page has something to show."""
    contract = ContractFactory(**fields)
    ContractEmailFactory(contract=contract, email=f"energo-{contract.number}@company.example")
    for index in range(energy_objects):
        site = EnergyObjectFactory(
            contract=contract, code=f"{contract.number}{index + 1:04d}", name=f"Цех № {index + 1}"
        )
        point = MeteringPointFactory(
            energy_object=site, transformation_ratio=Decimal("40"), losses_percent=Decimal("2")
        )
        meter = MeterFactory(account=None, metering_point=point, serial=f"{contract.number[-6:]}{index}")
        ReadingFactory(meter=meter, value=Decimal("1200.5"), taken_on=datetime.date(2026, 10, 25))
    DocumentFactory(
        account=None,
        contract=contract,
        type=DocumentType.INVOICE,
        number=f"СЧ-{contract.number}",
        amount=Decimal("15000"),
    )
    PaymentFactory(account=None, contract=contract, number=f"П-{contract.number}", amount=Decimal("5000"))
    attachment = ContractAttachment(contract=contract, title="Договор энергоснабжения (скан)")
    attachment.file.save("dogovor.pdf", ContentFile(b"%PDF-1.4 scan"), save=True)
    return contract


def give_role(user, contract, role=Role.HEAD, *, energy_objects=()):
    """A role as the services leave it: the row and the guardian permissions derived from it."""
    contract_role = ContractRole.objects.create(user=user, contract=contract, role=role)
    contract_role.energy_objects.set(energy_objects)
    access_sync(user=user, contract=contract)
    return contract_role


def link_account(user, account):
    link, _created = account_link_create(user=user, account=account)
    return link
