"""Every back-office entity as a Wagtail viewset, grouped in the menu by the job it serves (F-I1).

«Клиенты» — customers, accounts, contracts and their reference tables; «Учёт» — energy objects,
metering points, meters, readings; «Расчёты» — tariffs and the money the services write.

Why the viewsets look the way they do:

- Money and state records (billing runs, documents, payments, balances, import jobs and the
  «Расчетные» readings) are written only by the services, so their viewsets have no add, edit or
  delete URL at all: a list, an inspect page and an export. Their Wagtail permission is «view».
- Master data that money points at (customers' accounts, contracts, energy objects, metering points,
  meters) is closed, not deleted: the models carry «закрыт», «действует», статус. Reference tables
  may be deleted; a row something still points at is refused with a message, not a 500.
- Foreign keys to big tables are edited with choosers (search in a modal), never with a <select> of
  a million rows. Search is a plain ORM search: every word must match one of `search_fields`.
- The models are not added to Wagtail's reference index: it would write index rows on every save of
  every reading and document the billing run makes, for a «usage» tab nobody needs here.
- Every listing names the relations it shows in `list_select_related`, so a page costs the same
  number of queries for 5 rows as for 50 (tests/backoffice/test_admin_screens.py counts them).
- Exports: CSV for machines (ISO dates, a dot in decimals), XLSX for people (real dates and numbers).
"""

import datetime
import re
from collections import OrderedDict
from dataclasses import dataclass, field
from decimal import Decimal

from django import forms
from django.contrib.admin.utils import quote, unquote
from django.contrib.auth import get_permission_codename
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import connections, models, transaction
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.admin_url_finder import AdminURLFinder, ModelAdminURLFinder, register_admin_url_finder
from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.admin.forms.models import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import BooleanColumn, Column, Table, TitleColumn, UserColumn
from wagtail.admin.views.generic import CreateView, DeleteView, EditView, IndexView, InspectView
from wagtail.admin.views.generic.chooser import ChooseResultsView, ChooseView
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.chooser import ChooserViewSet
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import Button
from wagtail.coreutils import multigetattr
from wagtail.permissions import policy_registry

from ..admin_filters import (
    BalanceFilterSet,
    BillingRunFilterSet,
    ContractFilterSet,
    CustomerFilterSet,
    DocumentFilterSet,
    EnergyObjectFilterSet,
    ImportJobFilterSet,
    MeterFilterSet,
    PaymentFilterSet,
    PersonalAccountFilterSet,
    ReadingFilterSet,
    TariffFilterSet,
)
from ..formatting import format_money
from ..models import (
    Balance,
    BillingRun,
    Branch,
    Contract,
    ContractAttachment,
    ContractEmail,
    Curator,
    Customer,
    CustomerGroup,
    Document,
    EnergyObject,
    ImportJob,
    Meter,
    MeteringPoint,
    Payment,
    PersonalAccount,
    Reading,
    Tariff,
)
from ..models.choices import Quantity, ReadingKind, ReadingSource
from ..services.audit import audit_staff_delete, audit_staff_save
from ..services.periods import period_title
from ..storage import private_file_response

ANY_ACCESS = ("add", "change", "delete", "view")
BILLING_MENU_HOOK = "register_backoffice_billing_menu_item"
"""Menu items registered under this hook name appear inside «Расчёты» (billing_runs.py uses it)."""
CLIENTS_MENU_HOOK = "register_backoffice_clients_menu_item"
"""Menu items registered under this hook name appear inside «Клиенты» (the portal's users and activation queue)."""
METERING_MENU_HOOK = "register_backoffice_metering_menu_item"
"""Menu items registered under this hook name appear inside «Учёт» (the interval acts' queue, readings to check)."""
BILLING_RUN_START_URL_NAME = "backoffice_billing_run_start"
"""The «Запустить расчёт» form, registered by billing_runs.py."""
EMPTY = "—"


# --- Search -----------------------------------------------------------------


def search_words(queryset, query: str, fields):
    """Every word of `query` must occur in one of `fields`: «петрова анна» finds Петрова Анна Сергеевна."""
    for word in query.split():
        condition = Q()
        for variant in spellings(word, queryset.db):
            for name in fields:
                condition |= Q(**{f"{name}__icontains": variant})
        queryset = queryset.filter(condition)
    return queryset


def spellings(word: str, alias: str) -> set[str]:
    """SQLite (the embedded default) ignores case only for Latin letters; try the usual Cyrillic cases too."""
    if connections[alias].vendor != "sqlite":
        return {word}
    return {word, word.lower(), word.capitalize(), word.upper()}


# --- Columns ----------------------------------------------------------------

NUMERIC = "w-whitespace-nowrap w-tabular-nums"


class MoneyColumn(Column):
    """«1 234,56 ₽», with a real minus sign for corrections and overpayments."""

    def __init__(self, name, **kwargs):
        kwargs.setdefault("classname", NUMERIC)
        super().__init__(name, **kwargs)

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["value"] = format_money(context["raw_value"])
        return context


class PeriodColumnMixin:
    """A billing period (the month's first day) as «январь 2020»."""

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        raw = context["raw_value"]
        context["value"] = period_title(raw) if isinstance(raw, datetime.date) else ""
        return context


class PeriodColumn(PeriodColumnMixin, Column):
    pass


class PeriodTitleColumn(PeriodColumnMixin, TitleColumn):
    pass


class NumberColumn(Column):
    def __init__(self, name, **kwargs):
        kwargs.setdefault("classname", NUMERIC)
        super().__init__(name, **kwargs)


# --- Views ------------------------------------------------------------------


class BackofficeIndexView(IndexView):
    """The listing every back-office viewset uses; see the module docstring for the rules."""

    list_select_related = ()
    list_annotations = None
    column_labels = {}
    money_fields = ()
    period_fields = ()
    export_values = {}
    add_item_label_override = None
    title_nowrap = False

    def get_base_queryset(self):
        queryset = super().get_base_queryset()
        if self.list_select_related:
            queryset = queryset.select_related(*self.list_select_related)
        if self.list_annotations:
            queryset = queryset.annotate(**self.list_annotations)
        return queryset

    def search_queryset(self, queryset):
        if not self.is_searching:
            return queryset
        return search_words(queryset, self.search_query, self.search_fields or ())

    @cached_property
    def add_item_label(self):
        return self.add_item_label_override or super().add_item_label

    def _get_title_column(self, field_name, column_class=TitleColumn, **kwargs):
        if field_name in self.period_fields and column_class is TitleColumn:
            column_class = PeriodTitleColumn
        if self.title_nowrap:
            kwargs.setdefault("classname", "w-whitespace-nowrap")  # numbers like «КВ-2001-100000001» stay whole
        column = super()._get_title_column(field_name, column_class, **kwargs)
        return self._relabel(field_name, column)

    def _get_custom_column(self, field_name, column_class=Column, **kwargs):
        if column_class is Column:
            column_class = self._column_class_for(field_name)
        column = super()._get_custom_column(field_name, column_class, **kwargs)
        return self._relabel(field_name, column)

    def _column_class_for(self, field_name):
        if field_name in self.money_fields:
            return MoneyColumn
        if field_name in self.period_fields:
            return PeriodColumn
        try:
            model_field = self.model._meta.get_field(field_name)
        except FieldDoesNotExist:
            return Column
        if isinstance(model_field, models.BooleanField):
            return BooleanColumn
        if isinstance(model_field, models.DecimalField | models.IntegerField) and not model_field.choices:
            return NumberColumn
        return Column

    def _relabel(self, field_name, column):
        if field_name in self.column_labels:
            column.label = self.column_labels[field_name]
        return column

    # Export: follow dotted paths through empty relations (a meter on an account has no metering
    # point) instead of failing, and name the columns after the fields' Russian verbose names.

    def to_row_dict(self, item):
        return OrderedDict((name, self.export_value(item, name)) for name in self.list_export)

    def export_value(self, item, name):
        if name in self.export_values:
            return self.export_values[name](item)
        try:
            value = multigetattr(item, name)
        except AttributeError:
            return None
        if isinstance(value, models.Model):
            return str(value)
        return value

    def get_heading(self, queryset, field):
        if field in self.export_headings:
            return str(self.export_headings[field])
        model = queryset.model
        *relations, last = field.split(".")
        try:
            for relation in relations:
                model = model._meta.get_field(relation).related_model
            display = re.fullmatch(r"get_(\w+)_display", last)
            return capfirst(str(model._meta.get_field(display.group(1) if display else last).verbose_name))
        except (FieldDoesNotExist, AttributeError):
            return super().get_heading(queryset, field)


