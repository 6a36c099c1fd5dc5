"""The home page, plain text pages (agreement, payment terms, contacts) and the «Контакты компании» setting."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index


class HomePage(Page):
    """The site root. Its text greets visitors on the portal's front page before they sign in."""

    lead = models.CharField(
        _("Подзаголовок"),
        max_length=255,
        blank=True,
        default="Оплачивайте счета, передавайте показания и задавайте вопросы без визита в офис.",
    )
    body = RichTextField(_("Текст"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("lead"), FieldPanel("body")]

    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    class Meta:
        verbose_name = _("главная страница")
        verbose_name_plural = _("главные страницы")


AGREEMENT_SLUG = "agreement"  # the registration form links to the live StandardPage with this slug
PAYMENT_TERMS_SLUG = "payment-terms"  # «Условия оплаты», linked from «Помощь»
CONTACTS_SLUG = "contacts"  # «Контакты» of the company, linked from «Помощь»


class StandardPage(Page):
    """A page of plain text the portal links to: the user agreement, payment terms, contacts.

    The portal finds some of them by slug (the registration form links to AGREEMENT_SLUG), so editors keep the slug.
    """

    intro = models.CharField(_("Вступление"), max_length=500, blank=True)
    body = RichTextField(_("Текст"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("body")]

    parent_page_types = ["cms.HomePage", "cms.StandardPage"]
    subpage_types = ["cms.StandardPage"]

    class Meta:
        verbose_name = _("текстовая страница")
        verbose_name_plural = _("текстовые страницы")


@register_setting(icon="site")
class CompanySettings(BaseGenericSetting):
    """Who runs the portal: shown in the header, the footer, e-mails and documents."""

    name = models.CharField(_("Название компании"), max_length=255, default="АО «Энергосбыт»")
    phone = models.CharField(_("Телефон контакт-центра"), max_length=50, default="8 800 000-00-00")
    email = models.EmailField(_("E-mail для обращений"), default="info@energokabinet.example")
    address = models.CharField(_("Адрес"), max_length=255, default="г. Энергоград, ул. Ленина, д. 1")
    hours = models.CharField(_("Часы работы"), max_length=255, default="Пн–Пт 8:00–20:00, Сб 9:00–15:00")

    panels = [
        MultiFieldPanel(
            [FieldPanel("name"), FieldPanel("phone"), FieldPanel("email"), FieldPanel("address"), FieldPanel("hours")],
            heading=_("Контакты"),
        )
    ]

    class Meta:
        verbose_name = _("Контакты компании")

    @classmethod
    def _get_or_create(cls):
        # Every page shows the contacts: read them from the shared cache, not the database (cms/cache.py).
        from ..cache import content_cached

        return content_cached("company-settings", super()._get_or_create)
