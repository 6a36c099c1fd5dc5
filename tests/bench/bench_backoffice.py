"""Back-office screens at scale: `python -m tests.bench.run backoffice` runs every bench of this module, and each
can be run alone by its name in `BENCHES` (`python -m tests.bench.run dashboard`).

Measured through the whole Django stack against the trivial view of the same run, with query counts.
"""

import statistics

from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from backoffice.models import Meter, PersonalAccount, Reading
from tests.bench.harness import ROUNDS, TRIVIAL_URL, query_count, server_times
from workflows.models import Appeal

# --- The admin dashboard (issue 10, F-I2) -------------------------------------------------------------------------
#
# GET /admin/ for a superuser, who sees every card: appeals by state and overdue, activation requests, the
# «Администратор» requests, service orders, interval acts, stuck and declined card payments, import jobs and the
# readings of the period per customer group. Target with seed_scale data (100 000 accounts, 1 000 000 readings,
# 100 000 appeals): a median of at most 300 ms and a fixed number of queries (tests/workflows/test_dashboard.py
# checks the number stays flat as rows are added).

DASHBOARD_EMAIL = "dashboard-bench@scale.energokabinet.example"


def _dashboard_user():
    """A superuser (every card), introduced, so the portal's identity gate lets the trivial view through."""
    users = get_user_model().objects
    if not users.filter(email=DASHBOARD_EMAIL).exists():
        users.create_user(DASHBOARD_EMAIL, None, is_staff=True, is_superuser=True)
    users.filter(email=DASHBOARD_EMAIL).update(
        last_name="Нагрузка", first_name="Панель", phone="+79110000097", email_confirmed_at=timezone.now()
    )
    return users.get(email=DASHBOARD_EMAIL)