@dataclass
class Section:
    """A titled table under an inspect page: the lines of a document, the e-mails of a contract…"""

    title: str
    table: Table | None = None
    empty_text: str = ""
    buttons: list = field(default_factory=list)  # (label, url, icon)


class BackofficeInspectView(InspectView):
    """Inspect page: Russian money, periods, yes/no and links to the related records."""

    object_select_related = ()
    money_fields = ()
    period_fields = ()

    def get_object(self, queryset=None):
        queryset = self.model._default_manager.select_related(*self.object_select_related)
        return get_object_or_404(queryset, pk=unquote(str(self.pk)))

    def get_field_display_value(self, field_name, field):
        if callable(getattr(self, f"get_{field_name}_display_value", None)):
            return super().get_field_display_value(field_name, field)
        value = getattr(self.object, field_name, None)
        if field_name in self.money_fields:
            return format_money(value) or EMPTY
        if field_name in self.period_fields:
            return period_title(value) if value else EMPTY
        if field is not None and field.choices:
            return getattr(self.object, f"get_{field_name}_display")() or EMPTY
        if value is None or value == "" or value == [] or value == {}:
            return EMPTY
        if isinstance(field, models.BooleanField):
            return _("Да") if value else _("Нет")
        if isinstance(value, datetime.datetime):
            return date_format(timezone.localtime(value), "DATETIME_FORMAT")
        if isinstance(value, models.Model):
            return self.link_to(value)
        if isinstance(value, list):
            return ", ".join(str(item) for item in value)
        if isinstance(value, dict):
            return "; ".join(f"{key}: {item}" for key, item in value.items())
        return super().get_field_display_value(field_name, field)

    def link_to(self, instance):
        url = AdminURLFinder(self.request.user).get_edit_url(instance)
        return format_html('<a href="{}">{}</a>', url, instance) if url else str(instance)

    def get_sections(self) -> list[Section]:
        return []

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["sections"] = self.get_sections()
        return context


class AuditedFormMixin:
    """Every add and edit through a back-office form is an audit entry with the fields it changed («было → стало»),
    written in the transaction Wagtail saves in; an edit that changed nothing writes none."""

    audit_created = False

    def save_instance(self):
        instance = super().save_instance()
        audit_staff_save(actor=self.request.user, form=self.form, created=self.audit_created)
        return instance


class BackofficeCreateView(AuditedFormMixin, CreateView):
    audit_created = True


class BackofficeEditView(AuditedFormMixin, EditView):
    pass


class BackofficeDeleteView(DeleteView):
    """Deleting a row that documents or accounts still point at ends in a message, not a 500. The deletion is an
    audit entry with what was deleted; a refused one leaves none (the same transaction rolls back)."""

    def delete_action(self):
        audit_staff_delete(actor=self.request.user, instance=self.object)
        super().delete_action()

    def form_valid(self, form):
        try:
            with transaction.atomic():
                return super().form_valid(form)
        except (models.ProtectedError, models.RestrictedError) as error:
            blockers = getattr(error, "protected_objects", None) or getattr(error, "restricted_objects", ())
            kinds = sorted({str(blocker._meta.verbose_name_plural) for blocker in blockers})
            messages.error(
                self.request,
                _("Нельзя удалить «%(object)s»: на него ссылаются %(kinds)s.")
                % {"object": self.object, "kinds": ", ".join(kinds)},
            )
            return redirect(reverse(self.index_url_name))


class PrefilledCreateView(BackofficeCreateView):
    """«Добавить» links from an inspect page pass the parent: ?contract=12 fills the contract."""

    prefill_parameters = ()

    def get_initial(self):
        initial = super().get_initial()
        for name in self.prefill_parameters:
            if self.request.GET.get(name, "").isdigit():
                initial[name] = self.request.GET[name]
        return initial


class InspectURLFinder(ModelAdminURLFinder):
    """For read-only models the «edit» link of the admin (chooser widgets, inspect pages) is the inspect page."""

    def get_edit_url(self, instance):
        policy = policy_registry.get(instance)
        if self.user and policy and not policy.user_has_any_permission_for_instance(self.user, ANY_ACCESS, instance):
            return None
        return self.construct_edit_url(instance)


# --- The base viewset ---------------------------------------------------------


class BackofficeViewSet(ModelViewSet):
    """A back-office listing with search, filters, export and an inspect page.

    `allow_add`, `allow_edit` and `allow_delete` switch whole views off: the URL does not exist and
    the Wagtail permission is not offered in the group editor.
    """

    add_to_reference_index = False
    copy_view_enabled = False
    inspect_view_enabled = True
    search_backend_name = None
    list_per_page = 50
    index_view_class = BackofficeIndexView
    inspect_view_class = BackofficeInspectView
    add_view_class = BackofficeCreateView
    edit_view_class = BackofficeEditView
    delete_view_class = BackofficeDeleteView
    inspect_template_name = "backoffice/admin/inspect.html"
    inspect_view_fields_exclude = ["id"]

    allow_add = True
    allow_edit = True
    allow_delete = True
    list_select_related = ()
    list_annotations = None
    column_labels = {}
    money_fields = ()
    period_fields = ()
    export_values = {}
    add_item_label = None
    title_nowrap = False  # True where the title is a number, not a name

    @cached_property
    def export_filename(self):
        return self.name.removeprefix("backoffice_")

    @property
    def disabled_views(self) -> set[str]:
        disabled = {"usage"}  # nothing is in the reference index (see the module docstring)
        if not self.allow_add:
            disabled.add("add")
        if not self.allow_edit:
            disabled |= {"edit", "history", "history_results"}
        if not self.allow_delete:
            disabled.add("delete")
        return disabled

    def get_common_view_kwargs(self, **kwargs):
        off = {f"{view}_url_name": None for view in self.disabled_views if not view.endswith("_results")}
        return super().get_common_view_kwargs(**{**off, **kwargs})

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(
            list_select_related=self.list_select_related,
            list_annotations=self.list_annotations,
            column_labels=self.column_labels,
            money_fields=self.money_fields,
            period_fields=self.period_fields,
            export_values=self.export_values,
            add_item_label_override=self.add_item_label,
            title_nowrap=self.title_nowrap,
            **kwargs,
        )

    def get_inspect_view_kwargs(self, **kwargs):
        return super().get_inspect_view_kwargs(
            object_select_related=self.list_select_related,
            money_fields=self.money_fields,
            period_fields=self.period_fields,
            **kwargs,
        )

    def get_urlpatterns(self):
        # Built here rather than filtered from ModelViewSet's list, so a read-only viewset never
        # constructs (and needs a form for) the views it does not have.
        pk = f"<{self.pk_path_converter}:pk>"
        routes = {
            "index": ("", lambda: self.index_view),
            "index_results": ("results/", lambda: self.index_results_view),
            "add": ("new/", lambda: self.add_view),
            "edit": (f"edit/{pk}/", lambda: self.edit_view),
            "delete": (f"delete/{pk}/", lambda: self.delete_view),
            "history": (f"history/{pk}/", lambda: self.history_view),
            "history_results": (f"history-results/{pk}/", lambda: self.history_results_view),
            "inspect": (f"inspect/{pk}/", lambda: self.inspect_view),
        }
        return [
            path(route, make_view(), name=name)
            for name, (route, make_view) in routes.items()
            if name not in self.disabled_views
        ]

    def register_admin_url_finder(self):
        if self.allow_edit:
            return super().register_admin_url_finder()
        finder = type("_InspectURLFinder", (InspectURLFinder,), {"edit_url_name": self.get_url_name("inspect")})
        register_admin_url_finder(self.model, finder)

    @property
    def permission_actions(self) -> set[str]:
        """The permissions offered in Wagtail's group editor for this model."""
        actions = {"view"}
        actions |= {"add"} if self.allow_add else set()
        actions |= {"change"} if self.allow_edit else set()
        actions |= {"delete"} if self.allow_delete else set()
        return actions

    def get_permissions_to_register(self):
        codenames = [get_permission_codename(action, self.model_opts) for action in self.permission_actions]
        return super().get_permissions_to_register().filter(codename__in=codenames)


