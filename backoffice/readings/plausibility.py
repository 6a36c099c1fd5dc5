"""Is a consumption believable? The plausibility check of SAP IS-U, on the register's own history.

SAP IS-U compares a meter reading result with the consumption expected from the installation's history and
holds it when it falls outside the tolerance. Here the expectation is a daily rate, so periods of different
lengths compare fairly:

- the recent rate: the register's advance over roughly the last three periods (`RECENT_DAYS`) before the
  previous reading;
- the seasonal rate: the advances of the same calendar month in past years (heating in January, air
  conditioning in July);

and the larger of the two is expected. A consumption above `FACTOR` times the expected one and by more than
`MIN_EXCESS_KWH` (so a flat that uses 20 kWh a month may use 60) is implausible: the customer may still send it,
with a reason that staff read. With no history to judge by (a new meter), nothing is implausible.

Estimated readings are our own guesses, not history: only actual readings (declared, control) are used.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings

from ..services.consumption import energy

FACTOR = Decimal(str(getattr(settings, "READINGS_PLAUSIBILITY_FACTOR", "2")))
MIN_EXCESS_KWH = Decimal(str(getattr(settings, "READINGS_PLAUSIBILITY_MIN_EXCESS_KWH", "100")))
RECENT_DAYS = 92
HISTORY_YEARS = 3


@dataclass(frozen=True)
class Point:
    taken_on: datetime.date
    value: Decimal


@dataclass(frozen=True)
class Span:
    start: datetime.date
    end: datetime.date
    advance: Decimal

    @property
    def days(self) -> int:
        return max((self.end - self.start).days, 1)


@dataclass(frozen=True)
class Verdict:
    consumption: Decimal  # kWh of the new reading
    expected: Decimal | None  # kWh the history expects over the same days; None without history

    @property
    def implausible(self) -> bool:
        if self.expected is None:
            return False
        return self.consumption > self.expected * FACTOR and self.consumption - self.expected > MIN_EXCESS_KWH


def advance_between(earlier: Decimal, later: Decimal, rollover: Decimal) -> Decimal:
    """How far the register moved; a lower later value passed the capacity and began again from zero."""
    advance = later - earlier
    return advance + rollover if advance < 0 else advance


def spans_of(points: Sequence[Point], rollover: Decimal) -> list[Span]:
    ordered = sorted(points, key=lambda point: point.taken_on)
    return [
        Span(earlier.taken_on, later.taken_on, advance_between(earlier.value, later.value, rollover))
        for earlier, later in zip(ordered, ordered[1:], strict=False)
        if later.taken_on > earlier.taken_on
    ]


def _rate(spans: list[Span]) -> Decimal | None:
    days = sum(span.days for span in spans)
    return sum((span.advance for span in spans), Decimal(0)) / days if days else None


def expected_daily_rate(points: Sequence[Point], rollover: Decimal, *, on: datetime.date) -> Decimal | None:
    """The register units a day the history expects around `on`; None when there is no history."""
    spans = spans_of(points, rollover)
    if not spans:
        return None
    last = spans[-1].end
    recent = _rate([span for span in spans if span.end > last - datetime.timedelta(days=RECENT_DAYS)])
    seasonal = _rate([span for span in spans if span.end.month == on.month and span.end.year < on.year])
    rates = [rate for rate in (recent, seasonal) if rate is not None]
    return max(rates) if rates else None


def plausibility_check(
    *,
    history: Sequence[Point],
    previous: Point,
    value: Decimal,
    taken_on: datetime.date,
    rollover: Decimal,
    ratio: Decimal = Decimal(1),
    losses_percent: Decimal = Decimal(0),
) -> Verdict:
    """Judge the advance from `previous` to `value` on `taken_on` against `history` (actual readings up to and
    including `previous`)."""
    advance = advance_between(previous.value, value, rollover)
    consumption = energy(advance, ratio=ratio, losses_percent=losses_percent)
    rate = expected_daily_rate(history, rollover, on=taken_on)
    if rate is None:
        return Verdict(consumption=consumption, expected=None)
    days = max((taken_on - previous.taken_on).days, 1)
    expected = energy(rate * days, ratio=ratio, losses_percent=losses_percent)
    return Verdict(consumption=consumption, expected=expected)
