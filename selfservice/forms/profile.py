"""Forms of «Профиль» (F-A6): «Личные данные» block by block, contacts, the e-mail and phone changes, deletion."""

import copy
from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext_lazy as _

from .registration import FillInMessagesMixin, IntroduceForm
from .signin import CodeForm, ImageCaptchaField


@dataclass(frozen=True)
class Section:
    """One line of «Личные данные» that is edited in place: its label and the user fields behind it."""

    label: str
    fields: tuple[str, ...]


# Seed 001 рис. 102: «ФИО», «Организация», «Должность», «Адрес».
SECTIONS = {
    "name": Section(_("ФИО"), ("last_name", "first_name", "middle_name")),
    "organisation": Section(_("Организация"), ("organisation",)),
    "position": Section(_("Должность"), ("position",)),
    "address": Section(_("Адрес"), ("address",)),
}


class PersonalDataForm(FillInMessagesMixin, forms.Form):
    """One section of «Личные данные»; its fields are those of «Давайте познакомимся», so both check alike.

    Each section has its own prefix, so the four small forms can share the page.
    """

    def __init__(self, data=None, *, section: str, user):
        self.section = SECTIONS[section]
        self.base_fields = {name: copy.deepcopy(IntroduceForm.base_fields[name]) for name in self.section.fields}
        initial = {name: getattr(user, name) for name in self.section.fields}
        super().__init__(data, initial=initial, prefix=section)
        for field in self.fields.values():
            field.widget.attrs.pop("autofocus", None)


class ContactSettingsForm(forms.Form):
    """«Уведомления»: the advertising consent given at registration, switched on or off (seed 001 §13.1.5)."""

    advertising_consent = forms.BooleanField(label=_("Рекламная рассылка"), required=False)


class SecuritySettingsForm(forms.Form):
    """«Двухфакторная аутентификация» (seed 001 §13.1.6)."""

    confirm_new_devices = forms.BooleanField(
        label=_("Запрашивать подтверждение при входе с нового устройства/браузера"),
        required=False,
        help_text=_("При входе из незнакомого браузера на ваш e-mail придёт код, без него вход не завершится."),
    )


class PasswordCheckMixin:
    """A field «Текущий пароль» that must match: the change is made by the owner, not by whoever found the tab."""

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("Неверный пароль"), code="password")
        return password


def _password_field(label):
    return forms.CharField(
        label=label, strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class EmailChangeForm(PasswordCheckMixin, FillInMessagesMixin, forms.Form):
    """«Изменение адреса эл. почты» (seed 000 рис. 27): the new address and the password."""

    email = forms.EmailField(
        label=_("E-mail учетной записи"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    password = _password_field(_("Текущий пароль"))

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()


class PhoneChangeForm(FillInMessagesMixin, forms.Form):
    """«Изменение номера телефона» (seed 000 рис. 29, 31): the number and, after repeated changes, the picture."""

    phone = copy.deepcopy(IntroduceForm.base_fields["phone"])

    def __init__(self, *args, captcha: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phone"].label = _("Номер телефона")
        self.fields["phone"].widget.attrs["autofocus"] = True
        if captcha:
            self.fields["captcha"] = ImageCaptchaField()


class ResendForm(forms.Form):
    """«Отправить ещё раз»; for the phone, after repeated changes, with the picture (seed 000 рис. 31)."""

    def __init__(self, *args, captcha: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if captcha:
            self.fields["captcha"] = ImageCaptchaField()


class SmsCodeForm(CodeForm):
    """«Код подтверждения» from the SMS."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].label = _("Код подтверждения")
        self.fields["code"].error_messages["invalid"] = _("Введите пять цифр из СМС.")


class AccountDeleteForm(PasswordCheckMixin, FillInMessagesMixin, forms.Form):
    """«Удалить аккаунт» (seed 001 §13.1.4): the password and an explicit «I understand»."""

    password = _password_field(_("Пароль"))
    understood = forms.BooleanField(
        label=_("Я понимаю, что личный кабинет будет удалён и войти в него будет нельзя"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["understood"].error_messages["required"] = _("Подтвердите, что понимаете последствия удаления.")
