"""Readings at scale (issue 6): the «Показания» page of a contract with 200 meters, a 31-day interval file, an
integral file of a contract with 500 meters.

seed_scale gives contracts a handful of meters, so this module adds (once, idempotently) three contracts of its own
for the benchmark user: 1, 200 and 500 meters of price category III, each meter with three months of readings,
in a customer group whose window («с 1-го по 31-е следующего месяца») is open on any day.

Targets: the interval file checked and stored in ≤ 150 ms; the integral file of 500 meters in ≤ 2 s; the page of
200 meters with the same number of queries as the page of one meter. Writes run in a transaction that is rolled
back, so a second run measures the same work.
"""

import datetime
import io
import statistics
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client
from django.urls import reverse

from backoffice.demo import tariff_history_create
from backoffice.models import Branch, Contract, Customer, CustomerGroup, EnergyObject, Meter, MeteringPoint, Reading
from backoffice.models.choices import CustomerKind, PriceCategory, ReadingKind, ReadingSource
from backoffice.readings.integral import integral_template_write
from backoffice.scale import SCALE_ORGANISATIONS, TARIFF_BASE
from backoffice.services.periods import add_months
from backoffice.services.readings import integral_file_store, integral_template_rows
from selfservice.access import access_sync
from selfservice.management.commands.seed_scale import BENCH_EMAIL
from selfservice.models import ContractRole
from tests.bench.harness import TRIVIAL_URL, query_count, server_times, timed
from tests.readings import interval_rows, upload, xlsx
from workflows.services.interval_acts import interval_act_submit

SIZES = {"1": 1, "200": 200, "500": 500}
PAGE_ROUNDS = 30
FILE_ROUNDS = 15
# A day on which the group's open window is January's, a 31-day month, already over.
INTERVAL_DAY = datetime.date(2026, 2, 10)


class Rollback(Exception):
    pass


def _group() -> CustomerGroup:
    group, _ = CustomerGroup.objects.get_or_create(
        code="bench-readings",
        defaults={
            "name": "Бенчмарк показаний",
            "customer_kind": CustomerKind.ORGANISATION,
            "window_start_day": 1,
            "window_end_day": 31,
            "window_ends_next_month": True,
        },
    )
    # Tariffs as the scale organisations have them: a later billing run of the bench database bills these
    # contracts too, and refuses a group without a tariff for the period.
    first = add_months(datetime.date.today().replace(day=1), -24)
    tariff_history_create(group=group, base=TARIFF_BASE[SCALE_ORGANISATIONS], first=first, last=datetime.date.today())
    return group


