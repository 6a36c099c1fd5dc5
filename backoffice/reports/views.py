"""The page of a report in the Wagtail admin, and its «Скачать в Excel».

Thin: the filters come in the query string (a report is a bookmarkable GET), the form checks them, the report
computes, the template shows the chart and the table; `?export=xlsx` answers the same rows as a workbook. Wrong
filters show the form's Russian messages beside the fields, keep what was typed, and compute nothing. Without the
report's permission the page is refused (Wagtail's «no permission» message), like its menu item is hidden.
"""

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from .common import Report, to_xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ReportView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "backoffice/admin/reports/report.html"
    report: Report = None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(self.report.permission):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return self.report.title

    @property
    def header_icon(self):
        return self.report.icon

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": _("Отчёты")}, {"url": "", "label": self.report.title}]

    def get(self, request, *args, **kwargs):
        data = request.GET.copy()
        wants_xlsx = data.pop("export", None) == ["xlsx"]
        form = self.report.form(data)
        result = self.report.compute(form.cleaned_data) if form.is_valid() else None
        if wants_xlsx and result is not None:
            content = to_xlsx(title=str(self.report.title), filters=self.report.filters_text(form), result=result)
            response = HttpResponse(content, content_type=XLSX)
            name = f"{self.report.slug}-{timezone.localdate():%Y-%m-%d}.xlsx"
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            return response
        return self.render_to_response(self.get_context_data(form=form, result=result))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = context["form"]
        query = QueryDict(mutable=True)
        for key, value in form.data.items():  # what was typed, or the defaults the page opened with
            query[key] = value
        query["export"] = "xlsx"
        context.update(report=self.report, xlsx_url=f"{self.request.path}?{query.urlencode()}", media=form.media)
        return context
