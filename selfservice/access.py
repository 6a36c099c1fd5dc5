"""Who may do what in the portal (F-B3): the one mapping from roles to permissions, and the one function
that derives django-guardian's object permissions from the rows that are the truth.

`ContractRole` (a legal-entity user's role on a contract) and `AccountLink` (a household user's personal
account) are the truth. `access_sync` rewrites the user's guardian permissions for one contract or account
from them, inside the caller's transaction, so a role and its rights never disagree. Selectors
(`selfservice/selectors.py`) read only the guardian rows.

A role limited to chosen energy objects gets the contract's permissions plus `view_energyobject` on each
chosen object; a role on the whole contract gets `all_energy_objects` instead, which also covers energy
objects added to the contract later.
"""

from enum import StrEnum

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from backoffice.models import Contract, EnergyObject, PersonalAccount

from .models import AccountLink, AccountPermission, ContractPermission, ContractRole, EnergyObjectPermission

Role = ContractRole.Role


class Capability(StrEnum):
    """The rows of Table 3 of seed 001 §13.2.1.2, grouped where every role has the same right."""

    VIEW = "view"  # contract info and attachments; remove it from the cabinet; request the Администратор role
    READINGS = "readings"  # send readings: on the screen, the integral file, the interval file
    READINGS_HISTORY = "readings_history"
    BILLING = "billing"  # unpaid documents, the debt, «График счетов и оплат»
    BILLING_HISTORY = "billing_history"  # the history of payments and documents
    PAY = "pay"
    ROLES = "roles"  # assign and remove roles


# The guardian permission on backoffice.Contract that stands for each capability.
CONTRACT_PERMISSION = {
    Capability.VIEW: "view_contract",
    Capability.READINGS: "send_readings",
    Capability.READINGS_HISTORY: "view_readings",
    Capability.BILLING: "view_debt",
    Capability.BILLING_HISTORY: "view_billing_history",
    Capability.PAY: "pay_contract",
    Capability.ROLES: "manage_roles",
}
ALL_ENERGY_OBJECTS = "all_energy_objects"
ENERGY_OBJECT_PERMISSION = "view_energyobject"
ACCOUNT_PERMISSION = "view_personalaccount"

_READINGS = {Capability.VIEW, Capability.READINGS, Capability.READINGS_HISTORY}
_MONEY = {Capability.VIEW, Capability.BILLING, Capability.BILLING_HISTORY, Capability.PAY}

# Table 3, exactly.
ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    Role.ENERGETIC: frozenset(_READINGS),
    Role.ACCOUNTANT: frozenset(_MONEY),
    Role.HEAD: frozenset(_READINGS | _MONEY),
    Role.ADMINISTRATOR: frozenset(Capability),
}


def role_can(role: str, capability: Capability | str) -> bool:
    return Capability(capability) in ROLE_CAPABILITIES[role]


def _permissions(model, codenames) -> dict[str, Permission]:
    content_type = ContentType.objects.get_for_model(model)
    found = Permission.objects.filter(content_type=content_type, codename__in=codenames)
    return {permission.codename: permission for permission in found}


@transaction.atomic
def access_sync(*, user, contract: Contract | None = None, account: PersonalAccount | None = None) -> None:
    """Make `user`'s guardian permissions on `contract` (and its energy objects) or `account` match the truth."""
    if contract is not None:
        _contract_sync(user=user, contract=contract)
    if account is not None:
        _account_sync(user=user, account=account)


def contract_permission_codenames(role: str, *, limited: bool) -> list[str]:
    """The guardian permissions a role gives on its contract; a limited role's energy objects come apart."""
    codenames = [CONTRACT_PERMISSION[capability] for capability in ROLE_CAPABILITIES[role]]
    return codenames if limited else [*codenames, ALL_ENERGY_OBJECTS]


def _contract_sync(*, user, contract: Contract) -> None:
    ContractPermission.objects.filter(user=user, content_object=contract).delete()
    EnergyObjectPermission.objects.filter(user=user, content_object__contract=contract).delete()
    role = ContractRole.objects.filter(user=user, contract=contract).first()
    if role is None:
        return
    limited_to = list(role.energy_objects.values_list("pk", flat=True))
    codenames = contract_permission_codenames(role.role, limited=bool(limited_to))
    permissions = _permissions(Contract, codenames)
    ContractPermission.objects.bulk_create(
        ContractPermission(user=user, content_object=contract, permission=permissions[codename])
        for codename in codenames
    )
    if limited_to:
        permission = _permissions(EnergyObject, [ENERGY_OBJECT_PERMISSION])[ENERGY_OBJECT_PERMISSION]
        EnergyObjectPermission.objects.bulk_create(
            EnergyObjectPermission(user=user, content_object_id=pk, permission=permission) for pk in limited_to
        )


def access_bulk_rows(roles) -> list[ContractPermission]:
    """The permission rows of many new roles on whole contracts, for bulk loads (seed_scale, imports).

    The same mapping as `access_sync`, without a query per role; the caller inserts the rows with the roles.
    """
    every = [*CONTRACT_PERMISSION.values(), ALL_ENERGY_OBJECTS]
    permissions = _permissions(Contract, every)
    return [
        ContractPermission(user_id=role.user_id, content_object_id=role.contract_id, permission=permissions[codename])
        for role in roles
        for codename in contract_permission_codenames(role.role, limited=False)
    ]


def _account_sync(*, user, account: PersonalAccount) -> None:
    AccountPermission.objects.filter(user=user, content_object=account).delete()
    if AccountLink.objects.filter(user=user, account=account).exists():
        permission = _permissions(PersonalAccount, [ACCOUNT_PERMISSION])[ACCOUNT_PERMISSION]
        AccountPermission.objects.create(user=user, content_object=account, permission=permission)


@transaction.atomic
def access_forget(*, user) -> None:
    """Take every contract and account away from `user` (a deleted account): the truth and what derives from it."""
    user.account_links.all().delete()
    user.contract_roles.all().delete()
    user.contract_bindings.all().delete()
    for model in (ContractPermission, EnergyObjectPermission, AccountPermission):
        model.objects.filter(user=user).delete()