class ReadOnlyViewSet(BackofficeViewSet):
    """Written by the services only: a list, an inspect page and an export."""

    allow_add = allow_edit = allow_delete = False


# --- Choosers -----------------------------------------------------------------


class SearchFilterForm(BaseFilterForm):
    """The chooser's search box, on the ORM (the models are not in a Wagtail search index)."""

    search_fields = ()
    q = forms.CharField(label=_("Поиск"), required=False)

    def filter(self, objects):
        objects = super().filter(objects)
        query = self.cleaned_data.get("q")
        if query:
            objects = search_words(objects, query, self.search_fields)
            self.is_searching = True
            self.search_query = query
        return objects


class BackofficeChooseViewMixin:
    search_fields = ()
    list_select_related = ()
    title_accessor = None

    def dispatch(self, request, *args, **kwargs):
        # Choosers list customers' data: only staff who may see the model get them.
        policy = policy_registry.get_by_type(self.model_class)
        if not policy.user_has_any_permission(request.user, ANY_ACCESS):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_object_list(self):
        return self.model_class._default_manager.select_related(*self.list_select_related)

    def get_filter_form_class(self):
        return type("SearchFilterForm", (SearchFilterForm,), {"search_fields": self.search_fields})

    @property
    def title_column(self):
        column = super().title_column
        if self.title_accessor:
            column.accessor = self.title_accessor
        column.label = capfirst(self.model_class._meta.verbose_name)
        return column


class BackofficeChooseView(BackofficeChooseViewMixin, ChooseView):
    pass


class BackofficeChooseResultsView(BackofficeChooseViewMixin, ChooseResultsView):
    pass


class BackofficeChooserViewSet(ChooserViewSet):
    choose_view_class = BackofficeChooseView
    choose_results_view_class = BackofficeChooseResultsView
    per_page = 20
    search_fields = ()
    list_select_related = ()
    title_accessor = None
    choose_one_text = _("Выбрать")
    choose_another_text = _("Выбрать другой")
    edit_item_text = _("Открыть")

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(
            search_fields=self.search_fields,
            list_select_related=self.list_select_related,
            title_accessor=self.title_accessor,
            **kwargs,
        )


def chooser(model, *, search_fields, icon, choose_one_text, list_select_related=(), title_accessor=None):
    name = f"backoffice_{model._meta.model_name}_chooser"
    return BackofficeChooserViewSet(
        name,
        url_prefix=f"backoffice/choose/{model._meta.model_name}",
        model=model,
        icon=icon,
        search_fields=search_fields,
        list_select_related=list_select_related,
        title_accessor=title_accessor,
        choose_one_text=choose_one_text,
        page_title=choose_one_text,
    )


customer_chooser = chooser(
    Customer,
    search_fields=("last_name", "first_name", "middle_name", "full_name", "short_name", "inn"),
    icon="user",
    choose_one_text=_("Выбрать клиента"),
    # Namesakes are common: the INN or the e-mail tells them apart.
    title_accessor=lambda customer: " · ".join(filter(None, (customer.display_name, customer.inn, customer.email))),
)
account_chooser = chooser(
    PersonalAccount,
    search_fields=("number", "address", "customer__last_name"),
    icon="key",
    choose_one_text=_("Выбрать лицевой счёт"),
    title_accessor=lambda account: f"ЛС {account.number} — {account.address}",
)
contract_chooser = chooser(
    Contract,
    search_fields=("number", "customer__inn", "customer__full_name", "customer__short_name"),
    icon="doc-full",
    choose_one_text=_("Выбрать договор"),
    list_select_related=("customer",),
    title_accessor=lambda contract: f"№ {contract.number} — {contract.customer}",
)
energy_object_chooser = chooser(
    EnergyObject,
    search_fields=("code", "name", "address", "contract__number"),
    icon="site",
    choose_one_text=_("Выбрать энергообъект"),
)
metering_point_chooser = chooser(
    MeteringPoint,
    search_fields=("name", "energy_object__code", "energy_object__name"),
    icon="cogs",
    choose_one_text=_("Выбрать измерительный комплекс"),
    list_select_related=("energy_object",),
    title_accessor=lambda point: f"{point.energy_object.code} · {point.name}",
)
meter_chooser = chooser(
    Meter,
    search_fields=("serial", "model", "account__number", "metering_point__energy_object__code"),
    icon="time",
    choose_one_text=_("Выбрать прибор учёта"),
)


# --- Клиенты --------------------------------------------------------------------


