"""The reads of «Показания» (F-C1…F-C3) and of the readings history (F-C4), through the access selectors.

Every meter comes from `selfservice.selectors` (`contracts_for`, `energy_objects_for`, `accounts_for`), so a
meter the user cannot reach does not exist here. The page of a contract with 200 meters costs the same number
of queries as one with a single meter: the energy objects, metering points and meters are prefetched, the
readings of all meters come in two queries (the period's and the latest one before it) and the interval acts
in one.

For the «История» screens of other sections (the household's «Показания» tab, «Все события»):
`reading_history_for` (the readings a user may see, each with its consumption) and `reading_events_for` (the
same grouped per date, as «Показания переданы 13 января 2020, учтены в счете январь 2020»).
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery
from django.shortcuts import get_object_or_404

from backoffice.models import EnergyObject, Meter, MeteringPoint, PersonalAccount, Reading
from backoffice.models.choices import Quantity, ReadingKind, ReadingSource, ReadingStatus, Zone
from backoffice.readings.window import WindowState, window_state
from backoffice.services.consumption import energy
from backoffice.services.periods import add_months, month_start, period_title
from backoffice.services.readings import ACTUAL_KINDS, meter_blocker, meter_registers, register_label
from workflows.models import IntervalAct

from .access import Capability
from .selectors import accounts_for, contract_get_for, contracts_for, energy_objects_for, readings_for

TRANSFER_WAITING, TRANSFER_SENT = "waiting", "sent"


@dataclass
class RegisterRow:
    quantity: str
    zone: str
    previous: Reading | None  # the latest accepted reading before the period («012 441,00 за январь 2023»)
    current: Reading | None  # the latest actual reading sent this period, shown in the input until it closes

    @property
    def label(self) -> str:
        return register_label(self.quantity, self.zone)

    @property
    def zone_label(self) -> str:
        return Zone(self.zone).label

    @property
    def quantity_label(self) -> str:
        return Quantity(self.quantity).label

    @property
    def previous_period(self) -> str:
        return period_title(month_start(self.previous.taken_on)) if self.previous else ""


@dataclass
class MeterRow:
    meter: Meter
    registers: list[RegisterRow]
    blocker: str | None
    window: WindowState
    act: IntervalAct | None = None

    @property
    def enterable(self) -> bool:
        return self.blocker is None and self.window.is_open

    @property
    def sent_on(self) -> datetime.date | None:
        """The date of this period's reading once every register has one, else None."""
        if not self.registers or any(register.current is None for register in self.registers):
            return None
        return max(register.current.taken_on for register in self.registers)

    @property
    def last_taken_on(self) -> datetime.date | None:
        dates = [register.previous.taken_on for register in self.registers if register.previous]
        return max(dates) if dates else None

    def consumption(self, values: dict | None = None) -> Decimal | None:
        """«Расход» of А+ over the zones: from the period's opening value to `values` (what was typed) or to what
        was sent this period; None while a zone has no value."""
        total = Decimal(0)
        counted = False
        for register in self.registers:
            if register.quantity != Quantity.ACTIVE_IN:
                continue
            value = (values or {}).get((register.quantity, register.zone))
            if value is None and register.current is not None:
                value = register.current.value
            if value is None or register.previous is None:
                return None
            advance = value - register.previous.value
            if advance < 0 and register.previous.kind != ReadingKind.ESTIMATED:
                advance += self.meter.rollover
            total += energy(advance, ratio=self.meter.ratio, losses_percent=self.meter.losses_percent)
            counted = True
        return total if counted else None

    @property
    def interval_consumption(self) -> Decimal | None:
        return self.act.consumption if self.act else None

    def delta(self, values: dict | None = None) -> Decimal | None:
        """«Дельта» = integral − interval consumption (seed 001 §5.3); zero is the best result."""
        integral = self.consumption(values)
        if integral is None or self.act is None:
            return None
        return integral - self.act.consumption


@dataclass
class PointRow:
    point: MeteringPoint
    meters: list[MeterRow]


