"""Reads of «Вопрос - Ответ» for the help page (F-H4, F-H5) and the appeal wizard (F-G1).

Only published questions are shown. Search goes through Wagtail search: on PostgreSQL a full-text index with the
Russian configuration, so «счета», «счёт» and «счетов» find each other; every word of the phrase must match, and if
nothing matches every word, questions matching any of them are shown instead.
"""

from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, OuterRef, Window
from django.db.models.functions import RowNumber
from wagtail.search.backends import get_search_backend

from cms.cache import content_cached

from .models import FaqGroup, FaqQuestion

GROUP_PREVIEW = 10


@dataclass
class GroupOfQuestions:
    group: FaqGroup
    questions: list[FaqQuestion] = field(default_factory=list)
    total: int = 0

    @property
    def more(self) -> int:
        """How many more questions the group has than it shows."""
        return self.total - len(self.questions)


def faq_groups() -> list[FaqGroup]:
    """The groups that have at least one published question: the «Все вопросы» selector (cached until the FAQ
    changes)."""
    return content_cached(
        "faq-groups",
        lambda: list(FaqGroup.objects.filter(Exists(FaqQuestion.objects.filter(group=OuterRef("pk"), live=True)))),
    )


def _normalised(query: str) -> str:
    # PostgreSQL's Russian stemmer already treats «ё» as «е»: «счёт» and «счета» meet at «счет»
    return " ".join(query.split())


def faq_search(*, query: str = "", group_id: int | None = None) -> list[GroupOfQuestions]:
    """The accordion: groups in their order, each with its published questions (matching `query` if given).

    With neither a phrase nor a group, each group shows its first GROUP_PREVIEW questions and how many it has in
    all (a link opens the whole group), so the page stays light with thousands of questions. Two queries either way;
    the page without a phrase is the same for everyone, so it is cached until the FAQ changes.
    """
    if not _normalised(query):
        return content_cached(f"faq-search:{group_id or ''}", lambda: _faq_search(query="", group_id=group_id))
    return _faq_search(query=query, group_id=group_id)


def _faq_search(*, query: str, group_id: int | None) -> list[GroupOfQuestions]:
    questions = FaqQuestion.objects.filter(live=True).select_related("group")
    if group_id:
        questions = questions.filter(group_id=group_id)
    phrase = _normalised(query)
    totals = {}
    if phrase:
        backend = get_search_backend()
        matches = list(backend.search(phrase, questions, operator="and"))
        if not matches:
            matches = list(backend.search(phrase, questions, operator="or"))
    elif group_id:
        matches = list(questions.order_by("sort_order", "pk"))
    else:
        position = Window(RowNumber(), partition_by=[F("group_id")], order_by=[F("sort_order").asc(), F("pk").asc()])
        matches = list(
            questions.annotate(position=position).filter(position__lte=GROUP_PREVIEW).order_by("sort_order", "pk")
        )
        totals = dict(
            FaqQuestion.objects.filter(live=True).values_list("group_id").annotate(total=Count("pk")).order_by()
        )
    groups: dict[int, GroupOfQuestions] = {}
    for question in matches:
        group = groups.setdefault(question.group_id, GroupOfQuestions(group=question.group))
        group.questions.append(question)
    for group in groups.values():
        group.total = totals.get(group.group.pk, len(group.questions))
    return sorted(groups.values(), key=lambda item: (item.group.sort_order, item.group.name))


def faq_for_topic(*, topic: str) -> list[FaqQuestion]:
    """The published answers tagged with an appeal topic's code, shown in the wizard before the customer writes."""
    return content_cached(
        f"faq-topic:{topic.lower()}",
        lambda: list(
            FaqQuestion.objects.filter(live=True, topics__name__iexact=topic)
            .select_related("group")
            .order_by("group__sort_order", "sort_order", "pk")
            .distinct()
        ),
    )
