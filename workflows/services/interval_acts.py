"""Interval readings (F-C3, seed 001 §5.3): the file of one meter becomes a «Первичный акт» that staff decide.

`interval_act_submit` checks everything first — who may send for this meter is the caller's business (the portal
passes only meters the user reaches; the command any meter) — then, in one transaction, replaces the act still
waiting for the same meter and month, stores the new act with its hourly values and logs the step. A bad file
stores nothing and names every bad cell.

Only contracts of price categories III–VI send hourly profiles, only for А+ (seed 001 §5.3), and only while the
meter may take readings and the group's window is open: the file is for the period that window is for.

`interval_act_accept` / `interval_act_reject` are the staff steps: the act's row is locked, a step taken
meanwhile by another clerk loses with «Акт уже рассмотрел другой сотрудник», and the customer who sent the file is
told in the cabinet (and by e-mail, as their settings say).
"""

import datetime
import io

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, can_proceed, has_transition_perm

from backoffice.models import Meter, Notification
from backoffice.models.choices import PriceCategory, Quantity, ReadingSource
from backoffice.readings.files import FileInvalid, FileIssue, read_sheet
from backoffice.readings.interval import (
    HOURS,
    MAX_ROWS,
    IntervalKind,
    interval_consumption,
    interval_profile_read,
    month_title,
)
from backoffice.readings.window import window_state
from backoffice.services.notifications import notification_send
from backoffice.services.readings import meter_blocker, meter_group

from ..models import IntervalAct, IntervalValue
from ..models.interval_acts import DECIDE
from .history import transition_log_write

State = IntervalAct.State
INTERVAL_CATEGORIES = (PriceCategory.III, PriceCategory.IV, PriceCategory.V, PriceCategory.VI)


class ActRefused(Exception):
    """A staff step that cannot be taken now; the message is shown as it is."""


def interval_meter_refusal(meter: Meter, *, today: datetime.date) -> str | None:
    """Why this meter cannot take an interval file now (None when it can)."""
    if not meter.metering_point_id:
        return _("Интервальные показания передают только юридические лица III–VI ценовых категорий.")
    contract = meter.metering_point.energy_object.contract
    if contract.price_category not in INTERVAL_CATEGORIES:
        return _(
            "Интервальные показания передают потребители III–VI ценовых категорий, а у договора № %(number)s "
            "%(category)s ценовая категория."
        ) % {"number": contract.number, "category": contract.get_price_category_display()}
    if Quantity.ACTIVE_IN not in meter.measured:
        return _("Интервальный расход заполняется только для А+, а этот прибор учёта А+ не измеряет.")
    blocker = meter_blocker(meter)
    if blocker:
        return blocker
    state = window_state(group=meter_group(meter), today=today)
    if not state.is_open:
        return state.message
    return None


def interval_period(meter: Meter, *, today: datetime.date) -> datetime.date:
    """The month an interval file of this meter is for now: the open window's, else the next one's."""
    state = window_state(group=meter_group(meter), today=today)
    return (state.current or state.upcoming).period


def interval_act_submit(
    *,
    meter: Meter,
    file,
    name: str,
    kind: str = IntervalKind.RAW,
    user=None,
    source: str = ReadingSource.PORTAL,
    today: datetime.date | None = None,
) -> IntervalAct:
    """Check an interval file of `meter` and store it as a «Первичный акт» «В ожидании»; FileInvalid otherwise."""
    today = today or timezone.localdate()
    meter = Meter.objects.select_related(
        "metering_point__energy_object__contract__customer__group", "account__customer__group"
    ).get(pk=meter.pk)
    if kind not in IntervalKind.values:
        raise FileInvalid([FileIssue("", _("Выберите вид показаний."))])
    refusal = interval_meter_refusal(meter, today=today)
    if refusal:
        raise FileInvalid([FileIssue("", refusal)])
    period = interval_period(meter, today=today)
    if IntervalAct.objects.filter(meter=meter, period=period, state=State.ACCEPTED).exists():
        raise FileInvalid(
            [
                FileIssue(
                    "",
                    _(
                        "Первичный акт за %(period)s уже принят: изменить почасовой расход можно через "
                        "куратора договора."
                    )
                    % {"period": month_title(period)},
                )
            ]
        )
    sheet = read_sheet(file, name, max_rows=MAX_ROWS)
    profile = interval_profile_read(sheet.rows, meter=meter, expected_period=period, today=today)
    file.seek(0)
    try:
        with transaction.atomic():
            act = _store(meter=meter, profile=profile, kind=kind, file=file, name=name, user=user, source=source)
    except IntegrityError:  # the same file sent twice at once: the other upload is the act
        raise FileInvalid(
            [FileIssue("", _("Файл по этому прибору учёта уже загружается. Обновите страницу."))]
        ) from None
    return act


def _store(*, meter, profile, kind, file, name, user, source) -> IntervalAct:
    waiting = list(
        IntervalAct.objects.select_for_update().filter(meter=meter, period=profile.period, state=State.WAITING)
    )
    for old in waiting:
        old.replace()
        old.save()
        transition_log_write(subject=old, transition="replace", source=State.WAITING, target=old.state, by=user)
    total = profile.total
    act = IntervalAct(
        meter=meter,
        period=profile.period,
        kind=kind,
        total=total,
        consumption=interval_consumption(total, kind=kind, ratio=meter.ratio, losses_percent=meter.losses_percent),
        original_name=name[:255],
        uploaded_by=user,
        source=source,
    )
    act.file.save(name.rsplit("/", 1)[-1][:100] or "interval.xlsx", file, save=False)
    act.save()
    IntervalValue.objects.bulk_create(
        IntervalValue(act=act, day=day, hour=hour, value=value)
        for day, hours in zip(profile.days, profile.values, strict=True)
        for hour, value in enumerate(hours)
    )
    transition_log_write(subject=act, transition="submit", source="", target=act.state, by=user)
    return act


