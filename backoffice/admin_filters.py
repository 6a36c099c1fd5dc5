"""Filters of the back-office listings in the Wagtail admin, and the «ММ.ГГГГ» period field they share.

The listings are declared in `backoffice.wagtail_hooks.catalog`; a plain `list_filter` is enough
where Wagtail's generated filters fit. The FilterSets here add what it cannot generate: billing
periods typed as «01.2020», date ranges, «лицевой счёт or договор», open/closed, debt/overpayment.
Only small reference tables (branches, groups, curators, billing runs) become drop-downs; the big
ones (customers, meters) are reached through the search box instead.
"""

import datetime
import re

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.admin.active_filters import BaseFilterAdapter, register_filter_adapter_class
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.widgets import AdminDateInput, BooleanRadioSelect

from .models import (
    Balance,
    BillingRun,
    Branch,
    Contract,
    Customer,
    Document,
    EnergyObject,
    ImportJob,
    Meter,
    Payment,
    PersonalAccount,
    Reading,
    Tariff,
)
from .services.periods import period_title

PERIOD_RE = re.compile(r"^\s*(\d{1,2})\s*[./-]\s*(\d{4})\s*$")


class PeriodField(forms.CharField):
    """A billing period typed as «01.2020» (or «1.2020»), cleaned to the first day of that month."""

    default_error_messages = {
        "invalid": _("Введите период в формате ММ.ГГГГ, например 01.2020."),
        "month": _("Месяц — число от 01 до 12."),
    }

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("maxlength", "10")  # not max_length: the cleaned value is a date
        self.widget.attrs.setdefault("placeholder", _("ММ.ГГГГ"))
        self.widget.attrs.setdefault("inputmode", "numeric")
        self.widget.attrs.setdefault("autocomplete", "off")
        self.widget.attrs.setdefault("style", "max-width: 12em")  # seven characters, not a full-width box

    def prepare_value(self, value):
        if isinstance(value, datetime.date):
            return value.strftime("%m.%Y")
        return value

    def to_python(self, value):
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        match = PERIOD_RE.match(text)
        if not match:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        month, year = int(match.group(1)), int(match.group(2))
        if not 1 <= month <= 12:
            raise forms.ValidationError(self.error_messages["month"], code="month")
        if year < 1900:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return datetime.date(year, month, 1)


class PeriodFilter(django_filters.Filter):
    """Documents, runs and readings «за период»: the `period` column holds the month's first day."""

    field_class = PeriodField


class PeriodFilterAdapter(BaseFilterAdapter):
    """Shows an active period filter as «январь 2020» rather than «2020-01-01»."""

    def get_active_filters(self):
        for active in super().get_active_filters():
            yield active._replace(value=period_title(self.value))


register_filter_adapter_class(PeriodFilter, PeriodFilterAdapter)


def radio_choice_filter(label, choices, **kwargs):
    return django_filters.ChoiceFilter(
        label=label, choices=choices, widget=forms.RadioSelect, empty_label=_("Все"), **kwargs
    )


def boolean_filter(label, **kwargs):
    return django_filters.BooleanFilter(label=label, widget=BooleanRadioSelect, **kwargs)


def date_range_filter(field_name, label):
    return django_filters.DateFromToRangeFilter(field_name=field_name, label=label, widget=DateRangePickerWidget)


OWNER_CHOICES = (("account", _("Лицевой счёт")), ("contract", _("Договор")))


class OwnedByAccountOrContractFilterSet(WagtailFilterSet):
    """Money of households (лицевой счёт) and of organisations (договор) is told apart here."""

    owner = radio_choice_filter(_("Владелец"), OWNER_CHOICES, method="filter_owner")

    def filter_owner(self, queryset, name, value):
        if value == "account":
            return queryset.filter(account__isnull=False)
        if value == "contract":
            return queryset.filter(contract__isnull=False)
        return queryset


class CustomerFilterSet(WagtailFilterSet):
    class Meta:
        model = Customer
        fields = ["kind", "group"]


class PersonalAccountFilterSet(WagtailFilterSet):
    is_open = boolean_filter(_("Открыт"), field_name="closed_on", lookup_expr="isnull")
    opened_on = date_range_filter("opened_on", _("Дата открытия"))

    class Meta:
        model = PersonalAccount
        fields = ["branch", "cooker", "has_written_contract"]


