"""«Новости» (F-H1, seed 000 §2.4, §3.5): news for every user of the cabinet, with a read state per user.

An unread news item is shown bold with «Новое!» for as long as it is fresh (NEWS_NEW_FOR_DAYS): a person who signs
up today should not find two years of archive marked new. Opening a news item marks it read; «Отметить все как
прочитанные» marks every fresh one. Users with fresh unread news land on «Новости» after signing in.
"""

import datetime

from django.conf import settings
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import models
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index

NEWS_NEW_FOR_DAYS = 30
NEWS_PER_PAGE = 10


def fresh_since() -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=NEWS_NEW_FOR_DAYS)


class NewsIndexPage(Page):
    """The news list; one per site, under the home page."""

    intro = models.CharField(_("Вступление"), max_length=500, blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.NewsPage"]
    max_count = 1

    class Meta:
        verbose_name = _("раздел новостей")
        verbose_name_plural = _("разделы новостей")

    def news(self):
        return NewsPage.objects.live().child_of(self).order_by("-date", "-first_published_at", "-pk")

    def news_for(self, user):
        """The news with `is_new` set for `user`: unread and fresh. One query, however many items."""
        news = self.news()
        if not user.is_authenticated:
            return news.annotate(is_new=models.Value(False, output_field=models.BooleanField()))
        unread = ~Exists(NewsRead.objects.filter(user=user, page=OuterRef("pk")))
        return news.annotate(
            is_new=models.ExpressionWrapper(
                unread & models.Q(date__gte=fresh_since()), output_field=models.BooleanField()
            )
        )

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        paginator = Paginator(self.news_for(request.user), NEWS_PER_PAGE)
        try:
            news_page = paginator.page(request.GET.get("page", 1))
        except (PageNotAnInteger, EmptyPage):
            news_page = paginator.page(1)
        context["news_page"] = news_page
        context["has_new"] = any(item.is_new for item in news_page)
        return context


class NewsPage(Page):
    """One news item: a date, a short text for the list and the full text."""

    date = models.DateField(_("Дата новости"), default=timezone.localdate)
    summary = models.TextField(_("Кратко"), max_length=500, blank=True, help_text=_("Показывается в списке новостей."))
    body = RichTextField(_("Текст"), blank=True)
    image = models.ForeignKey(
        "wagtailimages.Image",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Изображение"),
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("date"),
        FieldPanel("summary"),
        FieldPanel("image"),
        FieldPanel("body"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("summary"), index.SearchField("body")]
    parent_page_types = ["cms.NewsIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("новость")
        verbose_name_plural = _("новости")

    def serve(self, request, *args, **kwargs):
        """Reading a news item marks it read for the signed-in reader (previews do not come here)."""
        if request.user.is_authenticated and request.method == "GET":
            from ..services import news_mark_read

            news_mark_read(user=request.user, page=self)
        return super().serve(request, *args, **kwargs)


class NewsRead(models.Model):
    """A user has opened a news item (or marked all read): it is no longer «Новое!» for them."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="news_reads", verbose_name=_("пользователь")
    )
    page = models.ForeignKey(NewsPage, on_delete=models.CASCADE, related_name="reads", verbose_name=_("новость"))
    read_at = models.DateTimeField(_("прочитана"), default=timezone.now)

    class Meta:
        verbose_name = _("прочтение новости")
        verbose_name_plural = _("прочтения новостей")
        constraints = [models.UniqueConstraint(fields=["user", "page"], name="news_read_once")]

    def __str__(self):
        return f"{self.user_id} · {self.page_id}"
