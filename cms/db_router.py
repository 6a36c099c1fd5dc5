"""Reads of the system of record from a PostgreSQL replica (F-J2; ARCHITECTURE «Scale»).

With DATABASE_REPLICA_URL set, the portal's safe requests (GET, HEAD) read the system of record's tables —
accounts, contracts, meters, readings, documents, payments, tariffs, the `backoffice` app — from the replica,
so pages and the selectors behind them take load off the primary. Everything else reads the primary:
sessions, users and permissions (a stale session would sign a customer out), every read inside a
transaction, and every request of a browser that wrote a moment ago — after a POST the browser is pinned
to the primary for REPLICA_PIN_SECONDS, so the page it is redirected to shows its own change even if
the replica lags. Writes always go to the primary.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import connections

REPLICA = "replica"
REPLICA_APPS = frozenset({"backoffice"})
PIN_COOKIE = "db_primary"

_reads_allowed: ContextVar[bool] = ContextVar("replica_reads_allowed", default=False)


@contextmanager
def replica_reads():
    """Within this block the system of record's reads may go to the replica (when one is configured)."""
    token = _reads_allowed.set(True)
    try:
        yield
    finally:
        _reads_allowed.reset(token)


def replica_enabled() -> bool:
    return settings.REPLICA_READS and REPLICA in settings.DATABASES


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if not (_reads_allowed.get() and replica_enabled()) or model._meta.app_label not in REPLICA_APPS:
            return None
        if connections["default"].in_atomic_block:
            return None  # a transaction reads what it wrote
        return REPLICA

    def db_for_write(self, model, **hints):
        return None

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica is a copy of the primary: its rows are the same rows

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # A real replica receives the schema by replication; the tests' second database is migrated instead.
        return db != REPLICA or settings.REPLICA_MIGRATE


class ReplicaReadsMiddleware:
    """Lets safe requests read from the replica, except for a browser pinned to the primary after a write."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not replica_enabled():
            return self.get_response(request)
        if request.method not in ("GET", "HEAD") or PIN_COOKIE in request.COOKIES:
            response = self.get_response(request)
        else:
            with replica_reads():
                response = self.get_response(request)
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            response.set_cookie(
                PIN_COOKIE,
                "1",
                max_age=settings.REPLICA_PIN_SECONDS,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response