class ContractFilterSet(WagtailFilterSet):
    signed_on = date_range_filter("signed_on", _("Дата заключения"))

    class Meta:
        model = Contract
        fields = ["branch", "curator", "price_category", "is_active"]


class EnergyObjectFilterSet(WagtailFilterSet):
    branch = django_filters.ModelChoiceFilter(
        field_name="contract__branch", label=_("Отделение"), queryset=Branch.objects.all()
    )

    class Meta:
        model = EnergyObject
        fields = ["status"]


PLACEMENT_CHOICES = (("account", _("На лицевом счёте")), ("metering_point", _("На измерительном комплексе")))


class MeterFilterSet(WagtailFilterSet):
    placement = radio_choice_filter(_("Где установлен"), PLACEMENT_CHOICES, method="filter_placement")
    verification_due_on = date_range_filter("verification_due_on", _("Окончание МПИ"))

    class Meta:
        model = Meter
        fields = ["status", "zone_set"]

    def filter_placement(self, queryset, name, value):
        if value == "account":
            return queryset.filter(account__isnull=False)
        if value == "metering_point":
            return queryset.filter(metering_point__isnull=False)
        return queryset


class ReadingFilterSet(WagtailFilterSet):
    taken_on = date_range_filter("taken_on", _("Дата показаний"))
    billed_period = PeriodFilter(label=_("Учтены в счёте за (ММ.ГГГГ)"))

    class Meta:
        model = Reading
        fields = ["kind", "source", "status", "zone"]


class TariffFilterSet(WagtailFilterSet):
    valid_on = django_filters.DateFilter(label=_("Действует на дату"), method="filter_valid_on", widget=AdminDateInput)

    class Meta:
        model = Tariff
        fields = ["group", "zone"]

    def filter_valid_on(self, queryset, name, value):
        return queryset.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=value), valid_from__lte=value)


class BillingRunFilterSet(WagtailFilterSet):
    period = PeriodFilter(label=_("Период (ММ.ГГГГ)"))

    class Meta:
        model = BillingRun
        fields = ["status"]


class DocumentFilterSet(OwnedByAccountOrContractFilterSet):
    period = PeriodFilter(label=_("Период (ММ.ГГГГ)"))
    issued_on = date_range_filter("issued_on", _("Дата документа"))
    unpaid = boolean_filter(_("Не оплачен"), method="filter_unpaid")
    is_correction = boolean_filter(_("Корректировка"), method="filter_is_correction")
    billing_run = django_filters.ModelChoiceFilter(label=_("Расчёт"), queryset=BillingRun.objects.all())

    class Meta:
        model = Document
        fields = ["type", "sales_kind"]

    def filter_unpaid(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(amount_due__gt=0) if value else queryset.filter(amount_due=0)

    def filter_is_correction(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(corrects__isnull=not value)


class PaymentFilterSet(OwnedByAccountOrContractFilterSet):
    paid_on = date_range_filter("paid_on", _("Дата платежа"))
    has_unallocated = boolean_filter(_("Есть нераспределённый остаток"), method="filter_has_unallocated")

    class Meta:
        model = Payment
        fields = ["channel", "status"]

    def filter_has_unallocated(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(unallocated__gt=0) if value else queryset.filter(unallocated=0)


SIGN_CHOICES = (("debt", _("Задолженность")), ("credit", _("Переплата или аванс")), ("zero", _("Ноль")))


class BalanceFilterSet(OwnedByAccountOrContractFilterSet):
    sign = radio_choice_filter(_("Сальдо"), SIGN_CHOICES, method="filter_sign")

    class Meta:
        model = Balance
        fields = ["sales_kind"]

    def filter_sign(self, queryset, name, value):
        lookups = {"debt": Q(amount__gt=0), "credit": Q(amount__lt=0), "zero": Q(amount=0)}
        return queryset.filter(lookups[value]) if value in lookups else queryset


class ImportJobFilterSet(WagtailFilterSet):
    created_at = django_filters.DateFromToRangeFilter(
        field_name="created_at__date", label=_("Дата загрузки"), widget=DateRangePickerWidget
    )

    class Meta:
        model = ImportJob
        fields = ["status", "dry_run"]
