"""Fixtures every test may use."""

import os

import pytest
from django.conf import settings
from django.core.cache import cache

from tests.factories import UserFactory

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require_service(name: str, available: bool, how: str) -> None:
    """Fail in CI when a service is missing; elsewhere skip with a visible reason."""
    if available:
        return
    message = f"{name} is not configured: {how}"
    if IN_CI:
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture(autouse=True)
def django_db_serialized_rollback():
    """Every transactional test restores the rows of the data migrations (the home page, the groups).

    A transactional test empties the tables when it ends; without this, the flush re-creates content types
    with new ids, and the next test that restores the serialized rows collides with them. pytest-django
    reads this fixture's name; it changes nothing for ordinary (rolled back) tests. The rows are serialized at
    start-up only for databases a `django_db(serialized_rollback=True)` marker names (the browser journeys do),
    so keep those markers.
    """


@pytest.fixture(autouse=True)
def empty_cache():
    """Rate limits and captcha counters live in the cache: every test starts with none spent."""
    cache.clear()
    yield


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def signed_in_client(client, user):
    client.force_login(user)
    return client


def worker_queues() -> list[str]:
    """Every queue a task can be routed to: the test worker listens to all of them, as `make worker` does."""
    routed = {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()}
    return sorted(routed | {settings.CELERY_TASK_DEFAULT_QUEUE})


@pytest.fixture
def redis_worker():
    """A real Celery worker in this process, taking tasks from the Redis broker (REDIS_URL)."""
    require_service("Redis", bool(settings.REDIS_URL), "set REDIS_URL=redis://127.0.0.1:6379/15")
    from celery.contrib.testing.worker import start_worker

    from cms.celery import app

    app.conf.update(task_always_eager=False, broker_url=settings.REDIS_URL)
    try:
        with start_worker(
            # No ping task: it needs a result backend, which the project has none of; start_worker waits for
            # the worker to be ready anyway, and each test waits for its task's effect.
            app,
            pool="solo",
            perform_ping_check=False,
            shutdown_timeout=10,
            queues=worker_queues(),
        ) as worker:
            yield worker
    finally:
        app.conf.update(task_always_eager=settings.CELERY_TASK_ALWAYS_EAGER)
