"""The admin dashboard (F-I2): the queues with their counts, each a link to the listing filtered to those rows.

One panel on the Wagtail home («Очереди») holds a card per queue the staff member may see — each card only with
the view permission of its model:

- «Обращения» (`workflows.view_appeal`): by state, overdue, waiting for the customer, mine, and «Сводка»;
- «Заявки на активацию ЛС» (`workflows.view_activationrequest`): «Новая»;
- «Роль «Администратор»» (`workflows.view_administratorrequest`): «Новая», «Запрошены документы»;
- «Заказы услуг» (`workflows.view_serviceorder`): «Новый», «Принят», «Выставлен счёт»;
- «Первичные акты» (`workflows.view_intervalact`): «В ожидании»;
- «Оплаты картой» (`backoffice.view_acquiringorder`): stuck «В процессе», declined in the last 7 days;
- «Загрузка данных» (`backoffice.view_importjob`): queued, running with their progress, failed and crashed;
- «Показания» (`backoffice.view_reading`): per customer group, «передано X из Y» of the period.

The counts are `workflows.services.dashboard_selectors` (one aggregate query per model, nothing cached); the links
carry the filters of each listing's FilterSet, so a link opens exactly the rows its count counted.
"""

from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.components import Component

from backoffice.models import ImportJob
from backoffice.services.periods import period_title

from ..models import ActivationRequest, AdministratorRequest, Appeal, IntervalAct, ServiceOrder
from ..services import dashboard_selectors as selectors


def listing(name: str, **params) -> str:
    url = reverse(f"{name}:index")
    return f"{url}?{urlencode(params)}" if params else url


def iso(day) -> str:
    return day.isoformat()


class QueueCard(Component):
    """One queue: a title, its counts as links, and optionally more below (`extra_template`)."""

    template_name = "workflows/admin/dashboard/card.html"
    permission = ""
    title = ""
    slug = ""
    extra_template = ""

    def __init__(self, request, now):
        self.request, self.now, self.today = request, now, timezone.localdate(now)

    def counts(self) -> list[dict]:
        raise NotImplementedError

    def extra(self) -> dict:
        return {}

    def get_context_data(self, parent_context):
        return {
            "title": self.title,
            "slug": self.slug,
            "counts": self.counts(),
            "extra_template": self.extra_template,
            **self.extra(),
        }


def count(label, value, url, *, alert=False) -> dict:
    """A count of the card: `alert` marks a count that should be zero (overdue, stuck, failed) when it is not."""
    return {"label": label, "value": value, "url": url, "alert": alert and bool(value)}


class AppealsCard(QueueCard):
    permission = "workflows.view_appeal"
    title = _("Обращения")
    slug = "appeals"

    def counts(self):
        c = selectors.appeal_counts(user=self.request.user, now=self.now)
        index = "workflows_appeals"
        State = Appeal.State
        return [
            count(State.NEW.label, c["new"], listing(index, state=State.NEW)),
            count(State.REGISTERED.label, c["registered"], listing(index, state=State.REGISTERED)),
            count(State.IN_PROGRESS.label, c["in_progress"], listing(index, state=State.IN_PROGRESS)),
            count(_("Просрочено"), c["overdue"], listing(index, overdue="on"), alert=True),
            count(_("Ждут ответа клиента"), c["waiting"], listing(index, waiting="on")),
            count(_("Не назначены"), c["unassigned"], listing(index, assignee="none")),
            count(_("Мои"), c["mine"], listing(index, assignee="me")),
            count(State.RESOLVED.label, c["resolved"], listing(index, state=State.RESOLVED)),
        ]

    def extra(self):
        return {"more_url": reverse("workflows_appeals_desk"), "more_label": _("Сводка по обращениям")}


class ActivationCard(QueueCard):
    permission = "workflows.view_activationrequest"
    title = _("Заявки на активацию ЛС")
    slug = "activation"

    def counts(self):
        State = ActivationRequest.State
        c = selectors.activation_request_counts()
        return [count(State.NEW.label, c["new"], listing("workflows_activation_requests", state=State.NEW))]


class AdministratorRequestsCard(QueueCard):
    permission = "workflows.view_administratorrequest"
    title = _("Запросы роли «Администратор»")
    slug = "administrator-requests"

    def counts(self):
        State = AdministratorRequest.State
        c = selectors.administrator_request_counts()
        index = "workflows_administrator_requests"
        return [
            count(State.NEW.label, c["new"], listing(index, state=State.NEW)),
            count(State.WAITING.label, c["waiting"], listing(index, state=State.WAITING)),
        ]


