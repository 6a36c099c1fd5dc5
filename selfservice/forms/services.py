"""«Отправить заявку» on a service card (F-F2, seed 001 §6.2): the contract or ЛС and the contact person."""

from django import forms
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PhoneNumberField

from .registration import FillInMessagesMixin

CONTRACT, ACCOUNT = "contract", "account"


def owner_label(owner) -> str:
    """«ООО "Т2 Мобайл" (78010000000487)» for a contract, «ЛС 100000001, г. Энергоград, …» for an account."""
    if hasattr(owner, "price_category"):
        return f"{owner.customer.display_name} ({owner.number})"
    return f"ЛС {owner.number}, {owner.address}"


class ServiceOrderForm(FillInMessagesMixin, forms.Form):
    """Договор/ЛС, ФИО контактного лица*, Имейл, Контактный номер телефона*, «Опишите задачу».

    A service that asks only for the contract (`contract_only`) has the first field alone. The contacts come
    prefilled from the profile (seed 001 §6.2, примечание 2).
    """

    owner = forms.ChoiceField(label=_("Договор/ЛС"))
    contact_name = forms.CharField(
        label=_("ФИО контактного лица"), max_length=255, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    email = forms.EmailField(label=_("Имейл"), required=False, widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    phone = PhoneNumberField(
        label=_("Контактный номер телефона"),
        region="RU",
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "placeholder": "+7 912 345-67-89"}),
        error_messages={"invalid": _("Введите номер телефона, например +7 912 345-67-89.")},
    )
    description = forms.CharField(
        label=_("Опишите задачу"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, service, contracts, accounts, user, **kwargs):
        self.owners = {f"{CONTRACT}:{contract.pk}": contract for contract in contracts}
        self.owners |= {f"{ACCOUNT}:{account.pk}": account for account in accounts}
        initial = kwargs.pop("initial", None) or {
            "contact_name": user.get_full_name(),
            "email": user.email,
            "phone": user.phone or None,
        }
        if len(self.owners) == 1:
            initial["owner"] = next(iter(self.owners))
        super().__init__(*args, initial=initial, **kwargs)
        choices = [(key, owner_label(owner)) for key, owner in self.owners.items()]
        self.fields["owner"].choices = choices if len(choices) == 1 else [("", _("Выберите договор или ЛС")), *choices]
        self.fields["owner"].error_messages["invalid_choice"] = _("Выберите договор или лицевой счёт из списка.")
        if service.contract_only:
            for name in ("contact_name", "email", "phone", "description"):
                del self.fields[name]

    def cleaned_owner(self) -> dict:
        """{"contract": …} or {"account": …} for the service."""
        key = self.cleaned_data["owner"]
        kind = CONTRACT if key.startswith(CONTRACT) else ACCOUNT
        return {kind: self.owners[key]}

    def contact_data(self) -> dict:
        data = self.cleaned_data
        return {
            "contact_name": data.get("contact_name", ""),
            "email": data.get("email", ""),
            "phone": str(data["phone"]) if data.get("phone") else "",
            "description": data.get("description", ""),
        }


class OrderFilterForm(forms.Form):
    """«Заказы» (seed 001 §7.4): «наименование договора» and «период оформления заказа»."""

    owner = forms.ChoiceField(label=_("Договор/ЛС"), required=False)
    # the browser's own date picker: it sends and shows ISO dates, and prints them in the user's locale
    date_from = forms.DateField(
        label=_("с"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    date_to = forms.DateField(
        label=_("по"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.owners = owners
        self.fields["owner"].choices = [("", _("Все")), *((key, owner_label(owner)) for key, owner in owners.items())]

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("Дата «по» раньше даты «с»."))
        return data
