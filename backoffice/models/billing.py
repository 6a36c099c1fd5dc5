"""Money: billing runs, documents with their lines, payments, allocations and balances."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .accounts import Contract, PersonalAccount
from .choices import DocumentType, PaymentChannel, PaymentStatus, SalesKind, Zone
from .metering import Meter


class OwnedByAccountOrContract(models.Model):
    """Money always belongs to exactly one household account or one contract."""

    account = models.ForeignKey(
        PersonalAccount,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="%(class)ss",
        verbose_name=_("лицевой счёт"),
    )
    contract = models.ForeignKey(
        Contract,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="%(class)ss",
        verbose_name=_("договор"),
    )

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=models.Q(account__isnull=False, contract__isnull=True)
                | models.Q(account__isnull=True, contract__isnull=False),
                name="%(class)s_account_or_contract",
                violation_error_message=_("Укажите либо лицевой счёт, либо договор."),
            )
        ]

    @property
    def owner(self):
        return self.account or self.contract


class BillingRun(models.Model):
    """One run of the billing for a period; running a period again adds only corrections."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Выполняется")
        DONE = "done", _("Завершён")
        FAILED = "failed", _("Ошибка")

    period = models.DateField(_("период"), help_text=_("Первое число месяца."))
    status = models.CharField(_("статус"), max_length=20, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField(_("начат"), auto_now_add=True)
    finished_at = models.DateTimeField(_("завершён"), null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("запустил"),
    )
    stats = models.JSONField(_("итоги"), default=dict, blank=True)
    error = models.TextField(_("ошибка"), blank=True)

    class Meta:
        verbose_name = _("расчёт периода")
        verbose_name_plural = _("расчёты периодов")
        ordering = ["-started_at"]

    def __str__(self):
        return f"Расчёт за {self.period:%m.%Y} ({self.get_status_display()})"


class Document(OwnedByAccountOrContract):
    """A billing document of F-D2; corrections are separate documents that point at what they correct."""

    number = models.CharField(_("номер"), max_length=32, unique=True)
    type = models.CharField(_("тип документа"), max_length=30, choices=DocumentType.choices)
    period = models.DateField(_("период"), help_text=_("Первое число месяца."))
    sales_kind = models.CharField(_("вид реализации"), max_length=20, choices=SalesKind.choices, default=SalesKind.MAIN)
    issued_on = models.DateField(_("дата документа"))
    amount = models.DecimalField(_("сумма документа"), max_digits=14, decimal_places=2)
    amount_due = models.DecimalField(_("к оплате"), max_digits=14, decimal_places=2, default=0)
    vat_amount = models.DecimalField(_("в т. ч. НДС"), max_digits=14, decimal_places=2, default=0)
    due_date = models.DateField(_("дата задолженности"), null=True, blank=True)
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        verbose_name=_("корректирует"),
    )
    billing_run = models.ForeignKey(
        BillingRun,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("расчёт"),
    )
    # «Общая информация» of a household receipt (F-D3); empty on other documents.
    opening_balance = models.DecimalField(
        _("задолженность (+) / переплата (−) на начало периода"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    payments_counted = models.DecimalField(
        _("платежи, учтённые при расчёте"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    closing_balance = models.DecimalField(
        _("итого задолженность (+) / переплата (−)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    created_at = models.DateTimeField(_("создан"), auto_now_add=True)

    class Meta:
        verbose_name = _("документ")
        verbose_name_plural = _("документы")
        ordering = ["-period", "-issued_on", "number"]
        constraints = [
            *OwnedByAccountOrContract.Meta.constraints,
            models.CheckConstraint(condition=models.Q(amount_due__gte=0), name="document_amount_due_not_negative"),
            models.CheckConstraint(
                condition=models.Q(amount__lt=0) | models.Q(amount_due__lte=models.F("amount")),
                name="document_due_within_amount",
            ),
        ]
        indexes = [
            models.Index(fields=["account", "period"]),
            models.Index(fields=["contract", "period"]),
            models.Index(fields=["period", "type"]),
        ]

    def __str__(self):
        return f"{self.get_type_display()} № {self.number}"

    @property
    def is_correction(self) -> bool:
        return self.corrects_id is not None

    @property
    def is_paid(self) -> bool:
        return self.amount > 0 and self.amount_due == 0


class DocumentLine(models.Model):
    """«Детализация»: one zone (or penalty) of a document: consumption × rate = amount."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="lines", verbose_name=_("документ"))
    description = models.CharField(_("наименование"), max_length=255)
    zone = models.CharField(_("зона"), max_length=20, choices=Zone.choices, blank=True)
    meter = models.ForeignKey(
        Meter, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("прибор учёта")
    )
    date_from = models.DateField(_("с"), null=True, blank=True)
    date_to = models.DateField(_("по"), null=True, blank=True)
    consumption = models.DecimalField(_("расход, кВт·ч"), max_digits=16, decimal_places=3, default=0)
    rate = models.DecimalField(_("тариф, ₽/кВт·ч"), max_digits=10, decimal_places=4, default=0)
    amount = models.DecimalField(_("сумма"), max_digits=14, decimal_places=2)
    is_estimated = models.BooleanField(_("расчётный объём"), default=False)

    class Meta:
        verbose_name = _("строка документа")
        verbose_name_plural = _("строки документа")
        ordering = ["document", "id"]

    def __str__(self):
        return self.description


class Payment(OwnedByAccountOrContract):
    """Money received. `unallocated` is what has not yet paid off a document: an advance or overpayment."""

    channel = models.CharField(_("способ"), max_length=20, choices=PaymentChannel.choices, default=PaymentChannel.BANK)
    bank = models.CharField(_("банк"), max_length=255, blank=True)
    number = models.CharField(_("номер платежа"), max_length=64, blank=True)
    paid_on = models.DateField(_("дата платежа"))
    purpose = models.CharField(_("назначение"), max_length=500, blank=True)
    amount = models.DecimalField(_("сумма"), max_digits=14, decimal_places=2)
    unallocated = models.DecimalField(_("не распределено"), max_digits=14, decimal_places=2, default=0)
    status = models.CharField(_("статус"), max_length=20, choices=PaymentStatus.choices, default=PaymentStatus.POSTED)
    provider_id = models.CharField(_("идентификатор у эквайера"), max_length=100, null=True, blank=True, unique=True)
    receipt_email = models.EmailField(_("чек отправить на"), blank=True)
    created_at = models.DateTimeField(_("создан"), auto_now_add=True)

    class Meta:
        verbose_name = _("платёж")
        verbose_name_plural = _("платежи")
        ordering = ["-paid_on", "-id"]
        constraints = [
            *OwnedByAccountOrContract.Meta.constraints,
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=models.Q(unallocated__gte=0, unallocated__lte=models.F("amount")),
                name="payment_unallocated_within_amount",
            ),
        ]
        indexes = [models.Index(fields=["account", "paid_on"]), models.Index(fields=["contract", "paid_on"])]

    def __str__(self):
        return f"Платёж {self.number or self.pk} от {self.paid_on:%d.%m.%Y}"


class PaymentAllocation(models.Model):
    """How much of a payment paid off which document."""

    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="allocations")
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="allocations")
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    allocated_on = models.DateField()

    class Meta:
        verbose_name = _("зачёт платежа")
        verbose_name_plural = _("зачёты платежей")
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="allocation_amount_positive")]

    def __str__(self):
        return f"{self.amount} → {self.document_id}"


class Balance(OwnedByAccountOrContract):
    """Saldo per sales kind: positive — the customer owes, negative — advance or overpayment."""

    sales_kind = models.CharField(_("вид реализации"), max_length=20, choices=SalesKind.choices)
    amount = models.DecimalField(_("сумма"), max_digits=14, decimal_places=2, default=0)
    updated_at = models.DateTimeField(_("обновлено"), auto_now=True)

    class Meta:
        verbose_name = _("сальдо")
        verbose_name_plural = _("сальдо")
        constraints = [
            *OwnedByAccountOrContract.Meta.constraints,
            models.UniqueConstraint(
                fields=["account", "sales_kind"], condition=models.Q(account__isnull=False), name="balance_account_kind"
            ),
            models.UniqueConstraint(
                fields=["contract", "sales_kind"],
                condition=models.Q(contract__isnull=False),
                name="balance_contract_kind",
            ),
        ]

    def __str__(self):
        return f"{self.get_sales_kind_display()}: {self.amount}"
