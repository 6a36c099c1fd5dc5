"""«Обращения» in the Wagtail admin: the support desk (F-G7, F-I2).

- «Очередь»: the appeals the company owes an answer, the most urgent first (the clock running before the paused
  ones, then by deadline), filtered by state, topic, branch, assignee, overdue, waiting for the customer and new
  customer messages; searched by number, e-mail, organisation or text. Rows can be ticked for one step at once
  («Зарегистрировать», «Взять в работу», «Назначить», «Отклонить»), each taken by the same service as on the card.
- The card: who asks about what, the answers of the topic's form, the dialog with files, documents to sign with
  their signatures (SHA-256, signer, time, IP), internal notes, the full history, the SLA clock and the steps the
  appeal allows now; the customer's messages are marked read for the desk when a clerk opens it.
- «Сводка»: the counts of the queue, by topic and branch, SLA compliance and the customers' rating.

Rights: `view_appeal` to see the desk, `work_appeal` to take steps, answer and write notes, `assign_appeal` to
assign others. The steps are `workflows.services.appeals` and `appeals_signing`; two clerks on one appeal cannot
both win (the card and the queue send the state they showed).
"""

import datetime

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, F, OuterRef, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django_fsm import can_proceed
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column
from wagtail.admin.viewsets.base import ViewSetGroup

from backoffice.models import Branch
from backoffice.wagtail_hooks.catalog import EMPTY, BackofficeIndexView, BackofficeInspectView, ReadOnlyViewSet

from ..models import Appeal, AppealFile, AppealTopic, SignatureRequest
from ..models.appeals import ASSIGN, WORK
from ..services import appeals as service
from ..services import appeals_signing as signing
from ..services.appeals_selectors import appeal_desk_card, desk_breakdown, desk_counts, overdue_condition
from .appeals_topics import appeal_topic_viewset

State = Appeal.State
APPEALS_MENU_HOOK = "register_appeals_menu_item"
STAFF_OPEN = "staff_open"
ALL_OPEN = "open"
VIEW = "workflows.view_appeal"
TRANSITION_LABELS = {
    "submit": _("Отправлено клиентом"),
    "register": _("Зарегистрировано"),
    "start": _("Взято в работу"),
    "resolve": _("Выполнено"),
    "reject": _("Отклонено"),
    "close": _("Закрыто"),
    "reopen": _("Возобновлено клиентом"),
    "assign": _("Назначен исполнитель"),
    "rate": _("Клиент оценил решение"),
    "signature_requested": _("Запрошена подпись"),
    "signature_withdrawn": _("Запрос подписи отозван"),
    "signed": _("Документы подписаны"),
    "signed_with_protocol": _("Подписано с протоколом разногласий"),
    "signature_declined": _("Документы отклонены"),
    "signing_failed": _("Подписание не удалось"),
}
STEP_LABELS = {
    "register": _("Зарегистрировать"),
    "start": _("Взять в работу"),
    "resolve": _("Выполнено"),
    "reject": _("Отклонить"),
}
STEP_HELP = {
    "register": _("Необязательно: клиент увидит комментарий в диалоге."),
    "start": _("Необязательно: клиент увидит комментарий в диалоге."),
    "resolve": _("Ответ клиенту: он увидит его в диалоге и сможет оценить решение."),
    "reject": _("Причина отказа: её получит клиент."),
}
DONE_MESSAGES = {
    "register": _("Обращение зарегистрировано, клиент видит «Принято»."),
    "start": _("Обращение взято в работу."),
    "resolve": _("Обращение выполнено, клиенту отправлено уведомление."),
    "reject": _("Обращение отклонено, клиенту отправлена причина."),
}


def moment(value) -> str:
    return timezone.localtime(value).strftime("%d.%m.%Y %H:%M") if value else ""


