"""The audit trail's only writer (ARCHITECTURE «Where code lives»: services write audit entries).

Services call `audit_record` inside their transaction with the actor, the action, the object and the details;
where the change came from (portal or admin, the address, the browser, the request id) is taken from the
request `backoffice.middleware.AuditOriginMiddleware` is serving, or is «Фоновая задача» / «Команда сервера».
"""

from __future__ import annotations

import contextvars
import datetime
import functools
import json
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal

from axes.helpers import get_client_ip_address
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django_guid import get_guid

from ..models.audit import AuditAction, AuditChannel, AuditEntry
from ..models.parties import Customer

USER_AGENT_LENGTH = 300
ADMIN_PREFIX = "/admin/"  # cms/urls.py


@dataclass(frozen=True)
class AuditOrigin:
    channel: str
    ip_address: str | None = None
    user_agent: str = ""


# The request being served: where it came from is worked out only when an entry is written, not on every request.
_request: contextvars.ContextVar = contextvars.ContextVar("audit_request", default=None)


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
def audit_request(request):
    """The entries written inside say they came from `request` (AuditOriginMiddleware wraps every request)."""
    token = _request.set(request)
    try:
        yield
    finally:
        _request.reset(token)


def _current_origin() -> AuditOrigin:
    request = _request.get()
    if request is not None:
        return origin_from_request(request)
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


# --- Whose: the customer a changed object belongs to ---------------------------------------------------------------

# The foreign keys that lead from an object up to its customer, tried in this order: a reading → its meter → the
# meter's account (→ customer) or metering point → energy object → contract (→ customer). Appeals, orders, requests,
# roles and account links reach it through their `account` or `contract` the same way.
CUSTOMER_RELATIONS = ("customer", "account", "contract", "energy_object", "metering_point", "meter")


@functools.cache
def _customer_fields(model) -> tuple:
    fields = []
    for name in CUSTOMER_RELATIONS:
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if field.many_to_one and field.concrete:
            fields.append(field)
    return tuple(fields)


@functools.cache
def _customer_paths(model) -> tuple[str, ...]:
    """ORM paths from `model` to its customer's id, e.g. ("account__customer_id", "metering_point__…")."""
    paths = []
    for field in _customer_fields(model):
        if field.related_model is Customer:
            paths.append(field.attname)
        else:
            paths += [f"{field.name}__{path}" for path in _customer_paths(field.related_model)]
    return tuple(paths)


def audit_customer_of(obj) -> int | None:
    """The id of the customer whose 360 view shows a change of `obj`; None for what is nobody's (a tariff).

    Follows the first foreign key that is set (see CUSTOMER_RELATIONS). Relations already loaded cost nothing;
    otherwise one query with joins reads the id, whatever the depth.
    """
    if obj is None:
        return None
    if isinstance(obj, Customer):
        return obj.pk
    for field in _customer_fields(type(obj)):
        related_id = getattr(obj, field.attname)
        if related_id is None:
            continue
        if field.related_model is Customer:
            return related_id
        if field.is_cached(obj):
            return audit_customer_of(getattr(obj, field.name))
        paths = _customer_paths(field.related_model)
        row = field.related_model._default_manager.filter(pk=related_id).values_list(*paths).first() if paths else None
        return next((value for value in row or () if value is not None), None)
    return None


# --- What: objects and values as a person reads them -------------------------------------------------------------

HIDDEN = "••••••"
SECRET_WORDS = ("password", "secret", "token", "hash")  # such fields are named as changed, their values never kept


def audit_label(subject) -> str:
    """«Обращение № 12», «Договор № 1…», «Заявка на активацию «ЛС 1 · Иванов»»: how a summary names an object."""
    verbose = str(subject._meta.verbose_name)
    if number := getattr(subject, "number", ""):
        return f"{capfirst(verbose)} № {number}"
    text = str(subject)
    if text.lower().startswith(verbose.split()[0].lower()):
        return text
    return f"{capfirst(verbose)} «{text}»"


def audit_value(value):
    """A value as the audit trail keeps it: what a person reads (dates DD.MM.YYYY, «Да»/«Нет», names)."""
    if value is None or value == "" or value == [] or value == ():
        return None
    if isinstance(value, bool):
        return _("Да") if value else _("Нет")
    if isinstance(value, datetime.datetime):
        return (
            timezone.localtime(value).strftime("%d.%m.%Y %H:%M")
            if timezone.is_aware(value)
            else f"{value:%d.%m.%Y %H:%M}"
        )
    if isinstance(value, datetime.date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, Decimal):
        return str(value).replace(".", ",")
    if isinstance(value, int | float | str):
        return value
    if isinstance(value, FieldFile):
        return value.name or None
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, list | tuple | set | frozenset | models.QuerySet):
        return ", ".join(sorted(str(audit_value(item)) for item in value)) or None
    if isinstance(value, dict):
        return value
    return str(value)


