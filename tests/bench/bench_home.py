"""The portal home page against the trivial view, and its query count."""

import statistics

from django.contrib.auth import get_user_model
from django.test import Client

from selfservice.management.commands.seed_scale import BENCH_EMAIL
from tests.bench.harness import TRIVIAL_URL, query_count, server_times


def run() -> dict:
    client = Client()
    client.force_login(get_user_model().objects.get(email=BENCH_EMAIL))
    times = server_times(client, [TRIVIAL_URL, "/"])
    trivial_ms, home_ms = statistics.median(times[TRIVIAL_URL]), statistics.median(times["/"])
    return {
        "trivial_view.median_ms": {"value": round(trivial_ms, 3), "unit": "ms"},
        "home_page.median_ms": {"value": round(home_ms, 3), "unit": "ms"},
        "home_page.p90_ms": {"value": round(statistics.quantiles(times["/"], n=10)[-1], 3), "unit": "ms"},
        "home_page.ratio_to_trivial": {"value": round(home_ms / trivial_ms, 2), "unit": "x"},
        "home_page.queries": {"value": query_count(client, "/"), "unit": "queries"},
    }
