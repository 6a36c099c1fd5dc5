"""Energy objects, metering points, meters and their readings."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .. import validators
from .accounts import Contract, PersonalAccount
from .choices import ZONES_OF, MeterStatus, Quantity, ReadingKind, ReadingSource, ReadingStatus, Zone, ZoneSet


class EnergyObject(models.Model):
    """ЭО: a site supplied under a contract; its code is the contract number plus four digits."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Действующий")
        DISCONNECTED = "disconnected", _("Отключён")
        CLOSED = "closed", _("Исключён из договора")

    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="energy_objects", verbose_name=_("договор")
    )
    code = models.CharField(_("код ЭО"), max_length=18, unique=True, validators=[validators.energy_object_code])
    name = models.CharField(_("наименование ЭО"), max_length=255)
    address = models.CharField(_("адрес"), max_length=500, blank=True)
    status = models.CharField(_("статус ЭО"), max_length=20, choices=Status.choices, default=Status.ACTIVE)

    class Meta:
        verbose_name = _("энергообъект")
        verbose_name_plural = _("энергообъекты")
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.name}"

    def clean(self):
        super().clean()
        if self.contract_id and self.code and not self.code.startswith(self.contract.number):
            raise ValidationError(
                {"code": _("Код ЭО начинается с номера договора %(number)s.") % {"number": self.contract.number}}
            )


class MeteringPoint(models.Model):
    """ИК (измерительный комплекс): where a meter measures, with the ratio and the losses billing applies."""

    energy_object = models.ForeignKey(
        EnergyObject, on_delete=models.CASCADE, related_name="metering_points", verbose_name=_("энергообъект")
    )
    name = models.CharField(_("наименование ИК"), max_length=255)
    transformation_ratio = models.DecimalField(
        _("коэффициент трансформации"),
        max_digits=10,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    losses_percent = models.DecimalField(
        _("потери, %"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("99.99"))],
    )

    class Meta:
        verbose_name = _("измерительный комплекс")
        verbose_name_plural = _("измерительные комплексы")
        ordering = ["energy_object", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(transformation_ratio__gt=0), name="metering_point_ratio_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(losses_percent__gte=0, losses_percent__lt=100), name="metering_point_losses_range"
            ),
        ]

    def __str__(self):
        return self.name


class Meter(models.Model):
    """ПУ: counts energy per zone for a household account or at an organisation's metering point."""

    serial = models.CharField(_("номер ПУ"), max_length=50, unique=True)
    model = models.CharField(_("модель ПУ"), max_length=255)
    account = models.ForeignKey(
        PersonalAccount,
        on_delete=models.CASCADE,
        related_name="meters",
        verbose_name=_("лицевой счёт"),
        null=True,
        blank=True,
    )
    metering_point = models.ForeignKey(
        MeteringPoint,
        on_delete=models.CASCADE,
        related_name="meters",
        verbose_name=_("измерительный комплекс"),
        null=True,
        blank=True,
    )
    zone_set = models.CharField(_("тарифность"), max_length=10, choices=ZoneSet.choices, default=ZoneSet.SINGLE)
    quantities = models.JSONField(
        _("измеряемые величины"), default=list, blank=True, help_text=_('Например ["A+", "A-"]; пусто — только А+.')
    )
    digits_integer = models.PositiveSmallIntegerField(
        _("разрядов до запятой"), default=6, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    digits_fraction = models.PositiveSmallIntegerField(
        _("разрядов после запятой"), default=2, validators=[MaxValueValidator(4)]
    )
    installed_on = models.DateField(_("дата установки"), null=True, blank=True)
    verified_on = models.DateField(_("дата поверки"), null=True, blank=True)
    verification_interval_years = models.PositiveSmallIntegerField(_("межповерочный интервал, лет"), default=16)
    verification_due_on = models.DateField(_("дата окончания МПИ"), null=True, blank=True)
    place = models.CharField(_("место установки"), max_length=255, blank=True)
    owner = models.CharField(_("владелец"), max_length=255, default="Абонент")
    responsible_person = models.CharField(_("ответственный за эксплуатацию"), max_length=255, blank=True)
    accuracy_class = models.CharField(_("класс точности"), max_length=20, blank=True)
    rated_current = models.CharField(_("ток"), max_length=20, blank=True)
    voltage = models.CharField(_("напряжение"), max_length=20, blank=True)
    status = models.CharField(_("статус"), max_length=20, choices=MeterStatus.choices, default=MeterStatus.WAITING)

    class Meta:
        verbose_name = _("прибор учёта")
        verbose_name_plural = _("приборы учёта")
        ordering = ["serial"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(account__isnull=False, metering_point__isnull=True)
                | models.Q(account__isnull=True, metering_point__isnull=False),
                name="meter_on_account_or_metering_point",
                violation_error_message=_("Прибор учёта стоит либо на лицевом счёте, либо на измерительном комплексе."),
            ),
        ]

    def __str__(self):
        return f"{self.model} №{self.serial}"

    @property
    def zones(self) -> tuple[str, ...]:
        return ZONES_OF[ZoneSet(self.zone_set)]

    @property
    def measured(self) -> list[str]:
        return self.quantities or [Quantity.ACTIVE_IN]

    @property
    def capacity_text(self) -> str:
        """«Значность» as the manuals write it: 6,2."""
        return f"{self.digits_integer},{self.digits_fraction}"

    @property
    def rollover(self) -> Decimal:
        """The value after which the register starts again from zero."""
        return Decimal(10) ** self.digits_integer

    @property
    def max_value(self) -> Decimal:
        return self.rollover - Decimal(1).scaleb(-self.digits_fraction)

    @property
    def ratio(self) -> Decimal:
        return self.metering_point.transformation_ratio if self.metering_point_id else Decimal(1)

    @property
    def losses_percent(self) -> Decimal:
        return self.metering_point.losses_percent if self.metering_point_id else Decimal(0)


