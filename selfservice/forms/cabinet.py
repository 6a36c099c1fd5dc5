"""The forms of the cabinet: ЛС (F-B1), contracts (F-B2), roles (F-B4) and «Запросить доступ» (F-B5)."""

from django import forms
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from backoffice import validators
from backoffice.models import PersonalAccount
from backoffice.models.accounts import DEFAULT_SUPPLIER
from backoffice.uploads import ALLOWED_LABEL, MAX_ATTACHMENT_BYTES, attachment_validate
from workflows.models import ActivationRequest

from ..models import AccountLink, ContractRole
from ..services.roles import ASSIGNABLE_ROLES
from .registration import FillInMessagesMixin, _amount

SUPPLIERS_CACHE_KEY = "selfservice:suppliers"


def supplier_choices() -> list[tuple[str, str]]:
    """«Поставщик*»: the suppliers the accounts are with (read from the accounts, cached for an hour)."""
    suppliers = cache.get(SUPPLIERS_CACHE_KEY)
    if suppliers is None:
        suppliers = sorted(
            set(PersonalAccount.objects.order_by().values_list("supplier", flat=True).distinct()) | {DEFAULT_SUPPLIER}
        )
        cache.set(SUPPLIERS_CACHE_KEY, suppliers, 60 * 60)
    return [(supplier, supplier) for supplier in suppliers]


class AccountAddForm(FillInMessagesMixin, forms.Form):
    """«Подключить лицевой счет» (seed 004 §4.1), with the control question on the same screen."""

    supplier = forms.ChoiceField(label=_("Поставщик"))
    number = forms.CharField(
        label=_("Номер лицевого счета"),
        max_length=12,
        validators=[validators.account_number],
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "autofocus": True}),
        help_text=_("Указан в квитанции, от 6 до 12 цифр."),
    )
    relation = forms.ChoiceField(
        label=_("Статус отношения к ЛС"), choices=AccountLink.Relation.choices, initial=AccountLink.Relation.OWNER
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
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text=_("Сумма последнего платежа в рублях (например, 1 234,56) или номер счётчика с его корпуса."),
    )
    paperless = forms.BooleanField(
        label=_("Я согласен получать счета по e-mail и отказываюсь от получения бумажных счетов."), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supplier"].choices = supplier_choices()
        self.fields["supplier"].initial = DEFAULT_SUPPLIER

    def clean_number(self):
        return self.cleaned_data["number"].strip()

    def clean(self):
        cleaned = super().clean()
        answer = cleaned.get("control_answer", "")
        if cleaned.get("control") == ActivationRequest.Control.LAST_PAYMENT and answer and _amount(answer) is None:
            self.add_error("control_answer", _("Введите сумму последнего платежа числом, например 1 234,56."))
        return cleaned


class AccountLinkForm(forms.ModelForm):
    """Group and note of one ЛС in the cabinet («Введите заметку», seed 004)."""

    class Meta:
        model = AccountLink
        fields = ["group", "note"]
        labels = {"group": _("Группа"), "note": _("Заметка")}
        widgets = {
            "group": forms.TextInput(attrs={"list": "account-groups", "placeholder": _("Например, Дача")}),
            "note": forms.TextInput(attrs={"placeholder": _("Введите заметку")}),
        }


class ContractBindForm(FillInMessagesMixin, forms.Form):
    """«Новый договор»: Номер договора*, Электронная почта* (seed 001 §4.3, рис. 10)."""

    number = forms.CharField(
        label=_("Номер договора"),
        max_length=14,
        min_length=14,
        validators=[validators.contract_number],
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "autofocus": True}),
        help_text=_("14 цифр, как в договоре энергоснабжения."),
        error_messages={"min_length": _("Номер договора — 14 цифр.")},
    )
    email = forms.EmailField(
        label=_("Электронная почта"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=_("Адрес из раздела «Реквизиты сторон» договора или дополнительных соглашений к нему."),
    )

    def clean_number(self):
        return self.cleaned_data["number"].strip()


class EnergyObjectChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} · {obj.name}"


class RoleAssignForm(FillInMessagesMixin, forms.Form):
    """«Добавить роль»: Роль*, E-mail*, Энергообъект* (seed 001 §13.2.1.4, рис. 111)."""

    role = forms.ChoiceField(
        label=_("Роль"), choices=[("", "—")] + [(role, ContractRole.Role(role).label) for role in ASSIGNABLE_ROLES]
    )
    email = forms.EmailField(label=_("E-mail"), widget=forms.EmailInput(attrs={"autocomplete": "off"}))
    energy_objects = EnergyObjectChoiceField(
        label=_("Энергообъект"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "choice-list"}),
        error_messages={"required": _("Выберите хотя бы один энергообъект.")},
    )

    def __init__(self, *args, contract, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["energy_objects"].queryset = contract.energy_objects.order_by("code")
        if not self.is_bound:
            self.initial["energy_objects"] = list(contract.energy_objects.values_list("pk", flat=True))
        self.fields["energy_objects"].error_messages["required"] = _("Выберите хотя бы один энергообъект.")


class AttachmentField(forms.FileField):
    """One file, checked by its content (backoffice/uploads.py)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "help_text",
            _("%(types)s, до %(size)s МБ.") % {"types": ALLOWED_LABEL, "size": MAX_ATTACHMENT_BYTES // (1024 * 1024)},
        )
        kwargs.setdefault("widget", forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        file = super().clean(data, initial)
        if file:
            attachment_validate(file)
        return file


class AccessRequestForm(FillInMessagesMixin, forms.Form):
    """«Направить обращение» for the Администратор role (seed 001 §13.2.1.3)."""

    text = forms.CharField(
        label=_("Текст обращения"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Кто вы в организации и почему вам нужна роль «Администратор». До 2000 символов."),
    )
    file = AttachmentField(label=_("Доверенность или другой документ"))


class AccessReplyForm(FillInMessagesMixin, forms.Form):
    text = forms.CharField(label=_("Сообщение"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    file = AttachmentField(label=_("Файл"))
