"""The history of any workflow object: one `TransitionLog` row per step, shown to staff on the object's page.

Every step is also a line of the audit trail («Смена статуса»: who, when, from where, whose), written here so no
workflow can forget it.
"""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from backoffice.models import AuditAction
from backoffice.services.audit import audit_customer_of, audit_label, audit_record

from ..models import TransitionLog


def transition_log_write(*, subject, transition: str, source: str, target: str, by=None, comment="") -> TransitionLog:
    """Record one step of `subject`'s workflow; the caller runs it in the transaction that made the step."""
    step = TransitionLog.objects.create(
        content_type=ContentType.objects.get_for_model(subject),
        object_id=subject.pk,
        transition=transition,
        source=source,
        target=target,
        by=by,
        comment=comment,
    )
    _audit_step(subject=subject, transition=transition, source=source, target=target, by=by, comment=comment)
    return step


def state_label(subject, state: str) -> str:
    """«Зарегистрирована» for "registered": the label of the subject's `state` choice."""
    if not state:
        return "—"
    try:
        choices = dict(type(subject)._meta.get_field("state").flatchoices)
    except FieldDoesNotExist:
        return state
    return str(choices.get(state, state))


def _audit_step(*, subject, transition: str, source: str, target: str, by, comment: str) -> None:
    was, now = state_label(subject, source), state_label(subject, target)
    label = audit_label(subject)
    if source == target:
        summary = _("%(object)s: %(state)s, без смены статуса") % {"object": label, "state": now}
    else:
        summary = f"{label}: {was} → {now}"
    changes = {_("Статус"): [was if source else None, now], _("Шаг"): transition}
    if comment:
        changes[_("Комментарий")] = comment
    audit_record(
        actor=by,
        action=AuditAction.TRANSITION,
        summary=summary,
        subject=subject,
        customer=audit_customer_of(subject),
        changes=changes,
    )


def transition_log_for(*, subject) -> QuerySet[TransitionLog]:
    """The steps of `subject`, oldest first, with who made them."""
    return TransitionLog.objects.filter(
        content_type=ContentType.objects.get_for_model(subject), object_id=subject.pk
    ).select_related("by")