class CustomerViewSet(BackofficeViewSet):
    model = Customer
    name = "backoffice_customers"
    url_prefix = "backoffice/customers"
    icon = "user"
    add_item_label = _("Добавить клиента")
    # «Карточка клиента» is the customer 360 view of workflows (backoffice may not import it: the URL by its name).
    CARD_URL_NAME = "workflows_customer_card"
    list_display = [
        "__str__",
        "kind",
        "inn",
        "group",
        "phone",
        "email",
        "created_at",
        Column(
            "card",
            label=_("Карточка"),
            accessor=lambda customer: format_html(
                '<a href="{}">{}</a>', CustomerViewSet.card_url(customer), _("Карточка клиента")
            ),
        ),
    ]
    column_labels = {"__str__": _("Клиент")}
    filterset_class = CustomerFilterSet
    search_fields = ["last_name", "first_name", "middle_name", "full_name", "short_name", "inn", "email"]
    list_select_related = ("group",)

    @staticmethod
    def card_url(customer) -> str:
        return reverse(CustomerViewSet.CARD_URL_NAME, args=[customer.pk])

    class inspect_view_class(BackofficeInspectView):  # the attribute Wagtail reads: a class of its own here
        @cached_property
        def header_more_buttons(self):
            url = CustomerViewSet.card_url(self.object)
            return [*super().header_more_buttons, Button(_("Карточка клиента"), url=url, icon_name="user", priority=5)]

    list_export = [
        "get_kind_display",
        "display_name",
        "last_name",
        "first_name",
        "middle_name",
        "full_name",
        "short_name",
        "inn",
        "kpp",
        "ogrn",
        "okpo",
        "legal_address",
        "postal_address",
        "bank_name",
        "bik",
        "bank_account",
        "correspondent_account",
        "phone",
        "email",
        "group",
        "created_at",
    ]
    export_headings = {"display_name": _("Клиент")}
    panels = [
        FieldRowPanel([FieldPanel("kind"), FieldPanel("group")], heading=_("Клиент")),
        MultiFieldPanel(
            [FieldPanel("last_name"), FieldPanel("first_name"), FieldPanel("middle_name")],
            heading=_("Физическое лицо"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("full_name"),
                FieldPanel("short_name"),
                FieldRowPanel([FieldPanel("inn"), FieldPanel("kpp")]),
                FieldRowPanel([FieldPanel("ogrn"), FieldPanel("okpo")]),
                FieldPanel("legal_address"),
                FieldPanel("postal_address"),
            ],
            heading=_("Организация"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("bank_name"),
                FieldPanel("bik"),
                FieldRowPanel([FieldPanel("bank_account"), FieldPanel("correspondent_account")]),
            ],
            heading=_("Банковские реквизиты"),
        ),
        FieldRowPanel([FieldPanel("phone"), FieldPanel("email")], heading=_("Контакты")),
    ]


class PersonalAccountViewSet(BackofficeViewSet):
    model = PersonalAccount
    name = "backoffice_accounts"
    url_prefix = "backoffice/accounts"
    icon = "key"
    add_item_label = _("Добавить лицевой счёт")
    title_nowrap = True
    allow_delete = False  # close the account with «закрыт»: documents and payments keep pointing at it
    list_display = ["number", "customer", "address", "branch", "residents", "opened_on", "closed_on"]
    filterset_class = PersonalAccountFilterSet
    search_fields = ["number", "address", "customer__last_name", "customer__first_name", "customer__middle_name"]
    list_select_related = ("customer", "branch")
    list_export = [
        "number",
        "supplier",
        "customer",
        "address",
        "branch",
        "total_area",
        "living_area",
        "rooms",
        "residents",
        "registered",
        "get_cooker_display",
        "has_written_contract",
        "opened_on",
        "closed_on",
    ]
    panels = [
        FieldRowPanel([FieldPanel("number"), FieldPanel("supplier")]),
        FieldPanel("customer"),
        FieldPanel("branch"),
        FieldPanel("address"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("total_area"), FieldPanel("living_area"), FieldPanel("rooms")]),
                FieldRowPanel([FieldPanel("residents"), FieldPanel("registered")]),
                FieldRowPanel([FieldPanel("cooker"), FieldPanel("has_written_contract")]),
            ],
            heading=_("Помещение"),
        ),
        FieldRowPanel([FieldPanel("opened_on"), FieldPanel("closed_on")], heading=_("Срок действия")),
    ]


class ContractInspectView(BackofficeInspectView):
    """The contract with the e-mails written in it and its scans (they are separate models, see the report)."""

    def get_sections(self):
        email_viewset, attachment_viewset = contract_email_viewset, contract_attachment_viewset
        emails = list(self.object.emails.order_by("email"))
        attachments = list(self.object.attachments.all())
        email_table = Table(
            [
                TitleColumn(
                    "email",
                    label=_("E-mail"),
                    get_url=lambda email: reverse(email_viewset.get_url_name("edit"), args=[email.pk]),
                ),
                Column("source", label=_("Где указан"), accessor="get_source_display"),
                Column("agreement", label=_("Соглашение")),
            ],
            emails,
        )
        attachment_table = Table(
            [
                TitleColumn(
                    "title",
                    label=_("Название"),
                    get_url=lambda item: reverse(attachment_viewset.get_url_name("download"), args=[item.pk]),
                ),
                Column("uploaded_at", label=_("Загружен")),
                Column(
                    "edit",
                    label="",
                    accessor=lambda item: format_html(
                        '<a href="{}">{}</a>',
                        reverse(attachment_viewset.get_url_name("edit"), args=[item.pk]),
                        _("Изменить"),
                    ),
                ),
            ],
            attachments,
        )
        query = f"?contract={self.object.pk}"
        return [
            Section(
                title=_("E-mail договора"),
                table=email_table if emails else None,
                empty_text=_("В договоре не указан ни один e-mail."),
                buttons=[(_("Добавить e-mail"), reverse(email_viewset.get_url_name("add")) + query, "plus")],
            ),
            Section(
                title=_("Вложения"),
                table=attachment_table if attachments else None,
                empty_text=_("Сканов договора нет."),
                buttons=[(_("Загрузить файл"), reverse(attachment_viewset.get_url_name("add")) + query, "upload")],
            ),
        ]


class ContractViewSet(BackofficeViewSet):
    model = Contract
    name = "backoffice_contracts"
    url_prefix = "backoffice/contracts"
    icon = "doc-full"
    add_item_label = _("Добавить договор")
    title_nowrap = True
    allow_delete = False  # «действует» is switched off instead
    inspect_view_class = ContractInspectView
    list_display = [
        "number",
        "customer",
        "customer__inn",
        "signed_on",
        "branch",
        "curator",
        "price_category",
        "is_active",
    ]
    column_labels = {"customer__inn": _("ИНН")}
    filterset_class = ContractFilterSet
    search_fields = ["number", "customer__inn", "customer__full_name", "customer__short_name"]
    list_select_related = ("customer", "branch", "curator")
    list_export = [
        "number",
        "customer",
        "customer.inn",
        "customer.kpp",
        "signed_on",
        "branch",
        "curator",
        "get_price_category_display",
        "is_active",
    ]
    panels = [
        FieldRowPanel([FieldPanel("number"), FieldPanel("signed_on")]),
        FieldPanel("customer"),
        FieldRowPanel([FieldPanel("branch"), FieldPanel("curator")]),
        FieldRowPanel([FieldPanel("price_category"), FieldPanel("is_active")]),
    ]


ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024
ATTACHMENT_SIGNATURES = {
    b"%PDF-": "pdf",
    b"\x89PNG\r\n\x1a\n": "png",
    b"\xff\xd8\xff": "jpeg",
    b"II*\x00": "tiff",
    b"MM\x00*": "tiff",
}


class ContractAttachmentForm(WagtailAdminModelForm):
    """A scan of the contract: PDF or an image, recognised by its first bytes, at most 20 МБ."""

    class Meta:
        model = ContractAttachment
        fields = ["contract", "title", "file"]

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload is None or not hasattr(upload, "content_type"):
            return upload  # the stored file, unchanged
        if upload.size > ATTACHMENT_MAX_BYTES:
            raise ValidationError(_("Файл больше 20 МБ."))
        head = upload.read(8)
        upload.seek(0)
        if not any(head.startswith(signature) for signature in ATTACHMENT_SIGNATURES):
            raise ValidationError(_("Загрузите PDF или изображение (PNG, JPEG, TIFF)."))
        return upload


class ContractAttachmentEditForm(ContractAttachmentForm):
    class Meta:
        model = ContractAttachment
        fields = ["contract", "title"]


