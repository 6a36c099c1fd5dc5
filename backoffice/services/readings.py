"""Customers' meter readings (F-C1, F-C2): every rule a reading must pass, and the one writer that stores them.

The portal's screen, the integral file, staff imports and `manage.py import_readings` all come here, so a value
refused on the screen is refused in a file. `readings_check` applies the rules to a batch of meters at once
(a fixed number of queries for 1 or 500 meters) and returns what «Рассчитать» shows; `readings_store` checks
again and writes the whole batch in one transaction — or nothing, with every problem listed.

The rules, in the words the customer reads:

- the meter must be «Ожидание» and its energy object in operation (seed 001 §5.2), the account or the contract
  open, and the group's submission window open (`backoffice.readings.window`);
- every zone and every measured quantity of a meter is required («Заполните поле»);
- a value uses «,» or «.», fits the meter's capacity (6,2) and is not negative (`backoffice.readings.values`);
- one reading per meter and date (seed 003: «Вы можете заносить показания счётчика только один раз в указанную
  дату!»); an estimate of ours on that date is replaced, not kept beside it;
- lower than the previous actual reading only as a confirmed rollover past the capacity;
- a consumption far above the register's own history asks for a reason (`backoffice.readings.plausibility`),
  stored in `Reading.reason` for staff, as is the note that the customer confirmed a rollover.

Meters whose values equal what was already sent this period are left alone: «Показания будут переданы только
по тем ПУ, по которым были введены новые значения» (seed 001 §5.2).
"""

import datetime
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from ..exchange.spreadsheets import cell_address
from ..models import EnergyObject, Meter, Reading
from ..models.choices import MeterStatus, Quantity, ReadingKind, ReadingSource, ReadingStatus, Zone
from ..readings.files import FileInvalid, FileIssue, read_sheet, trimmed
from ..readings.integral import REASON, ROLLOVER, TemplateRow, integral_group, integral_rows_read
from ..readings.plausibility import HISTORY_YEARS, Point, plausibility_check
from ..readings.values import ReadingValueError, parse_value, quantity_text, register_text
from ..readings.window import Window, WindowState, window_state
from .consumption import energy
from .periods import month_end

ONCE_PER_DATE = gettext_noop("Вы можете заносить показания счётчика только один раз в указанную дату!")
ROLLOVER_NOTE = gettext_noop("Счётчик перешёл через ноль: подтверждено при передаче показаний.")
ACTUAL_KINDS = (ReadingKind.DECLARED, ReadingKind.CONTROL)
METER_RELATIONS = (
    "account__customer__group",
    "metering_point__energy_object__contract__customer__group",
)


def register_label(quantity: str, zone: str) -> str:
    """«А+ Круглосуточная»."""
    return f"{Quantity(quantity).label} {Zone(zone).label}"


@dataclass
class Entry:
    """What was typed (or found in a file) for one meter: a raw value per (quantity, zone)."""

    meter: Meter
    values: dict[tuple[str, str], object]
    rollover: bool = False
    reason: str = ""
    taken_on: datetime.date | None = None


@dataclass
class Problem:
    """One refusal: for a register of a meter (`quantity` and `zone`), or for the meter as a whole (`field`)."""

    meter_id: int
    message: str
    quantity: str | None = None
    zone: str | None = None
    field: str = "value"  # «value», «reason», «taken_on» or «meter»
    code: str = ""  # «rollover» when a tick would let it through, «reason» when a reason would


