"""The history of any workflow object: one `TransitionLog` row per step, shown to staff on the object's page."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet

from ..models import TransitionLog


def transition_log_write(*, subject, transition: str, source: str, target: str, by=None, comment="") -> TransitionLog:
    """Record one step of `subject`'s workflow; the caller runs it in the transaction that made the step."""
    return TransitionLog.objects.create(
        content_type=ContentType.objects.get_for_model(subject),
        object_id=subject.pk,
        transition=transition,
        source=source,
        target=target,
        by=by,
        comment=comment,
    )


def transition_log_for(*, subject) -> QuerySet[TransitionLog]:
    """The steps of `subject`, oldest first, with who made them."""
    return TransitionLog.objects.filter(
        content_type=ContentType.objects.get_for_model(subject), object_id=subject.pk
    ).select_related("by")