def _contract(label: str, meters: int, user) -> Contract:
    number = f"7899{int(label):010d}"
    contract = Contract.objects.filter(number=number).first()
    if contract is None:
        branch = Branch.objects.order_by("pk").first() or Branch.objects.create(name="Бенчмарк")
        customer = Customer.objects.create(
            kind=CustomerKind.ORGANISATION,
            group=_group(),
            full_name=f"ООО «Бенчмарк {label}»",
            short_name=f"ООО «Бенчмарк {label}»",
            inn=f"99{int(label):08d}",
            kpp="780101001",
        )
        contract = Contract.objects.create(
            number=number, customer=customer, branch=branch, price_category=PriceCategory.III
        )
        sites = EnergyObject.objects.bulk_create(
            EnergyObject(
                contract=contract,
                code=f"{number}{index:04d}",
                name=f"Цех № {index}",
                address=f"ул. Заводская, д. {index}",
            )
            for index in range(1, max(meters // 20, 1) + 1)
        )
        points = MeteringPoint.objects.bulk_create(
            MeteringPoint(energy_object=sites[index % len(sites)], name=f"ТП-{index}", transformation_ratio=Decimal(40))
            for index in range(meters)
        )
        created = Meter.objects.bulk_create(
            Meter(serial=f"B{label}-{index:05d}", model="Меркурий 230 ART", metering_point=point, quantities=["A+"])
            for index, point in enumerate(points)
        )
        today = datetime.date.today().replace(day=1)
        Reading.objects.bulk_create(
            Reading(
                meter=meter,
                value=Decimal(1000 + 100 * month),
                taken_on=today - datetime.timedelta(days=31 * (4 - month)),
                kind=ReadingKind.DECLARED,
                source=ReadingSource.PORTAL,
            )
            for meter in created
            for month in range(3)
        )
    if not ContractRole.objects.filter(user=user, contract=contract).exists():
        ContractRole.objects.create(user=user, contract=contract, role=ContractRole.Role.HEAD)
        access_sync(user=user, contract=contract)
    return contract


def _integral_file(contract) -> bytes:
    meters = Meter.objects.filter(metering_point__energy_object__contract=contract)
    rows = integral_template_rows(meters=meters)
    filled = [row.__class__(**{**row.__dict__, "current": (row.previous or 0) + 10}) for row in rows]
    stream = io.BytesIO()
    integral_template_write(stream, rows=filled)
    return stream.getvalue()


def _rolled_back(function):
    def run():
        try:
            with transaction.atomic():
                result = function()
                raise Rollback
        except Rollback:
            return result

    return run


def run() -> dict:
    user_model = get_user_model()
    user = user_model.objects.filter(email=BENCH_EMAIL).first() or user_model.objects.create_user(
        email=BENCH_EMAIL, password=None
    )
    contracts = {label: _contract(label, size, user) for label, size in SIZES.items()}
    client = Client()
    client.force_login(user)
    page = reverse("selfservice:readings")
    one, many = (f"{page}?contract={contracts[label].number}" for label in ("1", "200"))
    times = server_times(client, [TRIVIAL_URL, one, many], rounds=PAGE_ROUNDS)
    trivial = statistics.median(times[TRIVIAL_URL])
    many_ms = statistics.median(times[many])

    interval_meter = Meter.objects.filter(metering_point__energy_object__contract=contracts["1"]).get()
    interval_data = xlsx(interval_rows(datetime.date(2026, 1, 1), value=Decimal("12.5")))

    def interval_load():
        return interval_act_submit(
            meter=interval_meter, file=upload("interval.xlsx", interval_data), name="interval.xlsx", today=INTERVAL_DAY
        )

    interval_seconds, act = timed(_rolled_back(interval_load), repeat=FILE_ROUNDS)
    assert act.total == Decimal("9300")  # 31 × 24 × 12,5

    integral_data = _integral_file(contracts["500"])
    meters_500 = Meter.objects.filter(metering_point__energy_object__contract=contracts["500"])

    def integral_load():
        outcome = integral_file_store(
            file=upload("integral.xlsx", integral_data),
            name="integral.xlsx",
            find_meters=lambda serials: {meter.serial: meter for meter in meters_500.filter(serial__in=serials)},
            user=user,
        )
        assert outcome.ok, outcome.issues[:3]
        return len(outcome.stored)

    integral_seconds, stored = timed(_rolled_back(integral_load), repeat=3)
    return {
        "readings.page_200_meters.median_ms": {"value": round(many_ms, 3), "unit": "ms"},
        "readings.page_200_meters.ratio_to_trivial": {"value": round(many_ms / trivial, 2), "unit": "x"},
        "readings.page_1_meter.median_ms": {"value": round(statistics.median(times[one]), 3), "unit": "ms"},
        "readings.page_1_meter.queries": {"value": query_count(client, one), "unit": "queries"},
        "readings.page_200_meters.queries": {"value": query_count(client, many), "unit": "queries"},
        "readings.interval_file_31_days.median_ms": {"value": round(interval_seconds * 1000, 3), "unit": "ms"},
        "readings.integral_file_500_meters.median_s": {"value": round(integral_seconds, 3), "unit": "s"},
        "readings.integral_file_500_meters.meters_stored": {"value": stored, "unit": "meters"},
    }
