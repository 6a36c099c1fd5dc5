from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FaqConfig(AppConfig):
    """Questions and answers for the help page and the appeal wizard."""

    name = "faq"
    verbose_name = _("Вопрос-ответ")
