"""«Контент» → «Рассылки»: editors write a newsletter or a message, choose the audience, preview and send (F-H6).

A draft is edited like any record; its page shows the letter and the notification as customers will see them,
how many people the audience holds and how many will receive it, and the buttons «Отправить» (now, or at the time
set in «Отправить»), «Вернуть в черновики», «Отменить». While it is being sent, the page shows the progress and
afterwards the counts of delivered, sent and failed — never who the recipients are: editors see no customer data.
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.admin.ui.tables import Column, StatusTagColumn, Table, UserColumn
from wagtail.admin.views.generic import CreateView, EditView

from backoffice.wagtail_hooks.catalog import EMPTY, BackofficeInspectView, BackofficeViewSet, Section
from cms.wagtail_hooks import CONTENT_MENU_HOOK

from ..models import Mailing
from ..services.history import transition_log_for
from ..services.mailings import (
    MailingRefused,
    mailing_audience_count,
    mailing_cancel,
    mailing_counts,
    mailing_schedule,
    mailing_unschedule,
)

State = Mailing.State
TRANSITION_LABELS = {
    "schedule": _("Отправка запланирована"),
    "unschedule": _("Возвращена в черновики"),
    "start": _("Отправка начата"),
    "finish": _("Отправлена"),
    "cancel": _("Отменена"),
}
ACTIONS_OF_STATE = {
    State.DRAFT: (("schedule", _("Отправить")), ("cancel", _("Отменить"))),
    State.SCHEDULED: (("unschedule", _("Вернуть в черновики")), ("cancel", _("Отменить"))),
}


def moment(value) -> str:
    return date_format(timezone.localtime(value), "d.m.Y H:i") if value else ""


def audience_text(mailing: Mailing) -> str:
    if mailing.audience == Mailing.Audience.BRANCH and mailing.branch_id:
        return f"{mailing.get_audience_display()}: {mailing.branch}"
    if mailing.audience == Mailing.Audience.GROUP and mailing.customer_group_id:
        return f"{mailing.get_audience_display()}: {mailing.customer_group}"
    return mailing.get_audience_display()


class MailingCreateView(CreateView):
    def form_valid(self, form):
        form.instance.created_by = self.request.user
        return super().form_valid(form)

    def get_success_url(self):
        return reverse(mailing_viewset.get_url_name("inspect"), args=[self.object.pk])


class MailingEditView(EditView):
    """Only a draft is edited: what is scheduled or sent stays as it went out."""

    def dispatch(self, request, *args, **kwargs):
        mailing = get_object_or_404(Mailing, pk=kwargs["pk"])
        if not mailing.is_editable:
            messages.error(request, _("Изменить можно только черновик. Верните рассылку в черновики."))
            return redirect(reverse(mailing_viewset.get_url_name("inspect"), args=[mailing.pk]))
        return super().dispatch(request, *args, **kwargs)

    def get_success_url(self):
        return reverse(mailing_viewset.get_url_name("inspect"), args=[self.object.pk])


class MailingInspectView(BackofficeInspectView):
    def get_object(self, queryset=None):
        queryset = Mailing.objects.select_related("branch", "customer_group", "attachment", "created_by")
        return get_object_or_404(queryset, pk=self.pk)

    def get_audience_display_value(self):
        return audience_text(self.object)

    def get_created_by_display_value(self):
        author = self.object.created_by
        return author.get_full_name() or author.email if author else EMPTY

    @cached_property
    def actions(self):
        if not self.user_has_permission("change"):
            return ()
        return ACTIONS_OF_STATE.get(self.object.state, ())

    def preview(self) -> dict:
        """The letter and the notification as a customer will see them."""
        mailing = self.object
        context = {
            "title": mailing.title,
            "body": mailing.body,
            "link": mailing.action_url,
            "action_label": mailing.action_label,
            "attachment": mailing.attachment,
            "settings_url": "#",
            "site_name": "Энергокабинет",
            "site_url": "",
        }
        template = "newsletter" if mailing.kind == Mailing.Kind.NEWSLETTER else "notification"
        return {"email_html": render_to_string(f"emails/{template}/body.html", context)}

    def get_sections(self):
        history = list(transition_log_for(subject=self.object))
        table = Table(
            [
                Column("at", label=_("Когда"), accessor=lambda step: moment(step.at)),
                Column(
                    "transition",
                    label=_("Действие"),
                    accessor=lambda step: TRANSITION_LABELS.get(step.transition, step.transition),
                ),
                UserColumn("by", label=_("Кто")),
            ],
            history,
        )
        return [Section(title=_("История"), table=table if history else None, empty_text=_("Записей нет."))]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        mailing = self.object
        context["actions"] = self.actions
        context["preview"] = self.preview()
        context["edit_url"] = reverse(mailing_viewset.get_url_name("edit"), args=[mailing.pk])
        if mailing.state in (State.DRAFT, State.SCHEDULED):
            context["audience_count"] = mailing_audience_count(mailing=mailing)
        else:
            context["counts"] = mailing_counts(mailing=mailing)
        return context

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action")
        if action not in {name for name, _label in self.actions}:
            raise PermissionDenied
        try:
            if action == "schedule":
                mailing = mailing_schedule(mailing=self.object, by=request.user)
                if mailing.scheduled_at > timezone.now():
                    messages.success(
                        request, _("Рассылка будет отправлена %(when)s.") % {"when": moment(mailing.scheduled_at)}
                    )
                else:
                    messages.success(request, _("Рассылка отправляется. Счётчики обновятся на этой странице."))
            elif action == "unschedule":
                mailing_unschedule(mailing=self.object, by=request.user)
                messages.success(request, _("Рассылка возвращена в черновики."))
            else:
                mailing_cancel(mailing=self.object, by=request.user)
                messages.success(request, _("Рассылка отменена."))
        except MailingRefused as refusal:
            messages.error(request, str(refusal))
        return redirect(request.path)


class MailingViewSet(BackofficeViewSet):
    model = Mailing
    name = "workflows_mailings"
    url_prefix = "mailings"
    icon = "mail"
    menu_label = _("Рассылки")
    menu_name = "mailings"
    menu_order = 30
    menu_hook = CONTENT_MENU_HOOK
    add_view_class = MailingCreateView
    edit_view_class = MailingEditView
    inspect_view_class = MailingInspectView
    inspect_template_name = "workflows/admin/mailing_inspect.html"
    allow_delete = False
    add_item_label = _("Новая рассылка")
    ordering = ["-created_at"]
    list_display = [
        "title",
        "kind",
        Column("audience", label=_("Кому"), accessor=audience_text),
        Column("scheduled_at", label=_("Отправка"), accessor=lambda mailing: moment(mailing.scheduled_at)),
        Column("recipients_total", label=_("Получателей"), accessor=lambda mailing: mailing.recipients_total or ""),
        StatusTagColumn(
            "state", label=_("Статус"), accessor="get_state_display", primary=lambda m: m.state == State.SENDING
        ),
    ]
    list_filter = ["state", "kind"]
    list_select_related = ("branch", "customer_group")
    search_fields = ["title"]
    inspect_view_fields = [
        "kind",
        "title",
        "audience",
        "display",
        "shown_until",
        "scheduled_at",
        "state",
        "created_by",
        "started_at",
        "finished_at",
    ]
    panels = [
        MultiFieldPanel(
            [FieldPanel("kind"), FieldPanel("title"), FieldPanel("body"), FieldPanel("attachment")],
            heading=_("Сообщение"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("display"),
                FieldRowPanel([FieldPanel("action_label"), FieldPanel("action_url")]),
                FieldPanel("confirm_label"),
                FieldPanel("shown_until"),
            ],
            heading=_("Показ в личном кабинете"),
            help_text=_("Для сообщений от компании. Рекламная рассылка приходит только на e-mail."),
        ),
        MultiFieldPanel(
            [FieldPanel("audience"), FieldRowPanel([FieldPanel("branch"), FieldPanel("customer_group")])],
            heading=_("Кому"),
            help_text=_(
                "Рекламную рассылку получат только давшие согласие на рекламу и не отключившие e-mail уведомления."
            ),
        ),
        MultiFieldPanel([FieldPanel("scheduled_at")], heading=_("Когда")),
    ]


mailing_viewset = MailingViewSet()


@hooks.register("register_admin_viewset")
def register_mailing_viewset():
    return mailing_viewset
