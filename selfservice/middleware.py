"""The e-mail banner and the «Давайте познакомимся» gate (F-A1, F-A3), for every portal page."""

from django.contrib.auth.views import redirect_to_login
from django.urls import reverse

# Never gated: the files and machinery under these prefixes, and the staff admin.
OPEN_PREFIXES = ("/static/", "/media/", "/captcha/", "/admin/", "/healthz", "/readyz", "/i18n/", "/jsi18n/")

# Screens a not yet introduced user still needs: the form itself, the way out, the code, signing in, passwords.
OPEN_VIEWS = frozenset(
    f"selfservice:{name}"
    for name in (
        "introduce",
        "logout",
        "email_confirm",
        "email_confirm_resend",
        "login",
        "login_locked",
        "login_device",
        "password_reset",
        "password_reset_code",
        "password_set",
        "password_change",
    )
)

# The banner would only repeat what these screens already say.
NO_BANNER_VIEWS = frozenset({"selfservice:email_confirm"})


class IdentityGateMiddleware:
    """Shows the «confirm your e-mail» banner and sends a user without a name and phone to «Давайте познакомимся».

    Works in process_view, after URL resolution, so it knows the screen by name and never touches the user for
    static files. Sets `request.email_banner`, which templates/base.html reads.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path_info.startswith(OPEN_PREFIXES) or not request.user.is_authenticated:
            return None
        screen = request.resolver_match.view_name
        user = request.user
        request.email_banner = not user.email_confirmed and screen not in NO_BANNER_VIEWS
        if not user.is_introduced and screen not in OPEN_VIEWS:
            return redirect_to_login(request.get_full_path(), reverse("selfservice:introduce"))
        return None
