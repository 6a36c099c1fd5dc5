"""The vocabulary of the system of record, with the manuals' exact words."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CustomerKind(models.TextChoices):
    PERSON = "person", _("Физическое лицо")
    ORGANISATION = "organisation", _("Юридическое лицо")


class ZoneSet(models.TextChoices):
    """How many tariff zones a meter counts (seed 001 §5.1, seed 000 §3.4)."""

    SINGLE = "single", _("Однотарифный")
    TWO = "two", _("Двухтарифный")
    THREE = "three", _("Трёхтарифный")


class Zone(models.TextChoices):
    ROUND_THE_CLOCK = "round_the_clock", _("Круглосуточная")
    DAY = "day", _("День")
    NIGHT = "night", _("Ночь")
    PEAK = "peak", _("Пик")
    SEMI_PEAK = "semi_peak", _("Полупик")


ZONES_OF = {
    ZoneSet.SINGLE: (Zone.ROUND_THE_CLOCK,),
    ZoneSet.TWO: (Zone.DAY, Zone.NIGHT),
    ZoneSet.THREE: (Zone.PEAK, Zone.SEMI_PEAK, Zone.NIGHT),
}


class Quantity(models.TextChoices):
    """Measured quantities: active energy received and given, reactive energy."""

    ACTIVE_IN = "A+", "А+"
    ACTIVE_OUT = "A-", "А−"
    REACTIVE_IN = "R+", "R+"
    REACTIVE_OUT = "R-", "R−"


class MeterStatus(models.TextChoices):
    WAITING = "waiting", _("Ожидание")  # readings may be sent (seed 001 §5.1)
    ACCEPTED = "accepted", _("Показания приняты")
    BLOCKED = "blocked", _("Передача недоступна")
    REMOVED = "removed", _("Снят с учёта")


class ReadingKind(models.TextChoices):
    DECLARED = "declared", _("Заявленные")
    CONTROL = "control", _("Контрольные")
    ESTIMATED = "estimated", _("Расчетные")


class ReadingSource(models.TextChoices):
    PORTAL = "portal", _("передано через ЛКК")
    INSPECTOR = "inspector", _("контролёр")
    ASKUE = "askue", _("АСКУЭ")
    ESTIMATE = "estimate", _("расчёт")
    IMPORT = "import", _("биллинговая система")


class ReadingStatus(models.TextChoices):
    ACCEPTED = "accepted", _("Принято")
    REJECTED = "rejected", _("Отклонено")


class SalesKind(models.TextChoices):
    """Вид реализации (F-D1)."""

    MAIN = "main", _("Основная реализация")
    ADVANCE = "advance", _("Аванс")
    OVERPAYMENT = "overpayment", _("Переплата")
    PENALTY = "penalty", _("Пени")
    SERVICES = "services", _("Услуги")
    ACTS = "acts", _("Акты")
    DEBT_SCHEDULE = "debt_schedule", _("ГПЗ")


class DocumentType(models.TextChoices):
    INVOICE = "invoice", _("Счёт на оплату")
    TAX_INVOICE = "tax_invoice", _("Счёт-фактура")
    CORRECTION_TAX_INVOICE = "correction_tax_invoice", _("Корректировочный счёт-фактура")
    ACCEPTANCE_ACT = "acceptance_act", _("Акт приёма-передачи")
    ACCEPTANCE_STATEMENT = "acceptance_statement", _("Ведомость приёма-передачи")
    RECONCILIATION_ACT = "reconciliation_act", _("Акт сверки")
    PENALTY_CLAIM = "penalty_claim", _("Претензия на уплату пени")
    RECEIPT = "receipt", _("Квитанция")


# The documents that carry a period's charge. An organisation's sale is printed as a tax invoice and
# an acceptance act (often a payment invoice too); only the tax invoice and its corrections count.
CHARGING_DOCUMENT_TYPES = (
    DocumentType.RECEIPT,
    DocumentType.TAX_INVOICE,
    DocumentType.CORRECTION_TAX_INVOICE,
    DocumentType.PENALTY_CLAIM,
)


class PaymentChannel(models.TextChoices):
    PORTAL = "portal", _("Личный кабинет")
    BANK = "bank", _("Банк")
    POST = "post", _("Почта России")
    CASHIER = "cashier", _("Касса")


class PaymentStatus(models.TextChoices):
    PENDING = "pending", _("В процессе")
    POSTED = "posted", _("Проведён")
    DECLINED = "declined", _("Отклонён")


class CookerType(models.TextChoices):
    GAS = "gas", _("Газовая")
    ELECTRIC = "electric", _("Электрическая")
    NONE = "none", _("Нет")


class PriceCategory(models.IntegerChoices):
    I = 1, "I"  # noqa: E741
    II = 2, "II"
    III = 3, "III"
    IV = 4, "IV"
    V = 5, "V"
    VI = 6, "VI"