class Reading(models.Model):
    """One register value of a meter on a date, for one zone and quantity."""

    meter = models.ForeignKey(Meter, on_delete=models.CASCADE, related_name="readings", verbose_name=_("прибор учёта"))
    zone = models.CharField(_("зона"), max_length=20, choices=Zone.choices, default=Zone.ROUND_THE_CLOCK)
    quantity = models.CharField(_("величина"), max_length=2, choices=Quantity.choices, default=Quantity.ACTIVE_IN)
    value = models.DecimalField(_("показание"), max_digits=16, decimal_places=4, validators=[MinValueValidator(0)])
    taken_on = models.DateField(_("дата показаний"))
    kind = models.CharField(_("тип"), max_length=20, choices=ReadingKind.choices, default=ReadingKind.DECLARED)
    source = models.CharField(_("источник"), max_length=20, choices=ReadingSource.choices, default=ReadingSource.PORTAL)
    status = models.CharField(_("статус"), max_length=20, choices=ReadingStatus.choices, default=ReadingStatus.ACCEPTED)
    billed_period = models.DateField(_("учтены в счёте за"), null=True, blank=True)
    reason = models.TextField(_("причина большого расхода"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("передал"),
    )
    created_at = models.DateTimeField(_("принято"), auto_now_add=True)

    class Meta:
        verbose_name = _("показание")
        verbose_name_plural = _("показания")
        ordering = ["-taken_on", "meter", "zone"]
        constraints = [
            models.UniqueConstraint(fields=["meter", "zone", "quantity", "taken_on"], name="reading_one_per_date"),
            models.CheckConstraint(condition=models.Q(value__gte=0), name="reading_value_not_negative"),
        ]
        indexes = [
            models.Index(fields=["meter", "quantity", "zone", "-taken_on"]),
            # The readings of a month, as the admin dashboard and the readings report count them: accepted ones by
            # date, with the kind to leave out estimates, without reading the table.
            models.Index(
                fields=["taken_on", "meter"],
                include=["kind"],
                condition=models.Q(status="accepted"),
                name="reading_accepted_by_date",
            ),
        ]

    def __str__(self):
        return f"{self.meter.serial} {self.get_zone_display()} {self.value} ({self.taken_on:%d.%m.%Y})"

    def clean(self):
        super().clean()
        if self.meter_id and self.value is not None:
            meter = self.meter
            if self.value > meter.max_value:
                raise ValidationError(
                    {
                        "value": _("Показание не помещается в счётчик значностью %(capacity)s.")
                        % {"capacity": meter.capacity_text}
                    }
                )
            if self.value != round(self.value, meter.digits_fraction):
                raise ValidationError(
                    {"value": _("После запятой не больше %(n)s знаков.") % {"n": meter.digits_fraction}}
                )
            if self.zone and self.zone not in meter.zones:
                raise ValidationError({"zone": _("У этого прибора учёта нет такой зоны.")})
