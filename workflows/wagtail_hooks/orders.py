"""«Клиенты» → «Заказы услуг»: the sales staff's queue of service orders (F-F2).

The list opens on the open orders, oldest first. The order's page shows what the customer asked, the history, and
the next steps: «Принять», «Выставить счёт» (the amount; the invoice goes to the customer's documents), «Выполнен»
and «Отменить» with a reason. The steps are `workflows.services.orders`; two clerks on one order cannot both win.

Rights: `view_serviceorder` to see the queue, `change_serviceorder` to make the steps. Orders come from the portal
only, so there is no add, edit or delete. Editors have neither right: orders are customer data.
"""

import django_filters
from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.tables import Column, StatusTagColumn, Table, UserColumn

from backoffice.formatting import format_money
from backoffice.wagtail_hooks.catalog import (
    CLIENTS_MENU_HOOK,
    EMPTY,
    BackofficeIndexView,
    BackofficeInspectView,
    ReadOnlyViewSet,
    Section,
)

from ..forms import OrderCancelForm, OrderInvoiceForm, OrderStepForm
from ..models import ServiceOrder
from ..services.history import transition_log_for
from ..services.orders import (
    ServiceOrderRefused,
    service_order_accept,
    service_order_cancel,
    service_order_complete,
    service_order_invoice,
)

State = ServiceOrder.State
OPEN = "open"
TRANSITION_LABELS = {
    "submit": _("Заявка отправлена"),
    "accept": _("Принят"),
    "invoice": _("Выставлен счёт"),
    "complete": _("Выполнен"),
    "cancel": _("Отменён"),
}
STEP_FORMS = {
    "accept": OrderStepForm,
    "invoice": OrderInvoiceForm,
    "complete": OrderStepForm,
    "cancel": OrderCancelForm,
}
STEP_LABELS = {
    "accept": _("Принять"),
    "invoice": _("Выставить счёт"),
    "complete": _("Выполнен"),
    "cancel": _("Отменить"),
}
STEPS_OF_STATE = {
    State.NEW: ("accept", "cancel"),
    State.ACCEPTED: ("invoice", "cancel"),
    State.INVOICED: ("complete", "cancel"),
}


def day(value) -> str:
    return date_format(timezone.localtime(value), "d.m.Y") if value else ""


def state_title(value: str) -> str:
    return str(State(value).label) if value in State.values else EMPTY


def owner_text(order: ServiceOrder) -> str:
    return order.owner_label


def contact_text(order: ServiceOrder) -> str:
    parts = [order.contact_name, str(order.phone or ""), order.email]
    return ", ".join(part for part in parts if part) or _("только договор")


class OrderStateFilter(django_filters.ChoiceFilter):
    def filter(self, queryset, value):
        if value == OPEN:
            return queryset.filter(state__in=[State.NEW, State.ACCEPTED, State.INVOICED])
        return super().filter(queryset, value)


class ServiceOrderFilterSet(WagtailFilterSet):
    state = OrderStateFilter(
        label=_("Статус"),
        choices=[(OPEN, _("Открытые")), *State.choices],
        widget=forms.RadioSelect,
        empty_label=_("Все"),
    )
    created_at = django_filters.DateFromToRangeFilter(
        field_name="created_at__date", label=_("Дата заказа"), widget=DateRangePickerWidget
    )

    class Meta:
        model = ServiceOrder
        fields = []

    def __init__(self, data=None, *args, **kwargs):
        if data is not None and "state" not in data:
            data = data.copy()
            data["state"] = OPEN
        super().__init__(data, *args, **kwargs)


class ServiceOrderIndexView(BackofficeIndexView):
    @cached_property
    def no_results_message(self):
        if self.filters.form.data.get("state") == OPEN and not self.is_searching:
            return _("Открытых заказов нет.")
        return _("Заказов с такими условиями нет.")


