"""The portal's reads: every contract, energy object, meter, reading, document and payment a page shows
comes through here, filtered by the user's object permissions (selfservice/access.py).

Staff rights do not widen what the portal shows: global permissions and superuser status are ignored,
so a clerk signed in to the portal sees their own cabinet only. A `*_get_for` of an object the user may
not reach raises Http404, never a 403 that would confirm it exists.
"""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.shortcuts import get_object_or_404
from guardian.shortcuts import get_objects_for_user

from backoffice.models import (
    Balance,
    Contract,
    Document,
    EnergyObject,
    Meter,
    MeteringPoint,
    Payment,
    PersonalAccount,
    Reading,
)
from backoffice.models.choices import ReadingStatus

from .access import ACCOUNT_PERMISSION, ALL_ENERGY_OBJECTS, CONTRACT_PERMISSION, ENERGY_OBJECT_PERMISSION, Capability
from .models import AccountLink, ContractPermission, ContractRole


def _granted(user, model, codename: str) -> QuerySet:
    """Objects of `model` on which `user` holds the permission, by object permission only."""
    return get_objects_for_user(
        user,
        f"{model._meta.app_label}.{codename}",
        klass=model,
        use_groups=False,
        with_superuser=False,
        accept_global_perms=False,
    )


def contracts_for(*, user, capability: Capability | str = Capability.VIEW) -> QuerySet[Contract]:
    """The contracts on which the user's role gives `capability`."""
    if not user.is_authenticated:
        return Contract.objects.none()
    return _granted(user, Contract, CONTRACT_PERMISSION[Capability(capability)]).select_related(
        "customer", "branch", "curator"
    )


def contract_permits(*, user, contract: Contract, capability: Capability | str) -> bool:
    """Whether the user's role on this contract gives `capability`: one indexed lookup in guardian's table.

    For a page that already has the contract (a button to show, an action to allow); to find a contract by
    its number use `contract_get_for`, which is a 404 for someone else's.
    """
    if not user.is_authenticated:
        return False
    return ContractPermission.objects.filter(
        user_id=user.pk,
        content_object_id=contract.pk,
        permission__content_type=ContentType.objects.get_for_model(Contract),
        permission__codename=CONTRACT_PERMISSION[Capability(capability)],
    ).exists()


def contract_get_for(*, user, number: str, capability: Capability | str = Capability.VIEW) -> Contract:
    return get_object_or_404(contracts_for(user=user, capability=capability), number=number)


def accounts_for(*, user) -> QuerySet[PersonalAccount]:
    """The household accounts (ЛС) linked to the user's cabinet."""
    if not user.is_authenticated:
        return PersonalAccount.objects.none()
    return _granted(user, PersonalAccount, ACCOUNT_PERMISSION).select_related("customer", "branch")


def account_get_for(*, user, number: str) -> PersonalAccount:
    return get_object_or_404(accounts_for(user=user), number=number)


def account_links_for(*, user) -> QuerySet[AccountLink]:
    """The user's ЛС as the cabinet lists them: with group and note, grouped, oldest link first."""
    return (
        AccountLink.objects.filter(user=user, account__in=accounts_for(user=user))
        .select_related("account", "account__customer")
        .order_by("group", "created_at", "pk")
    )


def energy_objects_for(
    *, user, capability: Capability | str = Capability.VIEW, contract: Contract | None = None
) -> QuerySet[EnergyObject]:
    """Energy objects of the contracts where the user has `capability`, within the role's energy-object limit."""
    contracts = contracts_for(user=user, capability=capability)
    if contract is not None:
        contracts = contracts.filter(pk=contract.pk)
    whole = _granted(user, Contract, ALL_ENERGY_OBJECTS).values("pk")
    chosen = _granted(user, EnergyObject, ENERGY_OBJECT_PERMISSION).values("pk")
    return EnergyObject.objects.filter(
        Q(contract__in=whole) | Q(pk__in=chosen), contract__in=contracts.values("pk")
    ).select_related("contract")


def meters_for(*, user, capability: Capability | str = Capability.VIEW) -> QuerySet[Meter]:
    """Household meters of the user's ЛС and the meters of the energy objects the role reaches."""
    return Meter.objects.filter(
        Q(account__in=accounts_for(user=user).values("pk"))
        | Q(metering_point__energy_object__in=energy_objects_for(user=user, capability=capability).values("pk"))
    ).select_related("account", "metering_point__energy_object")


