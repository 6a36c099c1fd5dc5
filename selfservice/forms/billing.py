"""Forms of the billing screens: «Реквизиты оплаты», the filters of «История», «Отправка файла»."""

import datetime
import re
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backoffice.models.choices import DocumentType
from backoffice.services.acquiring import MAX_AMOUNT

from ..billing_selectors import owner_key, owner_label

NEW_CARD = "new"


def _date_input():
    """<input type="date"> wants ISO dates whatever the language of the page."""
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MoneyField(forms.DecimalField):
    """Roubles as people type them: «1 234,56», «1234.56», «1 234,56 ₽»."""

    default_error_messages = {
        "invalid": _("Введите сумму цифрами, например 1 234,56."),
        "max_decimal_places": _("Не больше двух знаков после запятой."),
        "min_value": _("Сумма должна быть больше нуля."),
        "max_value": _("Сумма слишком большая."),
        "max_digits": _("Сумма слишком большая."),
        "max_whole_digits": _("Сумма слишком большая."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 12)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("min_value", Decimal("0.01"))
        kwargs.setdefault("max_value", MAX_AMOUNT)
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "class": "money-input"})
        )
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            value = re.sub(r"[\s\u00a0\u202f₽]|руб\.?", "", value).replace(",", ".")
        return super().to_python(value)

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            return f"{value:.2f}".replace(".", ",")
        return value


class PaymentForm(forms.Form):
    """«Реквизиты оплаты» (seed 001 §4.2, рис. 9): «Отправить чек на», «К оплате», «Способ оплаты»."""

    receipt_email = forms.EmailField(
        label=_("Отправить чек на"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": _("Укажите e-mail, на который отправить чек."),
            "invalid": _("Введите e-mail, например ivanov@example.ru."),
        },
    )
    amount = MoneyField(label=_("К оплате"), error_messages={"required": _("Введите сумму к оплате.")})
    penalty = MoneyField(label=_("Пени"), required=False, min_value=Decimal("0"))
    method = forms.ChoiceField(label=_("Способ оплаты"))
    save_card = forms.BooleanField(label=_("Сохранить карту для следующих оплат"), required=False)
    agree = forms.BooleanField(
        label=_("Я согласен с условиями оплаты"),
        error_messages={"required": _("Чтобы перейти к оплате, согласитесь с условиями оплаты.")},
    )

    def __init__(self, *args, plan, cards, **kwargs):
        self.plan = plan
        self.cards = {str(card.pk): card for card in cards}
        super().__init__(*args, **kwargs)
        self.fields["method"].choices = [
            *((key, f"{card.brand} {card.masked}".strip()) for key, card in self.cards.items()),
            (NEW_CARD, _("Новая карта")),
        ]
        if plan.amount_fixed:
            amount = self.fields["amount"]
            amount.disabled = True
            amount.help_text = _("Сумма документа не меняется: так платёж зачтётся именно в этот документ.")
        if plan.splits_penalty:
            self.fields["amount"].label = _("Сумма")
            self.fields["amount"].required = False
        else:
            del self.fields["penalty"]
        if plan.mode == "prepayment":
            self.fields["amount"].help_text = _("Сумма будет учтена при расчёте задолженности в следующем месяце.")

    def clean(self):
        data = super().clean()
        both_empty = not (data.get("amount") or data.get("penalty"))
        if self.plan.splits_penalty and "amount" in data and "penalty" in data and both_empty:
            self.add_error("amount", _("Введите сумму к оплате."))
        return data

    @property
    def card(self):
        return self.cards.get(self.cleaned_data.get("method"))


def _month_value(day: datetime.date | None) -> str:
    return f"{day:%Y-%m}" if day else ""


class MonthField(forms.DateField):
    """A month: <input type="month"> sends 2021-01; typed by hand it may be 01.2021."""

    widget = forms.DateInput(attrs={"type": "month", "placeholder": "ММ.ГГГГ"})
    default_error_messages = {"invalid": _("Укажите месяц, например 01.2021.")}

    def to_python(self, value):
        if isinstance(value, str):
            text = value.strip()
            match = re.fullmatch(r"(\d{4})-(\d{1,2})", text) or re.fullmatch(r"(\d{1,2})[./](\d{4})", text)
            if match:
                first, second = match.groups()
                year, month = (int(first), int(second)) if len(first) == 4 else (int(second), int(first))
                try:
                    return datetime.date(year, month, 1)
                except ValueError:
                    raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
            if not text:
                return None
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)

    def prepare_value(self, value):
        if isinstance(value, datetime.date):
            return _month_value(value)
        return value


class OwnerFilterMixin:
    def _owner_choices(self, owners, *, everything_label):
        self.owners = {owner_key(owner): owner for owner in owners}
        self.fields["owner"].choices = [("", everything_label), *((k, owner_label(o)) for k, o in self.owners.items())]

    def clean_owner(self):
        key = self.cleaned_data.get("owner")
        return self.owners.get(key) if key else None


class DocumentFilterForm(OwnerFilterMixin, forms.Form):
    """«Фильтр» of «Документы»: Договор, Период, Тип документа (seed 001 §7.1)."""

    owner = forms.ChoiceField(label=_("Договор"), required=False)
    first = MonthField(label=_("с"), required=False)
    last = MonthField(label=_("по"), required=False)
    type = forms.ChoiceField(label=_("Тип документа"), required=False)

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self._owner_choices(owners, everything_label=_("Все"))
        self.fields["type"].choices = [("", _("Все")), *DocumentType.choices]

    def clean(self):
        data = super().clean()
        if data.get("first") and data.get("last") and data["first"] > data["last"]:
            self.add_error("last", _("Месяц «по» раньше месяца «с»."))
        return data


class PaymentFilterForm(OwnerFilterMixin, forms.Form):
    """«Фильтр» of «Платежи»: Договор and «период совершения платежа» (seed 001 §7.2)."""

    owner = forms.ChoiceField(label=_("Договор"), required=False)
    first = forms.DateField(label=_("с"), required=False, widget=_date_input())
    last = forms.DateField(label=_("по"), required=False, widget=_date_input())

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self._owner_choices(owners, everything_label=_("Все"))

    def clean(self):
        data = super().clean()
        if data.get("first") and data.get("last") and data["first"] > data["last"]:
            self.add_error("last", _("Дата «по» раньше даты «с»."))
        return data


class PeriodForm(forms.Form):
    """«с … по …» and «Применить» of «Информация о действиях абонента» (seed 000 §3.9)."""

    first = forms.DateField(label=_("с"), required=False, widget=_date_input())
    last = forms.DateField(label=_("по"), required=False, widget=_date_input())

    def clean(self):
        data = super().clean()
        if data.get("first") and data.get("last") and data["first"] > data["last"]:
            self.add_error("last", _("Дата «по» раньше даты «с»."))
        return data

    def period(self, *, default_months: int) -> tuple[datetime.date, datetime.date]:
        """The chosen dates, or the last `default_months` months up to today."""
        from backoffice.services.periods import add_months, month_start

        today = timezone.localdate()
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        last = data.get("last") or today
        first = data.get("first") or add_months(month_start(last), 1 - default_months)
        return first, last


class DocumentSendForm(forms.Form):
    """«Отправка файла»: «E-mail *» (seed 001 §7.1, рис. 19)."""

    email = forms.EmailField(
        label=_("E-mail"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": _("Введите адрес электронной почты."),
            "invalid": _("Введите e-mail, например ivanov@example.ru."),
        },
    )
