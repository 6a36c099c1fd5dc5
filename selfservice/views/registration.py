"""«Регистрация», the household variant, «Введите код, отправленный на почту» and «Давайте познакомимся».

A visitor is signed in only once the code confirms the address: signing in at once would tell an outsider that
the e-mail was free. Until then the browser's session remembers whom the code screen is for. For a taken address
the session holds a decoy that answers like a real registration (timer, wrong tries, expiry) and confirms nothing.
"""

import math
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from cms.models import AGREEMENT_SLUG, StandardPage

from ..forms.registration import EmailCodeForm, HouseholdRegistrationForm, IntroduceForm, RegistrationForm
from ..services import registration as service
from ..services.signin import client_ip

PENDING = "registration_pending"
SIGN_IN_BACKEND = "selfservice.backends.EmailOrLoginBackend"


def _by_ip(group, request) -> str:
    """The per-IP rate-limit key: the client address as django-axes resolves it behind proxies."""
    return client_ip(request)


def _posted_email(group, request) -> str:
    """The per-address rate-limit key: the typed address, or the IP when none was typed."""
    return request.POST.get("email", "").strip().lower() or client_ip(request)


def _code_address(group, request) -> str:
    """The per-address rate-limit key of the code screen: where the code goes."""
    if request.user.is_authenticated:
        return request.user.email
    return request.session.get(PENDING, {}).get("email") or client_ip(request)


def _posted(request):
    """The submitted data, even when empty (an empty POST must still show «Заполните поле»)."""
    return request.POST if request.method == "POST" else None


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return fallback


def _with_next(url: str, next_url: str) -> str:
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def agreement_url(request) -> str | None:
    """Where «пользовательское соглашение» lives: the live CMS page with the slug `agreement`, if editors keep one."""
    page = StandardPage.objects.live().filter(slug=AGREEMENT_SLUG).first()
    return page.get_url(request) if page else None


# --- Whom the code screen is for ------------------------------------------------------------------------------


@dataclass
class _RealCode:
    """The code of a real user: the signed-in one, or the one this browser has just registered."""

    user: object

    @property
    def email(self) -> str:
        return self.user.email

    def wait(self) -> int:
        return service.email_code_wait(user=self.user)

    def live(self) -> bool:
        return service.email_code_live(user=self.user)

    def send(self) -> int:
        return service.email_code_send(user=self.user)

    def confirm(self, code: str):
        service.email_confirm(user=self.user, code=code)
        return self.user


@dataclass
class _DecoyCode:
    """Stands in for a code when the address was taken: same timer, same refusals, never a match."""

    session: object
    state: dict

    @property
    def email(self) -> str:
        return self.state["email"]

    def _age(self) -> float:
        return timezone.now().timestamp() - self.state["sent_at"]

    def wait(self) -> int:
        return max(0, math.ceil(settings.ONE_TIME_CODE_RESEND_SECONDS - self._age()))

    def live(self) -> bool:
        return (
            self.state["tries"] < settings.ONE_TIME_CODE_MAX_ATTEMPTS
            and self._age() < settings.ONE_TIME_CODE_TTL_MINUTES * 60
        )

    def send(self) -> int:
        wait = self.wait()
        if not wait:
            self.state.update(sent_at=timezone.now().timestamp(), tries=0)
            self.session.modified = True
        return wait

    def confirm(self, code: str):
        self.state["tries"] += 1
        self.session.modified = True
        if self.state["tries"] >= settings.ONE_TIME_CODE_MAX_ATTEMPTS:
            raise service.CodeRefused(service.too_many_tries_message())
        if self._age() > settings.ONE_TIME_CODE_TTL_MINUTES * 60:
            raise service.CodeRefused(service.expired_code_message())
        raise service.CodeRefused(service.wrong_code_message())


def _pending_remember(request, *, email: str, user, next_url: str) -> None:
    request.session[PENDING] = {
        "email": email,
        "user": user.pk if user else None,
        "sent_at": timezone.now().timestamp(),
        "tries": 0,
        "next": next_url,
    }


def _code_subject(request):
    """The real or decoy code this browser is asked for, or None when there is nothing to confirm."""
    if request.user.is_authenticated:
        return _RealCode(request.user)
    state = request.session.get(PENDING)
    if not state:
        return None
    if state["user"] is None:
        return _DecoyCode(request.session, state)
    user = get_user_model()._default_manager.filter(pk=state["user"], email_confirmed_at__isnull=True).first()
    return _RealCode(user) if user else None


# --- Registration -----------------------------------------------------------------------------------------------


