"""The admin dashboard (F-I2): every queue's counts on GET /admin/, each a link to exactly the rows it counts."""

import datetime
import html as html_lib
import re
from decimal import Decimal

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from backoffice.models import AcquiringOrder, ImportJob
from backoffice.models.choices import MeterStatus, ReadingKind, ReadingStatus
from backoffice.services.periods import month_end, period_title
from tests.backoffice import factories as f
from tests.factories import UserFactory
from tests.querycount import assert_queries_flat
from tests.workflows.appeals_kit import file_appeal, topics
from workflows.models import ActivationRequest, AdministratorRequest, Appeal, IntervalAct, ServiceOrder
from workflows.services.dashboard_selectors import readings_period

pytestmark = pytest.mark.django_db

HOME = "wagtailadmin_home"


@pytest.fixture
def admin(client):
    user = UserFactory(is_staff=True, is_superuser=True, email="boss@energosbyt.example")
    client.force_login(user)
    return user


def home(client) -> str:
    response = client.get(reverse(HOME))
    assert response.status_code == 200
    return response.content.decode()


def card(page: str, slug: str) -> str:
    start = page.index(f'id="queue-{slug}"')
    return page[start : page.index("</section>", start)]


def counts(page: str, slug: str) -> dict[str, tuple[int, str]]:
    """label → (the number shown, the link) of one card."""
    found = re.findall(r'<a href="([^"]+)"><span>([^<]+)</span> <strong>(\d+)</strong></a>', card(page, slug))
    return {html_lib.unescape(label): (int(number), html_lib.unescape(url)) for url, label, number in found}


def listing_rows(client, url: str) -> list[str]:
    """The rows (their HTML) of the listing a link opens."""
    response = client.get(url)
    assert response.status_code == 200, url
    content = response.content.decode()
    content = content[content.index('id="listing-results"') :]
    if "<tbody" not in content:
        return []
    body = content[content.index("<tbody") : content.index("</tbody>")]
    return [html_lib.unescape(row) for row in body.split("<tr")[1:]]


def assert_link(client, page, slug, label, expected_rows, marker):
    """The card shows as many as `expected_rows`, and its link lists exactly them (`marker(row)`: a text only that
    row shows in the listing)."""
    number, url = counts(page, slug)[label]
    assert number == len(expected_rows), f"{slug} / {label}: {number} shown, {len(expected_rows)} rows"
    rows = listing_rows(client, url)
    assert len(rows) == len(expected_rows), f"{slug} / {label}: {url} lists {len(rows)} rows"
    for row in expected_rows:
        assert any(marker(row) in listed for listed in rows), f"{slug} / {label}: {marker(row)} not in {url}"


def some_user(n=[0]):  # noqa: B006  a counter shared by the calls
    n[0] += 1
    return UserFactory(email=f"customer{n[0]}@example.test")


def by_number(row):
    return row.number


def by_name(row):
    return row.full_name


def by_contract(row):
    return row.contract.number


def by_meter(row):
    return row.meter.serial


def by_reference(row):
    return row.reference


def by_file_name(row):
    return row.original_name


# --- The queues ---------------------------------------------------------------------------------------------------


def test_appeals_by_state_overdue_and_mine(client, admin):
    topics()
    customer = some_user()
    new = [file_appeal(customer) for _ in range(3)]
    registered = file_appeal(customer)
    in_progress = file_appeal(customer)
    late = file_appeal(customer)
    closed = file_appeal(customer)
    Appeal.objects.filter(pk=registered.pk).update(state=Appeal.State.REGISTERED)
    Appeal.objects.filter(pk=in_progress.pk).update(state=Appeal.State.IN_PROGRESS, assignee=admin)
    past = timezone.now() - datetime.timedelta(days=2)
    Appeal.objects.filter(pk=late.pk).update(state=Appeal.State.IN_PROGRESS, due_at=past, paused_at=None)
    Appeal.objects.filter(pk=closed.pk).update(state=Appeal.State.CLOSED, due_at=past)
    Appeal.objects.exclude(pk=late.pk).update(due_at=timezone.now() + datetime.timedelta(days=5))

    page = home(client)

    assert "Очереди" in page and "Обращения" in page and "Сводка по обращениям" in page
    marker = by_number
    assert_link(client, page, "appeals", "Новая", new, marker)
    assert_link(client, page, "appeals", "Зарегистрирована", [registered], marker)
    assert_link(client, page, "appeals", "Решается", [in_progress, late], marker)
    assert_link(client, page, "appeals", "Просрочено", [late], marker)
    assert_link(client, page, "appeals", "Мои", [in_progress], marker)
    assert_link(client, page, "appeals", "Не назначены", [*new, registered, late], marker)
    assert 'class="queue-card__alert"' in card(page, "appeals")  # the overdue count is marked, and said in text


