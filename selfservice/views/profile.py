"""«Профиль» (F-A6; seed 001 §13, seed 000 §3.1): tabs «Личные данные», «Контакты», «Договоры», «Безопасность»,
«Сессии» («Договоры» lives in views/contracts.py).

«Личные данные» are edited in place: each value has «Изменить», which static/js/inline-edit.js turns into
the form on the spot; without JavaScript the same link opens the page with that form open (`?edit=<section>`).
"""

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET

from ..forms.profile import (
    SECTIONS,
    AccountDeleteForm,
    CodeForm,
    ContactSettingsForm,
    EmailChangeForm,
    PersonalDataForm,
    PhoneChangeForm,
    ResendForm,
    SecuritySettingsForm,
    SmsCodeForm,
)
from ..services.profile import (
    EMAIL_CONFIRMATION,
    PHONE_CONFIRMATION,
    code_resend_wait,
    contact_settings_update,
    email_change_cancel,
    email_change_code_send,
    email_change_confirm,
    email_change_request,
    personal_data_update,
    phone_captcha_required,
    phone_change_cancel,
    phone_change_confirm,
    phone_change_pending,
    phone_change_request,
    phone_change_resend,
    user_anonymise,
)
from ..services.registration import CodeRefused
from . import ratelimited
from .signin import by_ip, over_limit

# Codes sent per user and per address: enough for a person who mistypes, too few to flood a mailbox or a phone.
EMAIL_LIMITS = [("user", "5/h"), (by_ip, "20/h")]
PHONE_LIMITS = [("user", "10/h"), (by_ip, "30/h")]


def profile_tabs(current: str) -> list[dict]:
    """The tabs of «Профиль», each a page of its own (templates/includes/tabs.html); `current` is a URL name."""
    tabs = [
        (_("Личные данные"), "selfservice:profile"),
        (_("Контакты"), "selfservice:profile_contacts"),
        (_("Договоры"), "selfservice:contracts"),
        (_("Уведомления"), "selfservice:notification_settings"),
        (_("Безопасность"), "selfservice:profile_security"),
        (_("Сессии"), "selfservice:sessions"),
    ]
    return [{"label": label, "url": reverse(name), "is_current": name == current} for label, name in tabs]


def profile_page(request, template: str, context: dict, *, tab: str):
    """Render a screen of «Профиль» under its tab (the e-mail and phone changes belong to «Контакты»)."""
    return render(request, template, {"tabs": profile_tabs(f"selfservice:{tab}"), **context})


@login_required
@never_cache
def profile(request):
    """«Личные данные»: ФИО, Организация, Должность, Адрес, each saved on its own («Профиль пользователя изменён»)."""
    source = request.POST if request.method == "POST" else request.GET
    editing = source.get("section") or source.get("edit")
    editing = editing if editing in SECTIONS else None
    bound = None
    if request.method == "POST" and editing:
        bound = PersonalDataForm(request.POST, section=editing, user=request.user)
        if bound.is_valid():
            personal_data_update(user=request.user, **bound.cleaned_data)
            messages.success(request, _("Профиль пользователя изменён"))
            return redirect("selfservice:profile")
    rows = [
        {
            "key": key,
            "label": section.label,
            "value": _section_value(request.user, key),
            "form": bound if key == editing and bound is not None else PersonalDataForm(section=key, user=request.user),
            "is_open": key == editing,
        }
        for key, section in SECTIONS.items()
    ]
    return profile_page(request, "selfservice/profile/personal.html", {"rows": rows}, tab="profile")


def _section_value(user, key: str) -> str:
    if key == "name":
        return user.get_full_name()
    return getattr(user, SECTIONS[key].fields[0])


@login_required
@never_cache
def profile_contacts(request):
    """«Контакты»: the e-mail and the phone with their confirmation, and «Рекламная рассылка»."""
    user = request.user
    form = ContactSettingsForm(
        request.POST if request.method == "POST" else None, initial={"advertising_consent": user.advertising_consent}
    )
    if form.is_valid():
        contact_settings_update(user=user, advertising_consent=form.cleaned_data["advertising_consent"])
        messages.success(request, _("Настройки сохранены"))
        return redirect("selfservice:profile_contacts")
    return profile_page(
        request,
        "selfservice/profile/contacts.html",
        {"form": form, "pending_phone": phone_change_pending(user=user)},
        tab="profile_contacts",
    )


