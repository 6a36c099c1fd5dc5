"""Reading reminders (F-C5; seed 000 §3.4.3, seed 001 §13.1.5, seed 004 §4.4.4.1): beat jobs that tell customers
through `notification_send`, so each user's channels and «E-mail уведомления» apply, and the letter goes through
the outbox in the same transaction.

- «Уведомление о начале периода передачи показаний»: N days before the window opens, N as the user chose (1–15);
- «Уведомление об окончании периода передачи показаний»: N days before it closes, while readings of the period
  are still missing: «Необходимо заявить показания»;
- on the window's last day, if still nothing was sent: «Сегодня последний день передачи показаний»;
- «Окончание межповерочного интервала»: once per meter and due date, when the МПИ ends within 60 days.

Households are told about their ЛС, organisations' users about the contracts their role sends readings for.
Every reminder is recorded (`ReadingReminder`) in the transaction that sends it, so a job run twice — a retry,
a restart, two beat processes — tells nobody twice. The work is set-based: per customer group a handful of queries
find who is due, whatever the number of accounts.
"""

import datetime
import logging

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from backoffice.models import CustomerGroup, EnergyObject, Meter, Notification, NotificationSettings, Reading
from backoffice.models.choices import MeterStatus, ReadingStatus
from backoffice.readings.window import Window, days_text, long_date, window_state
from backoffice.services.notifications import notification_send
from backoffice.services.periods import MONTHS_NOMINATIVE
from backoffice.services.readings import ACTUAL_KINDS
from selfservice.access import ROLE_CAPABILITIES, Capability
from selfservice.models import AccountLink, ContractRole

from ..models import ReadingReminder

logger = logging.getLogger(__name__)

VERIFICATION_NOTICE_DAYS = 60
DEFAULT_START_DAYS, DEFAULT_END_DAYS = 4, 2  # NotificationSettings' defaults, for users without a row
READING_ROLES = [role for role, capabilities in ROLE_CAPABILITIES.items() if Capability.READINGS in capabilities]


def _period_text(window: Window) -> str:
    return f"{MONTHS_NOMINATIVE[window.period.month - 1]} {window.period.year} года"


def _readings_url(*, contract=None) -> str:
    url = reverse("selfservice:readings")
    return f"{url}?{urlencode({'contract': contract.number})}" if contract is not None else url


def _missing_readings(period: datetime.date, meter_filter: dict) -> Exists:
    """A meter that takes readings and has no actual reading for the period."""
    sent = Reading.objects.filter(
        meter=OuterRef("pk"), kind__in=ACTUAL_KINDS, status=ReadingStatus.ACCEPTED, taken_on__gte=period
    )
    return Exists(Meter.objects.filter(status=MeterStatus.WAITING, **meter_filter).exclude(Exists(sent)))


def _household_links(group, *, pending_for: datetime.date | None = None):
    links = AccountLink.objects.filter(
        account__customer__group=group, account__closed_on__isnull=True, user__is_active=True
    ).select_related("user", "account")
    if pending_for is not None:
        links = links.filter(_missing_readings(pending_for, {"account": OuterRef(OuterRef("account"))}))
    return links


def _contract_roles(group, *, pending_for: datetime.date | None = None):
    roles = ContractRole.objects.filter(
        contract__customer__group=group, contract__is_active=True, role__in=READING_ROLES, user__is_active=True
    ).select_related("user", "contract")
    if pending_for is not None:
        roles = roles.filter(
            _missing_readings(
                pending_for,
                {
                    "metering_point__energy_object__contract": OuterRef(OuterRef("contract")),
                    "metering_point__energy_object__status": EnergyObject.Status.ACTIVE,
                },
            )
        )
    return roles


def _settings_of(user_ids) -> dict[int, NotificationSettings]:
    return {row.user_id: row for row in NotificationSettings.objects.filter(user_id__in=set(user_ids))}


def _remind(*, user, key: str, kind: str, title: str, body: str, url: str, account=None, contract=None) -> bool:
    """Send once: the record and the notification are written together, or neither."""
    try:
        with transaction.atomic():
            ReadingReminder.objects.create(user=user, key=key)
            notification_send(user=user, kind=kind, title=title, body=body, url=url, account=account, contract=contract)
    except IntegrityError:  # already sent (another run of the job)
        return False
    return True


def _recipients(group, *, pending_for=None):
    """(user, account, contract) of everyone of the group, optionally only where readings are missing."""
    for link in _household_links(group, pending_for=pending_for).iterator(chunk_size=2000):
        yield link.user, link.account, None
    for role in _contract_roles(group, pending_for=pending_for).iterator(chunk_size=2000):
        yield role.user, None, role.contract


def _owner_key(account, contract) -> str:
    return f"a{account.pk}" if account is not None else f"c{contract.pk}"


def _owner_text(account, contract, *, dative: bool = False) -> str:
    """«ЛС 100000001», «договор № …»; after «по» the contract is «договору № …»."""
    if account is not None:
        return _("ЛС %(number)s") % {"number": account.number}
    if dative:
        return _("договору № %(number)s") % {"number": contract.number}
    return _("договор № %(number)s") % {"number": contract.number}


