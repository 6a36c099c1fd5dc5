"""«Клиенты» → «Запросы роли Администратор» (F-B5): the staff queue of «Запросить доступ».

The list opens on the open requests (Новая, Запрошены документы), the longest waiting first. The request's
page shows the contract, who already holds it and in which roles, the dialog with the customer and the
history, and the steps the request allows now: «Запросить документы», «Выдать роль», «Отказать» and, once
granted, «Отозвать роль». The steps themselves are `workflows.services.grants`.

Rights: `view_administratorrequest` to see the queue, `decide_administratorrequest` to take the steps.
"""

import django_filters
from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django_fsm import can_proceed
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, StatusTagColumn, Table, UserColumn

from backoffice.wagtail_hooks.catalog import (
    CLIENTS_MENU_HOOK,
    BackofficeIndexView,
    BackofficeInspectView,
    ReadOnlyViewSet,
    Section,
)
from selfservice.models import ContractRole

from ..models import AdministratorRequest
from ..models.grants import DECIDE
from ..services import grants
from ..services.history import transition_log_for

State = AdministratorRequest.State
TRANSITION_LABELS = {
    "submit": _("Запрос отправлен"),
    "ask_documents": _("Запрошены документы"),
    "documents_sent": _("Клиент ответил"),
    "grant": _("Роль выдана"),
    "refuse": _("Отказано"),
    "revoke": _("Роль отозвана"),
}
OPEN_FILTER = "open"


def moment(value) -> str:
    return date_format(timezone.localtime(value), "d.m.Y H:i") if value else ""