@login_required
@never_cache
def profile_security(request):
    """«Безопасность»: «Изменить пароль», the confirmation of new devices and «Удалить аккаунт»."""
    user = request.user
    form = SecuritySettingsForm(
        request.POST if request.method == "POST" else None, initial={"confirm_new_devices": user.confirm_new_devices}
    )
    if form.is_valid():
        contact_settings_update(user=user, confirm_new_devices=form.cleaned_data["confirm_new_devices"])
        messages.success(request, _("Настройки сохранены"))
        return redirect("selfservice:profile_security")
    return profile_page(request, "selfservice/profile/security.html", {"form": form}, tab="profile_security")


# --- E-mail --------------------------------------------------------------------------------------------------------


@sensitive_post_parameters("password")
@login_required
@never_cache
def profile_email(request):
    """«Изменение адреса эл. почты»: the new address and the password → «Выслать код подтверждения»."""
    user = request.user
    form = EmailChangeForm(request.POST if request.method == "POST" else None, user=user)
    if request.method == "POST":
        if over_limit(request, group="profile-email", limits=EMAIL_LIMITS):
            return ratelimited(request)
        if form.is_valid():
            was_confirmed = user.email_confirmed
            try:
                email_change_request(user=user, email=form.cleaned_data["email"])
            except ValidationError as error:
                form.add_error("email", error)
            else:
                if not was_confirmed:  # the address typed at registration was corrected: confirm it as usual
                    messages.info(request, _("Адрес изменён. Введите код, отправленный на новый адрес."))
                    return redirect("selfservice:email_confirm")
                return redirect("selfservice:profile_email_confirm")
    return profile_page(request, "selfservice/profile/email.html", {"form": form}, tab="profile_contacts")


@sensitive_post_parameters("code")
@login_required
@never_cache
def profile_email_confirm(request):
    """«Введите код, отправленный на почту» for the new address; «Отправить ещё раз» once a minute; «Отменить»."""
    user = request.user
    if not user.pending_email:
        return redirect("selfservice:profile_contacts")
    form = CodeForm(request.POST if "code" in request.POST else None)
    if request.method == "POST":
        if "cancel" in request.POST:
            email_change_cancel(user=user)
            messages.info(request, _("Изменение e-mail отменено. Вход — по прежнему адресу."))
            return redirect("selfservice:profile_contacts")
        if "resend" in request.POST:
            if over_limit(request, group="profile-email", limits=EMAIL_LIMITS):
                return ratelimited(request)
            _resent(request, email_change_code_send(user=user), purpose=EMAIL_CONFIRMATION)
            return redirect("selfservice:profile_email_confirm")
        if form.is_valid():
            try:
                email_change_confirm(user=user, code=form.cleaned_data["code"])
            except CodeRefused as refusal:
                form.add_error("code", str(refusal))
            except ValidationError as error:
                messages.error(request, error.messages[0])
                return redirect("selfservice:profile_email")
            else:
                messages.success(request, _("E-mail изменён. Теперь входите в личный кабинет с новым адресом."))
                return redirect("selfservice:profile_contacts")
    return profile_page(
        request,
        "selfservice/profile/email_confirm.html",
        {"form": form, "email": user.pending_email, **_resend_context(user, EMAIL_CONFIRMATION)},
        tab="profile_contacts",
    )


def _resend_context(user, purpose: str, *, captcha: bool = False, resend_form=None) -> dict:
    wait = code_resend_wait(user=user, purpose=purpose)
    return {
        "resend_wait": wait,
        "resend_clock": f"{wait // 60}:{wait % 60:02d}",
        "resend_form": resend_form or ResendForm(captcha=captcha),
    }


def _resent(request, sent: bool, *, purpose: str) -> None:
    if sent:
        messages.success(request, _("Код отправлен ещё раз."))
    else:
        wait = code_resend_wait(user=request.user, purpose=purpose)
        messages.error(request, _("Отправить код ещё раз можно через %(seconds)s сек.") % {"seconds": wait})


