"""Paying online (F-E1…F-E4): orders at the acquirer, what each one pays off, the log of the acquirer's
notifications, and the customers' saved cards.

An `AcquiringOrder` is one attempt to take money through an acquirer (or, for «Добавить карту», to verify a card
with a small charge that is refunded). A payment attempt owns a `Payment` from the start, in the status
«В процессе»; the acquirer's verdict moves it to «Проведён» or «Отклонён». Only the move to «Проведён» changes
documents and balances, and it can happen once: the order row is locked while a verdict is applied
(services/acquiring.py).

Every notification the acquirer sends is kept in `AcquirerCallback`, accepted or not, so staff can see what came,
what was refused and why. A saved card is only the acquirer's token and the last four digits: the portal never
sees a card number.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .billing import Document, Payment


class SavedCard(models.Model):
    """«Карты» (F-E4): a card the user registered at the acquirer, known here by its token only."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_cards", verbose_name=_("пользователь")
    )
    provider = models.CharField(_("эквайер"), max_length=20)
    token = models.CharField(_("токен карты"), max_length=128)
    last4 = models.CharField(_("последние цифры"), max_length=4)
    brand = models.CharField(_("платёжная система"), max_length=20, blank=True)
    expiry_month = models.PositiveSmallIntegerField(_("месяц окончания"), null=True, blank=True)
    expiry_year = models.PositiveSmallIntegerField(_("год окончания"), null=True, blank=True)
    created_at = models.DateTimeField(_("добавлена"), auto_now_add=True)

    class Meta:
        verbose_name = _("привязанная карта")
        verbose_name_plural = _("привязанные карты")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "provider", "token"], name="saved_card_one_token_per_user"),
        ]

    def __str__(self):
        return self.masked

    @property
    def masked(self) -> str:
        """«****9256», as seed 001 §4.2 shows a card."""
        return f"****{self.last4}"

    @property
    def expiry_text(self) -> str:
        if not (self.expiry_month and self.expiry_year):
            return ""
        return f"{self.expiry_month:02d}/{self.expiry_year % 100:02d}"


class AcquiringOrder(models.Model):
    """One attempt at the acquirer: a payment of a contract or ЛС, or the small charge of «Добавить карту»."""

    class Purpose(models.TextChoices):
        PAYMENT = "payment", _("Оплата")
        CARD_BINDING = "card_binding", _("Регистрация карты")

    class Mode(models.TextChoices):
        """The three ways to pay of F-E1 (seed 001 §4.2)."""

        DEBT = "debt", _("Оплата задолженности")
        DOCUMENT = "document", _("Оплата документа")
        PREPAYMENT = "prepayment", _("Предоплата")

    class Status(models.TextChoices):
        PENDING = "pending", _("В процессе")
        SUCCEEDED = "succeeded", _("Проведён")
        DECLINED = "declined", _("Отклонён")

    reference = models.CharField(_("номер заказа"), max_length=40, unique=True)
    purpose = models.CharField(_("назначение"), max_length=20, choices=Purpose.choices, default=Purpose.PAYMENT)
    mode = models.CharField(_("способ оплаты"), max_length=20, choices=Mode.choices, blank=True)
    provider = models.CharField(_("эквайер"), max_length=20)
    provider_order_id = models.CharField(_("номер заказа у эквайера"), max_length=100)
    payment_url = models.URLField(_("страница оплаты"), max_length=1000, blank=True)
    return_path = models.CharField(
        _("адрес возврата"), max_length=500, blank=True, help_text=_("Страница портала, куда банк возвращает клиента.")
    )
    payment = models.OneToOneField(
        Payment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="acquiring_order",
        verbose_name=_("платёж"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="acquiring_orders",
        verbose_name=_("пользователь"),
    )
    amount = models.DecimalField(_("сумма"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("валюта"), max_length=3, default="RUB")
    card = models.ForeignKey(
        SavedCard,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="orders",
        verbose_name=_("привязанная карта"),
    )
    save_card = models.BooleanField(_("сохранить карту"), default=False)
    status = models.CharField(_("статус"), max_length=20, choices=Status.choices, default=Status.PENDING)
    decline_reason = models.CharField(_("причина отказа"), max_length=255, blank=True)
    card_mask = models.CharField(_("карта"), max_length=20, blank=True, help_text=_("Например, ****9256."))
    created_at = models.DateTimeField(_("создан"), auto_now_add=True)
    completed_at = models.DateTimeField(_("завершён"), null=True, blank=True)
    checked_at = models.DateTimeField(
        _("статус запрошен у эквайера"), null=True, blank=True, help_text=_("Последняя сверка зависшего платежа.")
    )

    class Meta:
        verbose_name = _("заказ в эквайринге")
        verbose_name_plural = _("заказы в эквайринге")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "provider_order_id"], name="acquiring_order_provider_id"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="acquiring_order_amount_positive"),
            models.CheckConstraint(
                condition=models.Q(purpose="card_binding") | models.Q(payment__isnull=False),
                name="acquiring_order_payment_has_payment",
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self):
        return f"{self.get_purpose_display()} {self.reference} ({self.get_status_display()})"

    @property
    def is_final(self) -> bool:
        return self.status != self.Status.PENDING


