"""Query-count checks for list pages: the count stays flat as rows are added (no N+1)."""

from collections.abc import Callable

from django.db import connection
from django.test.utils import CaptureQueriesContext


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, f"{url} answered {response.status_code}"
    return len(captured)


def assert_queries_flat(client, url: str, *, add_rows: Callable[[int], object], max_queries: int) -> int:
    """Add rows with `add_rows(n)`, render `url` once to warm up, render, add more rows, render again: both
    within `max_queries` and equal.

    Use it on every list page, e.g.
        assert_queries_flat(
            client, reverse("selfservice:appeals"),
            add_rows=lambda n: AppealFactory.create_batch(n, user=user), max_queries=12,
        )
    """
    add_rows(2)
    count_queries(client, url)  # warm-up: what a running process holds already (content types, site settings)
    few = count_queries(client, url)
    add_rows(20)
    many = count_queries(client, url)
    assert few <= max_queries, f"{url}: {few} queries, at most {max_queries} expected"
    assert many == few, f"{url}: {few} queries with few rows but {many} with more rows (N+1?)"
    return many