class ContractChildCreateView(PrefilledCreateView):
    """Adds an e-mail or a scan to the contract named in ?contract= and returns to that contract."""

    prefill_parameters = ("contract",)

    def get_success_url(self):
        return reverse(contract_viewset.get_url_name("inspect"), args=[self.object.contract_id])


class ContractAttachmentInspectView(BackofficeInspectView):
    def get_sections(self):
        url = reverse(contract_attachment_viewset.get_url_name("download"), args=[self.object.pk])
        return [Section(title=_("Файл"), empty_text=self.object.file.name, buttons=[(_("Скачать"), url, "download")])]


class ContractEmailViewSet(BackofficeViewSet):
    """Reached from the contract's inspect page; not in the menu."""

    model = ContractEmail
    name = "backoffice_contract_emails"
    url_prefix = "backoffice/contract-emails"
    icon = "mail"
    add_item_label = _("Добавить e-mail")
    add_view_class = ContractChildCreateView
    list_display = ["email", "contract", "source", "agreement"]
    list_filter = ["source"]
    search_fields = ["email", "contract__number"]
    list_select_related = ("contract",)
    list_export = ["email", "contract.number", "get_source_display", "agreement"]
    panels = [
        FieldPanel("contract"),
        FieldPanel("email"),
        FieldRowPanel([FieldPanel("source"), FieldPanel("agreement")]),
    ]


class ContractAttachmentViewSet(BackofficeViewSet):
    """Scans live in private storage: the admin serves them only through the checked «download» view."""

    model = ContractAttachment
    name = "backoffice_contract_attachments"
    url_prefix = "backoffice/contract-attachments"
    icon = "doc-empty"
    add_item_label = _("Загрузить вложение")
    add_view_class = ContractChildCreateView
    list_display = ["title", "contract", "uploaded_at"]
    search_fields = ["title", "contract__number"]
    list_select_related = ("contract",)
    list_export = ["title", "contract.number", "uploaded_at"]
    inspect_view_class = ContractAttachmentInspectView
    inspect_view_fields = ["contract", "title", "uploaded_at"]

    def get_form_class(self, for_update=False):
        # The file is not replaced in place: upload a new attachment instead, so the history stays.
        return ContractAttachmentEditForm if for_update else ContractAttachmentForm

    def download_view(self, request, pk):
        policy = policy_registry.get_by_type(ContractAttachment)
        if not policy.user_has_any_permission(request.user, ANY_ACCESS):
            raise PermissionDenied
        attachment = get_object_or_404(ContractAttachment, pk=pk)
        filename = attachment.file.name.rsplit("/", 1)[-1]
        return private_file_response(attachment.file, filename=filename)

    def get_urlpatterns(self):
        return [*super().get_urlpatterns(), path("download/<int:pk>/", self.download_view, name="download")]


class CustomerGroupViewSet(BackofficeViewSet):
    model = CustomerGroup
    name = "backoffice_customer_groups"
    url_prefix = "backoffice/customer-groups"
    icon = "clipboard-list"
    add_item_label = _("Добавить группу")
    list_display = [
        "name",
        "code",
        "customer_kind",
        "window_start_day",
        "window_end_day",
        "payment_due_day",
        "norm_kwh_per_month",
    ]
    list_filter = ["customer_kind"]
    search_fields = ["name", "code"]
    list_export = [
        "name",
        "code",
        "get_customer_kind_display",
        "window_start_day",
        "window_end_day",
        "window_ends_next_month",
        "payment_due_day",
        "norm_kwh_per_month",
        "norm_per_resident",
        "penalty_grace_days",
        "penalty_rate_denominator",
    ]
    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("code")]),
        FieldPanel("customer_kind"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("window_start_day"), FieldPanel("window_end_day")]),
                FieldPanel("window_ends_next_month"),
            ],
            heading=_("Приём показаний"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("payment_due_day"),
                FieldRowPanel([FieldPanel("norm_kwh_per_month"), FieldPanel("norm_per_resident")]),
                FieldRowPanel([FieldPanel("penalty_grace_days"), FieldPanel("penalty_rate_denominator")]),
            ],
            heading=_("Оплата, норматив и пени"),
        ),
    ]


class BranchViewSet(BackofficeViewSet):
    model = Branch
    name = "backoffice_branches"
    url_prefix = "backoffice/branches"
    icon = "home"
    add_item_label = _("Добавить отделение")
    list_display = ["name", "head", "phone", "email", "address"]
    search_fields = ["name", "head", "address"]
    list_export = ["name", "head", "phone", "email", "address"]
    form_fields = ["name", "head", "phone", "email", "address"]


class CuratorViewSet(BackofficeViewSet):
    model = Curator
    name = "backoffice_curators"
    url_prefix = "backoffice/curators"
    icon = "mobile-alt"
    add_item_label = _("Добавить куратора")
    list_display = ["full_name", "branch", "phone", "email"]
    list_filter = ["branch"]
    search_fields = ["full_name", "phone", "email"]
    list_select_related = ("branch",)
    list_export = ["full_name", "branch", "phone", "email"]
    form_fields = ["full_name", "branch", "phone", "email"]


# --- Учёт ------------------------------------------------------------------------


class EnergyObjectViewSet(BackofficeViewSet):
    model = EnergyObject
    name = "backoffice_energy_objects"
    url_prefix = "backoffice/energy-objects"
    icon = "site"
    add_item_label = _("Добавить энергообъект")
    title_nowrap = True
    allow_delete = False  # «Исключён из договора» instead: meters and readings hang on it
    list_display = [
        "code",
        "name",
        "contract",
        Column("organisation", label=_("Организация"), accessor="contract.customer"),
        "address",
        "status",
    ]
    export_values = {"organisation": lambda energy_object: str(energy_object.contract.customer)}
    filterset_class = EnergyObjectFilterSet
    search_fields = ["code", "name", "address", "contract__number", "contract__customer__inn"]
    list_select_related = ("contract__customer",)
    list_export = ["code", "name", "contract.number", "organisation", "address", "get_status_display"]
    export_headings = {"organisation": _("Организация")}
    form_fields = ["contract", "code", "name", "address", "status"]


class MeteringPointViewSet(BackofficeViewSet):
    model = MeteringPoint
    name = "backoffice_metering_points"
    url_prefix = "backoffice/metering-points"
    icon = "cogs"
    add_item_label = _("Добавить измерительный комплекс")
    allow_delete = False
    list_display = ["name", "energy_object", "energy_object__contract", "transformation_ratio", "losses_percent"]
    column_labels = {"energy_object__contract": _("Договор")}
    list_filter = ["energy_object__status"]
    search_fields = ["name", "energy_object__code", "energy_object__name", "energy_object__contract__number"]
    list_select_related = ("energy_object__contract",)
    list_export = [
        "name",
        "energy_object.code",
        "energy_object.contract.number",
        "transformation_ratio",
        "losses_percent",
    ]
    export_headings = {"energy_object.code": _("Код ЭО")}
    form_fields = ["energy_object", "name", "transformation_ratio", "losses_percent"]


def meter_placement(meter) -> str:
    """Where the meter counts: «ЛС 100000001» or «780100…0001 · ТП-15, ввод 1»."""
    if meter.account_id:
        return str(meter.account)
    if meter.metering_point_id:
        return f"{meter.metering_point.energy_object.code} · {meter.metering_point.name}"
    return ""