def test_activation_requests_waiting_for_a_decision(client, admin):
    def request(state, name):
        return ActivationRequest.objects.create(
            user=some_user(),
            full_name=name,
            account_number=f"1002003{len(name):02d}",
            control=ActivationRequest.Control.LAST_PAYMENT,
            control_answer="1200,00",
            state=state,
        )

    new = [request(ActivationRequest.State.NEW, f"Петрова Анна {n}") for n in range(2)]
    request(ActivationRequest.State.REJECTED, "Борисов Борис")

    assert_link(client, home(client), "activation", "Новая", new, by_name)


def test_administrator_requests_new_and_waiting_for_documents(client, admin):
    def request(state):
        return AdministratorRequest.objects.create(
            user=some_user(), contract=f.ContractFactory(), text="Я директор", state=state
        )

    State = AdministratorRequest.State
    new = [request(State.NEW) for _ in range(2)]
    waiting = [request(State.WAITING)]
    request(State.GRANTED)
    request(State.REFUSED)

    page = home(client)

    marker = by_contract
    assert_link(client, page, "administrator-requests", "Новая", new, marker)
    assert_link(client, page, "administrator-requests", "Запрошены документы", waiting, marker)


def test_service_orders_by_open_state(client, admin):
    def order(state, n):
        return ServiceOrder.objects.create(
            user=some_user(),
            account=f.PersonalAccountFactory(),
            number=f"У-{n:05d}",
            service_title="Замена прибора учёта",
            state=state,
        )

    State = ServiceOrder.State
    new = [order(State.NEW, 1)]
    accepted = [order(State.ACCEPTED, 2), order(State.ACCEPTED, 3)]
    invoiced = [order(State.INVOICED, 4)]
    order(State.DONE, 5)
    order(State.CANCELLED, 6)

    page = home(client)

    marker = by_number
    assert_link(client, page, "service-orders", "Новый", new, marker)
    assert_link(client, page, "service-orders", "Принят", accepted, marker)
    assert_link(client, page, "service-orders", "Выставлен счёт", invoiced, marker)


def test_interval_acts_waiting(client, admin):
    def act(state, n):
        meter = f.MeterFactory(account=None, metering_point=f.MeteringPointFactory())
        return IntervalAct.objects.create(
            meter=meter,
            period=datetime.date(2026, 10, 1),
            file=f"interval-acts/act-{n}.xlsx",
            total=Decimal("100"),
            consumption=Decimal("100"),
            original_name=f"act-{n}.xlsx",
            state=state,
        )

    waiting = [act(IntervalAct.State.WAITING, 1), act(IntervalAct.State.WAITING, 2)]
    act(IntervalAct.State.ACCEPTED, 3)
    act(IntervalAct.State.REJECTED, 4)

    assert_link(client, home(client), "interval-acts", "В ожидании", waiting, by_meter)


def test_stuck_and_declined_card_payments(client, admin):
    Status = AcquiringOrder.Status

    def order(status, age: datetime.timedelta, n=[0]):  # noqa: B006
        n[0] += 1
        created = AcquiringOrder.objects.create(
            reference=f"R-{n[0]:06d}",
            purpose=AcquiringOrder.Purpose.CARD_BINDING,
            provider="sandbox",
            provider_order_id=f"bank-{n[0]}",
            amount=Decimal("1.00"),
            status=status,
        )
        AcquiringOrder.objects.filter(pk=created.pk).update(created_at=timezone.now() - age)
        return created

    stuck = [order(Status.PENDING, datetime.timedelta(minutes=40)), order(Status.PENDING, datetime.timedelta(days=3))]
    order(Status.PENDING, datetime.timedelta(minutes=1))  # the bank has a few minutes to answer
    declined = [order(Status.DECLINED, datetime.timedelta(hours=1)), order(Status.DECLINED, datetime.timedelta(days=6))]
    order(Status.DECLINED, datetime.timedelta(days=8))  # older than the week shown
    order(Status.SUCCEEDED, datetime.timedelta(hours=1))

    page = home(client)

    marker = by_reference
    assert_link(client, page, "payments", "Зависли «В процессе» дольше 5 мин", stuck, marker)
    assert_link(client, page, "payments", "Отклонены за 7 дней", declined, marker)


