"""Forms of the staff screens in the admin (F-A7): register a customer, link an account, decide a request.

A personal account is picked by its number, typed as the customer dictates it: the table holds hundreds of
thousands of rows, far too many for a drop-down.
"""

from django import forms
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PhoneNumberField

from backoffice.models import PersonalAccount

from ..models import AccountLink
from ..services.staff import email_in_use

FILL_IN = _("Заполните поле")


class AccountNumberField(forms.CharField):
    """A personal account typed by its number; cleans to the `PersonalAccount` (open or closed: the service judges)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Номер лицевого счёта"))
        kwargs.setdefault("max_length", 12)
        super().__init__(**kwargs)
        self.widget.attrs.update(inputmode="numeric", autocomplete="off", style="max-width: 16em")

    def clean(self, value):
        number = super().clean(value)
        if not number:
            return None
        account = PersonalAccount.objects.filter(number=number).first()
        if account is None:
            raise forms.ValidationError(
                _("Лицевой счёт № %(number)s не найден."), code="not_found", params={"number": number}
            )
        return account


class StaffForm(forms.Form):
    """Empty required fields say «Заполните поле», as everywhere in the portal."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.error_messages["required"] = FILL_IN


def relation_field():
    return forms.ChoiceField(
        label=_("Статус отношения к ЛС"), choices=AccountLink.Relation.choices, initial=AccountLink.Relation.OWNER
    )


class CustomerRegisterForm(StaffForm):
    """«Зарегистрировать клиента»: who the customer is and, if they know it, the account to link."""

    email = forms.EmailField(
        label=_("E-mail"), max_length=254, help_text=_("На него придёт ссылка для задания пароля.")
    )
    last_name = forms.CharField(label=_("Фамилия"), max_length=150)
    first_name = forms.CharField(label=_("Имя"), max_length=150)
    middle_name = forms.CharField(label=_("Отчество"), max_length=150, required=False)
    phone = PhoneNumberField(
        label=_("Телефон"),
        region="RU",
        error_messages={"invalid": _("Введите номер телефона полностью, например +7 912 345-67-89.")},
    )
    account = AccountNumberField(required=False, help_text=_("Необязательно: счёт можно привязать и позже."))
    relation = relation_field()

    def clean_email(self):
        email = self.cleaned_data["email"].lower()
        if email_in_use(email):
            raise forms.ValidationError(_("Пользователь с таким e-mail уже зарегистрирован."), code="taken")
        return email


class AccountLinkForm(StaffForm):
    """«Привязать лицевой счёт» to the customer whose page the clerk came from."""

    account = AccountNumberField()
    relation = relation_field()


class ActivationApproveForm(StaffForm):
    """«Одобрить»: the account found by the typed number, or another one the clerk names."""

    account = AccountNumberField(
        label=_("Подключить другой лицевой счёт"),
        required=False,
        help_text=_("Оставьте пустым, чтобы подключить счёт, указанный в заявке."),
    )


class ActivationRejectForm(StaffForm):
    """«Отклонить»: the reason goes to the customer in the letter."""

    reason = forms.CharField(
        label=_("Причина отказа"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        help_text=_("Клиент получит её в письме."),
    )


class PasswordLinkForm(forms.Form):
    """«Отправить ссылку для смены пароля» asks no questions: the button confirms the clerk meant it."""
