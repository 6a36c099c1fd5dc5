"""The supplier's own requisites: printed on every document and encoded in payment QR codes."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting

from .. import validators


@register_setting(icon="form")
class SupplierRequisites(BaseGenericSetting):
    full_name = models.CharField(_("полное наименование"), max_length=500, default="Акционерное общество «Энергосбыт»")
    short_name = models.CharField(_("краткое наименование"), max_length=255, default="АО «Энергосбыт»")
    inn = models.CharField(_("ИНН"), max_length=12, default="7800000000", validators=[validators.inn])
    kpp = models.CharField(_("КПП"), max_length=9, default="780001001", validators=[validators.kpp])
    ogrn = models.CharField(_("ОГРН"), max_length=15, default="1027800000000", validators=[validators.ogrn])
    legal_address = models.CharField(
        _("юридический адрес"), max_length=500, default="190000, г. Энергоград, ул. Ленина, д. 1"
    )
    bank_name = models.CharField(_("банк"), max_length=255, default="ПАО «Демо-Банк»")
    bik = models.CharField(_("БИК"), max_length=9, default="044000000", validators=[validators.bik])
    bank_account = models.CharField(
        _("расчётный счёт"), max_length=20, default="40702810000000000001", validators=[validators.bank_account]
    )
    correspondent_account = models.CharField(
        _("корреспондентский счёт"), max_length=20, default="30101810000000000000", validators=[validators.bank_account]
    )
    director = models.CharField(_("руководитель"), max_length=255, default="Иванов И. И.")
    chief_accountant = models.CharField(_("главный бухгалтер"), max_length=255, default="Петрова П. П.")
    vat_percent = models.DecimalField(_("ставка НДС, %"), max_digits=5, decimal_places=2, default=20)

    class Meta:
        verbose_name = _("Реквизиты поставщика")
