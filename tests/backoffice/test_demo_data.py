"""The demo data of `seed_demo`: what a newcomer sees after `make run`, and that it is safe to load again.

The demo is built once for this module (it bills 24 months) inside a transaction that is
rolled back at the end, so no other test sees it.
"""

import datetime
from collections import Counter
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.db.models import Sum
from django.urls import NoReverseMatch, reverse

from backoffice.demo import DEMO_ACCOUNT, DEMO_CONTRACT, demo_data_create
from backoffice.models import (
    Balance,
    BillingRun,
    Contract,
    ContractEmail,
    Customer,
    Document,
    DocumentLine,
    EnergyObject,
    Meter,
    MeteringPoint,
    Payment,
    PersonalAccount,
    Reading,
)
from backoffice.models.choices import (
    DocumentType,
    MeterStatus,
    PriceCategory,
    Quantity,
    ReadingKind,
    ReadingSource,
    SalesKind,
    ZoneSet,
)
from backoffice.services.periods import add_months
from backoffice.wagtail_hooks import catalog

TODAY = datetime.date(2026, 11, 22)
FIRST, LAST = datetime.date(2024, 11, 1), datetime.date(2026, 10, 1)
MONTHS = [add_months(FIRST, n) for n in range(24)]

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", autouse=True)
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield demo_data_create(today=TODAY)
        transaction.set_rollback(True)


def table_counts() -> dict[str, int]:
    models = [*apps.get_app_config("backoffice").get_models(), get_user_model()]
    return {model.__name__: model.objects.count() for model in models}


def test_seed_demo_run_again_changes_nothing(capsys, time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 22, 12, 0), tick=False)
    call_command("seed_demo")  # adds the users to the module's back-office demo
    before = table_counts()

    call_command("seed_demo")

    assert table_counts() == before
    assert "Добавлено строк: 0, платежей: 0" in capsys.readouterr().out


def test_a_demo_topped_up_in_a_later_month_is_stable_again(capsys):
    """`make run` loads the demo on every start: in a new month it bills that month, then nothing more."""
    later = datetime.date(2026, 12, 1)
    demo_data_create(today=later)
    before = table_counts()

    demo_data_create(today=later)

    assert table_counts() == before
    assert BillingRun.objects.filter(period=datetime.date(2026, 11, 1), status=BillingRun.Status.DONE).exists()


def test_the_counts_say_what_is_there(demo):
    assert demo["households"] == 60 and demo["organisations"] == 10 and demo["contracts"] == 10
    assert demo["billing_runs"] == 24
    assert demo["readings"] == Reading.objects.count()
    assert demo["payments"] == Payment.objects.count() > 60 * 20


def test_every_demo_row_passes_the_model_rules():
    for model in (Customer, PersonalAccount, Contract, ContractEmail, EnergyObject, MeteringPoint, Meter):
        for row in model.objects.all():
            row.full_clean()
    for reading in Reading.objects.exclude(kind=ReadingKind.ESTIMATED).select_related("meter")[::7]:
        reading.full_clean()


def test_sixty_households_with_every_zone_set_and_premises_data():
    accounts = PersonalAccount.objects.select_related("customer").prefetch_related("meters")
    assert accounts.count() == 60
    zone_sets = Counter(meter.zone_set for account in accounts for meter in account.meters.all())
    assert set(zone_sets) == {ZoneSet.SINGLE, ZoneSet.TWO, ZoneSet.THREE} and min(zone_sets.values()) >= 10
    assert all(a.total_area and a.living_area and a.rooms and a.residents and a.cooker for a in accounts)
    assert all(a.customer.last_name and a.customer.first_name and a.customer.middle_name for a in accounts)
    assert all("Энергоград" in a.address for a in accounts)
    assert {a.customer.group.code for a in accounts} == {"population", "population-rural"}
    assert len({a.customer.last_name for a in accounts}) > 50


