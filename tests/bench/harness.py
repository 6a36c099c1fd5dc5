"""Helpers shared by the benchmark modules (tests/bench/bench_*.py)."""

import os
import statistics
import time
from collections.abc import Callable

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

TRIVIAL_URL = "/__bench__/trivial"
WARMUP = 20
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "300"))


def server_times(client: Client, urls: list[str], rounds: int = ROUNDS) -> dict[str, list[float]]:
    """Request the URLs in turn (interleaved, so machine noise hits all alike); milliseconds each."""
    times: dict[str, list[float]] = {url: [] for url in urls}
    for round_number in range(WARMUP + rounds):
        for url in urls:
            started = time.perf_counter()
            response = client.get(url)
            elapsed = (time.perf_counter() - started) * 1000
            assert response.status_code == 200, f"{url}: {response.status_code}"
            if round_number >= WARMUP:
                times[url].append(elapsed)
    return times


def query_count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    return len(captured)


def timed(function: Callable[[], object], repeat: int = 1) -> tuple[float, object]:
    """Median wall time in seconds of `function` over `repeat` calls, and its last result."""
    durations, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        durations.append(time.perf_counter() - started)
    return statistics.median(durations), result
