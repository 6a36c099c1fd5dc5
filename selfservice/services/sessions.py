"""«Сессии» (F-A6, seed 001 §13.3): every browser signed in to the cabinet, and ending any of them.

The session store (server-side) holds the sessions themselves; a `UserSession` row describes one of them for the
list. The row's id is kept inside the session, so when Django gives the session a new key (a password change)
the same row follows it. Activity is written at most every ACTIVITY_INTERVAL, not on every request.
"""

from dataclasses import dataclass
from datetime import timedelta
from importlib import import_module

from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from user_agents import parse as parse_user_agent

from ..models import UserSession
from .signin import client_ip

ACTIVITY_INTERVAL = timedelta(minutes=5)
SESSION_MARK = "portal_session"  # {"id": row id, "key": session key, "seen": timestamp of the last write}


def _store(session_key: str | None = None):
    return import_module(settings.SESSION_ENGINE).SessionStore(session_key)


def _lifetime() -> timedelta:
    return timedelta(seconds=settings.SESSION_COOKIE_AGE)


def _mark(request, row: UserSession) -> None:
    request.session[SESSION_MARK] = {"id": row.pk, "key": row.session_key, "seen": row.last_seen_at.timestamp()}


@transaction.atomic
def user_session_start(*, request, user) -> UserSession | None:
    """Describe the session that just signed in (the `user_logged_in` signal): browser, address, time."""
    key = request.session.session_key
    if not key:
        return None
    now = timezone.now()
    earlier = (request.session.get(SESSION_MARK) or {}).get("id")
    if earlier:  # signed in again in the same browser: the session got a new key, the old row is stale
        UserSession.objects.filter(pk=earlier, user=user).exclude(session_key=key).delete()
    row, _created = UserSession.objects.update_or_create(
        session_key=key,
        defaults={
            "user": user,
            "user_agent": request.headers.get("User-Agent", "")[:500],
            "ip_address": client_ip(request) or None,
            "created_at": now,
            "last_seen_at": now,
        },
    )
    _mark(request, row)
    return row


def user_session_touch(*, request) -> None:
    """Note that a signed-in session is in use; writes only when ACTIVITY_INTERVAL passed or the key changed.

    A session whose row is missing (signed in before the list existed, or its row was removed) gets one.
    """
    key = request.session.session_key
    if not key:
        return
    mark = request.session.get(SESSION_MARK) or {}
    now = timezone.now()
    if mark.get("key") == key and now.timestamp() - mark.get("seen", 0) < ACTIVITY_INTERVAL.total_seconds():
        return
    row = UserSession.objects.filter(pk=mark.get("id"), user=request.user).first() if mark else None
    if row is None:
        user_session_start(request=request, user=request.user)
        return
    row.session_key, row.last_seen_at = key, now
    row.save(update_fields=["session_key", "last_seen_at"])
    _mark(request, row)


def user_session_ensure(*, request) -> None:
    """Make sure this session has its row (for the list itself, which must show «Текущая» even so)."""
    key = request.session.session_key
    if key and not UserSession.objects.filter(session_key=key, user=request.user).exists():
        user_session_start(request=request, user=request.user)
    else:
        user_session_touch(request=request)


def user_session_forget(*, session_key: str | None) -> None:
    """Drop the row of a session that signed out (the `user_logged_out` signal); the store flushes the session."""
    if session_key:
        UserSession.objects.filter(session_key=session_key).delete()


@transaction.atomic
def user_session_end(*, session: UserSession) -> None:
    """«Завершить»: sign that browser out (its session leaves the store) and remove it from the list."""
    _store(session.session_key).delete()
    session.delete()


@transaction.atomic
def user_sessions_end(*, user, keep_key: str | None = None) -> int:
    """End every session of `user` except `keep_key` («Завершить все, кроме текущей»); return how many ended."""
    sessions = list(UserSession.objects.filter(user=user).exclude(session_key=keep_key or ""))
    for session in sessions:
        user_session_end(session=session)
    return len(sessions)


def user_sessions_purge(*, now=None) -> int:
    """Remove rows of sessions that expired unused (beat job); the store's own sessions go with clear_expired."""
    cutoff = (now or timezone.now()) - _lifetime()
    deleted, _details = UserSession.objects.filter(last_seen_at__lt=cutoff).delete()
    _store().clear_expired()
    return deleted


@dataclass(frozen=True)
class SessionEntry:
    """One line of «Сессии»: the browser with its version, the system, the time, and whether it is this one."""

    session: UserSession
    browser: str
    system: str
    is_current: bool


def _describe(user_agent: str) -> tuple[str, str]:
    agent = parse_user_agent(user_agent or "")
    browser = " ".join(filter(None, (agent.browser.family, agent.browser.version_string)))
    system = " ".join(filter(None, (agent.os.family, agent.os.version_string)))
    unknown_browser = not user_agent or agent.browser.family == "Other"
    unknown_system = not user_agent or agent.os.family == "Other"
    return (
        _("Неизвестный браузер") if unknown_browser else browser,
        _("Неизвестная система") if unknown_system else system,
    )


def _signing_in(*, user, keys: list[str]) -> set[str]:
    """Which of `keys` still sign `user` in: in the store, unexpired, and made with the current password.

    A password change (or a reset by staff) silently invalidates the other sessions; their rows must not linger.
    Database-backed stores answer in one query; others are asked session by session.
    """
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    if hasattr(store_class, "get_model_class"):
        rows = store_class.get_model_class().objects.filter(session_key__in=keys, expire_date__gt=timezone.now())
        sessions = {row.session_key: store_class().decode(row.session_data) for row in rows}
    else:
        sessions = {key: store_class(key).load() for key in keys}
    hashes = {user.get_session_auth_hash(), *user.get_session_auth_fallback_hash()}
    return {
        key
        for key, data in sessions.items()
        if str(data.get(SESSION_KEY)) == str(user.pk) and data.get(HASH_SESSION_KEY) in hashes
    }


def user_session_list(*, user, current_key: str | None) -> list[SessionEntry]:
    """The user's live sessions, this one first, then the most recently active; a few queries whatever their number.

    Rows of sessions that no longer sign in (expired, or from before a password change) are removed on the way.
    """
    cutoff = timezone.now() - _lifetime()
    rows = list(UserSession.objects.filter(user=user, last_seen_at__gte=cutoff).order_by("-last_seen_at"))
    live = _signing_in(user=user, keys=[row.session_key for row in rows]) | ({current_key} - {None})
    UserSession.objects.filter(user=user).exclude(session_key__in=live).delete()
    entries = [
        SessionEntry(row, *_describe(row.user_agent), is_current=row.session_key == current_key)
        for row in rows
        if row.session_key in live
    ]
    return sorted(entries, key=lambda entry: not entry.is_current)
