"""Invented demo data of the system of record for `make run` (`seed_demo`).

Two branches of an invented city, Энергоград; three customer groups with two years of
tariffs; 60 households and 10 organisations with their meters; 24 months of readings;
then the real billing run for each month and the customers' payments after it, so every
document, penalty and balance on the demo is one the services themselves produced.

Everything is derived from fixed seeds, so a second run finds every row already there
and changes nothing. The demo months end with the last complete month before `today`;
once the demo exists its first month is kept, so a later run only adds the months that
have passed since. ЛС «100000001» (the first household) and contract «78010000002778»
(the first organisation) are kept stable for the demo logins.

No real people or companies: names are common Russian names put together at random;
ИНН, ОГРН and КПП carry the tax office code 99 of region 78, which no inspectorate has,
with correct check digits; phones are +7 900 000-xx-xx; e-mails use the .example domain.
"""

import datetime
import math
import random
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone

from .models import (
    Balance,
    BillingRun,
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
from .models.choices import (
    ZONES_OF,
    CookerType,
    CustomerKind,
    DocumentType,
    PaymentChannel,
    PriceCategory,
    Quantity,
    ReadingKind,
    ReadingSource,
    Zone,
    ZoneSet,
)
from .services.billing import billing_run
from .services.payments import payment_register
from .services.periods import add_months, day_of_month, month_end, month_start, period_title

DEMO_MONTHS = 24
DEMO_ACCOUNT = "100000001"  # the household login's ЛС (linked in a later issue)
DEMO_CONTRACT = "78010000002778"  # the company login's contract, the number of seed 001
HOUSEHOLDS = 60
CITY = "г. Энергоград"

POPULATION, RURAL, OTHER = "population", "population-rural", "other-consumers"
GROUPS = {
    POPULATION: {
        "name": "Население",
        "customer_kind": CustomerKind.PERSON,
        "window_start_day": 15,
        "window_end_day": 26,
        "payment_due_day": 10,
        "norm_kwh_per_month": Decimal("75"),
        "norm_per_resident": True,
        "penalty_grace_days": 30,
        "penalty_rate_denominator": 300,
    },
    RURAL: {
        "name": "Население, проживающее в сельской местности",
        "customer_kind": CustomerKind.PERSON,
        "window_start_day": 15,
        "window_end_day": 26,
        "payment_due_day": 10,
        "norm_kwh_per_month": Decimal("95"),
        "norm_per_resident": True,
        "penalty_grace_days": 30,
        "penalty_rate_denominator": 300,
    },
    OTHER: {
        "name": "Прочие потребители",
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

# ₽/кВт·ч in the first half of 2024 (VAT included for organisations), indexed 4 % each half-year;
# the zones relate to the round-the-clock rate as in the regional tariff decisions.
TARIFF_BASE = {POPULATION: Decimal("5.20"), RURAL: Decimal("3.64"), OTHER: Decimal("8.90")}
ZONE_FACTORS = {
    "person": {
        Zone.ROUND_THE_CLOCK: Decimal("1"),
        Zone.DAY: Decimal("1.16"),
        Zone.NIGHT: Decimal("0.55"),
        Zone.PEAK: Decimal("1.31"),
        Zone.SEMI_PEAK: Decimal("1"),
    },
    "organisation": {
        Zone.ROUND_THE_CLOCK: Decimal("1"),
        Zone.DAY: Decimal("1.12"),
        Zone.NIGHT: Decimal("0.62"),
        Zone.PEAK: Decimal("1.35"),
        Zone.SEMI_PEAK: Decimal("1.02"),
    },
}
TARIFF_EPOCH = datetime.date(2024, 1, 1)
KOPECK = Decimal("0.01")

BRANCHES = (
    {
        "name": "Центральное отделение",
        "head": "Соколов Андрей Петрович",
        "phone": "8 800 000-00-10",
        "address": "190000, г. Энергоград, пр. Мира, д. 5",
        "email": "central@energosbyt.example",
    },
    {
        "name": "Заречное отделение",
        "head": "Маслова Ирина Геннадьевна",
        "phone": "8 800 000-00-20",
        "address": "190510, г. Энергоград, ул. Заречная, д. 18",
        "email": "zarechnoe@energosbyt.example",
    },
)
CURATORS = (
    ("Лебедева Ольга Ивановна", 0, "8 800 000-00-11", "o.lebedeva@energosbyt.example"),
    ("Гришин Артём Валерьевич", 0, "8 800 000-00-12", "a.grishin@energosbyt.example"),
    ("Никифорова Светлана Юрьевна", 1, "8 800 000-00-21", "s.nikiforova@energosbyt.example"),
)

# --- Invented people -------------------------------------------------------------

SURNAMES = (
    "Смирнов", "Попов", "Лебедев", "Козлов", "Новиков", "Морозов", "Волков", "Соловьёв", "Васильев",
    "Зайцев", "Павлов", "Семёнов", "Голубев", "Виноградов", "Богданов", "Воробьёв", "Фёдоров", "Михайлов",
    "Беляев", "Тарасов", "Белов", "Комаров", "Киселёв", "Макаров", "Андреев", "Ковалёв", "Ильин", "Гусев",
    "Титов", "Кузьмин", "Кудрявцев", "Баранов", "Куликов", "Алексеев", "Степанов", "Яковлев", "Сорокин",
    "Сергеев", "Романов", "Захаров", "Борисов", "Герасимов", "Пономарёв", "Григорьев", "Лазарев",
    "Медведев", "Ершов", "Никитин", "Соболев", "Рябов", "Поляков", "Цветков", "Данилов", "Жуков", "Фролов",
    "Журавлёв", "Николаев", "Крылов", "Максимов", "Сидоров", "Осипов", "Белоусов", "Федотов", "Дорофеев",
)  # fmt: skip
MALE_NAMES = (
    "Александр", "Дмитрий", "Сергей", "Андрей", "Алексей", "Михаил", "Иван", "Николай", "Владимир",
    "Евгений", "Павел", "Виктор", "Юрий", "Олег", "Игорь", "Константин", "Геннадий", "Анатолий", "Борис",
    "Василий", "Пётр", "Роман", "Артём", "Максим", "Григорий", "Степан",
)  # fmt: skip
FEMALE_NAMES = (
    "Елена", "Ольга", "Татьяна", "Наталья", "Ирина", "Светлана", "Марина", "Людмила", "Галина",
    "Екатерина", "Анна", "Юлия", "Валентина", "Нина", "Лариса", "Оксана", "Вера", "Тамара", "Любовь",
    "Зинаида", "Дарья", "Ксения", "Полина", "Алла",
)  # fmt: skip
PATRONYMICS = (
    ("Александрович", "Александровна"), ("Дмитриевич", "Дмитриевна"), ("Сергеевич", "Сергеевна"),
    ("Андреевич", "Андреевна"), ("Алексеевич", "Алексеевна"), ("Михайлович", "Михайловна"),
    ("Иванович", "Ивановна"), ("Николаевич", "Николаевна"), ("Владимирович", "Владимировна"),
    ("Евгеньевич", "Евгеньевна"), ("Павлович", "Павловна"), ("Викторович", "Викторовна"),
    ("Юрьевич", "Юрьевна"), ("Петрович", "Петровна"), ("Васильевич", "Васильевна"),
    ("Борисович", "Борисовна"), ("Анатольевич", "Анатольевна"), ("Геннадьевич", "Геннадьевна"),
    ("Игоревич", "Игоревна"), ("Олегович", "Олеговна"), ("Григорьевич", "Григорьевна"),
)  # fmt: skip
URBAN_STREETS = (
    ("190031", "ул. Садовая"), ("190031", "ул. Школьная"), ("190034", "пр. Мира"), ("190034", "ул. Парковая"),
    ("190036", "ул. Молодёжная"), ("190036", "бул. Энергетиков"), ("190041", "ул. Строителей"),
    ("190041", "ул. Гагарина"), ("190045", "ул. Солнечная"), ("190045", "ул. Набережная"),
)  # fmt: skip
ZARECHNOE_STREETS = (("190512", "ул. Заречная"), ("190512", "пер. Тихий"), ("190514", "ул. Мостовая"))
VILLAGES = (
    ("190531", "Энергоградский р-н, пос. Светлый", ("ул. Лесная", "ул. Центральная", "ул. Полевая")),
    ("190533", "Энергоградский р-н, с. Заречное", ("ул. Луговая", "ул. Речная")),
    ("190535", "Энергоградский р-н, д. Берёзовка", ("ул. Берёзовая", "пер. Садовый")),
)
LATIN = (
    "a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p", "r", "s", "t", "u",
    "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya",
)  # fmt: skip
TRANSLIT = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюя", LATIN, strict=True))
HOUSEHOLD_CHANNELS = (
    PaymentChannel.BANK,
    PaymentChannel.BANK,
    PaymentChannel.PORTAL,
    PaymentChannel.POST,
    PaymentChannel.CASHIER,
)

# Household meters: (model, zone set, digits before and after the comma, verification interval in years).
HOUSEHOLD_METERS = {
    ZoneSet.SINGLE: (("СОЭЭ 6706", 5, 1, 16), ("Меркурий 201.8", 6, 2, 16), ("Энергомера CE102", 6, 2, 16)),
    ZoneSet.TWO: (("Энергомера CE102M R5", 6, 2, 16), ("Меркурий 200.02", 6, 2, 16), ("Нева МТ 124", 6, 2, 16)),
    ZoneSet.THREE: (("Меркурий 206 PRN", 6, 2, 16), ("Энергомера CE208", 6, 2, 16)),
}
URBAN_PLACES = ("Лестничная площадка", "Этажный щит", "Прихожая квартиры")
RURAL_PLACES = ("Фасад дома", "Опора ВЛ-0,4 кВ", "Сарай", "Веранда")
ZONE_SHARES = {
    ZoneSet.SINGLE: ((Zone.ROUND_THE_CLOCK, 1.0),),
    ZoneSet.TWO: ((Zone.DAY, 0.7), (Zone.NIGHT, 0.3)),
    ZoneSet.THREE: ((Zone.PEAK, 0.23), (Zone.SEMI_PEAK, 0.49), (Zone.NIGHT, 0.28)),
}

# --- Identifiers with correct check digits ---------------------------------------


def _weighted(digits: str, weights) -> int:
    return sum(int(d) * w for d, w in zip(digits, weights, strict=False))


def inn_with_check(body: str) -> str:
    """ИНН from 9 digits (organisation) or 10 digits (person): the check digits appended."""
    if len(body) == 9:
        return body + str(_weighted(body, (2, 4, 10, 3, 5, 9, 4, 6, 8)) % 11 % 10)
    first = str(_weighted(body, (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)) % 11 % 10)
    second = str(_weighted(body + first, (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)) % 11 % 10)
    return body + first + second


def ogrn_with_check(body: str) -> str:
    """ОГРН from 12 digits, ОГРНИП from 14."""
    return body + str(int(body) % (11 if len(body) == 12 else 13) % 10)


def okpo_with_check(body: str) -> str:
    for shift in (0, 2):
        check = sum(int(d) * ((i + shift) % 10 + 1) for i, d in enumerate(body)) % 11
        if check < 10:
            return body + str(check)
    return body + "0"


def bank_account_with_key(bik: str, account: str, *, correspondent: bool = False) -> str:
    """A 20-digit account whose 9th digit is the control key for the bank's БИК (Bank of Russia rule)."""
    prefix = "0" + bik[4:6] if correspondent else bik[-3:]
    digits = prefix + account[:8] + "0" + account[9:]
    total = sum(int(d) * (7, 1, 3)[i % 3] % 10 for i, d in enumerate(digits))
    return account[:8] + str(total % 10 * 3 % 10) + account[9:]


# --- Months ------------------------------------------------------------------------


def demo_months(today: datetime.date) -> list[datetime.date]:
    """The billed months: the first month of an existing demo (or 24 months back) to the last complete month."""
    last = add_months(month_start(today), -1)
    first = add_months(last, -(DEMO_MONTHS - 1))
    opening = (
        Reading.objects.filter(meter__account__number=DEMO_ACCOUNT)
        .order_by("taken_on")
        .values_list("taken_on", flat=True)
        .first()
    )
    if opening is not None:
        first = min(first, add_months(month_start(opening), 1))
    months, month = [], first
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    return months


def _half_years(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    start = datetime.date(first.year, 1 if first.month < 7 else 7, 1)
    starts = []
    while start <= last:
        starts.append(start)
        start = add_months(start, 6)
    return starts


def tariff_rate(base: Decimal, factor: Decimal, valid_from: datetime.date) -> Decimal:
    half_years = (valid_from.year - TARIFF_EPOCH.year) * 2 + (valid_from.month >= 7)
    return (base * factor * Decimal("1.04") ** half_years).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def tariff_history_create(*, group: CustomerGroup, base: Decimal, first: datetime.date, last: datetime.date) -> int:
    """Half-yearly tariffs of every zone from `first` to `last` (the newest open-ended); returns rows added.

    A period that exists is left alone except that an open end is closed when its successor arrives,
    so a later run extends the history without overlaps.
    """
    factors = ZONE_FACTORS[group.customer_kind]
    starts = _half_years(first, last)
    existing = {(t.zone, t.valid_from): t for t in Tariff.objects.filter(group=group)}
    added = 0
    for zone, factor in factors.items():
        for index, valid_from in enumerate(starts):
            valid_to = starts[index + 1] - datetime.timedelta(days=1) if index + 1 < len(starts) else None
            tariff = existing.get((zone, valid_from))
            if tariff is None:
                tariff = Tariff(
                    group=group,
                    zone=zone,
                    rate=tariff_rate(base, factor, valid_from),
                    valid_from=valid_from,
                    valid_to=valid_to,
                )
                tariff.full_clean()
                tariff.save()
                added += 1
            elif tariff.valid_to is None and valid_to is not None:
                tariff.valid_to = valid_to
                tariff.save(update_fields=["valid_to"])
    return added


# --- Plans: what each meter reads and how each customer pays ----------------------


@dataclass
class MeterPlan:
    """A meter with the rules that give its register values month by month."""

    meter: Meter
    zones: tuple[str, ...]
    shares: tuple[float, ...]
    kwh_per_month: float  # in kWh, before the transformation ratio
    season: float  # winter peak as a share of the mean
    export_kwh: float = 0.0  # А− (solar roof, own generation)
    summer_low: bool = False  # a school
    ratio: float = 1.0
    missing: frozenset[int] = frozenset()  # month indexes without a reading
    read_day: tuple[int, int] = (18, 25)  # days of the month readings are taken on; 0 = the last day
    telemetered: bool = False  # АСКУЭ
    opening: dict[tuple[str, str], Decimal] = field(default_factory=dict)

    def consumption(self, month: datetime.date, rng: random.Random) -> float:
        angle = 2 * math.pi * (month.month - 1) / 12
        value = self.kwh_per_month * (1 + self.season * math.cos(angle)) * rng.uniform(0.9, 1.1)
        if self.summer_low and month.month in (6, 7, 8):
            value *= {6: 0.7, 7: 0.3, 8: 0.45}[month.month]
        return value / self.ratio

    def export(self, month: datetime.date, rng: random.Random) -> float:
        angle = 2 * math.pi * (month.month - 1) / 12
        return self.export_kwh * max(0.1, -math.cos(angle)) * rng.uniform(0.8, 1.2) / self.ratio


@dataclass
class Owner:
    """A household account or a contract with its payment habit."""

    seq: int
    account: PersonalAccount | None = None
    contract: Contract | None = None
    habit: str = "exact"  # exact, round10, round500, partial, stop2, stop3, late_stop3, advance, overpay, prepay_last
    days: tuple[int, int] = (2, 9)
    channel: str = PaymentChannel.BANK
    bank: str = ""

    @property
    def number(self) -> str:
        return self.account.number if self.account else self.contract.number


# --- Households ---------------------------------------------------------------------


def _translit(text: str) -> str:
    return "".join(TRANSLIT.get(ch, ch) for ch in text.lower())


def _household_specs() -> list[dict]:
    """Sixty invented households, the same every time."""
    rng = random.Random("energokabinet-demo-households")
    zone_sets = [ZoneSet.SINGLE] * 24 + [ZoneSet.TWO] * 23 + [ZoneSet.THREE] * 12
    rng.shuffle(zone_sets)
    zone_sets.insert(0, ZoneSet.TWO)
    surnames = rng.sample(SURNAMES, HOUSEHOLDS)
    missing_at = {5: 1, 12: 2, 18: 1, 27: 3, 36: 1, 44: 2, 53: 1}
    habits = {0: "round10", 7: "stop3", 23: "stop3", 15: "stop2", 41: "stop2", 33: "partial", 28: "prepay_last"}
    habits.update({4: "round500", 19: "round500", 52: "round500"})
    serials = set()
    specs = []
    for index in range(HOUSEHOLDS):
        r = random.Random(f"energokabinet-demo-household-{index}")
        female = index == 0 or r.random() < 0.55
        surname = surnames[index]
        if index == 0:
            last, first, middle = "Петрова", "Анна", "Сергеевна"
        else:
            last = surname + "а" if female else surname
            first = r.choice(FEMALE_NAMES if female else MALE_NAMES)
            middle = r.choice(PATRONYMICS)[1 if female else 0]
        rural = index >= 50
        if rural:
            postcode, settlement, streets = VILLAGES[index % len(VILLAGES)]
            address = f"{postcode}, {settlement}, {r.choice(streets)}, д. {r.randint(1, 60)}"
            branch, group = 1, RURAL
            rooms = r.randint(2, 5)
            total = Decimal(r.randint(450, 1300)) / 10
            places = RURAL_PLACES
        else:
            postcode, street = (URBAN_STREETS if index < 35 else ZARECHNOE_STREETS)[index % (10 if index < 35 else 3)]
            house, flat = r.randint(1, 48), r.randint(1, 220)
            if index == 0:
                postcode, street, house, flat = "190031", "ул. Садовая", 14, 27
            address = f"{postcode}, {CITY}, {street}, д. {house}, кв. {flat}"
            branch, group = (0 if index < 35 else 1), POPULATION
            rooms = r.choice((1, 1, 2, 2, 2, 3, 3, 4))
            total = Decimal(r.randint(280 + rooms * 120, 300 + rooms * 180)) / 10
            places = URBAN_PLACES
        residents = 2 if index == 0 else r.choice((1, 1, 2, 2, 2, 3, 3, 4, 5))
        zone_set = zone_sets[index]
        model, digits, fraction, interval = r.choice(HOUSEHOLD_METERS[zone_set])
        if index == 0:
            model, digits, fraction, interval = HOUSEHOLD_METERS[ZoneSet.TWO][0]
        if index == 9:  # a register about to pass its capacity: the billing must see the rollover
            zone_set, (model, digits, fraction, interval) = ZoneSet.SINGLE, HOUSEHOLD_METERS[ZoneSet.SINGLE][0]
        serial = ""
        while not serial or serial in serials:
            serial = f"{r.randint(10_000_000, 99_999_999)}"
        serials.add(serial)
        cooker = CookerType.ELECTRIC if index == 0 else r.choice((CookerType.GAS, CookerType.GAS, CookerType.ELECTRIC))
        if rural and r.random() < 0.3:
            cooker = CookerType.NONE
        missing = set()
        while len(missing) < missing_at.get(index, 0):
            missing.add(r.randint(2, DEMO_MONTHS - 4))
        specs.append(
            {
                "index": index,
                "number": f"{100_000_001 + index}",
                "last_name": last,
                "first_name": first,
                "middle_name": middle,
                "email": f"{_translit(first[0])}.{_translit(last)}{index + 1}@post.example" if r.random() < 0.6 else "",
                "phone": f"+7900000{index + 1:04d}" if index == 0 or r.random() < 0.5 else "",
                "address": address,
                "branch": branch,
                "group": group,
                "total_area": total,
                "living_area": (total * Decimal(r.uniform(0.55, 0.75))).quantize(Decimal("0.1")),
                "rooms": rooms,
                "residents": residents,
                "registered": max(1, residents - r.choice((0, 0, 0, 1))),
                "cooker": cooker,
                "has_written_contract": index == 0 or r.random() < 0.35,
                "opened_on": datetime.date(r.randint(2005, 2021), r.randint(1, 12), 1),
                "zone_set": zone_set,
                "model": model,
                "digits": digits,
                "fraction": fraction,
                "interval": interval,
                "serial": serial,
                "place": places[r.randrange(len(places))],
                "installed_on": datetime.date(r.randint(2012, 2023), r.randint(1, 12), r.randint(1, 28)),
                "kwh": 70 + 45 * residents + (110 if cooker == CookerType.ELECTRIC else 0) + (60 if rural else 0),
                "season": 0.4 if rural else 0.28,
                "missing": frozenset(missing),
                "habit": habits.get(index, "exact"),
                "days": (3, 8) if index == 0 else r.choice(((1, 9), (5, 14), (10, 20), (2, 6))),
                "channel": PaymentChannel.PORTAL if index == 0 else r.choice(HOUSEHOLD_CHANNELS),
            }
        )
    return specs


def _households_create(*, groups, branches, first_month: datetime.date, counts) -> tuple[list, list]:
    plans, owners = [], []
    existing_accounts = {a.number: a for a in PersonalAccount.objects.filter(number__in=_household_numbers())}
    specs = _household_specs()
    existing_meters = {m.serial: m for m in Meter.objects.filter(serial__in=[s["serial"] for s in specs])}
    last_month_end = month_end(add_months(first_month, DEMO_MONTHS - 1))
    for spec in specs:
        account = existing_accounts.get(spec["number"])
        if account is None:
            customer = Customer(
                kind=CustomerKind.PERSON,
                group=groups[spec["group"]],
                last_name=spec["last_name"],
                first_name=spec["first_name"],
                middle_name=spec["middle_name"],
                phone=spec["phone"],
                email=spec["email"],
            )
            customer.full_clean()
            customer.save()
            account = PersonalAccount(
                number=spec["number"],
                customer=customer,
                branch=branches[spec["branch"]],
                address=spec["address"],
                total_area=spec["total_area"],
                living_area=spec["living_area"],
                rooms=spec["rooms"],
                residents=spec["residents"],
                registered=spec["registered"],
                cooker=spec["cooker"],
                has_written_contract=spec["has_written_contract"],
                opened_on=spec["opened_on"],
            )
            account.full_clean()
            account.save()
            counts["added"] += 2
        meter = existing_meters.get(spec["serial"])
        if meter is None:
            installed = spec["installed_on"]
            if spec["index"] == 0:  # the demo household's meter is due for verification soon (F-C5)
                due = last_month_end + datetime.timedelta(days=50)
                installed = due.replace(year=due.year - spec["interval"], day=min(due.day, 28))
            due = installed.replace(year=installed.year + spec["interval"])
            meter = Meter(
                serial=spec["serial"],
                model=spec["model"],
                account=account,
                zone_set=spec["zone_set"],
                quantities=[Quantity.ACTIVE_IN],
                digits_integer=spec["digits"],
                digits_fraction=spec["fraction"],
                installed_on=installed,
                verified_on=installed,
                verification_interval_years=spec["interval"],
                verification_due_on=due,
                place=spec["place"],
                owner="Абонент",
                responsible_person=f"{spec['last_name']} {spec['first_name'][0]}. {spec['middle_name'][0]}.",
                accuracy_class="1,0",
                rated_current="5(60) А",
                voltage="230 В",
            )
            meter.full_clean()
            meter.save()
            counts["added"] += 1
        r = random.Random(f"energokabinet-demo-opening-{spec['serial']}")
        zones = ZONES_OF[ZoneSet(meter.zone_set)]
        shares = tuple(share for _zone, share in ZONE_SHARES[ZoneSet(meter.zone_set)])
        opening = {}
        for zone in zones:
            value = Decimal(r.randint(2_000, 30_000))
            if spec["index"] == 9:
                value = Decimal("99100")
            opening[(Quantity.ACTIVE_IN, zone)] = value
        plans.append(
            MeterPlan(
                meter=meter,
                zones=zones,
                shares=shares,
                kwh_per_month=spec["kwh"],
                season=spec["season"],
                missing=spec["missing"],
                read_day=(18, 24) if spec["index"] == 0 else (15, 26),
                opening=opening,
            )
        )
        channel = spec["channel"]
        owners.append(
            Owner(
                seq=spec["index"] + 1,
                account=account,
                habit=spec["habit"],
                days=spec["days"],
                channel=channel,
                bank={PaymentChannel.BANK: "ПАО «Демо-Банк»", PaymentChannel.POST: "Почта России"}.get(channel, ""),
            )
        )
    return plans, owners


def _household_numbers() -> list[str]:
    return [f"{100_000_001 + index}" for index in range(HOUSEHOLDS)]


# --- Organisations ------------------------------------------------------------------

# Each metering point: (name, ratio, losses %, kWh a month, meter model, zone set, А− kWh a month or 0).
ORGANISATIONS = (
    {
        "contract": DEMO_CONTRACT,
        "full_name": "Общество с ограниченной ответственностью «Северный хлебозавод»",
        "short_name": "ООО «Северный хлебозавод»",
        "address": "190020, г. Энергоград, ул. Заводская, д. 7",
        "domain": "hlebozavod.example",
        "category": PriceCategory.III,
        "branch": 0,
        "curator": 0,
        "signed_on": datetime.date(2018, 3, 15),
        "bank": ("ПАО «Демо-Банк»", "044000001"),
        "habit": "advance",
        "days": (12, 16),
        "responsible": "Смирнов О. В., главный энергетик",
        "extra_emails": (("company@demo.energokabinet.example", "Дополнительное соглашение № 3 от 01.02.2024"),),
        "objects": (
            ("Производственный корпус", "ул. Заводская, д. 7", (
                ("ТП-15, РУ-0,4 кВ, ввод 1", 40, "1.5", 32_000, "Меркурий 230 ART", ZoneSet.SINGLE, 0),
                ("ТП-15, РУ-0,4 кВ, ввод 2", 40, "1.5", 21_000, "Меркурий 230 ART", ZoneSet.SINGLE, 0),
            )),
            ("Склад готовой продукции", "ул. Заводская, д. 7, корп. 2", (
                ("ВРУ-0,4 кВ склада", 1, "0", 4_200, "Энергомера CE301", ZoneSet.SINGLE, 900),
            )),
            ("Фирменный магазин «Каравай»", "ул. Садовая, д. 3", (
                ("ВРУ магазина", 1, "0", 2_600, "Меркурий 230 ART", ZoneSet.TWO, 0),
            )),
        ),
    },
    {
        "contract": "78010000003105",
        "full_name": "Акционерное общество «Энергоградский молочный комбинат»",
        "short_name": "АО «Энергоградский молочный комбинат»",
        "address": "190022, г. Энергоград, ул. Промышленная, д. 21",
        "domain": "moloko-energograd.example",
        "category": PriceCategory.IV,
        "branch": 0,
        "curator": 1,
        "signed_on": datetime.date(2016, 12, 1),
        "bank": ("АО «Энергоградский промбанк»", "044099702"),
        "days": (12, 17),
        "responsible": "Гусев П. А., главный энергетик",
        "objects": (
            ("Главный производственный корпус", "ул. Промышленная, д. 21", (
                ("РП-10 кВ, яч. 2", 2000, "2.5", 140_000, "Меркурий 234 ARTM", ZoneSet.SINGLE, 0),
                ("РП-10 кВ, яч. 5", 2000, "2.5", 90_000, "Меркурий 234 ARTM", ZoneSet.SINGLE, 0),
            )),
            ("Холодильный склад", "ул. Промышленная, д. 21, корп. 4", (
                ("ТП-41, ввод 1", 60, "1", 38_000, "Меркурий 230 ART", ZoneSet.SINGLE, 0),
            )),
            ("Котельная", "ул. Промышленная, д. 21, корп. 6", (
                ("ТП-41, ввод 2", 40, "1", 12_000, "Меркурий 230 ART", ZoneSet.SINGLE, 0),
            )),
        ),
    },
    {
        "contract": "78010000004212",
        "full_name": "Муниципальное бюджетное общеобразовательное учреждение «Средняя общеобразовательная школа № 12»",
        "short_name": "МБОУ «СОШ № 12»",
        "address": "190512, г. Энергоград, ул. Школьная, д. 12",
        "domain": "school12-energograd.example",
        "category": PriceCategory.I,
        "branch": 1,
        "curator": 2,
        "signed_on": datetime.date(2019, 1, 1),
        "bank": ("АО «Энергоградский промбанк»", "044099702"),
        "days": (14, 18),
        "responsible": "Орехов В. Н., заместитель директора по АХЧ",
        "summer_low": True,
        "objects": (
            ("Здание школы", "ул. Школьная, д. 12", (
                ("ВРУ-0,4 кВ школы", 30, "0", 11_000, "Меркурий 230 ART", ZoneSet.SINGLE, 0),
            )),
            ("Спортивный зал", "ул. Школьная, д. 12, корп. 2", (
                ("ВРУ спортивного зала", 1, "0", 1_800, "Энергомера CE301", ZoneSet.SINGLE, 0),
            )),
        ),
        "missing": {0: (8,)},
    },
    {
        "contract": "78010000004530",
        "full_name": "Общество с ограниченной ответственностью «Автосервис «Мотор»",
        "short_name": "ООО «Автосервис «Мотор»",
        "address": "190512, г. Энергоград, ул. Заречная, д. 40",
        "domain": "motor-service.example",
        "category": PriceCategory.I,
        "branch": 1,
        "curator": 2,
        "signed_on": datetime.date(2021, 4, 20),
        "bank": ("ПАО «Демо-Банк»", "044000001"),
        "habit": "late_stop3",
        "days": (22, 28),
        "responsible": "Кравец Д. С., директор",
        "objects": (
            ("Автосервис", "ул. Заречная, д. 40", (
                ("ВРУ-0,4 кВ автосервиса", 1, "0", 3_800, "Энергомера CE301", ZoneSet.SINGLE, 0),
            )),
        ),
        "missing": {0: (13,)},
    },
    {
        "contract": "78010000005127",
        "full_name": "Государственное бюджетное учреждение здравоохранения «Городская поликлиника № 3»",
        "short_name": "ГБУЗ «Городская поликлиника № 3»",
        "address": "190034, г. Энергоград, пр. Мира, д. 31",
        "domain": "polyclinic3.example",
        "category": PriceCategory.II,
        "branch": 0,
        "curator": 0,
        "signed_on": datetime.date(2017, 1, 1),
        "bank": ("АО «Энергоградский промбанк»", "044099702"),
        "days": (10, 17),
        "responsible": "Тихонова Е. В., главный инженер",
        "objects": (
            ("Основное здание поликлиники", "пр. Мира, д. 31", (
                ("ТП-8, РУ-0,4 кВ", 40, "0.5", 16_500, "Меркурий 230 ART", ZoneSet.TWO, 0),
            )),
            ("Женская консультация", "ул. Парковая, д. 4", (
                ("ВРУ-0,4 кВ консультации", 1, "0", 3_100, "Энергомера CE301", ZoneSet.TWO, 0),
            )),
        ),
    },
    {
        "contract": "78010000005391",
        "full_name": "Индивидуальный предприниматель Кравцова Дарья Алексеевна",
        "short_name": "ИП Кравцова Д. А.",
        "address": "190036, г. Энергоград, ул. Молодёжная, д. 9, пом. 2-Н",
        "domain": "kravtsova-shop.example",
        "category": PriceCategory.I,
        "branch": 1,
        "curator": 2,
        "signed_on": datetime.date(2020, 8, 3),
        "bank": ("ПАО «Демо-Банк»", "044000001"),
        "days": (15, 24),
        "responsible": "Кравцова Д. А.",
        "entrepreneur": True,
        "objects": (
            ("Магазин «Продукты»", "ул. Молодёжная, д. 9, пом. 2-Н", (
                ("Щит учёта магазина", 1, "0", 2_100, "Меркурий 201.8", ZoneSet.SINGLE, 0),
            )),
        ),
    },
    {
        "contract": "78010000006044",
        "full_name": "Общество с ограниченной ответственностью «Гостиница «Приморская»",
        "short_name": "ООО «Гостиница «Приморская»",
        "address": "190045, г. Энергоград, ул. Набережная, д. 2",
        "domain": "hotel-primorskaya.example",
        "category": PriceCategory.V,
        "branch": 0,
        "curator": 1,
        "signed_on": datetime.date(2015, 6, 1),
        "bank": ("ПАО «Демо-Банк»", "044000001"),
        "habit": "overpay",
        "days": (8, 14),
        "responsible": "Зуев К. М., главный инженер",
        "objects": (
            ("Здание гостиницы", "ул. Набережная, д. 2", (
                ("ТП-22, РУ-0,4 кВ, ввод 1", 40, "1", 27_000, "Меркурий 234 ARTM", ZoneSet.SINGLE, 0),
            )),
            ("Ресторан «Причал»", "ул. Набережная, д. 2, лит. Б", (
                ("ТП-22, РУ-0,4 кВ, ввод 2", 20, "1", 9_000, "Меркурий 234 ARTM", ZoneSet.SINGLE, 0),
            )),
        ),
    },
    {
        "contract": "78010000006718",
        "full_name": "Акционерное общество «Завод металлоконструкций «Энергоградметалл»",
        "short_name": "АО «Энергоградметалл»",
        "address": "190022, г. Энергоград, ул. Промышленная, д. 3",
        "domain": "energogradmetall.example",
        "category": PriceCategory.VI,
        "branch": 0,
        "curator": 1,
        "signed_on": datetime.date(2014, 2, 1),
        "bank": ("АО «Энергоградский промбанк»", "044099702"),
        "days": (10, 16),
        "responsible": "Белов С. Г., главный энергетик",
        "objects": (
            ("Сварочный цех", "ул. Промышленная, д. 3, корп. 1", (
                ("ПС 110/10 кВ «Заводская», яч. 7", 4000, "3", 260_000, "ПСЧ-4ТМ.05МК", ZoneSet.SINGLE, 24_000),
            )),
            ("Механический цех", "ул. Промышленная, д. 3, корп. 2", (
                ("ПС 110/10 кВ «Заводская», яч. 9", 2000, "3", 150_000, "ПСЧ-4ТМ.05МК", ZoneSet.SINGLE, 0),
            )),
            ("Административный корпус", "ул. Промышленная, д. 3", (
                ("ТП-3, РУ-0,4 кВ", 40, "0", 14_000, "Меркурий 230 ART", ZoneSet.TWO, 0),
            )),
            ("Склад металлопроката", "ул. Промышленная, д. 3, корп. 5", (
                ("ВРУ-0,4 кВ склада", 1, "0", 3_000, "Энергомера CE301", ZoneSet.SINGLE, 0),
            )),
        ),
    },
    {
        "contract": "78010000007260",
        "full_name": "Товарищество собственников жилья «Рассвет»",
        "short_name": "ТСЖ «Рассвет»",
        "address": "190045, г. Энергоград, ул. Солнечная, д. 15",
        "domain": "tsj-rassvet.example",
        "category": PriceCategory.I,
        "branch": 1,
        "curator": 2,
        "signed_on": datetime.date(2018, 9, 1),
        "bank": ("ПАО «Демо-Банк»", "044000001"),
        "days": (5, 15),
        "responsible": "Волкова Т. И., председатель правления",
        "objects": (
            ("Места общего пользования", "ул. Солнечная, д. 15", (
                ("ВРУ-0,4 кВ жилого дома", 1, "0", 2_400, "Энергомера CE301", ZoneSet.TWO, 0),
            )),
        ),
    },
    {
        "contract": "78010000007935",
        "full_name": "Общество с ограниченной ответственностью «Торговый дом «Волна»",
        "short_name": "ООО «ТД «Волна»",
        "address": "190036, г. Энергоград, бул. Энергетиков, д. 11",
        "domain": "td-volna.example",
        "category": PriceCategory.II,
        "branch": 0,
        "curator": 0,
        "signed_on": datetime.date(2019, 10, 15),
        "bank": ("ПАО «Демо-Банк»", "044000001"),
        "days": (11, 17),
        "responsible": "Фомин А. Л., инженер-энергетик",
        "objects": (
            ("Торговый центр «Волна»", "бул. Энергетиков, д. 11", (
                ("ТП-30, РУ-0,4 кВ", 60, "1", 21_000, "Меркурий 234 ARTM", ZoneSet.THREE, 0),
            )),
            ("Склад", "бул. Энергетиков, д. 11, корп. 3", (
                ("ВРУ-0,4 кВ склада", 1, "0", 2_500, "Энергомера CE301", ZoneSet.THREE, 0),
            )),
        ),
    },
)  # fmt: skip
ORGANISATION_METER_DETAILS = {
    "Меркурий 230 ART": ("0,5S/1,0", "5(7,5) А", "3×230/400 В", 10),
    "Меркурий 234 ARTM": ("0,5S/1,0", "5(10) А", "3×57,7/100 В", 16),
    "ПСЧ-4ТМ.05МК": ("0,5S/1,0", "5(10) А", "3×57,7/100 В", 12),
    "Энергомера CE301": ("1,0", "5(100) А", "3×230/400 В", 16),
    "Меркурий 201.8": ("1,0", "5(80) А", "230 В", 16),
}


def _organisation_requisites(index: int, spec: dict) -> dict:
    r = random.Random(f"energokabinet-demo-organisation-{index}")
    bank_name, bik = spec["bank"]
    account = bank_account_with_key(bik, f"40702810{r.randint(0, 10**12 - 1):012d}")
    correspondent = bank_account_with_key(bik, f"30101810{r.randint(0, 10**9 - 1):09d}{bik[-3:]}", correspondent=True)
    year = f"{spec['signed_on'].year - r.randint(1, 12):04d}"[2:]
    if spec.get("entrepreneur"):
        inn = inn_with_check(f"7899{r.randint(0, 999_999):06d}")
        ogrn = ogrn_with_check(f"3{year}7899{r.randint(0, 9_999_999):07d}")
        kpp, okpo = "", okpo_with_check(f"{r.randint(100_000_000, 999_999_999)}")
        bank_account = bank_account_with_key(bik, f"40802810{r.randint(0, 10**12 - 1):012d}")
    else:
        inn = inn_with_check(f"7899{r.randint(0, 99_999):05d}")
        ogrn = ogrn_with_check(f"1{year}7899{r.randint(0, 99_999):05d}")
        kpp, okpo = "789901001", okpo_with_check(f"{r.randint(1_000_000, 9_999_999)}")
        bank_account = account
    return {
        "inn": inn,
        "kpp": kpp,
        "ogrn": ogrn,
        "okpo": okpo,
        "bank_name": bank_name,
        "bik": bik,
        "bank_account": bank_account,
        "correspondent_account": correspondent,
        "phone": f"+7900000{101 + index:04d}",
        "email": f"office@{spec['domain']}",
    }


def _organisations_create(*, groups, branches, curators, counts) -> tuple[list, list]:
    plans, owners = [], []
    group = groups[OTHER]
    existing_contracts = {
        c.number: c for c in Contract.objects.filter(number__in=[s["contract"] for s in ORGANISATIONS])
    }
    for index, spec in enumerate(ORGANISATIONS):
        requisites = _organisation_requisites(index, spec)
        contract = existing_contracts.get(spec["contract"])
        if contract is None:
            customer = Customer.objects.filter(inn=requisites["inn"], kpp=requisites["kpp"]).first()
            if customer is None:
                customer = Customer(
                    kind=CustomerKind.ORGANISATION,
                    group=group,
                    full_name=spec["full_name"],
                    short_name=spec["short_name"],
                    legal_address=spec["address"],
                    postal_address=spec["address"],
                    **requisites,
                )
                customer.full_clean()
                customer.save()
                counts["added"] += 1
            contract = Contract(
                number=spec["contract"],
                customer=customer,
                signed_on=spec["signed_on"],
                branch=branches[spec["branch"]],
                curator=curators[spec["curator"]],
                price_category=spec["category"],
            )
            contract.full_clean()
            contract.save()
            counts["added"] += 1
        emails = [
            (f"energy@{spec['domain']}", ContractEmail.Source.REQUISITES, ""),
            (f"buh@{spec['domain']}", ContractEmail.Source.REQUISITES, ""),
            *((email, ContractEmail.Source.SUPPLEMENT, agreement) for email, agreement in spec.get("extra_emails", ())),
        ]
        for email, source, agreement in emails:
            _, created = ContractEmail.objects.get_or_create(
                contract=contract, email=email, defaults={"source": source, "agreement": agreement}
            )
            counts["added"] += created
        meter_number = 0
        for object_number, (object_name, object_address, points) in enumerate(spec["objects"], start=1):
            energy_object, created = EnergyObject.objects.get_or_create(
                code=f"{contract.number}{object_number:04d}",
                defaults={"contract": contract, "name": object_name, "address": f"{CITY}, {object_address}"},
            )
            counts["added"] += created
            for point_name, ratio, losses, kwh, model, zone_set, export in points:
                point, created = MeteringPoint.objects.get_or_create(
                    energy_object=energy_object,
                    name=point_name,
                    defaults={"transformation_ratio": Decimal(ratio), "losses_percent": Decimal(losses)},
                )
                counts["added"] += created
                plan = _organisation_meter(
                    spec, index, meter_number, point, ratio, kwh, model, zone_set, export, counts
                )
                plans.append(plan)
                meter_number += 1
        owners.append(
            Owner(
                seq=101 + index,
                contract=contract,
                habit=spec.get("habit", "exact"),
                days=spec["days"],
                channel=PaymentChannel.BANK,
                bank=spec["bank"][0],
            )
        )
    return plans, owners


def _organisation_meter(spec, index, meter_number, point, ratio, kwh, model, zone_set, export, counts):
    r = random.Random(f"energokabinet-demo-org-meter-{index}-{meter_number}")
    serial = f"{r.randint(10_000_000, 99_999_999)}"
    if index == 0 and meter_number == 0:
        serial = "20300109"  # the meter of seed 001's readings page
    meter = Meter.objects.filter(serial=serial).first()
    accuracy, current, voltage, interval = ORGANISATION_METER_DETAILS[model]
    quantities = [Quantity.ACTIVE_IN, Quantity.ACTIVE_OUT] if export else [Quantity.ACTIVE_IN]
    if meter is None:
        installed = datetime.date(r.randint(2019, 2023), r.randint(1, 12), r.randint(1, 28))
        meter = Meter(
            serial=serial,
            model=model,
            metering_point=point,
            zone_set=zone_set,
            quantities=quantities,
            digits_integer=6,
            digits_fraction=2,
            installed_on=installed,
            verified_on=installed,
            verification_interval_years=interval,
            verification_due_on=installed.replace(year=installed.year + interval),
            place=point.name,
            owner="Абонент",
            responsible_person=spec["responsible"],
            accuracy_class=accuracy,
            rated_current=current,
            voltage=voltage,
        )
        meter.full_clean()
        meter.save()
        counts["added"] += 1
    zones = ZONES_OF[ZoneSet(meter.zone_set)]
    opening = {(q, zone): Decimal(r.randint(1_000, 60_000)) for q in quantities for zone in zones}
    plan = MeterPlan(
        meter=meter,
        zones=zones,
        shares=tuple(share for _zone, share in ZONE_SHARES[ZoneSet(meter.zone_set)]),
        kwh_per_month=kwh,
        season=0.45 if "Котельная" in point.energy_object.name else 0.12,
        export_kwh=export,
        summer_low=spec.get("summer_low", False),
        ratio=float(ratio),
        missing=frozenset(spec.get("missing", {}).get(meter_number, ())),
        read_day=(0, 0),
        telemetered=spec["category"] >= PriceCategory.III,
        opening=opening,
    )
    return plan


# --- Readings -------------------------------------------------------------------------


def _readings_for(plan: MeterPlan, months: list[datetime.date]) -> list[Reading]:
    """The meter's opening control reading (the month before the first) and one reading a month after it."""
    meter = plan.meter
    step = Decimal(1).scaleb(-meter.digits_fraction)
    rollover = meter.rollover
    values = dict(plan.opening)
    quantities = meter.measured
    readings = []
    opening_month = add_months(months[0], -1)
    for index, month in enumerate([opening_month, *months], start=-1):
        r = random.Random(f"energokabinet-demo-reading-{meter.serial}-{month:%Y%m}")
        if index >= 0:
            total = plan.consumption(month, r)
            exported = plan.export(month, r) if Quantity.ACTIVE_OUT in quantities else 0.0
            wobble = [share * r.uniform(0.94, 1.06) for share in plan.shares]
            for zone, share in zip(plan.zones, wobble, strict=True):
                part = total * share / sum(wobble)
                values[(Quantity.ACTIVE_IN, zone)] += Decimal(str(part))
                if exported:
                    values[(Quantity.ACTIVE_OUT, zone)] += Decimal(str(exported * share / sum(wobble)))
        if index in plan.missing:
            continue
        low, high = plan.read_day
        taken_on = month_end(month) if low == 0 else day_of_month(month, r.randint(low, high))
        if index == -1:
            kind, source = ReadingKind.CONTROL, ReadingSource.INSPECTOR
        elif plan.telemetered:
            kind, source = ReadingKind.DECLARED, ReadingSource.ASKUE
        else:
            roll = r.random()
            if roll < 0.08:
                kind, source = ReadingKind.CONTROL, ReadingSource.INSPECTOR
            elif roll < 0.13 and meter.account_id:
                kind, source = ReadingKind.DECLARED, ReadingSource.IMPORT
            else:
                kind, source = ReadingKind.DECLARED, ReadingSource.PORTAL
        for quantity in quantities:
            for zone in plan.zones:
                value = values[(quantity, zone)].quantize(step, rounding=ROUND_HALF_UP) % rollover
                readings.append(
                    Reading(
                        meter=meter,
                        zone=zone,
                        quantity=quantity,
                        value=value,
                        taken_on=taken_on,
                        kind=kind,
                        source=source,
                    )
                )
    return readings


def _readings_create(plans: list[MeterPlan], months: list[datetime.date]) -> int:
    meter_ids = [plan.meter.pk for plan in plans]
    existing = set(
        Reading.objects.filter(meter_id__in=meter_ids).values_list("meter_id", "zone", "quantity", "taken_on")
    )
    new = [
        reading
        for plan in plans
        for reading in _readings_for(plan, months)
        if (reading.meter_id, reading.zone, reading.quantity, reading.taken_on) not in existing
    ]
    Reading.objects.bulk_create(new, batch_size=2000)
    return len(new)


# --- Billing and payments -----------------------------------------------------------------


def _charged(period: datetime.date) -> dict[tuple, Decimal]:
    """What each owner was charged for `period` (originals only)."""
    rows = (
        Document.objects.filter(
            period=period, type__in=(DocumentType.RECEIPT, DocumentType.TAX_INVOICE), corrects__isnull=True
        )
        .values_list("account_id", "contract_id")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    return {(account_id, contract_id): total.quantize(KOPECK) for account_id, contract_id, total in rows}


def _round_up(amount: Decimal, step: int) -> Decimal:
    return (amount / step).to_integral_value(rounding=ROUND_CEILING) * step


def _advance(charge: Decimal) -> Decimal:
    """30 % of a month's charge, paid ahead of the next month's invoice."""
    return _round_up(charge * Decimal("0.3"), 1000)


def _payments_after(owners, period, months, today, existing_numbers) -> int:
    """What each customer pays in the month after `period`, by habit; returns payments made."""
    month = add_months(period, 1)
    from_end = len(months) - 1 - months.index(period)  # 0 for the last demo month
    # The amount follows the period's own charge, which is fixed once billed: deciding it from
    # what is open today would pay a month skipped by the first run on the second one.
    charged, charged_before = _charged(period), _charged(add_months(period, -1))
    made = 0
    for owner in owners:
        key = (owner.account.pk, None) if owner.account else (None, owner.contract.pk)
        r = random.Random(f"energokabinet-demo-payment-{owner.number}-{period:%Y%m}")
        debt = charged.get(key, Decimal(0))
        if owner.habit == "advance":  # the advance paid during the period covers part of it
            debt -= _advance(charged_before.get(key, Decimal(0)))
        amount = debt
        if owner.habit == "round10":
            amount = _round_up(debt, 10)
        elif owner.habit == "round500":
            amount = _round_up(debt, 500)
        elif owner.habit == "partial":  # 60 % now, the rest a month later
            amount = (debt * Decimal("0.6") + charged_before.get(key, Decimal(0)) * Decimal("0.4")).quantize(KOPECK)
        elif owner.habit in ("stop2", "stop3", "late_stop3") and from_end < int(owner.habit[-1]):
            amount = Decimal(0)
        elif owner.habit == "prepay_last" and from_end == 0:
            amount = debt + Decimal(3000)
        elif owner.habit == "overpay" and from_end in (0, 11):
            amount = debt + _round_up(charged.get(key, Decimal(0)), 10_000)
        payments = [(amount, r.randint(*owner.days), "")]
        if owner.habit == "advance":  # 30 % of this month's charge ahead of next month's invoice
            payments.append((_advance(charged.get(key, Decimal(0))), 20, "advance"))
        for k, (value, day, note) in enumerate(payments):
            number = f"{month:%y%m}{owner.seq:03d}{k}"
            paid_on = day_of_month(month, day)
            if value <= 0 or number in existing_numbers or paid_on > today:
                continue
            if owner.account:
                purpose = f"Оплата электроэнергии по ЛС {owner.number} за {period_title(period)}"
            elif note == "advance":
                purpose = f"Аванс по договору № {owner.number} за {period_title(month)}, в т. ч. НДС 20 %"
            else:
                purpose = f"Оплата по договору № {owner.number} за электроэнергию за {period_title(period)}"
                purpose += ", в т. ч. НДС 20 %"
            channel = owner.channel
            payment_register(
                amount=value,
                paid_on=paid_on,
                account=owner.account,
                contract=owner.contract,
                channel=channel,
                bank=owner.bank,
                number=number,
                purpose=purpose,
                provider_id=f"demo-{number}" if channel == PaymentChannel.PORTAL else None,
            )
            existing_numbers.add(number)
            made += 1
    return made


def _bill_and_pay(owners, months, today, counts) -> None:
    done = set(
        BillingRun.objects.filter(period__in=months, status=BillingRun.Status.DONE).values_list("period", flat=True)
    )
    accounts = [o.account.pk for o in owners if o.account]
    contracts = [o.contract.pk for o in owners if o.contract]
    existing_numbers = set(
        Payment.objects.filter(Q(account_id__in=accounts) | Q(contract_id__in=contracts)).values_list(
            "number", flat=True
        )
    )
    for period in months:
        if period not in done:
            billing_run(period=period)
            counts["billing_runs_made"] += 1
        counts["payments_made"] += _payments_after(owners, period, months, today, existing_numbers)


# --- The entry point -----------------------------------------------------------------------


def _groups_create(counts) -> dict[str, CustomerGroup]:
    groups = {}
    for code, fields in GROUPS.items():
        groups[code], created = CustomerGroup.objects.get_or_create(code=code, defaults=fields)
        counts["added"] += created
    return groups


def _branches_create(counts) -> tuple[list[Branch], list[Curator]]:
    branches = []
    for fields in BRANCHES:
        branch, created = Branch.objects.get_or_create(name=fields["name"], defaults=fields)
        branches.append(branch)
        counts["added"] += created
    curators = []
    for full_name, branch_index, phone, email in CURATORS:
        curator, created = Curator.objects.get_or_create(
            full_name=full_name, branch=branches[branch_index], defaults={"phone": phone, "email": email}
        )
        curators.append(curator)
        counts["added"] += created
    return branches, curators


@transaction.atomic
def demo_data_create(*, today: datetime.date | None = None) -> dict:
    """Create (or complete) the demo back-office data; return the number of demo rows of each kind.

    Idempotent: rows are found by their natural keys (numbers, codes, serials, dates), periods
    already billed are not billed again, and payments are recognised by their numbers.
    """
    today = today or timezone.localdate()
    counts = defaultdict(int)
    months = demo_months(today)
    groups = _groups_create(counts)
    branches, curators = _branches_create(counts)
    for code, group in groups.items():
        counts["added"] += tariff_history_create(
            group=group, base=TARIFF_BASE[code], first=add_months(months[0], -1), last=today
        )
    household_plans, household_owners = _households_create(
        groups=groups, branches=branches, first_month=months[0], counts=counts
    )
    organisation_plans, organisation_owners = _organisations_create(
        groups=groups, branches=branches, curators=curators, counts=counts
    )
    counts["added"] += _readings_create([*household_plans, *organisation_plans], months)
    _bill_and_pay([*household_owners, *organisation_owners], months, today, counts)
    return {**demo_counts(), **counts}


def demo_counts() -> dict[str, int]:
    """How many demo rows of each kind exist (the demo's customer groups and everything under them)."""
    codes = list(GROUPS)
    accounts = PersonalAccount.objects.filter(customer__group__code__in=codes)
    contracts = Contract.objects.filter(customer__group__code__in=codes)
    meters = Meter.objects.filter(
        Q(account__customer__group__code__in=codes)
        | Q(metering_point__energy_object__contract__customer__group__code__in=codes)
    )
    owned = Q(account__in=accounts) | Q(contract__in=contracts)
    return {
        "branches": Branch.objects.filter(name__in=[b["name"] for b in BRANCHES]).count(),
        "curators": Curator.objects.filter(branch__name__in=[b["name"] for b in BRANCHES]).count(),
        "customer_groups": CustomerGroup.objects.filter(code__in=codes).count(),
        "tariffs": Tariff.objects.filter(group__code__in=codes).count(),
        "households": accounts.count(),
        "organisations": Customer.objects.filter(group__code=OTHER).count(),
        "contracts": contracts.count(),
        "contract_emails": ContractEmail.objects.filter(contract__in=contracts).count(),
        "energy_objects": EnergyObject.objects.filter(contract__in=contracts).count(),
        "metering_points": MeteringPoint.objects.filter(energy_object__contract__in=contracts).count(),
        "meters": meters.count(),
        "readings": Reading.objects.filter(meter__in=meters).count(),
        "billing_runs": BillingRun.objects.filter(status=BillingRun.Status.DONE).count(),
        "documents": Document.objects.filter(owned).count(),
        "payments": Payment.objects.filter(owned).count(),
        "balances": Balance.objects.filter(owned).count(),
    }
