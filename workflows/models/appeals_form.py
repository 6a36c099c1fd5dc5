"""The questions a topic of the appeal classifier asks (F-G1): a form definition kept as data.

Staff build it in the Wagtail admin as a StreamField of steps; each step holds fields and groups of fields, and a
group may repeat («Энергообъект» → «Точка присоединения» → «Точка учёта» → «Прибор учёта», seed 001 §8.4.1) and nest
up to `MAX_DEPTH` levels. Nothing here is tied to one topic: the wizard, the card and the desk read the same
definition, so a new topic needs no deploy.

The definition is parsed into frozen specs (`StepSpec`, `GroupSpec`, `FieldSpec`). `StepForm` is the Django-form-like
object the wizard uses for one step: it renders nodes for the template, parses a POST (names like
``f-energy.0.points.1.name``, repeat counts in ``n-energy.0.points``), validates with Russian messages and keeps what
was typed, and adds or removes repeated items («Добавить ещё», «Удалить») without JavaScript. Answers are JSON:
``{step_key: {name: value | {…} | [{…}, …]}}``; dates ISO, numbers as strings, so nothing is lost to floats.
`answers_display` turns stored answers back into labelled rows for the card («Информация», «Банк», …).
"""

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from wagtail import blocks

from backoffice import validators

MAX_DEPTH = 4
MAX_REPEAT = 20
DEFAULT_MAX_LENGTH = {"text": 255, "textarea": 2000}
REQUIRED = _lazy("Заполните поле")

KINDS = [
    ("text", _lazy("Строка")),
    ("textarea", _lazy("Многострочный текст")),
    ("integer", _lazy("Целое число")),
    ("decimal", _lazy("Число (можно с запятой)")),
    ("date", _lazy("Дата (ДД.ММ.ГГГГ)")),
    ("email", _lazy("E-mail")),
    ("phone", _lazy("Телефон")),
    ("inn", _lazy("ИНН")),
    ("kpp", _lazy("КПП")),
    ("ogrn", _lazy("ОГРН / ОГРНИП")),
    ("okpo", _lazy("ОКПО")),
    ("bik", _lazy("БИК")),
    ("bank_account", _lazy("Номер счёта (20 цифр)")),
    ("yes_no", _lazy("Флажок (да/нет)")),
    ("choice", _lazy("Выбор из списка")),
    ("branch", _lazy("Отделение компании")),
    ("energy_object", _lazy("Энергообъект выбранного договора")),
]
KIND_NAMES = {kind for kind, _label in KINDS}
DIGIT_KINDS = {
    "inn": validators.inn,
    "kpp": validators.kpp,
    "ogrn": validators.ogrn,
    "okpo": validators.okpo,
    "bik": validators.bik,
    "bank_account": validators.bank_account,
}
# Where a field's first value may come from, so the customer does not type what the portal knows.
PREFILLS = [
    ("", _lazy("Не заполнять")),
    ("user.full_name", _lazy("ФИО пользователя")),
    ("user.last_name", _lazy("Фамилия пользователя")),
    ("user.first_name", _lazy("Имя пользователя")),
    ("user.middle_name", _lazy("Отчество пользователя")),
    ("user.email", _lazy("E-mail пользователя")),
    ("user.phone", _lazy("Телефон пользователя")),
    ("user.organisation", _lazy("Организация из профиля")),
    ("user.position", _lazy("Должность из профиля")),
    ("customer.full_name", _lazy("Полное наименование организации по договору")),
    ("customer.short_name", _lazy("Краткое наименование организации по договору")),
    ("customer.inn", _lazy("ИНН по договору")),
    ("customer.kpp", _lazy("КПП по договору")),
    ("customer.ogrn", _lazy("ОГРН по договору")),
    ("customer.okpo", _lazy("ОКПО по договору")),
    ("customer.legal_address", _lazy("Юридический адрес по договору")),
    ("customer.postal_address", _lazy("Почтовый адрес по договору")),
    ("customer.bik", _lazy("БИК по договору")),
    ("customer.bank_account", _lazy("Расчётный счёт по договору")),
    ("account.address", _lazy("Адрес ЛС")),
]
CODE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def _code_validator(value):
    if not CODE.match(value or ""):
        raise ValidationError(_("Код — латинские строчные буквы, цифры и «_», начинается с буквы, до 40 знаков."))