class ReadingsInvalid(Exception):
    """The batch cannot be stored; `problems` lists every reason, nothing was written."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(problem.message for problem in problems))
        self.problems = problems


@dataclass
class Register:
    """One register of a checked meter: the new value and what it means."""

    quantity: str
    zone: str
    value: Decimal
    previous: Reading | None  # the latest accepted reading before the period: what «Расход» counts from
    consumption: Decimal | None  # kWh for the period so far, ratio and losses applied
    expected: Decimal | None = None  # kWh the history expected, when the consumption was implausible
    implausible: bool = False
    rolled_over: bool = False
    checked_consumption: Decimal | None = None  # kWh since the last actual reading, what plausibility judged

    @property
    def label(self) -> str:
        return register_label(self.quantity, self.zone)


@dataclass
class Checked:
    """A meter whose entry passed (or would pass, once the reason is given) every rule."""

    meter: Meter
    taken_on: datetime.date
    window: Window
    registers: list[Register] = field(default_factory=list)
    reason: str = ""
    unchanged: bool = False  # the same values as already sent this period: nothing to store

    @property
    def consumption(self) -> Decimal | None:
        """«Расход»: А+ over the zones for the period, None until the period has an opening value."""
        active = [register for register in self.registers if register.quantity == Quantity.ACTIVE_IN]
        if not active or any(register.consumption is None for register in active):
            return None
        return sum((register.consumption for register in active), Decimal(0))

    @property
    def implausible(self) -> list[Register]:
        return [register for register in self.registers if register.implausible]


# --- What the rules read -------------------------------------------------------------------------------------


def meter_owner(meter: Meter):
    """The ЛС or the contract a meter bills to."""
    if meter.account_id:
        return meter.account
    return meter.metering_point.energy_object.contract


def meter_group(meter: Meter):
    return meter_owner(meter).customer.group


def meter_registers(meter: Meter) -> list[tuple[str, str]]:
    """(quantity, zone) of every input the meter needs, А+ first, zones in the tariff's order."""
    return [(quantity, zone) for quantity in meter.measured for zone in meter.zones]


def meter_blocker(meter: Meter) -> str | None:
    """Why readings of this meter cannot be sent at all (its status, its energy object's, a closed account)."""
    if meter.status != MeterStatus.WAITING:
        return _("Прибор учёта в статусе «%(status)s»: передать показания нельзя.") % {
            "status": meter.get_status_display()
        }
    if meter.account_id:
        if meter.account.closed_on:
            return _("Лицевой счёт закрыт: передать показания нельзя.")
        return None
    energy_object = meter.metering_point.energy_object
    if energy_object.status != EnergyObject.Status.ACTIVE:
        return _("Энергообъект в статусе «%(status)s»: передать показания нельзя.") % {
            "status": energy_object.get_status_display()
        }
    if not energy_object.contract.is_active:
        return _("Договор не действует: передать показания нельзя.")
    return None


def meters_window_states(meters, *, today: datetime.date) -> dict[int, WindowState]:
    """The window state of each meter's customer group, computed once per group."""
    by_group: dict[int, WindowState] = {}
    states = {}
    for meter in meters:
        group = meter_group(meter)
        if group.pk not in by_group:
            by_group[group.pk] = window_state(group=group, today=today)
        states[meter.pk] = by_group[group.pk]
    return states


class History:
    """The accepted readings of a batch of meters, loaded in two queries, read per register."""

    def __init__(self, meter_ids, *, today: datetime.date):
        cutoff = today - datetime.timedelta(days=366 * (HISTORY_YEARS + 1))
        self.readings: dict[tuple, list[Reading]] = defaultdict(list)
        recent = Reading.objects.filter(meter_id__in=meter_ids, status=ReadingStatus.ACCEPTED, taken_on__gte=cutoff)
        seen_meters = set()
        for reading in recent.order_by("taken_on", "pk"):
            self.readings[(reading.meter_id, reading.quantity, reading.zone)].append(reading)
            seen_meters.add(reading.meter_id)
        older = [meter_id for meter_id in meter_ids if meter_id not in seen_meters]
        if older:  # a meter silent for years still has a last reading to compare with
            last = {}
            rows = Reading.objects.filter(meter_id__in=older, status=ReadingStatus.ACCEPTED).order_by(
                "-taken_on", "-pk"
            )
            for reading in rows.iterator(chunk_size=2000):
                last.setdefault((reading.meter_id, reading.quantity, reading.zone), reading)
            for key, reading in last.items():
                self.readings[key].append(reading)

    def of(self, meter_id: int, quantity: str, zone: str) -> list[Reading]:
        return self.readings.get((meter_id, quantity, zone), [])

    @staticmethod
    def latest(readings: list[Reading], *, before: datetime.date, actual_only: bool) -> Reading | None:
        earlier = [r for r in readings if r.taken_on < before and (not actual_only or r.kind in ACTUAL_KINDS)]
        if not earlier:
            return None
        last_day = max(reading.taken_on for reading in earlier)
        same_day = [reading for reading in earlier if reading.taken_on == last_day]
        return next((reading for reading in same_day if reading.kind in ACTUAL_KINDS), same_day[-1])