class PaymentTarget(models.Model):
    """A document the customer chose to pay off with an order, and how much of the order goes to it."""

    order = models.ForeignKey(AcquiringOrder, on_delete=models.CASCADE, related_name="targets")
    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="+", verbose_name=_("документ"))
    amount = models.DecimalField(_("сумма"), max_digits=14, decimal_places=2)
    position = models.PositiveSmallIntegerField(_("порядок"), default=0)

    class Meta:
        verbose_name = _("документ к оплате")
        verbose_name_plural = _("документы к оплате")
        ordering = ["order", "position", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payment_target_amount_positive"),
            models.UniqueConstraint(fields=["order", "document"], name="payment_target_once_per_order"),
        ]

    def __str__(self):
        return f"{self.document} ← {self.amount}"


class AcquirerCallback(models.Model):
    """Every notification an acquirer sent, with what was done with it (F-E2: «refused and logged»)."""

    class Outcome(models.TextChoices):
        APPLIED = "applied", _("Принято")
        DUPLICATE = "duplicate", _("Повтор, уже учтено")
        IGNORED = "ignored", _("Не меняет статус")
        BAD_SIGNATURE = "bad_signature", _("Неверная подпись")
        MALFORMED = "malformed", _("Не разобрано")
        UNKNOWN_ORDER = "unknown_order", _("Неизвестный заказ")
        AMOUNT_MISMATCH = "amount_mismatch", _("Сумма не совпадает")
        CURRENCY_MISMATCH = "currency_mismatch", _("Валюта не совпадает")

    REFUSED = frozenset({"bad_signature", "malformed", "unknown_order", "amount_mismatch", "currency_mismatch"})

    provider = models.CharField(_("эквайер"), max_length=20)
    order = models.ForeignKey(
        AcquiringOrder,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="callbacks",
        verbose_name=_("заказ"),
    )
    event_id = models.CharField(_("идентификатор уведомления"), max_length=100, blank=True)
    event = models.CharField(_("событие"), max_length=40, blank=True)
    outcome = models.CharField(_("результат"), max_length=20, choices=Outcome.choices)
    detail = models.CharField(_("подробности"), max_length=500, blank=True)
    body = models.TextField(_("тело уведомления"), blank=True)
    remote_addr = models.GenericIPAddressField(_("IP-адрес"), null=True, blank=True)
    received_at = models.DateTimeField(_("получено"), auto_now_add=True)

    class Meta:
        verbose_name = _("уведомление эквайера")
        verbose_name_plural = _("уведомления эквайера")
        ordering = ["-received_at", "-pk"]
        constraints = [
            # A notification counts once: a repeated one is logged as «Повтор», never applied again.
            models.UniqueConstraint(
                fields=["provider", "event_id"],
                condition=models.Q(outcome__in=["applied", "ignored"]),
                name="acquirer_callback_event_once",
            ),
        ]
        indexes = [models.Index(fields=["outcome", "received_at"])]

    def __str__(self):
        return f"{self.provider} {self.event or '—'}: {self.get_outcome_display()}"

    @property
    def refused(self) -> bool:
        return self.outcome in self.REFUSED
