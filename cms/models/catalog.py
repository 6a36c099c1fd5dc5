"""«Каталог услуг» (F-F1, seed 001 §6, seed 004 §4.3.1): the paid services the company offers, edited by editors.

These pages hold the content only: image, name, «от 2 150,90 ₽», description, the price list and the disclaimer.
Ordering («Отправить заявку») needs the customer's contracts and accounts, which the CMS knows nothing of: the
portal (selfservice/views/services.py) shows the same pages with the order form under the card.
"""

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index

DISCLAIMER = (
    "Информация об услуге носит справочный характер и не является публичной офертой. После оформления заявки "
    "менеджер компании свяжется с Вами для согласования всех условий оказания услуги"
)


class ServiceCatalogPage(Page):
    """The list of services, one per site; its price list opens with «Посмотреть каталог» (seed 004)."""

    intro = models.CharField(_("Вступление"), max_length=500, blank=True)
    price_list = models.ForeignKey(
        "wagtaildocs.Document",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Прейскурант на все услуги"),
    )
    disclaimer = models.TextField(
        _("Оговорка"), default=DISCLAIMER, help_text=_("Показывается под каждой услугой и в форме заявки.")
    )

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("price_list"), FieldPanel("disclaimer")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.ServicePage"]
    max_count = 1

    class Meta:
        verbose_name = _("каталог услуг")
        verbose_name_plural = _("каталоги услуг")

    def services(self):
        return ServicePage.objects.live().child_of(self).select_related("image").order_by("path")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["services"] = self.services()
        return context


class ServicePage(Page):
    """A service card: what it is, what it costs at least, and what the order form asks."""

    image = models.ForeignKey(
        "wagtailimages.Image",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Изображение"),
    )
    price_from = models.DecimalField(
        _("Стоимость от, ₽"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("Приблизительная стоимость: на карточке «от 2 150,90 ₽». Пусто — «по запросу»."),
    )
    summary = models.CharField(
        _("Кратко"), max_length=300, blank=True, help_text=_("Одна-две фразы для карточки в каталоге.")
    )
    description = RichTextField(_("Описание"), blank=True)
    price_list = models.ForeignKey(
        "wagtaildocs.Document",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Прейскурант"),
    )
    contract_only = models.BooleanField(
        _("В заявке только выбор договора"),
        default=False,
        help_text=_("Поля контактного лица и описания задачи скрыты (seed 001 §6.2, примечание 1)."),
    )

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel([FieldPanel("summary"), FieldPanel("price_from"), FieldPanel("image")], heading=_("Карточка")),
        FieldPanel("description"),
        FieldPanel("price_list"),
        FieldPanel("contract_only"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("summary"), index.SearchField("description")]
    parent_page_types = ["cms.ServiceCatalogPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("услуга")
        verbose_name_plural = _("услуги")

    def disclaimer(self) -> str:
        parent = self.get_parent().specific
        return getattr(parent, "disclaimer", DISCLAIMER)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["disclaimer"] = self.disclaimer()
        return context