def period_consumption(meter: Meter, previous: Reading | None, value: Decimal) -> Decimal | None:
    """kWh from the period's opening reading to `value`, as the billing run counts it."""
    if previous is None:
        return None
    advance = value - previous.value
    if advance < 0 and previous.kind != ReadingKind.ESTIMATED:
        advance += meter.rollover
    return energy(advance, ratio=meter.ratio, losses_percent=meter.losses_percent)


# --- The rules -----------------------------------------------------------------------------------------------


def _loaded(meters) -> dict[int, Meter]:
    ids = [meter.pk for meter in meters]
    return Meter.objects.select_related(*METER_RELATIONS).in_bulk(ids)


def readings_check(
    *, entries: list[Entry], today: datetime.date | None = None, require_reason: bool = True
) -> list[Checked]:
    """Apply every rule to the batch; ReadingsInvalid with all the problems, else what each meter would store.

    `require_reason=False` is «Рассчитать»: an implausible consumption is shown with its expected size instead of
    refused, so the customer sees why the reason is asked.
    """
    today = today or timezone.localdate()
    problems: list[Problem] = []
    if not entries:
        raise ReadingsInvalid([Problem(0, _("Введите показания хотя бы одного прибора учёта."), field="meter")])
    meters = _loaded([entry.meter for entry in entries])
    history = History(list(meters), today=today)
    states = meters_window_states(meters.values(), today=today)
    checked = []
    for entry in entries:
        meter = meters[entry.meter.pk]
        result = _check_entry(entry, meter, states[meter.pk], history, today, problems, require_reason)
        if result is not None:
            checked.append(result)
    if problems:
        raise ReadingsInvalid(problems)
    return checked


def _check_entry(entry, meter, state, history, today, problems, require_reason) -> Checked | None:
    def refuse(message, *, quantity=None, zone=None, where="value", code=""):
        problems.append(Problem(meter.pk, message, quantity=quantity, zone=zone, field=where, code=code))

    blocker = meter_blocker(meter)
    if blocker:
        refuse(blocker, where="meter")
        return None
    if not state.is_open:
        refuse(state.message, where="meter")
        return None
    window = state.current
    taken_on = entry.taken_on or window.reading_date(today)
    if taken_on > today:
        refuse(_("Дата снятия показаний не может быть позже сегодняшней."), where="taken_on")
        return None
    if not window.period <= taken_on <= month_end(window.period):
        refuse(
            _("Дата снятия показаний — в пределах периода: с %(start)s по %(end)s.")
            % {"start": window.period.strftime("%d.%m.%Y"), "end": month_end(window.period).strftime("%d.%m.%Y")},
            where="taken_on",
        )
        return None
    result = Checked(meter=meter, taken_on=taken_on, window=window, reason=(entry.reason or "").strip())
    same_day, same_values, rollover_used = [], [], False
    failed = False
    for quantity, zone in meter_registers(meter):
        raw = entry.values.get((quantity, zone))
        try:
            value = parse_value(raw, meter)
        except ReadingValueError as error:
            refuse(str(error), quantity=quantity, zone=zone)
            failed = True
            continue
        readings = history.of(meter.pk, quantity, zone)
        this_period = [r for r in readings if r.kind in ACTUAL_KINDS and r.taken_on >= window.period]
        same_values.append(bool(this_period) and this_period[-1].value == value)
        later = [r for r in readings if r.kind in ACTUAL_KINDS and r.taken_on > taken_on]
        if later:
            refuse(
                _("Уже есть показания на более позднюю дату: %(date)s.")
                % {"date": later[-1].taken_on.strftime("%d.%m.%Y")},
                quantity=quantity,
                zone=zone,
            )
            failed = True
            continue
        same_day.extend(r for r in readings if r.kind in ACTUAL_KINDS and r.taken_on == taken_on)
        last_actual = History.latest(readings, before=taken_on, actual_only=True)
        rolled_over = False
        if last_actual is not None and value < last_actual.value:
            if not entry.rollover:
                refuse(
                    _(
                        "Показание меньше предыдущего (%(previous)s от %(date)s). Если счётчик дошёл до "
                        "%(max)s и начал считать с нуля, отметьте «Счётчик перешёл через ноль»."
                    )
                    % {
                        "previous": register_text(last_actual.value, meter),
                        "date": last_actual.taken_on.strftime("%d.%m.%Y"),
                        "max": register_text(meter.max_value, meter),
                    },
                    quantity=quantity,
                    zone=zone,
                    code="rollover",
                )
                failed = True
                continue
            rolled_over = rollover_used = True
        opening = History.latest(readings, before=window.period, actual_only=False)
        register = Register(
            quantity=quantity,
            zone=zone,
            value=value,
            previous=opening,
            consumption=period_consumption(meter, opening, value),
            rolled_over=rolled_over,
        )
        if last_actual is not None:
            verdict = plausibility_check(
                history=[
                    Point(r.taken_on, r.value) for r in readings if r.kind in ACTUAL_KINDS and r.taken_on < taken_on
                ],
                previous=Point(last_actual.taken_on, last_actual.value),
                value=value,
                taken_on=taken_on,
                rollover=meter.rollover,
                ratio=meter.ratio,
                losses_percent=meter.losses_percent,
            )
            if verdict.implausible:
                register.implausible, register.expected = True, verdict.expected
                register.checked_consumption = verdict.consumption
        result.registers.append(register)
    if failed:
        return None
    if same_values and all(same_values):
        result.unchanged = True
        return result
    if same_day:
        refuse(_(ONCE_PER_DATE), where="taken_on" if entry.taken_on else "meter")
        return None
    implausible = [register for register in result.registers if register.implausible]
    if implausible and require_reason and not result.reason:
        first = implausible[0]
        refuse(
            _(
                "Расход %(consumption)s кВт·ч намного больше обычного для этого прибора учёта "
                "(около %(expected)s кВт·ч за то же время). Проверьте показания или укажите причину большого расхода."
            )
            % {
                "consumption": quantity_text(first.checked_consumption),
                "expected": quantity_text(first.expected),
            },
            where="reason",
            code="reason",
        )
        return None
    if rollover_used:
        result.reason = " ".join(part for part in (_(ROLLOVER_NOTE), result.reason) if part)
    elif not implausible:
        result.reason = ""  # a reason nobody was asked for says nothing to staff
    return result


