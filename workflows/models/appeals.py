"""Appeals (обращения, F-G1…F-G7; seed 001 §8, seed 000 §3.3, seed 004 §4.3.2.1, §4.4.4.5).

The classifier is data: `AppealTopic` nodes form Тема → Раздел → Подраздел, each with its rules (who may choose it,
whether a contract or ЛС is needed, whether correspondence is allowed, the response deadline, the length of «Текст
обращения», attachments, a signature) and the questions it asks (a StreamField of steps, appeals_form.py). An empty
rule means «как у родительской темы», so a Раздел inherits its Тема unless staff say otherwise; the rules and the
questions are copied onto the appeal when the customer chooses the topic, so later edits never change an appeal
already filed.

The appeal itself is a django-fsm machine with a protected state and optimistic locking
(`ConcurrentTransitionMixin`):

    Черновик → Новая → Зарегистрирована («Принято» for the customer) → Решается → Выполнена → Закрыто
    Новая | Зарегистрирована | Решается → Отклонена;  Выполнена | Закрыто → Решается (reopened within the window)

Every transition declares its guard and who may take it; the services (workflows/services/appeals.py) lock the
row, take it, write a `TransitionLog` row and tell the customer. The number («0000061-23-57-Ю-Л»: sequence, year,
region, person type) comes from `AppealCounter`, one row per year taken under a row lock in the transaction that
files the appeal, so numbers have no gaps even when two customers submit at once or a submit rolls back.

The SLA clock: `due_at` is the deadline from the topic's response days; while the appeal waits for the customer
(a question, documents to sign) or sits in «Выполнена», `paused_at` is set and the deadline moves on by the time
paused when the clock resumes. «Просрочено» is therefore one indexed condition: open for staff, running, past due.
"""

import calendar
import datetime
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting
from wagtail.fields import StreamField

from backoffice.storage import private_storage

from .appeals_form import STEP_BLOCKS, StepSpec, definition_problems, steps_from_raw
from .indexes import NullsFirstIndex

WORK = "workflows.work_appeal"
ASSIGN = "workflows.assign_appeal"
DRAFT_MONTHS = 1  # «Вы сможете продолжить заполнение в течение месяца»
UNSAVED_DRAFT_HOURS = 24  # a wizard left without «Сохранить» is forgotten after a day
MAX_TOPIC_DEPTH = 3  # Тема → Раздел → Подраздел


def appeal_file_path(instance, filename: str) -> str:
    """A folder of its own for every file, so it keeps the name the customer or the clerk gave it."""
    return f"appeals/{timezone.now():%Y/%m}/{uuid.uuid4().hex}/{filename}"


def one_month_later(moment: datetime.datetime) -> datetime.datetime:
    """The same day and time a month later (31 January → 28/29 February)."""
    year, month = divmod(moment.year * 12 + moment.month - 1 + DRAFT_MONTHS, 12)
    month += 1
    return moment.replace(year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1]))


# --- Settings -----------------------------------------------------------------------------------------------------


