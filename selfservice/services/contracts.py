"""An organisation's contracts in the portal (F-B2; seed 001 §4.3–4.5, seed 002): bind, confirm, remove.

«Добавить договор» asks for the 14-digit number and an e-mail written in the contract («Реквизиты сторон» or
a supplementary agreement). The link that confirms the binding goes to that address, so only someone who reads
the company's mailbox can bind the contract; an unconfirmed binding is removed after 24 hours. The user who
confirms becomes Руководитель (seed 001 §13.2.1.1). A contract is in one cabinet only unless its
Администратор grants roles to others.
"""

import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from backoffice.models import AuditAction, Contract
from backoffice.services.audit import audit_record
from backoffice.services.outbox import message_send

from ..access import access_sync
from ..models import ContractBinding, ContractRole
from .roles import role_revoke_audit


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def not_found_message() -> str:
    return _(
        "Договор с таким номером и e-mail не найден. Укажите e-mail из раздела «Реквизиты сторон» договора "
        "или дополнительных соглашений к нему."
    )


def _bindable(*, user, number: str, email: str) -> Contract:
    contract = Contract.objects.filter(number=number, is_active=True, emails__email=email).first()
    if contract is None:
        raise ValidationError(not_found_message(), code="not_found")
    if ContractRole.objects.filter(contract=contract, user=user).exists():
        raise ValidationError(_("Договор № %(number)s уже добавлен в ваш личный кабинет.") % {"number": number})
    if ContractRole.objects.filter(contract=contract).exists():
        raise ValidationError(
            _(
                "Договор № %(number)s уже добавлен в личный кабинет другого пользователя. Доступ к нему "
                "выдаёт администратор договора."
            )
            % {"number": number},
            code="taken",
        )
    return contract


@transaction.atomic
def contract_bind_request(*, user, number: str, email: str) -> ContractBinding:
    """«Новый договор» → «Сохранить»: send the confirmation link to the contract's e-mail; nothing is bound yet.

    Asking again for the same contract replaces the earlier link (the old one stops working).
    """
    number, email = number.strip(), email.strip().lower()
    contract = _bindable(user=user, number=number, email=email)
    ContractBinding.objects.filter(user=user, contract=contract).delete()
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    binding = ContractBinding.objects.create(
        user=user,
        contract=contract,
        email=email,
        token_hash=_token_hash(token),
        created_at=now,
        expires_at=now + settings.CONTRACT_BINDING_TTL,
    )
    confirm_url = settings.SITE_URL.rstrip("/") + reverse("selfservice:contract_confirm", args=[token])
    message_send(
        to=email,
        template="contract_binding",
        context={"binding": binding, "contract": contract, "confirm_url": confirm_url, "requested_by": user},
        user=user,
    )
    return binding


@transaction.atomic
def contract_bind_confirm(*, user, token: str) -> Contract:
    """The link from the letter: the contract joins the cabinet of the user who asked, as Руководитель.

    A link of another user, a used or an expired one is a 404: it says nothing about the contract.
    """
    binding = (
        ContractBinding.objects.select_for_update()
        .select_related("contract")
        .filter(token_hash=_token_hash(token), user=user, expires_at__gt=timezone.now())
        .first()
    )
    if binding is None:
        raise Http404
    contract = binding.contract
    binding.delete()
    try:
        with transaction.atomic():
            role = ContractRole.objects.create(user=user, contract=contract, role=ContractRole.Role.HEAD)
    except IntegrityError:  # somebody bound it in the meantime, or this user already has it
        raise ValidationError(
            _("Договор № %(number)s уже добавлен в личный кабинет. Доступ к нему выдаёт администратор договора.")
            % {"number": contract.number}
        ) from None
    access_sync(user=user, contract=contract)
    audit_record(
        actor=user,
        action=AuditAction.ROLE_GRANT,
        summary=_("Договор № %(number)s добавлен в личный кабинет %(user)s: роль «%(role)s»")
        % {"number": contract.number, "user": user.email, "role": role.get_role_display()},
        subject=role,
        customer=contract.customer_id,
        changes={
            _("Роль"): [None, role.get_role_display()],
            _("Подтверждён e-mail договора"): binding.email,
        },
    )
    return contract


@transaction.atomic
def contract_binding_cancel(*, binding: ContractBinding) -> None:
    """«Отменить» a binding that waits for its link: the link in the letter stops working."""
    binding.delete()


@transaction.atomic
def contract_remove(*, user, contract: Contract) -> None:
    """«Удалить договор» from one's own cabinet (seed 001 §4.5): every role may; the contract's records stay.

    An Администратор who removes the contract leaves it without one, so the others may ask for the role.
    """
    role = ContractRole.objects.filter(user=user, contract=contract).select_related("contract").first()
    if role is not None:
        role_revoke_audit(
            by=user,
            contract_role=role,
            summary=_("Договор № %(number)s удалён из личного кабинета %(user)s (роль «%(role)s»)")
            % {"number": contract.number, "user": user.email, "role": role.get_role_display()},
        )
        role.delete()
    access_sync(user=user, contract=contract)


def contract_bindings_purge(*, now=None) -> int:
    """Remove bindings whose link was not followed in time (the beat job); return how many."""
    deleted, _by_model = ContractBinding.objects.filter(expires_at__lte=now or timezone.now()).delete()
    return deleted