class MeterViewSet(BackofficeViewSet):
    model = Meter
    name = "backoffice_meters"
    url_prefix = "backoffice/meters"
    icon = "time"
    add_item_label = _("Добавить прибор учёта")
    title_nowrap = True
    allow_delete = False  # «Снят с учёта» instead: readings and document lines point at it
    list_display = [
        "serial",
        "model",
        Column("placement", label=_("Лицевой счёт / ИК"), accessor=meter_placement),
        "zone_set",
        "status",
        "installed_on",
        "verification_due_on",
    ]
    filterset_class = MeterFilterSet
    search_fields = ["serial", "model", "account__number", "metering_point__energy_object__code"]
    list_select_related = ("account", "metering_point__energy_object")
    list_export = [
        "serial",
        "model",
        "account.number",
        "metering_point.energy_object.code",
        "metering_point.name",
        "get_zone_set_display",
        "capacity_text",
        "installed_on",
        "verified_on",
        "verification_interval_years",
        "verification_due_on",
        "place",
        "owner",
        "get_status_display",
    ]
    export_headings = {
        "metering_point.energy_object.code": _("Код ЭО"),
        "metering_point.name": _("Измерительный комплекс"),
        "capacity_text": _("Значность"),
    }
    panels = [
        FieldRowPanel([FieldPanel("serial"), FieldPanel("model")]),
        MultiFieldPanel(
            [FieldPanel("account"), FieldPanel("metering_point")],
            heading=_("Где установлен"),
            help_text=_("Либо лицевой счёт, либо измерительный комплекс."),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("zone_set"), FieldPanel("quantities")]),
                FieldRowPanel([FieldPanel("digits_integer"), FieldPanel("digits_fraction")]),
                FieldRowPanel([FieldPanel("accuracy_class"), FieldPanel("rated_current"), FieldPanel("voltage")]),
            ],
            heading=_("Характеристики"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("installed_on"), FieldPanel("verified_on")]),
                FieldRowPanel([FieldPanel("verification_interval_years"), FieldPanel("verification_due_on")]),
                FieldPanel("place"),
                FieldRowPanel([FieldPanel("owner"), FieldPanel("responsible_person")]),
            ],
            heading=_("Установка и поверка"),
        ),
        FieldPanel("status"),
    ]


def reading_is_manual(reading) -> bool:
    """«Расчетные» readings are written by the billing run; billed ones are history. Neither is edited by hand."""
    return reading.kind != ReadingKind.ESTIMATED


def reading_can_be_deleted(reading) -> bool:
    return reading_is_manual(reading) and reading.billed_period is None


def reading_value(reading):
    """The value with as many decimals as the meter shows (6,2 → «1 234,50»)."""
    return reading.value.quantize(Decimal(1).scaleb(-reading.meter.digits_fraction))


def reading_placement(reading) -> str:
    return meter_placement(reading.meter)


def reading_zone(reading) -> str:
    """«Ночь», and the quantity only when it is not the usual А+: «Ночь, R+»."""
    if reading.quantity == Quantity.ACTIVE_IN:
        return reading.get_zone_display()
    return f"{reading.get_zone_display()}, {reading.get_quantity_display()}"


class ReadingAdminForm(WagtailAdminModelForm):
    """Staff enter declared and control readings; «Расчетные» ones come only from the billing run."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "kind" in self.fields:
            self.fields["kind"].choices = [c for c in self.fields["kind"].choices if c[0] != ReadingKind.ESTIMATED]
        if "source" in self.fields:
            self.fields["source"].choices = [c for c in self.fields["source"].choices if c[0] != ReadingSource.ESTIMATE]

    def save(self, commit=True):
        if self.instance.pk is None and self.for_user is not None:
            self.instance.submitted_by = self.for_user
        return super().save(commit=commit)


class ReadingIndexView(BackofficeIndexView):
    def get_edit_url(self, instance):
        return super().get_edit_url(instance) if reading_is_manual(instance) else None

    def get_delete_url(self, instance):
        return super().get_delete_url(instance) if reading_can_be_deleted(instance) else None


class ReadingGuardMixin:
    """Edit and delete of a reading the billing run owns end on its inspect page with the reason."""

    inspect_url_name = None
    refusal = ""

    def allowed(self, reading) -> bool:
        raise NotImplementedError

    def dispatch(self, request, *args, **kwargs):
        if not self.user_has_permission(self.permission_required):
            raise PermissionDenied
        reading = get_object_or_404(Reading, pk=unquote(str(kwargs["pk"])))
        if not self.allowed(reading):
            messages.error(request, self.refusal)
            return redirect(reverse(self.inspect_url_name, args=[quote(reading.pk)]))
        return super().dispatch(request, *args, **kwargs)


class ReadingEditView(ReadingGuardMixin, BackofficeEditView):
    refusal = _("Расчетные показания формирует расчёт периода; вручную их не меняют.")

    def allowed(self, reading):
        return reading_is_manual(reading)


class ReadingDeleteView(ReadingGuardMixin, BackofficeDeleteView):
    refusal = _("Это показание уже учтено в расчёте или получено расчётом; удалить его нельзя.")

    def allowed(self, reading):
        return reading_can_be_deleted(reading)


class ReadingInspectView(BackofficeInspectView):
    def get_edit_url(self):
        return super().get_edit_url() if reading_is_manual(self.object) else None

    def get_delete_url(self):
        return super().get_delete_url() if reading_can_be_deleted(self.object) else None

    def get_value_display_value(self):
        return reading_value(self.object)


class ReadingViewSet(BackofficeViewSet):
    model = Reading
    name = "backoffice_readings"
    url_prefix = "backoffice/readings"
    icon = "list-ol"
    add_item_label = _("Добавить показание")
    title_nowrap = True
    index_view_class = ReadingIndexView
    edit_view_class = ReadingEditView
    delete_view_class = ReadingDeleteView
    inspect_view_class = ReadingInspectView
    list_display = [
        "meter__serial",
        Column("placement", label=_("Лицевой счёт / ИК"), accessor=reading_placement),
        Column("zone", label=_("Зона"), accessor=reading_zone, sort_key="zone"),
        NumberColumn("value", label=_("Показание"), accessor=reading_value, sort_key="value"),
        "taken_on",
        "kind",
        "status",
        "billed_period",
    ]
    column_labels = {"meter__serial": _("Номер ПУ")}
    period_fields = ("billed_period",)
    filterset_class = ReadingFilterSet
    search_fields = ["meter__serial", "meter__account__number", "meter__metering_point__energy_object__code"]
    list_select_related = ("meter__account", "meter__metering_point__energy_object")
    list_export = [
        "meter.serial",
        "meter.account.number",
        "meter.metering_point.energy_object.code",
        "get_zone_display",
        "get_quantity_display",
        "value",
        "taken_on",
        "get_kind_display",
        "get_source_display",
        "get_status_display",
        "billed_period",
        "reason",
        "created_at",
    ]
    export_headings = {"meter.metering_point.energy_object.code": _("Код ЭО")}
    edit_handler = ObjectList(
        [
            FieldPanel("meter"),
            FieldRowPanel([FieldPanel("zone"), FieldPanel("quantity")]),
            FieldRowPanel([FieldPanel("value"), FieldPanel("taken_on")]),
            FieldRowPanel([FieldPanel("kind"), FieldPanel("source"), FieldPanel("status")]),
            FieldPanel("reason"),
        ],
        base_form_class=ReadingAdminForm,
    )


# --- Расчёты ----------------------------------------------------------------------


class TariffViewSet(BackofficeViewSet):
    model = Tariff
    name = "backoffice_tariffs"
    url_prefix = "backoffice/tariffs"
    icon = "tag"
    add_item_label = _("Добавить тариф")
    list_display = ["group", "zone", "rate", "valid_from", "valid_to"]
    ordering = ["group__name", "zone", "-valid_from"]
    filterset_class = TariffFilterSet
    search_fields = ["group__name", "group__code"]
    list_select_related = ("group",)
    list_export = ["group", "get_zone_display", "rate", "valid_from", "valid_to"]
    panels = [
        FieldRowPanel([FieldPanel("group"), FieldPanel("zone")]),
        FieldPanel("rate"),
        FieldRowPanel([FieldPanel("valid_from"), FieldPanel("valid_to")]),
    ]


STATS_LABELS = {
    "documents": _("Документов"),
    "corrections": _("Из них корректировок"),
    "charged": _("Начислено"),
    "readings_billed": _("Показаний учтено"),
    "estimated_registers": _("Расчётных показаний"),
    "estimates_replaced": _("Заменено расчётных показаний"),
    "allocations": _("Зачтено платежей"),
    "balances": _("Строк сальдо пересчитано"),
}


class BillingRunInspectView(BackofficeInspectView):
    def get_stats_display_value(self):
        stats = self.object.stats or {}
        if not stats:
            return EMPTY
        rows = []
        for key, value in stats.items():
            shown = format_money(value) if key == "charged" else value
            rows.append((STATS_LABELS.get(key, key), shown))
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{}: {}</li>", rows))

    def get_sections(self):
        count = self.object.documents.count()
        url = reverse(document_viewset.get_url_name("index")) + f"?billing_run={self.object.pk}"
        return [
            Section(
                title=_("Документы расчёта"),
                empty_text=_("Документов: %(count)s.") % {"count": count},
                buttons=[(_("Открыть список документов"), url, "doc-full-inverse")] if count else [],
            )
        ]


class BillingRunViewSet(ReadOnlyViewSet):
    """Runs are started from «Запустить расчёт» (billing_runs.py); the list's add button leads there."""

    model = BillingRun
    name = "backoffice_billing_runs"
    url_prefix = "backoffice/billing-runs"
    icon = "calendar-check"
    inspect_view_class = BillingRunInspectView
    list_display = [
        "period",
        "status",
        NumberColumn("documents_count", label=_("Документов"), sort_key="documents_count"),
        "started_at",
        "finished_at",
        UserColumn("started_by", label=_("Запустил")),
    ]
    list_annotations = {"documents_count": Count("documents")}
    period_fields = ("period",)
    filterset_class = BillingRunFilterSet
    list_select_related = ("started_by",)
    list_export = ["period", "get_status_display", "started_at", "finished_at", "started_by", "error"]
    inspect_view_fields = ["period", "status", "started_at", "finished_at", "started_by", "stats", "error"]
    add_item_label = _("Запустить расчёт")
    # «add» is the right to start a run (billing_runs.py checks it), so the group editor offers it.
    permission_actions = frozenset({"view", "add"})

    def get_index_view_kwargs(self, **kwargs):
        # The header button «Запустить расчёт»: Wagtail shows it to users with «add» on billing runs.
        return super().get_index_view_kwargs(add_url_name=BILLING_RUN_START_URL_NAME, **kwargs)