def test_import_jobs_running_with_progress_and_failed(client, admin):
    Status = ImportJob.Status

    def job(status, name, age=datetime.timedelta(hours=1), **fields):
        created = ImportJob.objects.create(
            resource="readings", original_name=name, file=f"imports/2026/11/{name}", status=status, **fields
        )
        ImportJob.objects.filter(pk=created.pk).update(created_at=timezone.now() - age)
        return created

    running = job(Status.RUNNING, "показания-ноябрь.xlsx", total_rows=200, processed_rows=50)
    queued = job(Status.QUEUED, "в-очереди.csv")
    failed = job(Status.FAILED, "с-ошибками.csv")
    job(Status.FAILED, "давний.csv", age=datetime.timedelta(days=10))
    crashed = job(Status.CRASHED, "сбой.csv")
    job(Status.DONE, "готово.csv")

    page = home(client)

    marker = by_file_name
    assert_link(client, page, "imports", "Выполняется", [running], marker)
    assert_link(client, page, "imports", "В очереди", [queued], marker)
    assert_link(client, page, "imports", "Ошибки в файле за 7 дней", [failed], marker)
    assert_link(client, page, "imports", "Сбой за 7 дней", [crashed], marker)
    imports = card(page, "imports")
    assert 'max="100" value="25"' in imports and "Обработано 50 из 200 строк (25\xa0%)" in html_lib.unescape(imports)
    assert reverse("exchange:job", args=[running.pk]) in imports


def test_readings_of_the_period_submitted_against_expected(client, admin):
    today = timezone.localdate()
    households = f.HouseholdGroupFactory()
    period = readings_period(group=households, today=today).period
    inside = min(period + datetime.timedelta(days=14), month_end(period))

    def meter(**fields):
        return f.MeterFactory(status=fields.pop("status", MeterStatus.WAITING), **fields)

    sent = [meter(), meter(status=MeterStatus.ACCEPTED)]
    for one in sent:
        f.ReadingFactory(meter=one, taken_on=inside)
    estimated_only = meter()
    f.ReadingFactory(meter=estimated_only, taken_on=inside, kind=ReadingKind.ESTIMATED)
    rejected_only = meter()
    f.ReadingFactory(meter=rejected_only, taken_on=inside, status=ReadingStatus.REJECTED)
    last_month_only = meter()
    f.ReadingFactory(meter=last_month_only, taken_on=period - datetime.timedelta(days=3))
    meter(status=MeterStatus.REMOVED)  # not expected
    blocked = meter(status=MeterStatus.BLOCKED)
    f.ReadingFactory(meter=blocked, taken_on=inside)  # not expected either
    meter(account=f.PersonalAccountFactory(closed_on=datetime.date(2020, 1, 1)))  # a closed ЛС: not expected

    page = html_lib.unescape(home(client))

    readings_card = card(page, "readings")
    expected, submitted = 5, 2  # sent ×2, estimated only, rejected only, last month only
    assert f"Показания за {period_title(period)}: " in readings_card
    assert f"передано {submitted}</a> из {expected} (40\xa0%)" in readings_card
    assert "Население" in readings_card and 'value="40"' in readings_card
    url = re.search(r'<a href="([^"]+)">передано', readings_card).group(1)
    # The link lists the readings of the month: the accepted ones the count rests on (and, for staff to see, the
    # estimate of the month, which the count leaves out); not the rejected one nor last month's.
    rows = listing_rows(client, url)
    serials = sorted(one.serial for one in [*sent, estimated_only, blocked])
    assert len(rows) == len(serials) and all(any(serial in row for row in rows) for serial in serials)
    assert not any(rejected_only.serial in row or last_month_only.serial in row for row in rows)


