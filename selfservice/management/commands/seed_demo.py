import time

from django.core.management.base import BaseCommand

from backoffice.demo import DEMO_ACCOUNT, DEMO_CONTRACT, demo_data_create
from cms.demo import demo_content_create
from faq.demo import demo_faq_create
from selfservice.demo import DEMO_PASSWORD, demo_agreement_create, demo_cabinets_create, demo_users_create
from workflows.services.appeals_demo import demo_appeals_create

LABELS = {
    "households": "лицевых счетов",
    "organisations": "организаций",
    "contracts": "договоров",
    "energy_objects": "энергообъектов",
    "meters": "приборов учёта",
    "readings": "показаний",
    "tariffs": "тарифов",
    "billing_runs": "расчётов периодов",
    "documents": "документов",
    "payments": "платежей",
}


class Command(BaseCommand):
    help = "Create the invented demo data for a local run (safe to run again)."

    def handle(self, *args, **options):
        started = time.perf_counter()
        logins = demo_users_create()
        demo_agreement_create()
        content = demo_content_create()
        questions = demo_faq_create()
        counts = demo_data_create()
        counts["added"] += demo_cabinets_create()
        appeals = demo_appeals_create()
        elapsed = time.perf_counter() - started
        self.stdout.write(self.style.SUCCESS(f"Демо-входы (пароль у всех: {DEMO_PASSWORD}):"))
        for demo in logins:
            self.stdout.write(f"  {demo.role:<28} {demo.email}")
        summary = ", ".join(f"{LABELS[key]} {counts[key]}" for key in LABELS)
        self.stdout.write(f"Демо-данные: {summary}.")
        self.stdout.write(f"  ЛС {DEMO_ACCOUNT} и договор № {DEMO_CONTRACT} — для демо-входов.")
        self.stdout.write(
            f"Сайт: новостей {content['news']}, услуг {content['services']}, инструкций {content['manuals']}, "
            f"вопросов {questions}."
        )
        self.stdout.write(f"  Обращений для демо-входов добавлено: {appeals}.")
        self.stdout.write(
            f"  Добавлено строк: {counts['added']}, платежей: {counts['payments_made']}, за {elapsed:.1f} с."
        )
