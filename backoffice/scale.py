"""Synthetic data at scale for the benchmarks (`seed_scale --accounts N`).

Households with one meter each (single-, two- and three-zone), about one contract per
hundred households with energy objects, metering points and meters, the tariffs of two
scale customer groups, and readings for the last `months` complete months, so the run
for the latest month has a previous and a current reading for every register.

Rows are numbered: ЛС «7» + 10 digits, contracts «79» + 12 digits, meter serials «77…»
and «78…», ИНН of the non-existent region 98. Every value is a function of that number,
so a later call only tops up what is missing and never duplicates. Inserts are bulk,
in blocks, without per-row validation: this is test data made by code that is tested.
"""

import datetime
import math
import time
from decimal import Decimal

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from .demo import CITY, FEMALE_NAMES, MALE_NAMES, PATRONYMICS, SURNAMES, URBAN_STREETS, inn_with_check
from .demo import tariff_history_create as _tariff_history_create
from .models import (
    Branch,
    Contract,
    Customer,
    CustomerGroup,
    EnergyObject,
    Meter,
    MeteringPoint,
    PersonalAccount,
    Reading,
)
from .models.choices import (
    ZONES_OF,
    CookerType,
    CustomerKind,
    PriceCategory,
    Quantity,
    ReadingKind,
    ReadingSource,
    ZoneSet,
)
from .services.periods import add_months, day_of_month, month_end, month_start

SCALE_POPULATION = "scale-population"
SCALE_ORGANISATIONS = "scale-organisations"
SCALE_BRANCH = "Нагрузочное отделение"
OBJECTS_PER_CONTRACT = 3
BLOCK = 10_000  # rows built in memory at a time
BATCH = 5_000  # rows per INSERT
EPOCH = datetime.date(2020, 1, 1)  # register values grow from here
ZONE_SETS = (ZoneSet.SINGLE, ZoneSet.TWO, ZoneSet.SINGLE, ZoneSet.THREE, ZoneSet.TWO, ZoneSet.SINGLE)
ZONE_SHARES = {
    ZoneSet.SINGLE: (Decimal("1"),),
    ZoneSet.TWO: (Decimal("0.7"), Decimal("0.3")),
    ZoneSet.THREE: (Decimal("0.23"), Decimal("0.49"), Decimal("0.28")),
}
RATIOS = (Decimal(1), Decimal(40), Decimal(1), Decimal(80), Decimal(1), Decimal(120))
GROUPS = {
    SCALE_POPULATION: {
        "name": "Население (нагрузочные данные)",
        "customer_kind": CustomerKind.PERSON,
        "norm_kwh_per_month": Decimal("75"),
    },
    SCALE_ORGANISATIONS: {
        "name": "Прочие потребители (нагрузочные данные)",
        "customer_kind": CustomerKind.ORGANISATION,
        "window_start_day": 1,
        "window_end_day": 21,
        "window_ends_next_month": True,
        "payment_due_day": 18,
        "norm_kwh_per_month": Decimal("1000"),
        "norm_per_resident": False,
        "penalty_grace_days": 0,
        "penalty_rate_denominator": 130,
    },
}
TARIFF_BASE = {SCALE_POPULATION: Decimal("5.20"), SCALE_ORGANISATIONS: Decimal("8.90")}


def account_number(index: int) -> str:
    return f"7{index:010d}"


def contract_number(index: int) -> str:
    return f"79{index:012d}"


def household_serial(index: int) -> str:
    return f"77{index:09d}"


def organisation_serial(index: int, object_number: int) -> str:
    return f"78{index:08d}{object_number}"


def scale_months(today: datetime.date, months: int) -> list[datetime.date]:
    last = add_months(month_start(today), -1)
    return [add_months(last, -n) for n in range(months - 1, -1, -1)]


