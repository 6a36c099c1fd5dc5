"""Keeping «Сессии» in step with sign-in, sign-out and use (F-A6, seed 001 §13.3).

Connected in SelfserviceConfig.ready. `SessionActivityMiddleware` notes activity after each response of a
signed-in user, so a session whose key changed during the request (a password change) is followed too.
"""

from django.contrib.auth.signals import user_logged_in, user_logged_out

from .services.sessions import user_session_forget, user_session_start, user_session_touch
from .signin_landing import signed_in


def session_started(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        user_session_start(request=request, user=user)


def session_finished(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        user_session_forget(session_key=request.session.session_key)


def connect() -> None:
    user_logged_in.connect(session_started, dispatch_uid="selfservice.session_started")
    user_logged_out.connect(session_finished, dispatch_uid="selfservice.session_finished")
    user_logged_in.connect(signed_in, dispatch_uid="selfservice.signin_landing")


class SessionActivityMiddleware:
    """After the view: note that a signed-in session is in use (a write at most every few minutes)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            user_session_touch(request=request)
        return response
