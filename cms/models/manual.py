"""«Инструкция пользователя» (F-H5, seed 001 §11.1, seed 000 §3.12): the manual as a page and as a PDF of it.

The PDF is rendered by WeasyPrint from the published revision and kept on disk until the page is published again
(cms/pdf.py); publishing renders the new one in Celery, so the first reader does not wait.
"""

from django.db import models
from django.http import FileResponse
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import StreamField
from wagtail.images.blocks import ImageChooserBlock
from wagtail.models import Page
from wagtail.search import index

MANUAL_PDF_NAME = "Инструкция пользователя.pdf"


class FigureBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("Изображение"))
    caption = blocks.CharBlock(label=_("Подпись"), required=False, help_text=_("Например, «Рисунок 1 – Окно входа»."))

    class Meta:
        icon = "image"
        label = _("Рисунок")
        template = "cms/blocks/figure.html"


class ManualBody(blocks.StreamBlock):
    heading = blocks.CharBlock(
        label=_("Раздел"), icon="title", form_classname="title", template="cms/blocks/heading.html"
    )
    subheading = blocks.CharBlock(label=_("Подраздел"), icon="title", template="cms/blocks/subheading.html")
    paragraph = blocks.RichTextBlock(
        label=_("Текст"),
        features=["bold", "italic", "ol", "ul", "link", "document-link"],
        template="cms/blocks/text.html",
    )
    figure = FigureBlock()
    note = blocks.TextBlock(label=_("Примечание"), icon="warning", template="cms/blocks/note.html")


class ManualPage(RoutablePageMixin, Page):
    """The manual: sections with headings, text, figures and notes; `pdf/` is the same text as a PDF file."""

    intro = models.TextField(_("Вступление"), blank=True)
    body = StreamField(ManualBody(), verbose_name=_("Содержание"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("body")]
    parent_page_types = ["cms.HomePage", "cms.StandardPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("инструкция пользователя")
        verbose_name_plural = _("инструкции пользователя")

    def sections(self) -> list[dict]:
        """The table of contents: every «Раздел» with its number and anchor."""
        return [
            {"number": number, "title": block.value, "anchor": f"section-{number}"}
            for number, block in enumerate((b for b in self.body if b.block_type == "heading"), 1)
        ]

    def numbered_body(self) -> list[tuple[str, object, str]]:
        """The blocks with «1», «1.1» numbers for headings, as the page and the PDF print them."""
        section = subsection = 0
        rows = []
        for block in self.body:
            number = ""
            if block.block_type == "heading":
                section, subsection = section + 1, 0
                number = str(section)
            elif block.block_type == "subheading":
                subsection += 1
                number = f"{section}.{subsection}" if section else str(subsection)
            rows.append((number, block))
        return rows

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["sections"] = self.sections()
        context["numbered_body"] = self.numbered_body()
        return context

    @path("pdf/", name="pdf")
    def pdf(self, request):
        """«Скачать руководство пользователя»: the PDF of the published page, from the cache when it is there."""
        from ..pdf import manual_pdf_path  # the renderer pulls WeasyPrint in; only this route needs it

        return FileResponse(manual_pdf_path(self).open("rb"), content_type="application/pdf", filename=MANUAL_PDF_NAME)

    def pdf_url(self) -> str:
        return self.url + self.reverse_subpage("pdf")
