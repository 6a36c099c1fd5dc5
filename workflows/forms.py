"""The staff's forms for the workflows' steps in the Wagtail admin (the services do the work)."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ServiceOrder


class OrderStepForm(forms.Form):
    """Every step carries the state the clerk's page showed: the service refuses if the order moved meanwhile."""

    seen_state = forms.ChoiceField(choices=ServiceOrder.State.choices, widget=forms.HiddenInput)
    comment = forms.CharField(
        label=_("Комментарий"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class MoneyField(forms.DecimalField):
    """An amount typed as «2 500,50», «2500.50» or «2 500,50 ₽»: spaces and the rouble sign go, «,» is the point."""

    def to_python(self, value):
        if isinstance(value, str):
            value = value.replace("\u00a0", "").replace(" ", "").replace("₽", "").replace(",", ".")
        return super().to_python(value)


class OrderInvoiceForm(OrderStepForm):
    amount = MoneyField(
        label=_("Сумма счёта, ₽"),
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.01"),
        help_text=_("С НДС. Счёт появится у клиента в «Документах» и в задолженности."),
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        error_messages={
            "min_value": _("Сумма счёта должна быть больше нуля."),
            "invalid": _("Введите сумму числом, например 2 150,90."),
        },
    )
    field_order = ["amount", "comment", "seen_state"]


class OrderCancelForm(OrderStepForm):
    comment = None
    reason = forms.CharField(
        label=_("Причина отмены"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Её прочитает клиент."),
        error_messages={"required": _("Укажите причину отмены: её получит клиент.")},
    )
