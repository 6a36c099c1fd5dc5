"""Query-count checks for list pages: the count stays flat as rows are added (no N+1)."""

from collections.abc import Callable

from django.db import connection
from django.test.utils import CaptureQueriesContext


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, f"{url} answered {response.status_code}"
    return len(captured)


def steady_count(client, url: str) -> int:
    """The queries of a render once the caches a running site keeps are filled: content types, the company's
    settings, the cached content an added row has just invalidated (cms/cache.py)."""
    count_queries(client, url)
    return count_queries(client, url)


def assert_queries_flat(client, url: str, *, add_rows: Callable[[int], object], max_queries: int) -> int:
    """Add rows with `add_rows(n)` and count a render, add more rows and count again: both within `max_queries`
    and equal. Each count follows a warm-up render (`steady_count`).

    Use it on every list page, e.g.
        assert_queries_flat(
            client, reverse("selfservice:appeals"),
            add_rows=lambda n: AppealFactory.create_batch(n, user=user), max_queries=12,
        )
    """
    add_rows(2)
    few = steady_count(client, url)
    add_rows(20)
    many = steady_count(client, url)
    assert few <= max_queries, f"{url}: {few} queries, at most {max_queries} expected"
    assert many == few, f"{url}: {few} queries with few rows but {many} with more rows (N+1?)"
    return many