class ServiceOrderInspectView(BackofficeInspectView):
    def get_object(self, queryset=None):
        queryset = ServiceOrder.objects.select_related("user", "account", "contract__customer", "invoice", "manager")
        return get_object_or_404(queryset, pk=self.pk)

    def get_price_from_display_value(self):
        return format_money(self.object.price_from) if self.object.price_from is not None else _("по запросу")

    def get_amount_display_value(self):
        return format_money(self.object.amount) if self.object.amount is not None else EMPTY

    def get_user_display_value(self):
        return self.object.user.email

    @cached_property
    def steps(self) -> tuple[str, ...]:
        if not self.user_has_permission("change"):
            return ()
        return STEPS_OF_STATE.get(self.object.state, ())

    def get_sections(self):
        history = list(transition_log_for(subject=self.object))
        table = Table(
            [
                Column(
                    "at", label=_("Когда"), accessor=lambda step: date_format(timezone.localtime(step.at), "d.m.Y H:i")
                ),
                Column(
                    "transition",
                    label=_("Действие"),
                    accessor=lambda step: TRANSITION_LABELS.get(step.transition, step.transition),
                ),
                Column("target", label=_("Статус"), accessor=lambda step: state_title(step.target)),
                UserColumn("by", label=_("Кто")),
                Column("comment", label=_("Комментарий")),
            ],
            history,
        )
        return [Section(title=_("История"), table=table if history else None, empty_text=_("Записей нет."))]

    def step_forms(self, bound=None):
        forms_by_step = {}
        for step in self.steps:
            if bound is not None and bound.prefix == step:
                forms_by_step[step] = bound
                continue
            initial = {"seen_state": self.object.state}
            if step == "invoice" and self.object.price_from is not None:
                initial["amount"] = self.object.price_from
            forms_by_step[step] = STEP_FORMS[step](prefix=step, initial=initial)
        return [{"name": step, "label": STEP_LABELS[step], "form": form} for step, form in forms_by_step.items()]

    def get_context_data(self, bound=None, **kwargs):
        context = super().get_context_data(**kwargs)
        context["steps"] = self.step_forms(bound)
        return context

    def post(self, request, *args, **kwargs):
        step = request.POST.get("step")
        if step not in self.steps:
            raise PermissionDenied
        form = STEP_FORMS[step](request.POST, prefix=step)
        if form.is_valid():
            data = form.cleaned_data
            common = {"order": self.object, "by": request.user, "seen_state": data["seen_state"]}
            try:
                if step == "accept":
                    service_order_accept(**common, comment=data["comment"])
                    messages.success(request, _("Заказ принят, клиент уведомлён."))
                elif step == "invoice":
                    order = service_order_invoice(**common, amount=data["amount"], comment=data["comment"])
                    messages.success(
                        request,
                        _("Выставлен счёт № %(number)s на %(amount)s, клиент уведомлён.")
                        % {"number": order.invoice.number, "amount": format_money(order.amount)},
                    )
                elif step == "complete":
                    service_order_complete(**common, comment=data["comment"])
                    messages.success(request, _("Заказ выполнен, клиент уведомлён."))
                else:
                    service_order_cancel(**common, reason=data["reason"])
                    messages.success(request, _("Заказ отменён, клиент уведомлён."))
                return redirect(request.path)
            except ServiceOrderRefused as refusal:
                messages.error(request, str(refusal))
                return redirect(request.path)
            except ValidationError as error:
                form.add_error(None, error)
        return self.render_to_response(self.get_context_data(bound=form))


class ServiceOrderViewSet(ReadOnlyViewSet):
    model = ServiceOrder
    name = "workflows_service_orders"
    url_prefix = "service-orders"
    icon = "list-ul"
    menu_label = _("Заказы услуг")
    menu_name = "service-orders"
    menu_order = 9
    menu_hook = CLIENTS_MENU_HOOK
    index_view_class = ServiceOrderIndexView
    inspect_view_class = ServiceOrderInspectView
    inspect_template_name = "workflows/admin/service_order_inspect.html"
    permission_actions = frozenset({"view", "change"})
    ordering = ["created_at"]
    title_nowrap = True
    list_display = [
        "number",
        Column(
            "created_at", label=_("Дата заказа"), accessor=lambda order: day(order.created_at), sort_key="created_at"
        ),
        "service_title",
        Column("owner", label=_("Договор/ЛС"), accessor=owner_text),
        Column("contact", label=_("Контакты"), accessor=contact_text),
        Column(
            "amount", label=_("Сумма счёта"), accessor=lambda order: format_money(order.amount) if order.amount else ""
        ),
        StatusTagColumn(
            "state", label=_("Статус"), accessor="get_state_display", primary=lambda order: order.state == State.NEW
        ),
    ]
    list_select_related = ("account", "contract")
    list_export = [
        "number",
        "created_at",
        "service_title",
        "contact_name",
        "phone",
        "email",
        "get_state_display",
        "amount",
    ]
    export_values = {"phone": lambda order: str(order.phone or "")}
    filterset_class = ServiceOrderFilterSet
    search_fields = [
        "number",
        "service_title",
        "contact_name",
        "email",
        "user__email",
        "contract__number",
        "account__number",
    ]
    inspect_view_fields = [
        "number",
        "created_at",
        "state",
        "service_title",
        "price_from",
        "user",
        "account",
        "contract",
        "contact_name",
        "phone",
        "email",
        "description",
        "amount",
        "invoice",
        "manager",
        "cancel_reason",
    ]


service_order_viewset = ServiceOrderViewSet()


@hooks.register("register_admin_viewset")
def register_service_order_viewset():
    return service_order_viewset
