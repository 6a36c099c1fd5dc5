"""Linking a household user to a personal account (ЛС): the control question and the link itself.

Used by household registration (F-A2), «Добавить лицевой счет» (F-B1) and staff (F-A7).
"""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from backoffice.models import AuditAction, Meter, Notification, Payment, PersonalAccount
from backoffice.models.choices import PaymentStatus
from backoffice.services.audit import audit_record
from backoffice.services.notifications import notification_send

from ..access import access_sync
from ..models import AccountLink

LAST_PAYMENT = "last_payment"
METER_NUMBER = "meter_number"


def _amount(text: str) -> Decimal | None:
    try:
        return Decimal(text.replace(" ", "").replace("\xa0", "").replace(",", ".")).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        return None


def account_match(*, number: str, control: str, answer: str) -> PersonalAccount | None:
    """The open account with this number if the answer to the control question is right, else None.

    «Сумма последнего платежа» is compared with the latest posted payment, «Номер счётчика» with the serial
    of any meter of the account. The caller says the same thing whichever part was wrong.
    """
    account = PersonalAccount.objects.filter(number=number.strip(), closed_on__isnull=True).first()
    if account is None or not answer.strip():
        return None
    if control == LAST_PAYMENT:
        last = (
            Payment.objects.filter(account=account, status=PaymentStatus.POSTED)
            .order_by("-paid_on", "-pk")
            .values_list("amount", flat=True)
            .first()
        )
        return account if last is not None and _amount(answer) == last else None
    if control == METER_NUMBER:
        serial = answer.strip().replace(" ", "")
        return account if Meter.objects.filter(account=account, serial__iexact=serial).exists() else None
    raise ValueError(f"Unknown control question {control!r}")


@transaction.atomic
def account_link_create(
    *, user, account: PersonalAccount, relation: str = AccountLink.Relation.OWNER, paperless=False, linked_by=None
) -> tuple[AccountLink, bool]:
    """Give `user` the account (idempotent); return the link and whether it is new."""
    link, created = AccountLink.objects.get_or_create(
        user=user,
        account=account,
        defaults={"relation": relation, "paperless": paperless, "linked_by": linked_by},
    )
    if created:
        access_sync(user=user, account=account)
        audit_record(
            actor=linked_by or user,
            action=AuditAction.ACCOUNT_LINK,
            summary=_("Лицевой счёт № %(number)s привязан к личному кабинету %(user)s")
            % {"number": account.number, "user": user.email},
            subject=link,
            customer=account.customer_id,
            changes={
                _("Лицевой счёт"): [None, account.number],
                _("Статус отношения к ЛС"): [None, str(link.get_relation_display())],
            },
        )
    return link, created


@dataclass(frozen=True)
class AccountAdded:
    """What «Добавить лицевой счет» did: either `link` (the answer matched) or `request` for staff."""

    link: AccountLink | None = None
    request: object | None = None


def _mask(email: str) -> str:
    name, _at, domain = email.partition("@")
    return f"{name[:1]}***@{domain}"


def _others_notify(*, link: AccountLink) -> None:
    """Tell everyone else who has this ЛС that it was added to one more cabinet (seed 000 §3.1.3)."""
    others = AccountLink.objects.filter(account=link.account).exclude(user=link.user).select_related("user")
    for other in others:
        notification_send(
            user=other.user,
            kind=Notification.Kind.ACCOUNT_SHARED,
            title=_("Абонент был добавлен в профиль другого пользователя"),
            body=_("Лицевой счёт № %(number)s добавлен в профиль пользователя %(email)s.")
            % {"number": link.account.number, "email": _mask(link.user.email)},
            account=link.account,
        )


@transaction.atomic
def account_add(
    *, user, number: str, control: str, answer: str, relation: str = AccountLink.Relation.OWNER, paperless=False
) -> AccountAdded:
    """«Добавить лицевой счет» (F-B1, seed 004 §4.1): link the ЛС when the control question matches, else ask staff.

    A wrong answer, an unknown number and a closed account all end the same way, in an activation request
    («Новая») for staff, so the form tells an outsider nothing about which accounts exist.
    """
    number = number.strip()
    if AccountLink.objects.filter(user=user, account__number=number).exists():
        raise ValidationError(
            {"number": _("Лицевой счёт № %(number)s уже подключён к вашему профилю.") % {"number": number}}
        )
    account = account_match(number=number, control=control, answer=answer)
    if account is None:
        from workflows.services.activation import activation_request_submit  # workflows builds on this module

        request = activation_request_submit(
            user=user,
            full_name=user.get_full_name() or user.email,
            account_number=number,
            control=control,
            control_answer=answer,
            relation=relation,
            paperless=paperless,
        )
        return AccountAdded(request=request)
    link, _created = account_link_create(user=user, account=account, relation=relation, paperless=paperless)
    _others_notify(link=link)
    return AccountAdded(link=link)


@transaction.atomic
def account_link_update(*, link: AccountLink, group: str | None = None, note: str | None = None) -> AccountLink:
    """Group and note of a ЛС in the user's own cabinet (seed 004): nobody else sees them."""
    if group is not None:
        link.group = " ".join(group.split())
    if note is not None:
        link.note = note.strip()
    link.full_clean(exclude={"user", "account", "linked_by"})
    link.save(update_fields=["group", "note"])
    return link


@transaction.atomic
def account_link_remove(*, link: AccountLink) -> None:
    """«Удалить» a ЛС from the cabinet (seed 004 §4.2): the account and its records stay, the access goes."""
    user, account = link.user, link.account
    audit_record(
        actor=user,
        action=AuditAction.ACCOUNT_UNLINK,
        summary=_("Лицевой счёт № %(number)s удалён из личного кабинета %(user)s")
        % {"number": account.number, "user": user.email},
        subject=link,
        customer=account.customer_id,
        changes={_("Лицевой счёт"): [account.number, None]},
    )
    link.delete()
    access_sync(user=user, account=account)
