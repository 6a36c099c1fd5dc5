"""Registration (F-A1, F-A2, F-A3): new users, the e-mail code, household auto-activation, the 60-hour purge.

Nothing here tells an outsider whether an address is registered: a taken e-mail gets its owner a warning
letter and the caller shows the same «code sent» screen as for a new one.
"""

import math
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from backoffice.services.outbox import message_send
from workflows.models import ActivationRequest
from workflows.services.activation import activation_request_submit

from ..models import OneTimeCode
from .accounts import account_link_create, account_match
from .codes import one_time_code_issue, one_time_code_verify

EMAIL_CONFIRMATION = OneTimeCode.Purpose.EMAIL_CONFIRMATION


class CodeRefused(Exception):
    """The code was not accepted; the message says why in words the person understands."""


def wrong_code_message() -> str:
    return _("Неверный код. Проверьте код из письма и введите его ещё раз.")


def expired_code_message() -> str:
    return _("Срок действия кода истёк. Запросите новый код.")


def too_many_tries_message() -> str:
    return _("Код введён неверно слишком много раз. Запросите новый код.")


def no_code_message() -> str:
    return _("Код ещё не отправлен или уже использован. Запросите новый код.")


@dataclass(frozen=True)
class HouseholdRegistration:
    """What household registration did: `user` is None when the e-mail was taken (its owner was warned)."""

    user: object | None
    account_linked: bool
    activation_request: ActivationRequest | None


def _absolute(url_name: str) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(url_name)


def _email_taken(email: str) -> bool:
    return get_user_model()._default_manager.filter(email__iexact=email).exists()


def _owner_warn(email: str) -> None:
    message_send(
        to=email,
        template="registration_exists",
        context={"login_url": _absolute("selfservice:login"), "reset_url": _absolute("selfservice:password_reset")},
    )


def _user_create(*, email: str, password: str, accept_agreement: bool, advertising_consent: bool, **names):
    """Create the unconfirmed user, or warn the owner of a taken address and return None.

    The password is hashed in both branches so the answer takes the same time whether or not the address is taken.
    """
    if not accept_agreement:
        raise ValidationError(_("Примите пользовательское соглашение, чтобы зарегистрироваться."), code="agreement")
    now = timezone.now()
    user = get_user_model()(
        email=email.strip().lower(),
        agreement_accepted_at=now,
        advertising_consent=advertising_consent,
        date_joined=now,
        **names,
    )
    validate_password(password, user)
    user.set_password(password)
    if _email_taken(user.email):
        _owner_warn(user.email)
        return None
    user.full_clean(exclude={"password"}, validate_constraints=False)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:  # registered a moment ago by a parallel request
        _owner_warn(user.email)
        return None
    return user


@transaction.atomic
def user_register(*, email: str, password: str, accept_agreement: bool, advertising_consent: bool = False):
    """Register by e-mail and password (F-A1) and e-mail the confirmation code; return the user or None.

    None means the address belongs to someone: its owner gets a «someone tries to register» letter instead, and
    the caller must answer exactly as for a new user. The user is not signed in until the code confirms the address.
    """
    user = _user_create(
        email=email, password=password, accept_agreement=accept_agreement, advertising_consent=advertising_consent
    )
    if user is not None:
        email_code_send(user=user)
    return user


def _full_name_split(full_name: str) -> dict:
    last, first, *middle = [*full_name.split(), "", ""]
    return {"last_name": last, "first_name": first, "middle_name": " ".join(middle).strip()}


def _activation_request_create(*, user, full_name: str, account_number: str, control: str, answer: str):
    """The control question did not match: staff decide (workflows), the customer is told by e-mail."""
    request = activation_request_submit(
        user=user, full_name=full_name, account_number=account_number, control=control, control_answer=answer
    )
    message_send(
        to=user.email,
        template="registration_household_request",
        context={"activation_request": request},
        user=user,
    )
    return request


