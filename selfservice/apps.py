from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SelfserviceConfig(AppConfig):
    name = "selfservice"
    verbose_name = _("Личный кабинет")

    def ready(self):
        from . import signals

        signals.connect()