@register_setting(icon="help")
class AppealSettings(BaseGenericSetting):
    """What staff tune without a deploy: the region in the numbers, the reopening window, the attachment limits."""

    region_code = models.CharField(
        _("код региона в номере обращения"),
        max_length=3,
        default="78",
        validators=[RegexValidator(r"^\d{2,3}$", _("Код региона — 2 или 3 цифры."))],
        help_text=_("Третья часть номера: 0000061-23-57-Ю-Л."),
    )
    reopen_days = models.PositiveSmallIntegerField(
        _("сколько дней клиент может возобновить выполненное обращение"),
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_("После этого срока выполненное обращение закрывается само."),
    )
    max_files = models.PositiveSmallIntegerField(
        _("файлов в одном сообщении, не больше"), default=5, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    max_file_megabytes = models.PositiveSmallIntegerField(
        _("размер одного файла, МБ, не больше"), default=10, validators=[MinValueValidator(1), MaxValueValidator(50)]
    )

    class Meta:
        verbose_name = _("Настройки обращений")

    @property
    def max_file_bytes(self) -> int:
        return self.max_file_megabytes * 1024 * 1024


# --- The classifier -----------------------------------------------------------------------------------------------


class Audience(models.TextChoices):
    ALL = "all", _("Все клиенты")
    HOUSEHOLD = "household", _("Бытовые абоненты (лицевой счёт)")
    ORGANISATION = "organisation", _("Организации (договор)")


class OwnerRule(models.TextChoices):
    NONE = "none", _("Не указывается")
    OPTIONAL = "optional", _("По желанию клиента")
    REQUIRED = "required", _("Обязательно")


class AppealCapability(models.TextChoices):
    """Which right on a contract shows its appeals to the contract's other users (F-B3, Table 3)."""

    VIEW = "view", _("Все пользователи договора")
    READINGS_HISTORY = "readings_history", _("Кто видит показания (Энергетик, Руководитель, Администратор)")
    BILLING_HISTORY = "billing_history", _("Кто видит документы и платежи (Бухгалтер, Руководитель, Администратор)")


class Handover(models.TextChoices):
    """A topic answered by another screen of the portal instead of an appeal of its own."""

    ACCESS_REQUEST = "access_request", _("«Запросить доступ»: роль «Администратор» по договору")
    SERVICE_ORDER = "service_order", _("«Каталог услуг»: заказ услуги")


INHERIT = _("Как у родительской темы")
DEFAULT_RULES = {
    "audience": Audience.ALL,
    "owner_rule": OwnerRule.OPTIONAL,
    "capability": AppealCapability.VIEW,
    "correspondence_allowed": True,
    "response_days": 30,
    "text_max_length": 4000,
    "attachments_allowed": True,
    "signature_required": False,
}
RULE_FIELDS = tuple(DEFAULT_RULES)


class AppealTopic(models.Model):
    """A node of the classifier: a Тема (no parent), its Раздел or a Подраздел of a Раздел."""

    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("родительская тема"),
        help_text=_("Пусто — это тема; иначе раздел темы или подраздел раздела."),
    )
    name = models.CharField(_("название"), max_length=255)
    code = models.SlugField(
        _("код"),
        max_length=60,
        unique=True,
        help_text=_("Латиницей; по нему «Вопрос - Ответ» показывает ответы на эту тему."),
    )
    list_title = models.CharField(
        _("наименование обращения"),
        max_length=255,
        blank=True,
        help_text=_("Заголовок в списке и в карточке обращения, например «ЛКК». Пусто — название темы."),
    )
    sort_order = models.PositiveIntegerField(_("порядок"), default=0)
    is_active = models.BooleanField(_("доступна клиентам"), default=True)
    intro = models.TextField(_("пояснение для клиента"), blank=True, max_length=1000)
    audience = models.CharField(_("кому доступна"), max_length=20, blank=True, choices=Audience.choices)
    owner_rule = models.CharField(_("договор или ЛС"), max_length=20, blank=True, choices=OwnerRule.choices)
    capability = models.CharField(
        _("кому из пользователей договора видно"), max_length=32, blank=True, choices=AppealCapability.choices
    )
    correspondence_allowed = models.BooleanField(_("переписка по обращению"), null=True, blank=True)
    response_days = models.PositiveSmallIntegerField(
        _("срок ответа, дней"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    text_max_length = models.PositiveSmallIntegerField(
        _("длина «Текст обращения», символов"),
        null=True,
        blank=True,
        validators=[MinValueValidator(20), MaxValueValidator(4000)],
    )
    attachments_allowed = models.BooleanField(_("можно приложить файлы"), null=True, blank=True)
    signature_required = models.BooleanField(
        _("подписывается простой электронной подписью"),
        null=True,
        blank=True,
        help_text=_("Клиент подтверждает обращение кодом из письма; не подписанное остаётся в черновиках."),
    )
    handover = models.CharField(
        _("вместо обращения"),
        max_length=32,
        blank=True,
        choices=Handover.choices,
        help_text=_("Клиента переведут на этот экран портала."),
    )
    steps = StreamField(STEP_BLOCKS, blank=True, verbose_name=_("шаги и поля"))

    class Meta:
        verbose_name = _("тема обращения")
        verbose_name_plural = _("классификатор обращений")
        ordering = ["sort_order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="appeal_topic_name_unique_in_parent"),
            models.CheckConstraint(condition=~models.Q(parent=models.F("pk")), name="appeal_topic_not_own_parent"),
        ]

    def __str__(self):
        return self.name

    @property
    def level(self) -> int:
        level, node = 1, self.parent
        while node is not None:
            level, node = level + 1, node.parent
        return level

    def clean(self):
        super().clean()
        ancestors, node = set(), self.parent
        while node is not None:
            if node.pk == self.pk and self.pk is not None:
                raise ValidationError({"parent": _("Тема не может быть вложена сама в себя.")})
            ancestors.add(node.pk)
            node = node.parent
        depth = len(ancestors) + 1
        if depth > MAX_TOPIC_DEPTH:
            raise ValidationError({"parent": _("Уровней три: тема, раздел, подраздел.")})
        if self.pk and depth + self._subtree_height() - 1 > MAX_TOPIC_DEPTH:
            raise ValidationError({"parent": _("Вместе с вложенными разделами получится больше трёх уровней.")})
        if self.pk:
            before = AppealTopic.objects.filter(pk=self.pk).values_list("parent_id", flat=True).first()
            if (
                before != self.parent_id
                and Appeal.objects.filter(models.Q(topic=self) | models.Q(section=self)).exists()
            ):
                raise ValidationError({"parent": _("По теме уже есть обращения: перенести её нельзя, создайте новую.")})
        problems = definition_problems(list(getattr(self.steps, "raw_data", None) or []))
        if problems:
            raise ValidationError({"steps": problems})

    def _subtree_height(self) -> int:
        children = list(AppealTopic.objects.filter(parent=self).values_list("pk", flat=True))
        if not children:
            return 1
        grandchildren = AppealTopic.objects.filter(parent__in=children).exists()
        return 3 if grandchildren else 2


@dataclass(frozen=True)
class TopicRules:
    """The rules of a topic with the inherited ones filled in: what the wizard and the appeal follow."""

    topic: AppealTopic
    path: tuple[AppealTopic, ...]  # Тема, Раздел, Подраздел — as far as the chosen node goes
    audience: str
    owner_rule: str
    capability: str
    correspondence_allowed: bool
    response_days: int
    text_max_length: int
    attachments_allowed: bool
    signature_required: bool
    handover: str
    intro: str
    steps_raw: list

    @cached_property
    def steps(self) -> tuple[StepSpec, ...]:
        return steps_from_raw(self.steps_raw)

    @property
    def title(self) -> str:
        for node in reversed(self.path):
            if node.list_title:
                return node.list_title
        return self.path[0].name

    @property
    def path_label(self) -> str:
        return " / ".join(node.name for node in self.path)

    @property
    def total_steps(self) -> int:
        """«Шаг N из M»: the choice of the topic, the topic's own steps, «Информация по обращению»."""
        return len(self.steps) + 2

    @property
    def faq_tags(self) -> list[str]:
        """The tags a «Вопрос - Ответ» answer may carry to be shown for this topic: codes and names of the path."""
        tags = []
        for node in self.path:
            for tag in (node.code, node.name):
                if tag and tag not in tags:
                    tags.append(tag)
        return tags


class Classifier:
    """The whole classifier read in one query; the tree and the inherited rules are worked out in memory."""

    def __init__(self, topics):
        self.topics = {topic.pk: topic for topic in topics}
        self.children: dict[int | None, list[AppealTopic]] = {}
        for topic in self.topics.values():
            self.children.setdefault(topic.parent_id, []).append(topic)
        for nodes in self.children.values():
            nodes.sort(key=lambda node: (node.sort_order, node.name))

    @classmethod
    def load(cls, *, active_only: bool = True) -> "Classifier":
        topics = AppealTopic.objects.all()
        if active_only:
            topics = topics.filter(is_active=True)
        classifier = cls(list(topics))
        if active_only:  # a section of a hidden theme is hidden too
            reachable = {node.pk for node in classifier.walk()}
            classifier = cls([topic for pk, topic in classifier.topics.items() if pk in reachable])
        return classifier

    def walk(self, parent_id=None):
        for node in self.children.get(parent_id, ()):
            yield node
            yield from self.walk(node.pk)

    def roots(self) -> list[AppealTopic]:
        return self.children.get(None, [])

    def children_of(self, node: AppealTopic) -> list[AppealTopic]:
        return self.children.get(node.pk, [])

    def is_leaf(self, node: AppealTopic) -> bool:
        return not self.children.get(node.pk)

    def path(self, node: AppealTopic) -> tuple[AppealTopic, ...]:
        chain = []
        while node is not None:
            chain.append(node)
            node = self.topics.get(node.parent_id) if node.parent_id else None
        return tuple(reversed(chain))

    def get(self, pk) -> AppealTopic | None:
        try:
            return self.topics.get(int(pk))
        except (TypeError, ValueError):
            return None

    def rules(self, node: AppealTopic) -> TopicRules:
        path = self.path(node)
        values = {}
        for name in RULE_FIELDS:
            value = None
            for step in reversed(path):
                candidate = getattr(step, name)
                if candidate not in (None, ""):
                    value = candidate
                    break
            values[name] = DEFAULT_RULES[name] if value is None else value
        steps_raw = []
        for step in reversed(path):
            raw = list(getattr(step.steps, "raw_data", None) or [])
            if raw:
                steps_raw = raw
                break
        intro = next((step.intro for step in reversed(path) if step.intro), "")
        return TopicRules(topic=node, path=path, handover=node.handover, intro=intro, steps_raw=steps_raw, **values)


# --- The appeal ---------------------------------------------------------------------------------------------------


class PersonType(models.TextChoices):
    LEGAL = "Ю-Л", _("Юридическое лицо")
    INDIVIDUAL = "Ф-Л", _("Физическое лицо")


class AppealCounter(models.Model):
    """The last number given in a year; locked while an appeal is filed, so the sequence has no gaps."""

    year = models.PositiveSmallIntegerField(_("год"), primary_key=True)
    last = models.PositiveIntegerField(_("последний номер"), default=0)

    class Meta:
        verbose_name = _("счётчик номеров обращений")
        verbose_name_plural = _("счётчики номеров обращений")

    def __str__(self):
        return f"{self.year}: {self.last}"


def _customer_sees(instance: "Appeal", user) -> bool:
    """Someone whose cabinet shows the appeal (the author, or a colleague whose role reaches the contract)."""
    return bool(user and user.is_authenticated and instance.customer_can_see(user))


def _author(instance: "Appeal", user) -> bool:
    return bool(user and user.pk == instance.user_id)


def _clerk_or_customer(instance: "Appeal", user) -> bool:
    return bool(user and (user.has_perm(WORK) or _customer_sees(instance, user)))


class Appeal(ConcurrentTransitionMixin, models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("Черновик")
        NEW = "new", _("Новая")
        REGISTERED = "registered", _("Зарегистрирована")
        IN_PROGRESS = "in_progress", _("Решается")
        RESOLVED = "resolved", _("Выполнена")
        CLOSED = "closed", _("Закрыто")
        REJECTED = "rejected", _("Отклонена")

    CUSTOMER_LABELS = {State.REGISTERED: _("Принято")}
    OPEN = (State.NEW, State.REGISTERED, State.IN_PROGRESS, State.RESOLVED)  # the customer's «Открытые»
    FINISHED = (State.CLOSED, State.REJECTED)  # «Закрытые»
    STAFF_OPEN = (State.NEW, State.REGISTERED, State.IN_PROGRESS)  # the desk's queue; the SLA clock runs here
    STATE_FAMILY = {
        State.DRAFT: "neutral",
        State.NEW: "info",
        State.REGISTERED: "info",
        State.IN_PROGRESS: "progress",
        State.RESOLVED: "success",
        State.CLOSED: "neutral",
        State.REJECTED: "danger",
    }
    CHANNEL = _("Личный кабинет")  # «способ обращения»: every appeal here is filed in the portal

    number = models.CharField(_("номер обращения"), max_length=32, blank=True)
    year = models.PositiveSmallIntegerField(_("год номера"), null=True, blank=True)
    sequence = models.PositiveIntegerField(_("порядковый номер"), null=True, blank=True)
    # The foreign keys led by a composite index in Meta.indexes need no index of their own.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="appeals",
        verbose_name=_("автор"),
        db_index=False,
    )
    contract = models.ForeignKey(
        "backoffice.Contract",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appeals",
        verbose_name=_("договор"),
        db_index=False,
    )
    account = models.ForeignKey(
        "backoffice.PersonalAccount",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appeals",
        verbose_name=_("лицевой счёт"),
        db_index=False,
    )
    energy_object = models.ForeignKey(
        "backoffice.EnergyObject",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="appeals",
        verbose_name=_("энергообъект"),
    )
    branch = models.ForeignKey(
        "backoffice.Branch",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="appeals",
        verbose_name=_("отделение"),
        db_index=False,
    )
    person_type = models.CharField(_("тип лица"), max_length=3, choices=PersonType.choices)
    topic = models.ForeignKey(AppealTopic, on_delete=models.PROTECT, related_name="appeals", verbose_name=_("тема"))
    theme = models.ForeignKey(
        AppealTopic,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("тема (верхний уровень)"),
        db_index=False,
    )
    section = models.ForeignKey(
        AppealTopic, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("раздел")
    )
    # The topic as the customer chose it, kept with the appeal: the classifier may change later.
    title = models.CharField(_("наименование"), max_length=255)
    topic_path = models.CharField(_("тема, раздел, подраздел"), max_length=800)
    # Who asks, as the desk's queue shows it (organisation and contract, ЛС, or the person): kept with the appeal
    # like the topic, so the queue reads one table.
    applicant = models.CharField(_("заявитель"), max_length=600, blank=True)
    capability = models.CharField(
        _("видно пользователям договора"),
        max_length=32,
        choices=AppealCapability.choices,
        default=AppealCapability.VIEW,
    )
    correspondence_allowed = models.BooleanField(_("переписка разрешена"), default=True)
    attachments_allowed = models.BooleanField(_("файлы разрешены"), default=True)
    signature_required = models.BooleanField(_("подписывается ПЭП"), default=False)
    text_max_length = models.PositiveSmallIntegerField(_("длина текста"), default=4000)
    response_days = models.PositiveSmallIntegerField(_("срок ответа, дней"), default=30)
    form_snapshot = models.JSONField(_("вопросы темы"), default=list, blank=True)
    answers = models.JSONField(_("ответы"), default=dict, blank=True)
    steps_passed = models.PositiveSmallIntegerField(_("пройдено шагов"), default=0)
    text = models.TextField(_("Текст обращения"), blank=True)
    state = FSMField(_("статус"), default=State.DRAFT, choices=State.choices, protected=True)

    created_at = models.DateTimeField(_("создано"), default=timezone.now)
    updated_at = models.DateTimeField(_("изменено"), default=timezone.now)
    submitted_at = models.DateTimeField(_("отправлено"), null=True, blank=True)
    registered_at = models.DateTimeField(_("зарегистрировано"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("выполнено"), null=True, blank=True)
    reopen_until = models.DateTimeField(_("можно возобновить до"), null=True, blank=True)
    closed_at = models.DateTimeField(_("закрыто"), null=True, blank=True)
    draft_expires_at = models.DateTimeField(_("Дата окончания действия черновика"), null=True, blank=True)

    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_appeals",
        verbose_name=_("исполнитель"),
        db_index=False,
    )
    due_at = models.DateTimeField(_("срок ответа"), null=True, blank=True)
    paused_at = models.DateTimeField(_("срок на паузе с"), null=True, blank=True)
    paused_seconds = models.PositiveIntegerField(_("на паузе, секунд"), default=0)
    resolved_in_time = models.BooleanField(_("выполнено в срок"), null=True, blank=True)

    last_message_at = models.DateTimeField(_("последнее сообщение"), default=timezone.now)
    last_staff_message_at = models.DateTimeField(_("последнее сообщение сотрудника"), null=True, blank=True)
    last_customer_message_at = models.DateTimeField(_("последнее сообщение клиента"), null=True, blank=True)
    staff_read_at = models.DateTimeField(_("прочитано сотрудником"), null=True, blank=True)

    rating = models.PositiveSmallIntegerField(
        _("оценка клиента"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    rating_comment = models.TextField(_("отзыв клиента"), blank=True, max_length=1000)
    rated_at = models.DateTimeField(_("оценено"), null=True, blank=True)

    class Meta:
        verbose_name = _("обращение")
        verbose_name_plural = _("обращения")
        ordering = ["-last_message_at", "-pk"]
        permissions = [
            ("work_appeal", _("Может работать с обращениями: регистрировать, отвечать, решать, отклонять")),
            ("assign_appeal", _("Может назначать обращения сотрудникам")),
        ]
        indexes = [
            models.Index(fields=["state", "due_at"], name="appeal_queue"),
            # The desk's queue as it opens: running clocks first, then by deadline (a partial index, so the first
            # page is read in order instead of sorting every open appeal).
            NullsFirstIndex(
                models.F("paused_at").asc(nulls_first=True),
                models.F("due_at").asc(),
                models.F("id").asc(),
                name="appeal_queue_urgency",
                condition=models.Q(state__in=["new", "registered", "in_progress"]),
            ),
            # «own» appeals are found by author with no owner, or by the ЛС: one range of this index either way
            models.Index(fields=["user", "contract", "account", "-last_message_at"], name="appeal_by_author_owner"),
            models.Index(fields=["contract", "-last_message_at"], name="appeal_by_contract"),
            models.Index(fields=["account", "-last_message_at"], name="appeal_by_account"),
            models.Index(fields=["assignee", "state"], name="appeal_by_assignee"),
            models.Index(fields=["theme", "state"], name="appeal_by_theme"),
            models.Index(fields=["branch", "state"], name="appeal_by_branch"),
            models.Index(fields=["state", "draft_expires_at"], name="appeal_drafts"),
            models.Index(fields=["state", "reopen_until"], name="appeal_resolved"),
            # «Сводка» counts from these alone (index-only scans): the open appeals, the queue by theme and branch,
            # what was resolved in a period.
            models.Index(
                fields=["state"],
                include=["due_at", "paused_at", "assignee", "last_customer_message_at", "staff_read_at"],
                condition=models.Q(state__in=["new", "registered", "in_progress", "resolved"]),
                name="appeal_desk_open",
            ),
            models.Index(
                fields=["theme", "branch"],
                include=["due_at", "paused_at"],
                condition=models.Q(state__in=["new", "registered", "in_progress"]),
                name="appeal_desk_groups",
            ),
            models.Index(fields=["resolved_at"], include=["resolved_in_time", "rating"], name="appeal_resolved_at"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "sequence"], condition=models.Q(sequence__isnull=False), name="appeal_sequence_unique"
            ),
            models.UniqueConstraint(fields=["number"], condition=~models.Q(number=""), name="appeal_number_unique"),
            models.CheckConstraint(
                condition=models.Q(contract__isnull=True) | models.Q(account__isnull=True),
                name="appeal_contract_or_account",
                violation_error_message=_("Выберите договор или лицевой счёт, не оба."),
            ),
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                name="appeal_rating_1_to_5",
            ),
        ]

    def __str__(self):
        return f"№ {self.number} · {self.title}" if self.number else f"{self.title} ({self.get_state_display()})"

    # What customers and staff read ------------------------------------------------------------------------------

    @property
    def customer_state_label(self) -> str:
        """The status as the customer reads it: «Принято» for «Зарегистрирована» (seed 001 рис. 29)."""
        return self.CUSTOMER_LABELS.get(self.state, self.get_state_display())

    @property
    def header(self) -> str:
        """«[Решается] Заключение договора энергоснабжения» (seed 001 §8.4.1)."""
        return f"[{self.customer_state_label}] {self.title}"

    @property
    def desk_header(self) -> str:
        """The same for the desk, with the state as staff name it («Зарегистрирована»)."""
        return f"[{self.get_state_display()}] {self.title}"

    @property
    def state_family(self) -> str:
        return self.STATE_FAMILY.get(self.state, "neutral")

    @property
    def is_draft(self) -> bool:
        return self.state == self.State.DRAFT

    @property
    def is_finished(self) -> bool:
        return self.state in self.FINISHED

    @property
    def awaits_answer(self) -> bool:
        """The company owes an answer: the SLA clock is its concern (Новая, Зарегистрирована, Решается)."""
        return self.state in self.STAFF_OPEN

    @property
    def accepts_messages(self) -> bool:
        return self.correspondence_allowed and self.state in self.OPEN

    @cached_property
    def steps(self) -> tuple[StepSpec, ...]:
        return steps_from_raw(self.form_snapshot)

    @property
    def total_steps(self) -> int:
        return len(self.steps) + 2

    @staticmethod
    def applicant_label(*, user, contract=None, account=None) -> str:
        person = user.get_full_name() or user.email
        if contract is not None:
            return f"{contract.customer.display_name} · {contract.number}"[:600]
        if account is not None:
            return f"ЛС {account.number} · {person}"[:600]
        return f"{person} · {user.email}"[:600] if user.get_full_name() else user.email

    def customer_can_see(self, user) -> bool:
        from ..services.appeals_selectors import appeals_visible_to, reach_forget  # the cabinet's rules

        reach_forget(user)  # a transition checks the cabinet as it is now
        return appeals_visible_to(user=user).filter(pk=self.pk).exists()

    # The SLA clock ---------------------------------------------------------------------------------------------

    def sla_pause(self, now) -> None:
        if self.paused_at is None:
            self.paused_at = now

    def sla_resume(self, now) -> None:
        if self.paused_at is None:
            return
        paused = max(now - self.paused_at, datetime.timedelta(0))
        self.paused_seconds += int(paused.total_seconds())
        if self.due_at is not None:
            self.due_at += paused
        self.paused_at = None

    def sla_remaining(self, now=None) -> datetime.timedelta | None:
        """Time left to the deadline; frozen while paused; negative when overdue."""
        if self.due_at is None:
            return None
        return self.due_at - (self.paused_at or now or timezone.now())

    def is_overdue(self, now=None) -> bool:
        remaining = self.sla_remaining(now)
        return self.state in self.STAFF_OPEN and remaining is not None and remaining < datetime.timedelta(0)

    # Guards ----------------------------------------------------------------------------------------------------

    def ready_to_submit(self) -> bool:
        """Every step before «Информация по обращению» passed with «Дальше», and a text within the topic's limit."""
        text = self.text.strip()
        return self.steps_passed >= self.total_steps - 1 and bool(text) and len(text) <= self.text_max_length

    def within_reopen_window(self) -> bool:
        return self.reopen_until is not None and timezone.now() <= self.reopen_until

    def no_signature_pending(self) -> bool:
        return not self.signature_requests.filter(state=SignatureRequest.State.PENDING).exists()

    # Transitions -----------------------------------------------------------------------------------------------

    @transition(field=state, source=State.DRAFT, target=State.NEW, conditions=[ready_to_submit], permission=_author)
    def submit(self, *, now):
        self.submitted_at = self.last_message_at = self.last_customer_message_at = now
        self.draft_expires_at = None
        self.due_at = now + datetime.timedelta(days=self.response_days)

    @transition(field=state, source=State.NEW, target=State.REGISTERED, permission=WORK)
    def register(self, *, by, now):
        self.registered_at = now
        self.assignee = self.assignee or by

    @transition(field=state, source=State.REGISTERED, target=State.IN_PROGRESS, permission=WORK)
    def start(self, *, by, now):
        self.assignee = self.assignee or by

    @transition(
        field=state,
        source=State.IN_PROGRESS,
        target=State.RESOLVED,
        conditions=[no_signature_pending],
        permission=WORK,
    )
    def resolve(self, *, by, now, reopen_days: int):
        self.resolved_in_time = (self.sla_remaining(now) or datetime.timedelta(0)) >= datetime.timedelta(0)
        self.sla_pause(now)  # nothing is owed while the customer looks at the answer
        self.resolved_at = now
        self.reopen_until = now + datetime.timedelta(days=reopen_days)

    @transition(
        field=state,
        source=[State.NEW, State.REGISTERED, State.IN_PROGRESS],
        target=State.REJECTED,
        permission=WORK,
    )
    def reject(self, *, by, now):
        self.closed_at = now
        self.sla_pause(now)

    @transition(field=state, source=State.RESOLVED, target=State.CLOSED, permission=_clerk_or_customer)
    def close(self, *, by, now):
        self.closed_at = now

    @transition(
        field=state,
        source=[State.RESOLVED, State.CLOSED],
        target=State.IN_PROGRESS,
        conditions=[within_reopen_window],
        permission=_customer_sees,
    )
    def reopen(self, *, by, now):
        self.closed_at = self.reopen_until = None
        self.resolved_in_time = None
        self.sla_resume(now)


class AppealMessage(models.Model):
    """One message of the dialog: the customer's «Вы» or the company's «Администратор» (F-G5)."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="messages", verbose_name=_("обращение"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("автор")
    )
    from_staff = models.BooleanField(_("от сотрудника"), default=False)
    text = models.TextField(_("сообщение"), max_length=4000, blank=True)
    asks_customer = models.BooleanField(_("ждёт ответа клиента"), default=False)
    created_at = models.DateTimeField(_("отправлено"), default=timezone.now)

    class Meta:
        verbose_name = _("сообщение по обращению")
        verbose_name_plural = _("сообщения по обращениям")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["appeal", "created_at"], name="appeal_message_order")]

    def __str__(self):
        return self.text[:60]


class SignatureRequest(models.Model):
    """«Подпишите документы»: staff send documents, the customer signs, declines or signs with a protocol (F-G6)."""

    class State(models.TextChoices):
        PENDING = "pending", _("Ожидает подписи")
        SIGNED = "signed", _("Подписано")
        SIGNED_WITH_PROTOCOL = "signed_with_protocol", _("Подписано с протоколом разногласий")
        DECLINED = "declined", _("Отклонено")
        WITHDRAWN = "withdrawn", _("Отозвано")

    class Decision(models.TextChoices):
        SIGN = "sign", _("Подписать")
        PROTOCOL = "protocol", _("Подписать с протоколом разногласий")

    appeal = models.ForeignKey(
        Appeal, on_delete=models.CASCADE, related_name="signature_requests", verbose_name=_("обращение")
    )
    message = models.OneToOneField(
        AppealMessage, on_delete=models.CASCADE, related_name="signature_request", verbose_name=_("сообщение")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("запросил")
    )
    created_at = models.DateTimeField(_("запрошено"), default=timezone.now)
    state = models.CharField(_("статус"), max_length=24, choices=State.choices, default=State.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("решение"),
    )
    decided_at = models.DateTimeField(_("дата решения"), null=True, blank=True)
    decline_reason = models.TextField(_("причина отказа"), blank=True, max_length=2000)
    # A signing under way: the decision waits for the one-time code; a failed one keeps the appeal in «Черновики».
    pending_decision = models.CharField(_("ожидает кода"), max_length=16, blank=True, choices=Decision.choices)
    pending_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    code_sent_at = models.DateTimeField(_("код отправлен"), null=True, blank=True)
    failed_at = models.DateTimeField(_("подписание не удалось"), null=True, blank=True)
    draft_expires_at = models.DateTimeField(_("Дата окончания действия черновика"), null=True, blank=True)

    class Meta:
        verbose_name = _("запрос подписи")
        verbose_name_plural = _("запросы подписи")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["appeal", "state"], name="signature_request_state")]

    def __str__(self):
        return f"{self.get_state_display()} · {self.appeal}"

    @property
    def is_pending(self) -> bool:
        return self.state == self.State.PENDING


class AppealFile(models.Model):
    """A file of the appeal: attached to a message, a document to sign, or a protocol of disagreements."""

    class Purpose(models.TextChoices):
        ATTACHMENT = "attachment", _("Вложение")
        DOCUMENT = "document", _("Документ на подпись")
        PROTOCOL = "protocol", _("Протокол разногласий")

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="files", verbose_name=_("обращение"))
    message = models.ForeignKey(
        AppealMessage,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="files",
        verbose_name=_("сообщение"),
    )
    signature_request = models.ForeignKey(
        SignatureRequest,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="files",
        verbose_name=_("запрос подписи"),
    )
    purpose = models.CharField(_("назначение"), max_length=16, choices=Purpose.choices, default=Purpose.ATTACHMENT)
    file = models.FileField(_("файл"), storage=private_storage, upload_to=appeal_file_path, max_length=255)
    name = models.CharField(_("имя файла"), max_length=255)
    size = models.PositiveIntegerField(_("размер, байт"))
    kind = models.CharField(_("формат"), max_length=8)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("загрузил")
    )
    created_at = models.DateTimeField(_("загружен"), default=timezone.now)

    class Meta:
        verbose_name = _("файл обращения")
        verbose_name_plural = _("файлы обращений")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.name

    @property
    def previewable(self) -> bool:
        return self.kind in ("jpg", "png", "pdf")


class Signature(models.Model):
    """A simple electronic signature: what was signed (its SHA-256), by whom, when and from where (F-G6)."""

    class Decision(models.TextChoices):
        APPLICATION = "application", _("Подписано заявление")
        SIGN = "sign", _("Подписано")
        PROTOCOL = "protocol", _("Подписано с протоколом разногласий")

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="signatures", verbose_name=_("обращение"))
    request = models.ForeignKey(
        SignatureRequest,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="signatures",
        verbose_name=_("запрос подписи"),
    )
    signed_file = models.ForeignKey(
        AppealFile, on_delete=models.PROTECT, null=True, blank=True, related_name="signatures", verbose_name=_("файл")
    )
    subject = models.CharField(_("что подписано"), max_length=255)
    sha256 = models.CharField(_("SHA-256 подписанного"), max_length=64)
    decision = models.CharField(_("решение"), max_length=16, choices=Decision.choices)
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="appeal_signatures", verbose_name=_("подписал")
    )
    signer_name = models.CharField(_("ФИО подписавшего"), max_length=500)
    signer_email = models.EmailField(_("e-mail, на который отправлен код"))
    signed_at = models.DateTimeField(_("подписано"), default=timezone.now)
    ip_address = models.GenericIPAddressField(_("IP-адрес"), null=True, blank=True)
    user_agent = models.CharField(_("браузер"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("подпись")
        verbose_name_plural = _("подписи")
        ordering = ["signed_at", "pk"]

    def __str__(self):
        return f"{self.subject} · {self.signer_name}"


class AppealRead(models.Model):
    """When a customer last read an appeal: the staff messages after that are «непрочитанные» (F-G5)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="reads")
    read_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("прочтение обращения")
        verbose_name_plural = _("прочтения обращений")
        constraints = [models.UniqueConstraint(fields=["user", "appeal"], name="appeal_read_once")]

    def __str__(self):
        return f"{self.user_id} → {self.appeal_id}"


class AppealNote(models.Model):
    """An internal note of the desk; customers never see it."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="notes", verbose_name=_("обращение"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("автор")
    )
    text = models.TextField(_("заметка"), max_length=4000)
    created_at = models.DateTimeField(_("создана"), default=timezone.now)

    class Meta:
        verbose_name = _("внутренняя заметка")
        verbose_name_plural = _("внутренние заметки")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.text[:60]
