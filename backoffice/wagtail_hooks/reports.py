"""«Отчёты» (F-I4): a top-level menu of the back office's reports, one page each (backoffice/reports/).

The back office registers «Передача показаний», «Задолженность по срокам» and «Платежи по дням»; other apps add
theirs through REPORTS_MENU_HOOK (workflows adds «Обращения по темам»: backoffice may not import workflows), with
`ReportMenuItem` and `report_url` below. Each item is shown only to staff with its report's permission, and the
menu only when at least one item is.

Wagtail has a «Отчеты» menu of its own (locked pages, site history: the site editors' reports); it is renamed
«Отчёты сайта» so the two menus are told apart.
"""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem

from ..reports.common import Report
from ..reports.debts import DebtsReport
from ..reports.payments import PaymentsReport
from ..reports.readings import ReadingsReport
from ..reports.views import ReportView

REPORTS_MENU_HOOK = "register_backoffice_reports_menu_item"
"""Menu items registered under this hook name appear inside «Отчёты»."""
WAGTAIL_REPORTS_LABEL = _("Отчёты сайта")


def report_url_name(report: Report) -> str:
    return f"backoffice_report_{report.slug}"


def report_url(report: Report):
    """The admin URL of a report's page (register it from a `register_admin_urls` hook)."""
    return path(f"reports/{report.slug}/", ReportView.as_view(report=report), name=report_url_name(report))


class ReportMenuItem(MenuItem):
    """A report in «Отчёты», shown to staff who hold the report's permission."""

    def __init__(self, report: Report, *, order: int):
        self.report = report
        super().__init__(
            report.title,
            reverse(report_url_name(report)),
            name=f"backoffice-report-{report.slug}",
            icon_name=report.icon,
            order=order,
        )

    def is_shown(self, request):
        return request.user.has_perm(self.report.permission)


readings_report = ReadingsReport()
debts_report = DebtsReport()
payments_report = PaymentsReport()
reports_menu = Menu(register_hook_name=REPORTS_MENU_HOOK)


@hooks.register("register_admin_urls")
def register_report_urls():
    return [report_url(report) for report in (readings_report, debts_report, payments_report)]


@hooks.register("register_admin_menu_item")
def register_reports_menu():
    return SubmenuMenuItem(_("Отчёты"), reports_menu, name="backoffice-reports", icon_name="bars", order=230)


@hooks.register(REPORTS_MENU_HOOK)
def register_readings_report_menu_item():
    return ReportMenuItem(readings_report, order=10)


@hooks.register(REPORTS_MENU_HOOK)
def register_debts_report_menu_item():
    return ReportMenuItem(debts_report, order=20)


@hooks.register(REPORTS_MENU_HOOK)
def register_payments_report_menu_item():
    return ReportMenuItem(payments_report, order=30)


@hooks.register("construct_main_menu")
def rename_wagtail_reports_menu(request, menu_items):
    for item in menu_items:
        if item.name == "reports" and isinstance(item, SubmenuMenuItem):
            item.label = WAGTAIL_REPORTS_LABEL