# --- Staff steps ---------------------------------------------------------------------------------------------


def _taken_by_another() -> ActRefused:
    return ActRefused(_("Акт уже рассмотрел другой сотрудник. Обновите страницу."))


def _step(*, act: IntervalAct, by, transition: str, seen_state: str, comment: str, **arguments) -> IntervalAct:
    locked = IntervalAct.objects.select_for_update(of=("self",)).select_related("meter", "uploaded_by").get(pk=act.pk)
    method = getattr(locked, transition)
    if locked.state != seen_state or not can_proceed(method):
        raise _taken_by_another()
    if not has_transition_perm(method, by):
        raise PermissionDenied
    source = locked.state
    method(by=by, **arguments)
    try:
        locked.save()
    except ConcurrentTransition:
        raise _taken_by_another() from None
    transition_log_write(
        subject=locked, transition=transition, source=source, target=locked.state, by=by, comment=comment
    )
    return locked


def _tell_customer(act: IntervalAct, *, title: str, body: str) -> None:
    if act.uploaded_by is None:
        return
    contract = act.meter.metering_point.energy_object.contract if act.meter.metering_point_id else None
    notification_send(
        user=act.uploaded_by,
        kind=Notification.Kind.READING_WINDOW,
        title=title,
        body=body,
        url=reverse("selfservice:readings_upload") + f"?contract={contract.number}&type=interval&meter={act.meter_id}"
        if contract
        else "",
        contract=contract,
    )


@transaction.atomic
def interval_act_accept(*, act: IntervalAct, by, seen_state: str, comment: str = "") -> IntervalAct:
    """«Принять»: the hourly profile counts for the period."""
    act = _step(act=act, by=by, transition="accept", seen_state=seen_state, comment=comment)
    _tell_customer(
        act,
        title=_("Первичный акт по ПУ %(serial)s за %(period)s принят")
        % {
            "serial": act.meter.serial,
            "period": month_title(act.period),
        },
        body=comment,
    )
    return act


@transaction.atomic
def interval_act_reject(*, act: IntervalAct, by, seen_state: str, comment: str) -> IntervalAct:
    """«Отклонить» with the reason the customer reads; they may send a corrected file while the window is open."""
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": _("Заполните поле")})
    act = _step(act=act, by=by, transition="reject", seen_state=seen_state, comment=comment, reason=comment)
    _tell_customer(
        act,
        title=_("Первичный акт по ПУ %(serial)s за %(period)s отклонён")
        % {
            "serial": act.meter.serial,
            "period": month_title(act.period),
        },
        body=_("Причина: %(reason)s. Исправьте файл и загрузите его снова.") % {"reason": comment},
    )
    return act


def interval_act_decider(user) -> bool:
    return user.has_perm(DECIDE)


# --- The act as a file ---------------------------------------------------------------------------------------


def interval_act_workbook(*, act: IntervalAct) -> bytes:
    """«Первичный акт» as .xlsx: what was sent and its status, then the matrix as it was loaded, with day totals."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    meter = act.meter
    point = meter.metering_point
    energy_object = point.energy_object if point else None
    contract = energy_object.contract if energy_object else None
    values = list(act.values.order_by("day", "hour").values_list("day", "hour", "value"))
    days = sorted({day for day, _hour, _value in values})
    grid = {(day, hour): value for day, hour, value in values}
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Первичный акт")[:31]
    bold = Font(bold=True)
    facts = [
        (_("Первичный акт"), timezone.localtime(act.created_at).strftime("%d.%m.%Y %H:%M:%S")),
        (_("Статус"), act.get_state_display()),
        (_("Договор"), f"{contract.number} {contract.customer.display_name}" if contract else ""),
        (
            _("Энергообъект"),
            f"{energy_object.code} {energy_object.address or energy_object.name}" if energy_object else "",
        ),
        (_("Прибор учёта"), f"ПУ {meter.serial} • {point.name}" if point else meter.serial),
        (_("Период"), month_title(act.period)),
        (_("Вид показаний"), act.get_kind_display()),
        (_("Введённый расход"), act.total),
        (_("Расход интервальный, кВт·ч"), act.consumption),
    ]
    if act.reason:
        facts.append((_("Причина отказа"), act.reason))
    for label, value in facts:
        sheet.append([label, value])
        sheet.cell(row=sheet.max_row, column=1).font = bold
    sheet.append([])
    header_row = sheet.max_row + 1
    sheet.append([_("Время"), *days])
    for index in range(2, len(days) + 2):
        sheet.cell(row=header_row, column=index).number_format = "DD.MM.YYYY"
        sheet.cell(row=header_row, column=index).font = bold
    sheet.cell(row=header_row, column=1).font = bold
    for hour, label in enumerate(HOURS):
        sheet.append([label, *(grid.get((day, hour)) for day in days)])
    sheet.append([_("Итого"), *(sum((grid.get((day, hour), 0) for hour in range(24)), 0) for day in days)])
    sheet.cell(row=sheet.max_row, column=1).font = bold
    sheet.column_dimensions["A"].width = 28
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def interval_act_filename(act: IntervalAct) -> str:
    return f"pervichnyi-akt-{act.meter.serial}-{act.period:%Y-%m}.xlsx"