def test_ten_organisations_across_price_categories_one_to_six():
    contracts = Contract.objects.select_related("customer", "curator")
    assert contracts.count() == 10
    assert {c.price_category for c in contracts} == set(PriceCategory.values)
    for contract in contracts:
        customer = contract.customer
        assert customer.inn and customer.ogrn and customer.okpo and customer.bik and customer.bank_account
        assert customer.kpp or customer.full_name.startswith("Индивидуальный предприниматель")
        assert contract.curator and contract.energy_objects.exists()
        assert contract.emails.filter(source=ContractEmail.Source.REQUISITES).exists()
        assert all(code.startswith(contract.number) for code in contract.energy_objects.values_list("code", flat=True))


def test_metering_points_carry_ratios_and_losses_and_some_meters_count_export():
    points = MeteringPoint.objects.all()
    assert {Decimal(1), Decimal(40)} <= {p.transformation_ratio for p in points}
    assert all(0 <= p.losses_percent <= 3 for p in points) and any(p.losses_percent > 0 for p in points)
    exporting = [m for m in Meter.objects.filter(metering_point__isnull=False) if Quantity.ACTIVE_OUT in m.measured]
    assert exporting and Reading.objects.filter(quantity=Quantity.ACTIVE_OUT).exists()


def test_twenty_four_months_are_read_and_billed():
    assert sorted(BillingRun.objects.filter(status=BillingRun.Status.DONE).values_list("period", flat=True)) == MONTHS
    meter = Meter.objects.get(account__number=DEMO_ACCOUNT)
    read_months = {r.taken_on.replace(day=1) for r in meter.readings.exclude(kind=ReadingKind.ESTIMATED)}
    assert read_months == {add_months(FIRST, -1), *MONTHS}
    assert not Reading.objects.filter(taken_on__gt=datetime.date(2026, 10, 31)).exists()


def test_readings_come_from_several_sources_and_missing_months_are_estimated():
    sources = set(Reading.objects.values_list("source", flat=True))
    assert {ReadingSource.PORTAL, ReadingSource.ASKUE, ReadingSource.INSPECTOR, ReadingSource.ESTIMATE} <= sources
    assert Reading.objects.filter(source=ReadingSource.ASKUE, meter__account__isnull=True).exists()
    estimated_meters = Reading.objects.filter(kind=ReadingKind.ESTIMATED).values("meter").distinct().count()
    assert 5 <= estimated_meters <= 15


def test_households_use_more_in_winter_than_in_summer():
    def household_kwh(period):
        lines = DocumentLine.objects.filter(document__account__isnull=False, document__period=period)
        return lines.aggregate(total=Sum("consumption"))["total"]

    assert household_kwh(datetime.date(2026, 1, 1)) > Decimal("1.4") * household_kwh(datetime.date(2026, 7, 1))


def test_a_few_households_owe_for_two_or_three_months_and_one_pays_penalties():
    open_receipts = Document.objects.filter(type=DocumentType.RECEIPT, sales_kind=SalesKind.MAIN, amount_due__gt=0)
    months_owed = Counter(open_receipts.values_list("account__number", flat=True))
    debtors = {number for number, months in months_owed.items() if months >= 2}
    assert 3 <= len(debtors) <= 8
    assert max(months_owed.values()) == 3
    assert Document.objects.filter(account__isnull=False, sales_kind=SalesKind.PENALTY).exists()


def test_an_organisation_is_overdue_and_accrues_penalties():
    overdue = Document.objects.filter(
        contract__isnull=False, sales_kind=SalesKind.MAIN, amount_due__gt=0, due_date__lt=TODAY
    )
    assert overdue.values("contract").distinct().count() == 1
    contract = overdue.first().contract
    assert Document.objects.filter(contract=contract, type=DocumentType.PENALTY_CLAIM).count() >= 2
    assert Balance.objects.get(contract=contract, sales_kind=SalesKind.PENALTY).amount > 0


