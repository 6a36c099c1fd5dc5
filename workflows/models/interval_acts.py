"""«Первичный акт» (F-C3, seed 001 §5.3): the hourly profile of a meter for a month, as a customer sent it.

A successful interval file becomes an act «В ожидании» with its 24 × days values. Staff accept it («Принят»)
or reject it with a reason («Отклонён»); a new file for the same meter and month while the act still waits
replaces it («Заменён»), and an accepted act is final: a correction goes through the customer's curator.
`ConcurrentTransitionMixin` refuses to save an act whose state changed since it was read, so two clerks
deciding at once cannot both win. Every step is a `TransitionLog` row (workflows/services/interval_acts.py).
"""

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from backoffice.readings.interval import IntervalKind
from backoffice.storage import private_storage

DECIDE = "workflows.decide_intervalact"


def upload_path(instance, filename: str) -> str:
    return f"interval-acts/{timezone.now():%Y}/{uuid.uuid4().hex}/{filename}"


class IntervalAct(ConcurrentTransitionMixin, models.Model):
    class State(models.TextChoices):
        WAITING = "waiting", _("В ожидании")
        ACCEPTED = "accepted", _("Принят")
        REJECTED = "rejected", _("Отклонён")
        REPLACED = "replaced", _("Заменён")

    meter = models.ForeignKey(
        "backoffice.Meter", on_delete=models.CASCADE, related_name="interval_acts", verbose_name=_("прибор учёта")
    )
    period = models.DateField(_("период"), help_text=_("Первое число месяца, за который почасовой расход."))
    kind = models.CharField(_("Вид показаний"), max_length=16, choices=IntervalKind.choices, default=IntervalKind.RAW)
    total = models.DecimalField(
        _("Введённый расход"), max_digits=18, decimal_places=4, help_text=_("Сумма значений файла, как в нём.")
    )
    consumption = models.DecimalField(
        _("Расход интервальный, кВт·ч"),
        max_digits=18,
        decimal_places=3,
        help_text=_("С коэффициентом трансформации и потерями, как интегральный «Расход»."),
    )
    state = FSMField(_("статус"), default=State.WAITING, choices=State.choices, protected=True)
    file = models.FileField(_("файл"), storage=private_storage, upload_to=upload_path, max_length=255)
    original_name = models.CharField(_("имя файла"), max_length=255)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("загрузил"),
    )
    source = models.CharField(_("источник"), max_length=20, default="portal")
    created_at = models.DateTimeField(_("загружен"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("решение принял"),
    )
    decided_at = models.DateTimeField(_("дата решения"), null=True, blank=True)
    reason = models.TextField(_("причина отказа"), blank=True)

    class Meta:
        verbose_name = _("первичный акт")
        verbose_name_plural = _("первичные акты")
        ordering = ["-created_at", "-pk"]
        permissions = [("decide_intervalact", _("Может принимать и отклонять первичные акты"))]
        indexes = [models.Index(fields=["meter", "period", "state"]), models.Index(fields=["state", "created_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["meter", "period"], condition=models.Q(state="waiting"), name="interval_act_one_waiting"
            ),
            models.UniqueConstraint(
                fields=["meter", "period"], condition=models.Q(state="accepted"), name="interval_act_one_accepted"
            ),
        ]

    def __str__(self):
        return _("Первичный акт ПУ %(serial)s за %(period)s") % {
            "serial": self.meter.serial,
            "period": self.period.strftime("%m.%Y"),
        }

    @property
    def is_open(self) -> bool:
        return self.state == self.State.WAITING

    def _decided(self, by):
        self.decided_by, self.decided_at = by, timezone.now()

    @transition(field=state, source=State.WAITING, target=State.ACCEPTED, permission=DECIDE)
    def accept(self, *, by):
        self._decided(by)

    @transition(field=state, source=State.WAITING, target=State.REJECTED, permission=DECIDE)
    def reject(self, *, by, reason: str):
        self._decided(by)
        self.reason = reason

    @transition(field=state, source=State.WAITING, target=State.REPLACED)
    def replace(self):
        """A newer file for the same meter and month."""


class IntervalValue(models.Model):
    """The consumption of one hour of an act: `hour` 0 is «00-01», 23 is «23-24»."""

    act = models.ForeignKey(IntervalAct, on_delete=models.CASCADE, related_name="values", verbose_name=_("акт"))
    day = models.DateField(_("дата"))
    hour = models.PositiveSmallIntegerField(_("час"))
    value = models.DecimalField(_("расход"), max_digits=16, decimal_places=4, default=Decimal(0))

    class Meta:
        verbose_name = _("почасовой расход")
        verbose_name_plural = _("почасовой расход")
        ordering = ["day", "hour"]
        constraints = [
            models.UniqueConstraint(fields=["act", "day", "hour"], name="interval_value_once"),
            models.CheckConstraint(condition=models.Q(hour__gte=0, hour__lte=23), name="interval_value_hour_range"),
            models.CheckConstraint(condition=models.Q(value__gte=0), name="interval_value_not_negative"),
        ]

    def __str__(self):
        return f"{self.day:%d.%m.%Y} {self.hour:02d}-{self.hour + 1:02d}: {self.value}"


class ReadingReminder(models.Model):
    """A reminder of F-C5 that was sent, so a beat job run twice (a retry, a restart) tells nobody twice."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("пользователь")
    )
    key = models.CharField(_("что и за какой период"), max_length=100)
    sent_at = models.DateTimeField(_("отправлено"), default=timezone.now)

    class Meta:
        verbose_name = _("напоминание о показаниях")
        verbose_name_plural = _("напоминания о показаниях")
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="reading_reminder_once")]

    def __str__(self):
        return self.key
