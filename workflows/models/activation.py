"""Activation requests (F-A2): a household asks for a personal account it could not prove it owns."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition


class ActivationRequest(models.Model):
    """A household's request to reach a personal account when the control question did not match (F-A2, seed 003).

    Новая → Одобрена (the account is linked, the customer e-mailed) or → Отклонена (with a reason, e-mailed).
    """

    class State(models.TextChoices):
        NEW = "new", _("Новая")
        APPROVED = "approved", _("Одобрена")
        REJECTED = "rejected", _("Отклонена")

    class Control(models.TextChoices):
        LAST_PAYMENT = "last_payment", _("Сумма последнего платежа")
        METER_NUMBER = "meter_number", _("Номер счётчика")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="activation_requests",
        verbose_name=_("пользователь"),
    )
    full_name = models.CharField(_("ФИО"), max_length=255)
    account_number = models.CharField(_("Номер лицевого счёта"), max_length=12)
    control = models.CharField(_("Контрольный вопрос"), max_length=16, choices=Control.choices)
    control_answer = models.CharField(_("Ответ"), max_length=50)
    # What the customer chose in «Добавить лицевой счет» (F-B1), applied to the link when approved.
    relation = models.CharField(_("Статус отношения к ЛС"), max_length=16, default="owner")
    paperless = models.BooleanField(_("Счета только по e-mail"), default=False)
    account = models.ForeignKey(
        "backoffice.PersonalAccount",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activation_requests",
        verbose_name=_("лицевой счёт"),
        help_text=_("Найденный по номеру счёт; сотрудник может указать другой."),
    )
    state = FSMField(_("статус"), default=State.NEW, choices=State.choices, protected=True)
    reason = models.TextField(_("Причина отказа"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("решение принял"),
    )
    decided_at = models.DateTimeField(_("дата решения"), null=True, blank=True)
    created_at = models.DateTimeField(_("создана"), default=timezone.now)

    class Meta:
        verbose_name = _("заявка на активацию")
        verbose_name_plural = _("заявки на активацию")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state", "created_at"])]
        constraints = [
            # one open request per user and account number; a refused one may be filed again
            models.UniqueConstraint(
                fields=["user", "account_number"], condition=models.Q(state="new"), name="activation_request_open_once"
            ),
        ]

    def __str__(self):
        return f"ЛС {self.account_number} · {self.full_name}"

    @transition(field=state, source=State.NEW, target=State.APPROVED)
    def approve(self, *, by):
        self.decided_by, self.decided_at = by, timezone.now()

    @transition(field=state, source=State.NEW, target=State.REJECTED)
    def reject(self, *, by, reason: str):
        self.decided_by, self.decided_at, self.reason = by, timezone.now(), reason
