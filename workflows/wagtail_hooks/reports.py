"""«Обращения по темам» in the back office's «Отчёты» menu (F-I4), registered on its hook: backoffice may not import
workflows, so the report (workflows/reports.py) and its menu item live here."""

from wagtail import hooks

from backoffice.wagtail_hooks.reports import REPORTS_MENU_HOOK, ReportMenuItem, report_url

from ..reports import AppealsReport

appeals_report = AppealsReport()


@hooks.register("register_admin_urls")
def register_appeals_report_url():
    return [report_url(appeals_report)]


@hooks.register(REPORTS_MENU_HOOK)
def register_appeals_report_menu_item():
    return ReportMenuItem(appeals_report, order=40)
