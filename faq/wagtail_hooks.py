"""«Контент» → «Вопрос - Ответ»: editors manage the groups and the questions (F-H4, F-H7).

Questions go through Wagtail's moderation like pages: an editor saves a draft and submits it, a moderator
approves and publishes; the list shows each question's status. Groups are plain reference rows.
"""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.tables import Column
from wagtail.snippets.views.snippets import SnippetViewSet

from cms.wagtail_hooks import CONTENT_MENU_HOOK

from .models import FaqGroup, FaqQuestion


class FaqGroupViewSet(SnippetViewSet):
    model = FaqGroup
    icon = "folder-open-inverse"
    menu_label = _("Группы вопросов")
    menu_name = "faq-groups"
    menu_order = 20
    menu_hook = CONTENT_MENU_HOOK
    list_display = ["name", "sort_order", Column("count", label=_("Вопросов"), accessor="questions_count")]
    ordering = ["sort_order", "name"]
    search_fields = ["name"]

    def get_queryset(self, request):
        from django.db.models import Count

        return FaqGroup.objects.annotate(questions_count=Count("questions"))


class FaqQuestionViewSet(SnippetViewSet):
    model = FaqQuestion
    icon = "help"
    menu_label = _("Вопрос - Ответ")
    menu_name = "faq-questions"
    menu_order = 10
    menu_hook = CONTENT_MENU_HOOK
    list_display = ["question", "group", "sort_order"]
    list_filter = ["group", "live"]
    list_per_page = 50
    ordering = ["group__sort_order", "sort_order", "pk"]
    search_fields = ["question"]

    def get_queryset(self, request):
        return FaqQuestion.objects.select_related("group")


@hooks.register("register_admin_viewset")
def register_faq_viewsets():
    return [FaqQuestionViewSet(), FaqGroupViewSet()]
