"""Who the company serves and who serves them: branches, curators, customer groups, customers."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from .. import validators
from .choices import CustomerKind


class Branch(models.Model):
    """Отделение: the office that serves a contract or an account (contacts of F-H5)."""

    name = models.CharField(_("название"), max_length=255, unique=True)
    head = models.CharField(_("начальник отделения"), max_length=255, blank=True)
    phone = models.CharField(_("телефон"), max_length=50, blank=True)
    address = models.CharField(_("адрес"), max_length=500, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)

    class Meta:
        verbose_name = _("отделение")
        verbose_name_plural = _("отделения")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Curator(models.Model):
    """The company's employee who looks after an organisation's contract."""

    full_name = models.CharField(_("ФИО"), max_length=255)
    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="curators", verbose_name=_("отделение"))
    phone = models.CharField(_("телефон"), max_length=50, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)

    class Meta:
        verbose_name = _("куратор")
        verbose_name_plural = _("кураторы")
        ordering = ["full_name"]

    def __str__(self):
        return self.full_name


class CustomerGroup(models.Model):
    """A tariff group: it decides the tariffs, the reading window, the due day, estimates and penalties."""

    code = models.SlugField(_("код"), max_length=50, unique=True)
    name = models.CharField(_("название"), max_length=255)
    customer_kind = models.CharField(_("тип клиентов"), max_length=20, choices=CustomerKind.choices)
    window_start_day = models.PositiveSmallIntegerField(
        _("приём показаний с (число)"), default=15, validators=[MinValueValidator(1), MaxValueValidator(28)]
    )
    window_end_day = models.PositiveSmallIntegerField(
        _("приём показаний по (число)"), default=26, validators=[MinValueValidator(1), MaxValueValidator(31)]
    )
    window_ends_next_month = models.BooleanField(
        _("окончание в следующем месяце"),
        default=False,
        help_text=_("Для юридических лиц: с 1-го числа месяца по 21-е следующего."),
    )
    payment_due_day = models.PositiveSmallIntegerField(
        _("оплатить до (число следующего месяца)"), default=10, validators=[MinValueValidator(1), MaxValueValidator(28)]
    )
    norm_kwh_per_month = models.DecimalField(
        _("норматив, кВт·ч в месяц"),
        max_digits=10,
        decimal_places=2,
        default=Decimal("100"),
        validators=[MinValueValidator(0)],
        help_text=_("Начисляется, когда нет ни показаний, ни истории потребления за три периода."),
    )
    norm_per_resident = models.BooleanField(_("норматив на каждого проживающего"), default=True)
    penalty_grace_days = models.PositiveSmallIntegerField(_("пени начисляются после просрочки, дней"), default=30)
    penalty_rate_denominator = models.PositiveSmallIntegerField(
        _("доля ключевой ставки в день, 1/N"),
        default=300,
        validators=[MinValueValidator(1)],
        help_text=_("300 — одна трёхсотая ставки за день, 130 — одна стосорокатая."),
    )

    class Meta:
        verbose_name = _("группа потребителей")
        verbose_name_plural = _("группы потребителей")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Customer(models.Model):
    """A person (household) or an organisation, with requisites as in «Реквизиты сторон»."""

    kind = models.CharField(_("тип"), max_length=20, choices=CustomerKind.choices)
    group = models.ForeignKey(
        CustomerGroup, on_delete=models.PROTECT, related_name="customers", verbose_name=_("группа потребителей")
    )
    # A person
    last_name = models.CharField(_("фамилия"), max_length=150, blank=True)
    first_name = models.CharField(_("имя"), max_length=150, blank=True)
    middle_name = models.CharField(_("отчество"), max_length=150, blank=True)
    # An organisation
    full_name = models.CharField(_("полное наименование"), max_length=500, blank=True)
    short_name = models.CharField(_("краткое наименование"), max_length=255, blank=True)
    inn = models.CharField(_("ИНН"), max_length=12, blank=True, validators=[validators.inn])
    kpp = models.CharField(_("КПП"), max_length=9, blank=True, validators=[validators.kpp])
    ogrn = models.CharField(_("ОГРН/ОГРНИП"), max_length=15, blank=True, validators=[validators.ogrn])
    okpo = models.CharField(_("ОКПО"), max_length=10, blank=True, validators=[validators.okpo])
    legal_address = models.CharField(_("юридический адрес"), max_length=500, blank=True)
    postal_address = models.CharField(_("почтовый адрес"), max_length=500, blank=True)
    bank_name = models.CharField(_("банк"), max_length=255, blank=True)
    bik = models.CharField(_("БИК"), max_length=9, blank=True, validators=[validators.bik])
    bank_account = models.CharField(
        _("расчётный счёт"), max_length=20, blank=True, validators=[validators.bank_account]
    )
    correspondent_account = models.CharField(
        _("корреспондентский счёт"), max_length=20, blank=True, validators=[validators.bank_account]
    )
    # Both
    phone = PhoneNumberField(_("телефон"), blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    created_at = models.DateTimeField(_("создан"), auto_now_add=True)

    class Meta:
        verbose_name = _("клиент")
        verbose_name_plural = _("клиенты")
        ordering = ["full_name", "last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(fields=["inn", "kpp"], condition=~models.Q(inn=""), name="customer_inn_kpp_unique"),
            models.CheckConstraint(
                condition=models.Q(kind=CustomerKind.PERSON, last_name__gt="")
                | models.Q(kind=CustomerKind.ORGANISATION, full_name__gt="", inn__gt=""),
                name="customer_has_a_name",
                violation_error_message=_("Укажите фамилию человека или наименование и ИНН организации."),
            ),
        ]
        indexes = [models.Index(fields=["inn"]), models.Index(fields=["last_name", "first_name"])]

    def __str__(self):
        return self.display_name

    @property
    def is_organisation(self) -> bool:
        return self.kind == CustomerKind.ORGANISATION

    @property
    def display_name(self) -> str:
        if self.is_organisation:
            return self.short_name or self.full_name
        return " ".join(part for part in (self.last_name, self.first_name, self.middle_name) if part)
