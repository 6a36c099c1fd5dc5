"""Replacing a password (F-A5): by the user in the profile, or through a recovery code or link."""

from django.db import transaction
from django.utils import timezone

from backoffice.services.outbox import message_send

from ..models import OneTimeCode
from .sessions import user_sessions_end


@transaction.atomic
def password_replace(*, user, password: str, keep_session_key: str | None = None, mailbox_proven: bool = False) -> None:
    """Give `user` a new password, end their other sessions and send «Пароль изменён».

    `mailbox_proven`: the new password came through a code or link sent to the e-mail, which confirms that
    e-mail if it was not confirmed yet (e.g. an account staff created for the customer). Recovery codes still
    alive are retired: the old password's recovery is over.
    """
    now = timezone.now()
    user.set_password(password)
    fields = ["password"]
    if mailbox_proven and user.email_confirmed_at is None:
        user.email_confirmed_at = now
        fields.append("email_confirmed_at")
    user.save(update_fields=fields)
    OneTimeCode.objects.filter(user=user, purpose=OneTimeCode.Purpose.PASSWORD_RESET, used_at__isnull=True).update(
        expires_at=now
    )
    user_sessions_end(user=user, keep_key=keep_session_key)
    message_send(to=user.email, template="password_changed", context={"when": now}, user=user)