def dashboard() -> dict:
    if PersonalAccount.objects.count() < 1_000:
        raise RuntimeError("Too few accounts: run `manage.py seed_scale` (make bench does).")
    client = Client()
    client.force_login(_dashboard_user())
    url = reverse("wagtailadmin_home")
    assert "queue-readings" in client.get(url).content.decode(), "the dashboard shows no readings card"
    times = server_times(client, [TRIVIAL_URL, url], rounds=max(ROUNDS // 3, 30))
    median, trivial = statistics.median(times[url]), statistics.median(times[TRIVIAL_URL])
    return {
        "dashboard.dataset.accounts": {"value": PersonalAccount.objects.count(), "unit": "rows"},
        "dashboard.dataset.meters": {"value": Meter.objects.count(), "unit": "rows"},
        "dashboard.dataset.readings": {"value": Reading.objects.count(), "unit": "rows"},
        "dashboard.dataset.appeals": {"value": Appeal.objects.count(), "unit": "rows"},
        "dashboard.admin_home.median_ms": {"value": round(median, 3), "unit": "ms"},
        "dashboard.admin_home.p90_ms": {"value": round(statistics.quantiles(times[url], n=10)[-1], 3), "unit": "ms"},
        "dashboard.admin_home.ratio_to_trivial": {"value": round(median / trivial, 2), "unit": "x"},
        "dashboard.admin_home.queries": {"value": query_count(client, url), "unit": "queries"},
    }


# --- The customer 360 view (issue 10, «Customer 360») ---------------------------------------------------------------
#
# «Поиск клиента» by each key the box understands and the card of a customer with many rows: 240 documents and
# payments, 600 readings, 300 notifications, letters and audit entries, two portal users (one of them the portal
# benchmark user with its appeals). The customer is made here once (seed_scale gives nobody e-mails or documents).
# Targets with seed_scale data: the search ≤ 100 ms median, the card ≤ 150 ms, each a fixed number of queries
# (tests/workflows/test_customer360.py checks the counts stay flat as rows are added). An only hit answers with a
# redirect to the card: that answer is what the box costs.

C360_EMAIL = "customer360-bench@scale.energokabinet.example"
C360_ACCOUNT = "990000360"
C360_PHONE = "+79110360360"
C360_ROWS = 240


def _c360_customer():
    """The benchmark's customer with its rows, made on the first run and found on the next ones."""
    import datetime
    from decimal import Decimal

    from backoffice.models import AuditEntry, Customer, CustomerGroup, Document, Notification, OutboxMessage, Payment
    from backoffice.models.audit import AuditAction, AuditChannel
    from backoffice.models.billing import Balance
    from backoffice.models.choices import CustomerKind, DocumentType, SalesKind
    from selfservice.management.commands.seed_scale import BENCH_EMAIL
    from selfservice.models import AccountLink

    account = PersonalAccount.objects.filter(number=C360_ACCOUNT).select_related("customer").first()
    if account is not None:
        return account.customer
    users = get_user_model().objects
    customer = Customer.objects.create(
        kind=CustomerKind.PERSON,
        group=CustomerGroup.objects.filter(customer_kind=CustomerKind.PERSON).order_by("pk").first(),
        last_name="Бенчмаркова",
        first_name="Вера",
        middle_name="Петровна",
        email="Vera.Bench@scale.energokabinet.example",
        phone=C360_PHONE,
    )
    account = PersonalAccount.objects.create(number=C360_ACCOUNT, customer=customer, address="г. Энергоград, д. 360")
    owner = users.create_user(C360_EMAIL, None, last_name="Бенчмаркова", first_name="Вера", phone="+79110360361")
    for user in (owner, users.get(email=BENCH_EMAIL)):
        AccountLink.objects.create(user=user, account=account)
    for kind in (SalesKind.MAIN, SalesKind.PENALTY):
        Balance.objects.create(account=account, sales_kind=kind, amount=Decimal("1234.56"))
    start = datetime.date(2006, 1, 1)
    months = [datetime.date(start.year + index // 12, index % 12 + 1, 1) for index in range(C360_ROWS)]
    Document.objects.bulk_create(
        Document(
            account=account,
            number=f"КВ-360-{index:04d}",
            type=DocumentType.RECEIPT,
            period=month,
            issued_on=month + datetime.timedelta(days=31),
            amount=Decimal("643.20"),
        )
        for index, month in enumerate(months)
    )
    Payment.objects.bulk_create(
        Payment(account=account, paid_on=month + datetime.timedelta(days=40), amount=Decimal("643.20"))
        for month in months
    )
    meter = Meter.objects.create(serial="C360-0001", model="СОЭЭ 6706", account=account)
    Reading.objects.bulk_create(
        Reading(meter=meter, value=Decimal(index * 10), taken_on=start + datetime.timedelta(days=index * 7))
        for index in range(600)
    )
    Notification.objects.bulk_create(
        Notification(user=owner, kind=Notification.Kind.MESSAGE, title=f"Сообщение {index}") for index in range(300)
    )
    OutboxMessage.objects.bulk_create(
        OutboxMessage(recipient=C360_EMAIL, template="notification", subject=f"Письмо {index}", user=owner)
        for index in range(300)
    )
    AuditEntry.objects.bulk_create(
        AuditEntry(
            action=AuditAction.STAFF_EDIT, summary=f"Правка {index}", customer=customer, channel=AuditChannel.ADMIN
        )
        for index in range(300)
    )
    return customer


def _c360_times(client, urls: list[str], rounds: int) -> dict[str, list[float]]:
    """As harness.server_times, but an only hit's redirect to the card is a right answer too."""
    import time

    times = {url: [] for url in urls}
    for round_number in range(20 + rounds):
        for url in urls:
            started = time.perf_counter()
            response = client.get(url)
            elapsed = (time.perf_counter() - started) * 1000
            assert response.status_code in (200, 302), f"{url}: {response.status_code}"
            if round_number >= 20:
                times[url].append(elapsed)
    return times


def customer360() -> dict:
    from backoffice.models import Contract

    if PersonalAccount.objects.count() < 1_000:
        raise RuntimeError("Too few accounts: run `manage.py seed_scale` (make bench does).")
    customer = _c360_customer()
    contract = Contract.objects.select_related("customer").order_by("pk").first()
    client = Client()
    client.force_login(_dashboard_user())
    search = reverse("workflows_customer_search")
    queries = {
        "account": C360_ACCOUNT,
        "account_prefix": C360_ACCOUNT[:5],
        "contract": contract.number if contract else "79000000000001",
        "inn": contract.customer.inn if contract and contract.customer.inn else "9800000013",
        "email": "vera.bench@scale.energokabinet.example",
        "user_email": C360_EMAIL,
        "phone": "8 (911) 036-03-60",
        "name": "Бенчмаркова Вера",
        "common_name": "Павлова",
    }
    urls = {name: f"{search}?q={value}" for name, value in queries.items()}
    card = reverse("workflows_customer_card", args=[customer.pk])
    assert "Бенчмаркова" in client.get(card).content.decode(), "the card does not show the customer"
    rounds = max(ROUNDS // 3, 30)
    times = _c360_times(client, [TRIVIAL_URL, card, *urls.values()], rounds=rounds)
    trivial = statistics.median(times[TRIVIAL_URL])
    results = {}
    for name, url in [("card", card), *((f"search_{name}", url) for name, url in urls.items())]:
        median = statistics.median(times[url])
        results |= {
            f"customer360.{name}.median_ms": {"value": round(median, 3), "unit": "ms"},
            f"customer360.{name}.p90_ms": {"value": round(statistics.quantiles(times[url], n=10)[-1], 3), "unit": "ms"},
            f"customer360.{name}.ratio_to_trivial": {"value": round(median / trivial, 2), "unit": "x"},
            f"customer360.{name}.queries": {"value": query_count(client, url), "unit": "queries"},
        }
    return results


# --- Registration ---------------------------------------------------------------------------------------------------

BENCHES = {"dashboard": dashboard, "customer360": customer360}


def run() -> dict:
    results = {}
    for bench in BENCHES.values():
        results |= bench()
    return results