# --- The writer ----------------------------------------------------------------------------------------------


@transaction.atomic
def readings_store(
    *,
    entries: list[Entry],
    user=None,
    source: str = ReadingSource.PORTAL,
    kind: str = ReadingKind.DECLARED,
    today: datetime.date | None = None,
) -> list[Checked]:
    """Check the batch (`readings_check`) and store every new reading in one transaction; ReadingsInvalid, with
    nothing stored, when any rule fails. Returns the meters with what was stored (`unchanged` ones stored nothing).
    """
    checked = readings_check(entries=entries, today=today, require_reason=True)
    to_store = [item for item in checked if not item.unchanged]
    if not to_store:
        raise ReadingsInvalid(
            [Problem(0, _("Новых показаний нет: введите текущие показания прибора учёта."), field="meter")]
        )
    readings = [
        Reading(
            meter=item.meter,
            quantity=register.quantity,
            zone=register.zone,
            value=register.value,
            taken_on=item.taken_on,
            kind=kind,
            source=source,
            status=ReadingStatus.ACCEPTED,
            reason=item.reason,
            submitted_by=user,
        )
        for item in to_store
        for register in item.registers
    ]
    # Our own estimate on the same date gives way to the customer's actual reading.
    estimates = Reading.objects.filter(
        meter_id__in=[item.meter.pk for item in to_store],
        taken_on__in={item.taken_on for item in to_store},
        kind=ReadingKind.ESTIMATED,
    )
    wanted = {(item.meter.pk, item.taken_on) for item in to_store}
    stale = [
        pk
        for pk, meter_id, taken_on in estimates.values_list("pk", "meter_id", "taken_on")
        if (meter_id, taken_on) in wanted
    ]
    if stale:
        Reading.objects.filter(pk__in=stale).delete()
    try:
        with transaction.atomic():
            Reading.objects.bulk_create(readings, batch_size=2000)
    except IntegrityError:  # the same form sent twice at once: the other request stored it
        raise ReadingsInvalid([Problem(0, _(ONCE_PER_DATE), field="meter")]) from None
    return checked


# --- The integral file (F-C2) --------------------------------------------------------------------------------


