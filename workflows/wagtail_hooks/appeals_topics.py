"""«Обращения» → «Классификатор» (F-G1): the topics, their rules and their questions, edited without a deploy.

Тема → Раздел → Подраздел as a tree; each node may leave a rule «Как у родительской темы». The questions are a
StreamField of steps with fields and nested, repeatable groups (workflows/models/appeals_form.py). A topic with
appeals cannot be deleted (hide it with «доступна клиентам» instead) nor moved under another parent; appeals
already filed keep the questions and rules they were filed with.

Rights: the model's add/change/delete/view permissions, given to whoever runs the classifier.
"""

from django import forms
from django.db.models import CharField, Count, F, Value
from django.db.models.functions import Cast, Coalesce, Concat, LPad
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.models import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import BooleanColumn, Column, TitleColumn

from backoffice.wagtail_hooks.catalog import EMPTY, BackofficeIndexView, BackofficeViewSet, PrefilledCreateView

from ..models import AppealTopic
from ..models.appeals import DEFAULT_RULES, INHERIT, MAX_TOPIC_DEPTH, OwnerRule
from ..models.appeals_form import steps_from_raw

LEVELS = {1: _("Тема"), 2: _("Раздел"), 3: _("Подраздел")}
RULE_BOOLEANS = ("correspondence_allowed", "attachments_allowed", "signature_required")
RULE_CHOICES = ("audience", "owner_rule", "capability")


class InheritingBooleanSelect(forms.NullBooleanSelect):
    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("unknown", INHERIT), ("true", _("Да")), ("false", _("Нет"))]


def rule(topic: AppealTopic, name: str):
    """The rule in force for a node (its own value, else its parents', else the default)."""
    node = topic
    while node is not None:
        value = getattr(node, name)
        if value not in (None, ""):
            return value
        node = node.parent
    return DEFAULT_RULES[name]


def steps_count(topic: AppealTopic) -> int:
    node = topic
    while node is not None:
        raw = list(getattr(node.steps, "raw_data", None) or [])
        if raw:
            return len(steps_from_raw(raw))
        node = node.parent
    return 0


def tree_label(topic: AppealTopic) -> str:
    return "— " * (topic.level - 1) + topic.name


class AppealTopicForm(WagtailAdminModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        parents = AppealTopic.objects.select_related("parent__parent").filter(parent__parent__isnull=True)
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk).exclude(parent=self.instance)
        parent = self.fields["parent"]
        parent.queryset = parents.order_by("parent__sort_order", "sort_order", "name")
        parent.label_from_instance = tree_label
        parent.empty_label = _("— это тема (верхний уровень)")
        for name in RULE_BOOLEANS:
            self.fields[name].widget = InheritingBooleanSelect()
        for name in RULE_CHOICES:
            field = self.fields[name]
            field.choices = [("", INHERIT), *[choice for choice in field.choices if choice[0] != ""]]
        self.fields["handover"].choices = [
            ("", _("Нет: обращение по этой теме")),
            *[choice for choice in self.fields["handover"].choices if choice[0] != ""],
        ]
        for name in ("response_days", "text_max_length"):
            self.fields[name].help_text = _("Пусто — как у родительской темы.")


class AppealTopicIndexView(BackofficeIndexView):
    def get_base_queryset(self):
        def key(prefix):
            return Concat(
                LPad(Cast(F(f"{prefix}sort_order"), CharField()), 6, Value("0")),
                F(f"{prefix}name"),
                Value("/"),
                output_field=CharField(),
            )

        return (
            super()
            .get_base_queryset()
            .select_related("parent__parent")
            .annotate(
                tree_key=Concat(
                    Coalesce(key("parent__parent__"), Value("")),
                    Coalesce(key("parent__"), Value("")),
                    key(""),
                    output_field=CharField(),
                ),
                appeal_count=Count("appeals"),
            )
        )

    def order_queryset(self, queryset):
        if self.is_explicitly_ordered:
            return super().order_queryset(queryset)
        return queryset.order_by("tree_key")

    @cached_property
    def no_results_message(self):
        return _("Тем пока нет: добавьте первую.")


def owner_text(topic: AppealTopic) -> str:
    owner = rule(topic, "owner_rule")
    if owner == OwnerRule.NONE:
        return _("не нужен")
    label = {"household": _("ЛС"), "organisation": _("договор")}.get(rule(topic, "audience"), _("договор или ЛС"))
    return f"{label}, {_('обязательно') if owner == OwnerRule.REQUIRED else _('по желанию')}"


class AppealTopicViewSet(BackofficeViewSet):
    model = AppealTopic
    name = "workflows_appeal_topics"
    url_prefix = "appeal-topics"
    icon = "list-ul"
    menu_label = _("Классификатор")
    menu_name = "appeal-topics"
    menu_order = 30
    index_view_class = AppealTopicIndexView
    add_view_class = type("AppealTopicCreateView", (PrefilledCreateView,), {"prefill_parameters": ("parent",)})
    list_per_page = 100
    add_item_label = _("Добавить тему")
    list_display = [
        TitleColumn("name", label=_("Название"), accessor=tree_label, url_name="workflows_appeal_topics:edit"),
        Column("level", label=_("Уровень"), accessor=lambda topic: LEVELS.get(topic.level, "")),
        Column("code", label=_("Код")),
        Column("owner", label=_("Договор или ЛС"), accessor=owner_text),
        Column("response_days", label=_("Срок ответа, дней"), accessor=lambda topic: rule(topic, "response_days")),
        BooleanColumn("correspondence", label=_("Переписка"), accessor=lambda t: rule(t, "correspondence_allowed")),
        Column("steps", label=_("Шагов"), accessor=lambda topic: steps_count(topic) + 2),
        Column("handover", label=_("Вместо обращения"), accessor=lambda t: t.get_handover_display() or EMPTY),
        BooleanColumn("is_active", label=_("Доступна")),
        Column("appeal_count", label=_("Обращений")),
    ]
    search_fields = ["name", "code"]
    panels = [
        MultiFieldPanel(
            [
                FieldPanel("parent"),
                FieldPanel("name"),
                FieldRowPanel([FieldPanel("code"), FieldPanel("sort_order")]),
                FieldPanel("list_title"),
                FieldPanel("is_active"),
                FieldPanel("intro"),
            ],
            heading=_("Тема"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("audience"), FieldPanel("owner_rule")]),
                FieldPanel("capability"),
                FieldRowPanel([FieldPanel("response_days"), FieldPanel("text_max_length")]),
                FieldRowPanel(
                    [
                        FieldPanel("correspondence_allowed"),
                        FieldPanel("attachments_allowed"),
                        FieldPanel("signature_required"),
                    ]
                ),
                FieldPanel("handover"),
            ],
            heading=_("Правила (пусто — как у родительской темы)"),
        ),
        FieldPanel(
            "steps",
            heading=_("Шаги и поля"),
            help_text=_(
                "Шаги между выбором темы и «Информацией по обращению». Пусто — как у родительской темы. "
                f"Уровней классификатора не больше {MAX_TOPIC_DEPTH}."
            ),
        ),
    ]

    @cached_property
    def edit_handler(self):
        return ObjectList(self.panels, base_form_class=AppealTopicForm)


appeal_topic_viewset = AppealTopicViewSet()
