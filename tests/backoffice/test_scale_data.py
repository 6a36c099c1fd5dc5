"""Scale data for the benchmarks: the asked number of rows, readings a billing run can use, top-ups."""

import datetime

import pytest
from django.core.management import call_command

from backoffice.models import Contract, Document, EnergyObject, Meter, MeteringPoint, PersonalAccount, Reading
from backoffice.models.choices import DocumentType, ReadingKind
from backoffice.scale import scale_data_create, scale_latest_period
from backoffice.services.billing import billing_run
from tests.bench import bench_billing

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 22)
MONTHS = [datetime.date(2026, 8, 1), datetime.date(2026, 9, 1), datetime.date(2026, 10, 1)]


def test_creates_the_asked_accounts_each_with_a_meter_read_every_month():
    result = scale_data_create(accounts=30, contracts=2, months=3, today=TODAY)

    assert (result["accounts"], result["contracts"], result["latest_period"]) == (30, 2, MONTHS[-1])
    assert PersonalAccount.objects.count() == Meter.objects.filter(account__isnull=False).count() == 30
    for meter in Meter.objects.all():
        months = {r.taken_on.replace(day=1) for r in meter.readings.all()}
        assert months == set(MONTHS)
        assert meter.readings.count() == 3 * len(meter.zones)


def test_contracts_get_energy_objects_metering_points_and_meters():
    scale_data_create(accounts=200, months=2, today=TODAY)

    assert Contract.objects.count() == 2  # one per hundred households
    assert EnergyObject.objects.count() == MeteringPoint.objects.count() == 6
    assert Meter.objects.filter(metering_point__isnull=False).count() == 6
    for energy_object in EnergyObject.objects.select_related("contract"):
        energy_object.full_clean()


def test_every_zone_set_is_present_and_registers_only_grow():
    scale_data_create(accounts=12, contracts=1, months=3, today=TODAY)

    assert set(Meter.objects.values_list("zone_set", flat=True)) == {"single", "two", "three"}
    for meter in Meter.objects.all():
        for zone in meter.zones:
            values = list(meter.readings.filter(zone=zone).order_by("taken_on").values_list("value", flat=True))
            assert values == sorted(values) and values[0] < values[-1]
            assert all(value <= meter.max_value for value in values)


def test_a_second_call_tops_up_without_duplicates():
    scale_data_create(accounts=20, contracts=1, months=2, today=TODAY)
    readings = Reading.objects.count()

    again = scale_data_create(accounts=20, contracts=1, months=2, today=TODAY)
    assert (again["accounts_added"], again["contracts_added"], again["readings_added"]) == (0, 0, 0)
    assert Reading.objects.count() == readings

    more = scale_data_create(accounts=35, contracts=2, months=3, today=TODAY)
    assert (more["accounts_added"], more["contracts_added"]) == (15, 1)
    assert PersonalAccount.objects.count() == 35 and Contract.objects.count() == 2
    assert len(set(Meter.objects.values_list("serial", flat=True))) == Meter.objects.count()
    for meter in Meter.objects.all():
        assert meter.readings.count() == 3 * len(meter.zones)  # the older meters got the earlier month too


def test_the_latest_month_bills_every_account_without_estimates():
    scale_data_create(accounts=25, contracts=2, months=2, today=TODAY)

    run = billing_run(period=scale_latest_period())

    assert Document.objects.filter(type=DocumentType.RECEIPT).count() == 25
    assert Document.objects.filter(type=DocumentType.TAX_INVOICE).count() == 2
    assert not Reading.objects.filter(kind=ReadingKind.ESTIMATED).exists()
    assert run.stats["documents"] == 25 + 2 * 2  # a tax invoice and an act per contract


def test_seed_scale_takes_accounts_contracts_and_months(capsys):
    call_command("seed_scale", users=3, accounts=15, contracts=1, months=2, access_contracts=0)

    assert PersonalAccount.objects.count() == 15 and Contract.objects.count() == 1
    assert "15 accounts and 1 contracts added" in capsys.readouterr().out


def test_the_billing_benchmark_leaves_no_trace():
    scale_data_create(accounts=10, contracts=1, months=2)

    figures = bench_billing.run()

    assert figures["billing.accounts"]["value"] == 11
    assert figures["billing.documents"]["value"] == 12 and figures["billing.rerun_documents"]["value"] == 0
    assert figures["billing.run_s"]["unit"] == "s"
    assert not Document.objects.exists()
