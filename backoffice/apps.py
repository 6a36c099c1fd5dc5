from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BackofficeConfig(AppConfig):
    """The system of record and the staff tools; imports neither selfservice nor workflows."""

    name = "backoffice"
    verbose_name = _("Учёт и расчёты")

    def ready(self):
        from . import signals  # noqa: F401  the caches' invalidation