def test_an_organisations_readings_count_in_its_own_group(client, admin):
    today = timezone.localdate()
    organisations = f.OrganisationGroupFactory()
    period = readings_period(group=organisations, today=today).period
    point = f.MeteringPointFactory()
    sent = f.MeterFactory(account=None, metering_point=point)
    f.ReadingFactory(meter=sent, taken_on=month_end(period))
    f.MeterFactory(account=None, metering_point=point)
    closed_contract = f.MeteringPointFactory(energy_object__contract__is_active=False)
    f.MeterFactory(account=None, metering_point=closed_contract)

    readings_card = html_lib.unescape(card(home(client), "readings"))

    assert "Прочие потребители" in readings_card
    assert f"Показания за {period_title(period)}: " in readings_card
    assert "передано 1</a> из 2 (50\xa0%)" in readings_card


# --- Who sees what ------------------------------------------------------------------------------------------------


def staff_with(*codenames):
    user = UserFactory(is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=["access_admin", *codenames]))
    return type(user).objects.get(pk=user.pk)


@pytest.mark.parametrize(
    ("codename", "slug"),
    [
        ("view_appeal", "appeals"),
        ("view_activationrequest", "activation"),
        ("view_administratorrequest", "administrator-requests"),
        ("view_serviceorder", "service-orders"),
        ("view_intervalact", "interval-acts"),
        ("view_acquiringorder", "payments"),
        ("view_importjob", "imports"),
        ("view_reading", "readings"),
    ],
)
def test_each_card_only_with_the_view_permission_of_its_queue(client, codename, slug):
    client.force_login(staff_with(codename))

    page = home(client)

    slugs = re.findall(r'class="queue-card" id="queue-([a-z-]+)"', page)
    assert slugs == [slug]


def test_no_queue_rights_no_panel(client):
    client.force_login(staff_with())

    page = home(client)

    assert "Очереди" not in page and "queue-card" not in page


# --- Cost -----------------------------------------------------------------------------------------------------------


def test_the_dashboard_costs_the_same_queries_however_many_rows(client, admin):
    topics()
    households = f.HouseholdGroupFactory()
    f.OrganisationGroupFactory()
    period = readings_period(group=households, today=timezone.localdate()).period
    customer = some_user()

    def add_rows(n):
        for i in range(n):
            file_appeal(customer)
            ActivationRequest.objects.create(
                user=some_user(), full_name="Петрова", account_number="1", control="last_payment", control_answer="1"
            )
            ImportJob.objects.create(
                resource="readings", original_name=f"{i}.csv", file="imports/x.csv", status=ImportJob.Status.RUNNING
            )
            f.ReadingFactory(taken_on=period)
            f.MeterFactory(account=None, metering_point=f.MeteringPointFactory())

    assert_queries_flat(client, reverse(HOME), add_rows=add_rows, max_queries=40)


def test_groups_in_different_periods_count_each_its_own_month(client, admin):
    """On 20 November households send November (window 15–26.11) while organisations still send October
    (1.10–21.11): each group counts the readings of its own month."""
    households, organisations = f.HouseholdGroupFactory(), f.OrganisationGroupFactory()
    home_sent, home_october = f.MeterFactory(), f.MeterFactory()
    f.ReadingFactory(meter=home_sent, taken_on=datetime.date(2026, 11, 18))
    f.ReadingFactory(meter=home_october, taken_on=datetime.date(2026, 10, 20))
    point = f.MeteringPointFactory()
    firm_sent, firm_november = (f.MeterFactory(account=None, metering_point=point) for _ in range(2))
    f.ReadingFactory(meter=firm_sent, taken_on=datetime.date(2026, 10, 31))
    f.ReadingFactory(meter=firm_november, taken_on=datetime.date(2026, 11, 18))

    with time_machine.travel(datetime.datetime(2026, 11, 20, 12, tzinfo=timezone.get_current_timezone()), tick=False):
        assert readings_period(group=households, today=timezone.localdate()).period == datetime.date(2026, 11, 1)
        assert readings_period(group=organisations, today=timezone.localdate()).period == datetime.date(2026, 10, 1)
        readings_card = html_lib.unescape(card(home(client), "readings"))

    assert "Показания за ноябрь 2026: " in readings_card and "Показания за октябрь 2026: " in readings_card
    assert readings_card.count("передано 1</a> из 2 (50\xa0%)") == 2
    assert "Приём идёт: с 15.11.2026 по 26.11.2026" in readings_card
    assert "Приём идёт: с 01.10.2026 по 21.11.2026" in readings_card
