"""Turn a `seed_scale` database into the load test's world (run in the load cluster only, never on a shared one).

seed_scale makes users, households, contracts and appeals for the benchmarks, but no user reaches a household and
nobody has documents yet. This gives the first N scale customers a ЛС each (through the portal's own
`account_link_create`, so the guardian rows are derived as always), confirms and introduces them, gives the desk's
clerks a password, opens the households' readings window on every day of the month, and closes the latest month
with the billing run, so «Оплата», «История» and the PDFs have documents. Idempotent.

Writes var/load/world.json: the customers (e-mail, ЛС, meters with their registers' input names and last values)
and the clerks, for the locustfile.
"""

import argparse
import json
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.production")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import transaction  # noqa: E402
from django.db.models import Max  # noqa: E402
from django.utils import timezone  # noqa: E402

from backoffice.models import BillingRun, CustomerGroup, Document, Meter, PersonalAccount, Reading  # noqa: E402
from backoffice.scale import SCALE_POPULATION, scale_latest_period  # noqa: E402
from backoffice.services.billing import billing_run  # noqa: E402
from selfservice.forms.readings import input_name  # noqa: E402
from selfservice.management.commands.seed_scale import BENCH_EMAIL, BENCH_PASSWORD  # noqa: E402
from selfservice.services.accounts import account_link_create  # noqa: E402
from tests.load.services import VAR  # noqa: E402
from workflows.services.appeals_scale import CLERK_EMAIL, CLERKS  # noqa: E402

CUSTOMER_EMAIL = "customer{number:07d}@scale.energokabinet.example"
PASSWORD = BENCH_PASSWORD  # seed_scale gives every scale customer this password; the clerks get it here


def customers_prepare(count: int) -> list[dict]:
    user_model = get_user_model()
    emails = [CUSTOMER_EMAIL.format(number=number) for number in range(count)]
    users = list(user_model.objects.filter(email__in=emails).order_by("pk"))
    if len(users) < count:
        sys.exit(f"prepare: only {len(users)} scale customers, {count} asked (seed_scale --users more)")
    user_model.objects.filter(pk__in=[user.pk for user in users]).filter(phone="").update(
        phone="+79110000001", email_confirmed_at=timezone.now()
    )
    # The households nobody else uses: the first `count` ЛС of the scale population, one per customer.
    accounts = list(
        PersonalAccount.objects.filter(customer__group__code=SCALE_POPULATION, closed_on__isnull=True).order_by(
            "number"
        )[:count]
    )
    if len(accounts) < count:
        sys.exit(f"prepare: only {len(accounts)} scale households, {count} asked (seed_scale --accounts more)")
    with transaction.atomic():
        for user, account in zip(users, accounts, strict=True):
            account_link_create(user=user, account=account)
    meters = {}
    for meter in Meter.objects.filter(account__in=accounts).order_by("pk"):
        meters.setdefault(meter.account_id, []).append(meter)
    last = {}
    for meter_id, quantity, zone, value in (
        Reading.objects.filter(meter__account__in=accounts)
        .order_by("meter_id", "quantity", "zone", "taken_on")
        .values_list("meter_id", "quantity", "zone", "value")
    ):
        last[(meter_id, quantity, zone)] = value  # ordered by date: the last one wins
    world = []
    for user, account in zip(users, accounts, strict=True):
        world.append(
            {
                "email": user.email,
                "account": account.number,
                "meters": [
                    {
                        "id": meter.pk,
                        "registers": {
                            input_name(meter.pk, quantity, zone): str(value)
                            for (meter_id, quantity, zone), value in last.items()
                            if meter_id == meter.pk
                        },
                    }
                    for meter in meters.get(account.pk, [])
                ],
            }
        )
    return world


def clerks_prepare() -> list[str]:
    user_model = get_user_model()
    emails = [CLERK_EMAIL.format(index=index) for index in range(CLERKS)]
    user_model.objects.filter(email__in=emails).update(password=make_password(PASSWORD))
    return list(user_model.objects.filter(email__in=emails).order_by("email").values_list("email", flat=True))


def billing_prepare() -> str:
    """Close the latest month once (the same billing run staff start), so the customers have documents."""
    period = scale_latest_period()
    if not BillingRun.objects.filter(period=period).exists():
        billing_run(period=period)
    return f"{period:%m.%Y}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=2000)
    options = parser.parse_args()
    # The test's customers may send readings on any day the run happens to be on.
    CustomerGroup.objects.filter(code=SCALE_POPULATION).update(window_start_day=1, window_end_day=31)
    period = billing_prepare()
    world = {
        "customers": customers_prepare(options.customers),
        "clerks": clerks_prepare(),
        "password": PASSWORD,
        "bench": BENCH_EMAIL,
        "period": period,
        "documents": Document.objects.count(),
        "max_reading_id": Reading.objects.aggregate(top=Max("pk"))["top"],
    }
    VAR.mkdir(parents=True, exist_ok=True)
    (VAR / "world.json").write_text(json.dumps(world, ensure_ascii=False, indent=1))
    print(
        f"prepare: {len(world['customers'])} customers with a ЛС, {len(world['clerks'])} clerks, "
        f"billing period {period}, {world['documents']} documents"
    )


if __name__ == "__main__":
    main()
