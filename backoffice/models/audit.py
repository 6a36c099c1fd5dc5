"""The audit trail: every change to rights, money and state, with who, when, what and from where.

A row is written by `backoffice.services.audit.audit_record` in the transaction of the change, so a change that
rolls back leaves no trace and a change that lands always has one. Rows are never edited nor deleted: the model and
its queryset refuse it, and on PostgreSQL a trigger refuses it to raw SQL too (migration 0008).

The actor and the customer are kept as plain ids beside their names at that moment (no foreign-key constraint):
deleting a user or a customer must not rewrite their history.
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditImmutable(Exception):
    """Someone tried to change or delete an audit entry."""


class AuditAction(models.TextChoices):
    ROLE_GRANT = "role_grant", _("Выдана роль")
    ROLE_CHANGE = "role_change", _("Изменена роль")
    ROLE_REVOKE = "role_revoke", _("Отозвана роль")
    ACCOUNT_LINK = "account_link", _("Привязан лицевой счёт")
    ACCOUNT_UNLINK = "account_unlink", _("Отвязан лицевой счёт")
    TRANSITION = "transition", _("Смена статуса")
    PAYMENT = "payment", _("Платёж")
    IMPORT = "import", _("Загрузка данных")
    BILLING_RUN = "billing_run", _("Расчёт")
    STAFF_EDIT = "staff_edit", _("Изменение данных сотрудником")
    STAFF_ACTION = "staff_action", _("Действие сотрудника")


class AuditChannel(models.TextChoices):
    PORTAL = "portal", _("Портал")
    ADMIN = "admin", _("Административная часть")
    API = "api", _("API")
    TASK = "task", _("Фоновая задача")
    COMMAND = "command", _("Команда сервера")


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditImmutable(_("Записи журнала аудита не изменяются."))

    def delete(self):
        raise AuditImmutable(_("Записи журнала аудита не удаляются."))

    def for_customer(self, customer_id):
        return self.filter(customer_id=customer_id)


class AuditEntry(models.Model):
    at = models.DateTimeField(_("когда"), default=timezone.now, db_index=True)
    action = models.CharField(_("действие"), max_length=32, choices=AuditAction.choices)
    summary = models.CharField(_("что сделано"), max_length=500)
    # What: the object changed, as a content type and id with its name at that moment, and the details as JSON,
    # keyed by the labels a person reads: a changed field as {"Адрес": [было, стало]}, a fact as {"Сумма": "1 234,56 ₽"}
    # (the values too as shown then, so the entry reads the same after the model or its choices change).
    content_type = models.ForeignKey(
        ContentType, on_delete=models.DO_NOTHING, db_constraint=False, null=True, blank=True, related_name="+"
    )
    object_id = models.PositiveBigIntegerField(_("id объекта"), null=True, blank=True)
    object_repr = models.CharField(_("объект"), max_length=300, blank=True)
    changes = models.JSONField(_("подробности"), default=dict, blank=True)
    # Whose: the customer the change belongs to, for the customer 360 view.
    customer = models.ForeignKey(
        "backoffice.Customer",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("клиент"),
    )
    # Who and from where.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("кто"),
    )
    actor_repr = models.CharField(_("кто"), max_length=300, blank=True)
    channel = models.CharField(_("откуда"), max_length=16, choices=AuditChannel.choices)
    ip_address = models.GenericIPAddressField(_("IP-адрес"), null=True, blank=True)
    user_agent = models.CharField(_("браузер"), max_length=300, blank=True)
    request_id = models.CharField(_("номер запроса"), max_length=64, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("запись журнала аудита")
        verbose_name_plural = _("журнал аудита")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["customer", "-at"], name="audit_customer_at"),
            models.Index(fields=["content_type", "object_id", "-at"], name="audit_object_at"),
            models.Index(fields=["actor", "-at"], name="audit_actor_at"),
        ]

    def __str__(self):
        return f"{self.at:%d.%m.%Y %H:%M} {self.actor_repr or '—'}: {self.summary}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise AuditImmutable(_("Записи журнала аудита не изменяются."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditImmutable(_("Записи журнала аудита не удаляются."))
