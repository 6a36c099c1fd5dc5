"""«Клиенты» → «Заявки на активацию»: the staff queue of households that could not prove their account (F-A7).

The list opens on the «Новая» requests, oldest first, and shows beside the customer's answer what the account
really holds — the last payment and the meters — so the clerk can judge without opening anything else. The
request's page adds the history and the decision: «Одобрить» (optionally another account, by number) or
«Отклонить» with a reason. The decision itself is `workflows.services.activation`.

Rights: `view_activationrequest` to see the queue, `change_activationrequest` to decide. Requests are made by
the portal only, so there is no add, edit or delete.
"""

import django_filters
from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import OuterRef, Prefetch, Subquery
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.active_filters import ChoiceFilterAdapter, register_filter_adapter_class
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.tables import Column, StatusTagColumn, Table, UserColumn

from backoffice.formatting import format_money
from backoffice.models import Meter, Payment
from backoffice.models.choices import PaymentStatus
from backoffice.wagtail_hooks.catalog import (
    CLIENTS_MENU_HOOK,
    EMPTY,
    BackofficeIndexView,
    BackofficeInspectView,
    ReadOnlyViewSet,
    Section,
)
from selfservice.forms.staff import ActivationApproveForm, ActivationRejectForm

from ..models import ActivationRequest
from ..services.activation import ActivationRequestRefused, activation_request_approve, activation_request_reject
from ..services.history import transition_log_for

State = ActivationRequest.State
TRANSITION_LABELS = {"submit": _("Заявка подана"), "approve": _("Одобрена"), "reject": _("Отклонена")}
PORTAL_USER_INSPECT = "selfservice_portal_users:inspect"
ASSIST_CUSTOMER = "selfservice.assist_customer"


def day(value) -> str:
    return date_format(timezone.localtime(value), "d.m.Y") if value else ""


def state_title(value: str) -> str:
    return str(State(value).label) if value in State.values else EMPTY


# --- What the account really holds ------------------------------------------------


def last_payment_subquery(field: str):
    """The latest posted payment of the request's account, as `account_match` compares it."""
    payments = Payment.objects.filter(account=OuterRef("account"), status=PaymentStatus.POSTED).order_by(
        "-paid_on", "-pk"
    )
    return Subquery(payments.values(field)[:1])


def with_account_facts(queryset):
    """Requests with the last payment annotated and the meters prefetched: one query per page, not per row."""
    return queryset.annotate(
        last_payment_amount=last_payment_subquery("amount"), last_payment_on=last_payment_subquery("paid_on")
    ).prefetch_related(Prefetch("account__meters", queryset=Meter.objects.order_by("serial")))


def account_facts(request: ActivationRequest) -> str:
    """«Платёж 1 234,56 ₽ от 05.02.2020» over «ПУ 874199», or why there is nothing to compare with."""
    if request.account is None:
        return _("Счёт с таким номером не найден")
    payment = (
        _("Платёж %(amount)s от %(date)s")
        % {"amount": format_money(request.last_payment_amount), "date": request.last_payment_on.strftime("%d.%m.%Y")}
        if request.last_payment_amount is not None
        else _("Платежей нет")
    )
    serials = [meter.serial for meter in request.account.meters.all()]
    meters = _("ПУ %(serials)s") % {"serials": ", ".join(serials)} if serials else _("приборов учёта нет")
    return format_html("{}<br>{}", payment, meters)


def control_and_answer(request: ActivationRequest) -> str:
    return format_html("{}:<br><strong>{}</strong>", request.get_control_display(), request.control_answer)


# --- The queue ---------------------------------------------------------------------


class QueueStateFilter(django_filters.ChoiceFilter):
    """The state filter of the queue: «Новая» when the address does not say, «Все» when it says `state=`."""


class QueueStateFilterAdapter(ChoiceFilterAdapter):
    """Removing the «Новая» chip must show every request, so it sets `state=` instead of dropping the parameter."""

    def get_url_without_filter_param(self, param):
        query = self.query_dict.copy()
        query[param] = ""
        return self.base_url + "?" + query.urlencode()


register_filter_adapter_class(QueueStateFilter, QueueStateFilterAdapter)


class ActivationRequestFilterSet(WagtailFilterSet):
    state = QueueStateFilter(label=_("Статус"), choices=State.choices, widget=forms.RadioSelect, empty_label=_("Все"))
    control = django_filters.ChoiceFilter(
        label=_("Контрольный вопрос"),
        choices=ActivationRequest.Control.choices,
        widget=forms.RadioSelect,
        empty_label=_("Все"),
    )
    created_at = django_filters.DateFromToRangeFilter(
        field_name="created_at__date", label=_("Дата заявки"), widget=DateRangePickerWidget
    )

    class Meta:
        model = ActivationRequest
        fields = []

    def __init__(self, data=None, *args, **kwargs):
        if data is not None and "state" not in data:
            data = data.copy()
            data["state"] = State.NEW
        super().__init__(data, *args, **kwargs)


class ActivationRequestIndexView(BackofficeIndexView):
    def get_base_queryset(self):
        return with_account_facts(super().get_base_queryset())

    @cached_property
    def no_results_message(self):
        only_new = self.filters.form.data.get("state") == State.NEW and not self.is_searching
        return _("Новых заявок нет.") if only_new else _("Заявок с такими условиями нет.")