class ServiceOrdersCard(QueueCard):
    permission = "workflows.view_serviceorder"
    title = _("Заказы услуг")
    slug = "service-orders"

    def counts(self):
        State = ServiceOrder.State
        c = selectors.service_order_counts()
        index = "workflows_service_orders"
        return [
            count(State.NEW.label, c["new"], listing(index, state=State.NEW)),
            count(State.ACCEPTED.label, c["accepted"], listing(index, state=State.ACCEPTED)),
            count(State.INVOICED.label, c["invoiced"], listing(index, state=State.INVOICED)),
        ]


class IntervalActsCard(QueueCard):
    permission = "workflows.view_intervalact"
    title = _("Первичные акты")
    slug = "interval-acts"

    def counts(self):
        c = selectors.interval_act_counts()
        return [count(IntervalAct.State.WAITING.label, c["waiting"], listing("workflows_interval_acts", state="open"))]


class PaymentsCard(QueueCard):
    permission = "backoffice.view_acquiringorder"
    title = _("Оплаты картой")
    slug = "payments"

    def counts(self):
        c = selectors.acquiring_order_counts(now=self.now)
        index = "backoffice_acquiring_orders"
        since = selectors.recent_since(self.today)
        return [
            count(
                _("Зависли «В процессе» дольше %(minutes)s мин") % {"minutes": selectors.stuck_minutes()},
                c["stuck"],
                listing(index, stuck="on"),
                alert=True,
            ),
            count(
                _("Отклонены за 7 дней"),
                c["declined"],
                listing(index, status="declined", created_at_from=iso(since)),
                alert=True,
            ),
        ]


class ImportsCard(QueueCard):
    permission = "backoffice.view_importjob"
    title = _("Загрузка данных")
    slug = "imports"
    extra_template = "workflows/admin/dashboard/imports.html"

    @cached_property
    def data(self) -> dict:
        return selectors.import_job_counts(today=self.today)

    def counts(self):
        c = self.data
        Status = ImportJob.Status
        index = "backoffice_import_jobs"
        since = iso(selectors.recent_since(self.today))
        return [
            count(Status.QUEUED.label, c["queued"], listing(index, status=Status.QUEUED)),
            count(Status.RUNNING.label, c["running"], listing(index, status=Status.RUNNING)),
            count(
                _("Ошибки в файле за 7 дней"),
                c["failed"],
                listing(index, status=Status.FAILED, created_at_from=since),
                alert=True,
            ),
            count(
                _("Сбой за 7 дней"),
                c["crashed"],
                listing(index, status=Status.CRASHED, created_at_from=since),
                alert=True,
            ),
        ]

    def extra(self):
        from backoffice.exchange.resources import RESOURCES

        jobs = [
            {
                "job": job,
                "title": str(RESOURCES[job.resource].title) if job.resource in RESOURCES else job.resource,
                "url": reverse("exchange:job", args=[job.pk]),
            }
            for job in self.data["running_jobs"]
        ]
        return {"running_jobs": jobs, "running_more": self.data["running"] - len(jobs)}


class ReadingsCard(QueueCard):
    permission = "backoffice.view_reading"
    title = _("Показания")
    slug = "readings"
    extra_template = "workflows/admin/dashboard/readings.html"

    def counts(self):
        return []

    def extra(self):
        rows = []
        for progress in selectors.readings_progress(today=self.today):
            window = progress.window
            rows.append(
                {
                    "progress": progress,
                    "period": period_title(window.period),
                    "url": listing(
                        "backoffice_readings",
                        taken_on_from=iso(window.period),
                        taken_on_to=iso(progress.period_end),
                        status="accepted",
                    ),
                }
            )
        return {"readings": rows}


CARDS = (
    AppealsCard,
    ActivationCard,
    AdministratorRequestsCard,
    ServiceOrdersCard,
    IntervalActsCard,
    PaymentsCard,
    ImportsCard,
    ReadingsCard,
)


class QueuesPanel(Component):
    """«Очереди» on the admin home: the cards of the queues the user may see."""

    name = "queues"
    template_name = "workflows/admin/dashboard/panel.html"
    order = 50  # above Wagtail's own panels (pages to moderate, recent edits)

    def __init__(self, cards):
        self.cards = cards

    def get_context_data(self, parent_context):
        return {"cards": self.cards}


def cards_for(request) -> list[QueueCard]:
    now = timezone.now()
    return [card(request, now) for card in CARDS if request.user.has_perm(card.permission)]


@hooks.register("construct_homepage_panels")
def add_queues_panel(request, panels):
    cards = cards_for(request)
    if cards:
        panels.append(QueuesPanel(cards))
