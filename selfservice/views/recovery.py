"""«Восстановление пароля» (F-A5): ask, type the code from the letter (or follow its link), set a new password.

The visitor never learns whether the e-mail or login exists: the same answer, the same code screen, and the
code screen's refusals come from the session (time, tries), not from the accounts.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from ..forms.password import PasswordSetForm
from ..forms.recovery import PasswordResetRequestForm
from ..forms.signin import CodeForm
from ..services.password import password_replace
from ..services.recovery import password_reset_code_check, password_reset_request, password_set_path
from ..services.signin import login_normalise, signin_complete
from . import ratelimited
from .signin import by_ip, over_limit, resend_context

SESSION_KEY = "password_reset"
# Letters per address and requests per IP: enough for a person who mistypes, too few to flood a mailbox.
REQUEST_LIMITS = [(by_ip, "20/h")]
ADDRESS_RATE = "5/h"
CODE_LIMITS = [(by_ip, "30/h")]
SENT = gettext_lazy(
    "Если такой пользователь есть, мы отправили письмо с кодом и ссылкой для смены пароля "
    "на e-mail, указанный при регистрации."
)


def by_identifier(group, request) -> str:
    """django-ratelimit key: the e-mail or login asked about (typed now, or held by the code screen)."""
    return login_normalise(request.POST.get("identifier") or request.session.get(SESSION_KEY, {}).get("identifier"))


def _now() -> float:
    return timezone.now().timestamp()


def _send(request, identifier: str) -> None:
    password_reset_request(identifier=identifier)
    request.session[SESSION_KEY] = {"identifier": identifier, "sent_at": _now(), "tries": 0}


@never_cache
def password_reset(request):
    """«Вспомнить пароль» → «Восстановить»: the letter goes out if anybody matches; the answer is the same."""
    form = PasswordResetRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if over_limit(request, group="password-reset", limits=[*REQUEST_LIMITS, (by_identifier, ADDRESS_RATE)]):
            return ratelimited(request)
        if form.is_valid():
            _send(request, form.cleaned_data["identifier"])
            messages.info(request, SENT)
            return redirect("selfservice:password_reset_code")
    return render(request, "selfservice/recovery/request.html", {"form": form})


def _resend_wait(state) -> int:
    return max(0, int(settings.ONE_TIME_CODE_RESEND_SECONDS - (_now() - state["sent_at"])))


def _code_refusal(state) -> str | None:
    """Refusals that depend on the session only, so a made-up e-mail is refused exactly like a real one."""
    if _now() - state["sent_at"] > settings.ONE_TIME_CODE_TTL_MINUTES * 60:
        return _("Срок действия кода истёк. Запросите новый код.")
    if state["tries"] >= settings.ONE_TIME_CODE_MAX_ATTEMPTS:
        return _("Код введён неверно слишком много раз. Запросите новый код.")
    return None


def _code_accept(request, state, code: str) -> tuple:
    """(the account `code` opens, None) or (None, why it is refused); a wrong code is a try spent."""
    refusal = _code_refusal(state)
    if refusal:
        return None, refusal
    user = password_reset_code_check(identifier=state["identifier"], code=code)
    if user is None:
        state["tries"] += 1
        request.session.modified = True
        return None, _("Неверный код. Проверьте код из письма и введите его ещё раз.")
    return user, None


@sensitive_post_parameters("code")
@never_cache
def password_reset_code(request):
    """«Введите код, отправленный на почту»: the right code opens the set-password form of its account."""
    state = request.session.get(SESSION_KEY)
    if not state:
        return redirect("selfservice:password_reset")
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if over_limit(request, group="password-reset-code", limits=CODE_LIMITS):
            return ratelimited(request)
        if "resend" in request.POST:
            return _code_resend(request, state)
        if form.is_valid():
            user, refusal = _code_accept(request, state, form.cleaned_data["code"])
            if user is not None:
                del request.session[SESSION_KEY]
                return redirect(password_set_path(user=user))
            form.add_error("code", refusal)
    context = {"form": form, "identifier": state["identifier"], **resend_context(_resend_wait(state))}
    return render(request, "selfservice/recovery/code.html", context)


def _code_resend(request, state):
    if over_limit(request, group="password-reset", limits=[(by_identifier, ADDRESS_RATE)]):
        return ratelimited(request)  # resends count against the address like new requests
    if _resend_wait(state) == 0:
        _send(request, state["identifier"])
        messages.info(request, SENT)
    return redirect("selfservice:password_reset_code")


AFTER_PASSWORD_SET = "after_password_set"


class PasswordSetView(auth_views.PasswordResetConfirmView):
    """The set-password form behind a code or a link: recovery, staff's reset links and staff-created accounts.

    Django's view checks the token and moves it into the session; here the new password also ends every other
    session, confirms the e-mail the link came to, sends «Пароль изменён» and signs the user in.
    """

    form_class = PasswordSetForm
    template_name = "selfservice/recovery/password_set.html"

    def dispatch(self, *args, **kwargs):
        # An invitation to a contract (F-B4) lands on it: Django's view redirects to a URL without the token
        # and drops the query, so the destination waits in the session.
        target = self.request.GET.get("next", "")
        if target and url_has_allowed_host_and_scheme(target, allowed_hosts={self.request.get_host()}):
            self.request.session[AFTER_PASSWORD_SET] = target
        return super().dispatch(*args, **kwargs)

    def get_user(self, uidb64):
        user = super().get_user(uidb64)
        return user if user is not None and user.is_active and user.anonymised_at is None else None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["first_password"] = self.validlink and not self.user.has_usable_password()
        return context

    def form_valid(self, form):
        password_replace(user=self.user, password=form.cleaned_data["new_password1"], mailbox_proven=True)
        del self.request.session[auth_views.INTERNAL_RESET_SESSION_TOKEN]
        signin_complete(request=self.request, user=self.user, remember=False)
        messages.success(self.request, _("Пароль успешно изменён."))
        return redirect(self.request.session.pop(AFTER_PASSWORD_SET, settings.LOGIN_REDIRECT_URL))


urls = [
    path("password/reset/", password_reset, name="password_reset"),
    path("password/reset/code/", password_reset_code, name="password_reset_code"),
    path("password/set/<uidb64>/<token>/", PasswordSetView.as_view(), name="password_set"),
]