def duration(delta: datetime.timedelta) -> str:
    seconds = abs(int(delta.total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    if days:
        return gettext("%(days)s д %(hours)s ч") % {"days": days, "hours": hours}
    if hours:
        return gettext("%(hours)s ч %(minutes)s мин") % {"hours": hours, "minutes": rest // 60}
    return gettext("%(minutes)s мин") % {"minutes": max(rest // 60, 1)}


def sla_status(appeal: Appeal, now=None) -> tuple[str, str]:
    """(text, family) of the SLA clock: «осталось 2 д 4 ч», «просрочено на 5 ч», «на паузе: ждём клиента»."""
    now = now or timezone.now()
    remaining = appeal.sla_remaining(now)
    if remaining is None or appeal.state == State.DRAFT:
        return EMPTY, "neutral"
    if appeal.state not in Appeal.STAFF_OPEN:
        if appeal.resolved_in_time is None:
            return EMPTY, "neutral"
        return (gettext("в срок"), "success") if appeal.resolved_in_time else (gettext("с опозданием"), "danger")
    effective_due = appeal.due_at + (now - appeal.paused_at if appeal.paused_at else datetime.timedelta())
    due = moment(effective_due)
    if appeal.paused_at is not None:
        return gettext("на паузе — ждём клиента (осталось %(left)s)") % {"left": duration(remaining)}, "warning"
    if remaining < datetime.timedelta(0):
        return gettext("просрочено на %(late)s (срок %(due)s)") % {"late": duration(remaining), "due": due}, "danger"
    return gettext("до %(due)s, осталось %(left)s") % {"due": due, "left": duration(remaining)}, "info"


def staff_workers():
    """The clerks who work appeals: the «Исполнитель» choices (superusers, and the right given directly or by a
    group); EXISTS rather than joins, so thousands of customers in the same table cost nothing."""
    user_model = get_user_model()
    permission = Permission.objects.filter(codename="work_appeal", content_type__app_label="workflows")
    direct = user_model.user_permissions.through.objects.filter(user=OuterRef("pk"), permission__in=permission)
    grouped = user_model.groups.through.objects.filter(user=OuterRef("pk"), group__permissions__in=permission)
    return (
        user_model.objects.filter(is_active=True, is_staff=True)
        .filter(Q(is_superuser=True) | Exists(direct) | Exists(grouped))
        .order_by("last_name", "first_name", "email")
    )


def topic_choices() -> list[tuple[str, str]]:
    """The classifier as a tree for the «Тема» filter, from one small query (no StreamField loaded)."""
    rows = list(AppealTopic.objects.values_list("pk", "parent_id", "name", "sort_order"))
    children: dict = {}
    for pk, parent, name, order in rows:
        children.setdefault(parent, []).append((order, name, pk))
    choices = []

    def walk(parent, depth):
        for _order, name, pk in sorted(children.get(parent, [])):
            choices.append((str(pk), "— " * depth + name))
            walk(pk, depth + 1)

    walk(None, 0)
    return choices


WORKERS_CACHE_KEY, WORKERS_CACHE_SECONDS = "workflows:appeal-workers", 60


def worker_choices(request) -> list[tuple[str, str]]:
    """(id, name) of the clerks: once per request however many selects show them, and kept a minute in the cache
    (a clerk given the right appears in the lists within a minute; the right itself is checked on every step)."""
    cached = getattr(request, "_appeal_workers", None)
    if cached is None:
        cached = cache.get(WORKERS_CACHE_KEY)
        if cached is None:
            cached = [
                (str(pk), " ".join(part for part in (last, first) if part) or email)
                for pk, last, first, email in staff_workers().values_list("pk", "last_name", "first_name", "email")
            ]
            cache.set(WORKERS_CACHE_KEY, cached, WORKERS_CACHE_SECONDS)
        request._appeal_workers = cached
    return cached


def person(user) -> str:
    if user is None:
        return EMPTY
    return user.get_full_name() or user.email


# --- The queue ----------------------------------------------------------------------------------------------------


class FastColumn(Column):
    """A cell written straight to HTML: the queue's cells are many and a template per cell is the page's main cost."""

    def cell_html(self, instance, parent_context) -> str:
        value = self.get_value(instance)
        return conditional_escape(value if value not in (None, "") else "")

    def render_cell_html(self, instance, parent_context):
        classname = f' class="{self.classname}"' if self.classname else ""
        return mark_safe(f"<td{classname}>{self.cell_html(instance, parent_context)}</td>")


class SelectColumn(FastColumn):
    """A tick box per row for the bulk steps (the form sits above the table)."""

    header_template_name = "workflows/admin/appeals_select_header.html"

    def render_cell_html(self, instance, parent_context):
        label = conditional_escape(gettext("Отметить обращение № %(number)s") % {"number": instance.number})
        return mark_safe(
            f'<td class="appeal-select"><input type="checkbox" name="appeal" value="{int(instance.pk)}" '
            f'form="appeal-bulk" data-appeal-select aria-label="{label}"></td>'
        )


class NumberColumn(FastColumn):
    """The number, linking to the card (the row's title for screen readers)."""

    def render_cell_html(self, instance, parent_context):
        url = reverse("workflows_appeals:inspect", args=[instance.pk])
        return mark_safe(
            f'<td class="w-whitespace-nowrap"><div class="title-wrapper"><a href="{url}">'
            f"{conditional_escape(instance.number)}</a></div></td>"
        )


class StateColumn(FastColumn):
    def cell_html(self, instance, parent_context):
        primary = " w-status--primary" if instance.state == State.NEW else ""
        return f'<span class="w-status{primary}">{conditional_escape(instance.get_state_display())}</span>'


class SlaColumn(FastColumn):
    def cell_html(self, instance, parent_context):
        text, family = sla_status(instance, parent_context.get("now"))
        status = {"danger": "w-status w-status--label ", "warning": "w-status "}.get(family, "")
        return f'<span class="{status}appeal-sla appeal-sla--{family}">{conditional_escape(text)}</span>'


class LastMessageColumn(FastColumn):
    def cell_html(self, instance, parent_context):
        replied = bool(
            instance.last_customer_message_at
            and (instance.staff_read_at is None or instance.staff_read_at < instance.last_customer_message_at)
            and instance.state in Appeal.OPEN
        )
        mark = f'<br><span class="w-status w-status--primary">{conditional_escape(gettext("ответ клиента"))}</span>'
        return f"{moment(instance.last_message_at)}{mark if replied else ''}"


class AppealFilterSet(WagtailFilterSet):
    state = django_filters.ChoiceFilter(
        label=_("Статус"),
        choices=[
            (STAFF_OPEN, _("Ждут ответа компании")),
            (ALL_OPEN, _("Все открытые")),
            *[(value, label) for value, label in State.choices if value != State.DRAFT],
        ],
        method="filter_state",
        empty_label=_("Все"),
        widget=forms.RadioSelect,
        initial=STAFF_OPEN,
    )
    topic = django_filters.ChoiceFilter(label=_("Тема"), method="filter_topic", empty_label=_("Все"))
    branch = django_filters.ModelChoiceFilter(label=_("Отделение"), queryset=Branch.objects.order_by("name"))
    assignee = django_filters.ChoiceFilter(label=_("Исполнитель"), method="filter_assignee", empty_label=_("Все"))
    overdue = django_filters.BooleanFilter(
        label=_("Просроченные"), method="filter_overdue", widget=forms.CheckboxInput, initial=False
    )
    waiting = django_filters.BooleanFilter(
        label=_("Ждут ответа клиента"), method="filter_waiting", widget=forms.CheckboxInput, initial=False
    )
    replied = django_filters.BooleanFilter(
        label=_("Новые сообщения клиента"), method="filter_replied", widget=forms.CheckboxInput, initial=False
    )

    class Meta:
        model = Appeal
        fields = []

    def __init__(self, data=None, *args, request=None, **kwargs):
        if data is not None and "state" not in data:
            data = data.copy()
            data["state"] = STAFF_OPEN
        super().__init__(data, *args, request=request, **kwargs)
        self.filters["topic"].extra["choices"] = topic_choices()
        self.filters["assignee"].extra["choices"] = [
            ("me", _("Мои")),
            ("none", _("Не назначены")),
            *worker_choices(request),
        ]

    @cached_property
    def now(self):
        return timezone.now()

    def filter_state(self, queryset, name, value):
        if value == STAFF_OPEN:
            return queryset.filter(state__in=Appeal.STAFF_OPEN)
        if value == ALL_OPEN:
            return queryset.filter(state__in=Appeal.OPEN)
        return queryset.filter(state=value) if value else queryset

    def filter_topic(self, queryset, name, value):
        if not value or not str(value).isdigit():
            return queryset
        return queryset.filter(Q(theme_id=value) | Q(section_id=value) | Q(topic_id=value))

    def filter_assignee(self, queryset, name, value):
        if value == "me":
            return queryset.filter(assignee=self.request.user)
        if value == "none":
            return queryset.filter(assignee__isnull=True)
        return queryset.filter(assignee_id=int(value)) if value and value.isdigit() else queryset

    def filter_overdue(self, queryset, name, value):
        return queryset.filter(overdue_condition(self.now)) if value else queryset

    def filter_waiting(self, queryset, name, value):
        return queryset.filter(state__in=Appeal.STAFF_OPEN, paused_at__isnull=False) if value else queryset

    def filter_replied(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(state__in=Appeal.OPEN, last_customer_message_at__isnull=False).filter(
            Q(staff_read_at__isnull=True) | Q(staff_read_at__lt=F("last_customer_message_at"))
        )


class BulkForm(forms.Form):
    action = forms.ChoiceField(
        label=_("С отмеченными"),
        choices=[
            ("register", _("Зарегистрировать")),
            ("start", _("Взять в работу")),
            ("assign", _("Назначить исполнителя")),
            ("reject", _("Отклонить")),
        ],
    )
    assignee = forms.TypedChoiceField(label=_("Исполнитель"), required=False, coerce=int, empty_value=None)
    comment = forms.CharField(label=_("Комментарий для клиента"), required=False, max_length=4000)

    def __init__(self, *args, request, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [("", "—"), *worker_choices(request)]

    def clean_assignee(self):
        pk = self.cleaned_data["assignee"]
        return get_user_model().objects.filter(pk=pk).first() if pk else None


QUEUE_COLUMNS = (
    "number", "state", "topic_path", "applicant", "title", "due_at", "paused_at", "resolved_in_time",
    "last_message_at", "last_customer_message_at", "staff_read_at", "rating", "branch__name",
    "assignee__email", "assignee__last_name", "assignee__first_name", "assignee__middle_name",
)  # fmt: skip


class AppealIndexView(BackofficeIndexView):
    results_template_name = "workflows/admin/appeals_index_results.html"
    template_name = "workflows/admin/appeals_index.html"

    def get_base_queryset(self):
        # The queue never shows the questions' snapshot or the answers: leave the heavy columns in the database.
        # «not a draft» spelled as a list, so the partial indexes of the queue and «Сводка» apply to its count.
        submitted = [value for value in State.values if value != State.DRAFT]
        return (
            super()
            .get_base_queryset()
            .filter(state__in=submitted)
            .only(*QUEUE_COLUMNS)  # what the rows show; the questions, answers and texts stay in the database
        )

    def order_queryset(self, queryset):
        if self.ordering and self.is_explicitly_ordered:
            return super().order_queryset(queryset)
        # The most urgent first: running clocks before paused ones, each by its deadline.
        return queryset.order_by(F("paused_at").asc(nulls_first=True), "due_at", "pk")

    @cached_property
    def no_results_message(self):
        return _("Обращений с такими условиями нет.")

    def get_context_data(self, *args, **kwargs):
        context = super().get_context_data(*args, **kwargs)
        context["now"] = timezone.now()
        context["can_work"] = self.request.user.has_perm(WORK)
        if context["can_work"]:
            context["bulk_form"] = BulkForm(request=self.request)
            context["bulk_url"] = reverse(appeal_viewset.get_url_name("bulk"))
        return context

    @property
    def columns(self):
        columns = super().columns
        if self.request.user.has_perm(WORK):
            return [SelectColumn("select", label=_("Отметить")), *columns]
        return columns


# --- The card -----------------------------------------------------------------------------------------------------


class StepForm(forms.Form):
    seen_state = forms.CharField(widget=forms.HiddenInput)
    comment = forms.CharField(
        label=_("Комментарий для клиента"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


def step_form_setup(form: StepForm, step: str) -> StepForm:
    """The comment of «Выполнено» and «Отклонить» is required: the customer reads it."""
    comment = form.fields["comment"]
    comment.help_text = STEP_HELP[step]
    comment.required = step in service.COMMENT_REQUIRED
    if comment.required:
        comment.error_messages["required"] = service.COMMENT_REQUIRED[step]
    return form


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class FilesField(forms.FileField):
    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class AnswerForm(forms.Form):
    text = forms.CharField(label=_("Сообщение клиенту"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))
    files = FilesField(label=_("Файлы"), help_text=_("PDF, JPG, PNG, DOCX, XLSX."))
    ask_customer = forms.BooleanField(
        label=_("Ждать ответа клиента"), required=False, help_text=_("Срок ответа встанет на паузу до ответа клиента.")
    )


class SignatureRequestForm(forms.Form):
    text = forms.CharField(
        label=_("Сообщение клиенту"),
        required=False,
        max_length=4000,
        initial=_("Подпишите документы"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    files = FilesField(
        label=_("Документы на подпись"), help_text=_("Клиент подпишет каждый файл простой электронной подписью.")
    )


class AssignForm(forms.Form):
    seen_assignee = forms.CharField(widget=forms.HiddenInput, required=False)
    assignee = forms.TypedChoiceField(label=_("Исполнитель"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, request, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [("", _("Не назначен")), *worker_choices(request)]

    def clean_assignee(self):
        pk = self.cleaned_data["assignee"]
        return get_user_model().objects.filter(pk=pk).first() if pk else None


class NoteForm(forms.Form):
    text = forms.CharField(label=_("Внутренняя заметка"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))


class AppealInspectView(BackofficeInspectView):
    """The desk's card of one appeal: everything about it and the steps it allows now."""

    def get_object(self, queryset=None):
        self.card = appeal_desk_card(pk=self.pk)
        if self.card.appeal.state == State.DRAFT:
            raise Http404
        return self.card.appeal

    def get_fields(self):
        return []

    @cached_property
    def can_work(self) -> bool:
        return self.request.user.has_perm(WORK)

    @cached_property
    def can_assign(self) -> bool:
        return self.request.user.has_perm(ASSIGN)

    def available_steps(self):
        if not self.can_work:
            return []
        return [step for step in STEP_LABELS if can_proceed(getattr(self.object, step), check_conditions=False)]

    def get_page_subtitle(self):
        return self.object.desk_header

    def forms(self, bound: dict | None = None) -> dict:
        bound = bound or {}
        appeal = self.object
        built = {
            "steps": [
                (
                    step,
                    STEP_LABELS[step],
                    bound.get(step) or StepForm(prefix=step, initial={"seen_state": appeal.state}),
                )
                for step in self.available_steps()
            ],
        }
        for step, _label, form in built["steps"]:
            step_form_setup(form, step)
        if self.can_work and appeal.state in Appeal.OPEN:
            built["answer"] = bound.get("answer") or AnswerForm(prefix="answer")
            built["note"] = bound.get("note") or NoteForm(prefix="note")
            if appeal.state in Appeal.STAFF_OPEN:
                built["signature"] = bound.get("signature") or SignatureRequestForm(prefix="signature")
            built["assign"] = bound.get("assign") or AssignForm(
                prefix="assign",
                request=self.request,
                initial={"seen_assignee": appeal.assignee_id or "", "assignee": appeal.assignee_id},
            )
        elif self.can_work:
            built["note"] = bound.get("note") or NoteForm(prefix="note")
        return built

    def get_context_data(self, bound=None, **kwargs):
        context = super().get_context_data(**kwargs)
        appeal, now = self.object, timezone.now()
        sla_text, sla_family = sla_status(appeal, now)
        context.update(
            {
                "appeal": appeal,
                "card": self.card,
                "notes": list(appeal.notes.select_related("author")),
                "history": [
                    (entry, TRANSITION_LABELS.get(entry.transition, entry.transition)) for entry in self.card.history
                ],
                "sla_text": sla_text,
                "sla_family": sla_family,
                "forms": self.forms(bound),
                "can_work": self.can_work,
                "can_assign": self.can_assign,
                "file_url_name": appeal_viewset.get_url_name("file"),
                "state_labels": dict(State.choices),
            }
        )
        return context

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        service.appeal_staff_mark_read(appeal=self.object, by=request.user)
        return response

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        if not self.can_work:
            raise PermissionDenied
        action = request.POST.get("action", "")
        appeal = self.object
        form = None
        try:
            if action in STEP_LABELS:
                form = step_form_setup(StepForm(request.POST, prefix=action), action)
                if not form.is_valid():
                    return self._invalid(action, form)
                service.STAFF_TRANSITIONS[action](
                    appeal=appeal,
                    by=request.user,
                    seen_state=form.cleaned_data["seen_state"],
                    comment=form.cleaned_data["comment"],
                )
                messages.success(request, DONE_MESSAGES[action])
            elif action == "answer":
                form = AnswerForm(request.POST, request.FILES, prefix="answer")
                if not form.is_valid():
                    return self._invalid(action, form)
                service.appeal_answer(
                    appeal=appeal,
                    by=request.user,
                    text=form.cleaned_data["text"],
                    files=form.cleaned_data["files"],
                    ask_customer=form.cleaned_data["ask_customer"],
                )
                messages.success(request, _("Сообщение отправлено клиенту."))
            elif action == "signature":
                form = SignatureRequestForm(request.POST, request.FILES, prefix="signature")
                if not form.is_valid():
                    return self._invalid(action, form)
                signing.appeal_signature_request(
                    appeal=appeal, by=request.user, text=form.cleaned_data["text"], files=form.cleaned_data["files"]
                )
                messages.success(request, _("Документы отправлены клиенту на подпись. Срок на паузе до его решения."))
            elif action == "withdraw":
                signature_request = get_object_or_404(SignatureRequest, appeal=appeal, pk=request.POST.get("request"))
                signing.appeal_signature_withdraw(request=signature_request, by=request.user)
                messages.success(request, _("Запрос подписи отозван."))
            elif action in ("assign", "take"):
                form = AssignForm(request.POST, prefix="assign", request=request)
                if not form.is_valid():
                    return self._invalid("assign", form)
                assignee = request.user if action == "take" else form.cleaned_data["assignee"]
                seen = form.cleaned_data["seen_assignee"]
                service.appeal_assign(
                    appeal=appeal, by=request.user, assignee=assignee, seen_assignee_id=int(seen) if seen else 0
                )
                messages.success(request, _("Исполнитель: %(name)s.") % {"name": person(assignee)})
            elif action == "note":
                form = NoteForm(request.POST, prefix="note")
                if not form.is_valid():
                    return self._invalid(action, form)
                service.appeal_note_add(appeal=appeal, by=request.user, text=form.cleaned_data["text"])
                messages.success(request, _("Заметка сохранена. Клиент её не видит."))
            elif action == "close":
                service.appeal_close(appeal=appeal, by=request.user, seen_state=request.POST.get("seen_state"))
                messages.success(request, _("Обращение закрыто."))
            else:
                return redirect(request.path)
        except (service.AppealRefused, PermissionDenied) as refusal:
            messages.error(request, str(refusal) or _("Недостаточно прав для этого шага."))
        except ValidationError as error:
            if form is not None:
                form.add_error(None, error.messages)
                return self._invalid(action if action != "take" else "assign", form)
            messages.error(request, " ".join(error.messages))
        return redirect(request.path)

    def _invalid(self, action, form):
        messages.error(self.request, _("Проверьте поля формы."))
        return self.render_to_response(self.get_context_data(bound={action: form}))


def appeal_file_view(request, pk: int):
    """A file of an appeal for staff who may see the desk."""
    if not request.user.has_perm(VIEW):
        raise PermissionDenied
    stored = get_object_or_404(AppealFile.objects.exclude(appeal__state=State.DRAFT), pk=pk)
    response = FileResponse(stored.file.open("rb"), as_attachment=True, filename=stored.name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def appeal_bulk_view(request):
    """The queue's «С отмеченными»: each appeal through the same service as on its card."""
    if request.method != "POST" or not request.user.has_perm(WORK):
        raise PermissionDenied
    form = BulkForm(request.POST, request=request)
    back = request.POST.get("next") or reverse(appeal_viewset.get_url_name("index"))
    if not back.startswith("/"):
        back = reverse(appeal_viewset.get_url_name("index"))
    ids = [int(pk) for pk in request.POST.getlist("appeal") if pk.isdigit()]
    if not ids:
        messages.error(request, _("Отметьте обращения в списке."))
        return redirect(back)
    if not form.is_valid():
        messages.error(request, _("Выберите действие."))
        return redirect(back)
    action = form.cleaned_data["action"]
    if action == "assign" and form.cleaned_data["assignee"] is None:
        messages.error(request, _("Выберите исполнителя."))
        return redirect(back)
    if action == "reject" and not form.cleaned_data["comment"].strip():
        messages.error(request, _("Укажите причину отказа: её получат клиенты."))
        return redirect(back)
    result = service.appeals_bulk(
        ids=ids,
        by=request.user,
        action=action,
        comment=form.cleaned_data["comment"],
        assignee=form.cleaned_data["assignee"],
    )
    if result["done"]:
        messages.success(
            request,
            ngettext("Готово: %(count)s обращение.", "Готово: %(count)s обращений.", len(result["done"]))
            % {"count": len(result["done"])},
        )
    for number, reason in result["refused"]:
        messages.error(request, _("№ %(number)s: %(reason)s") % {"number": number, "reason": reason})
    return redirect(back)


class AppealViewSet(ReadOnlyViewSet):
    model = Appeal
    name = "workflows_appeals"
    url_prefix = "appeals"
    icon = "mail"
    menu_label = _("Очередь")
    menu_name = "appeals-queue"
    menu_order = 10
    index_view_class = AppealIndexView
    inspect_view_class = AppealInspectView
    inspect_template_name = "workflows/admin/appeals_inspect.html"
    list_per_page = 25
    title_nowrap = True
    list_display = [
        NumberColumn("number", label=_("Номер"), sort_key="number"),
        StateColumn("state", label=_("Статус")),
        FastColumn("topic_path", label=_("Тема")),
        FastColumn("applicant", label=_("Заявитель")),
        FastColumn(
            "branch", label=_("Отделение"), accessor=lambda appeal: appeal.branch.name if appeal.branch else EMPTY
        ),
        FastColumn("assignee", label=_("Исполнитель"), accessor=lambda appeal: person(appeal.assignee)),
        SlaColumn("due_at", label=_("Срок ответа"), sort_key="due_at"),
        LastMessageColumn("last_message_at", label=_("Последнее сообщение"), sort_key="last_message_at"),
        FastColumn("rating", label=_("Оценка"), accessor=lambda appeal: f"{appeal.rating}/5" if appeal.rating else ""),
    ]
    list_select_related = ("branch", "assignee")
    filterset_class = AppealFilterSet
    search_fields = ["number", "applicant", "user__email"]
    list_export = [
        "number",
        "submitted_at",
        "get_state_display",
        "topic_path",
        "user.email",
        "contract.number",
        "account.number",
        "branch.name",
        "due_at",
        "resolved_at",
        "resolved_in_time",
        "rating",
    ]
    export_headings = {
        "user.email": _("E-mail клиента"),
        "contract.number": _("Договор"),
        "account.number": _("ЛС"),
        "branch.name": _("Отделение"),
    }

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("file/<int:pk>/", appeal_file_view, name="file"),
            path("bulk/", appeal_bulk_view, name="bulk"),
        ]

    @property
    def permission_actions(self):
        return {"view"}

    def get_permissions_to_register(self):
        # The desk's own rights appear in the group editor beside «view».
        return Permission.objects.filter(
            content_type__app_label="workflows",
            content_type__model="appeal",
            codename__in=["view_appeal", "work_appeal", "assign_appeal"],
        )


appeal_viewset = AppealViewSet()


# --- «Сводка» -----------------------------------------------------------------------------------------------------


def desk_view(request):
    """«Сводка»: the queue by state, overdue and waiting, by topic and branch; SLA and rating of the last 30 days."""
    if not request.user.has_perm(VIEW):
        raise PermissionDenied
    now = timezone.now()
    index = reverse(appeal_viewset.get_url_name("index"))
    counts = desk_counts(user=request.user, now=now)
    tiles = [
        (_("Новые"), counts["new"], f"{index}?state=new", "info"),
        (_("Зарегистрированы"), counts["registered"], f"{index}?state=registered", "info"),
        (_("Решаются"), counts["in_progress"], f"{index}?state=in_progress", "progress"),
        (_("Просрочены"), counts["overdue"], f"{index}?overdue=on", "danger"),
        (_("Ждут ответа клиента"), counts["waiting"], f"{index}?waiting=on", "warning"),
        (_("Новые сообщения клиентов"), counts["replied"], f"{index}?state=open&replied=on", "warning"),
        (_("Не назначены"), counts["unassigned"], f"{index}?assignee=none", "neutral"),
        (_("Мои"), counts["mine"], f"{index}?assignee=me", "neutral"),
        (_("Выполнены, ждут закрытия"), counts["resolved"], f"{index}?state=resolved", "success"),
    ]
    return render(
        request,
        "workflows/admin/appeals_desk.html",
        {"tiles": tiles, "breakdown": desk_breakdown(now=now), "index_url": index, "header_icon": "mail"},
    )


class DeskMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(VIEW)


class AppealsMenu(ViewSetGroup):
    """«Обращения»: the queue, «Сводка» and «Классификатор» (other modules may add through APPEALS_MENU_HOOK)."""

    menu_label = _("Обращения")
    menu_name = "appeals"
    menu_icon = "mail"
    menu_order = 205  # between «Клиенты» and «Учёт»
    submenu_hook = APPEALS_MENU_HOOK
    items = (appeal_viewset, appeal_topic_viewset)


@hooks.register("register_admin_viewset")
def register_appeal_viewsets():
    return AppealsMenu()


@hooks.register("register_admin_urls")
def register_desk_url():
    return [path("appeals-desk/", desk_view, name="workflows_appeals_desk")]


@hooks.register(APPEALS_MENU_HOOK)
def register_desk_menu_item():
    return DeskMenuItem(_("Сводка"), reverse("workflows_appeals_desk"), name="appeals-desk", icon_name="table", order=5)
