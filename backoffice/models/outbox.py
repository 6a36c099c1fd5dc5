"""The transactional outbox: every e-mail and SMS is a row written in the transaction that causes it.

Celery delivers the rows after commit and retries failures; a change that rolls back sends nothing, and
the portal keeps working while Redis or the worker is down (the beat job picks up what was left).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboxMessage(models.Model):
    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        SMS = "sms", _("SMS")

    class Status(models.TextChoices):
        PENDING = "pending", _("Ждёт отправки")
        SENT = "sent", _("Отправлено")
        FAILED = "failed", _("Не отправлено")

    channel = models.CharField(_("канал"), max_length=8, choices=Channel.choices, default=Channel.EMAIL)
    recipient = models.CharField(_("получатель"), max_length=254)
    template = models.CharField(
        _("шаблон"), max_length=100, help_text=_("Каталог templates/emails/<шаблон>/ или templates/sms/<шаблон>.txt")
    )
    # Rendered when the row is written, in the language of that moment: what was sent is what staff see.
    subject = models.CharField(_("тема"), max_length=255, blank=True)
    body = models.TextField(_("текст"), blank=True)
    html = models.TextField(_("HTML"), blank=True)
    # Files rendered when the letter is delivered (in Celery), e.g. [{"kind": "document_pdf", "id": 42}]:
    # a PDF is attached fresh from the cache instead of being stored twice (services/outbox.py, ATTACHMENT_KINDS).
    attachments = models.JSONField(_("вложения"), default=list, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="outbox_messages",
        verbose_name=_("пользователь"),
    )
    status = models.CharField(_("статус"), max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("попыток"), default=0)
    last_error = models.TextField(_("последняя ошибка"), blank=True)
    created_at = models.DateTimeField(_("создано"), default=timezone.now)
    sent_at = models.DateTimeField(_("отправлено"), null=True, blank=True)

    class Meta:
        verbose_name = _("исходящее сообщение")
        verbose_name_plural = _("исходящие сообщения")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["recipient", "-created_at"]),
        ]

    def __str__(self):
        return f"{self.get_channel_display()} → {self.recipient}: {self.subject or self.template}"