def _cumulative_season(months: list[datetime.date]) -> dict[datetime.date, Decimal]:
    """Σ of monthly seasonal factors (winter 1.3, summer 0.7) from EPOCH to the end of each month."""
    result, total, month = {}, 0.0, EPOCH
    while month <= months[-1]:
        total += 1 + 0.3 * math.cos(2 * math.pi * (month.month - 1) / 12)
        if month in months:
            result[month] = Decimal(f"{total:.6f}")
        month = add_months(month, 1)
    return result


def household_register(index: int, zone_number: int, zone_set: str, season: Decimal) -> Decimal:
    """The register of zone `zone_number` after `season` months' worth of use: base + rate × season."""
    base = Decimal(1_000 + index * 7_919 % 40_000)
    rate = Decimal(120 + index * 104_729 % 280)
    return ((base + rate * season) * ZONE_SHARES[zone_set][zone_number]).quantize(Decimal("0.01"))


def organisation_register(index: int, zone_number: int, zone_set: str, ratio: Decimal, season: Decimal) -> Decimal:
    kwh = Decimal(1_500 + index * 7_919 % 6_000) if ratio == 1 else Decimal(3_000 + index * 104_729 % 22_000)
    base = Decimal(2_000 + index * 31 % 50_000)
    return ((base + kwh / ratio * season) * ZONE_SHARES[zone_set][zone_number]).quantize(Decimal("0.01"))


# --- Reference rows -------------------------------------------------------------


def _reference_create(months: list[datetime.date], today: datetime.date) -> tuple[dict, Branch]:
    groups = {}
    for code, fields in GROUPS.items():
        groups[code], _ = CustomerGroup.objects.get_or_create(code=code, defaults=fields)
        _tariff_history_create(group=groups[code], base=TARIFF_BASE[code], first=add_months(months[0], -1), last=today)
    branch, _ = Branch.objects.get_or_create(
        name=SCALE_BRANCH, defaults={"address": f"{CITY}, ул. Тестовая, д. 1", "phone": "8 800 000-00-99"}
    )
    return groups, branch


# --- Households -----------------------------------------------------------------


