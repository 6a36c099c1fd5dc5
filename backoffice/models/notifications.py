"""In-app notifications (F-H2) and how each user wants to be told (F-H3).

A `Notification` row is written in the transaction of the change it tells about, like the outbox's letters, so a
change that rolls back tells nobody. `account` and `contract` say which cabinet the news concerns, for the
per-account badges. A notification from the company may also be shown as a modal window after sign-in or as a
bar at the top of every page (`display`) until the user confirms or closes it, or until `shown_until`; it stays in
«Уведомления» either way.

`NotificationSettings` and `OwnerNotificationSetting` hold the user's choices; `backoffice.services.notifications`
reads them in one place, `notification_send`, whenever anything is delivered.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .accounts import Contract, PersonalAccount
from .outbox import OutboxMessage

REMINDER_DAYS = (1, 15)  # «Уведомление о начале периода передачи показаний N дня» (seed 001 §13.1.5)


class Notification(models.Model):
    class Kind(models.TextChoices):
        CONTRACT_ADDED = "contract_added", _("Вам добавлен договор")
        ROLE_CHANGED = "role_changed", _("Изменена роль по договору")
        ACCOUNT_SHARED = "account_shared", _("Абонент был добавлен в профиль другого пользователя")
        ACCESS_REQUEST = "access_request", _("Запрос роли «Администратор»")
        INVOICE = "invoice", _("Выставлен счёт")
        PAYMENT = "payment", _("Оплата проведена")
        DEBT = "debt", _("Задолженность")
        READING_WINDOW = "reading_window", _("Период передачи показаний")
        METER_VERIFICATION = "meter_verification", _("Окончание межповерочного интервала")
        APPEAL = "appeal", _("Ответ по обращению")
        SERVICE_ORDER = "service_order", _("Заказ услуги")
        PROFILE_CHANGED = "profile_changed", _("Профиль пользователя изменён")
        MESSAGE = "message", _("Сообщение от компании")

    class Display(models.TextChoices):
        LIST = "list", _("Только в разделе «Уведомления»")
        MODAL = "modal", _("Модальное окно после входа")
        TOP = "top", _("Уведомление в топе")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("пользователь"),
    )
    kind = models.CharField(_("вид"), max_length=32, choices=Kind.choices)
    title = models.CharField(_("заголовок"), max_length=255)
    body = models.TextField(_("текст"), blank=True)
    url = models.CharField(_("ссылка"), max_length=500, blank=True, help_text=_("Куда ведёт уведомление в портале."))
    account = models.ForeignKey(
        PersonalAccount, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("ЛС")
    )
    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("договор")
    )
    display = models.CharField(_("вид показа"), max_length=8, choices=Display.choices, default=Display.LIST)
    action_label = models.CharField(
        _("кнопка перехода"), max_length=60, blank=True, help_text=_("Например, «Перейти»; ведёт по ссылке.")
    )
    confirm_label = models.CharField(_("кнопка подтверждения"), max_length=60, blank=True)
    shown_until = models.DateTimeField(
        _("показывать до"), null=True, blank=True, help_text=_("После этого окно или полоса больше не показываются.")
    )
    closed_at = models.DateTimeField(_("закрыто"), null=True, blank=True)
    attachment = models.ForeignKey(
        "wagtaildocs.Document",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("файл"),
    )
    email_message = models.ForeignKey(
        OutboxMessage,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("письмо"),
        help_text=_("Копия уведомления, отправленная на e-mail, если пользователь её получает."),
    )
    created_at = models.DateTimeField(_("создано"), default=timezone.now)
    read_at = models.DateTimeField(_("прочитано"), null=True, blank=True)

    class Meta:
        verbose_name = _("уведомление")
        verbose_name_plural = _("уведомления")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["user", "read_at", "-created_at"]),
            # the modal and the bars on every page: the user's open ones of these two kinds only
            models.Index(
                fields=["user", "display"], condition=models.Q(closed_at__isnull=True), name="notification_open_display"
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class Channel(models.TextChoices):
    IN_APP = "in_app", _("В личном кабинете")
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")


def _reminder_days_field(label, default):
    return models.PositiveSmallIntegerField(
        label, default=default, validators=[MinValueValidator(REMINDER_DAYS[0]), MaxValueValidator(REMINDER_DAYS[1])]
    )


class NotificationSettings(models.Model):
    """One user's «Уведомления» block (seed 001 §13.1.5, seed 000 §3.1.3); a user without a row has the defaults.

    `channels` keeps only what the user changed: {kind: {channel: bool}}; `services.notifications` knows the
    defaults of every kind.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_settings",
        verbose_name=_("пользователь"),
    )
    email_enabled = models.BooleanField(
        _("E-mail уведомления"),
        default=True,
        help_text=_("Включает и отключает в целом все уведомления на e-mail, включая рекламную рассылку."),
    )
    channels = models.JSONField(_("каналы по видам уведомлений"), default=dict, blank=True)
    reading_start_reminder = models.BooleanField(_("Уведомление о начале периода передачи показаний"), default=True)
    reading_start_days = _reminder_days_field(_("за сколько дней до начала"), 4)
    reading_end_reminder = models.BooleanField(_("Уведомление об окончании периода передачи показаний"), default=True)
    reading_end_days = _reminder_days_field(_("за сколько дней до окончания"), 2)
    updated_at = models.DateTimeField(_("изменено"), auto_now=True)

    class Meta:
        verbose_name = _("настройки уведомлений")
        verbose_name_plural = _("настройки уведомлений")

    def __str__(self):
        return str(self.user)


class OwnerNotificationSetting(models.Model):
    """«Уведомления о выставленных счетах и оплате»: «О счетах» and «Об оплате» for one contract or ЛС of a user.

    A contract or account without a row has both switched on.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="owner_notification_settings",
        verbose_name=_("пользователь"),
    )
    account = models.ForeignKey(
        PersonalAccount, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("ЛС")
    )
    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("договор")
    )
    invoices = models.BooleanField(_("О счетах"), default=True)
    payments = models.BooleanField(_("Об оплате"), default=True)

    class Meta:
        verbose_name = _("уведомления по договору или ЛС")
        verbose_name_plural = _("уведомления по договорам и ЛС")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(account__isnull=False, contract__isnull=True)
                | models.Q(account__isnull=True, contract__isnull=False),
                name="owner_notification_account_or_contract",
            ),
            models.UniqueConstraint(
                fields=["user", "account"], condition=models.Q(account__isnull=False), name="owner_notification_account"
            ),
            models.UniqueConstraint(
                fields=["user", "contract"],
                condition=models.Q(contract__isnull=False),
                name="owner_notification_contract",
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.account or self.contract}"