# --- The blocks staff edit ----------------------------------------------------------------------------------------


class FieldBlock(blocks.StructBlock):
    name = blocks.CharBlock(label=_lazy("Код поля"), max_length=40, validators=[_code_validator])
    label = blocks.CharBlock(label=_lazy("Подпись"), max_length=255)
    kind = blocks.ChoiceBlock(label=_lazy("Тип"), choices=KINDS, default="text")
    required = blocks.BooleanBlock(label=_lazy("Обязательное"), required=False)
    max_length = blocks.IntegerBlock(
        label=_lazy("Наибольшая длина"), required=False, min_value=1, max_value=4000, help_text=_lazy("Для строк.")
    )
    choices = blocks.TextBlock(
        label=_lazy("Варианты"), required=False, help_text=_lazy("Для «Выбор из списка»: по варианту в строке.")
    )
    hint = blocks.CharBlock(label=_lazy("Подсказка"), required=False, max_length=255)
    prefill = blocks.ChoiceBlock(label=_lazy("Заполнить заранее"), choices=PREFILLS, required=False)

    class Meta:
        icon = "form"
        label = _lazy("Поле")
        label_format = "{label}"


def _group_block(depth: int) -> blocks.StructBlock:
    children = [("field", FieldBlock())]
    if depth < MAX_DEPTH:
        children.append(("group", _group_block(depth + 1)))
    return blocks.StructBlock(
        [
            ("name", blocks.CharBlock(label=_lazy("Код группы"), max_length=40, validators=[_code_validator])),
            ("label", blocks.CharBlock(label=_lazy("Заголовок"), max_length=255)),
            ("repeatable", blocks.BooleanBlock(label=_lazy("Можно добавить несколько"), required=False)),
            ("min_items", blocks.IntegerBlock(label=_lazy("Не меньше"), required=False, min_value=0, max_value=20)),
            ("max_items", blocks.IntegerBlock(label=_lazy("Не больше"), required=False, min_value=1, max_value=20)),
            ("fields", blocks.StreamBlock(children, label=_lazy("Поля"))),
        ],
        icon="folder-open-inverse",
        label=_lazy("Группа полей"),
        label_format="{label}",
    )


class StepBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_lazy("Название шага"), max_length=100)
    hint = blocks.TextBlock(label=_lazy("Пояснение"), required=False)
    fields = blocks.StreamBlock([("field", FieldBlock()), ("group", _group_block(1))], label=_lazy("Поля"))

    class Meta:
        icon = "list-ol"
        label = _lazy("Шаг")
        label_format = "{title}"


STEP_BLOCKS = [("step", StepBlock())]


# --- Specs --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    kind: str = "text"
    required: bool = False
    max_length: int | None = None
    choices: tuple[str, ...] = ()
    hint: str = ""
    prefill: str = ""

    is_group = False

    @property
    def length_limit(self) -> int | None:
        return self.max_length or DEFAULT_MAX_LENGTH.get(self.kind)


@dataclass(frozen=True)
class GroupSpec:
    name: str
    label: str
    repeatable: bool = False
    min_items: int = 1
    max_items: int = MAX_REPEAT
    children: tuple = ()

    is_group = True


@dataclass(frozen=True)
class StepSpec:
    key: str
    title: str
    hint: str = ""
    children: tuple = ()


def _children(raw_items, depth: int) -> tuple:
    children, names = [], set()
    for item in raw_items or ():
        kind, value = item.get("type"), item.get("value") or {}
        name = (value.get("name") or "").strip()
        if not name or name in names:
            continue  # a definition that slipped past validation never breaks a customer's form
        names.add(name)
        if kind == "field":
            children.append(
                FieldSpec(
                    name=name,
                    label=value.get("label") or name,
                    kind=value.get("kind") if value.get("kind") in KIND_NAMES else "text",
                    required=bool(value.get("required")),
                    max_length=value.get("max_length") or None,
                    choices=tuple(line.strip() for line in (value.get("choices") or "").splitlines() if line.strip()),
                    hint=value.get("hint") or "",
                    prefill=value.get("prefill") or "",
                )
            )
        elif kind == "group" and depth <= MAX_DEPTH:
            repeatable = bool(value.get("repeatable"))
            minimum = value.get("min_items")
            minimum = 1 if minimum is None else max(int(minimum), 0)
            maximum = value.get("max_items") or MAX_REPEAT
            children.append(
                GroupSpec(
                    name=name,
                    label=value.get("label") or name,
                    repeatable=repeatable,
                    min_items=minimum if repeatable else 1,
                    max_items=max(min(int(maximum), MAX_REPEAT), max(minimum, 1)) if repeatable else 1,
                    children=_children(value.get("fields"), depth + 1),
                )
            )
    return tuple(children)


