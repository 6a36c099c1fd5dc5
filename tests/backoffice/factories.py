"""Factories for the system of record. Defaults make a believable household or organisation."""

import datetime
from decimal import Decimal

import factory

from backoffice.models import (
    Branch,
    Contract,
    ContractEmail,
    Curator,
    Customer,
    CustomerGroup,
    Document,
    EnergyObject,
    Meter,
    MeteringPoint,
    Payment,
    PersonalAccount,
    Reading,
    Tariff,
)
from backoffice.models.choices import CustomerKind, DocumentType, ReadingKind, ReadingSource, Zone, ZoneSet


class BranchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Branch
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Центральное отделение {n}")
    head = "Соколов Андрей Петрович"
    phone = "8 800 000-00-10"
    address = "г. Энергоград, пр. Мира, д. 5"


class CuratorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Curator

    full_name = "Лебедева Ольга Ивановна"
    branch = factory.SubFactory(BranchFactory)
    phone = "8 800 000-00-11"


class HouseholdGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CustomerGroup
        django_get_or_create = ("code",)

    code = "population"
    name = "Население"
    customer_kind = CustomerKind.PERSON
    norm_kwh_per_month = Decimal("90")
    norm_per_resident = True
    penalty_grace_days = 30
    penalty_rate_denominator = 300
    payment_due_day = 10


class OrganisationGroupFactory(HouseholdGroupFactory):
    code = "other-consumers"
    name = "Прочие потребители"
    customer_kind = CustomerKind.ORGANISATION
    window_start_day = 1
    window_end_day = 21
    window_ends_next_month = True
    norm_kwh_per_month = Decimal("1000")
    norm_per_resident = False
    penalty_grace_days = 0
    penalty_rate_denominator = 130
    payment_due_day = 18


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    kind = CustomerKind.PERSON
    group = factory.SubFactory(HouseholdGroupFactory)
    last_name = "Петрова"
    first_name = "Анна"
    middle_name = "Сергеевна"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    kind = CustomerKind.ORGANISATION
    group = factory.SubFactory(OrganisationGroupFactory)
    full_name = factory.Sequence(lambda n: f"Общество с ограниченной ответственностью «Северный хлебозавод {n}»")
    short_name = factory.Sequence(lambda n: f"ООО «Северный хлебозавод {n}»")
    inn = factory.Sequence(lambda n: f"78{n:08d}")
    kpp = "780101001"
    ogrn = factory.Sequence(lambda n: f"10278{n:08d}")
    legal_address = "190000, г. Энергоград, ул. Заводская, д. 7"
    bank_name = "ПАО «Демо-Банк»"
    bik = "044000001"
    bank_account = "40702810900000000123"
    correspondent_account = "30101810000000000001"


class PersonalAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PersonalAccount

    number = factory.Sequence(lambda n: f"{100000000 + n}")
    customer = factory.SubFactory(PersonFactory)
    branch = factory.SubFactory(BranchFactory)
    address = factory.Sequence(lambda n: f"г. Энергоград, ул. Садовая, д. {n % 90 + 1}, кв. {n % 200 + 1}")
    total_area = Decimal("54.30")
    living_area = Decimal("38.10")
    rooms = 2
    residents = 2


class ContractFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contract

    number = factory.Sequence(lambda n: f"7801{n:010d}")
    customer = factory.SubFactory(OrganisationFactory)
    branch = factory.SubFactory(BranchFactory)
    curator = factory.SubFactory(CuratorFactory, branch=factory.SelfAttribute("..branch"))
    signed_on = datetime.date(2019, 1, 1)
    price_category = 1


class ContractEmailFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContractEmail

    contract = factory.SubFactory(ContractFactory)
    email = factory.Sequence(lambda n: f"energy{n}@company.example")


class EnergyObjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EnergyObject

    contract = factory.SubFactory(ContractFactory)
    code = factory.LazyAttributeSequence(lambda o, n: f"{o.contract.number}{n % 10000:04d}")
    name = "Цех № 1"
    address = "г. Энергоград, ул. Заводская, д. 7"


class MeteringPointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MeteringPoint

    energy_object = factory.SubFactory(EnergyObjectFactory)
    name = "ТП-15, ввод 1"
    transformation_ratio = Decimal("1")
    losses_percent = Decimal("0")


class MeterFactory(factory.django.DjangoModelFactory):
    """A household meter by default; pass metering_point=… (and account=None) for an organisation's."""

    class Meta:
        model = Meter

    serial = factory.Sequence(lambda n: f"{874100 + n}")
    model = "СОЭЭ 6706"
    account = factory.SubFactory(PersonalAccountFactory)
    metering_point = None
    zone_set = ZoneSet.SINGLE
    digits_integer = 6
    digits_fraction = 2
    installed_on = datetime.date(2019, 9, 12)
    verification_due_on = datetime.date(2035, 9, 1)
    place = "Лестничная площадка"


class ReadingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reading

    meter = factory.SubFactory(MeterFactory)
    zone = Zone.ROUND_THE_CLOCK
    value = Decimal("1000")
    taken_on = datetime.date(2020, 1, 25)
    kind = ReadingKind.DECLARED
    source = ReadingSource.PORTAL


class TariffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tariff

    group = factory.SubFactory(HouseholdGroupFactory)
    zone = Zone.ROUND_THE_CLOCK
    rate = Decimal("5.00")
    valid_from = datetime.date(2019, 1, 1)
    valid_to = None


class DocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Document

    number = factory.Sequence(lambda n: f"Д-{n:08d}")
    type = DocumentType.RECEIPT
    account = factory.SubFactory(PersonalAccountFactory)
    contract = None
    period = datetime.date(2020, 1, 1)
    issued_on = datetime.date(2020, 2, 1)
    amount = Decimal("643.20")
    amount_due = factory.SelfAttribute("amount")
    due_date = datetime.date(2020, 2, 10)


class PaymentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Payment

    account = factory.SubFactory(PersonalAccountFactory)
    contract = None
    paid_on = datetime.date(2020, 2, 5)
    amount = Decimal("665.60")
    unallocated = factory.SelfAttribute("amount")
    bank = "ПАО «Демо-Банк»"
    number = factory.Sequence(lambda n: f"{n:06d}")
    purpose = "Оплата за электроэнергию"
