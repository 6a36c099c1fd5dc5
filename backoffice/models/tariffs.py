"""Tariffs per customer group and zone, with validity periods («История Тарифов», seed 004)."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting

from .choices import Zone
from .parties import CustomerGroup


class Tariff(models.Model):
    group = models.ForeignKey(
        CustomerGroup, on_delete=models.PROTECT, related_name="tariffs", verbose_name=_("группа потребителей")
    )
    zone = models.CharField(_("зона"), max_length=20, choices=Zone.choices)
    rate = models.DecimalField(
        _("величина тарифа, ₽/кВт·ч"), max_digits=10, decimal_places=4, validators=[MinValueValidator(Decimal("0"))]
    )
    valid_from = models.DateField(_("дата начала действия"))
    valid_to = models.DateField(_("дата окончания действия"), null=True, blank=True)

    class Meta:
        verbose_name = _("тариф")
        verbose_name_plural = _("тарифы")
        ordering = ["group", "zone", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["group", "zone", "valid_from"], name="tariff_one_start_per_zone"),
            models.CheckConstraint(condition=models.Q(rate__gte=0), name="tariff_rate_not_negative"),
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=models.F("valid_from")),
                name="tariff_period_in_order",
                violation_error_message=_("Дата окончания раньше даты начала."),
            ),
            # On PostgreSQL an exclusion constraint also forbids overlapping periods (migration 0002).
        ]

    def __str__(self):
        return f"{self.group} · {self.get_zone_display()} · {self.rate} с {self.valid_from:%d.%m.%Y}"

    def clean(self):
        super().clean()
        if not (self.group_id and self.zone and self.valid_from):
            return
        overlapping = Tariff.objects.filter(group_id=self.group_id, zone=self.zone).exclude(pk=self.pk)
        overlapping = overlapping.filter(models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=self.valid_from))
        if self.valid_to:
            overlapping = overlapping.filter(valid_from__lte=self.valid_to)
        if overlapping.exists():
            raise ValidationError(_("На эти даты у группы уже есть тариф по этой зоне."))


@register_setting(icon="cog")
class BillingSettings(BaseGenericSetting):
    """Company-wide numbers the billing run and the portal use; edited by the billing operator."""

    key_rate_percent = models.DecimalField(
        _("ключевая ставка ЦБ, % годовых"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("16.00"),
        help_text=_("Основа расчёта пени."),
    )
    debt_banner_threshold = models.DecimalField(
        _("показывать баннер о задолженности от, ₽"), max_digits=12, decimal_places=2, default=Decimal("500.00")
    )

    class Meta:
        verbose_name = _("Настройки расчётов")
