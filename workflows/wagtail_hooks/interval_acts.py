"""«Учёт» → «Первичные акты» (F-C3): the staff queue of interval files, and «Показания на проверку».

The acts list opens on those «В ожидании», the oldest first. An act's page shows the meter, the contract, what
was sent (the day totals, the file's total, the interval consumption against the integral one: «Дельта»), the
history, the download of the act, and «Принять» / «Отклонить» with the reason the customer reads. The steps are
`workflows.services.interval_acts`; `decide_intervalact` is the right to take them.

«Показания на проверку» lists the readings whose sender gave a reason for a large consumption or confirmed a
rollover (F-C1): what SAP IS-U would hold for a clerk's look.
"""

import django_filters
from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from django_fsm import can_proceed
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, StatusTagColumn, Table, UserColumn

from backoffice.exchange.formats import CONTENT_TYPES
from backoffice.models import Reading
from backoffice.models.choices import Quantity, ReadingStatus
from backoffice.readings.interval import month_title
from backoffice.readings.values import quantity_text
from backoffice.wagtail_hooks.catalog import (
    METERING_MENU_HOOK,
    BackofficeIndexView,
    BackofficeInspectView,
    ReadOnlyViewSet,
    Section,
)

from ..models import IntervalAct
from ..models.interval_acts import DECIDE
from ..services import interval_acts as service
from ..services.history import transition_log_for

State = IntervalAct.State
OPEN_FILTER = "open"
TRANSITION_LABELS = {
    "submit": _("Файл загружен"),
    "replace": _("Заменён новым файлом"),
    "accept": _("Принят"),
    "reject": _("Отклонён"),
}


def moment(value) -> str:
    return date_format(timezone.localtime(value), "d.m.Y H:i") if value else ""


