"""«Профиль» (F-A6; seed 001 §13, seed 000 §3.1): personal data, e-mail and phone changes confirmed by code,
and «Удалить аккаунт».

A new e-mail waits in `User.pending_email` and a new phone number in the SMS code's `sent_to` until the code
proves the person controls it; until then the old e-mail stays the login and the old number stays in the profile.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.models import UserObjectPermission
from phonenumber_field.phonenumber import PhoneNumber

from backoffice.services.outbox import message_send
from workflows.models import ActivationRequest
from workflows.services.history import transition_log_write

from ..access import access_forget
from ..models import OneTimeCode
from .codes import one_time_code_issue, one_time_code_verify
from .registration import CodeRefused, email_code_send
from .sessions import user_sessions_end

EMAIL_CONFIRMATION = OneTimeCode.Purpose.EMAIL_CONFIRMATION
PHONE_CONFIRMATION = OneTimeCode.Purpose.PHONE_CONFIRMATION
# Seed 000 §3.1.2: «В случае многократной смены телефона необходимо ввести проверочный код» — after three
# requests for an SMS code within a day the fourth asks for the picture.
PHONE_CAPTCHA_AFTER = 3
PHONE_CAPTCHA_WINDOW = timedelta(hours=24)
PERSONAL_FIELDS = frozenset({"last_name", "first_name", "middle_name", "organisation", "position", "address"})


def _absolute(url_name: str) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(url_name)


@transaction.atomic
def personal_data_update(*, user, **fields) -> None:
    """Save «Личные данные» (ФИО, Организация, Должность, Адрес): only the fields given change.

    The e-mail and the phone are not among them: each changes only through its code.
    """
    if not fields.keys() <= PERSONAL_FIELDS:
        raise ValueError(f"Not personal data: {sorted(fields.keys() - PERSONAL_FIELDS)}")
    for name, value in fields.items():
        setattr(user, name, value)
    user.full_clean(exclude={"password"}, validate_constraints=False)
    user.save(update_fields=list(fields))


@transaction.atomic
def contact_settings_update(*, user, advertising_consent: bool | None = None, confirm_new_devices: bool | None = None):
    """Switch the advertising consent («Рекламная рассылка») or the confirmation of new devices on or off."""
    changed = {
        name: value
        for name, value in (("advertising_consent", advertising_consent), ("confirm_new_devices", confirm_new_devices))
        if value is not None
    }
    for name, value in changed.items():
        setattr(user, name, value)
    user.save(update_fields=list(changed))


# --- Codes -------------------------------------------------------------------------------------------------------


def code_resend_wait(*, user, purpose: str) -> int:
    """Seconds until another code may be sent («Отправить ещё раз через 0:58»): one a minute, whatever the address."""
    latest = OneTimeCode.objects.filter(user=user, purpose=purpose).order_by("-created_at").first()
    if latest is None:
        return 0
    elapsed = (timezone.now() - latest.created_at).total_seconds()
    return max(0, int(settings.ONE_TIME_CODE_RESEND_SECONDS - elapsed + 0.999))


def _no_code() -> str:
    return _("Код ещё не отправлен или уже использован. Запросите новый код.")


def _live_code(*, user, purpose: str) -> OneTimeCode | None:
    latest = OneTimeCode.objects.filter(user=user, purpose=purpose).order_by("-created_at").first()
    return latest if latest is not None and latest.is_usable() else None


def _refusal(*, user, purpose: str, wrong: str) -> str:
    """Why a code was refused: wrong (`wrong` names where it came from), expired, spent, or dead after tries."""
    latest = OneTimeCode.objects.filter(user=user, purpose=purpose).order_by("-created_at").first()
    if latest is None or latest.used_at is not None:
        return _no_code()
    if latest.attempts >= settings.ONE_TIME_CODE_MAX_ATTEMPTS:
        return _("Код введён неверно слишком много раз. Запросите новый код.")
    if latest.expires_at <= timezone.now():
        return _("Срок действия кода истёк. Запросите новый код.")
    return wrong


def _verify(*, user, purpose: str, code: str, sent_to: str, wrong: str) -> None:
    """Spend the live code sent to `sent_to`, or raise CodeRefused; a wrong try stays counted (no transaction)."""
    live = _live_code(user=user, purpose=purpose)
    if live is None:
        raise CodeRefused(_refusal(user=user, purpose=purpose, wrong=wrong))
    if live.sent_to != sent_to:  # the latest code went elsewhere (registration's screen sent one to the login)
        raise CodeRefused(_no_code())
    if not one_time_code_verify(user=user, purpose=purpose, code=code):
        raise CodeRefused(_refusal(user=user, purpose=purpose, wrong=wrong))


# --- E-mail change ---------------------------------------------------------------------------------------------


def _email_taken(email: str, *, user) -> bool:
    return get_user_model()._default_manager.filter(email__iexact=email).exclude(pk=user.pk).exists()


def _email_taken_error() -> ValidationError:
    # Only a signed-in user who proved the password gets this far, so naming the conflict reveals nothing new.
    return ValidationError(_("Этот e-mail уже используется"), code="taken")


@transaction.atomic
def email_change_request(*, user, email: str) -> bool:
    """Start changing the e-mail (seed 000 §3.1.2, seed 001 §13.1.2); True when a code went to the new address.

    A confirmed user keeps signing in with the old address until the code comes back (`pending_email`).
    A user who never confirmed the address typed at registration has nothing to protect, so the address is
    corrected at once and registration's confirmation code goes to the new one; routing that case through
    `pending_email` would let the registration code screen confirm the old, unproven address with the new code.
    Returns False when the code was sent less than a minute ago (the screen shows the countdown instead).
    """
    email = email.strip().lower()
    if email == user.email:
        raise ValidationError(_("Это ваш текущий e-mail"), code="same")
    if _email_taken(email, user=user):
        raise _email_taken_error()
    if not user.email_confirmed:
        user.email, user.pending_email = email, ""
        user.save(update_fields=["email", "pending_email"])
        return email_code_send(user=user) == 0
    user.pending_email = email
    user.save(update_fields=["pending_email"])
    return email_change_code_send(user=user)


@transaction.atomic
def email_change_code_send(*, user) -> bool:
    """E-mail a fresh code to the pending address unless one went out less than a minute ago; True when sent."""
    if not user.pending_email or code_resend_wait(user=user, purpose=EMAIL_CONFIRMATION):
        return False
    code = one_time_code_issue(user=user, purpose=EMAIL_CONFIRMATION, sent_to=user.pending_email)
    message_send(
        to=user.pending_email,
        template="email_change_code",
        context={"code": code, "new_email": user.pending_email, "ttl_minutes": settings.ONE_TIME_CODE_TTL_MINUTES},
        user=user,
    )
    return True


def email_change_confirm(*, user, code: str) -> str:
    """Make the pending address the login once its code is right; return the old address, which is told.

    Raises CodeRefused (wrong, expired, too many tries) or ValidationError when someone else took the address
    in the meantime. The check of the code is not one transaction with the change, so a wrong try stays counted.
    """
    if not user.pending_email:
        raise CodeRefused(_no_code())
    _verify(
        user=user,
        purpose=EMAIL_CONFIRMATION,
        code=code,
        sent_to=user.pending_email,
        wrong=_("Неверный код. Проверьте код из письма и введите его ещё раз."),
    )
    if _email_taken(user.pending_email, user=user):
        email_change_cancel(user=user)
        raise _email_taken_error()
    try:
        return _email_switch(user=user)
    except IntegrityError:  # registered in the very same moment
        user.refresh_from_db()
        email_change_cancel(user=user)
        raise _email_taken_error() from None


@transaction.atomic
def _email_switch(*, user) -> str:
    old, new = user.email, user.pending_email
    user.email, user.pending_email, user.email_confirmed_at = new, "", timezone.now()
    user.save(update_fields=["email", "pending_email", "email_confirmed_at"])
    message_send(
        to=old,
        template="email_changed_notice",
        context={"old_email": old, "new_email": new, "reset_url": _absolute("selfservice:password_reset")},
        user=user,
    )
    return old


@transaction.atomic
def email_change_cancel(*, user) -> None:
    """«Отменить»: forget the pending address; its code can no longer be used."""
    user.pending_email = ""
    user.save(update_fields=["pending_email"])
    OneTimeCode.objects.filter(user=user, purpose=EMAIL_CONFIRMATION, used_at__isnull=True).update(
        expires_at=timezone.now()
    )


# --- Phone change ----------------------------------------------------------------------------------------------


def phone_captcha_required(*, user) -> bool:
    """Whether the next SMS code needs the picture: more than three asked for within 24 hours (seed 000 §3.1.2)."""
    since = timezone.now() - PHONE_CAPTCHA_WINDOW
    asked = OneTimeCode.objects.filter(user=user, purpose=PHONE_CONFIRMATION, created_at__gte=since).count()
    return asked >= PHONE_CAPTCHA_AFTER


def phone_change_pending(*, user) -> str:
    """The number waiting for its SMS code (E.164): that of the latest code not yet used or cancelled, sent
    within the last day; "" when no change waits. An expired code still names the number, so «Отправить ещё
    раз» can send a new one to it.
    """
    since = timezone.now() - PHONE_CAPTCHA_WINDOW
    latest = OneTimeCode.objects.filter(user=user, purpose=PHONE_CONFIRMATION).order_by("-created_at").first()
    if latest is None or latest.used_at is not None or latest.created_at < since:
        return ""
    return latest.sent_to


@transaction.atomic
def phone_change_request(*, user, phone) -> bool:
    """Send an SMS code to the new number (seed 000 §3.1.2, «Выслать код подтверждения»); True when sent.

    False means a code went out less than a minute ago: «Повторно сменить номер можно только по истечении
    указанного на таймере времени». The profile keeps the old number until the code is typed.
    """
    number = phone.as_e164
    if user.phone_confirmed and user.phone and user.phone.as_e164 == number:
        raise ValidationError(_("Этот номер уже указан в профиле и подтверждён"), code="same")
    if code_resend_wait(user=user, purpose=PHONE_CONFIRMATION):
        return False
    code = one_time_code_issue(user=user, purpose=PHONE_CONFIRMATION, sent_to=number)
    message_send(
        to=number,
        channel="sms",
        template="phone_code",
        context={"code": code, "ttl_minutes": settings.ONE_TIME_CODE_TTL_MINUTES},
        user=user,
    )
    return True


def phone_change_confirm(*, user, code: str) -> str:
    """Put the number into the profile, confirmed, once its SMS code is right («Проверить код»); return it.

    Raises CodeRefused (wrong, expired, too many tries); a wrong try stays counted.
    """
    number = phone_change_pending(user=user)
    _verify(
        user=user,
        purpose=PHONE_CONFIRMATION,
        code=code,
        sent_to=number,
        wrong=_("Неверный код. Проверьте код из СМС и введите его ещё раз."),
    )
    user.phone, user.phone_confirmed_at = number, timezone.now()
    user.save(update_fields=["phone", "phone_confirmed_at"])
    return number


def phone_change_resend(*, user) -> bool:
    """«Отправить ещё раз»: a new code to the number waiting for one, once a minute; True when sent."""
    number = phone_change_pending(user=user)
    return bool(number) and phone_change_request(user=user, phone=PhoneNumber.from_string(number))


def phone_change_cancel(*, user) -> None:
    """«Отменить»: the code can no longer be used; it still counts towards the picture (seed 000 §3.1.2)."""
    now = timezone.now()
    OneTimeCode.objects.filter(user=user, purpose=PHONE_CONFIRMATION, used_at__isnull=True).update(
        used_at=now, expires_at=now
    )


# --- «Удалить аккаунт» ---------------------------------------------------------------------------------------------


def anonymised_email(user) -> str:
    """The placeholder that frees the real address for a new registration (seed 001 §13.1.4)."""
    return f"deleted-{user.pk}@anonymised.invalid"  # .invalid never delivers; the form still validates


def _open_requests_close(*, user, by) -> None:
    """A request of a deleted account must not be approved later: it is refused, its history kept."""
    reason = _("Пользователь удалил аккаунт")
    for request in ActivationRequest.objects.select_for_update().filter(user=user, state=ActivationRequest.State.NEW):
        source = request.state
        request.reject(by=by, reason=reason)
        request.save()
        transition_log_write(
            subject=request, transition="reject", source=source, target=request.state, by=by, comment=reason
        )


@transaction.atomic
def user_anonymise(*, user, by=None) -> None:
    """Delete the account the way seed 001 §13.1.4 means it: the person is forgotten, the records stay.

    Names, phone, organisation, position, address, the old login and a pending e-mail are cleared; the e-mail
    becomes a placeholder, so the real address may register again; the password becomes unusable, every session
    ends and trusted devices, one-time codes, account links and contract roles go. Documents, payments,
    readings, the outbox and workflow history stay as they are: they belong to the accounts and to the
    company's records. The letter
    «Аккаунт удалён» is written to the old address before it is forgotten. `by` is the staff member, if any.
    """
    if user.is_staff:
        raise ValidationError(_("Учётную запись сотрудника удаляет администратор."), code="staff")
    message_send(
        to=user.email,
        template="account_deleted",
        context={"full_name": user.get_full_name(), "register_url": _absolute("selfservice:register")},
        user=user,
    )
    _open_requests_close(user=user, by=by or user)
    user_sessions_end(user=user)
    user.known_devices.all().delete()
    user.one_time_codes.all().delete()
    access_forget(user=user)
    user.groups.clear()
    user.user_permissions.clear()
    UserObjectPermission.objects.filter(user=user).delete()
    for field in ("last_name", "first_name", "middle_name", "organisation", "position", "address", "login"):
        setattr(user, field, "")
    user.phone, user.phone_confirmed_at, user.pending_email = "", None, ""
    user.email = anonymised_email(user)
    user.advertising_consent = user.confirm_new_devices = False
    user.set_unusable_password()
    user.is_active = False
    user.anonymised_at = timezone.now()
    user.save()
