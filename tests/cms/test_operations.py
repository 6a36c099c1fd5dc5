"""What operations rely on (issue 11): readiness, request ids in logs and tasks, queues, the compose file."""

import json
import logging
from pathlib import Path
from unittest import mock

import pytest
import yaml
from django.conf import settings
from pythonjsonlogger.json import JsonFormatter

from cms.celery import app
from cms.settings.base import LOGGING

pytestmark = pytest.mark.django_db

DEPLOY = Path(settings.BASE_DIR) / "deploy"


def test_readyz_is_ready_when_every_migration_is_applied(client):
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json()["checks"]["migrations"] == "ok"


def test_readyz_is_not_ready_while_migrations_wait(client):
    with mock.patch("cms.views.MigrationExecutor") as executor:
        executor.return_value.migration_plan.return_value = [("backoffice", "0099_new")]
        response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["checks"]["migrations"] == "error: RuntimeError"


def test_every_response_names_its_request_and_keeps_the_proxys_id(client):
    portal = client.get("/login/")
    given = client.get("/login/", HTTP_X_REQUEST_ID="a1b2c3d4e5f6")

    assert len(portal["X-Request-ID"]) == 32
    assert given["X-Request-ID"] == "a1b2c3d4e5f6"


def test_a_json_log_line_carries_the_request_id():
    config = LOGGING["formatters"]["json"]  # the tests log plainly; production writes JSON with this formatter
    formatter = JsonFormatter(config["format"], rename_fields=config["rename_fields"], json_ensure_ascii=False)
    record = logging.LogRecord("selfservice", logging.WARNING, __file__, 1, "Вход с нового устройства", None, None)
    record.correlation_id, record.celery_parent_id = "a1b2c3d4e5f6", None

    line = json.loads(formatter.format(record))

    assert line["request_id"] == "a1b2c3d4e5f6" and line["level"] == "WARNING"
    assert line["message"] == "Вход с нового устройства"


@pytest.mark.parametrize(
    ("task", "queue"),
    [
        ("backoffice.tasks.outbox_deliver_task", "mail"),
        ("backoffice.pdf.tasks.document_render_pdf_task", "documents"),
        ("backoffice.exchange.tasks.import_job_run_task", "imports"),
        ("backoffice.tasks.billing_run_task", "billing"),
        ("selfservice.tasks.purge_expired_one_time_codes", "default"),
    ],
)
def test_each_kind_of_work_has_its_queue(task, queue):
    assert app.amqp.router.route({}, task)["queue"].name == queue


def test_the_compose_file_is_valid_and_runs_every_process():
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())

    services = compose["services"]
    assert {"proxy", "web", "worker-default", "worker-documents", "worker-batch", "beat", "postgres", "redis"} <= set(
        services
    )
    assert "--max-tasks-per-child" in services["worker-documents"]["command"]
    queues = " ".join(services[name]["command"] for name in services if name.startswith("worker-"))
    for queue in ("default", "mail", "documents", "imports", "billing"):
        assert queue in queues
    assert services["web"]["healthcheck"]["test"][-1].endswith("/readyz')")


def test_the_proxy_serves_private_files_only_from_an_internal_location():
    nginx = (DEPLOY / "nginx.conf").read_text()
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())

    block = nginx[nginx.index("location /internal/private/") :].split("}", 1)[0]
    assert "internal;" in block
    assert compose["x-app"]["environment"]["PRIVATE_MEDIA_ACCEL_REDIRECT"] == "/internal/private/"
