import datetime

from django.core.management.base import BaseCommand, CommandError

from backoffice.services.billing import BillingRunRefused, billing_run
from backoffice.services.consumption import BillingError
from backoffice.services.periods import period_title


def month(value: str) -> datetime.date:
    try:
        return datetime.datetime.strptime(value, "%Y-%m").date()
    except ValueError:
        raise CommandError(f"Период пишется как ГГГГ-ММ, например 2020-01, а не «{value}».") from None


class Command(BaseCommand):
    help = "Close a billing period: documents, penalties and balances (F-D4). Safe to repeat."

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, type=month, help="месяц: ГГГГ-ММ")

    def handle(self, *args, period, **options):
        try:
            run = billing_run(period=period)
        except (BillingRunRefused, BillingError) as error:
            raise CommandError(str(error)) from None
        stats = run.stats
        summary = (
            f"документов {stats.get('documents', 0)}, корректировок {stats.get('corrections', 0)}, "
            f"расчётных показаний {stats.get('estimated_registers', 0)}, начислено {stats.get('charged', '0')} ₽"
        )
        self.stdout.write(self.style.SUCCESS(f"Расчёт за {period_title(period)}: {summary}"))