@transaction.atomic
def household_register(
    *,
    full_name: str,
    account_number: str,
    control: str,
    control_answer: str,
    email: str,
    password: str,
    accept_agreement: bool,
    advertising_consent: bool = False,
) -> HouseholdRegistration:
    """Register a household (F-A2, seed 003) and give it its personal account.

    When the answer to the control question matches, the account is linked at once; otherwise an activation
    request goes to the company's staff («Новая»), who approve or reject it. For a taken e-mail nothing is
    stored, but the outcome reported is the same as for a new address, so it reveals nothing.
    """
    full_name = " ".join(full_name.split())
    account_number = account_number.strip()
    control_answer = control_answer.strip()
    matched = account_match(number=account_number, control=control, answer=control_answer)
    user = _user_create(
        email=email,
        password=password,
        accept_agreement=accept_agreement,
        advertising_consent=advertising_consent,
        **_full_name_split(full_name),
    )
    if user is None:
        return HouseholdRegistration(user=None, account_linked=matched is not None, activation_request=None)
    activation_request = None
    if matched is not None:
        account_link_create(user=user, account=matched)
    else:
        activation_request = _activation_request_create(
            user=user, full_name=full_name, account_number=account_number, control=control, answer=control_answer
        )
    email_code_send(user=user)
    return HouseholdRegistration(user=user, account_linked=matched is not None, activation_request=activation_request)


def email_code_wait(*, user) -> int:
    """Seconds before another code may be sent to the user (a resend is allowed once a minute)."""
    last_sent = (
        OneTimeCode.objects.filter(user=user, purpose=EMAIL_CONFIRMATION)
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    if last_sent is None:
        return 0
    elapsed = (timezone.now() - last_sent).total_seconds()
    return max(0, math.ceil(settings.ONE_TIME_CODE_RESEND_SECONDS - elapsed))


def email_code_live(*, user) -> bool:
    """Whether a code sent to the user can still be entered (so the screen asks for it)."""
    latest = OneTimeCode.objects.filter(user=user, purpose=EMAIL_CONFIRMATION).order_by("-created_at").first()
    return latest is not None and latest.is_usable()


@transaction.atomic
def email_code_send(*, user) -> int:
    """E-mail a fresh 5-digit code unless one went out less than a minute ago; return the seconds left (0 = sent)."""
    wait = email_code_wait(user=user)
    if wait:
        return wait
    code = one_time_code_issue(user=user, purpose=EMAIL_CONFIRMATION, sent_to=user.email)
    message_send(
        to=user.email,
        template="email_code",
        context={"code": code, "ttl_minutes": settings.ONE_TIME_CODE_TTL_MINUTES},
        user=user,
    )
    return 0


def _refusal(user) -> str:
    latest = OneTimeCode.objects.filter(user=user, purpose=EMAIL_CONFIRMATION).order_by("-created_at").first()
    if latest is None or latest.used_at is not None:
        return no_code_message()
    if latest.attempts >= settings.ONE_TIME_CODE_MAX_ATTEMPTS:
        return too_many_tries_message()
    if latest.expires_at <= timezone.now():
        return expired_code_message()
    return wrong_code_message()


def email_confirm(*, user, code: str) -> None:
    """Confirm the user's e-mail with the code, or raise CodeRefused saying what was wrong.

    Deliberately not one transaction: a wrong try must stay counted even though the refusal is raised.
    """
    if not one_time_code_verify(user=user, purpose=EMAIL_CONFIRMATION, code=code, sent_to=user.email):
        raise CodeRefused(_refusal(user))
    user.email_confirmed_at = timezone.now()
    user.save(update_fields=["email_confirmed_at"])


@transaction.atomic
def user_introduce(
    *, user, last_name: str, first_name: str, phone, middle_name="", organisation="", position="", address=""
):
    """Save «Давайте познакомимся» (F-A3). A new phone number is unconfirmed until the profile confirms it by SMS."""
    if user.phone != phone:
        user.phone_confirmed_at = None
    user.last_name, user.first_name, user.middle_name = last_name, first_name, middle_name
    user.organisation, user.position, user.address, user.phone = organisation, position, address, phone
    user.full_clean(exclude={"password"})
    user.save()
    return user


def unconfirmed_users_purge(*, now=None) -> int:
    """Delete registrations whose e-mail stayed unconfirmed for UNCONFIRMED_EMAIL_TTL (60 h, seed 004); return how many.

    Only self-registered users with nothing attached are removed: not staff, not migrated cabinets (a legacy
    login), not accounts staff created, not anonymised ones, not users with a linked personal account. A user
    something else still protects (a document, an audit row) is skipped and stays.
    """
    cutoff = (now or timezone.now()) - settings.UNCONFIRMED_EMAIL_TTL
    stale = get_user_model()._default_manager.filter(
        email_confirmed_at__isnull=True,
        date_joined__lt=cutoff,
        is_staff=False,
        login="",
        registered_by__isnull=True,
        anonymised_at__isnull=True,
        account_links__isnull=True,
    )
    purged = 0
    for user in stale.iterator():
        try:
            with transaction.atomic():
                user.delete()
        except ProtectedError:
            continue
        purged += 1
    return purged
