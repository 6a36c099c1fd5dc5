"""Appeals at scale (F-G4…F-G7): `seed_scale --appeals 100000` files 100 000 appeals over a year, a quarter of them
waiting for the company, with two messages and the log of their steps each; the benchmark user has 500.

Measured against the trivial view, with query counts: the desk's queue (first page, as it opens: what waits for the
company, most urgent first; and filtered to the overdue), «Сводка» with its counts, an appeal's card on the desk and
in the portal, and the customer's «Обращения» (the 500 appeals' open and closed tabs).

Targets (issue 8; django-helpdesk 2.6.1 with 100 000 tickets on this machine: its staff list about 1.6 s and 72
queries for the first 25 rows, its dashboard 6.4 s, a ticket about 1 s): the queue ≤ 50 ms and ≤ 15 queries, the
summary ≤ 300 ms, a card ≤ 60 ms, the customer's list ≤ 25 ms.
"""

import statistics

from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from selfservice.management.commands.seed_scale import BENCH_EMAIL
from tests.bench.harness import ROUNDS, TRIVIAL_URL, query_count, server_times
from workflows.models import Appeal
from workflows.services.appeals_scale import BENCH_APPEALS, CLERK_EMAIL


def _figure(name: str, times: list[float], trivial: float, client, url) -> dict:
    median = statistics.median(times)
    return {
        f"appeals.{name}.median_ms": {"value": round(median, 3), "unit": "ms"},
        f"appeals.{name}.p90_ms": {"value": round(statistics.quantiles(times, n=10)[-1], 3), "unit": "ms"},
        f"appeals.{name}.ratio_to_trivial": {"value": round(median / trivial, 2), "unit": "x"},
        f"appeals.{name}.queries": {"value": query_count(client, url), "unit": "queries"},
    }


def run() -> dict:
    users = get_user_model().objects
    bench = users.get(email=BENCH_EMAIL)
    clerk = users.get(email=CLERK_EMAIL.format(index=0))
    total = Appeal.objects.count()
    mine = Appeal.objects.filter(user=bench).count()
    if total < 1_000 or mine < BENCH_APPEALS:
        raise RuntimeError("Too few appeals: run `manage.py seed_scale --appeals 100000` (make bench does).")
    customer, desk = Client(), Client()
    customer.force_login(bench)
    desk.force_login(clerk)
    card_appeal = (
        Appeal.objects.filter(user=bench, state=Appeal.State.IN_PROGRESS).order_by("pk").first()
        or Appeal.objects.filter(user=bench).order_by("pk").first()
    )
    queue = reverse("workflows_appeals:index")
    overdue = queue + "?overdue=on"
    summary = reverse("workflows_appeals_desk")
    desk_card = reverse("workflows_appeals:inspect", args=[card_appeal.pk])
    portal_card = reverse("selfservice:appeal", args=[card_appeal.pk])
    open_tab, closed_tab = reverse("selfservice:appeals"), reverse("selfservice:appeals_closed")

    desk_times = server_times(desk, [TRIVIAL_URL, queue, overdue, summary, desk_card], rounds=max(ROUNDS // 3, 30))
    portal_times = server_times(customer, [TRIVIAL_URL, open_tab, closed_tab, portal_card], rounds=ROUNDS)
    desk_trivial = statistics.median(desk_times[TRIVIAL_URL])
    portal_trivial = statistics.median(portal_times[TRIVIAL_URL])
    results = {
        "appeals.dataset.appeals": {"value": total, "unit": "rows"},
        "appeals.dataset.waiting_for_the_company": {
            "value": Appeal.objects.filter(state__in=Appeal.STAFF_OPEN).count(),
            "unit": "rows",
        },
        "appeals.dataset.bench_user_appeals": {"value": mine, "unit": "rows"},
    }
    results |= _figure("desk_queue", desk_times[queue], desk_trivial, desk, queue)
    results |= _figure("desk_queue_overdue", desk_times[overdue], desk_trivial, desk, overdue)
    results |= _figure("desk_summary", desk_times[summary], desk_trivial, desk, summary)
    results |= _figure("desk_card", desk_times[desk_card], desk_trivial, desk, desk_card)
    results |= _figure("customer_list_open", portal_times[open_tab], portal_trivial, customer, open_tab)
    results |= _figure("customer_list_closed", portal_times[closed_tab], portal_trivial, customer, closed_tab)
    results |= _figure("customer_card", portal_times[portal_card], portal_trivial, customer, portal_card)
    return results