@dataclass
class SiteRow:
    energy_object: EnergyObject
    points: list[PointRow] = field(default_factory=list)

    @property
    def meters(self) -> list[MeterRow]:
        return [meter for point in self.points for meter in point.meters]

    @property
    def all_sent(self) -> bool:
        """The tick of seed 001 §5.2: every meter that takes readings has them for the period."""
        taking = [row for row in self.meters if row.blocker is None]
        return bool(taking) and all(row.sent_on for row in taking)


def _register_rows(meters: list[Meter], period: datetime.date) -> dict[int, list[RegisterRow]]:
    """Two queries for all the meters: the latest reading before the period and the period's actual ones."""
    ids = [meter.pk for meter in meters]
    latest_before = (
        Reading.objects.filter(
            meter=OuterRef("meter"),
            quantity=OuterRef("quantity"),
            zone=OuterRef("zone"),
            status=ReadingStatus.ACCEPTED,
            taken_on__lt=period,
        )
        .order_by("-taken_on")
        .values("taken_on")[:1]
    )
    previous: dict[tuple, Reading] = {}
    rows = Reading.objects.filter(
        meter_id__in=ids, status=ReadingStatus.ACCEPTED, taken_on__lt=period, taken_on=Subquery(latest_before)
    ).order_by("taken_on", "pk")
    for reading in rows:
        key = (reading.meter_id, reading.quantity, reading.zone)
        kept = previous.get(key)
        if kept is None or kept.kind == ReadingKind.ESTIMATED or reading.kind in ACTUAL_KINDS:
            previous[key] = reading  # an actual reading wins over our estimate of the same day
    current: dict[tuple, Reading] = {}
    sent = Reading.objects.filter(
        meter_id__in=ids, status=ReadingStatus.ACCEPTED, kind__in=ACTUAL_KINDS, taken_on__gte=period
    ).order_by("taken_on", "pk")
    for reading in sent:
        current[(reading.meter_id, reading.quantity, reading.zone)] = reading
    return {
        meter.pk: [
            RegisterRow(
                quantity=quantity,
                zone=zone,
                previous=previous.get((meter.pk, quantity, zone)),
                current=current.get((meter.pk, quantity, zone)),
            )
            for quantity, zone in meter_registers(meter)
        ]
        for meter in meters
    }


def _acts(meters: list[Meter], period: datetime.date) -> dict[int, IntervalAct]:
    """The latest waiting or accepted «Первичный акт» of each meter for the period."""
    acts = IntervalAct.objects.filter(
        meter_id__in=[meter.pk for meter in meters],
        period=period,
        state__in=[IntervalAct.State.WAITING, IntervalAct.State.ACCEPTED],
    ).order_by("created_at", "pk")
    return {act.meter_id: act for act in acts}


def meter_rows(meters: list[Meter], *, state: WindowState, with_acts: bool = False) -> list[MeterRow]:
    period = (state.current or state.upcoming).period
    registers = _register_rows(meters, period)
    acts = _acts(meters, period) if with_acts else {}
    return [
        MeterRow(
            meter=meter,
            registers=registers[meter.pk],
            blocker=meter_blocker(meter),
            window=state,
            act=acts.get(meter.pk),
        )
        for meter in meters
    ]


@dataclass
class ContractReadings:
    """What «Показания» shows of one contract: its energy objects with metering points and meters."""

    contract: object
    state: WindowState
    sites: list[SiteRow]
    energy_objects: list[EnergyObject]  # every one the role reaches, for the «Энергообъект» filter
    interval: bool  # price categories III–VI send hourly profiles too

    @property
    def meters(self) -> list[MeterRow]:
        return [row for site in self.sites for row in site.meters]


def readings_contracts_for(*, user) -> QuerySet:
    """The contracts on which the user may send readings, by number («по номеру договора по возрастанию»)."""
    return contracts_for(user=user, capability=Capability.READINGS).select_related("customer__group").order_by("number")


