"""Checks of Russian identifiers, with messages a clerk understands."""

from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

contract_number = RegexValidator(r"^\d{14}$", _("Номер договора — 14 цифр."))
# The manuals print ЭО codes as the 14-digit contract number plus four digits: 18 in all
# (seed 001: 780100000027780001); FEATURES.md says 16, which cannot hold «number + 4».
energy_object_code = RegexValidator(r"^\d{18}$", _("Код энергообъекта — 18 цифр: номер договора и ещё четыре."))
account_number = RegexValidator(r"^\d{6,12}$", _("Номер лицевого счёта — от 6 до 12 цифр."))
inn = RegexValidator(r"^(\d{10}|\d{12})$", _("ИНН — 10 цифр у организации или 12 у предпринимателя."))
kpp = RegexValidator(r"^\d{9}$", _("КПП — 9 цифр."))
ogrn = RegexValidator(r"^(\d{13}|\d{15})$", _("ОГРН — 13 цифр, ОГРНИП — 15."))
okpo = RegexValidator(r"^(\d{8}|\d{10})$", _("ОКПО — 8 или 10 цифр."))
bik = RegexValidator(r"^\d{9}$", _("БИК — 9 цифр."))
bank_account = RegexValidator(r"^\d{20}$", _("Номер счёта — 20 цифр."))