def _start_reminders(group, window: Window, days: int) -> int:
    sent = 0
    recipients = list(_recipients(group))
    settings = _settings_of(user.pk for user, _a, _c in recipients)
    for user, account, contract in recipients:
        row = settings.get(user.pk)
        enabled, wanted = (row.reading_start_reminder, row.reading_start_days) if row else (True, DEFAULT_START_DAYS)
        if not enabled or wanted != days:
            continue
        sent += _remind(
            user=user,
            key=f"start:{_owner_key(account, contract)}:{window.period:%Y-%m}",
            kind=Notification.Kind.READING_WINDOW,
            title=_("Скоро начнётся период передачи показаний"),
            body=_(
                "Передача показаний за %(period)s (%(owner)s) будет доступна с %(opens)s по %(closes)s: через %(days)s."
            )
            % {
                "period": _period_text(window),
                "owner": _owner_text(account, contract),
                "opens": long_date(window.opens_on),
                "closes": long_date(window.closes_on),
                "days": days_text(days),
            },
            url=_readings_url(contract=contract),
            account=account,
            contract=contract,
        )
    return sent


def _end_reminders(group, window: Window, days: int) -> int:
    sent = 0
    recipients = list(_recipients(group, pending_for=window.period))
    settings = _settings_of(user.pk for user, _a, _c in recipients)
    for user, account, contract in recipients:
        row = settings.get(user.pk)
        enabled, wanted = (row.reading_end_reminder, row.reading_end_days) if row else (True, DEFAULT_END_DAYS)
        if not enabled or wanted != days:
            continue
        sent += _remind(
            user=user,
            key=f"end:{_owner_key(account, contract)}:{window.period:%Y-%m}",
            kind=Notification.Kind.READING_WINDOW,
            title=_("Необходимо заявить показания"),
            body=_(
                "До окончания периода передачи: %(days)s, по %(closes)s включительно. Показания за %(period)s "
                "по %(owner)s ещё не переданы."
            )
            % {
                "days": days_text(days),
                "closes": long_date(window.closes_on),
                "period": _period_text(window),
                "owner": _owner_text(account, contract, dative=True),
            },
            url=_readings_url(contract=contract),
            account=account,
            contract=contract,
        )
    return sent


def _last_day_reminders(group, window: Window) -> int:
    """«No reading this period»: on the window's last day, whoever still has meters without readings."""
    sent = 0
    for user, account, contract in _recipients(group, pending_for=window.period):
        sent += _remind(
            user=user,
            key=f"last:{_owner_key(account, contract)}:{window.period:%Y-%m}",
            kind=Notification.Kind.READING_WINDOW,
            title=_("Сегодня последний день передачи показаний"),
            body=_("Показания за %(period)s по %(owner)s не переданы. Без них расход будет начислен по среднему.")
            % {"period": _period_text(window), "owner": _owner_text(account, contract, dative=True)},
            url=_readings_url(contract=contract),
            account=account,
            contract=contract,
        )
    return sent


def _verification_reminders(today: datetime.date) -> int:
    """МПИ within 60 days: every user who reaches the meter, once per meter and due date."""
    horizon = today + datetime.timedelta(days=VERIFICATION_NOTICE_DAYS)
    meters = Meter.objects.exclude(status=MeterStatus.REMOVED).filter(
        verification_due_on__gte=today, verification_due_on__lte=horizon
    )
    sent = 0
    household = AccountLink.objects.filter(
        account__meters__in=meters, account__closed_on__isnull=True, user__is_active=True
    ).select_related("user", "account")
    due = {meter.pk: meter for meter in meters.select_related("metering_point__energy_object")}
    for link in household.iterator(chunk_size=2000):
        for meter in [m for m in due.values() if m.account_id == link.account_id]:
            sent += _verification_notice(link.user, meter, today, account=link.account)
    contract_meters: dict[int, list[Meter]] = {}
    for meter in due.values():
        if meter.metering_point_id:
            contract_meters.setdefault(meter.metering_point.energy_object.contract_id, []).append(meter)
    roles = ContractRole.objects.filter(
        contract_id__in=list(contract_meters), role__in=READING_ROLES, user__is_active=True
    ).select_related("user", "contract")
    for role in roles.iterator(chunk_size=2000):
        for meter in contract_meters[role.contract_id]:
            sent += _verification_notice(role.user, meter, today, contract=role.contract)
    return sent


def _verification_notice(user, meter: Meter, today: datetime.date, *, account=None, contract=None) -> int:
    days = (meter.verification_due_on - today).days
    return _remind(
        user=user,
        key=f"mpi:{meter.pk}:{meter.verification_due_on:%Y-%m-%d}",
        kind=Notification.Kind.METER_VERIFICATION,
        title=_("Заканчивается межповерочный интервал прибора учёта"),
        body=_(
            "Межповерочный интервал прибора учёта %(meter)s заканчивается %(date)s (через %(days)s). Закажите поверку, "
            "чтобы показания принимались к расчёту."
        )
        % {"meter": str(meter), "date": meter.verification_due_on.strftime("%d.%m.%Y"), "days": days_text(days)},
        url=_readings_url(contract=contract),
        account=account,
        contract=contract,
    )


def reading_reminders_send(*, today: datetime.date | None = None) -> dict[str, int]:
    """The daily job: every reminder due today, each at most once. Returns how many of each were sent."""
    today = today or timezone.localdate()
    counts = {"start": 0, "end": 0, "last_day": 0, "verification": 0}
    for group in CustomerGroup.objects.all():
        state = window_state(group=group, today=today)
        if 1 <= state.days_until_open <= 15:
            counts["start"] += _start_reminders(group, state.upcoming, state.days_until_open)
        if state.current is not None:
            days_to_close = (state.current.closes_on - today).days
            if 1 <= days_to_close <= 15:
                counts["end"] += _end_reminders(group, state.current, days_to_close)
            elif days_to_close == 0:
                counts["last_day"] += _last_day_reminders(group, state.current)
    counts["verification"] = _verification_reminders(today)
    logger.info("reading reminders for %s: %s", today, counts)
    return counts
