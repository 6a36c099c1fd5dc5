"""«Отчёты» (issue 10, F-I4) on seed_scale data: `python -m tests.bench.run reports`.

Each report page as a member of staff opens it (its default filters) and over a wide range — «Передача показаний»
for 12 months, «Платежи по дням» for 186 days, «Обращения по темам» for a year — plus «Скачать в Excel» of the
readings report; the median server time against the trivial view of the same run, and the query count (fixed
whatever the data: tests/backoffice/test_reports.py and tests/workflows/test_appeals_report.py check it stays flat).

The reports are GROUP BY queries over whole tables (readings by month, documents with a debt, payments of the range,
appeals of the range), so their time grows with the rows read, not with the rows shown. Target with 100 000
accounts / 1 000 000 readings: each page ≤ 1 s median (a report is opened a few times a day, not on every click).
seed_scale makes no documents or payments: run `manage.py billing_run --period …` first for debts to measure.
"""

import datetime
import statistics

from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from backoffice.models import Document, Meter, Payment, PersonalAccount, Reading
from backoffice.services.periods import add_months, month_start
from tests.bench.harness import ROUNDS, TRIVIAL_URL, query_count, server_times
from workflows.models import Appeal

REPORTS_EMAIL = "reports-bench@scale.energokabinet.example"


def _staff():
    """A superuser (every report), introduced, so the portal's identity gate lets the trivial view through."""
    users = get_user_model().objects
    if not users.filter(email=REPORTS_EMAIL).exists():
        users.create_user(REPORTS_EMAIL, None, is_staff=True, is_superuser=True)
    users.filter(email=REPORTS_EMAIL).update(
        last_name="Нагрузка", first_name="Отчёты", phone="+79110000096", email_confirmed_at=timezone.now()
    )
    return users.get(email=REPORTS_EMAIL)


def _urls() -> dict[str, str]:
    today = timezone.localdate()
    this_month = month_start(today)
    year_ago = today - datetime.timedelta(days=364)
    return {
        "readings": "/admin/reports/readings/",
        "readings_12_months": (
            f"/admin/reports/readings/?period_from={add_months(this_month, -11):%m.%Y}&period_to={this_month:%m.%Y}"
        ),
        "readings_xlsx": "/admin/reports/readings/?export=xlsx",
        "debts": "/admin/reports/debts/",
        "debts_by_sales_kind": "/admin/reports/debts/?split=sales_kind",
        "payments": "/admin/reports/payments/",
        "payments_186_days": (
            f"/admin/reports/payments/?date_from={today - datetime.timedelta(days=185):%d.%m.%Y}"
            f"&date_to={today:%d.%m.%Y}"
        ),
        "appeals": "/admin/reports/appeals/",
        "appeals_year": f"/admin/reports/appeals/?date_from={year_ago:%d.%m.%Y}&date_to={today:%d.%m.%Y}",
    }


def run() -> dict:
    if PersonalAccount.objects.count() < 1_000:
        raise RuntimeError("Too few accounts: run `manage.py seed_scale` (make bench does).")
    client = Client()
    client.force_login(_staff())
    urls = _urls()
    for url in urls.values():
        response = client.get(url)
        assert response.status_code == 200, f"{url}: {response.status_code}"
        assert url.endswith("xlsx") or b'class="listing"' in response.content, f"{url} shows no table"
    times = server_times(client, [TRIVIAL_URL, *urls.values()], rounds=max(ROUNDS // 10, 10))
    trivial = statistics.median(times[TRIVIAL_URL])
    results = {
        "reports.dataset.accounts": {"value": PersonalAccount.objects.count(), "unit": "rows"},
        "reports.dataset.meters": {"value": Meter.objects.count(), "unit": "rows"},
        "reports.dataset.readings": {"value": Reading.objects.count(), "unit": "rows"},
        "reports.dataset.open_documents": {"value": Document.objects.filter(amount_due__gt=0).count(), "unit": "rows"},
        "reports.dataset.payments": {"value": Payment.objects.count(), "unit": "rows"},
        "reports.dataset.appeals": {"value": Appeal.objects.count(), "unit": "rows"},
    }
    for name, url in urls.items():
        median = statistics.median(times[url])
        results |= {
            f"reports.{name}.median_ms": {"value": round(median, 3), "unit": "ms"},
            f"reports.{name}.ratio_to_trivial": {"value": round(median / trivial, 2), "unit": "x"},
            f"reports.{name}.queries": {"value": query_count(client, url), "unit": "queries"},
        }
    return results
