"""The counts of the admin dashboard (F-I2): one function per panel, each one aggregate query per model.

Every count is taken with conditional aggregation (`Count(..., filter=Q(...))`) over the rows of one model, so a
panel costs the same number of queries whatever the size of its table, and each count's condition is the one the
listing it links to applies (the filters of the viewsets: `state=new`, `stuck=on`, `status=failed` and so on).
Nothing is cached: the dashboard shows the queues as they are now.

Indexes the counts use at scale: `appeal_queue` and the partial indexes of workflows 0009–0011 (appeals),
(state, created_at) of activation requests, service orders and interval acts, (state, updated_at) of the
«Администратор» requests, (status, created_at) of acquiring orders. The readings card is the costly one (every
meter in service against the month's readings, see `readings_progress`); the month's readings come from the
partial index `reading_accepted_by_date` (backoffice 0010).
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, F, Q
from django.utils import timezone

from backoffice.models import AcquiringOrder, CustomerGroup, EnergyObject, ImportJob, Meter, Reading
from backoffice.models.choices import MeterStatus, ReadingKind, ReadingStatus
from backoffice.readings.window import Window, window_of
from backoffice.services.acquiring import STUCK_AFTER
from backoffice.services.periods import add_months, month_end, month_start

from ..models import ActivationRequest, AdministratorRequest, IntervalAct, ServiceOrder
from .appeals_selectors import desk_counts

RECENT_DAYS = 7  # «за 7 дней»: declined payments and failed imports worth a look; older ones are history
RUNNING_SHOWN = 5  # the running imports listed with their progress bars


def recent_since(today: datetime.date) -> datetime.date:
    """The first day of «the last 7 days» (today included), as the listings' «с» date filter reads it."""
    return today - datetime.timedelta(days=RECENT_DAYS - 1)


def appeal_counts(*, user, now=None) -> dict:
    """The desk's counts (new, registered, in progress, overdue, waiting for the customer, mine…): one query."""
    return desk_counts(user=user, now=now)


def activation_request_counts() -> dict:
    """Requests to add a ЛС to a cabinet that wait for a decision («Новая»): one query."""
    State = ActivationRequest.State
    return ActivationRequest.objects.filter(state=State.NEW).aggregate(new=Count("pk"))


def administrator_request_counts() -> dict:
    """Requests for the role «Администратор» still open: «Новая» and «Запрошены документы»; one query."""
    State = AdministratorRequest.State
    return AdministratorRequest.objects.filter(state__in=AdministratorRequest.OPEN).aggregate(
        new=Count("pk", filter=Q(state=State.NEW)),
        waiting=Count("pk", filter=Q(state=State.WAITING)),
    )


def service_order_counts() -> dict:
    """Open service orders by state: «Новый», «Принят», «Выставлен счёт»; one query."""
    State = ServiceOrder.State
    return ServiceOrder.objects.filter(state__in=[State.NEW, State.ACCEPTED, State.INVOICED]).aggregate(
        new=Count("pk", filter=Q(state=State.NEW)),
        accepted=Count("pk", filter=Q(state=State.ACCEPTED)),
        invoiced=Count("pk", filter=Q(state=State.INVOICED)),
    )


def interval_act_counts() -> dict:
    """Interval acts (hourly consumption files) waiting for a decision («В ожидании»): one query."""
    return IntervalAct.objects.filter(state=IntervalAct.State.WAITING).aggregate(waiting=Count("pk"))


def acquiring_order_counts(*, now=None) -> dict:
    """Card payments needing a look, in one query:

    - `stuck`: «В процессе» for longer than the reconciliation job waits (`STUCK_AFTER`), i.e. the bank has not
      answered — the listing's «Зависли» filter;
    - `declined`: «Отклонён» within the last 7 days (created since `recent_since(today)`, local time).
    """
    now = now or timezone.now()
    Status = AcquiringOrder.Status
    since = timezone.make_aware(datetime.datetime.combine(recent_since(timezone.localdate(now)), datetime.time()))
    stuck = Q(status=Status.PENDING, created_at__lt=now - STUCK_AFTER)
    declined = Q(status=Status.DECLINED, created_at__gte=since)
    return AcquiringOrder.objects.filter(stuck | declined).aggregate(
        stuck=Count("pk", filter=stuck), declined=Count("pk", filter=declined)
    )


