"""The audit trail: who, when, what and from where; never edited, never deleted."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory

from backoffice.models import AuditAction, AuditChannel, AuditEntry, AuditImmutable
from backoffice.services.audit import audit_record, audit_request
from tests.backoffice.factories import OrganisationFactory
from tests.conftest import require_service
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def an_entry(**kwargs):
    customer = OrganisationFactory()
    clerk = UserFactory(
        first_name="Ольга", last_name="Сидорова", middle_name="Петровна", email="olga@example.test", is_staff=True
    )
    defaults = dict(
        actor=clerk,
        action=AuditAction.STAFF_EDIT,
        summary="Изменён e-mail клиента",
        subject=customer,
        customer=customer,
        changes={"email": ["old@example.test", "new@example.test"]},
    )
    return audit_record(**{**defaults, **kwargs})


def test_an_entry_says_who_what_whose_and_from_where():
    request = RequestFactory().post(
        "/admin/backoffice/customer/edit/1/", REMOTE_ADDR="198.51.100.4", HTTP_USER_AGENT="Firefox/140"
    )
    with audit_request(request):
        entry = an_entry()

    entry = AuditEntry.objects.get(pk=entry.pk)
    assert entry.actor_repr == "Сидорова Ольга Петровна <olga@example.test>"
    assert entry.changes == {"email": ["old@example.test", "new@example.test"]}
    assert entry.object_repr and entry.customer_id == entry.object_id
    assert (entry.channel, entry.ip_address, entry.user_agent) == (AuditChannel.ADMIN, "198.51.100.4", "Firefox/140")


def test_outside_a_request_the_entry_says_it_came_from_the_server():
    entry = an_entry(actor=None)

    assert entry.channel == AuditChannel.COMMAND
    assert entry.actor_id is None and entry.actor_repr == ""


def test_the_model_refuses_to_change_or_delete_an_entry():
    entry = an_entry()

    entry.summary = "Ничего не было"
    with pytest.raises(AuditImmutable):
        entry.save()
    with pytest.raises(AuditImmutable):
        entry.delete()
    with pytest.raises(AuditImmutable):
        AuditEntry.objects.filter(pk=entry.pk).update(summary="Ничего не было")
    with pytest.raises(AuditImmutable):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    assert AuditEntry.objects.get(pk=entry.pk).summary == "Изменён e-mail клиента"


def test_postgresql_refuses_raw_sql_that_would_rewrite_history():
    require_service("PostgreSQL", connection.vendor == "postgresql", "set DATABASE_URL to a PostgreSQL database")
    entry = an_entry()

    for sql in (
        "UPDATE backoffice_auditentry SET summary = 'x' WHERE id = %s",
        "DELETE FROM backoffice_auditentry WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="журнала аудита"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [entry.pk])

    assert AuditEntry.objects.get(pk=entry.pk).summary == "Изменён e-mail клиента"


def test_deleting_the_user_keeps_their_entries():
    entry = an_entry()
    clerk_id = entry.actor_id

    type(entry.actor).objects.filter(pk=clerk_id).delete()

    kept = AuditEntry.objects.get(pk=entry.pk)
    assert kept.actor_id == clerk_id and kept.actor_repr == "Сидорова Ольга Петровна <olga@example.test>"
