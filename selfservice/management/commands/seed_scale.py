from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from backoffice.scale import scale_data_create
from selfservice.scale import scale_access_create
from workflows.services.appeals_scale import scale_appeals_create

BENCH_EMAIL = "bench@scale.energokabinet.example"
BENCH_PASSWORD = "Bench-2026!"  # invented; the benchmark signs in as this user


class Command(BaseCommand):
    help = "Create invented data at scale for `make bench` (idempotent: tops up to the asked size)."

    def add_arguments(self, parser):
        parser.add_argument("--users", type=int, default=20_000, help="portal users in total")
        parser.add_argument("--accounts", type=int, default=100_000, help="household accounts (ЛС) in total")
        parser.add_argument("--contracts", type=int, default=None, help="contracts in total (default: accounts / 100)")
        parser.add_argument("--months", type=int, default=3, help="months of readings, the latest complete last")
        parser.add_argument(
            "--access-contracts",
            type=int,
            default=100_000,
            help="contracts in portal cabinets, two roles each, for the permission benchmark",
        )
        parser.add_argument(
            "--appeals", type=int, default=100_000, help="appeals in total (the benchmark user has 500 of them)"
        )

    def handle(self, *args, users, accounts, contracts, months, access_contracts, appeals, **options):
        user_model = get_user_model()
        have = user_model.objects.filter(email__endswith="@scale.energokabinet.example").count()
        wanted = max(users - have, 0)
        password = make_password(BENCH_PASSWORD)  # one hash for all: hashing 20 000 times would take minutes
        batch = []
        with transaction.atomic():
            if not user_model.objects.filter(email=BENCH_EMAIL).exists():
                user_model.objects.create_user(BENCH_EMAIL, BENCH_PASSWORD)
                wanted = max(wanted - 1, 0)
            # Confirmed and introduced, so the identity gate lets the benchmark reach the pages themselves.
            user_model.objects.filter(email=BENCH_EMAIL).update(
                last_name="Нагрузка", first_name="Тест", phone="+79110000099", email_confirmed_at=timezone.now()
            )
            for number in range(have, have + wanted):
                batch.append(
                    user_model(
                        email=f"customer{number:07d}@scale.energokabinet.example",
                        password=password,
                        last_name="Абонентов",
                        first_name=f"Абонент {number}",
                    )
                )
            user_model.objects.bulk_create(batch, batch_size=2_000)
        total = user_model.objects.count()
        self.stdout.write(self.style.SUCCESS(f"seed_scale: {len(batch)} users added, {total} in all"))
        data = scale_data_create(accounts=accounts, contracts=contracts, months=months)
        self.stdout.write(
            self.style.SUCCESS(
                f"seed_scale: {data['accounts_added']} accounts and {data['contracts_added']} contracts added "
                f"({data['accounts']} and {data['contracts']} in all), {data['readings_added']} readings added, "
                f"latest period {data['latest_period']:%m.%Y}, {data['seconds']} s"
            )
        )
        access = scale_access_create(contracts=access_contracts, bench_email=BENCH_EMAIL)
        self.stdout.write(
            self.style.SUCCESS(
                f"seed_scale: {access['contracts_added']} cabinet contracts added ({access['contracts']} in all), "
                f"{access['roles_added']} roles added, {access['permission_rows']} contract permission rows"
            )
        )
        filed = scale_appeals_create(appeals=appeals, bench_email=BENCH_EMAIL)
        self.stdout.write(
            self.style.SUCCESS(f"seed_scale: {filed['added']} appeals added, {filed['appeals']} scale appeals in all")
        )