def steps_from_raw(raw) -> tuple[StepSpec, ...]:
    """The steps of a stored definition (StreamField raw data: [{"type": "step", "value": {…}, "id": …}])."""
    steps = []
    for position, item in enumerate(raw or ()):
        if item.get("type") != "step":
            continue
        value = item.get("value") or {}
        steps.append(
            StepSpec(
                key=str(item.get("id") or f"step{position + 1}"),
                title=value.get("title") or _("Шаг %(number)s") % {"number": position + 1},
                hint=value.get("hint") or "",
                children=_children(value.get("fields"), 1),
            )
        )
    return tuple(steps)


def definition_problems(raw) -> list[str]:
    """What is wrong with a definition staff are saving: duplicate codes, choices without variants."""
    problems = []

    def walk(items, where: str, depth: int):
        seen = set()
        for item in items or ():
            value = item.get("value") or {}
            name = value.get("name") or ""
            if name in seen:
                problems.append(_("%(where)s: код «%(name)s» повторяется.") % {"where": where, "name": name})
            seen.add(name)
            if (
                item.get("type") == "field"
                and value.get("kind") == "choice"
                and not (value.get("choices") or "").strip()
            ):
                problems.append(
                    _("%(where)s: у поля «%(label)s» нет вариантов.") % {"where": where, "label": value.get("label")}
                )
            if item.get("type") == "group":
                minimum, maximum = value.get("min_items"), value.get("max_items")
                if minimum is not None and maximum is not None and minimum > maximum:
                    problems.append(
                        _("%(where)s: в группе «%(label)s» «Не меньше» больше, чем «Не больше».")
                        % {"where": where, "label": value.get("label")}
                    )
                walk(value.get("fields"), f"{where} → {value.get('label')}", depth + 1)

    for position, item in enumerate(raw or (), 1):
        value = item.get("value") or {}
        walk(value.get("fields"), value.get("title") or _("Шаг %(number)s") % {"number": position}, 1)
    return problems


# --- Cleaning one value -------------------------------------------------------------------------------------------


@dataclass
class Context:
    """What some kinds need: the branches to choose from, the chosen contract's energy objects, prefill sources."""

    branches: dict = field(default_factory=dict)  # pk → name
    energy_objects: dict = field(default_factory=dict)  # pk → label
    user: object = None
    customer: object = None
    account: object = None


def _digits(text: str) -> str:
    return re.sub(r"[\s-]", "", text)


