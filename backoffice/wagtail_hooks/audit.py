"""«Журнал аудита» in the Wagtail admin: every change to rights, money and state, with who, when, what and from where.

A report, not a register: the rows are written by `backoffice.services.audit.audit_record` and nothing here can
change them — the viewset is read-only (no add, edit or delete URL exists), the model refuses updates and deletes,
and on PostgreSQL a trigger refuses them to raw SQL too. Staff with `backoffice.view_auditentry` see it as its own
item of the admin menu, after «Расчёты» and «Отчёты»: it covers customers, billing and imports alike.

The list reads only the entry's own columns (the actor's and the object's names are kept on the row as they were),
so a page costs the same queries for 5 rows as for 50; filters by action, channel, dates, actor and customer; search
in the summary, the object and the actor; export to CSV/XLSX. The inspect page shows the changes as «было → стало».
"""

import django_filters
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.admin_url_finder import AdminURLFinder
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, Table, TitleColumn

from ..admin_filters import date_range_filter
from ..models import AuditEntry, Customer
from .catalog import EMPTY, BackofficeIndexView, BackofficeInspectView, ReadOnlyViewSet, Section, customer_chooser

SYSTEM = _("Система")


def when(entry) -> str:
    """«01.12.2026 14:05», in the site's time zone."""
    return date_format(timezone.localtime(entry.at), "d.m.Y H:i")


def who(entry) -> str:
    return entry.actor_repr or str(SYSTEM)


def origin(entry) -> str:
    """«Административная часть, 198.51.100.4»: the channel and, for a request, the address."""
    channel = entry.get_channel_display()
    return f"{channel}, {entry.ip_address}" if entry.ip_address else str(channel)


def is_change(value) -> bool:
    return isinstance(value, list) and len(value) == 2


def shown(value) -> str:
    return EMPTY if value is None or value == "" else str(value)


def changes_text(entry) -> str:
    """The details in one line for the export: «Адрес: ул. Ленина, 1 → ул. Мира, 2; Сумма: 100,00 ₽»."""
    parts = []
    for label, value in (entry.changes or {}).items():
        if is_change(value):
            parts.append(f"{label}: {shown(value[0])} → {shown(value[1])}")
        else:
            parts.append(f"{label}: {shown(value)}")
    return "; ".join(parts)


class WhenColumn(TitleColumn):
    """The entry's time, linked to its inspect page."""

    def get_value(self, instance):
        return when(instance)


class AuditEntryFilterSet(WagtailFilterSet):
    at = date_range_filter("at", _("Когда"))
    actor = django_filters.CharFilter(label=_("Кто (ФИО или e-mail)"), method="filter_actor")
    customer = django_filters.ModelChoiceFilter(
        label=_("Клиент"), queryset=Customer.objects.all(), widget=customer_chooser.widget_class
    )

    class Meta:
        model = AuditEntry
        fields = ["action", "channel"]

    def filter_actor(self, queryset, name, value):
        words = value.split()
        if not words:
            return queryset
        condition = Q()
        for word in words:
            condition &= Q(actor_repr__icontains=word)
        return queryset.filter(condition)


class AuditEntryIndexView(BackofficeIndexView):
    def _get_title_column(self, field_name, column_class=TitleColumn, **kwargs):
        return super()._get_title_column(field_name, WhenColumn, **kwargs)


class AuditEntryInspectView(BackofficeInspectView):
    def get_page_subtitle(self):
        return f"{when(self.object)} · {self.object.get_action_display()}"

    def get_at_display_value(self):
        return when(self.object)

    def get_actor_display_value(self):
        return who(self.object)

    def get_channel_display_value(self):
        return origin(self.object)

    def get_object_repr_display_value(self):
        """The object as it was named then, linked to its admin page when it still exists and the clerk may open it."""
        entry = self.object
        model = entry.content_type.model_class() if entry.content_type_id else None
        instance = model._default_manager.filter(pk=entry.object_id).first() if model and entry.object_id else None
        label = entry.object_repr or EMPTY
        if instance is None:
            return label
        if url := AdminURLFinder(self.request.user).get_edit_url(instance):
            return format_html('<a href="{}">{}</a>', url, label)
        return label

    def get_customer_display_value(self):
        if not self.object.customer_id:
            return EMPTY
        try:
            customer = self.object.customer
        except ObjectDoesNotExist:  # the customer was deleted later; the entry keeps its id
            return _("Клиент № %(id)s (удалён)") % {"id": self.object.customer_id}
        return self.link_to(customer)

    def get_sections(self):
        changes = self.object.changes or {}
        changed = [
            {"label": label, "old": shown(value[0]), "new": shown(value[1])}
            for label, value in changes.items()
            if is_change(value)
        ]
        details = [{"label": label, "value": shown(value)} for label, value in changes.items() if not is_change(value)]
        sections = [
            Section(
                title=_("Что изменилось"),
                table=Table(
                    [
                        Column("label", label=_("Поле")),
                        Column("old", label=_("Было")),
                        Column("new", label=_("Стало")),
                    ],
                    changed,
                )
                if changed
                else None,
                empty_text=_("Изменённых полей нет."),
            )
        ]
        if details:
            sections.append(
                Section(
                    title=_("Подробности"),
                    table=Table([Column("label", label=_("Что")), Column("value", label=_("Значение"))], details),
                )
            )
        return sections


class AuditEntryViewSet(ReadOnlyViewSet):
    model = AuditEntry
    name = "backoffice_audit"
    url_prefix = "backoffice/audit"
    icon = "history"
    menu_label = _("Журнал аудита")
    add_to_admin_menu = True
    menu_order = 235  # after «Расчёты» (220) and «Отчёты» (230)
    index_view_class = AuditEntryIndexView
    inspect_view_class = AuditEntryInspectView
    list_display = [
        "at",
        Column("actor", label=_("Кто"), accessor=who),
        Column("origin", label=_("Откуда"), accessor=origin),
        Column("action", label=_("Действие"), accessor="get_action_display", sort_key="action"),
        Column("object_repr", label=_("Объект")),
        Column("summary", label=_("Что сделано")),
    ]
    column_labels = {"at": _("Когда")}
    title_nowrap = True  # «01.12.2026 14:05» on one line
    ordering = ["-at", "-pk"]
    filterset_class = AuditEntryFilterSet
    search_fields = ["summary", "object_repr", "actor_repr"]
    list_export = [
        "when",
        "actor_repr",
        "get_channel_display",
        "ip_address",
        "get_action_display",
        "object_repr",
        "summary",
        "changes",
        "customer_id",
        "user_agent",
        "request_id",
    ]
    export_values = {"when": when, "actor_repr": who, "changes": changes_text}
    export_headings = {
        "when": _("Когда"),
        "get_channel_display": _("Откуда"),
        "customer_id": _("Клиент (id)"),
    }
    inspect_view_fields = [
        "at",
        "actor",
        "channel",
        "action",
        "object_repr",
        "customer",
        "summary",
        "user_agent",
        "request_id",
    ]


audit_entry_viewset = AuditEntryViewSet()


@hooks.register("register_admin_viewset")
def register_audit_viewset():
    return audit_entry_viewset