def stuck_minutes() -> int:
    return int(STUCK_AFTER.total_seconds() // 60)


def import_job_counts(*, today=None) -> dict:
    """Imports: queued, running (with the first `RUNNING_SHOWN` of them for progress bars), and those of the last
    7 days that failed («Ошибки в файле») or crashed («Сбой»). Two queries: the counts and the running rows."""
    today = today or timezone.localdate()
    Status = ImportJob.Status
    recent = Q(created_at__date__gte=recent_since(today))
    counts = ImportJob.objects.filter(
        Q(status__in=[Status.QUEUED, Status.RUNNING]) | (recent & Q(status__in=[Status.FAILED, Status.CRASHED]))
    ).aggregate(
        queued=Count("pk", filter=Q(status=Status.QUEUED)),
        running=Count("pk", filter=Q(status=Status.RUNNING)),
        failed=Count("pk", filter=recent & Q(status=Status.FAILED)),
        crashed=Count("pk", filter=recent & Q(status=Status.CRASHED)),
    )
    counts["running_jobs"] = list(
        ImportJob.objects.filter(status=Status.RUNNING)
        .only("pk", "original_name", "resource", "status", "total_rows", "processed_rows", "created_at")
        .order_by("created_at", "pk")[:RUNNING_SHOWN]
    )
    return counts


# --- Readings of the period ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupReadings:
    group: CustomerGroup
    window: Window
    expected: int
    submitted: int
    today: datetime.date

    @property
    def percent(self) -> int:
        return round(100 * self.submitted / self.expected) if self.expected else 0

    @property
    def is_open(self) -> bool:
        return self.window.contains(self.today)

    @property
    def period_end(self) -> datetime.date:
        return month_end(self.window.period)


def readings_period(*, group, today: datetime.date) -> Window:
    """«This period» of a customer group: the period whose submission window is open today; outside every window,
    the last one that has opened (its count is final). See `backoffice.readings.window` for the windows."""
    this_month = month_start(today)
    windows = [window_of(group=group, period=add_months(this_month, offset)) for offset in (-1, 0)]
    open_now = [window for window in windows if window.contains(today)]
    if open_now:
        return open_now[0]  # two open windows: the earlier month is the one being sent (window.py)
    return max((window for window in windows if window.opens_on <= today), key=lambda window: window.period)


IN_SERVICE = (MeterStatus.WAITING, MeterStatus.ACCEPTED)

# The two places a meter is, each with its own path to the customer's group; counted apart, each over inner joins
# (one OR over both paths would LEFT JOIN all of them, the customers twice).
ON_OPEN_ACCOUNT = (Q(account__isnull=False, account__closed_on__isnull=True), "account__customer__group_id")
AT_ACTIVE_OBJECT = (
    Q(
        metering_point__isnull=False,
        metering_point__energy_object__status=EnergyObject.Status.ACTIVE,
        metering_point__energy_object__contract__is_active=True,
    ),
    "metering_point__energy_object__contract__customer__group_id",
)


def expected_meters_condition() -> Q:
    """A meter whose readings are due: in service (status «Ожидание» or «Показания приняты», not blocked or
    removed) on a ЛС that is not closed, or at a metering point of an active energy object of an active contract
    — the meters `backoffice.services.readings.meter_blocker` lets a customer send readings for."""
    return Q(status__in=IN_SERVICE) & (ON_OPEN_ACCOUNT[0] | AT_ACTIVE_OBJECT[0])


def _count_by_group(counts: dict, key: str, meters, group_path: str) -> None:
    rows = meters.values(owner_group=F(group_path)).annotate(meters=Count("pk")).order_by()
    for row in rows:
        total = counts.setdefault(row["owner_group"], {"expected": 0, "submitted": 0})
        total[key] += row["meters"]


def readings_progress(*, today=None) -> list[GroupReadings]:
    """«Показания за <месяц>: передано X из Y», per customer group: the groups, then for the meters on ЛС and for
    those at metering points one query of the expected and one of the submitted per period (usually one).

    - The period of a group is `readings_period` (the window open today, else the last opened one).
    - Expected (Y): the meters of the group's customers whose readings are due (`expected_meters_condition`).
    - Submitted (X): those of them with at least one accepted reading, other than an estimate («Расчетные»),
      taken within the period's month (first to last day). A reading sent in the window is dated within the
      month: on a day of the window inside it, or on its last day once the month has ended
      (`Window.reading_date`), so every reading the window accepted counts, and so do inspectors' and АСКУЭ's.

    Groups without expected meters are left out.

    Cost at scale: the submitted meters are a semi-join of the meters with the month's readings (read from the
    partial index), which PostgreSQL hashes and, when the month outgrows `work_mem`, splits into batches. A count
    with `FILTER (WHERE id IN (…))` instead became a plain subplan re-read for every meter once the month's
    readings were estimated above `work_mem` (seen on seed_scale data with stale statistics: minutes, not 0.2 s).
    """
    today = today or timezone.localdate()
    groups = list(CustomerGroup.objects.order_by("name", "pk"))
    if not groups:
        return []
    windows = {group.pk: readings_period(group=group, today=today) for group in groups}
    by_period: dict[datetime.date, list[int]] = {}
    for pk, window in windows.items():
        by_period.setdefault(window.period, []).append(pk)
    counts: dict[int, dict] = {}
    for place, group_path in (ON_OPEN_ACCOUNT, AT_ACTIVE_OBJECT):
        # Inner joins up to the group (every customer has one).
        meters = Meter.objects.filter(place, status__in=IN_SERVICE).filter(**{f"{group_path}__isnull": False})
        _count_by_group(counts, "expected", meters, group_path)
        for period, group_ids in by_period.items():
            of_period = Reading.objects.filter(
                status=ReadingStatus.ACCEPTED, taken_on__range=(period, month_end(period))
            ).exclude(kind=ReadingKind.ESTIMATED)
            submitted = meters.filter(pk__in=of_period.values("meter_id"))
            if len(by_period) > 1:  # groups in different periods: each group counts its own month
                submitted = submitted.filter(**{f"{group_path}__in": group_ids})
            _count_by_group(counts, "submitted", submitted, group_path)
    return [
        GroupReadings(
            group=group,
            window=windows[group.pk],
            expected=counts[group.pk]["expected"],
            submitted=counts[group.pk]["submitted"],
            today=today,
        )
        for group in groups
        if counts.get(group.pk, {}).get("expected")
    ]
