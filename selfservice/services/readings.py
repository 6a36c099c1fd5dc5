"""The portal's readings writes (F-C1…F-C3): find the meters through the user's rights, then the system of record's
rules (`backoffice.services.readings`, `workflows.services.interval_acts`) do the rest.

A meter the user cannot reach is «Прибор учёта не найден», whatever its id or number: the same answer as for a
meter that does not exist.
"""

import datetime

from django.utils.translation import gettext as _

from backoffice.models.choices import ReadingSource
from backoffice.readings.files import FileInvalid, FileIssue
from backoffice.services.readings import (
    Checked,
    Entry,
    FileOutcome,
    Problem,
    ReadingsInvalid,
    integral_file_store,
    readings_check,
    readings_store,
)
from workflows.models import IntervalAct
from workflows.services.interval_acts import interval_act_submit

from ..selectors_readings import reachable_meters


def _entries(*, user, typed: dict[int, dict]) -> list[Entry]:
    """`typed` maps a meter id to {"values": {(quantity, zone): text}, "rollover", "reason", "taken_on"}."""
    meters = reachable_meters(user=user).in_bulk(list(typed))
    missing = [meter_id for meter_id in typed if meter_id not in meters]
    if missing:
        raise ReadingsInvalid([Problem(meter_id, _("Прибор учёта не найден."), field="meter") for meter_id in missing])
    return [
        Entry(
            meter=meters[meter_id],
            values=data["values"],
            rollover=data.get("rollover", False),
            reason=data.get("reason", ""),
            taken_on=data.get("taken_on"),
        )
        for meter_id, data in typed.items()
    ]


def readings_calculate(*, user, typed: dict[int, dict], today: datetime.date) -> list[Checked]:
    """«Рассчитать»: what would be stored, with the consumption; nothing is written."""
    return readings_check(entries=_entries(user=user, typed=typed), today=today, require_reason=False)


def readings_send(*, user, typed: dict[int, dict], today: datetime.date) -> list[Checked]:
    """«Передать показания»: store the readings of every meter with new values, or nothing (ReadingsInvalid)."""
    return readings_store(entries=_entries(user=user, typed=typed), user=user, source=ReadingSource.PORTAL, today=today)


def integral_file_send(*, user, contract, file, name: str, today: datetime.date) -> FileOutcome:
    """«Интегральные по договору»: the file's meters must be the contract's that the role reaches."""
    meters = reachable_meters(user=user).filter(metering_point__energy_object__contract=contract)

    def find_meters(serials):
        return {meter.serial: meter for meter in meters.filter(serial__in=serials)}

    return integral_file_store(
        file=file, name=name, find_meters=find_meters, user=user, source=ReadingSource.PORTAL, today=today
    )


def interval_file_send(*, user, meter_id: int, file, name: str, kind: str, today: datetime.date) -> IntervalAct:
    """«Интервальные по прибору учета»: a «Первичный акт» «В ожидании», or FileInvalid with every bad cell."""
    meter = reachable_meters(user=user).filter(pk=meter_id).first()
    if meter is None:
        raise FileInvalid([FileIssue("", _("Прибор учёта не найден."))])
    return interval_act_submit(
        meter=meter, file=file, name=name, kind=kind, user=user, source=ReadingSource.PORTAL, today=today
    )
