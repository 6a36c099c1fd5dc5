"""From register readings to billable energy: consumption, rollovers, estimates and tariff splits.

Pure functions over plain values, so the arithmetic of F-D4 is tested without a database.
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from ..models.choices import Zone, ZoneSet

ONE_DAY = datetime.timedelta(days=1)
KOPECK = Decimal("0.01")
WATT_HOUR = Decimal("0.001")

# How a monthly norm is spread over the zones of a multi-zone meter when nothing else is known.
NORM_ZONE_SHARES = {
    ZoneSet.SINGLE: {Zone.ROUND_THE_CLOCK: Decimal("1")},
    ZoneSet.TWO: {Zone.DAY: Decimal("0.7"), Zone.NIGHT: Decimal("0.3")},
    ZoneSet.THREE: {Zone.PEAK: Decimal("0.2"), Zone.SEMI_PEAK: Decimal("0.5"), Zone.NIGHT: Decimal("0.3")},
}


class BillingError(Exception):
    """A rule of the billing cannot be applied; the message tells staff what to fix."""


@dataclass(frozen=True)
class RegisterValue:
    taken_on: datetime.date
    value: Decimal
    estimated: bool


@dataclass(frozen=True)
class TariffRate:
    rate: Decimal
    valid_from: datetime.date
    valid_to: datetime.date | None

    def covers(self, day: datetime.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


@dataclass(frozen=True)
class Portion:
    """A part of a consumption billed at one rate."""

    date_from: datetime.date
    date_to: datetime.date
    consumption: Decimal
    rate: Decimal

    @property
    def amount(self) -> Decimal:
        return money(self.consumption * self.rate)


def money(value: Decimal) -> Decimal:
    return value.quantize(KOPECK, rounding=ROUND_HALF_UP)


def period_end_value(values: Sequence[RegisterValue], start: datetime.date, end: datetime.date) -> RegisterValue | None:
    """The value a period ends on: the customer's latest actual reading in it, else our estimate."""
    in_period = [value for value in values if start <= value.taken_on <= end]
    actual = [value for value in in_period if not value.estimated]
    chosen = actual or in_period
    return max(chosen, key=lambda value: value.taken_on) if chosen else None


def latest_before(values: Sequence[RegisterValue], day: datetime.date) -> RegisterValue | None:
    """The value the previous period ended on: the latest before `day`, actual readings winning a tie."""
    earlier = [value for value in values if value.taken_on < day]
    if not earlier:
        return None
    last_day = max(value.taken_on for value in earlier)
    same_day = [value for value in earlier if value.taken_on == last_day]
    return next((value for value in same_day if not value.estimated), same_day[0])


def register_advance(previous: RegisterValue, current: RegisterValue, rollover: Decimal) -> Decimal:
    """How far the register moved. A lower actual reading means the register passed its capacity and
    started again from zero; a reading lower than our own estimate is a recalculation and stays negative."""
    advance = current.value - previous.value
    if advance < 0 and not previous.estimated:
        advance += rollover
    return advance


def energy(advance: Decimal, *, ratio: Decimal = Decimal(1), losses_percent: Decimal = Decimal(0)) -> Decimal:
    """kWh to bill: the register advance × the transformation ratio, plus the losses of the metering point."""
    return (advance * ratio * (1 + losses_percent / 100)).quantize(WATT_HOUR, rounding=ROUND_HALF_UP)


def estimate(history: Iterable[Decimal], *, norm: Decimal, zone_set: str, zone: str) -> Decimal:
    """Monthly kWh for a missing reading: the average of the last three billed periods, else the norm."""
    recent = list(history)[:3]
    if recent:
        return (sum(recent) / len(recent)).quantize(WATT_HOUR, rounding=ROUND_HALF_UP)
    share = NORM_ZONE_SHARES[ZoneSet(zone_set)][zone]
    return (norm * share).quantize(WATT_HOUR, rounding=ROUND_HALF_UP)


def split_by_tariff(
    consumption: Decimal,
    *,
    date_from: datetime.date,
    date_to: datetime.date,
    tariffs: Sequence[TariffRate],
    describe: str,
) -> list[Portion]:
    """Bill the consumption of the days (date_from, date_to] at the tariffs valid on those days,
    pro rata by days; the last portion takes the rounding remainder so the parts add up exactly."""
    first_day = date_from + ONE_DAY if date_to > date_from else date_to
    total_days = (date_to - first_day).days + 1
    runs = []  # (tariff, first day, last day) covering first_day..date_to without gaps
    day = first_day
    for tariff in sorted(tariffs, key=lambda t: t.valid_from):
        if not tariff.covers(day):
            continue
        last = date_to if tariff.valid_to is None else min(tariff.valid_to, date_to)
        runs.append((tariff, day, last))
        day = last + ONE_DAY
        if day > date_to:
            break
    if day <= date_to:
        raise BillingError(f"Нет тарифа на {day:%d.%m.%Y}: {describe}. Добавьте тариф и запустите расчёт снова.")
    portions, billed = [], Decimal(0)
    for index, (tariff, start, end) in enumerate(runs):
        if index == len(runs) - 1:
            part = consumption - billed
        else:
            days = (end - start).days + 1
            part = (consumption * days / total_days).quantize(WATT_HOUR, rounding=ROUND_HALF_UP)
        billed += part
        portions.append(Portion(start, end, part, tariff.rate))
    return portions


def penalty(
    debt: Decimal,
    *,
    due_date: datetime.date,
    period_start: datetime.date,
    period_end: datetime.date,
    grace_days: int,
    key_rate_percent: Decimal,
    denominator: int,
) -> tuple[Decimal, int]:
    """Пени for one overdue document within the period: debt × key rate / denominator per day,
    counted from the day after the due date plus the grace days. Returns (amount, days)."""
    first_day = max(period_start, due_date + datetime.timedelta(days=grace_days + 1))
    days = (period_end - first_day).days + 1
    if days <= 0 or debt <= 0:
        return Decimal(0), 0
    return money(debt * key_rate_percent / 100 / denominator * days), days