def clean_value(spec: FieldSpec, raw: str, context: Context):
    """The stored value of one field from what was typed; ValidationError with a Russian message."""
    text = (raw or "").strip()
    if spec.kind == "yes_no":
        value = text in {"on", "1", "true", "да"}
        if spec.required and not value:
            raise ValidationError(REQUIRED)
        return value
    if not text:
        if spec.required:
            raise ValidationError(REQUIRED)
        return None
    limit = spec.length_limit
    if limit and len(text) > limit:
        raise ValidationError(
            _("Не больше %(limit)s символов (сейчас %(count)s).") % {"limit": limit, "count": len(text)}
        )
    kind = spec.kind
    if kind in ("text", "textarea"):
        return text
    if kind == "integer":
        digits = text.replace(" ", "").replace("\u00a0", "")
        if not re.fullmatch(r"-?\d{1,12}", digits):
            raise ValidationError(_("Введите целое число."))
        return int(digits)
    if kind == "decimal":
        number = text.replace(" ", "").replace("\u00a0", "").replace(",", ".")
        try:
            value = Decimal(number)
        except InvalidOperation:
            raise ValidationError(_("Введите число, например 150 или 94,44.")) from None
        if not value.is_finite() or abs(value) >= Decimal("1e12"):
            raise ValidationError(_("Введите число, например 150 или 94,44."))
        return str(value)
    if kind == "date":
        for pattern in ("%d.%m.%Y", "%Y-%m-%d"):
            try:
                return datetime.datetime.strptime(text, pattern).date().isoformat()
            except ValueError:
                continue
        raise ValidationError(_("Введите дату в виде ДД.ММ.ГГГГ."))
    if kind == "email":
        EmailValidator(message=_("Введите e-mail, например name@company.ru."))(text)
        return text.lower()
    if kind == "phone":
        try:
            number = phonenumbers.parse(text, "RU")
        except phonenumbers.NumberParseException:
            number = None
        if number is None or not phonenumbers.is_valid_number(number):
            raise ValidationError(_("Введите номер телефона, например +7 900 123-45-67."))
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if kind in DIGIT_KINDS:
        digits = _digits(text)
        DIGIT_KINDS[kind](digits)
        return digits
    if kind == "choice":
        if text not in spec.choices:
            raise ValidationError(_("Выберите вариант из списка."))
        return text
    if kind == "branch":
        if not text.isdigit() or int(text) not in context.branches:
            raise ValidationError(_("Выберите отделение из списка."))
        return int(text)
    if kind == "energy_object":
        if not text.isdigit() or int(text) not in context.energy_objects:
            raise ValidationError(_("Выберите энергообъект из списка."))
        return int(text)
    return text


def typed_value(spec: FieldSpec, stored) -> str:
    """What an input shows for a stored value: dates as ДД.ММ.ГГГГ, numbers with a comma."""
    if stored is None:
        return ""
    if spec.kind == "yes_no":
        return "on" if stored else ""
    if spec.kind == "date":
        try:
            return datetime.date.fromisoformat(stored).strftime("%d.%m.%Y")
        except (TypeError, ValueError):
            return str(stored)
    if spec.kind == "decimal":
        return str(stored).replace(".", ",")
    return str(stored)


def _prefill(spec: FieldSpec, context: Context) -> str:
    source, _sep, attribute = spec.prefill.partition(".")
    target = {"user": context.user, "customer": context.customer, "account": context.account}.get(source)
    if target is None:
        return ""
    if source == "user" and attribute == "full_name":
        return target.get_full_name()
    value = getattr(target, attribute, "")
    return str(value) if value else ""


# --- One step of the wizard ---------------------------------------------------------------------------------------


@dataclass
class Node:
    """What the template draws: a field (with its input) or a group (a fieldset with items)."""

    spec: object
    path: str
    value: str = ""
    error: str = ""
    items: list = field(default_factory=list)  # groups: a list of (index, [Node, …])
    choices: list = field(default_factory=list)  # fields: [(value, label)]

    @property
    def is_group(self) -> bool:
        return self.spec.is_group

    @property
    def html_name(self) -> str:
        return f"f-{self.path}"

    @property
    def html_id(self) -> str:
        return "id_" + self.path.replace(".", "_")

    @property
    def count_name(self) -> str:
        return f"n-{self.path}"

    @property
    def can_add(self) -> bool:
        return self.spec.repeatable and len(self.items) < self.spec.max_items

    @property
    def can_remove(self) -> bool:
        return self.spec.repeatable and len(self.items) > max(self.spec.min_items, 1 if self.spec.min_items else 0)