def _person(index: int, group: CustomerGroup) -> Customer:
    female = index % 2 == 0
    surname = SURNAMES[index % len(SURNAMES)]
    names = FEMALE_NAMES if female else MALE_NAMES
    return Customer(
        kind=CustomerKind.PERSON,
        group=group,
        last_name=surname + "а" if female else surname,
        first_name=names[index // len(SURNAMES) % len(names)],
        middle_name=PATRONYMICS[index // 7 % len(PATRONYMICS)][1 if female else 0],
    )


def _households_add(accounts: int, group: CustomerGroup, branch: Branch) -> int:
    existing = set(PersonalAccount.objects.filter(customer__group=group).values_list("number", flat=True))
    wanted = [index for index in range(1, accounts + 1) if account_number(index) not in existing]
    for start in range(0, len(wanted), BLOCK):
        block = wanted[start : start + BLOCK]
        customers = Customer.objects.bulk_create([_person(index, group) for index in block], batch_size=BATCH)
        rows = []
        for index, customer in zip(block, customers, strict=True):
            postcode, street = URBAN_STREETS[index % len(URBAN_STREETS)]
            rooms = 1 + index % 4
            rows.append(
                PersonalAccount(
                    number=account_number(index),
                    customer_id=customer.pk,
                    branch=branch,
                    address=f"{postcode}, {CITY}, {street}, д. {index // 300 % 97 + 1}, кв. {index % 300 + 1}",
                    total_area=Decimal(28 + rooms * 16 + index % 9),
                    living_area=Decimal(16 + rooms * 11),
                    rooms=rooms,
                    residents=1 + index % 5,
                    registered=1 + index % 5,
                    cooker=CookerType.ELECTRIC if index % 3 == 0 else CookerType.GAS,
                )
            )
        PersonalAccount.objects.bulk_create(rows, batch_size=BATCH)
        Meter.objects.bulk_create(
            [
                Meter(
                    serial=household_serial(index),
                    model="Меркурий 201.8" if ZONE_SETS[index % 6] == ZoneSet.SINGLE else "Энергомера CE102M R5",
                    account_id=account.pk,
                    zone_set=ZONE_SETS[index % len(ZONE_SETS)],
                    quantities=[Quantity.ACTIVE_IN],
                    digits_integer=6,
                    digits_fraction=2,
                    installed_on=datetime.date(2015 + index % 8, 1 + index % 12, 1 + index % 28),
                    verification_due_on=datetime.date(2031 + index % 8, 1 + index % 12, 1 + index % 28),
                    place="Лестничная площадка",
                )
                for index, account in zip(block, rows, strict=True)
            ],
            batch_size=BATCH,
        )
    return len(wanted)


# --- Organisations --------------------------------------------------------------


def _organisations_add(contracts: int, group: CustomerGroup, branch: Branch) -> int:
    existing = set(Contract.objects.filter(customer__group=group).values_list("number", flat=True))
    wanted = [index for index in range(1, contracts + 1) if contract_number(index) not in existing]
    for start in range(0, len(wanted), BLOCK):
        block = wanted[start : start + BLOCK]
        customers = Customer.objects.bulk_create(
            [
                Customer(
                    kind=CustomerKind.ORGANISATION,
                    group=group,
                    full_name=f"Общество с ограниченной ответственностью «Предприятие № {index}»",
                    short_name=f"ООО «Предприятие № {index}»",
                    inn=inn_with_check(f"98{index:07d}"),
                    kpp="980001001",
                    legal_address=f"{CITY}, ул. Промышленная, д. {index % 120 + 1}",
                )
                for index in block
            ],
            batch_size=BATCH,
        )
        contract_rows = Contract.objects.bulk_create(
            [
                Contract(
                    number=contract_number(index),
                    customer_id=customer.pk,
                    branch=branch,
                    signed_on=datetime.date(2015 + index % 10, 1 + index % 12, 1),
                    price_category=PriceCategory.values[index % 6],
                )
                for index, customer in zip(block, customers, strict=True)
            ],
            batch_size=BATCH,
        )
        objects = EnergyObject.objects.bulk_create(
            [
                EnergyObject(
                    contract_id=contract.pk,
                    code=f"{contract.number}{number:04d}",
                    name=("Производственный корпус", "Склад", "Административное здание")[number - 1],
                    address=f"{CITY}, ул. Промышленная, д. {index % 120 + 1}, корп. {number}",
                )
                for index, contract in zip(block, contract_rows, strict=True)
                for number in range(1, OBJECTS_PER_CONTRACT + 1)
            ],
            batch_size=BATCH,
        )
        points = MeteringPoint.objects.bulk_create(
            [
                MeteringPoint(
                    energy_object_id=energy_object.pk,
                    name=f"ТП-{int(energy_object.code[-8:-4]) % 90 + 1}, ввод {energy_object.code[-1]}",
                    transformation_ratio=_ratio(energy_object.code),
                    losses_percent=Decimal(int(energy_object.code[-6:]) % 4),
                )
                for energy_object in objects
            ],
            batch_size=BATCH,
        )
        Meter.objects.bulk_create(
            [
                Meter(
                    serial=organisation_serial(int(energy_object.code[2:14]), int(energy_object.code[-1])),
                    model="Меркурий 230 ART",
                    metering_point_id=point.pk,
                    zone_set=ZONE_SETS[int(energy_object.code[-6:]) % len(ZONE_SETS)],
                    quantities=[Quantity.ACTIVE_IN],
                    digits_integer=7,
                    digits_fraction=2,
                    installed_on=datetime.date(2019, 1, 1),
                    verification_due_on=datetime.date(2035, 1, 1),
                    place=point.name,
                )
                for energy_object, point in zip(objects, points, strict=True)
            ],
            batch_size=BATCH,
        )
    return len(wanted)


def _ratio(code: str) -> Decimal:
    return RATIOS[(int(code[2:14]) + int(code[-1])) % len(RATIOS)]


# --- Readings -------------------------------------------------------------------


def _readings_add(groups: dict, months: list[datetime.date]) -> int:
    """One reading per register and month, for meters that have none in that month yet."""
    season = _cumulative_season(months)
    population, organisations = groups[SCALE_POPULATION], groups[SCALE_ORGANISATIONS]
    households = list(Meter.objects.filter(account__customer__group=population).values_list("id", "serial", "zone_set"))
    organisation_meters = list(
        Meter.objects.filter(metering_point__energy_object__contract__customer__group=organisations).values_list(
            "id", "serial", "zone_set", "metering_point__transformation_ratio"
        )
    )
    added = 0
    for month in months:
        in_month = Reading.objects.filter(taken_on__gte=month, taken_on__lte=month_end(month))
        read = set(
            in_month.filter(meter__account__customer__group=population).values_list("meter_id", flat=True).distinct()
        )
        read |= set(
            in_month.filter(meter__metering_point__energy_object__contract__customer__group=organisations)
            .values_list("meter_id", flat=True)
            .distinct()
        )
        batch = []
        for meter_id, serial, zone_set in households:
            if meter_id in read:
                continue
            index = int(serial[2:])
            taken_on = day_of_month(month, 15 + index % 12)
            for number, zone in enumerate(ZONES_OF[ZoneSet(zone_set)]):
                value = household_register(index, number, zone_set, season[month])
                batch.append(Reading(meter_id=meter_id, zone=zone, value=value, taken_on=taken_on))
            if len(batch) >= BLOCK:
                added += _flush(batch)
        for meter_id, serial, zone_set, ratio in organisation_meters:
            if meter_id in read:
                continue
            index = int(serial[2:])
            for number, zone in enumerate(ZONES_OF[ZoneSet(zone_set)]):
                value = organisation_register(index, number, zone_set, ratio, season[month])
                batch.append(
                    Reading(
                        meter_id=meter_id,
                        zone=zone,
                        value=value,
                        taken_on=month_end(month),
                        source=ReadingSource.ASKUE,
                        kind=ReadingKind.DECLARED,
                    )
                )
            if len(batch) >= BLOCK:
                added += _flush(batch)
        added += _flush(batch)
    return added


def _flush(batch: list[Reading]) -> int:
    count = len(batch)
    Reading.objects.bulk_create(batch, batch_size=BATCH)
    batch.clear()
    return count


# --- The entry point ------------------------------------------------------------


def scale_data_create(
    *, accounts: int, contracts: int | None = None, months: int = 3, today: datetime.date | None = None
) -> dict:
    """Top up the scale data to `accounts` households and `contracts` contracts (default accounts / 100)
    with readings for the last `months` complete months; return what exists, what was added and the time."""
    if months < 2:
        raise ValueError("months: at least 2, so the latest month has a previous reading")
    started = time.perf_counter()
    today = today or timezone.localdate()
    contracts = accounts // 100 if contracts is None else contracts
    period_months = scale_months(today, months)
    with transaction.atomic():
        groups, branch = _reference_create(period_months, today)
        accounts_added = _households_add(accounts, groups[SCALE_POPULATION], branch)
        contracts_added = _organisations_add(contracts, groups[SCALE_ORGANISATIONS], branch)
        readings_added = _readings_add(groups, period_months)
    return {
        "accounts": PersonalAccount.objects.filter(customer__group=groups[SCALE_POPULATION]).count(),
        "contracts": Contract.objects.filter(customer__group=groups[SCALE_ORGANISATIONS]).count(),
        "accounts_added": accounts_added,
        "contracts_added": contracts_added,
        "readings_added": readings_added,
        "latest_period": period_months[-1],
        "seconds": round(time.perf_counter() - started, 1),
    }


def scale_latest_period() -> datetime.date | None:
    """The latest month the scale data has readings for: the period the billing benchmark runs."""
    latest = Reading.objects.filter(meter__account__customer__group__code=SCALE_POPULATION).aggregate(
        latest=Max("taken_on")
    )["latest"]
    return month_start(latest) if latest else None