class StepForm(forms.Form):
    """One staff step; `seen_state` is the state the clerk saw, so a step taken meanwhile by another loses."""

    seen_state = forms.CharField(widget=forms.HiddenInput)
    comment = forms.CharField(label=_("Комментарий для клиента"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, required_comment=True, help_text="", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["comment"].required = required_comment
        self.fields["comment"].help_text = help_text


# (transition, button label, service, whether the comment is required, what the comment is for)
STEPS = (
    ("ask_documents", _("Запросить документы"), grants.administrator_request_ask_documents, True,
     _("Какие документы нужны, например доверенность на представителя.")),
    ("grant", _("Выдать роль"), grants.administrator_request_grant, False,
     _("Необязательно: клиент увидит его в обращении.")),
    ("refuse", _("Отказать"), grants.administrator_request_refuse, True, _("Причина отказа: её получит клиент.")),
    ("revoke", _("Отозвать роль"), grants.administrator_request_revoke, True, _("Причина: её получит клиент.")),
)  # fmt: skip
DONE_MESSAGES = {
    "ask_documents": _("Клиенту отправлен запрос документов."),
    "grant": _("Роль «Администратор» выдана, клиенту отправлено письмо."),
    "refuse": _("В роли отказано, клиенту отправлено письмо с причиной."),
    "revoke": _("Роль «Администратор» отозвана, клиенту отправлено письмо."),
}


class AdministratorRequestFilterSet(WagtailFilterSet):
    state = django_filters.ChoiceFilter(
        label=_("Статус"),
        choices=[(OPEN_FILTER, _("Открытые")), *State.choices],
        method="filter_state",
        empty_label=_("Все"),
        widget=forms.RadioSelect,
    )

    class Meta:
        model = AdministratorRequest
        fields = []

    def __init__(self, data=None, *args, **kwargs):
        if data is not None and "state" not in data:
            data = data.copy()
            data["state"] = OPEN_FILTER
        super().__init__(data, *args, **kwargs)

    def filter_state(self, queryset, name, value):
        if value == OPEN_FILTER:
            return queryset.filter(state__in=AdministratorRequest.OPEN)
        return queryset.filter(state=value) if value else queryset


class AdministratorRequestIndexView(BackofficeIndexView):
    @cached_property
    def no_results_message(self):
        return _("Открытых запросов нет.") if not self.is_searching else _("Запросов с такими условиями нет.")


class AdministratorRequestInspectView(BackofficeInspectView):
    def get_object(self, queryset=None):
        queryset = AdministratorRequest.objects.select_related("user", "contract__customer", "decided_by")
        return get_object_or_404(queryset, pk=self.pk)

    def get_user_display_value(self):
        user = self.object.user
        return f"{user.get_full_name()} <{user.email}>" if user.get_full_name() else user.email

    def get_text_display_value(self):
        return self.object.text

    @cached_property
    def can_decide(self) -> bool:
        return self.request.user.has_perm(DECIDE)

    def available_steps(self):
        if not self.can_decide:
            return []
        return [step for step in STEPS if can_proceed(getattr(self.object, step[0]))]

    def get_sections(self):
        holders = ContractRole.objects.filter(contract=self.object.contract).select_related("user")
        holders_table = Table(
            [
                Column("user", label=_("Пользователь"), accessor=lambda role: role.user.email),
                Column("role", label=_("Роль"), accessor="get_role_display"),
                Column("created_at", label=_("С"), accessor=lambda role: moment(role.created_at)),
            ],
            list(holders),
        )
        dialog = list(self.object.messages.select_related("author"))
        dialog_table = Table(
            [
                Column("created_at", label=_("Когда"), accessor=lambda message: moment(message.created_at)),
                Column(
                    "author",
                    label=_("Кто"),
                    accessor=lambda m: _("Администратор") if m.from_staff else _("Клиент"),
                ),
                Column("text", label=_("Сообщение")),
                Column("file", label=_("Файл"), accessor=lambda message: message.file_name or "—"),
            ],
            dialog,
        )
        history = list(transition_log_for(subject=self.object))
        history_table = Table(
            [
                Column("at", label=_("Когда"), accessor=lambda step: moment(step.at)),
                Column("transition", label=_("Действие"), accessor=lambda s: TRANSITION_LABELS.get(s.transition, "")),
                Column("target", label=_("Статус"), accessor=lambda step: State(step.target).label),
                UserColumn("by", label=_("Кто")),
                Column("comment", label=_("Комментарий")),
            ],
            history,
        )
        return [
            Section(title=_("Пользователи договора"), table=holders_table, empty_text=_("Договор ни у кого.")),
            Section(title=_("Переписка"), table=dialog_table if dialog else None, empty_text=_("Сообщений нет.")),
            Section(title=_("История"), table=history_table if history else None, empty_text=_("Записей нет.")),
        ]

    def get_context_data(self, bound=None, **kwargs):
        context = super().get_context_data(**kwargs)
        context["step_forms"] = [
            (
                transition,
                label,
                bound
                if bound is not None and bound.prefix == transition
                else StepForm(
                    prefix=transition,
                    initial={"seen_state": self.object.state},
                    required_comment=required,
                    help_text=help_text,
                ),
            )
            for transition, label, _service, required, help_text in self.available_steps()
        ]
        return context

    def post(self, request, *args, **kwargs):
        if not self.can_decide:
            raise PermissionDenied
        step = next((step for step in STEPS if step[0] in request.POST), None)
        if step is None:
            return redirect(request.path)
        transition, _label, service, required, help_text = step
        form = StepForm(request.POST, prefix=transition, required_comment=required, help_text=help_text)
        if form.is_valid():
            try:
                service(
                    request=self.object,
                    by=request.user,
                    seen_state=form.cleaned_data["seen_state"],
                    comment=form.cleaned_data["comment"],
                )
            except grants.GrantRefused as refusal:
                messages.error(request, str(refusal))
                return redirect(request.path)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, DONE_MESSAGES[transition])
                return redirect(reverse(administrator_request_viewset.get_url_name("index")))
        return self.render_to_response(self.get_context_data(bound=form))


class AdministratorRequestViewSet(ReadOnlyViewSet):
    model = AdministratorRequest
    name = "workflows_administrator_requests"
    url_prefix = "administrator-requests"
    icon = "key"
    menu_label = _("Запросы роли Администратор")
    menu_name = "administrator-requests"
    menu_order = 9  # after «Заявки на активацию» in «Клиенты»
    menu_hook = CLIENTS_MENU_HOOK
    index_view_class = AdministratorRequestIndexView
    inspect_view_class = AdministratorRequestInspectView
    inspect_template_name = "workflows/admin/administrator_request_inspect.html"
    permission_actions = frozenset({"view"})
    ordering = ["updated_at"]  # a queue: the longest waiting first
    list_display = [
        Column("contract", label=_("Договор"), accessor="contract.number"),
        Column("customer", label=_("Организация"), accessor=lambda r: r.contract.customer.display_name),
        Column("email", label=_("E-mail"), accessor="user.email"),
        Column("created_at", label=_("Создан"), accessor=lambda r: moment(r.created_at), sort_key="created_at"),
        Column("updated_at", label=_("Изменён"), accessor=lambda r: moment(r.updated_at), sort_key="updated_at"),
        StatusTagColumn("state", label=_("Статус"), accessor="get_state_display", primary=lambda r: r.is_open),
    ]
    list_select_related = ("user", "contract__customer")
    filterset_class = AdministratorRequestFilterSet
    search_fields = ["contract__number", "user__email", "contract__customer__full_name"]
    inspect_view_fields = ["created_at", "user", "contract", "text", "state", "decided_by", "decided_at"]


administrator_request_viewset = AdministratorRequestViewSet()


@hooks.register("register_admin_viewset")
def register_administrator_request_viewset():
    return administrator_request_viewset