class DocumentInspectView(BackofficeInspectView):
    def get_sections(self):
        lines = list(self.object.lines.select_related("meter"))
        allocations = list(self.object.allocations.select_related("payment").order_by("allocated_on", "pk"))
        corrections = list(self.object.corrections.order_by("issued_on", "pk"))
        sections = [
            Section(
                title=_("Детализация"),
                table=Table(
                    [
                        Column("description", label=_("Наименование")),
                        Column("zone", label=_("Зона"), accessor="get_zone_display"),
                        Column("meter", label=_("Прибор учёта"), accessor=lambda line: line.meter or ""),
                        Column("date_from", label=_("С")),
                        Column("date_to", label=_("По")),
                        NumberColumn("consumption", label=_("Расход, кВт·ч")),
                        NumberColumn("rate", label=_("Тариф, ₽/кВт·ч")),
                        MoneyColumn("amount", label=_("Сумма")),
                        Column(
                            "is_estimated",
                            label=_("Объём"),
                            accessor=lambda line: _("расчётный") if line.is_estimated else _("по показаниям"),
                        ),
                    ],
                    lines,
                )
                if lines
                else None,
                empty_text=_("В документе нет строк."),
            ),
            Section(
                title=_("Оплата"),
                table=Table(
                    [
                        TitleColumn(
                            "payment",
                            label=_("Платёж"),
                            get_url=lambda allocation: reverse(
                                payment_viewset.get_url_name("inspect"), args=[allocation.payment_id]
                            ),
                        ),
                        Column("allocated_on", label=_("Зачтено")),
                        MoneyColumn("amount", label=_("Сумма")),
                    ],
                    allocations,
                )
                if allocations
                else None,
                empty_text=_("Платежи в счёт документа не зачитывались."),
            ),
        ]
        if corrections:
            sections.append(
                Section(
                    title=_("Корректировки"),
                    table=Table(
                        [
                            TitleColumn(
                                "number",
                                label=_("Номер"),
                                get_url=lambda doc: reverse(document_viewset.get_url_name("inspect"), args=[doc.pk]),
                            ),
                            Column("type", label=_("Тип документа"), accessor="get_type_display"),
                            Column("issued_on", label=_("Дата документа")),
                            MoneyColumn("amount", label=_("Сумма")),
                        ],
                        corrections,
                    ),
                )
            )
        return sections


class DocumentViewSet(ReadOnlyViewSet):
    model = Document
    name = "backoffice_documents"
    url_prefix = "backoffice/documents"
    icon = "doc-full-inverse"
    inspect_view_class = DocumentInspectView
    list_display = [
        "number",
        "type",
        "owner",
        "period",
        "issued_on",
        "amount",
        "amount_due",
    ]
    column_labels = {"owner": _("Лицевой счёт / договор")}
    title_nowrap = True
    money_fields = ("amount", "amount_due", "vat_amount", "opening_balance", "payments_counted", "closing_balance")
    period_fields = ("period",)
    filterset_class = DocumentFilterSet
    search_fields = ["number", "account__number", "contract__number"]
    list_select_related = ("account", "contract", "corrects", "billing_run")
    list_export = [
        "number",
        "get_type_display",
        "account.number",
        "contract.number",
        "period",
        "get_sales_kind_display",
        "issued_on",
        "amount",
        "amount_due",
        "vat_amount",
        "due_date",
        "corrects.number",
    ]
    export_headings = {"corrects.number": _("Корректирует")}


class PaymentInspectView(BackofficeInspectView):
    def get_sections(self):
        allocations = list(self.object.allocations.select_related("document").order_by("allocated_on", "pk"))
        table = Table(
            [
                TitleColumn(
                    "document",
                    label=_("Документ"),
                    get_url=lambda allocation: reverse(
                        document_viewset.get_url_name("inspect"), args=[allocation.document_id]
                    ),
                ),
                Column("allocated_on", label=_("Зачтено")),
                MoneyColumn("amount", label=_("Сумма")),
            ],
            allocations,
        )
        return [
            Section(
                title=_("Зачтено в счёт документов"),
                table=table if allocations else None,
                empty_text=_("Платёж ещё не зачтён ни в один документ."),
            )
        ]