def readings_for(*, user) -> QuerySet[Reading]:
    """Readings the user may see: their ЛС and the energy objects where the role shows the readings history."""
    return Reading.objects.filter(meter__in=meters_for(user=user, capability=Capability.READINGS_HISTORY).values("pk"))


def documents_for(*, user) -> QuerySet[Document]:
    """Documents of the user's ЛС and of the contracts where the role shows the document history."""
    contracts = contracts_for(user=user, capability=Capability.BILLING_HISTORY).values("pk")
    return Document.objects.filter(
        Q(account__in=accounts_for(user=user).values("pk")) | Q(contract__in=contracts)
    ).select_related("account", "contract")


def payments_for(*, user) -> QuerySet[Payment]:
    """Payments of the user's ЛС and of the contracts where the role shows the payment history."""
    contracts = contracts_for(user=user, capability=Capability.BILLING_HISTORY).values("pk")
    return Payment.objects.filter(
        Q(account__in=accounts_for(user=user).values("pk")) | Q(contract__in=contracts)
    ).select_related("account", "contract")


def contract_roles_for(*, user) -> QuerySet[ContractRole]:
    """The user's own roles, for «Профиль» → «Договоры»: one row per contract with what the page shows of it."""
    return (
        ContractRole.objects.filter(user=user, contract__in=contracts_for(user=user).values("pk"))
        .select_related("contract__customer")
        .prefetch_related("energy_objects")
        .annotate(
            has_administrator=Exists(
                ContractRole.objects.filter(contract=OuterRef("contract"), role=ContractRole.Role.ADMINISTRATOR)
            )
        )
        .order_by("contract__number")
    )


def contract_detail_for(*, user, number: str) -> Contract:
    """One contract with everything its detail page shows (F-B2, seed 001 §4.4), in a fixed number of queries."""
    contract = contract_get_for(user=user, number=number)
    energy_objects = energy_objects_for(user=user, contract=contract).prefetch_related(
        Prefetch(
            "metering_points",
            queryset=MeteringPoint.objects.order_by("name").prefetch_related(
                Prefetch("meters", queryset=Meter.objects.order_by("serial"))
            ),
        )
    )
    contract.visible_energy_objects = list(energy_objects.order_by("code"))
    contract.email_list = list(contract.emails.order_by("email"))
    contract.attachment_list = list(contract.attachments.all())
    return contract


def contract_holders(*, contract: Contract) -> QuerySet[ContractRole]:
    """Everyone who has the contract in a cabinet, for its Администратор (seed 001 §13.2: «должен видеть всех»).

    Call it only for a contract the viewer administers (the view checks `Capability.ROLES` first).
    """
    return (
        ContractRole.objects.filter(contract=contract)
        .select_related("user")
        .prefetch_related("energy_objects")
        .order_by("created_at", "pk")
    )


def contract_recent_documents(*, user, contract: Contract, limit: int = 12) -> list[Document]:
    """The contract's latest documents, for roles that see the document history."""
    return list(documents_for(user=user).filter(contract=contract).order_by("-period", "-issued_on", "number")[:limit])


def meters_attach_last_readings(*, energy_objects) -> None:
    """Give each meter of these (prefetched) energy objects `last_readings`: its latest accepted reading, every
    zone and quantity of that date. Only for a page that checked the readings history right; two queries."""
    meters = [
        meter
        for energy_object in energy_objects
        for point in energy_object.metering_points.all()
        for meter in point.meters.all()
    ]
    latest = (
        Reading.objects.filter(meter=OuterRef("meter"), status=ReadingStatus.ACCEPTED)
        .order_by("-taken_on")
        .values("taken_on")[:1]
    )
    readings = Reading.objects.filter(
        meter_id__in=[meter.pk for meter in meters], status=ReadingStatus.ACCEPTED, taken_on=Subquery(latest)
    ).order_by("meter_id", "quantity", "zone")
    by_meter: dict[int, list[Reading]] = {}
    for reading in readings:
        by_meter.setdefault(reading.meter_id, []).append(reading)
    for meter in meters:
        meter.last_readings = by_meter.get(meter.pk, [])


def account_balance_total(*, account: PersonalAccount):
    """What the household owes on the account (+) or has paid ahead (−), over every sales kind."""
    return Balance.objects.filter(account=account).aggregate(total=Sum("amount"))["total"]
