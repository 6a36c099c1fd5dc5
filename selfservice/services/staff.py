"""Staff help customers from the admin (F-A7; seed 000 §2): register them, send a password link, link an account.

A clerk never learns or types a customer's password: a customer registered by staff gets a set-password link
(the same `password_set` screen recovery uses), and the account stays without a usable password until then.
Following the link proves the mailbox, so the e-mail counts as confirmed only from that moment (the
`password_set` view does it). Who did what stays on the rows: `registered_by` and `AccountLink.linked_by`.

Refusals are `ValidationError`s keyed by the form field they concern, so the admin form shows them in place.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backoffice.models import AuditAction, OutboxMessage, PersonalAccount
from backoffice.services.audit import audit_record
from backoffice.services.outbox import message_send

from ..models import AccountLink, ContractRole
from .accounts import account_link_create
from .recovery import password_set_url


def _password_link_context(user) -> dict:
    """The link and when it stops working (Django's token lives PASSWORD_RESET_TIMEOUT seconds)."""
    return {
        "password_set_url": password_set_url(user=user),
        "link_expires_at": timezone.now() + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT),
    }


def email_in_use(email: str) -> bool:
    """Any cabinet with this address, legacy ones included: the customer should recover that one instead."""
    return get_user_model().objects.filter(email__iexact=email.strip()).exists()


def customer_of_user(user) -> int | None:
    """The customer a portal user acts for, when there is exactly one (their accounts' and contracts' owner):
    the 360 view of that customer then shows what staff did to the user's cabinet."""
    links = AccountLink.objects.filter(user=user).order_by().values_list("account__customer_id", flat=True)
    roles = ContractRole.objects.filter(user=user).order_by().values_list("contract__customer_id", flat=True)
    customers = set(links.distinct()[:2]) | set(roles.distinct()[:2])
    return customers.pop() if len(customers) == 1 else None


def _refuse_closed(account: PersonalAccount) -> None:
    if account.closed_on is not None:
        raise ValidationError({"account": _("Лицевой счёт № %(number)s закрыт.") % {"number": account.number}})


@transaction.atomic
def customer_register_by_staff(
    *,
    by,
    email: str,
    last_name: str,
    first_name: str,
    middle_name: str = "",
    phone="",
    account: PersonalAccount | None = None,
    relation: str = AccountLink.Relation.OWNER,
):
    """Create a customer's cabinet without a password, link `account` if given, and e-mail the set-password link.

    Refuses an e-mail any cabinet already uses (see `email_in_use`).
    """
    email = email.strip().lower()
    if email_in_use(email):
        raise ValidationError({"email": _("Пользователь с таким e-mail уже зарегистрирован.")})
    if account is not None:
        _refuse_closed(account)
    user = get_user_model().objects.create_user(
        email=email,
        password=None,  # unusable until the customer sets one through the link
        last_name=last_name.strip(),
        first_name=first_name.strip(),
        middle_name=middle_name.strip(),
        phone=phone,
        registered_by=by,
    )
    accounts = []
    audit_record(
        actor=by,
        action=AuditAction.STAFF_ACTION,
        summary=_("Сотрудник зарегистрировал личный кабинет %(email)s") % {"email": email},
        subject=user,
        customer=account.customer_id if account is not None else None,
        changes={
            _("E-mail"): [None, email],
            _("ФИО"): [None, user.get_full_name() or None],
            _("Телефон"): [None, str(phone) if phone else None],
        },
    )
    if account is not None:
        account_link_create(user=user, account=account, relation=relation, linked_by=by)
        accounts.append(account)
    message_send(
        to=user.email,
        template="account_created",
        context={**_password_link_context(user), "accounts": accounts},
        user=user,
    )
    return user


@transaction.atomic
def password_link_send(*, user, by) -> OutboxMessage:
    """«Отправить ссылку для смены пароля»: the letter goes to the address of the cabinet, never to the clerk.

    `by` is the clerk; the letter itself is the trace (the outbox keeps it with the user).
    """
    if user.anonymised_at is not None or not user.is_active:
        raise ValidationError(_("Аккаунт удалён или заблокирован: ссылку для смены пароля отправить нельзя."))
    audit_record(
        actor=by,
        action=AuditAction.STAFF_ACTION,
        summary=_("Отправлена ссылка для смены пароля на %(email)s") % {"email": user.email},
        subject=user,
        customer=customer_of_user(user),
    )
    return message_send(
        to=user.email, template="password_reset_by_staff", context=_password_link_context(user), user=user
    )


@transaction.atomic
def account_link_by_staff(*, user, account: PersonalAccount, relation: str, by) -> AccountLink:
    """«Привязать лицевой счёт»: give the customer the account; a second link of the same pair is refused."""
    _refuse_closed(account)
    link, created = account_link_create(user=user, account=account, relation=relation, linked_by=by)
    if not created:
        raise ValidationError(
            {"account": _("Лицевой счёт № %(number)s уже привязан к этому пользователю.") % {"number": account.number}}
        )
    return link