def test_some_customers_have_paid_ahead():
    overpaid = Balance.objects.filter(account__isnull=False, sales_kind=SalesKind.OVERPAYMENT, amount__lt=0)
    assert overpaid.count() >= 3
    assert Balance.objects.filter(contract__isnull=False, sales_kind=SalesKind.ADVANCE, amount__lt=0).exists()


def test_one_meter_is_due_for_verification_within_two_months():
    soon = Meter.objects.filter(verification_due_on__gte=TODAY, verification_due_on__lte=TODAY + datetime.timedelta(60))
    assert soon.count() == 1
    assert not Meter.objects.filter(verification_due_on__lt=TODAY).exists()


def test_meters_wait_for_readings():
    assert set(Meter.objects.values_list("status", flat=True)) == {MeterStatus.WAITING}


def test_the_demo_household_account_is_well_populated():
    account = PersonalAccount.objects.get(number=DEMO_ACCOUNT)
    assert account.customer.display_name == "Петрова Анна Сергеевна"
    assert account.meters.get().zone_set == ZoneSet.TWO
    receipts = Document.objects.filter(account=account, type=DocumentType.RECEIPT, corrects__isnull=True)
    assert sorted(receipts.values_list("period", flat=True)) == MONTHS
    assert Payment.objects.filter(account=account).count() == 24
    assert not receipts.filter(amount_due__gt=0).exists()
    assert Balance.objects.get(account=account, sales_kind=SalesKind.OVERPAYMENT).amount < 0


def test_the_demo_contract_is_well_populated():
    contract = Contract.objects.get(number=DEMO_CONTRACT)
    assert contract.customer.short_name == "ООО «Северный хлебозавод»"
    assert contract.energy_objects.count() >= 3
    assert MeteringPoint.objects.filter(energy_object__contract=contract).count() >= 4
    assert contract.emails.filter(email="company@demo.energokabinet.example").exists()
    invoices = Document.objects.filter(contract=contract, type=DocumentType.TAX_INVOICE, corrects__isnull=True)
    assert sorted(invoices.values_list("period", flat=True)) == MONTHS
    assert Payment.objects.filter(contract=contract).count() >= 40  # the payment and an advance each month


# --- The back office opens on the demo ----------------------------------------------------------

VIEWSETS = [
    catalog.customer_viewset,
    catalog.account_viewset,
    catalog.contract_viewset,
    catalog.contract_email_viewset,
    catalog.customer_group_viewset,
    catalog.branch_viewset,
    catalog.curator_viewset,
    catalog.energy_object_viewset,
    catalog.metering_point_viewset,
    catalog.meter_viewset,
    catalog.reading_viewset,
    catalog.tariff_viewset,
    catalog.billing_run_viewset,
    catalog.document_viewset,
    catalog.payment_viewset,
    catalog.balance_viewset,
]


@pytest.mark.parametrize("viewset", VIEWSETS, ids=lambda viewset: viewset.name)
def test_every_admin_list_and_record_opens_on_the_demo(admin_client, viewset):
    index = admin_client.get(reverse(viewset.get_url_name("index")))
    assert index.status_code == 200
    assert len(index.context["object_list"]) > 0  # the demo fills every list

    record = viewset.model.objects.order_by("-pk").first()
    views = ["inspect", "edit"] if viewset.inspect_view_enabled else ["edit"]
    for view in views:
        try:
            address = reverse(viewset.get_url_name(view), args=[record.pk])
        except NoReverseMatch:  # money and state records have no edit screen
            continue
        # a billed reading's edit screen sends staff to its inspect page: follow it
        assert admin_client.get(address, follow=True).status_code == 200, address


def test_the_admin_home_and_the_billing_screens_open_on_the_demo(admin_client):
    for address in ("/admin/", reverse("exchange:index"), reverse(catalog.BILLING_RUN_START_URL_NAME)):
        # a billed reading's edit screen sends staff to its inspect page: follow it
        assert admin_client.get(address, follow=True).status_code == 200, address
