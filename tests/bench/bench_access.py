"""Per-contract access with large permission tables (F-B3): seed_scale puts 100 000 contracts in cabinets, two
roles each (about 1 200 000 guardian rows), and gives the benchmark user five of them.

Measured: «Профиль» → «Договоры» (the user's contract list) and the contract's page, against the trivial view,
with their query counts; one permission check on one object (`contract_permits`), the same through Django's
`has_perm` with guardian's backend, and finding a contract by its number through the selector pages use.
Targets: the list ≤ 20 ms, a check ≤ 2 ms.
"""

import statistics
import time

from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from selfservice.access import Capability
from selfservice.management.commands.seed_scale import BENCH_EMAIL
from selfservice.models import ContractPermission
from selfservice.selectors import contract_get_for, contract_permits, contracts_for
from tests.bench.harness import ROUNDS, TRIVIAL_URL, query_count, server_times

CHECKS = 2_000


def _check_ms(check) -> float:
    durations = []
    for _ in range(CHECKS):
        started = time.perf_counter()
        check()
        durations.append((time.perf_counter() - started) * 1000)
    return statistics.median(durations)


def run() -> dict:
    user_model = get_user_model()
    user = user_model.objects.get(email=BENCH_EMAIL)
    contracts = list(contracts_for(user=user).order_by("number"))
    if len(contracts) < 5:
        raise RuntimeError("The benchmark user has no cabinet contracts: run `manage.py seed_scale` (make bench does).")
    client = Client()
    client.force_login(user)
    listing = reverse("selfservice:contracts")
    detail = reverse("selfservice:contract_detail", args=[contracts[0].number])
    times = server_times(client, [TRIVIAL_URL, listing, detail], rounds=ROUNDS)
    trivial = statistics.median(times[TRIVIAL_URL])
    listing_ms, detail_ms = statistics.median(times[listing]), statistics.median(times[detail])
    number = contracts[-1].number

    def one_object_check():
        contract_permits(user=user, contract=contracts[-1], capability=Capability.PAY)

    def selector_fetch():
        contract_get_for(user=user, number=number, capability=Capability.PAY)

    def has_perm_check():
        # A fresh user each time: guardian caches a user's permissions on the instance.
        user_model(pk=user.pk).has_perm("backoffice.pay_contract", contracts[-1])

    return {
        "access.permission_rows": {"value": ContractPermission.objects.count(), "unit": "rows"},
        "access.user_contracts": {"value": len(contracts), "unit": "contracts"},
        "access.contract_list.median_ms": {"value": round(listing_ms, 3), "unit": "ms"},
        "access.contract_list.ratio_to_trivial": {"value": round(listing_ms / trivial, 2), "unit": "x"},
        "access.contract_list.queries": {"value": query_count(client, listing), "unit": "queries"},
        "access.contract_page.median_ms": {"value": round(detail_ms, 3), "unit": "ms"},
        "access.contract_page.queries": {"value": query_count(client, detail), "unit": "queries"},
        "access.check_one_object.median_ms": {"value": round(_check_ms(one_object_check), 3), "unit": "ms"},
        "access.fetch_by_number.median_ms": {"value": round(_check_ms(selector_fetch), 3), "unit": "ms"},
        "access.check_has_perm.median_ms": {"value": round(_check_ms(has_perm_check), 3), "unit": "ms"},
    }
