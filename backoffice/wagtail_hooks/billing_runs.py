"""«Запустить расчёт»: staff close a billing period (F-D4) from the admin, under «Расчёты».

The view is thin: it parses the month typed as «01.2020», refuses a month that has not come yet,
and calls `billing_run_enqueue`, which records the BillingRun and hands it to Celery (inline when no
broker is configured). The user lands on the run's inspect page. Only staff with the permission
`backoffice.add_billingrun` see the menu item and may open the form; the «Расчёты периодов» list
links here through its add button (see `catalog.BillingRunViewSet`).
"""

from django import forms
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from ..admin_filters import PeriodField
from ..services.billing import BillingRunRefused, billing_run_enqueue
from ..services.periods import add_months, month_start, period_title
from .catalog import BILLING_MENU_HOOK, BILLING_RUN_START_URL_NAME, billing_run_viewset

PERMISSION = "backoffice.add_billingrun"


class BillingRunStartForm(forms.Form):
    period = PeriodField(
        label=_("Период"),
        help_text=_("Месяц и год в виде ММ.ГГГГ, например 01.2020."),
        error_messages={"required": _("Укажите период: месяц и год в виде ММ.ГГГГ.")},
    )

    def clean_period(self):
        period = self.cleaned_data["period"]
        if period > month_start(timezone.localdate()):
            raise forms.ValidationError(
                _("Период %(period)s ещё не наступил: рассчитать можно прошедший или текущий месяц."),
                code="future",
                params={"period": period_title(period)},
            )
        return period


class BillingRunStartView(WagtailAdminTemplateMixin, FormView):
    form_class = BillingRunStartForm
    template_name = "backoffice/admin/billing_run_start.html"
    page_title = _("Запустить расчёт")
    header_icon = "resubmit"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(PERMISSION):
            raise PermissionDenied  # Wagtail answers with its «no permission» message
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        # Usually the month that has just ended is closed.
        return {"period": add_months(month_start(timezone.localdate()), -1)}

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse(billing_run_viewset.get_url_name("index")), "label": _("Расчёты периодов")},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            action_url=self.request.path,
            submit_button_label=_("Запустить расчёт"),
            submit_button_active_label=_("Запускаем…"),
            media=context["form"].media,
        )
        return context

    def form_valid(self, form):
        period = form.cleaned_data["period"]
        try:
            run = billing_run_enqueue(period=period, user=self.request.user)
        except BillingRunRefused as refusal:  # already running for this month, and the like
            form.add_error("period", str(refusal))
            return self.form_invalid(form)
        messages.success(self.request, _("Расчёт за %(period)s запущен.") % {"period": period_title(period)})
        return redirect(reverse(billing_run_viewset.get_url_name("inspect"), args=[run.pk]))


class BillingRunStartMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(PERMISSION)


@hooks.register("register_admin_urls")
def register_billing_run_start_url():
    return [path("backoffice/billing-runs/start/", BillingRunStartView.as_view(), name=BILLING_RUN_START_URL_NAME)]


@hooks.register(BILLING_MENU_HOOK)
def register_billing_run_start_menu_item():
    return BillingRunStartMenuItem(
        _("Запустить расчёт"),
        reverse(BILLING_RUN_START_URL_NAME),
        name="backoffice-billing-run-start",
        icon_name="resubmit",
        order=25,  # right after «Расчёты периодов» (20) in «Расчёты»
    )
