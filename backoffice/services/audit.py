"""The audit trail's only writer (ARCHITECTURE «Where code lives»: services write audit entries).

Services call `audit_record` inside their transaction with the actor, the action, the object and the details;
where the change came from (portal or admin, the address, the browser, the request id) is taken from the
request `backoffice.middleware.AuditOriginMiddleware` is serving, or is «Фоновая задача» / «Команда сервера».
"""

from __future__ import annotations

import contextvars
import json
from contextlib import contextmanager
from dataclasses import dataclass

from axes.helpers import get_client_ip_address
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django_guid import get_guid

from ..models.audit import AuditAction, AuditChannel, AuditEntry

USER_AGENT_LENGTH = 300
ADMIN_PREFIX = "/admin/"  # cms/urls.py


@dataclass(frozen=True)
class AuditOrigin:
    channel: str
    ip_address: str | None = None
    user_agent: str = ""


_origin: contextvars.ContextVar[AuditOrigin | None] = contextvars.ContextVar("audit_origin", default=None)


def origin_from_request(request) -> AuditOrigin:
    if request.path.startswith(ADMIN_PREFIX):
        channel = AuditChannel.ADMIN
    elif request.path.startswith("/api/"):
        channel = AuditChannel.API
    else:
        channel = AuditChannel.PORTAL
    return AuditOrigin(
        channel=channel,
        ip_address=get_client_ip_address(request) or None,
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:USER_AGENT_LENGTH],
    )


@contextmanager
def audit_origin(origin: AuditOrigin):
    token = _origin.set(origin)
    try:
        yield
    finally:
        _origin.reset(token)


def _current_origin() -> AuditOrigin:
    origin = _origin.get()
    if origin is not None:
        return origin
    from celery import current_task  # a worker's task: no request, but not a person at a console either

    if current_task and current_task.request.id and not current_task.request.is_eager:
        return AuditOrigin(channel=AuditChannel.TASK)
    return AuditOrigin(channel=AuditChannel.COMMAND)


def _json_safe(details: dict) -> dict:
    return json.loads(json.dumps(details, cls=DjangoJSONEncoder, ensure_ascii=False))


def audit_record(
    *,
    actor,
    action: AuditAction | str,
    summary: str,
    subject=None,
    customer=None,
    changes: dict | None = None,
) -> AuditEntry:
    """Write one entry of the audit trail in the caller's transaction.

    `actor` is the user who acted (None for the system: beat jobs, bank notifications); `subject` the object changed;
    `customer` whose 360 view shows the entry (a Customer or its id); `changes` the details, e.g. changed fields
    as {"field": [old, new]}.
    """
    origin = _current_origin()
    is_person = actor is not None and getattr(actor, "pk", None) is not None
    entry = AuditEntry(
        action=action,
        summary=str(summary)[:500],
        changes=_json_safe(changes or {}),
        customer_id=getattr(customer, "pk", customer),
        actor_id=actor.pk if is_person else None,
        actor_repr=_person_name(actor) if is_person else "",
        channel=origin.channel,
        ip_address=origin.ip_address,
        user_agent=origin.user_agent,
        request_id=get_guid() or "",
    )
    if subject is not None:
        entry.content_type = ContentType.objects.get_for_model(subject, for_concrete_model=False)
        entry.object_id = subject.pk
        entry.object_repr = str(subject)[:300]
    entry.save(force_insert=True)
    return entry


def _person_name(user) -> str:
    full_name = user.get_full_name() if hasattr(user, "get_full_name") else ""
    email = getattr(user, "email", "") or str(user)
    return f"{full_name} <{email}>" if full_name else email


def field_changes(before: dict, after: dict) -> dict:
    """{"field": [old, new]} for the fields whose value differs: the «what» of a staff edit."""
    return {name: [before.get(name), value] for name, value in after.items() if before.get(name) != value}
