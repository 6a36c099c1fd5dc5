"""The Администратор grant workflow (F-B5; seed 001 §13.2.1.3).

«Запросить доступ» is offered on a contract without an Администратор. Staff read the request, may ask for a
power of attorney through its messages, then grant or refuse; a grant can be revoked later. Granting makes
the requester's `ContractRole` the Администратор and revoking makes it Руководитель again, with the guardian
permissions rewritten in the same transaction. Every step is a `TransitionLog` row and a notification (in the
cabinet and, unless the customer turned it off, by e-mail).

Concurrency: each step locks the request's row and the model refuses to save a state it did not read
(`ConcurrentTransitionMixin`); the database allows one Администратор per contract. The clerk who loses
is told «Запрос уже рассмотрел другой сотрудник».
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, can_proceed, has_transition_perm

from backoffice.models import AuditAction, Contract, Notification
from backoffice.services.audit import audit_record
from backoffice.services.notifications import notification_send
from backoffice.uploads import attachment_validate
from selfservice.access import access_sync
from selfservice.models import ContractRole
from selfservice.services.roles import role_revoke_audit

from ..models import AdministratorRequest, AdministratorRequestMessage
from .history import transition_log_write

State = AdministratorRequest.State
Role = ContractRole.Role


class GrantRefused(Exception):
    """A step that cannot be taken now; the message is shown as it is."""


def _portal_url(request: AdministratorRequest) -> str:
    return reverse("selfservice:access_request", args=[request.pk])


def _message_add(*, request, author, text: str, file=None, from_staff: bool) -> AdministratorRequestMessage:
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("Заполните поле")})
    if file:
        attachment_validate(file)
    message = AdministratorRequestMessage(request=request, author=author, text=text, from_staff=from_staff)
    if file:
        message.file.save(file.name, file, save=False)
    message.save()
    return message


@transaction.atomic
def administrator_request_submit(*, user, contract: Contract, text: str, file=None) -> AdministratorRequest:
    """«Запросить доступ» → «Отправить»: file the request for staff (тема «ЛКК ЮЛ», раздел «Права доступа»)."""
    if not ContractRole.objects.filter(user=user, contract=contract).exists():
        raise PermissionDenied
    if ContractRole.objects.filter(contract=contract, role=Role.ADMINISTRATOR).exists():
        raise GrantRefused(_("У договора уже есть администратор: роли выдаёт он."))
    if AdministratorRequest.objects.filter(user=user, contract=contract, state__in=AdministratorRequest.OPEN).exists():
        raise GrantRefused(_("Запрос по этому договору уже отправлен и ждёт решения."))
    request = AdministratorRequest(user=user, contract=contract, text=text.strip())
    request.full_clean(exclude={"state", "user", "contract"}, validate_constraints=False)
    try:
        with transaction.atomic():
            request.save()
    except IntegrityError:  # the form sent twice at once
        raise GrantRefused(_("Запрос по этому договору уже отправлен и ждёт решения.")) from None
    _message_add(request=request, author=user, text=text, file=file, from_staff=False)
    transition_log_write(subject=request, transition="submit", source="", target=request.state, by=user)
    return request


@transaction.atomic
def administrator_request_reply(*, request: AdministratorRequest, user, text: str, file=None):
    """The customer's answer («Вы»): a request waiting for documents goes back to the queue."""
    locked = AdministratorRequest.objects.select_for_update().get(pk=request.pk, user=user)
    if not locked.is_open:
        raise GrantRefused(_("Запрос закрыт: ответить на него нельзя."))
    message = _message_add(request=locked, author=user, text=text, file=file, from_staff=False)
    if locked.state == State.WAITING:
        source = locked.state
        locked.documents_sent()
        locked.updated_at = timezone.now()
        locked.save()
        transition_log_write(subject=locked, transition="documents_sent", source=source, target=locked.state, by=user)
    return message


def _taken_by_another() -> GrantRefused:
    return GrantRefused(_("Запрос уже рассмотрел другой сотрудник. Обновите страницу."))


def _locked(request: AdministratorRequest, *, by, transition: str, seen_state: str | None) -> AdministratorRequest:
    """The request's row, locked; refused if it moved since the clerk saw it (`seen_state`) or cannot move so."""
    locked = AdministratorRequest.objects.select_for_update().select_related("user", "contract").get(pk=request.pk)
    method = getattr(locked, transition)
    if locked.state != (seen_state or request.state) or not can_proceed(method):
        raise _taken_by_another()
    if not has_transition_perm(method, by):
        raise PermissionDenied
    return locked


