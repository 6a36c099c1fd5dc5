"""What happens right after sign-in: the landing on «Новости» and the company's modal messages (F-A4, F-H1, F-H2).

Seed 000 §2.4: «При наличии непрочитанных новостей после авторизации … осуществляется переход на вкладку
«Новости»», otherwise to «Главная». Seed 001 §12.2: modal messages «отобразится после авторизации».

`signed_in` (connected to `user_logged_in` in signals.py) marks the session when there is fresh unread news or a
modal message; `SigninLandingMiddleware` sends the first visit of the home page after sign-in to «Новости». A
sign-in that goes to another page (a `next` address) is not diverted. The modal messages show on the pages after
sign-in until all are confirmed (templatetags/notifications.py).
"""

from django.shortcuts import redirect

from backoffice.selectors import notifications_summary
from cms.selectors import news_has_unread

from .middleware import OPEN_PREFIXES

LANDING_SESSION_KEY = "signin_landing"
ANNOUNCEMENTS_SESSION_KEY = "signin_announcements"
HOME_VIEW = "selfservice:home"


def signed_in(sender, request, user, **kwargs):
    """Note in the session only what the next pages must do, so a sign-in with nothing new costs them nothing."""
    if request is None or not hasattr(request, "session"):
        return
    if news_has_unread(user=user):
        request.session[LANDING_SESSION_KEY] = True
    if notifications_summary(user=user).open_modals:  # also warms the bell for the first page
        request.session[ANNOUNCEMENTS_SESSION_KEY] = True


class SigninLandingMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        session = getattr(request, "session", None)
        if session is None or not session.get(LANDING_SESSION_KEY) or not request.user.is_authenticated:
            return None
        match = request.resolver_match
        if match is None or request.method != "GET" or request.path_info.startswith((*OPEN_PREFIXES, "/favicon")):
            return None
        session.pop(LANDING_SESSION_KEY, None)
        if match.view_name == HOME_VIEW:
            return redirect("selfservice:news")
        return None
