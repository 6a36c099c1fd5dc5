from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowsConfig(AppConfig):
    """State machines (appeals, role grants, orders, activation requests) and their side effects."""

    name = "workflows"
    verbose_name = _("Процессы")