def _step(*, request, by, transition: str, comment: str, title: str, seen_state=None):
    """Take one staff step on a locked request: transition, save, log, tell the customer (in-app and by e-mail,
    as their notification settings say)."""
    locked = _locked(request, by=by, transition=transition, seen_state=seen_state)
    source = locked.state
    getattr(locked, transition)(by=by)
    locked.updated_at = timezone.now()
    try:
        locked.save()
    except ConcurrentTransition:
        raise _taken_by_another() from None
    if comment:
        _message_add(request=locked, author=by, text=comment, from_staff=True)
    transition_log_write(
        subject=locked, transition=transition, source=source, target=locked.state, by=by, comment=comment
    )
    notification_send(
        user=locked.user,
        kind=Notification.Kind.ACCESS_REQUEST,
        title=title % {"number": locked.contract.number},
        body=comment,
        url=_portal_url(locked),
        contract=locked.contract,
    )
    return locked


@transaction.atomic
def administrator_request_ask_documents(*, request, by, seen_state=None, comment: str) -> AdministratorRequest:
    """«Запросить документы»: the comment tells the customer what to send (a power of attorney, say)."""
    if not comment.strip():
        raise ValidationError({"comment": _("Напишите клиенту, какие документы нужны.")})
    return _step(
        request=request,
        by=by,
        transition="ask_documents",
        seen_state=seen_state,
        comment=comment.strip(),
        title=_("По договору № %(number)s нужны документы для роли «Администратор»"),
    )


@transaction.atomic
def administrator_request_grant(*, request, by, seen_state=None, comment: str = "") -> AdministratorRequest:
    """«Выдать роль»: the requester becomes the contract's Администратор (on the whole contract)."""
    locked = _step(
        request=request,
        by=by,
        transition="grant",
        seen_state=seen_state,
        comment=comment.strip(),
        title=_("Вам выдана роль «Администратор» по договору № %(number)s"),
    )
    role = ContractRole.objects.filter(user=locked.user, contract=locked.contract).first()
    if role is None:
        raise GrantRefused(_("Пользователь удалил договор из личного кабинета: выдать роль нельзя."))
    before = role.get_role_display()
    role.role, role.granted_by = Role.ADMINISTRATOR, by
    try:
        with transaction.atomic():
            role.save(update_fields=["role", "granted_by"])
    except IntegrityError:
        raise GrantRefused(_("У договора уже есть администратор.")) from None
    role.energy_objects.clear()
    access_sync(user=locked.user, contract=locked.contract)
    audit_record(
        actor=by,
        action=AuditAction.ROLE_GRANT,
        summary=_("Пользователю %(user)s выдана роль «Администратор» по договору № %(number)s")
        % {"user": locked.user.email, "number": locked.contract.number},
        subject=role,
        customer=locked.contract.customer_id,
        changes={_("Роль"): [before, role.get_role_display()], _("Энергообъекты"): _("все энергообъекты договора")},
    )
    return locked


@transaction.atomic
def administrator_request_refuse(*, request, by, seen_state=None, comment: str) -> AdministratorRequest:
    """«Отказать», with the reason the customer reads."""
    if not comment.strip():
        raise ValidationError({"comment": _("Укажите причину отказа: её получит клиент.")})
    return _step(
        request=request,
        by=by,
        transition="refuse",
        seen_state=seen_state,
        comment=comment.strip(),
        title=_("Отказано в роли «Администратор» по договору № %(number)s"),
    )


@transaction.atomic
def administrator_request_revoke(*, request, by, seen_state=None, comment: str) -> AdministratorRequest:
    """«Отозвать роль»: the Администратор becomes Руководитель again; the roles they gave stay."""
    if not comment.strip():
        raise ValidationError({"comment": _("Укажите причину: её получит клиент.")})
    locked = _step(
        request=request,
        by=by,
        transition="revoke",
        seen_state=seen_state,
        comment=comment.strip(),
        title=_("Роль «Администратор» по договору № %(number)s отозвана"),
    )
    role = (
        ContractRole.objects.filter(user=locked.user, contract=locked.contract, role=Role.ADMINISTRATOR)
        .select_related("contract")
        .first()
    )
    if role is not None:  # the user may have removed the contract from the cabinet meanwhile
        role_revoke_audit(
            by=by,
            contract_role=role,
            summary=_("Отозвана роль «Администратор» пользователя %(user)s по договору № %(number)s")
            % {"user": locked.user.email, "number": locked.contract.number},
            after_role=Role.HEAD,
        )
        role.role, role.granted_by = Role.HEAD, by
        role.save(update_fields=["role", "granted_by"])
    access_sync(user=locked.user, contract=locked.contract)
    return locked
