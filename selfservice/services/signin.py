"""Sign-in rules (F-A4): failures counted by django-axes, the captcha threshold, confirmation of a new device.

django-axes records every failed `authenticate()` per login and per IP; these functions read its count, so
the captcha and the lockout agree on what «a failure» is and neither depends on whether the login exists.
"""

import secrets
from datetime import timedelta

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib.auth import get_user_model, login
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from user_agents import parse as parse_user_agent

from backoffice.services.outbox import message_send

from ..models import KnownDevice, OneTimeCode
from .codes import one_time_code_issue

BACKEND = "selfservice.backends.EmailOrLoginBackend"
PENDING_SESSION_KEY = "signin_pending"
DEVICE_TOKEN_BYTES = 32


def client_ip(request) -> str:
    """The visitor's address as django-axes sees it (behind PROXY_COUNT proxies), for rate limits too."""
    return get_client_ip_address(request) or ""


def login_normalise(value) -> str:
    """A login or e-mail as the backend compares it: trimmed, in lower case."""
    return (value or "").strip().lower()


def axes_username(request, credentials) -> str | None:
    """AXES_USERNAME_CALLABLE: count «Anna@Example.test » and «anna@example.test» as one login."""
    field = settings.AXES_USERNAME_FORM_FIELD
    raw = credentials.get(field) if credentials else getattr(request, "POST", {}).get(field)
    return login_normalise(raw) or None


def signin_failures(*, request, username) -> int:
    """Failed sign-ins within the cool-off for this login or this IP, whichever is higher."""
    return AxesProxyHandler.get_failures(request, {settings.AXES_USERNAME_FORM_FIELD: username})


def signin_captcha_required(*, request, username) -> bool:
    """Seed 000 §2.4: after more than three failed attempts the image captcha is asked for."""
    return signin_failures(request=request, username=username) > settings.SIGNIN_CAPTCHA_AFTER


def signin_locked(*, request, username) -> bool:
    """Whether django-axes refuses this login or this IP until the cool-off passes."""
    return not AxesProxyHandler.is_allowed(request, {settings.AXES_USERNAME_FORM_FIELD: username})


def signin_complete(*, request, user, remember: bool) -> None:
    """Start the session and forget this user's failed attempts (only theirs: other logins from the IP keep theirs).

    Without «Запомнить меня» the session ends when the browser closes.
    """
    login(request, user, backend=BACKEND)
    if not remember:
        request.session.set_expiry(0)
    for username in {login_normalise(user.email), login_normalise(user.login)} - {""}:
        AxesProxyHandler.reset_attempts(username=username)


def device_describe(user_agent: str) -> str:
    """«Chrome 120, Windows 10»: the browser and the system, as a person recognises them."""
    agent = parse_user_agent(user_agent or "")
    browser = " ".join(part for part in (agent.browser.family, agent.browser.version_string) if part)
    system = " ".join(part for part in (agent.os.family, agent.os.version_string) if part)
    if agent.browser.family == "Other":
        browser = _("неизвестный браузер")
    if agent.os.family == "Other":
        system = _("неизвестная система")
    return f"{browser}, {system}"


def _device_hash(*, user, token: str) -> str:
    # Keyed by the user too, so one browser can be trusted by several people who share it.
    return salted_hmac("selfservice.known-device", f"{user.pk}:{token}", algorithm="sha256").hexdigest()


def known_device_recognised(*, user, token: str | None) -> bool:
    """Whether the browser's device cookie was confirmed by this user before; notes the visit if so."""
    if not token:
        return False
    return bool(
        KnownDevice.objects.filter(user=user, token_hash=_device_hash(user=user, token=token)).update(
            last_used_at=timezone.now()
        )
    )


@transaction.atomic
def known_device_remember(*, user, token: str | None, user_agent: str) -> str:
    """Trust this browser for `user` from now on; return the token its cookie must carry.

    A browser that already has a token (trusted by someone else) keeps it; only its hash is stored.
    """
    token = token if token and len(token) <= 100 else secrets.token_urlsafe(DEVICE_TOKEN_BYTES)
    KnownDevice.objects.update_or_create(
        token_hash=_device_hash(user=user, token=token),
        defaults={"user": user, "user_agent": user_agent[:500], "last_used_at": timezone.now()},
    )
    return token


def code_resend_wait(*, user, purpose: str) -> int:
    """Seconds until another code may be sent («Отправить ещё раз через 0:58»): one a minute."""
    latest = OneTimeCode.objects.filter(user=user, purpose=purpose).order_by("-created_at").first()
    if latest is None:
        return 0
    elapsed = (timezone.now() - latest.created_at).total_seconds()
    return max(0, int(settings.ONE_TIME_CODE_RESEND_SECONDS - elapsed))


def code_refusal(*, user, purpose: str) -> str:
    """Why the code just typed was refused: wrong, expired, or dead after too many wrong tries."""
    latest = (
        OneTimeCode.objects.filter(user=user, purpose=purpose, used_at__isnull=True).order_by("-created_at").first()
    )
    if latest is not None and latest.attempts >= settings.ONE_TIME_CODE_MAX_ATTEMPTS:
        return _("Код введён неверно слишком много раз. Запросите новый код.")
    if latest is None or latest.expires_at <= timezone.now():
        return _("Срок действия кода истёк. Запросите новый код.")
    return _("Неверный код. Проверьте код из письма и введите его ещё раз.")


@transaction.atomic
def new_device_code_send(*, user, request) -> None:
    """E-mail the code that confirms a sign-in from an unknown browser, naming the browser and the address."""
    code = one_time_code_issue(user=user, purpose=OneTimeCode.Purpose.NEW_DEVICE, sent_to=user.email)
    message_send(
        to=user.email,
        template="new_device_code",
        context={
            "code": code,
            "device": device_describe(request.headers.get("User-Agent", "")),
            "ip_address": client_ip(request),
            "when": timezone.now(),
            "ttl_minutes": settings.ONE_TIME_CODE_TTL_MINUTES,
        },
        user=user,
    )


def signin_pending_start(*, request, user, remember: bool, next_url: str) -> None:
    """The password was right but the browser is new: hold the sign-in in the session until the code is typed.

    A code is sent unless one went out less than a minute ago (typing the password again does not spam).
    """
    request.session[PENDING_SESSION_KEY] = {
        "user_id": user.pk,
        "remember": bool(remember),
        "next": next_url,
        "started": timezone.now().timestamp(),
    }
    if code_resend_wait(user=user, purpose=OneTimeCode.Purpose.NEW_DEVICE) == 0:
        new_device_code_send(user=user, request=request)


def signin_pending(*, request) -> tuple | None:
    """(user, pending data) of a sign-in waiting for its device code, or None when there is none or it is stale."""
    pending = request.session.get(PENDING_SESSION_KEY)
    if not pending:
        return None
    age = timezone.now().timestamp() - pending["started"]
    user = get_user_model()._default_manager.filter(pk=pending["user_id"], is_active=True).first()
    if user is None or age > timedelta(minutes=settings.ONE_TIME_CODE_TTL_MINUTES).total_seconds():
        del request.session[PENDING_SESSION_KEY]
        return None
    return user, pending


def signin_pending_clear(*, request) -> None:
    request.session.pop(PENDING_SESSION_KEY, None)
