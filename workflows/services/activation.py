"""Activation requests (F-A2, F-A7; seed 003 §1.1): a household asks for an account it could not prove it owns.

Registration files the request when the control question («Сумма последнего платежа» or «Номер счётчика») did
not match; a clerk approves it — the account is linked to the user — or rejects it with a reason. Either way
the customer is e-mailed, and every step is a `TransitionLog` row the clerk sees on the request's page.

Two clerks may open the same request at once: the decision locks the row, so the second one is told
«Заявку уже рассмотрел другой сотрудник» instead of deciding twice.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from backoffice.models import PersonalAccount
from backoffice.services.outbox import message_send
from selfservice.services.accounts import account_link_create

from ..models import ActivationRequest
from .history import transition_log_write


class ActivationRequestRefused(Exception):
    """A decision that cannot be made; the message is shown to the clerk as it is."""


def _open_account(number: str) -> PersonalAccount | None:
    return PersonalAccount.objects.filter(number=number.strip(), closed_on__isnull=True).first()


def _site_link(url_name: str) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(url_name)


@transaction.atomic
def activation_request_submit(
    *, user, full_name, account_number, control, control_answer, relation="owner", paperless=False
) -> ActivationRequest:
    """File a «Новая» request for staff, or return the open one this user already has for that number.

    The account is looked up by its number now, so the clerk sees at once what the account really holds;
    a number that does not exist still makes a request (the clerk may know the right one).
    """
    number = account_number.strip()
    existing = ActivationRequest.objects.filter(
        user=user, account_number=number, state=ActivationRequest.State.NEW
    ).first()
    if existing is not None:
        return existing
    request = ActivationRequest(
        user=user,
        full_name=" ".join(full_name.split()),
        account_number=number,
        control=control,
        control_answer=control_answer.strip(),
        relation=relation,
        paperless=paperless,
        account=_open_account(number),
    )
    # `state` is the FSM's (clean_fields would assign it, which a protected field forbids); the open-once
    # rule is left to the database, see below.
    request.full_clean(exclude={"state"}, validate_constraints=False)
    try:
        with transaction.atomic():
            request.save()
    except IntegrityError:  # the same form sent twice at once: the first request stands
        return ActivationRequest.objects.get(user=user, account_number=number, state=ActivationRequest.State.NEW)
    transition_log_write(subject=request, transition="submit", source="", target=request.state, by=user)
    return request


def _lock_undecided(request: ActivationRequest) -> ActivationRequest:
    locked = ActivationRequest.objects.select_for_update().get(pk=request.pk)
    if locked.state != ActivationRequest.State.NEW:
        raise ActivationRequestRefused(_("Заявку уже рассмотрел другой сотрудник"))
    return locked


@transaction.atomic
def activation_request_approve(*, request: ActivationRequest, by, account: PersonalAccount | None = None):
    """Link the account to the customer and tell them; `account` replaces the one found by the typed number.

    Returns the request as decided (the caller's instance is left as it was).
    """
    locked = _lock_undecided(request)
    account = account or locked.account
    if account is None:
        raise ActivationRequestRefused(
            _("Лицевой счёт № %(number)s не найден. Укажите номер счёта, который нужно подключить.")
            % {"number": locked.account_number}
        )
    if account.closed_on is not None:
        raise ActivationRequestRefused(_("Лицевой счёт № %(number)s закрыт.") % {"number": account.number})
    account_link_create(
        user=locked.user, account=account, relation=locked.relation, paperless=locked.paperless, linked_by=by
    )
    source = locked.state
    locked.account = account
    locked.approve(by=by)
    locked.save()
    comment = (
        "" if account.number == locked.account_number else _("Подключён ЛС № %(number)s") % {"number": account.number}
    )
    transition_log_write(
        subject=locked, transition="approve", source=source, target=locked.state, by=by, comment=comment
    )
    message_send(
        to=locked.user.email,
        template="activation_approved",
        context={"activation": locked, "account": account, "login_url": _site_link("selfservice:login")},
        user=locked.user,
    )
    return locked


@transaction.atomic
def activation_request_reject(*, request: ActivationRequest, by, reason: str):
    """Refuse the request with a reason the customer reads in the e-mail; returns the request as decided."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Укажите причину отказа: её получит клиент.")}, code="required")
    locked = _lock_undecided(request)
    source = locked.state
    locked.reject(by=by, reason=reason)
    locked.save()
    transition_log_write(subject=locked, transition="reject", source=source, target=locked.state, by=by, comment=reason)
    message_send(
        to=locked.user.email,
        template="activation_rejected",
        context={"activation": locked, "site_link": _site_link("selfservice:home")},
        user=locked.user,
    )
    return locked