def _register(request, *, form_class, template: str, submit):
    """The part both registration forms share: validate, call the service, go to the code screen."""
    if request.user.is_authenticated:
        return redirect("selfservice:home")
    form = form_class(_posted(request), agreement_url=agreement_url(request))
    if request.method == "POST" and form.is_valid():
        try:
            user = submit(form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            _pending_remember(request, email=form.cleaned_data["email"], user=user, next_url=_safe_next(request, ""))
            return redirect("selfservice:email_confirm")
    return render(request, template, {"form": form, "next": _safe_next(request, "")})


@ratelimit(key=_by_ip, rate="10/h", method="POST", block=True)
@ratelimit(key=_posted_email, rate="5/h", method="POST", block=True)
def register(request):
    """«Регистрация» (seed 001 §2.2): e-mail, password, the agreement; then the code screen."""

    def submit(data):
        return service.user_register(
            email=data["email"],
            password=data["password1"],
            accept_agreement=data["accept_agreement"],
            advertising_consent=data["advertising_consent"],
        )

    return _register(
        request, form_class=RegistrationForm, template="selfservice/registration/register.html", submit=submit
    )


@ratelimit(key=_by_ip, rate="10/h", method="POST", block=True)
@ratelimit(key=_posted_email, rate="5/h", method="POST", block=True)
def register_household(request):
    """The household variant (seed 003): the account is activated at once when the control answer matches."""

    def submit(data):
        outcome = service.household_register(
            full_name=data["full_name"],
            account_number=data["account_number"],
            control=data["control"],
            control_answer=data["control_answer"],
            email=data["email"],
            password=data["password1"],
            accept_agreement=data["accept_agreement"],
            advertising_consent=data["advertising_consent"],
        )
        if outcome.account_linked:
            messages.success(
                request,
                _("Лицевой счёт № %(number)s привязан к вашему кабинету и уже активен.")
                % {"number": data["account_number"]},
            )
        else:
            messages.info(
                request,
                _(
                    "Данные не совпали с лицевым счётом, поэтому заявка на активацию отправлена в сбытовую компанию. "
                    "О решении мы сообщим письмом на %(email)s."
                )
                % {"email": data["email"]},
            )
        return outcome.user

    return _register(
        request,
        form_class=HouseholdRegistrationForm,
        template="selfservice/registration/register_household.html",
        submit=submit,
    )


# --- The code -------------------------------------------------------------------------------------------------


def _confirmed(request, user):
    """The address is confirmed: sign in if needed and go on, through «Давайте познакомимся» when it is not filled."""
    pending = request.session.pop(PENDING, None) or {}
    if not request.user.is_authenticated:
        login(request, user, backend=SIGN_IN_BACKEND)
    messages.success(request, _("Адрес электронной почты подтвержден успешно"))
    next_url = _safe_next(request, "") or pending.get("next", "")
    if not user.is_introduced:
        return redirect(_with_next(reverse("selfservice:introduce"), next_url))
    return redirect(next_url or "selfservice:home")


@ratelimit(key=_by_ip, rate="30/h", method="POST", block=True)
@ratelimit(key=_code_address, rate="20/h", method="POST", block=True)
def email_confirm(request):
    """«Введите код, отправленный на почту»: five digits and «Отправить ещё раз через 0:58»."""
    subject = _code_subject(request)
    if subject is None:
        return redirect("selfservice:register")
    if request.user.is_authenticated and request.user.email_confirmed:
        messages.info(request, _("Адрес электронной почты уже подтверждён."))
        return redirect("selfservice:home")
    form = EmailCodeForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            user = subject.confirm(form.cleaned_data["code"])
        except service.CodeRefused as refusal:
            form.add_error("code", str(refusal))
        else:
            return _confirmed(request, user)
    wait = subject.wait()
    context = {
        "form": form,
        "email": subject.email,
        "code_sent": subject.live(),
        "wait": wait,
        "wait_clock": f"{wait // 60}:{wait % 60:02d}",
        "next": _safe_next(request, ""),
        "signed_in": request.user.is_authenticated,
    }
    return render(request, "selfservice/registration/confirm.html", context)


@require_POST
@ratelimit(key=_by_ip, rate="20/h", method="POST", block=True)
@ratelimit(key=_code_address, rate="10/h", method="POST", block=True)
def email_confirm_resend(request):
    """Send the code again, at most once a minute (the screen's timer says when; this enforces it)."""
    subject = _code_subject(request)
    if subject is None:
        return redirect("selfservice:register")
    wait = subject.send()
    if wait:
        messages.error(request, _("Отправить код ещё раз можно через %(seconds)s с.") % {"seconds": wait})
    else:
        messages.success(request, _("Мы отправили новый код на %(email)s.") % {"email": subject.email})
    return redirect(_with_next(reverse("selfservice:email_confirm"), _safe_next(request, "")))


# --- «Давайте познакомимся» -----------------------------------------------------------------------------------


@login_required
def introduce(request):
    """«Давайте познакомимся» (F-A3): required before anything else; then on to where the user was going."""
    form = IntroduceForm.for_user(request.user, _posted(request))
    if request.method == "POST" and form.is_valid():
        service.user_introduce(user=request.user, **form.cleaned_data)
        messages.success(request, _("Спасибо! Данные сохранены."))
        return redirect(_safe_next(request, reverse("selfservice:home")))
    return render(request, "selfservice/registration/introduce.html", {"form": form, "next": _safe_next(request, "")})


urls = [
    path("register/", register, name="register"),
    path("register/household/", register_household, name="register_household"),
    path("register/confirm/", email_confirm, name="email_confirm"),
    path("register/confirm/resend/", email_confirm_resend, name="email_confirm_resend"),
    path("introduce/", introduce, name="introduce"),
]
