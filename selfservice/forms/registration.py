"""«Регистрация», its household variant, the code screen and «Давайте познакомимся» (F-A1…F-A3)."""

from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PhoneNumberField

from backoffice import validators
from workflows.models import ActivationRequest

from ..services.codes import CODE_LENGTH


class FillInMessagesMixin:
    """Every required field left empty says «Заполните поле», as the manuals show (seed 001 §5)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.error_messages["required"] = _("Заполните поле")


class RegistrationForm(FillInMessagesMixin, forms.Form):
    """E-mail, the password twice, «Я принимаю пользовательское соглашение» and the optional advertising consent."""

    email = forms.EmailField(
        label=_("E-mail"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    password1 = forms.CharField(
        label=_("Пароль"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Повторите пароль"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    accept_agreement = forms.BooleanField(label=_("Я принимаю пользовательское соглашение"))
    advertising_consent = forms.BooleanField(
        label=_("Я согласен получать рекламно-информационную рассылку"), required=False
    )

    def __init__(self, *args, agreement_url: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        agreement = self.fields["accept_agreement"]
        agreement.error_messages["required"] = _("Примите пользовательское соглашение, чтобы зарегистрироваться.")
        if agreement_url:
            agreement.label = format_html(
                '{} <a href="{}" target="_blank" rel="noopener">{}</a>',
                _("Я принимаю"),
                agreement_url,
                _("пользовательское соглашение"),
            )

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def clean(self):
        cleaned = super().clean()
        password, again = cleaned.get("password1"), cleaned.get("password2")
        if password and again and password != again:
            self.add_error("password2", _("Пароли не совпадают."))
        if password:
            try:
                validate_password(password, get_user_model()(email=cleaned.get("email", "")))
            except ValidationError as error:
                self.add_error("password1", error)
        return cleaned


def _amount(text: str) -> Decimal | None:
    try:
        return Decimal(text.replace(" ", "").replace("\xa0", "").replace(",", "."))
    except InvalidOperation:
        return None


class HouseholdRegistrationForm(RegistrationForm):
    """Seed 003's variant: ФИО, the personal account and a control question that activates it at once on a match."""

    full_name = forms.CharField(
        label=_("ФИО"), max_length=255, widget=forms.TextInput(attrs={"autocomplete": "name", "autofocus": True})
    )
    account_number = forms.CharField(
        label=_("Номер лицевого счёта"),
        max_length=12,
        validators=[validators.account_number],
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        help_text=_("Указан в квитанции, от 6 до 12 цифр."),
    )
    control = forms.ChoiceField(
        label=_("Контрольный вопрос"),
        choices=ActivationRequest.Control.choices,
        widget=forms.RadioSelect,
        initial=ActivationRequest.Control.LAST_PAYMENT,
    )
    control_answer = forms.CharField(
        label=_("Ответ на контрольный вопрос"),
        max_length=50,
        help_text=_("Сумма последнего платежа в рублях (например, 1 234,56) или номер счётчика с его корпуса."),
    )

    field_order = ["full_name", "account_number", "control", "control_answer", "email"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs.pop("autofocus", None)

    def clean_full_name(self):
        full_name = " ".join(self.cleaned_data["full_name"].split())
        if len(full_name.split()) < 2:
            raise ValidationError(_("Укажите фамилию и имя полностью, например: Петрова Анна Сергеевна."))
        return full_name

    def clean(self):
        cleaned = super().clean()
        answer = cleaned.get("control_answer", "")
        if cleaned.get("control") == ActivationRequest.Control.LAST_PAYMENT and answer and _amount(answer) is None:
            self.add_error("control_answer", _("Введите сумму последнего платежа числом, например 1 234,56."))
        return cleaned


class EmailCodeForm(FillInMessagesMixin, forms.Form):
    """The five digits of «Введите код, отправленный на почту»."""

    code = forms.CharField(
        label=_("Код из письма"),
        max_length=CODE_LENGTH,
        validators=[RegexValidator(rf"^\d{{{CODE_LENGTH}}}$", _("Код состоит из 5 цифр."))],
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "pattern": r"\d*",
                "class": "code-input",
                "autofocus": True,
            }
        ),
    )


class IntroduceForm(FillInMessagesMixin, forms.Form):
    """«Давайте познакомимся»: Фамилия*, Имя*, Отчество, Организация, Должность, Адрес, Телефон* (F-A3)."""

    last_name = forms.CharField(
        label=_("Фамилия"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "family-name"})
    )
    first_name = forms.CharField(
        label=_("Имя"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "given-name"})
    )
    middle_name = forms.CharField(
        label=_("Отчество"),
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "additional-name"}),
    )
    organisation = forms.CharField(
        label=_("Организация"),
        max_length=255,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    position = forms.CharField(
        label=_("Должность"),
        max_length=255,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization-title"}),
    )
    address = forms.CharField(
        label=_("Адрес"),
        max_length=500,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    phone = PhoneNumberField(
        label=_("Телефон"),
        region="RU",
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "placeholder": "+7 912 345-67-89"}),
        error_messages={"invalid": _("Введите номер телефона полностью, например +7 912 345-67-89.")},
    )

    @classmethod
    def for_user(cls, user, data=None):
        """The form prefilled with what the user already told us."""
        return cls(data, initial={name: getattr(user, name) for name in cls.base_fields})