def contract_readings_for(
    *,
    user,
    number: str,
    energy_object: str = "",
    transfer: str = "",
    today: datetime.date,
) -> ContractReadings:
    """One contract's page: 404 unless the role may send its readings; the role's energy-object limit applies."""
    contract = get_object_or_404(readings_contracts_for(user=user), number=number)
    state = window_state(group=contract.customer.group, today=today)
    objects = list(
        energy_objects_for(user=user, capability=Capability.READINGS, contract=contract)
        .select_related("contract__customer__group")
        .prefetch_related(
            Prefetch(
                "metering_points",
                queryset=MeteringPoint.objects.order_by("name", "pk").prefetch_related(
                    Prefetch("meters", queryset=Meter.objects.order_by("serial"))
                ),
            )
        )
        .order_by("code")
    )
    chosen = [site for site in objects if not energy_object or site.code == energy_object]
    meters = []
    for site in chosen:
        for point in site.metering_points.all():
            point.energy_object = site  # the prefetched objects already know their contract
            for meter in point.meters.all():
                meter.metering_point = point
                meters.append(meter)
    rows = {row.meter.pk: row for row in meter_rows(meters, state=state, with_acts=contract.price_category >= 3)}
    sites = []
    for site in chosen:
        site_row = SiteRow(energy_object=site)
        for point in site.metering_points.all():
            point_rows = [rows[meter.pk] for meter in point.meters.all()]
            if transfer == TRANSFER_SENT:
                point_rows = [row for row in point_rows if row.sent_on]
            elif transfer == TRANSFER_WAITING:
                point_rows = [row for row in point_rows if not row.sent_on and row.blocker is None]
            if point_rows:
                site_row.points.append(PointRow(point=point, meters=point_rows))
        if site_row.points or not transfer:
            sites.append(site_row)
    return ContractReadings(
        contract=contract, state=state, sites=sites, energy_objects=objects, interval=contract.price_category >= 3
    )


@dataclass
class AccountReadings:
    """A household's block (seed 000 §3.4): the ЛС, its meters and the window."""

    account: PersonalAccount
    state: WindowState
    meters: list[MeterRow]


def account_readings_for(*, user, number: str, today: datetime.date) -> AccountReadings:
    account = get_object_or_404(accounts_for(user=user).select_related("customer__group"), number=number)
    state = window_state(group=account.customer.group, today=today)
    meters = list(Meter.objects.filter(account=account).order_by("serial"))
    for meter in meters:
        meter.account = account
    return AccountReadings(account=account, state=state, meters=meter_rows(meters, state=state))


def account_needs_readings(*, account: PersonalAccount, today: datetime.date) -> bool:
    """«Необходимо заявить показания» (seed 000 §3.4.3): the window is open and a meter of the ЛС that takes
    readings has none for the period yet."""
    state = window_state(group=account.customer.group, today=today)
    if not state.is_open:
        return False
    meters = list(Meter.objects.filter(account=account))
    for meter in meters:
        meter.account = account
    rows = [row for row in meter_rows(meters, state=state) if row.blocker is None]
    return any(row.sent_on is None for row in rows)


def reachable_meters(*, user, capability: Capability = Capability.READINGS) -> QuerySet[Meter]:
    """Meters the user may send readings for (ЛС and the role's energy objects), with what the rules read."""
    from .selectors import meters_for

    return meters_for(user=user, capability=capability).select_related(
        "account__customer__group", "metering_point__energy_object__contract__customer__group"
    )


def interval_acts_for(*, user, meter_id: int | None = None, contract=None) -> QuerySet[IntervalAct]:
    """«Первичный акт» of the meters the user may send readings for, newest first."""
    acts = IntervalAct.objects.filter(meter__in=reachable_meters(user=user).values("pk")).select_related(
        "meter__metering_point__energy_object"
    )
    if meter_id is not None:
        acts = acts.filter(meter_id=meter_id)
    if contract is not None:
        acts = acts.filter(meter__metering_point__energy_object__contract=contract)
    return acts.order_by("-created_at", "-pk")


# --- History (F-C4) ------------------------------------------------------------------------------------------