# --- The request's page: facts, history, decision -----------------------------------------------


class ActivationRequestInspectView(BackofficeInspectView):
    def get_object(self, queryset=None):
        queryset = with_account_facts(
            ActivationRequest.objects.select_related("user", "account__customer", "decided_by")
        )
        return get_object_or_404(queryset, pk=self.pk)

    def get_user_display_value(self):
        """The customer's e-mail, linked to their page under «Пользователи портала» for clerks who may open it."""
        user = self.object.user
        if not self.request.user.has_perm(ASSIST_CUSTOMER):
            return user.email
        return format_html('<a href="{}">{}</a>', reverse(PORTAL_USER_INSPECT, args=[user.pk]), user.email)

    def get_control_answer_display_value(self):
        return self.object.control_answer

    @cached_property
    def can_decide(self) -> bool:
        return self.object.state == State.NEW and self.user_has_permission("change")

    def get_sections(self):
        account = self.object.account
        facts = Table(
            [
                Column("number", label=_("Номер ЛС"), accessor=lambda request: request.account.number),
                Column("address", label=_("Адрес"), accessor=lambda request: request.account.address),
                Column("customer", label=_("Абонент"), accessor=lambda request: request.account.customer),
                Column("facts", label=_("Последний платёж и приборы учёта"), accessor=account_facts),
            ],
            [self.object],
        )
        history = list(transition_log_for(subject=self.object))
        history_table = Table(
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
        return [
            Section(
                title=_("По данным лицевого счёта"),
                table=facts if account else None,
                empty_text=_("Лицевой счёт № %(number)s не найден: при одобрении укажите номер счёта.")
                % {"number": self.object.account_number},
            ),
            Section(title=_("История"), table=history_table if history else None, empty_text=_("Записей нет.")),
        ]

    def get_context_data(self, approve_form=None, reject_form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.can_decide:
            context["approve_form"] = approve_form or ActivationApproveForm(prefix="approve")
            context["reject_form"] = reject_form or ActivationRejectForm(prefix="reject")
        return context

    def post(self, request, *args, **kwargs):
        """«Одобрить» or «Отклонить»; a bad input keeps both forms as typed, a refusal is a message."""
        if not self.user_has_permission("change"):
            raise PermissionDenied
        approving = "approve" in request.POST
        form = (ActivationApproveForm if approving else ActivationRejectForm)(
            request.POST, prefix="approve" if approving else "reject"
        )
        if form.is_valid():
            try:
                if approving:
                    decided = activation_request_approve(
                        request=self.object, by=request.user, account=form.cleaned_data["account"]
                    )
                    messages.success(
                        request,
                        _("Заявка одобрена: лицевой счёт № %(number)s подключён, клиенту отправлено письмо.")
                        % {"number": decided.account.number},
                    )
                else:
                    activation_request_reject(request=self.object, by=request.user, reason=form.cleaned_data["reason"])
                    messages.success(request, _("Заявка отклонена, клиенту отправлено письмо с причиной."))
                return redirect(reverse(activation_request_viewset.get_url_name("index")))
            except ActivationRequestRefused as refusal:
                messages.error(request, str(refusal))
                return redirect(request.path)
            except ValidationError as error:
                form.add_error(None, error)
        forms_kwargs = {"approve_form": form} if approving else {"reject_form": form}
        return self.render_to_response(self.get_context_data(**forms_kwargs))


class ActivationRequestViewSet(ReadOnlyViewSet):
    model = ActivationRequest
    name = "workflows_activation_requests"
    url_prefix = "activation-requests"
    icon = "tasks"
    menu_label = _("Заявки на активацию")
    menu_name = "activation-requests"
    menu_order = 8  # after «Пользователи портала» in «Клиенты»
    menu_hook = CLIENTS_MENU_HOOK
    index_view_class = ActivationRequestIndexView
    inspect_view_class = ActivationRequestInspectView
    inspect_template_name = "workflows/admin/activation_request_inspect.html"
    permission_actions = frozenset({"view", "change"})
    ordering = ["created_at"]  # a queue: the longest waiting first
    list_display = [
        "full_name",
        Column(
            "created_at",
            label=_("Дата заявки"),
            accessor=lambda request: day(request.created_at),
            sort_key="created_at",
        ),
        Column("email", label=_("E-mail"), accessor="user.email"),
        Column("account_number", label=_("ЛС"), sort_key="account_number"),
        Column("control", label=_("Контрольный вопрос и ответ"), accessor=control_and_answer),
        Column("facts", label=_("По данным ЛС"), accessor=account_facts),
        StatusTagColumn(
            "state", label=_("Статус"), accessor="get_state_display", primary=lambda request: request.state == State.NEW
        ),
    ]
    list_select_related = ("user", "account")
    filterset_class = ActivationRequestFilterSet
    search_fields = ["account_number", "full_name", "user__email"]
    inspect_view_fields = [
        "created_at",
        "full_name",
        "user",
        "account_number",
        "control",
        "control_answer",
        "account",
        "state",
        "reason",
        "decided_by",
        "decided_at",
    ]


activation_request_viewset = ActivationRequestViewSet()


@hooks.register("register_admin_viewset")
def register_activation_request_viewset():
    return activation_request_viewset
