from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from .selectors import news_index
from .services import news_mark_all_read


def _check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def _check_redis() -> str:
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2)
    client.ping()
    return "ok"


def _check_migrations() -> str:
    """Every migration of the code is applied: a process of a new release is not ready before `migrate` ran."""
    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if pending:
        raise RuntimeError(f"{len(pending)} migrations not applied")
    return "ok"


@never_cache
def healthz(request):
    """Liveness for the proxy and the orchestrator: the database and, when configured, Redis."""
    return _health({"database": _check_database, **({"redis": _check_redis} if settings.REDIS_URL else {})})


@never_cache
def readyz(request):
    """Readiness: as /healthz, and every migration applied; the proxy sends traffic only to a ready process."""
    checks = {"database": _check_database, "migrations": _check_migrations}
    if settings.REDIS_URL:
        checks["redis"] = _check_redis
    return _health(checks)


def _health(checks: dict) -> JsonResponse:
    results, healthy = {}, True
    for name, check in checks.items():
        try:
            results[name] = check()
        except Exception as error:  # any failure means "not healthy", with the reason shown
            results[name] = f"error: {error.__class__.__name__}"
            healthy = False
    return JsonResponse({"status": "ok" if healthy else "error", "checks": results}, status=200 if healthy else 503)


@require_POST
@login_required
def news_read_all(request):
    """«Отметить все как прочитанные» on «Новости»: back to the list, nothing bold any more."""
    news_mark_all_read(user=request.user)
    messages.success(request, _("Все новости отмечены как прочитанные."))
    index = news_index()
    return redirect(index.url if index else "/")
