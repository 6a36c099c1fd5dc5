"""«Вопрос - Ответ» (F-H4, seed 001 §10.1, seed 004 §4.3.2): groups of questions with their answers, edited by editors.

A question is a Wagtail snippet with drafts, revisions, locking, preview and the moderation workflow (F-H7): an
editor's change reaches customers only once it is published. «Темы обращений» tie a question to topics of the appeal
classifier, so the appeal wizard can show the answers for the topic the customer chose before they write (F-G1).
"""

from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import DraftStateMixin, LockableMixin, PreviewableMixin, RevisionMixin, WorkflowMixin
from wagtail.search import index


class FaqGroup(models.Model):
    """A heading of the accordion: «Техническая поддержка», «Оплата», …"""

    name = models.CharField(_("Название группы"), max_length=255, unique=True)
    sort_order = models.PositiveIntegerField(_("Порядок"), default=0, help_text=_("Меньшее число — выше в списке."))

    panels = [FieldPanel("name"), FieldPanel("sort_order")]

    class Meta:
        verbose_name = _("группа вопросов")
        verbose_name_plural = _("группы вопросов")
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name


class FaqQuestionTopic(TaggedItemBase):
    content_object = ParentalKey("FaqQuestion", on_delete=models.CASCADE, related_name="tagged_topics")


class FaqQuestion(
    WorkflowMixin, DraftStateMixin, LockableMixin, RevisionMixin, PreviewableMixin, index.Indexed, ClusterableModel
):
    """A question and its answer, in a group; found by «Поисковая фраза» in Russian word forms."""

    group = models.ForeignKey(FaqGroup, on_delete=models.PROTECT, related_name="questions", verbose_name=_("Группа"))
    question = models.CharField(_("Вопрос"), max_length=500)
    answer = RichTextField(_("Ответ"), features=["bold", "italic", "ol", "ul", "link", "document-link"])
    sort_order = models.PositiveIntegerField(_("Порядок в группе"), default=0)
    topics = ClusterTaggableManager(
        through=FaqQuestionTopic,
        blank=True,
        verbose_name=_("Темы обращений"),
        help_text=_("Коды тем классификатора обращений: ответ покажется клиенту, выбравшему эту тему."),
    )
    # As Wagtail's docs ask for snippets with revisions and workflows: the reverse relations, so deleting a
    # question takes its revisions and workflow states with it.
    _revisions = GenericRelation("wagtailcore.Revision", related_query_name="faqquestion")
    workflow_states = GenericRelation(
        "wagtailcore.WorkflowState",
        content_type_field="base_content_type",
        object_id_field="object_id",
        related_query_name="faqquestion",
        for_concrete_model=False,
    )

    panels = [
        FieldPanel("group"),
        FieldPanel("question"),
        FieldPanel("answer"),
        FieldPanel("sort_order"),
        FieldPanel("topics"),
    ]

    search_fields = [
        index.SearchField("question", boost=3),
        index.SearchField("answer"),
        index.AutocompleteField("question"),
        index.FilterField("live"),
        index.FilterField("group_id"),
    ]

    class Meta:
        verbose_name = _("вопрос")
        verbose_name_plural = _("вопросы")
        ordering = ["group__sort_order", "sort_order", "pk"]
        indexes = [models.Index(fields=["live", "group", "sort_order"])]

    def __str__(self):
        return self.question

    @property
    def revisions(self):
        return self._revisions

    def get_preview_template(self, request, mode_name):
        return "faq/preview.html"

    def get_preview_context(self, request, mode_name):
        return {"question": self, "groups": [{"group": self.group, "questions": [self]}]}
