"""«Вход» and «Выход» (F-A4): the captcha after failures, the lockout page, the code of a new device."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django_ratelimit.core import is_ratelimited

from ..forms.signin import CodeForm, LoginForm
from ..models import OneTimeCode
from ..services.codes import one_time_code_verify
from ..services.signin import (
    client_ip,
    code_refusal,
    code_resend_wait,
    known_device_recognised,
    known_device_remember,
    new_device_code_send,
    signin_captcha_required,
    signin_complete,
    signin_locked,
    signin_pending,
    signin_pending_clear,
    signin_pending_start,
)
from . import ratelimited

SIGNIN_RATE = "30/m"  # a coarse guard per IP; the captcha and the lockout do the fine work
DEVICE_COOKIE = "known_device"
DEVICE_COOKIE_AGE = 365 * 24 * 60 * 60
NEW_DEVICE = OneTimeCode.Purpose.NEW_DEVICE


def by_ip(group, request) -> str:
    """django-ratelimit key: the client address the way django-axes resolves it behind proxies."""
    return client_ip(request)


def over_limit(request, *, group: str, limits) -> bool:
    """Count this POST against each (key, rate) of `limits`; True when any of them is exceeded."""
    return any(
        is_ratelimited(request, group=group, key=key, rate=rate, method="POST", increment=True) for key, rate in limits
    )


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: send a locked-out sign-in to «login_locked», with nothing about the login in the URL."""
    return redirect("selfservice:login_locked")


class LoginView(auth_views.LoginView):
    """«Вход»: refuses a locked login or IP up front, asks for the picture after three failures, and holds the
    sign-in for a code when the user confirms new devices and this browser is not one of theirs yet."""

    form_class = LoginForm
    template_name = "selfservice/login.html"
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        if over_limit(request, group="signin", limits=[(by_ip, SIGNIN_RATE)]):
            return ratelimited(request)
        if signin_locked(request=request, username=request.POST.get("username")):
            return lockout_response(request)
        return super().post(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["captcha"] = signin_captcha_required(request=self.request, username=self.request.POST.get("username"))
        return kwargs

    def form_valid(self, form):
        user = form.get_user()
        remember = bool(form.cleaned_data.get("remember_me"))
        if user.confirm_new_devices and not known_device_recognised(
            user=user, token=self.request.COOKIES.get(DEVICE_COOKIE)
        ):
            signin_pending_start(request=self.request, user=user, remember=remember, next_url=self.get_success_url())
            return redirect("selfservice:login_device")
        signin_complete(request=self.request, user=user, remember=remember)
        return HttpResponseRedirect(self.get_success_url())

    def form_invalid(self, form):
        """Seed 000 §2.4: the failure that crosses the threshold brings the picture and says why."""
        if not form.has_captcha and signin_captcha_required(
            request=self.request, username=self.request.POST.get("username")
        ):
            form.require_captcha()
            form.add_error(None, _("Слишком много неудачных попыток входа. Введите код с картинки."))
        return super().form_invalid(form)


class LogoutView(auth_views.LogoutView):
    pass


def login_locked(request):
    """Where django-axes sends a login or an IP after too many failures; the same words for every login."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "selfservice/signin/locked.html", {"minutes": minutes})


def resend_context(wait: int) -> dict:
    """What «Отправить ещё раз через 0:58» needs: the seconds left and the same as m:ss."""
    return {"resend_wait": wait, "resend_countdown": f"{wait // 60}:{wait % 60:02d}"}


def set_device_cookie(response, token: str) -> None:
    """The long-lived, script-proof cookie that marks a browser the user confirmed by code."""
    response.set_cookie(
        DEVICE_COOKIE,
        token,
        max_age=DEVICE_COOKIE_AGE,
        httponly=True,
        secure=settings.SESSION_COOKIE_SECURE,
        samesite="Lax",
    )


@sensitive_post_parameters("code")
@never_cache
def login_device(request):
    """«Вход с нового устройства» (seed 001 §13.1.6): the code from the e-mail finishes the held sign-in."""
    pending = signin_pending(request=request)
    if pending is None:
        messages.error(request, _("Время на ввод кода истекло. Войдите ещё раз."))
        return redirect("selfservice:login")
    user, data = pending
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if over_limit(request, group="signin-device", limits=[(by_ip, SIGNIN_RATE)]):
            return ratelimited(request)
        if "resend" in request.POST:
            return _device_code_resend(request, user)
        if form.is_valid():
            if one_time_code_verify(user=user, purpose=NEW_DEVICE, code=form.cleaned_data["code"]):
                return _device_confirmed(request, user, data)
            form.add_error("code", code_refusal(user=user, purpose=NEW_DEVICE))
    return render(
        request,
        "selfservice/signin/device.html",
        {"form": form, "email": user.email, **resend_context(code_resend_wait(user=user, purpose=NEW_DEVICE))},
    )


def _device_code_resend(request, user):
    if code_resend_wait(user=user, purpose=NEW_DEVICE) == 0:
        new_device_code_send(user=user, request=request)
        messages.success(request, _("Мы отправили новый код на %(email)s.") % {"email": user.email})
    return redirect("selfservice:login_device")


def _device_confirmed(request, user, data):
    signin_pending_clear(request=request)
    token = known_device_remember(
        user=user, token=request.COOKIES.get(DEVICE_COOKIE), user_agent=request.headers.get("User-Agent", "")
    )
    signin_complete(request=request, user=user, remember=data["remember"])
    response = HttpResponseRedirect(data["next"])
    set_device_cookie(response, token)
    return response


urls = [
    path("login/", LoginView.as_view(), name="login"),
    path("login/locked/", login_locked, name="login_locked"),
    path("login/device/", login_device, name="login_device"),
    path("logout/", LogoutView.as_view(), name="logout"),
]