def _is_secret(name: str) -> bool:
    return any(word in name.lower() for word in SECRET_WORDS)


def _model_field_value(field, raw, *, instance=None):
    """`raw` as the form or the instance holds it (a pk for a foreign key, a choice's code) made readable."""
    if field.many_to_one or field.one_to_one:
        if instance is not None and field.is_cached(instance):
            return audit_value(getattr(instance, field.name))
        if raw in (None, ""):
            return None
        if isinstance(raw, models.Model):
            return str(raw)
        related = field.related_model._default_manager.filter(pk=raw).first()
        return str(related) if related is not None else str(raw)
    if field.many_to_many:
        return audit_value(list(raw or ()))
    if field.choices and raw not in (None, ""):
        return str(dict(field.flatchoices).get(raw, raw))
    return audit_value(raw)


def _form_field(form, name):
    """The model field behind a form field, or None for a form-only one."""
    try:
        return form._meta.model._meta.get_field(name)
    except (AttributeError, FieldDoesNotExist):
        return None


def _label(form, name, model_field) -> str:
    if model_field is not None:
        return capfirst(str(model_field.verbose_name))
    return str(form.fields[name].label or name)


def staff_form_changes(form, *, created: bool) -> dict:
    """{"Поле": [было, стало]} of a saved admin form: every filled field of a new object, the changed ones of an
    edit (the form's initial data against what was saved). Secrets are named, never kept."""
    instance = form.instance
    names = list(form.fields) if created else list(form.changed_data)
    changes = {}
    for name in names:
        model_field = _form_field(form, name)
        label = _label(form, name, model_field)
        if _is_secret(name):
            changes[label] = [HIDDEN if not created else None, HIDDEN]
            continue
        if model_field is not None and model_field.many_to_many:
            new = audit_value(list(form.cleaned_data.get(name) or ()))
        elif model_field is not None:
            new = _model_field_value(model_field, model_field.value_from_object(instance), instance=instance)
        else:
            new = audit_value(form.cleaned_data.get(name))
        if created:
            if new is not None:
                changes[label] = [None, new]
            continue
        raw_old = form.initial.get(name)
        old = _model_field_value(model_field, raw_old) if model_field is not None else audit_value(raw_old)
        if old != new:
            changes[label] = [old, new]
    return changes


def instance_snapshot(instance) -> dict:
    """{"Поле": [значение, None]} of an object about to be deleted: what is gone."""
    changes = {}
    for field in instance._meta.concrete_fields:
        if field.primary_key or _is_secret(field.name):
            continue
        value = _model_field_value(field, field.value_from_object(instance), instance=instance)
        if value is not None:
            changes[capfirst(str(field.verbose_name))] = [value, None]
    return changes


def audit_staff_save(*, actor, form, created: bool) -> AuditEntry | None:
    """A staff member added or edited an object through an admin form; nothing is written for an edit that
    changed nothing."""
    instance = form.instance
    changes = staff_form_changes(form, created=created)
    if not created and not changes:
        return None
    kind = str(instance._meta.verbose_name)
    if created:
        summary = _("Добавлено: %(kind)s «%(object)s»") % {"kind": kind, "object": instance}
    else:
        fields = ", ".join(label.lower() for label in changes)
        summary = _("Изменено: %(kind)s «%(object)s» (%(fields)s)") % {
            "kind": kind,
            "object": instance,
            "fields": fields,
        }
    return audit_record(
        actor=actor,
        action=AuditAction.STAFF_EDIT,
        summary=summary,
        subject=instance,
        customer=audit_customer_of(instance),
        changes=changes,
    )


def audit_staff_delete(*, actor, instance) -> AuditEntry:
    """A staff member deletes `instance`: call it before the delete, in its transaction (the row still exists)."""
    summary = _("Удалено: %(kind)s «%(object)s»") % {"kind": instance._meta.verbose_name, "object": instance}
    return audit_record(
        actor=actor,
        action=AuditAction.STAFF_EDIT,
        summary=summary,
        subject=instance,
        customer=audit_customer_of(instance),
        changes=instance_snapshot(instance),
    )
