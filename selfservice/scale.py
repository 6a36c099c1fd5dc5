"""Permission tables at scale for `make bench` (F-B3 performance): 100 000 contracts, each in two cabinets, about
1 200 000 guardian rows, and the benchmark user with five contracts among them.

The contracts are bulk rows of their own (numbers «76» + 12 digits, one organisation, inactive), so the
billing benchmark keeps measuring the scale accounts and contracts it always did. Idempotent: a later call
tops up what is missing.
"""

from django.contrib.auth import get_user_model
from django.db import transaction

from backoffice.models import Branch, Contract, Customer, CustomerGroup
from backoffice.models.choices import CustomerKind
from backoffice.scale import SCALE_BRANCH, SCALE_ORGANISATIONS

from .access import access_bulk_rows
from .models import ContractPermission, ContractRole

BLOCK = 10_000
BENCH_CONTRACTS = 5
ROLES = (ContractRole.Role.HEAD, ContractRole.Role.ACCOUNTANT)


def access_contract_number(index: int) -> str:
    return f"76{index:012d}"


def _organisation() -> Customer:
    customer, _created = Customer.objects.get_or_create(
        inn="9899999996",
        kpp="980001001",
        defaults={
            "kind": CustomerKind.ORGANISATION,
            "group": CustomerGroup.objects.get(code=SCALE_ORGANISATIONS),
            "full_name": "Общество с ограниченной ответственностью «Холдинг (нагрузочные данные)»",
            "short_name": "ООО «Холдинг»",
        },
    )
    return customer


@transaction.atomic
def scale_access_create(*, contracts: int, bench_email: str) -> dict:
    """Top up to `contracts` contracts with two roles each (scale users in turn); the bench user gets five."""
    users = list(
        get_user_model()
        .objects.filter(email__endswith="@scale.energokabinet.example")
        .exclude(email=bench_email)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    bench_user = get_user_model().objects.get(email=bench_email)
    customer, branch = _organisation(), Branch.objects.get(name=SCALE_BRANCH)
    existing = set(Contract.objects.filter(customer=customer).values_list("number", flat=True))
    wanted = [index for index in range(1, contracts + 1) if access_contract_number(index) not in existing]
    added_roles = 0
    for start in range(0, len(wanted), BLOCK):
        block = wanted[start : start + BLOCK]
        rows = Contract.objects.bulk_create(
            [
                Contract(number=access_contract_number(index), customer=customer, branch=branch, is_active=False)
                for index in block
            ],
            batch_size=5_000,
        )
        roles = []
        for index, contract in zip(block, rows, strict=True):
            holders = [bench_user.pk] if index <= BENCH_CONTRACTS else []
            holders += [users[(2 * index + offset) % len(users)] for offset in range(len(ROLES) - len(holders))]
            roles += [
                ContractRole(user_id=user_id, contract_id=contract.pk, role=role)
                for user_id, role in zip(holders, ROLES, strict=True)
            ]
        ContractRole.objects.bulk_create(roles, batch_size=5_000)
        ContractPermission.objects.bulk_create(access_bulk_rows(roles), batch_size=5_000)
        added_roles += len(roles)
    return {
        "contracts": Contract.objects.filter(customer=customer).count(),
        "contracts_added": len(wanted),
        "roles_added": added_roles,
        "permission_rows": ContractPermission.objects.count(),
    }
