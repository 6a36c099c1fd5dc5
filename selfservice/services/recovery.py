"""«Восстановление пароля» (F-A5, seed 001 §2.4, seed 000 §2.5): a letter with a code and a link.

Where one e-mail served several cabinets of the older system, ONE letter lists every login with its own
code and link. Nothing here tells the caller whether anybody was found: the screens answer the same either way.
"""

from datetime import timedelta
from itertools import groupby

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from backoffice.services.outbox import message_send

from ..models import OneTimeCode
from .codes import one_time_code_issue, one_time_code_verify
from .signin import login_normalise

PURPOSE = OneTimeCode.Purpose.PASSWORD_RESET


def password_reset_candidates(*, identifier: str) -> list:
    """The live accounts an e-mail or a login names: several when migrated cabinets share one e-mail."""
    identifier = login_normalise(identifier)
    if not identifier:
        return []
    return list(
        get_user_model()
        ._default_manager.filter(Q(email__iexact=identifier) | Q(login__iexact=identifier))
        .filter(is_active=True, anonymised_at__isnull=True)
        .order_by("email", "login", "pk")
    )


def password_set_path(*, user) -> str:
    """The site-relative «password_set» address for `user`, with a fresh token of Django's generator."""
    return reverse(
        "selfservice:password_set",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )


def password_set_url(*, user) -> str:
    """The absolute set-password link for letters: recovery here, and staff's set-password and reset letters."""
    return settings.SITE_URL.rstrip("/") + password_set_path(user=user)


@transaction.atomic
def password_reset_request(*, identifier: str) -> int:
    """Send the recovery letter(s) for `identifier`; return how many letters went out (0 when nobody matched).

    Each account gets its own code and link; accounts sharing an address are listed in one letter to it.
    """
    letters = 0
    for email, group in groupby(password_reset_candidates(identifier=identifier), key=lambda user: user.email):
        users = list(group)
        accounts = [
            {
                "login": user.login,
                "code": one_time_code_issue(user=user, purpose=PURPOSE, sent_to=email),
                "link": password_set_url(user=user),
            }
            for user in users
        ]
        message_send(
            to=email,
            template="password_reset",
            context={
                "accounts": accounts,
                "ttl_minutes": settings.ONE_TIME_CODE_TTL_MINUTES,
                "link_expires_at": timezone.now() + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT),
            },
            user=users[0] if len(users) == 1 else None,
        )
        letters += 1
    return letters


def password_reset_code_check(*, identifier: str, code: str):
    """The account whose live recovery code is `code`, or None; a wrong code counts as a wrong try for each."""
    for user in password_reset_candidates(identifier=identifier):
        if one_time_code_verify(user=user, purpose=PURPOSE, code=code):
            return user
    return None