class StepForm:
    """One step of a topic's definition, bound to a POST or to the stored answers.

    `is_valid()` fills `cleaned_data` (the step's answers) or `errors` (path → message). `edit_action` tells
    whether the POST asked to add or remove a repeated item instead of going on; the form then shows the step
    again with what was typed, one item more or less.
    """

    def __init__(self, step: StepSpec, *, data=None, stored=None, context: Context | None = None):
        self.step = step
        self.data = data
        self.context = context or Context()
        self.stored = stored
        self.errors: dict[str, str] = {}
        self.cleaned_data: dict | None = None
        self.edit_action = self._edit_action()

    @property
    def is_bound(self) -> bool:
        return self.data is not None

    def _edit_action(self):
        if self.data is None:
            return None
        for key in self.data:
            if key.startswith("add-"):
                return ("add", key.removeprefix("add-"))
            if key.startswith("remove-"):
                return ("remove", key.removeprefix("remove-"))
        return None

    # Binding ---------------------------------------------------------------------------------------------------

    def _count(self, group: GroupSpec, path: str, stored_items) -> int:
        if self.data is not None:
            raw = self.data.get(f"n-{path}", "")
            count = int(raw) if str(raw).isdigit() else group.min_items
        elif stored_items is not None:
            count = len(stored_items)
        else:
            count = group.min_items if group.repeatable else 1
        action = self.edit_action
        if action and action[0] == "add" and action[1] == path:
            count += 1
        return max(min(count, group.max_items), 0 if group.repeatable else 1)

    def _indexes(self, group: GroupSpec, path: str, stored_items) -> list[int]:
        count = self._count(group, path, stored_items)
        indexes = list(range(count))
        action = self.edit_action
        if action and action[0] == "remove" and action[1].rpartition(".")[0] == path:
            removed = action[1].rpartition(".")[2]
            if removed.isdigit() and int(removed) in indexes and len(indexes) > group.min_items:
                indexes.remove(int(removed))
        return indexes

    def _field_choices(self, spec: FieldSpec) -> list:
        if spec.kind == "choice":
            return [(choice, choice) for choice in spec.choices]
        if spec.kind == "branch":
            return [(str(pk), name) for pk, name in self.context.branches.items()]
        if spec.kind == "energy_object":
            return [(str(pk), label) for pk, label in self.context.energy_objects.items()]
        return []

    def nodes(self) -> list[Node]:
        """The step as the template draws it: typed values (or stored ones, or prefilled ones) and errors.

        Removing an item renumbers the ones after it, so the paths a page shows are always 0, 1, 2…
        """
        return self._nodes(self.step.children, "", self.stored or {}, self.stored is None)

    def _nodes(self, children, prefix: str, stored: dict, fresh: bool, source_prefix: str | None = None) -> list:
        source_prefix = prefix if source_prefix is None else source_prefix
        nodes = []
        for spec in children:
            path, source = f"{prefix}{spec.name}", f"{source_prefix}{spec.name}"
            if spec.is_group:
                stored_value = stored.get(spec.name) if isinstance(stored, dict) else None
                stored_items = stored_value if spec.repeatable else ([stored_value] if stored_value else None)
                node = Node(spec=spec, path=path, error=self.errors.get(source, ""))
                indexes = self._indexes(spec, source, stored_items if isinstance(stored_items, list) else None)
                for position, index in enumerate(indexes):
                    item_stored = {}
                    if isinstance(stored_items, list) and index < len(stored_items):
                        item_stored = stored_items[index] or {}
                    inner = (
                        (f"{path}.{position}.", f"{source}.{index}.") if spec.repeatable else (f"{path}.", f"{source}.")
                    )
                    node.items.append(
                        (
                            position,
                            self._nodes(spec.children, inner[0], item_stored, fresh and not item_stored, inner[1]),
                        )
                    )
                nodes.append(node)
                continue
            if self.data is not None:
                value = self.data.get(f"f-{source}", "")
            elif isinstance(stored, dict) and spec.name in stored:
                value = typed_value(spec, stored.get(spec.name))
            else:
                value = _prefill(spec, self.context) if fresh else ""
            nodes.append(
                Node(
                    spec=spec,
                    path=path,
                    value=value,
                    error=self.errors.get(source, ""),
                    choices=self._field_choices(spec),
                )
            )
        return nodes

    # Validation ------------------------------------------------------------------------------------------------

    def is_valid(self) -> bool:
        if self.data is None or self.edit_action is not None:
            return False
        self.errors = {}
        self.cleaned_data = self._clean(self.step.children, "")
        return not self.errors

    def _clean(self, children, prefix: str) -> dict:
        cleaned = {}
        for spec in children:
            path = f"{prefix}{spec.name}"
            if spec.is_group:
                if spec.repeatable:
                    items = [
                        self._clean(spec.children, f"{path}.{index}.") for index in self._indexes(spec, path, None)
                    ]
                else:
                    items = [self._clean(spec.children, f"{path}.")]
                if spec.repeatable:
                    if len(items) < spec.min_items:
                        self.errors[path] = _("Добавьте хотя бы %(count)s.") % {"count": spec.min_items}
                    cleaned[spec.name] = items
                else:
                    cleaned[spec.name] = items[0] if items else {}
                continue
            try:
                cleaned[spec.name] = clean_value(spec, self.data.get(f"f-{path}", ""), self.context)
            except ValidationError as error:
                self.errors[path] = error.messages[0]
        return cleaned

    def error_list(self) -> list[tuple[str, str, str]]:
        """(input id, label, message) for the summary on top of the step."""
        labels = {}

        def walk(children, prefix):
            for spec in children:
                path = f"{prefix}{spec.name}"
                labels[path] = spec.label
                if spec.is_group and spec.repeatable:
                    for index in range(MAX_REPEAT):
                        walk(spec.children, f"{path}.{index}.")
                elif spec.is_group:
                    walk(spec.children, f"{path}.")

        walk(self.step.children, "")
        summary = []
        for path, message in self.errors.items():
            label = labels.get(path) or labels.get(re.sub(r"\.\d+\.", ".0.", path), path)
            summary.append(("id_" + path.replace(".", "_"), label, message))
        return summary


