"""What a customer is billed on: household personal accounts (ЛС) and organisations' contracts."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .. import validators
from ..storage import private_storage
from .choices import CookerType, PriceCategory
from .parties import Branch, Curator, Customer

DEFAULT_SUPPLIER = "АО «Энергосбыт»"


class PersonalAccount(models.Model):
    """Лицевой счёт of a household, with the premises data of «Реквизиты ЛС» (seed 004) and seed 000 §3.7."""

    number = models.CharField(_("номер ЛС"), max_length=12, unique=True, validators=[validators.account_number])
    supplier = models.CharField(_("поставщик"), max_length=255, default=DEFAULT_SUPPLIER)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="accounts", verbose_name=_("абонент"))
    branch = models.ForeignKey(
        Branch, on_delete=models.PROTECT, related_name="accounts", verbose_name=_("отделение"), null=True, blank=True
    )
    address = models.CharField(_("адрес"), max_length=500)
    total_area = models.DecimalField(_("общая площадь, м²"), max_digits=8, decimal_places=2, null=True, blank=True)
    living_area = models.DecimalField(_("жилая площадь, м²"), max_digits=8, decimal_places=2, null=True, blank=True)
    rooms = models.PositiveSmallIntegerField(_("комнат"), null=True, blank=True)
    residents = models.PositiveSmallIntegerField(_("проживающих"), default=1)
    registered = models.PositiveSmallIntegerField(_("прописанных"), null=True, blank=True)
    cooker = models.CharField(_("тип плиты"), max_length=20, choices=CookerType.choices, default=CookerType.GAS)
    has_written_contract = models.BooleanField(_("письменный договор"), default=False)
    opened_on = models.DateField(_("открыт"), null=True, blank=True)
    closed_on = models.DateField(_("закрыт"), null=True, blank=True)

    class Meta:
        verbose_name = _("лицевой счёт")
        verbose_name_plural = _("лицевые счета")
        ordering = ["number"]

    def __str__(self):
        return f"ЛС {self.number}"


class Contract(models.Model):
    """Договор энергоснабжения of an organisation."""

    number = models.CharField(_("номер договора"), max_length=14, unique=True, validators=[validators.contract_number])
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="contracts", verbose_name=_("организация")
    )
    signed_on = models.DateField(_("дата заключения"), null=True, blank=True)
    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="contracts", verbose_name=_("отделение"))
    curator = models.ForeignKey(
        Curator, on_delete=models.SET_NULL, related_name="contracts", verbose_name=_("куратор"), null=True, blank=True
    )
    price_category = models.PositiveSmallIntegerField(
        _("ценовая категория"), choices=PriceCategory.choices, default=PriceCategory.I
    )
    is_active = models.BooleanField(_("действует"), default=True)

    class Meta:
        verbose_name = _("договор")
        verbose_name_plural = _("договоры")
        ordering = ["number"]
        # What a portal user may do with one contract, granted per object (django-guardian) from the user's
        # role (F-B3); the portal's access layer maps roles to these in one place.
        permissions = [
            ("send_readings", _("Передача показаний по договору")),
            ("view_readings", _("История показаний по договору")),
            ("view_debt", _("Неоплаченные документы, задолженность, график счетов и оплат")),
            ("view_billing_history", _("История платежей и документов по договору")),
            ("pay_contract", _("Оплата по договору")),
            ("manage_roles", _("Назначение и удаление ролей по договору")),
            ("all_energy_objects", _("Все энергообъекты договора")),
        ]

    def __str__(self):
        return f"Договор № {self.number}"


class ContractEmail(models.Model):
    """An e-mail written in the contract; binding a contract in the portal must name one of them (F-B2)."""

    class Source(models.TextChoices):
        REQUISITES = "requisites", _("Реквизиты сторон")
        SUPPLEMENT = "supplement", _("Дополнительное соглашение")

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="emails", verbose_name=_("договор"))
    email = models.EmailField(_("e-mail"))
    source = models.CharField(_("где указан"), max_length=20, choices=Source.choices, default=Source.REQUISITES)
    agreement = models.CharField(_("соглашение"), max_length=100, blank=True, help_text=_("Номер и дата соглашения."))

    class Meta:
        verbose_name = _("e-mail договора")
        verbose_name_plural = _("e-mail договора")
        constraints = [models.UniqueConstraint(fields=["contract", "email"], name="contract_email_unique")]

    def __str__(self):
        return self.email

    def save(self, *args, **kwargs):
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)


class ContractAttachment(models.Model):
    """A scan that belongs to the contract (the contract itself, supplements); served only through checked views."""

    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("договор")
    )
    title = models.CharField(_("название"), max_length=255)
    file = models.FileField(_("файл"), storage=private_storage, upload_to="contracts/%Y/")
    uploaded_at = models.DateTimeField(_("загружен"), auto_now_add=True)

    class Meta:
        verbose_name = _("вложение договора")
        verbose_name_plural = _("вложения договора")
        ordering = ["-uploaded_at"]

    def __str__(self):
        return self.title
