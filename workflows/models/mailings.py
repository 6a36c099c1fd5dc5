"""Mailings (F-H6) and the company's messages for an audience (F-H2): written by editors, delivered in the background.

A mailing is either
- «Рекламная рассылка»: a newsletter by e-mail, only to users who agreed to advertising and keep «E-mail
  уведомления» on; or
- «Сообщение от компании»: a notification in every recipient's cabinet — in «Уведомления», and if asked, as a modal
  window after sign-in («1 из N») or a bar at the top until closed or `shown_until` — e-mailed too to those whose
  settings say so.

Черновик → Запланирована → Отправляется → Отправлена, and Отменена before sending starts. The audience is fixed
when sending starts; each recipient is one `MailingRecipient` row, so a batch that runs twice sends nothing twice
and the counts of sent and failed letters come from the outbox itself.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition


class Mailing(models.Model):
    class Kind(models.TextChoices):
        NEWSLETTER = "newsletter", _("Рекламная рассылка (e-mail)")
        MESSAGE = "message", _("Сообщение от компании (в личном кабинете и на e-mail)")

    class Audience(models.TextChoices):
        ALL = "all", _("Все пользователи")
        HOUSEHOLDS = "households", _("Бытовые абоненты (с лицевыми счетами)")
        ORGANISATIONS = "organisations", _("Организации (с договорами)")
        BRANCH = "branch", _("Клиенты отделения")
        GROUP = "group", _("Группа потребителей")

    class Display(models.TextChoices):
        LIST = "list", _("Только в разделе «Уведомления»")
        MODAL = "modal", _("Модальное окно после входа")
        TOP = "top", _("Уведомление в топе")

    class State(models.TextChoices):
        DRAFT = "draft", _("Черновик")
        SCHEDULED = "scheduled", _("Запланирована")
        SENDING = "sending", _("Отправляется")
        SENT = "sent", _("Отправлена")
        CANCELLED = "cancelled", _("Отменена")

    kind = models.CharField(_("Вид"), max_length=16, choices=Kind.choices, default=Kind.MESSAGE)
    title = models.CharField(_("Тема"), max_length=255)
    body = models.TextField(_("Текст сообщения"), max_length=10000)
    action_label = models.CharField(
        _("Текст кнопки перехода"), max_length=60, blank=True, help_text=_("Например, «Перейти». Пусто — без кнопки.")
    )
    action_url = models.CharField(
        _("Ссылка кнопки"), max_length=500, blank=True, help_text=_("Адрес в портале (/services/) или полный адрес.")
    )
    confirm_label = models.CharField(_("Текст кнопки подтверждения"), max_length=60, default="Подтвердить")
    display = models.CharField(_("Как показать"), max_length=8, choices=Display.choices, default=Display.LIST)
    shown_until = models.DateTimeField(
        _("Показывать до"), null=True, blank=True, help_text=_("Для окна и полосы вверху. Пусто — пока не закроют.")
    )
    attachment = models.ForeignKey(
        "wagtaildocs.Document",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Файл"),
    )
    audience = models.CharField(_("Кому"), max_length=16, choices=Audience.choices, default=Audience.ALL)
    branch = models.ForeignKey(
        "backoffice.Branch",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Отделение"),
    )
    customer_group = models.ForeignKey(
        "backoffice.CustomerGroup",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Группа потребителей"),
    )
    scheduled_at = models.DateTimeField(
        _("Отправить"), null=True, blank=True, help_text=_("Пусто — сразу после нажатия «Отправить».")
    )
    state = FSMField(_("Статус"), default=State.DRAFT, choices=State.choices, protected=True)
    recipients_total = models.PositiveIntegerField(_("получателей"), default=0)
    recipients_processed = models.PositiveIntegerField(_("обработано"), default=0)
    skipped = models.PositiveIntegerField(
        _("пропущено"), default=0, help_text=_("Без согласия на рекламу или с отключёнными e-mail уведомлениями.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("автор"),
    )
    created_at = models.DateTimeField(_("создана"), default=timezone.now)
    started_at = models.DateTimeField(_("отправка начата"), null=True, blank=True)
    finished_at = models.DateTimeField(_("отправка завершена"), null=True, blank=True)

    class Meta:
        verbose_name = _("рассылка")
        verbose_name_plural = _("рассылки")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state", "scheduled_at"])]

    def __str__(self):
        return self.title

    def clean(self):
        errors = {}
        if self.audience == self.Audience.BRANCH and self.branch_id is None:
            errors["branch"] = _("Выберите отделение.")
        if self.audience == self.Audience.GROUP and self.customer_group_id is None:
            errors["customer_group"] = _("Выберите группу потребителей.")
        if self.action_label and not self.action_url:
            errors["action_url"] = _("Укажите, куда ведёт кнопка «%(label)s».") % {"label": self.action_label}
        if self.kind == self.Kind.MESSAGE and self.display == self.Display.MODAL and not self.confirm_label:
            errors["confirm_label"] = _("Модальное окно закрывается кнопкой подтверждения: укажите её текст.")
        if self.shown_until and self.shown_until <= timezone.now():
            errors["shown_until"] = _("Дата уже прошла.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_editable(self) -> bool:
        return self.state == self.State.DRAFT

    @transition(field=state, source=State.DRAFT, target=State.SCHEDULED)
    def schedule(self, *, when):
        self.scheduled_at = when

    @transition(field=state, source=State.SCHEDULED, target=State.DRAFT)
    def unschedule(self):
        pass

    @transition(field=state, source=State.SCHEDULED, target=State.SENDING)
    def start(self, *, total: int, skipped: int):
        self.started_at, self.recipients_total, self.skipped = timezone.now(), total, skipped

    @transition(field=state, source=State.SENDING, target=State.SENT)
    def finish(self):
        self.finished_at = timezone.now()

    @transition(field=state, source=[State.DRAFT, State.SCHEDULED], target=State.CANCELLED)
    def cancel(self):
        pass


class MailingRecipient(models.Model):
    """One user's copy of a mailing: the in-app notification and/or the letter in the outbox."""

    mailing = models.ForeignKey(Mailing, on_delete=models.CASCADE, related_name="recipients")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    notification = models.ForeignKey(
        "backoffice.Notification", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    message = models.ForeignKey(
        "backoffice.OutboxMessage", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("получатель рассылки")
        verbose_name_plural = _("получатели рассылки")
        constraints = [models.UniqueConstraint(fields=["mailing", "user"], name="mailing_recipient_once")]

    def __str__(self):
        return f"{self.mailing_id} → {self.user_id}"