def integral_template_rows(*, meters, today: datetime.date | None = None) -> list[TemplateRow]:
    """The template's rows for `meters` (already chosen by whoever may see them): every register, the value the
    period opened with («Предыдущие показания») and what was already sent this period («Текущие показания»)."""
    today = today or timezone.localdate()
    meters = sorted(
        _loaded(meters).values(),
        key=lambda m: (m.metering_point.energy_object.code if m.metering_point_id else "", m.serial),
    )
    history = History([meter.pk for meter in meters], today=today)
    states = meters_window_states(meters, today=today)
    rows = []
    for meter in meters:
        state = states[meter.pk]
        period = (state.current or state.upcoming).period
        point = meter.metering_point
        energy_object = point.energy_object if point else None
        for quantity, zone in meter_registers(meter):
            readings = history.of(meter.pk, quantity, zone)
            previous = History.latest(readings, before=period, actual_only=False)
            sent = [r for r in readings if r.kind in ACTUAL_KINDS and r.taken_on >= period]
            rows.append(
                TemplateRow(
                    energy_object_code=energy_object.code if energy_object else "",
                    energy_object_name=energy_object.name if energy_object else "",
                    energy_object_status=energy_object.get_status_display() if energy_object else "",
                    meter_serial=meter.serial,
                    metering_point=point.name if point else "",
                    quantity=quantity,
                    zone=zone,
                    previous=previous.value if previous else None,
                    current=sent[-1].value if sent else None,
                )
            )
    return rows


@dataclass
class FileOutcome:
    """What a file stored: the meters and their readings (`checked`), or nothing with `issues`."""

    checked: list[Checked] = field(default_factory=list)
    issues: list[FileIssue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.issues

    @property
    def stored(self) -> list[Checked]:
        return [item for item in self.checked if not item.unchanged]


def integral_file_store(
    *,
    file,
    name: str,
    find_meters: Callable[[set[str]], dict[str, Meter]],
    user=None,
    source: str = ReadingSource.PORTAL,
    today: datetime.date | None = None,
) -> FileOutcome:
    """Load an integral file: every row checked by the rules of the screen, then all stored in one transaction,
    or nothing with every bad cell in `issues`. `find_meters(serials)` returns the meters the sender may reach;
    any other number is «не найден», as if it did not exist."""
    try:
        sheet = read_sheet(file, name)
        rows = integral_rows_read(sheet.rows)
    except FileInvalid as invalid:
        return FileOutcome(issues=invalid.issues)
    groups, issues = integral_group(rows, find_meters=find_meters)
    if issues:
        return FileOutcome(issues=trimmed(issues))
    entries, places = [], {}
    for group in groups:
        entry = Entry(
            meter=group.meter,
            values={(row.quantity, row.zone): row.value for row in group.rows},
            rollover=any(row.rollover for row in group.rows),
            reason=" ".join(row.reason for row in group.rows if row.reason),
        )
        entries.append(entry)
        places[group.meter.pk] = (
            group.first_row,
            {(row.quantity, row.zone): cell_address(row.row - 1, row.current_column) for row in group.rows},
            group.meter.serial,
        )
    try:
        return FileOutcome(checked=readings_store(entries=entries, user=user, source=source, today=today))
    except ReadingsInvalid as invalid:
        return FileOutcome(issues=trimmed([_file_issue(problem, places) for problem in invalid.problems]))


def _file_issue(problem: Problem, places: dict) -> FileIssue:
    """A refusal of the rules as a line of the file's report: at the register's cell, else at the meter's row."""
    message = problem.message
    if problem.code == "rollover":
        message = message.replace("отметьте «Счётчик перешёл через ноль»", f"напишите «да» в столбце «{ROLLOVER}»")
    if problem.field == "reason":
        message = _("%(message)s Укажите причину в столбце «%(column)s».") % {"message": message, "column": REASON}
    if problem.meter_id not in places:
        return FileIssue("", message)
    first_row, cells, serial = places[problem.meter_id]
    if problem.field == "value" and (problem.quantity, problem.zone) in cells:
        return FileIssue(cells[(problem.quantity, problem.zone)], message)
    return FileIssue(
        _("строка %(row)s") % {"row": first_row},
        _("ПУ %(serial)s: %(message)s") % {"serial": serial, "message": message},
    )