# --- Phone ---------------------------------------------------------------------------------------------------------


@login_required
@never_cache
def profile_phone(request):
    """«Изменение номера телефона»: the number (and the picture after repeated changes) → the SMS code."""
    user = request.user
    captcha = phone_captcha_required(user=user)
    initial = {} if user.phone_confirmed or not user.phone else {"phone": user.phone}
    form = PhoneChangeForm(request.POST if request.method == "POST" else None, captcha=captcha, initial=initial)
    if request.method == "POST":
        if over_limit(request, group="profile-phone", limits=PHONE_LIMITS):
            return ratelimited(request)
        if form.is_valid():
            try:
                sent = phone_change_request(user=user, phone=form.cleaned_data["phone"])
            except ValidationError as error:
                form.add_error("phone", error)
            else:
                if not sent:
                    messages.error(
                        request, _("Повторно сменить номер можно только по истечении указанного на таймере времени.")
                    )
                return redirect("selfservice:profile_phone_confirm")
    return profile_page(request, "selfservice/profile/phone.html", {"form": form}, tab="profile_contacts")


@sensitive_post_parameters("code")
@login_required
@never_cache
def profile_phone_confirm(request):
    """«СМС с кодом подтверждения было отправлено на номер…»: «Код подтверждения» → «Проверить код»."""
    user = request.user
    number = phone_change_pending(user=user)
    if not number:
        return redirect("selfservice:profile_phone")
    captcha = phone_captcha_required(user=user)
    form = SmsCodeForm(request.POST if "code" in request.POST else None)
    resend_form = ResendForm(request.POST if "resend" in request.POST else None, captcha=captcha)
    if request.method == "POST":
        if "cancel" in request.POST:
            phone_change_cancel(user=user)
            messages.info(request, _("Изменение номера телефона отменено."))
            return redirect("selfservice:profile_contacts")
        if "resend" in request.POST:
            if over_limit(request, group="profile-phone", limits=PHONE_LIMITS):
                return ratelimited(request)
            if resend_form.is_valid():
                _resent(request, phone_change_resend(user=user), purpose=PHONE_CONFIRMATION)
                return redirect("selfservice:profile_phone_confirm")
        elif form.is_valid():
            try:
                phone_change_confirm(user=user, code=form.cleaned_data["code"])
            except CodeRefused as refusal:
                form.add_error("code", str(refusal))
            else:
                messages.success(request, _("Номер телефона подтверждён и сохранён в профиле."))
                return redirect("selfservice:profile_contacts")
    context = {"form": form, "phone": number, **_resend_context(user, PHONE_CONFIRMATION, resend_form=resend_form)}
    return profile_page(request, "selfservice/profile/phone_confirm.html", context, tab="profile_contacts")


# --- «Удалить аккаунт» -----------------------------------------------------------------------------------------------


@sensitive_post_parameters("password")
@login_required
@never_cache
def account_delete(request):
    """«Удалить аккаунт» (seed 001 §13.1.4): the password and «Я понимаю…»; the person is forgotten, records stay."""
    form = AccountDeleteForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST":
        if over_limit(request, group="account-delete", limits=[("user", "10/h")]):
            return ratelimited(request)
        if form.is_valid():
            try:
                user_anonymise(user=request.user)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                logout(request)
                return redirect("selfservice:account_deleted")
    return profile_page(request, "selfservice/profile/delete.html", {"form": form}, tab="profile_security")


@require_GET
def account_deleted(request):
    """The goodbye after «Удалить аккаунт»: the e-mail may register again."""
    return render(request, "selfservice/profile/deleted.html")


urls = [
    path("profile/", profile, name="profile"),
    path("profile/contacts/", profile_contacts, name="profile_contacts"),
    path("profile/security/", profile_security, name="profile_security"),
    path("profile/email/", profile_email, name="profile_email"),
    path("profile/email/confirm/", profile_email_confirm, name="profile_email_confirm"),
    path("profile/phone/", profile_phone, name="profile_phone"),
    path("profile/phone/confirm/", profile_phone_confirm, name="profile_phone_confirm"),
    path("profile/delete/", account_delete, name="account_delete"),
    path("profile/deleted/", account_deleted, name="account_deleted"),
]
