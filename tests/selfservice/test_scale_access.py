"""`seed_scale`'s cabinets for the permission benchmark: roles and their guardian rows, made in bulk."""

import pytest
from django.core.management import call_command

from selfservice.access import access_sync
from selfservice.management.commands.seed_scale import BENCH_EMAIL
from selfservice.models import ContractPermission, ContractRole
from selfservice.scale import scale_access_create
from selfservice.selectors import contracts_for

pytestmark = pytest.mark.django_db


def test_every_contract_is_in_two_cabinets_and_the_bench_user_has_five(django_user_model):
    call_command("seed_scale", users=6, accounts=2, contracts=1, months=2, access_contracts=12)

    bench = django_user_model.objects.get(email=BENCH_EMAIL)
    roles = ContractRole.objects.filter(contract__number__startswith="76")
    assert roles.count() == 24 and roles.values("contract").distinct().count() == 12
    assert contracts_for(user=bench).count() == 5


def test_the_bulk_rows_are_what_the_one_by_one_sync_writes(django_user_model):
    call_command("seed_scale", users=4, accounts=2, contracts=1, months=2, access_contracts=3)
    bulk = set(ContractPermission.objects.values_list("user_id", "content_object_id", "permission_id"))

    for role in ContractRole.objects.all():
        access_sync(user=role.user, contract=role.contract)

    assert set(ContractPermission.objects.values_list("user_id", "content_object_id", "permission_id")) == bulk


def test_a_second_run_adds_nothing():
    call_command("seed_scale", users=4, accounts=2, contracts=1, months=2, access_contracts=3)

    again = scale_access_create(contracts=3, bench_email=BENCH_EMAIL)

    assert again["contracts_added"] == 0 and again["roles_added"] == 0
