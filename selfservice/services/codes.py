"""Writes with rules for the portal's identity layer."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from ..models import OneTimeCode

CODE_LENGTH = 5  # «Введите код, отправленный на почту»: five boxes (seed 001 §2.2)


def _hash_code(code: str) -> str:
    return salted_hmac("selfservice.one-time-code", code, algorithm="sha256").hexdigest()


@transaction.atomic
def one_time_code_issue(*, user, purpose: str, sent_to: str, ttl: timedelta | None = None) -> str:
    """Create a fresh code for `purpose`, retiring any earlier live one, and return it in clear.

    The caller delivers the code (through the outbox); only its hash is kept.
    """
    now = timezone.now()
    ttl = ttl or timedelta(minutes=settings.ONE_TIME_CODE_TTL_MINUTES)
    OneTimeCode.objects.filter(user=user, purpose=purpose, used_at__isnull=True).update(expires_at=now)
    code = "".join(secrets.choice("0123456789") for _ in range(CODE_LENGTH))
    OneTimeCode.objects.create(
        user=user,
        purpose=purpose,
        sent_to=sent_to,
        code_hash=_hash_code(code),
        created_at=now,
        expires_at=now + ttl,
    )
    return code


@transaction.atomic
def one_time_code_verify(*, user, purpose: str, code: str, sent_to: str | None = None) -> bool:
    """Spend the user's live code for `purpose` if `code` matches; count a wrong try otherwise.

    `sent_to` binds the code to the address it proves: a code sent to a new e-mail cannot confirm the old one.
    """
    now = timezone.now()
    live = OneTimeCode.objects.select_for_update().filter(
        user=user, purpose=purpose, used_at__isnull=True, expires_at__gt=now
    )
    if sent_to is not None:
        live = live.filter(sent_to=sent_to)
    live = live.order_by("-created_at").first()
    if live is None or not live.is_usable(now=now):
        return False
    if constant_time_compare(live.code_hash, _hash_code(code.strip())):
        live.used_at = now
        live.save(update_fields=["used_at"])
        return True
    live.attempts += 1
    live.save(update_fields=["attempts"])
    return False


def one_time_codes_purge(*, now=None) -> int:
    """Delete codes that expired or were spent more than the retention period ago; return how many."""
    cutoff = (now or timezone.now()) - timedelta(hours=settings.ONE_TIME_CODE_RETENTION_HOURS)
    deleted, _ = OneTimeCode.objects.filter(expires_at__lt=cutoff).delete()
    spent, _ = OneTimeCode.objects.filter(used_at__lt=cutoff).delete()
    return deleted + spent
