"""Reads of the audit trail for the pages that show it (the customer 360 view, F-I3)."""

from django.db.models import QuerySet

from .models import AuditEntry


def audit_entries_for_customer(*, customer_id: int, limit: int = 50) -> QuerySet[AuditEntry]:
    """The latest `limit` entries of a customer, newest first, in one query whatever their number.

    Each row already names its actor and object as they were (`actor_repr`, `object_repr`); the content type and the
    actor come joined for pages that link to the object or the clerk.
    """
    return (
        AuditEntry.objects.for_customer(customer_id)
        .select_related("content_type", "actor")
        .order_by("-at", "-pk")[:limit]
    )
