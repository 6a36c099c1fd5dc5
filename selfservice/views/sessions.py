"""«Сессии» (seed 001 §13.3): the browser, the system and the time of every session; «Завершить».

Ending this session signs out, as the manual says; ending another signs that browser out at once.
"""

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from ..models import UserSession
from ..services.sessions import user_session_end, user_session_ensure, user_session_list, user_sessions_end
from .profile import profile_page


@login_required
@never_cache
def sessions(request):
    """The list of seed 001 рис. 112; this session is described first, even if it began before the list existed."""
    user_session_ensure(request=request)
    entries = user_session_list(user=request.user, current_key=request.session.session_key)
    return profile_page(request, "selfservice/profile/sessions.html", {"entries": entries}, tab="sessions")


@login_required
@require_POST
def session_end(request, pk: int):
    """«Завершить» one session; someone else's id is a 404, like a session that does not exist."""
    session = get_object_or_404(UserSession, pk=pk, user=request.user)
    if session.session_key == request.session.session_key:
        logout(request)
        return redirect("selfservice:login")
    user_session_end(session=session)
    messages.success(request, _("Сессия завершена"))
    return redirect("selfservice:sessions")


@login_required
@require_POST
def sessions_end_others(request):
    """«Завершить все, кроме текущей»."""
    ended = user_sessions_end(user=request.user, keep_key=request.session.session_key)
    if ended:
        messages.success(request, _("Другие сессии завершены: %(count)s") % {"count": ended})
    return redirect("selfservice:sessions")


urls = [
    path("profile/sessions/", sessions, name="sessions"),
    path("profile/sessions/<int:pk>/end/", session_end, name="session_end"),
    path("profile/sessions/end-others/", sessions_end_others, name="sessions_end_others"),
]