class PaymentViewSet(ReadOnlyViewSet):
    model = Payment
    name = "backoffice_payments"
    url_prefix = "backoffice/payments"
    icon = "success"
    inspect_view_class = PaymentInspectView
    list_display = ["__str__", "owner", "channel", "amount", "unallocated", "status", "bank"]
    column_labels = {"__str__": _("Платёж"), "owner": _("Лицевой счёт / договор")}
    money_fields = ("amount", "unallocated")
    filterset_class = PaymentFilterSet
    search_fields = ["number", "provider_id", "account__number", "contract__number"]
    list_select_related = ("account", "contract")
    list_export = [
        "paid_on",
        "number",
        "account.number",
        "contract.number",
        "get_channel_display",
        "bank",
        "purpose",
        "amount",
        "unallocated",
        "get_status_display",
        "provider_id",
    ]


class BalanceViewSet(ReadOnlyViewSet):
    model = Balance
    name = "backoffice_balances"
    url_prefix = "backoffice/balances"
    icon = "decimal"
    list_display = ["owner", "sales_kind", "amount", "updated_at"]
    column_labels = {"owner": _("Лицевой счёт / договор"), "amount": _("Сальдо")}
    money_fields = ("amount",)
    ordering = ["account__number", "contract__number", "sales_kind"]
    filterset_class = BalanceFilterSet
    search_fields = ["account__number", "contract__number"]
    list_select_related = ("account", "contract")
    list_export = ["account.number", "contract.number", "get_sales_kind_display", "amount", "updated_at"]


def exchange_url(name: str, *args) -> str | None:
    """The import screens (backoffice.exchange) are mounted by the lead; link to them once they are."""
    try:
        return reverse(f"exchange:{name}", args=args)
    except NoReverseMatch:
        return None


def import_resource_title(job) -> str:
    from ..exchange.resources import RESOURCES  # import lazily: the exchange module is optional here

    resource = RESOURCES.get(job.resource)
    return str(resource.title) if resource else job.resource


class ImportJobIndexView(BackofficeIndexView):
    def get_add_url(self):
        # «Загрузить файл» opens the exchange screen, which checks the rights to the data itself.
        return exchange_url("index")


ERRORS_SHOWN = 200


class ImportJobInspectView(BackofficeInspectView):
    @cached_property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        if url := exchange_url("job", self.object.pk):
            buttons.append(Button(_("Открыть загрузку"), url=url, icon_name="upload", priority=10))
        return buttons

    def get_resource_display_value(self):
        return import_resource_title(self.object)

    def get_sections(self):
        errors = [error for error in self.object.errors or [] if isinstance(error, dict)]
        table = Table(
            [
                Column("row", label=_("Строка")),
                Column("column", label=_("Столбец")),
                Column("value", label=_("Значение")),
                Column("message", label=_("Ошибка")),
            ],
            errors[:ERRORS_SHOWN],
        )
        more = len(errors) - ERRORS_SHOWN
        buttons = []
        if errors and (url := exchange_url("job_errors", self.object.pk)):
            buttons.append((_("Скачать все ошибки (CSV)"), url, "download"))
        return [
            Section(
                title=_("Ошибки в файле"),
                table=table if errors else None,
                empty_text=(_("И ещё %(count)s в полном списке.") % {"count": more})
                if more > 0
                else ("" if errors else _("Ошибок нет.")),
                buttons=buttons,
            )
        ]


class ImportJobViewSet(ReadOnlyViewSet):
    model = ImportJob
    name = "backoffice_import_jobs"
    url_prefix = "backoffice/import-jobs"
    icon = "upload"
    index_view_class = ImportJobIndexView
    inspect_view_class = ImportJobInspectView
    add_item_label = _("Загрузить файл")
    list_display = [
        "original_name",
        Column("resource", label=_("Данные"), accessor=import_resource_title, sort_key="resource"),
        "status",
        NumberColumn("percent", label=_("Готово, %")),
        "total_rows",
        "created_rows",
        "updated_rows",
        UserColumn("created_by", label=_("Загрузил")),
        "created_at",
    ]
    filterset_class = ImportJobFilterSet
    search_fields = ["original_name", "resource"]
    list_select_related = ("created_by",)
    list_export = [
        "created_at",
        "original_name",
        "resource",
        "get_status_display",
        "dry_run",
        "total_rows",
        "processed_rows",
        "created_rows",
        "updated_rows",
        "created_by",
        "finished_at",
    ]
    inspect_view_fields = [
        "original_name",
        "resource",
        "dry_run",
        "status",
        "total_rows",
        "processed_rows",
        "created_rows",
        "updated_rows",
        "created_by",
        "created_at",
        "finished_at",
    ]


# --- Registration -------------------------------------------------------------------

customer_viewset = CustomerViewSet()
account_viewset = PersonalAccountViewSet()
contract_viewset = ContractViewSet()
contract_email_viewset = ContractEmailViewSet()
contract_attachment_viewset = ContractAttachmentViewSet()
customer_group_viewset = CustomerGroupViewSet()
branch_viewset = BranchViewSet()
curator_viewset = CuratorViewSet()
energy_object_viewset = EnergyObjectViewSet()
metering_point_viewset = MeteringPointViewSet()
meter_viewset = MeterViewSet()
reading_viewset = ReadingViewSet()
tariff_viewset = TariffViewSet(menu_order=10)
billing_run_viewset = BillingRunViewSet(menu_order=20)
document_viewset = DocumentViewSet(menu_order=30)
payment_viewset = PaymentViewSet(menu_order=40)
balance_viewset = BalanceViewSet(menu_order=50)
import_job_viewset = ImportJobViewSet(menu_order=60)


class ClientsMenu(ViewSetGroup):
    """Other apps add items here through the CLIENTS_MENU_HOOK hook (backoffice may not import them)."""

    menu_label = _("Клиенты")
    menu_name = "backoffice-clients"
    menu_icon = "group"
    menu_order = 200
    submenu_hook = CLIENTS_MENU_HOOK
    items = (
        customer_viewset,
        account_viewset,
        contract_viewset,
        customer_group_viewset,
        branch_viewset,
        curator_viewset,
    )


class MeteringMenu(ViewSetGroup):
    """Other apps add items here through the METERING_MENU_HOOK hook («Первичные акты», «Показания на проверку»)."""

    menu_label = _("Учёт")
    menu_name = "backoffice-metering"
    menu_icon = "sliders"
    menu_order = 210
    submenu_hook = METERING_MENU_HOOK
    items = (energy_object_viewset, metering_point_viewset, meter_viewset, reading_viewset)


class BillingMenu(ViewSetGroup):
    """Other modules add items here through the BILLING_MENU_HOOK hook («Запустить расчёт» has order 25)."""

    menu_label = _("Расчёты")
    menu_name = "backoffice-billing"
    menu_icon = "table"
    menu_order = 220
    submenu_hook = BILLING_MENU_HOOK
    items = (
        tariff_viewset,
        billing_run_viewset,
        document_viewset,
        payment_viewset,
        balance_viewset,
        import_job_viewset,
    )


@hooks.register("register_admin_viewset")
def register_backoffice_viewsets():
    # Choosers first: they install the widgets the forms of the other viewsets pick up.
    return [
        customer_chooser,
        account_chooser,
        contract_chooser,
        energy_object_chooser,
        metering_point_chooser,
        meter_chooser,
        ClientsMenu(),
        MeteringMenu(),
        BillingMenu(),
        contract_email_viewset,
        contract_attachment_viewset,
    ]
