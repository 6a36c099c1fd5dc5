"""The books of the built-in sandbox acquirer (backoffice/acquiring/sandbox): what a real bank keeps on its side.

The sandbox stands in for a bank so that paying runs end to end on one machine (F-E2). Its orders, card bindings
and outgoing notifications are tables of their own, never read by the portal: the portal learns about them only
the way it would from a real bank, through signed notifications and status requests. No card number is stored:
the sandbox keeps the last four digits and the expiry, as a bank's token vault would show them.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SandboxOrder(models.Model):
    class Status(models.TextChoices):
        CREATED = "created", _("Ожидает ввода карты")
        AWAITING_3DS = "awaiting_3ds", _("Ожидает 3-D Secure")
        PROCESSING = "processing", _("Обрабатывается")
        SUCCEEDED = "succeeded", _("Оплачен")
        DECLINED = "declined", _("Отклонён")
        EXPIRED = "expired", _("Время оплаты истекло")
        REFUNDED = "refunded", _("Возвращён")

    order_id = models.CharField(_("номер заказа в банке"), max_length=40, unique=True)
    merchant_order = models.CharField(_("номер заказа магазина"), max_length=40)
    amount = models.BigIntegerField(_("сумма, копеек"))
    currency = models.CharField(_("валюта"), max_length=3, default="RUB")
    description = models.CharField(_("описание"), max_length=255, blank=True)
    email = models.EmailField(_("e-mail плательщика"), blank=True)
    return_url = models.URLField(_("адрес возврата"), max_length=1000)
    callback_url = models.URLField(_("адрес уведомлений"), max_length=1000)
    bind_card = models.BooleanField(_("привязать карту"), default=False)
    verify_only = models.BooleanField(
        _("проверка карты"), default=False, help_text=_("Списание небольшой суммы с возвратом при регистрации карты.")
    )
    binding_token = models.CharField(_("оплата привязанной картой"), max_length=128, blank=True)
    status = models.CharField(_("статус"), max_length=20, choices=Status.choices, default=Status.CREATED)
    decline_reason = models.CharField(_("причина отказа"), max_length=255, blank=True)
    card_brand = models.CharField(_("платёжная система"), max_length=20, blank=True)
    card_last4 = models.CharField(_("последние цифры карты"), max_length=4, blank=True)
    card_expiry_month = models.PositiveSmallIntegerField(null=True, blank=True)
    card_expiry_year = models.PositiveSmallIntegerField(null=True, blank=True)
    card_outcome = models.CharField(_("сценарий тестовой карты"), max_length=20, blank=True)
    issued_token = models.CharField(_("выданный токен"), max_length=128, blank=True)
    acs_attempts = models.PositiveSmallIntegerField(_("попыток ввода кода"), default=0)
    created_at = models.DateTimeField(_("создан"), auto_now_add=True)
    expires_at = models.DateTimeField(_("оплатить до"))
    settle_at = models.DateTimeField(_("завершится в"), null=True, blank=True)

    class Meta:
        verbose_name = _("заказ тестового банка")
        verbose_name_plural = _("заказы тестового банка")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.order_id} ({self.get_status_display()})"


class SandboxCardBinding(models.Model):
    """A card registered at the sandbox bank: the token the merchant keeps, and what the bank shows of the card."""

    token = models.CharField(_("токен"), max_length=128, unique=True)
    brand = models.CharField(_("платёжная система"), max_length=20)
    last4 = models.CharField(_("последние цифры"), max_length=4)
    expiry_month = models.PositiveSmallIntegerField()
    expiry_year = models.PositiveSmallIntegerField()
    card_outcome = models.CharField(_("сценарий тестовой карты"), max_length=20)
    holder = models.CharField(_("имя на карте"), max_length=100, blank=True)
    is_active = models.BooleanField(_("действует"), default=True)
    created_at = models.DateTimeField(_("создана"), auto_now_add=True)

    class Meta:
        verbose_name = _("карта тестового банка")
        verbose_name_plural = _("карты тестового банка")

    def __str__(self):
        return f"{self.brand} ****{self.last4}"


class SandboxNotification(models.Model):
    """A signed notification the sandbox bank sends to the merchant, with its delivery attempts."""

    order = models.ForeignKey(SandboxOrder, on_delete=models.CASCADE, related_name="notifications")
    event_id = models.CharField(_("идентификатор"), max_length=40, unique=True)
    event = models.CharField(_("событие"), max_length=40)
    body = models.TextField(_("тело"))
    signature = models.CharField(_("подпись"), max_length=100)
    attempts = models.PositiveSmallIntegerField(_("попыток"), default=0)
    last_status = models.PositiveSmallIntegerField(_("ответ магазина"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("доставлено"), null=True, blank=True)
    created_at = models.DateTimeField(_("создано"), auto_now_add=True)

    class Meta:
        verbose_name = _("уведомление тестового банка")
        verbose_name_plural = _("уведомления тестового банка")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.event} → {self.order.order_id}"
