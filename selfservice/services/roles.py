"""Roles on a contract given by its Администратор (F-B4; seed 001 §13.2.1.4).

«Добавить роль»: Роль, E-mail and the energy objects the role reaches. A registered user gets the contract at
once and the notification «Вам добавлен договор № …» saying «На договор … Вам назначена роль …», by e-mail
too unless they turned that off. An unknown address gets a cabinet without a password and a letter with a
link to set one, which lands on the contract. Choosing every energy object means the whole contract,
including objects added later.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from backoffice.models import AuditAction, Contract, Notification
from backoffice.services.audit import audit_record
from backoffice.services.notifications import notification_send
from backoffice.services.outbox import message_send

from ..access import Capability, access_sync, role_can
from ..models import ContractRole
from .recovery import password_set_path

Role = ContractRole.Role

# The Администратор is granted by the company's staff (F-B5), never by another user.
ASSIGNABLE_ROLES = (Role.HEAD, Role.ENERGETIC, Role.ACCOUNTANT)


def _refuse_unless_administrator(*, by, contract: Contract) -> None:
    role = ContractRole.objects.filter(user=by, contract=contract).values_list("role", flat=True).first()
    if role is None or not role_can(role, Capability.ROLES):
        raise PermissionError("Only the contract's Администратор assigns roles")


def _recipient(email: str):
    """The cabinet the address signs in to: a legacy address shared by several logins means the one without."""
    return get_user_model().objects.filter(email__iexact=email, anonymised_at__isnull=True).order_by("login").first()


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


@transaction.atomic
def role_assign(*, by, contract: Contract, email: str, role: str, energy_objects) -> ContractRole:
    """Give the holder of `email` a role on `contract`, or change the role they have; `by` is the Администратор."""
    _refuse_unless_administrator(by=by, contract=contract)
    if role not in ASSIGNABLE_ROLES:
        raise ValidationError({"role": _("Роль «Администратор» назначают специалисты сбытовой компании.")})
    chosen = {energy_object.pk for energy_object in energy_objects}
    if not chosen:
        raise ValidationError({"energy_objects": _("Выберите хотя бы один энергообъект.")})
    all_objects = set(contract.energy_objects.values_list("pk", flat=True))
    if not chosen <= all_objects:
        raise ValidationError({"energy_objects": _("Выберите энергообъекты этого договора.")})
    email = email.strip().lower()
    user, invited = _recipient(email), False
    if user is None:
        user = get_user_model().objects.create_user(email=email, password=None, registered_by=by)
        invited = True
    if user == by:
        raise ValidationError({"email": _("Свою роль изменить нельзя.")})
    existing = ContractRole.objects.filter(user=user, contract=contract).first()
    if existing is not None and existing.role == Role.ADMINISTRATOR:
        raise ValidationError({"email": _("Роль администратора договора меняют специалисты сбытовой компании.")})
    before = _role_state(existing) if existing is not None else None
    try:
        with transaction.atomic():
            contract_role, created = ContractRole.objects.update_or_create(
                user=user, contract=contract, defaults={"role": role, "granted_by": by}
            )
    except IntegrityError:  # the same role given twice at once
        raise ValidationError({"email": _("У пользователя уже есть роль по этому договору.")}) from None
    contract_role.energy_objects.set([] if chosen == all_objects else chosen)
    access_sync(user=user, contract=contract)
    after = {
        _("Роль"): contract_role.get_role_display(),
        _("Энергообъекты"): _objects_text(energy_object.code for energy_object in energy_objects)
        if chosen != all_objects
        else _objects_text(()),
    }
    _role_audit(by=by, contract_role=contract_role, before=before, after=after)
    _role_tell(contract_role=contract_role, created=created, invited=invited)
    return contract_role


def _objects_text(codes) -> str:
    """The energy objects a role reaches, as the roles table says it: codes, or the whole contract."""
    codes = sorted(codes)
    return ", ".join(codes) if codes else _("все энергообъекты договора")


def _role_state(contract_role: ContractRole) -> dict:
    codes = contract_role.energy_objects.values_list("code", flat=True)
    return {_("Роль"): contract_role.get_role_display(), _("Энергообъекты"): _objects_text(codes)}


def _role_audit(*, by, contract_role: ContractRole, before: dict | None, after: dict) -> None:
    """«Выдана роль» for a new one, «Изменена роль» when the role or its objects changed; nothing if neither did."""
    user, contract = contract_role.user, contract_role.contract
    if before is None:
        action = AuditAction.ROLE_GRANT
        summary = _("Пользователю %(user)s назначена роль «%(role)s» по договору № %(number)s")
        changes = {label: [None, value] for label, value in after.items()}
    else:
        changes = {label: [before[label], value] for label, value in after.items() if before[label] != value}
        if not changes:
            return
        action = AuditAction.ROLE_CHANGE
        summary = _("Изменена роль пользователя %(user)s по договору № %(number)s: «%(role)s»")
    audit_record(
        actor=by,
        action=action,
        summary=summary % {"user": user.email, "role": contract_role.get_role_display(), "number": contract.number},
        subject=contract_role,
        customer=contract.customer_id,
        changes=changes,
    )


def role_revoke_audit(*, by, contract_role: ContractRole, summary: str, after_role: str | None = None) -> None:
    """The audit entry of a role taken away (call it before the row is deleted) or lowered to `after_role`."""
    before = _role_state(contract_role)
    if after_role is None:
        changes = {label: [value, None] for label, value in before.items()}
    else:
        changes = {_("Роль"): [before[_("Роль")], str(Role(after_role).label)]}
    audit_record(
        actor=by,
        action=AuditAction.ROLE_REVOKE,
        summary=summary,
        subject=contract_role,
        customer=contract_role.contract.customer_id,
        changes=changes,
    )


def _role_tell(*, contract_role: ContractRole, created: bool, invited: bool) -> None:
    """A new cabinet gets the invitation letter; a registered user the notification (and its letter, as they chose)."""
    user, contract = contract_role.user, contract_role.contract
    contract_path = reverse("selfservice:contract_detail", args=[contract.number])
    role = contract_role.get_role_display()
    if invited:
        query = urlencode({"next": contract_path})
        context = {
            "contract": contract,
            "role": role,
            "password_set_url": _absolute(f"{password_set_path(user=user)}?{query}"),
        }
        message_send(to=user.email, template="role_invitation", context=context, user=user)
        return
    notification_send(
        user=user,
        kind=Notification.Kind.CONTRACT_ADDED if created else Notification.Kind.ROLE_CHANGED,
        title=(_("Вам добавлен договор № %(number)s") if created else _("Изменена роль по договору № %(number)s"))
        % {"number": contract.number},
        # The letter of seed 001 §13.2.1.4, word for word.
        body=_("На договор %(name)s Вам назначена роль %(role)s. Вы можете посмотреть изменения в личном кабинете.")
        % {"name": contract.customer.display_name, "role": role},
        url=contract_path,
        contract=contract,
    )


@transaction.atomic
def role_remove(*, by, contract_role: ContractRole) -> None:
    """«Удалить» a role given on the Администратор's contract; their own role stays."""
    contract = contract_role.contract
    _refuse_unless_administrator(by=by, contract=contract)
    if contract_role.user_id == by.pk or contract_role.role == Role.ADMINISTRATOR:
        raise ValidationError(_("Свою роль удалить нельзя: удалите договор из личного кабинета."))
    user = contract_role.user
    role_revoke_audit(
        by=by,
        contract_role=contract_role,
        summary=_("Удалена роль «%(role)s» пользователя %(user)s по договору № %(number)s")
        % {"role": contract_role.get_role_display(), "user": user.email, "number": contract.number},
    )
    contract_role.delete()
    access_sync(user=user, contract=contract)
    notification_send(
        user=user,
        kind=Notification.Kind.ROLE_CHANGED,
        title=_("Договор № %(number)s удалён из вашего личного кабинета") % {"number": contract.number},
        body=_("Администратор договора удалил вашу роль."),
        contract=contract,
    )