# --- The card: stored answers as labelled rows --------------------------------------------------------------------


@dataclass
class Row:
    label: str
    value: str = ""
    children: list = field(default_factory=list)  # a group's rows (a nested accordion)
    is_group: bool = False


def _display_value(spec: FieldSpec, value, context: Context) -> str:
    if value is None or value == "":
        return ""
    if spec.kind == "yes_no":
        return _("Да") if value else _("Нет")
    if spec.kind == "branch":
        return context.branches.get(value, str(value))
    if spec.kind == "energy_object":
        return context.energy_objects.get(value, str(value))
    if spec.kind == "phone":
        try:
            return phonenumbers.format_number(
                phonenumbers.parse(value, "RU"), phonenumbers.PhoneNumberFormat.INTERNATIONAL
            )
        except phonenumbers.NumberParseException:
            return str(value)
    return typed_value(spec, value)


def _rows(children, stored, context: Context) -> list[Row]:
    rows = []
    stored = stored if isinstance(stored, dict) else {}
    for spec in children:
        value = stored.get(spec.name)
        if spec.is_group:
            items = value if spec.repeatable else [value]
            items = [item for item in items or () if item]
            for position, item in enumerate(items, 1):
                label = f"{spec.label} {position}" if spec.repeatable and len(items) > 1 else spec.label
                rows.append(Row(label=label, children=_rows(spec.children, item, context), is_group=True))
            continue
        rows.append(Row(label=spec.label, value=_display_value(spec, value, context)))
    return rows


def answers_display(steps: tuple[StepSpec, ...], answers: dict, context: Context) -> list[Row]:
    """One accordion per step that has answers, with nested ones for groups (seed 001 рис. 30–31, 78–83)."""
    return [
        Row(label=step.title, children=_rows(step.children, answers.get(step.key), context), is_group=True)
        for step in steps
        if step.key in (answers or {})
    ]


def answers_references(steps: tuple[StepSpec, ...], answers: dict) -> dict[str, set[int]]:
    """The branches and energy objects the answers point at (the card loads their names in one query each)."""
    found = {"branch": set(), "energy_object": set()}

    def walk(children, stored):
        if not isinstance(stored, dict):
            return
        for spec in children:
            value = stored.get(spec.name)
            if spec.is_group:
                for item in (value if spec.repeatable else [value]) or ():
                    walk(spec.children, item)
            elif spec.kind in found and isinstance(value, int):
                found[spec.kind].add(value)

    for step in steps:
        walk(step.children, (answers or {}).get(step.key))
    return found


def first_value_of_kind(steps: tuple[StepSpec, ...], answers: dict, kind: str):
    """The first top-level answer of a kind (the chosen «Отделение», «Энергообъект»): it routes the appeal."""
    for step in steps:
        stored = (answers or {}).get(step.key) or {}
        for spec in step.children:
            if not spec.is_group and spec.kind == kind and stored.get(spec.name) is not None:
                return stored.get(spec.name)
    return None