def reading_history_for(
    *,
    user,
    account: PersonalAccount | None = None,
    contract=None,
    energy_object: EnergyObject | None = None,
    meter: Meter | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    kind: str = "",
    source: str = "",
    zone: str = "",
) -> QuerySet[Reading]:
    """Readings the user may see (`readings_for`), newest first, each with `previous_value` and `previous_kind`
    (the register's reading before it) so `reading_consumption` gives its «Расход» without a query per row."""
    readings = readings_for(user=user).filter(status=ReadingStatus.ACCEPTED)
    if account is not None:
        readings = readings.filter(meter__account=account)
    if contract is not None:
        readings = readings.filter(meter__metering_point__energy_object__contract=contract)
    if energy_object is not None:
        readings = readings.filter(meter__metering_point__energy_object=energy_object)
    if meter is not None:
        readings = readings.filter(meter=meter)
    if date_from:
        readings = readings.filter(taken_on__gte=date_from)
    if date_to:
        readings = readings.filter(taken_on__lte=date_to)
    if kind:
        readings = readings.filter(kind=kind)
    if source:
        readings = readings.filter(source=source)
    if zone:
        readings = readings.filter(zone=zone)
    before = Reading.objects.filter(
        meter=OuterRef("meter"),
        quantity=OuterRef("quantity"),
        zone=OuterRef("zone"),
        status=ReadingStatus.ACCEPTED,
        taken_on__lt=OuterRef("taken_on"),
    ).order_by("-taken_on", "-pk")
    return (
        readings.annotate(
            previous_value=Subquery(before.values("value")[:1]), previous_kind=Subquery(before.values("kind")[:1])
        )
        .select_related("meter__account", "meter__metering_point__energy_object__contract")
        .order_by("meter__metering_point__energy_object__code", "meter__serial", "-taken_on", "quantity", "zone", "-pk")
    )


def reading_consumption(reading: Reading) -> Decimal | None:
    """«Расход» of a reading from `reading_history_for`: kWh since the register's previous reading."""
    previous = getattr(reading, "previous_value", None)
    if previous is None:
        return None
    meter = reading.meter
    advance = reading.value - previous
    if advance < 0 and getattr(reading, "previous_kind", "") != ReadingKind.ESTIMATED:
        advance += meter.rollover
    return energy(advance, ratio=meter.ratio, losses_percent=meter.losses_percent)


@dataclass
class ReadingEvent:
    """One date's readings of one meter, for «Все события» (seed 004): «Показания переданы 13 января 2020»."""

    meter: Meter
    taken_on: datetime.date
    registered_on: datetime.date
    kind: str
    source: str
    billed_period: datetime.date | None
    values: list[tuple[str, Decimal, Decimal | None]]  # (register label, value, consumption)

    @property
    def kind_label(self) -> str:
        return ReadingKind(self.kind).label

    @property
    def source_label(self) -> str:
        return ReadingSource(self.source).label

    @property
    def billed_title(self) -> str:
        """«учтены в счете январь 2020», or "" while no bill counted them."""
        return f"учтены в счете {period_title(self.billed_period)}" if self.billed_period else ""


def reading_events(readings) -> list[ReadingEvent]:
    """Readings of `reading_history_for` grouped per meter, date and kind, in their order."""
    events: dict[tuple, ReadingEvent] = {}
    for reading in readings:
        key = (reading.meter_id, reading.taken_on, reading.kind)
        event = events.get(key)
        if event is None:
            event = events[key] = ReadingEvent(
                meter=reading.meter,
                taken_on=reading.taken_on,
                registered_on=reading.created_at.date(),
                kind=reading.kind,
                source=reading.source,
                billed_period=reading.billed_period,
                values=[],
            )
        event.values.append(
            (register_label(reading.quantity, reading.zone), reading.value, reading_consumption(reading))
        )
    return list(events.values())


def reading_events_for(
    *, user, account: PersonalAccount | None = None, contract=None, date_from=None, date_to=None
) -> list[ReadingEvent]:
    """The readings of a ЛС or contract per date, newest first, for «Все события» and the «Показания» tabs."""
    readings = reading_history_for(user=user, account=account, contract=contract, date_from=date_from, date_to=date_to)
    return sorted(reading_events(readings), key=lambda event: event.taken_on, reverse=True)


def history_period_default(*, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The last twelve months, this one included."""
    return add_months(month_start(today), -11), today


def history_owner_for(*, user, contract_number: str = "", account_number: str = ""):
    """The contract (with the readings-history right) or the ЛС a history page is about; 404 for someone else's."""
    if contract_number:
        return contract_get_for(user=user, number=contract_number, capability=Capability.READINGS_HISTORY)
    if account_number:
        return get_object_or_404(accounts_for(user=user), number=account_number)
    return None
