"""What staff may do from a customer's card (the customer 360 view), each through the service that already does it.

- «Отправить ссылку для смены пароля» → `selfservice.services.staff.password_link_send`;
- «Привязать лицевой счёт» → `selfservice.services.staff.account_link_by_staff`;
- «Отправить документ повторно» → `selfservice.services.payments.document_send` (the PDF is attached by the outbox);
- «Создать обращение от имени клиента» → `workflows.services.appeals.appeal_open_on_behalf` (it writes its own entry).

Rights: helping a customer with their cabinet and their documents is `selfservice.assist_customer` (the right of
«Пользователи портала»: not Wagtail's change_user, which opens the staff's own user management); filing an appeal is
`workflows.work_appeal`, the desk's right. Each action checks that the user, account or document belongs to the
customer of the card, and writes a «Действие сотрудника» entry of the audit trail with that customer.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from backoffice.models import AuditEntry, ContractEmail, Customer, Document, OutboxMessage, PersonalAccount
from backoffice.models.audit import AuditAction
from backoffice.services.audit import audit_record
from selfservice.models import AccountLink, ContractRole
from selfservice.services.payments import document_send
from selfservice.services.staff import account_link_by_staff, password_link_send

ASSIST = "selfservice.assist_customer"
WORK_APPEAL = "workflows.work_appeal"


def _require(by, permission: str) -> None:
    if not by.has_perm(permission):
        raise PermissionDenied


def customer_user_ids(customer: Customer) -> set[int]:
    """The portal users who reach one of the customer's ЛС or contracts."""
    return set(AccountLink.objects.filter(account__customer=customer).values_list("user_id", flat=True)) | set(
        ContractRole.objects.filter(contract__customer=customer).values_list("user_id", flat=True)
    )


def customer_emails(customer: Customer) -> set[str]:
    """Where the customer may be written to: their own e-mail, their contracts' and their portal users'."""
    emails = {customer.email.lower()} if customer.email else set()
    emails |= {email.lower() for email in customer_contract_emails(customer)}
    emails |= set(get_user_model().objects.filter(pk__in=customer_user_ids(customer)).values_list("email", flat=True))
    return emails


def customer_contract_emails(customer: Customer) -> list[str]:
    return list(ContractEmail.objects.filter(contract__customer=customer).values_list("email", flat=True))


def _latest_entry_id(customer: Customer) -> int:
    return AuditEntry.objects.filter(customer_id=customer.pk).order_by("-pk").values_list("pk", flat=True).first() or 0


def _audit_unless_done(*, since: int, by, customer: Customer, summary: str, subject, changes: dict) -> None:
    """The «Действие сотрудника» entry, unless the service called has already written one for this customer (the
    selfservice services write their own; a second line for one click would only blur the trail)."""
    if AuditEntry.objects.filter(customer_id=customer.pk, pk__gt=since).exists():
        return
    audit_record(
        actor=by, action=AuditAction.STAFF_ACTION, summary=summary, subject=subject, customer=customer, changes=changes
    )


def _refuse_stranger(customer: Customer, user) -> None:
    if user.pk not in customer_user_ids(customer):
        raise ValidationError({"user": _("Этот пользователь не связан с клиентом.")})


@transaction.atomic
def customer_password_link_send(*, by, customer: Customer, user) -> OutboxMessage:
    """«Отправить ссылку для входа/смены пароля» to one of the customer's portal users (to their own address)."""
    _require(by, ASSIST)
    _refuse_stranger(customer, user)
    since = _latest_entry_id(customer)
    message = password_link_send(user=user, by=by)
    _audit_unless_done(
        since=since,
        by=by,
        summary=_("Отправлена ссылка для смены пароля на %(email)s") % {"email": user.email},
        subject=user,
        customer=customer,
        changes={"outbox_message": message.pk},
    )
    return message


@transaction.atomic
def customer_account_link(*, by, customer: Customer, email: str, account: PersonalAccount, relation: str):
    """«Привязать лицевой счёт»: one of the customer's ЛС to the portal cabinet with this e-mail."""
    _require(by, ASSIST)
    if account.customer_id != customer.pk:
        message = _("Лицевой счёт № %(number)s — не этого клиента.") % {"number": account.number}
        raise ValidationError({"account": message})
    if relation not in AccountLink.Relation.values:
        raise ValidationError({"relation": _("Выберите статус отношения к ЛС.")})
    email = (email or "").strip().lower()
    users = get_user_model().objects.filter(email=email, is_staff=False, anonymised_at__isnull=True)
    if not email or not users.exists():
        raise ValidationError({"email": _("Кабинета с e-mail %(email)s нет.") % {"email": email or "—"}})
    if users.count() > 1:
        message = _("На %(email)s несколько кабинетов: привяжите счёт в «Пользователях портала».") % {"email": email}
        raise ValidationError({"email": message})
    user = users.get()
    since = _latest_entry_id(customer)
    link = account_link_by_staff(user=user, account=account, relation=relation, by=by)
    _audit_unless_done(
        since=since,
        by=by,
        summary=_("Лицевой счёт № %(number)s привязан к кабинету %(email)s")
        % {"number": account.number, "email": user.email},
        subject=link,
        customer=customer,
        changes={"account": account.number, "user": user.email, "relation": relation},
    )
    return link


@transaction.atomic
def customer_document_resend(*, by, customer: Customer, document: Document, email: str) -> OutboxMessage:
    """«Отправить повторно»: the document's PDF to one of the customer's addresses (see `customer_emails`)."""
    _require(by, ASSIST)
    owned = Document.objects.filter(
        Q(account__customer=customer) | Q(contract__customer=customer), pk=document.pk
    ).exists()
    if not owned:
        raise ValidationError({"document": _("Это документ другого клиента.")})
    email = (email or "").strip().lower()
    if email not in customer_emails(customer):
        raise ValidationError({"email": _("Выберите адрес клиента из списка.")})
    recipient = get_user_model().objects.filter(pk__in=customer_user_ids(customer), email=email).order_by("pk").first()
    since = _latest_entry_id(customer)
    document_send(user=recipient, document=document, email=email)
    message = OutboxMessage.objects.filter(recipient=email, template="document_file").order_by("-pk").first()
    _audit_unless_done(
        since=since,
        by=by,
        summary=_("%(document)s повторно отправлен на %(email)s") % {"document": document, "email": email},
        subject=document,
        customer=customer,
        changes={"email": email, "outbox_message": message.pk if message else None},
    )
    return message
