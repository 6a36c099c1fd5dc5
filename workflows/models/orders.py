"""Service orders (F-F2, F-F3; seed 001 §6.2, §7.4): «Отправить заявку» on a service card, worked by sales staff.

Новый → Принят → Выставлен счёт → Выполнен, and Отменён from any state before «Выполнен». «Выставлен счёт»
creates the invoice in the system of record (backoffice.services.documents); the customer finds the order in
«История» → «Заказы» and the invoice in «Документы».
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition
from phonenumber_field.modelfields import PhoneNumberField


class ServiceOrder(models.Model):
    class State(models.TextChoices):
        NEW = "new", _("Новый")
        ACCEPTED = "accepted", _("Принят")
        INVOICED = "invoiced", _("Выставлен счёт")
        DONE = "done", _("Выполнен")
        CANCELLED = "cancelled", _("Отменён")

    number = models.CharField(_("номер заказа"), max_length=20, unique=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="service_orders", verbose_name=_("клиент")
    )
    service = models.ForeignKey(
        "cms.ServicePage",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("услуга"),
    )
    # What the customer saw when ordering: the card may change or go later, the order keeps its own words.
    service_title = models.CharField(_("наименование услуги"), max_length=255)
    price_from = models.DecimalField(_("стоимость от"), max_digits=12, decimal_places=2, null=True, blank=True)
    account = models.ForeignKey(
        "backoffice.PersonalAccount",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="service_orders",
        verbose_name=_("лицевой счёт"),
    )
    contract = models.ForeignKey(
        "backoffice.Contract",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="service_orders",
        verbose_name=_("договор"),
    )
    contact_name = models.CharField(_("ФИО контактного лица"), max_length=255, blank=True)
    email = models.EmailField(_("Имейл"), blank=True)
    phone = PhoneNumberField(_("Контактный номер телефона"), blank=True)
    description = models.TextField(_("Опишите задачу"), blank=True, max_length=2000)
    state = FSMField(_("статус"), default=State.NEW, choices=State.choices, protected=True)
    amount = models.DecimalField(_("сумма счёта"), max_digits=12, decimal_places=2, null=True, blank=True)
    invoice = models.ForeignKey(
        "backoffice.Document",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("счёт"),
    )
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("менеджер"),
    )
    cancel_reason = models.TextField(_("причина отмены"), blank=True)
    created_at = models.DateTimeField(_("дата заказа"), default=timezone.now)
    updated_at = models.DateTimeField(_("изменён"), auto_now=True)

    class Meta:
        verbose_name = _("заказ услуги")
        verbose_name_plural = _("заказы услуг")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["state", "created_at"]),
            models.Index(fields=["user", "-created_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(account__isnull=False, contract__isnull=True)
                | models.Q(account__isnull=True, contract__isnull=False),
                name="service_order_account_or_contract",
                violation_error_message=_("Выберите договор или лицевой счёт."),
            ),
        ]

    def __str__(self):
        return f"Заказ № {self.number} · {self.service_title}"

    @property
    def owner(self):
        return self.account or self.contract

    @property
    def owner_label(self) -> str:
        if self.contract_id:
            return _("Договор № %(number)s") % {"number": self.contract.number}
        return _("ЛС № %(number)s") % {"number": self.account.number}

    @property
    def is_open(self) -> bool:
        return self.state not in (self.State.DONE, self.State.CANCELLED)

    @transition(field=state, source=State.NEW, target=State.ACCEPTED)
    def accept(self, *, by):
        self.manager = by

    @transition(field=state, source=State.ACCEPTED, target=State.INVOICED)
    def invoice_issue(self, *, by, amount, invoice):
        self.manager, self.amount, self.invoice = by, amount, invoice

    @transition(field=state, source=State.INVOICED, target=State.DONE)
    def complete(self, *, by):
        self.manager = self.manager or by

    @transition(field=state, source=[State.NEW, State.ACCEPTED, State.INVOICED], target=State.CANCELLED)
    def cancel(self, *, by, reason: str):
        self.manager, self.cancel_reason = self.manager or by, reason
