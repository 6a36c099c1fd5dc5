"""«Расчёты» → «Оплаты картой» and «Уведомления эквайера» (F-E2, F-I2): what customers paid through the acquirer,
what is still «В процессе» (the reconciliation job asks the bank every five minutes), what was declined and why,
and every notification the bank sent — the refused ones (wrong signature, amount, currency) first to look at.

Read-only: only the acquiring services write these rows.
"""

import django_filters
from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.menu import MenuItem

from ..admin_filters import date_range_filter
from ..models import AcquirerCallback, AcquiringOrder
from ..services.acquiring import STUCK_AFTER
from .catalog import BILLING_MENU_HOOK, ReadOnlyViewSet


class AcquiringOrderFilterSet(WagtailFilterSet):
    created_at = date_range_filter("created_at", _("Создан"))
    stuck = django_filters.BooleanFilter(
        label=_("Зависли «В процессе»"), method="filter_stuck", widget=forms.CheckboxInput, initial=False
    )

    class Meta:
        model = AcquiringOrder
        fields = ["status", "purpose", "mode", "provider"]

    def filter_stuck(self, queryset, name, value):
        """«В процессе» longer than the reconciliation waits (the dashboard's count of stuck payments, F-I2)."""
        if not value:
            return queryset
        return queryset.filter(status=AcquiringOrder.Status.PENDING, created_at__lt=timezone.now() - STUCK_AFTER)


class AcquiringOrderViewSet(ReadOnlyViewSet):
    model = AcquiringOrder
    name = "backoffice_acquiring_orders"
    url_prefix = "backoffice/acquiring-orders"
    icon = "form"
    add_to_admin_menu = False
    menu_label = _("Оплаты картой")
    list_display = ["reference", "purpose", "amount", "status", "card_mask", "created_at", "decline_reason"]
    column_labels = {"reference": _("Номер заказа")}
    money_fields = ("amount",)
    title_nowrap = True
    filterset_class = AcquiringOrderFilterSet
    search_fields = ["reference", "provider_order_id", "payment__contract__number", "payment__account__number"]
    list_select_related = ("payment", "user")
    list_export = [
        "reference",
        "get_purpose_display",
        "get_mode_display",
        "provider",
        "provider_order_id",
        "amount",
        "get_status_display",
        "card_mask",
        "decline_reason",
        "created_at",
        "completed_at",
        "checked_at",
    ]


class AcquirerCallbackFilterSet(WagtailFilterSet):
    received_at = date_range_filter("received_at", _("Получено"))

    class Meta:
        model = AcquirerCallback
        fields = ["outcome", "provider"]


class AcquirerCallbackViewSet(ReadOnlyViewSet):
    model = AcquirerCallback
    name = "backoffice_acquirer_callbacks"
    url_prefix = "backoffice/acquirer-callbacks"
    icon = "warning"
    add_to_admin_menu = False
    menu_label = _("Уведомления эквайера")
    list_display = ["__str__", "order", "outcome", "detail", "received_at", "remote_addr"]
    column_labels = {"__str__": _("Уведомление")}
    filterset_class = AcquirerCallbackFilterSet
    search_fields = ["event_id", "order__reference", "detail"]
    list_select_related = ("order",)
    list_export = ["received_at", "provider", "event", "event_id", "order.reference", "get_outcome_display", "detail"]


acquiring_order_viewset = AcquiringOrderViewSet()
acquirer_callback_viewset = AcquirerCallbackViewSet()


class ViewSetMenuItem(MenuItem):
    """A menu item of «Расчёты» shown to staff who may view the viewset's model."""

    def __init__(self, viewset, order: int):
        self.viewset = viewset
        super().__init__(
            viewset.menu_label,
            reverse(viewset.get_url_name("index")),
            name=viewset.name,
            icon_name=viewset.icon,
            order=order,
        )

    def is_shown(self, request):
        return self.viewset.permission_policy.user_has_permission(request.user, "view")


@hooks.register("register_admin_viewset")
def register_acquiring_viewsets():
    return [acquiring_order_viewset, acquirer_callback_viewset]


@hooks.register(BILLING_MENU_HOOK)
def register_acquiring_orders_menu_item():
    return ViewSetMenuItem(acquiring_order_viewset, order=45)  # after «Платежи» (40)


@hooks.register(BILLING_MENU_HOOK)
def register_acquirer_callbacks_menu_item():
    return ViewSetMenuItem(acquirer_callback_viewset, order=46)
