"""The sandbox bank's forms: the card (Luhn, expiry, CVV2), the CVV2 of a saved card, the 3-D Secure code."""

from django import forms
from django.utils import timezone

from .cards import TEST_CARDS, digits_only, luhn_valid

MONTHS = [(f"{month:02d}", f"{month:02d}") for month in range(1, 13)]


def _years():
    this_year = timezone.localdate().year
    return [(str(year), str(year)) for year in range(this_year, this_year + 11)]


class CvvField(forms.CharField):
    def __init__(self, **kwargs):
        super().__init__(
            label="CVV2",
            min_length=3,
            max_length=3,
            help_text="Три цифры с оборотной стороны карты",
            widget=forms.PasswordInput(
                attrs={"inputmode": "numeric", "autocomplete": "cc-csc", "maxlength": 3, "pattern": "[0-9]*"}
            ),
            error_messages={
                "required": "Введите CVV2.",
                "min_length": "CVV2 — три цифры с оборотной стороны карты.",
                "max_length": "CVV2 — три цифры с оборотной стороны карты.",
            },
            **kwargs,
        )

    def clean(self, value):
        value = super().clean(value)
        if not value.isdigit():
            raise forms.ValidationError("CVV2 — три цифры с оборотной стороны карты.")
        return value


class CardForm(forms.Form):
    """«Номер карты», «Месяц / Год», «Имя на карте», «CVV2»; for a card registration also the offer checkbox."""

    number = forms.CharField(
        label="Номер карты",
        max_length=23,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "cc-number", "placeholder": "0000 0000 0000 0000"}
        ),
        error_messages={"required": "Введите номер карты."},
    )
    month = forms.ChoiceField(label="Месяц", choices=MONTHS, error_messages={"required": "Выберите месяц."})
    year = forms.ChoiceField(label="Год", error_messages={"required": "Выберите год."})
    holder = forms.CharField(
        label="Имя на карте",
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "cc-name", "placeholder": "IVAN IVANOV"}),
    )
    cvv = CvvField()
    offer = forms.BooleanField(
        label="С условиями Публичной оферты Банка ознакомлен и принимаю их",
        required=False,
    )

    def __init__(self, *args, registration: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.registration = registration
        self.fields["year"].choices = _years()
        if registration:
            self.fields["holder"].required = True
            self.fields["holder"].error_messages["required"] = "Введите имя латиницей, как на карте."
            self.fields["offer"].required = True
            self.fields["offer"].error_messages["required"] = "Примите условия Публичной оферты Банка."
        else:
            del self.fields["offer"]

    def clean_number(self):
        number = digits_only(self.cleaned_data["number"])
        if not luhn_valid(number):
            raise forms.ValidationError("Неверный номер карты. Проверьте цифры.")
        if number not in TEST_CARDS:
            raise forms.ValidationError("Тестовый банк принимает только тестовые карты: они перечислены ниже.")
        return number

    def clean_holder(self):
        holder = " ".join(self.cleaned_data["holder"].upper().split())
        if holder and not all(ch.isascii() and (ch.isalpha() or ch in " -.'") for ch in holder):
            raise forms.ValidationError("Имя на карте пишется латинскими буквами.")
        return holder

    def clean(self):
        data = super().clean()
        if data.get("month") and data.get("year"):
            today = timezone.localdate()
            if (int(data["year"]), int(data["month"])) < (today.year, today.month):
                self.add_error("month", "Срок действия карты истёк.")
        return data


class SavedCardForm(forms.Form):
    cvv = CvvField()


class AcsForm(forms.Form):
    code = forms.CharField(
        label="Код из SMS",
        max_length=5,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "maxlength": 5, "autofocus": True}
        ),
        error_messages={"required": "Введите код из SMS."},
    )