class StepForm(forms.Form):
    seen_state = forms.CharField(widget=forms.HiddenInput)
    comment = forms.CharField(label=_("Комментарий для клиента"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, required_comment=True, help_text="", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["comment"].required = required_comment
        self.fields["comment"].help_text = help_text


STEPS = (
    ("accept", _("Принять"), service.interval_act_accept, False, _("Необязательно: клиент увидит его в уведомлении.")),
    ("reject", _("Отклонить"), service.interval_act_reject, True, _("Причина: её получит клиент.")),
)
DONE = {"accept": _("Первичный акт принят, клиенту отправлено уведомление."), "reject": _("Первичный акт отклонён.")}


class IntervalActFilterSet(WagtailFilterSet):
    state = django_filters.ChoiceFilter(
        label=_("Статус"),
        choices=[(OPEN_FILTER, _("В ожидании")), *[c for c in State.choices if c[0] != State.WAITING]],
        method="filter_state",
        empty_label=_("Все"),
        widget=forms.RadioSelect,
    )

    class Meta:
        model = IntervalAct
        fields = []

    def __init__(self, data=None, *args, **kwargs):
        if data is not None and "state" not in data:
            data = data.copy()
            data["state"] = OPEN_FILTER
        super().__init__(data, *args, **kwargs)

    def filter_state(self, queryset, name, value):
        if value == OPEN_FILTER:
            return queryset.filter(state=State.WAITING)
        return queryset.filter(state=value) if value else queryset


class IntervalActIndexView(BackofficeIndexView):
    @cached_property
    def no_results_message(self):
        return _("Первичных актов в ожидании нет.") if not self.is_searching else _("Актов с такими условиями нет.")


class IntervalActInspectView(BackofficeInspectView):
    def get_object(self, queryset=None):
        queryset = IntervalAct.objects.select_related(
            "meter__metering_point__energy_object__contract__customer", "uploaded_by", "decided_by"
        )
        return get_object_or_404(queryset, pk=self.pk)

    @cached_property
    def can_decide(self) -> bool:
        return self.request.user.has_perm(DECIDE)

    def available_steps(self):
        if not self.can_decide:
            return []
        return [step for step in STEPS if can_proceed(getattr(self.object, step[0]))]

    def integral_consumption(self):
        """The А+ consumption the customer's integral readings show for the act's month, for «Дельта»."""
        from backoffice.services.periods import month_end
        from backoffice.services.readings import History, period_consumption

        meter = self.object.meter
        end = month_end(self.object.period)
        history = History([meter.pk], today=end)
        total, counted = 0, False
        for zone in meter.zones:
            readings = [r for r in history.of(meter.pk, Quantity.ACTIVE_IN, zone) if r.taken_on <= end]
            opening = history.latest(readings, before=self.object.period, actual_only=False)
            in_month = [r for r in readings if r.taken_on >= self.object.period]
            if not in_month or opening is None:
                return None
            total += period_consumption(meter, opening, in_month[-1].value)
            counted = True
        return total if counted else None

    def get_sections(self):
        act = self.object
        days = list(act.values.values("day").annotate(total=Sum("value")).order_by("day"))
        integral = self.integral_consumption()
        summary = Table(
            [Column("label", label=_("Что"), accessor="label"), Column("value", label=_("Значение"), accessor="value")],
            [
                {"label": _("Договор"), "value": act.meter.metering_point.energy_object.contract.number},
                {"label": _("Энергообъект"), "value": act.meter.metering_point.energy_object.code},
                {"label": _("Прибор учёта"), "value": f"ПУ {act.meter.serial} • {act.meter.metering_point.name}"},
                {"label": _("Период"), "value": month_title(act.period)},
                {"label": _("Вид показаний"), "value": act.get_kind_display()},
                {"label": _("Введённый расход"), "value": quantity_text(act.total)},
                {"label": _("Расход интерв."), "value": quantity_text(act.consumption)},
                {
                    "label": _("Расход (интегральный)"),
                    "value": quantity_text(integral) if integral is not None else "—",
                },
                {
                    "label": _("Дельта"),
                    "value": quantity_text(integral - act.consumption) if integral is not None else "—",
                },
            ],
        )
        by_day = Table(
            [
                Column("day", label=_("Дата"), accessor=lambda row: row["day"].strftime("%d.%m.%Y")),
                Column("total", label=_("Расход за сутки"), accessor=lambda row: quantity_text(row["total"])),
            ],
            days,
        )
        history = list(transition_log_for(subject=act))
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
        download = reverse("workflows_interval_act_download", args=[act.pk])
        return [
            Section(title=_("Первичный акт"), table=summary, buttons=[(_("Скачать акт"), download, "download")]),
            Section(title=_("Расход по суткам"), table=by_day, empty_text=_("Значений нет.")),
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
        transition, _label, step_service, required, help_text = step
        form = StepForm(request.POST, prefix=transition, required_comment=required, help_text=help_text)
        if form.is_valid():
            try:
                step_service(
                    act=self.object,
                    by=request.user,
                    seen_state=form.cleaned_data["seen_state"],
                    comment=form.cleaned_data["comment"],
                )
            except service.ActRefused as refusal:
                messages.error(request, str(refusal))
                return redirect(request.path)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, DONE[transition])
                return redirect(reverse(interval_act_viewset.get_url_name("index")))
        return self.render_to_response(self.get_context_data(bound=form))


class IntervalActViewSet(ReadOnlyViewSet):
    model = IntervalAct
    name = "workflows_interval_acts"
    url_prefix = "interval-acts"
    icon = "table"
    menu_label = _("Первичные акты")
    menu_name = "interval-acts"
    menu_order = 50
    menu_hook = METERING_MENU_HOOK
    index_view_class = IntervalActIndexView
    inspect_view_class = IntervalActInspectView
    inspect_template_name = "workflows/admin/interval_act_inspect.html"
    permission_actions = frozenset({"view"})
    ordering = ["created_at"]  # a queue: the longest waiting first
    list_display = [
        Column("meter", label=_("ПУ"), accessor="meter.serial"),
        Column("contract", label=_("Договор"), accessor="meter.metering_point.energy_object.contract.number"),
        Column("period", label=_("Период"), accessor=lambda act: month_title(act.period), sort_key="period"),
        Column("consumption", label=_("Расход интерв."), accessor=lambda act: quantity_text(act.consumption)),
        Column("created_at", label=_("Загружен"), accessor=lambda act: moment(act.created_at), sort_key="created_at"),
        StatusTagColumn("state", label=_("Статус"), accessor="get_state_display", primary=lambda act: act.is_open),
    ]
    list_select_related = ("meter__metering_point__energy_object__contract",)
    filterset_class = IntervalActFilterSet
    search_fields = ["meter__serial", "meter__metering_point__energy_object__contract__number"]
    inspect_view_fields = [
        "created_at",
        "meter",
        "period",
        "kind",
        "total",
        "consumption",
        "state",
        "uploaded_by",
        "original_name",
        "decided_by",
        "decided_at",
        "reason",
    ]


interval_act_viewset = IntervalActViewSet()


class FlaggedReadingIndexView(BackofficeIndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().exclude(reason="").filter(status=ReadingStatus.ACCEPTED)

    @cached_property
    def no_results_message(self):
        return _("Показаний с причиной большого расхода или переходом через ноль нет.")


class FlaggedReadingViewSet(ReadOnlyViewSet):
    model = Reading
    name = "workflows_flagged_readings"
    url_prefix = "flagged-readings"
    icon = "warning"
    menu_label = _("Показания на проверку")
    menu_name = "flagged-readings"
    menu_order = 55
    menu_hook = METERING_MENU_HOOK
    index_view_class = FlaggedReadingIndexView
    permission_actions = frozenset({"view"})
    ordering = ["-created_at"]
    list_display = [
        Column("meter", label=_("ПУ"), accessor="meter.serial"),
        Column("taken_on", label=_("Дата"), accessor=lambda r: r.taken_on.strftime("%d.%m.%Y"), sort_key="taken_on"),
        Column("register", label=_("Шкала"), accessor=lambda r: f"{r.get_quantity_display()} {r.get_zone_display()}"),
        Column("value", label=_("Показание"), accessor="value"),
        Column("reason", label=_("Причина"), accessor="reason"),
        UserColumn("submitted_by", label=_("Передал")),
        Column("created_at", label=_("Принято"), accessor=lambda r: moment(r.created_at), sort_key="created_at"),
    ]
    list_select_related = ("meter", "submitted_by")
    search_fields = ["meter__serial", "reason"]
    inspect_view_fields = [
        "meter",
        "zone",
        "quantity",
        "value",
        "taken_on",
        "kind",
        "source",
        "reason",
        "submitted_by",
        "created_at",
    ]

    def register_admin_url_finder(self):
        """Links to a reading elsewhere in the admin keep going to «Учёт» → «Показания», not to this list."""


flagged_reading_viewset = FlaggedReadingViewSet()


def interval_act_download(request, pk: int):
    """The act as .xlsx for staff who may see the acts."""
    if not request.user.has_perm("workflows.view_intervalact"):
        raise PermissionDenied
    act = get_object_or_404(
        IntervalAct.objects.select_related("meter__metering_point__energy_object__contract__customer"), pk=pk
    )
    response = HttpResponse(service.interval_act_workbook(act=act), content_type=CONTENT_TYPES["xlsx"])
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=service.interval_act_filename(act)
    )
    return response


@hooks.register("register_admin_urls")
def register_interval_act_urls():
    return [
        path("interval-acts/<int:pk>/download/", interval_act_download, name="workflows_interval_act_download"),
    ]


@hooks.register("register_admin_viewset")
def register_interval_act_viewsets():
    return [interval_act_viewset, flagged_reading_viewset]
