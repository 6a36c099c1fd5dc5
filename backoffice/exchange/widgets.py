"""How one cell is read and written: the same widget parses an imported value and renders an exported one.

Widgets are django-import-export widgets, so a resource declares each column once. They raise
`CellError` with the reason a clerk reads in the error report; the engine adds row and column.
Cells come from CSV (always text) or XLSX (numbers, dates and text), so every widget accepts both.
"""

import datetime
import re
from collections import defaultdict
from decimal import Decimal, InvalidOperation
from operator import attrgetter

from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from import_export.widgets import Widget
from phonenumber_field.phonenumber import to_python as phone_to_python

SPACES = re.compile(r"[\s\u00a0\u202f']+")
DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
DASHES = str.maketrans({"−": "-", "–": "-", "—": "-", "ё": "е"})
LOOKUP_CHUNK = 2000  # keys per IN (…) query: well inside SQLite's limit on variables


class CellError(ValueError):
    """A cell that cannot be read; the message is the reason shown to the user."""


def tidy(value):
    """Blank cells become None and text loses surrounding spaces, whatever the file format."""
    if value is None:
        return None
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def as_text(value) -> str:
    """Text of a cell; whole numbers typed into Excel come back without «.0»."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.date):  # a datetime too: Excel keeps dates as midnight
        return value.strftime("%d.%m.%Y")
    return str(value).strip()


def normalized(text: str) -> str:
    """Spelling-insensitive form for labels and headers: case, «ё», dashes and spaces do not matter."""
    return " ".join(str(text).casefold().translate(DASHES).split())


class ExchangeWidget(Widget):
    """Blank cells clean to None; subclasses read the rest in `parse` and may render natively for XLSX."""

    def clean(self, value, row=None, **kwargs):
        value = tidy(value)
        return None if value is None else self.parse(value, row)

    def parse(self, value, row=None):
        return value

    def parser(self):
        """The function the engine calls for every non-blank cell of this column in one import."""
        return self.parse

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return self.render_native(value) if kwargs.get("force_native_type") else self.render_text(value)

    def renderer(self, native: bool):
        """The function the export calls for every cell of this column: `render` with its options fixed."""
        render = self.render_native if native else self.render_text
        return lambda value: "" if value is None else render(value)

    def render_text(self, value) -> str:
        return str(value)

    def render_native(self, value):
        return self.render_text(value)


class TextWidget(ExchangeWidget):
    def parse(self, value, row=None):
        return as_text(value)


class EmailWidget(TextWidget):
    """E-mails are stored in lower case, as `ContractEmail.save` does (bulk writes skip `save`)."""

    def parse(self, value, row=None):
        return as_text(value).lower()


class PhoneWidget(ExchangeWidget):
    def parse(self, value, row=None):
        phone = phone_to_python(as_text(value))
        if not phone or not phone.is_valid():
            raise CellError(_("Неверный номер телефона: например, +7 812 123-45-67."))
        return phone

    def render_text(self, value) -> str:
        return value.as_international if hasattr(value, "as_international") else str(value)


class DateWidget(ExchangeWidget):
    """DD.MM.YYYY in text; real dates in XLSX."""

    def parse(self, value, row=None):
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        match = DATE.match(as_text(value))
        if not match:
            raise CellError(_("Неверная дата: нужен формат ДД.ММ.ГГГГ, например 25.01.2020."))
        day, month, year = map(int, match.groups())
        try:
            return datetime.date(year, month, day)
        except ValueError:
            raise CellError(_("Такой даты нет в календаре.")) from None

    def render_text(self, value) -> str:
        return value.strftime("%d.%m.%Y")

    def render_native(self, value):
        return value


class DecimalWidget(ExchangeWidget):
    """Decimal comma or point, spaces between thousands allowed; never a float on the way in.

    `places` fixes the digits after the comma on export (money: 2); otherwise trailing zeros go.
    """

    def __init__(self, places: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.places = places

    def parse(self, value, row=None):
        if isinstance(value, bool):
            raise CellError(_("Не число: ожидается, например, 1234,56."))
        if isinstance(value, Decimal | int):
            return Decimal(value)
        if isinstance(value, float):
            return Decimal(repr(value))  # the shortest text that is this float: 0.1, not 0.1000000000000000055
        text = SPACES.sub("", str(value))
        if "," in text and "." in text:
            raise CellError(_("Не число: одна десятичная запятая или точка, например 1234,56."))
        text = text.replace(",", ".")
        if not NUMBER.match(text):
            raise CellError(_("Не число: ожидается, например, 1234,56."))
        try:
            return Decimal(text)
        except InvalidOperation:
            raise CellError(_("Не число: ожидается, например, 1234,56.")) from None

    def exact(self, value: Decimal) -> Decimal:
        if self.places is not None:
            return value.quantize(Decimal(1).scaleb(-self.places))
        value = value.normalize()
        return value.quantize(Decimal(1)) if value.as_tuple().exponent > 0 else value  # 1E+3 → 1000

    def render_text(self, value) -> str:
        return format(self.exact(Decimal(value)), "f").replace(".", ",")

    def render_native(self, value):
        return self.exact(Decimal(value))


class IntegerWidget(ExchangeWidget):
    def parse(self, value, row=None):
        if isinstance(value, bool):
            raise CellError(_("Не целое число."))
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        text = SPACES.sub("", as_text(value))
        if not re.fullmatch(r"[+-]?\d+", text):
            raise CellError(_("Не целое число."))
        return int(text)

    def render_native(self, value):
        return int(value)


class BooleanWidget(ExchangeWidget):
    WORDS = {"да": True, "нет": False, "1": True, "0": False, "true": True, "false": False, "yes": True, "no": False}

    def parse(self, value, row=None):
        if isinstance(value, bool):
            return value
        word = normalized(as_text(value))
        if word not in self.WORDS:
            raise CellError(_("Ожидается «Да» или «Нет»."))
        return self.WORDS[word]

    def render_text(self, value) -> str:
        return _("Да") if value else _("Нет")


class ChoiceWidget(ExchangeWidget):
    """A choice by its Russian label («Круглосуточная», «Заявленные»); the stored value is understood too."""

    def __init__(self, choices, **kwargs):
        super().__init__(**kwargs)
        self.choices = choices
        self.tables = {}
        self.label_tables = {}

    def lookup(self) -> dict:
        """Spelling-insensitive label or value → value. Per language, because labels are lazy translations."""
        language = get_language()
        if language not in self.tables:
            table = {}
            for value, label in self.choices.choices:
                table[normalized(value)] = value
                table[normalized(label)] = value
            self.tables[language] = table
        return self.tables[language]

    def labels(self) -> dict:
        """Value → label text, for the export: translating a lazy label per cell costs more than the rest."""
        language = get_language()
        if language not in self.label_tables:
            self.label_tables[language] = {value: str(label) for value, label in self.choices.choices}
        return self.label_tables[language]

    def parse(self, value, row=None):
        return self.find(self.lookup(), value)

    def find(self, table: dict, value):
        found = table.get(normalized(as_text(value)))
        if found is None:
            allowed = ", ".join(str(label) for label in self.choices.labels)
            raise CellError(_("Неизвестное значение. Допустимые: %(allowed)s.") % {"allowed": allowed})
        return found

    def parser(self):
        table = self.lookup()  # once per import: readings have a hundred thousand zone cells
        exact = {str(label): value for value, label in self.choices.choices} | {str(v): v for v in self.choices.values}

        def parse(value, row=None):
            found = exact.get(value) if isinstance(value, str) else None
            return found if found is not None else self.find(table, value)

        return parse

    def render_text(self, value) -> str:
        return self.labels().get(value, str(value))

    def renderer(self, native: bool):
        labels = self.labels()  # once per export
        return lambda value: "" if value is None else labels.get(value, str(value))


class ChoiceListWidget(ChoiceWidget):
    """Several choices in one cell, «А+, А−»: the quantities a meter measures."""

    def parse(self, value, row=None):
        picked = []
        for part in re.split(r"[,;]", as_text(value)):
            if part.strip():
                choice = super().parse(part.strip(), row)
                if choice not in picked:
                    picked.append(choice)
        return picked

    def parser(self):
        return self.parse

    def renderer(self, native: bool):
        return ExchangeWidget.renderer(self, native)

    def render_text(self, value) -> str:
        return ", ".join(ChoiceWidget.render_text(self, item) for item in value or ())


class ReferenceWidget(ExchangeWidget):
    """A foreign key by natural key: a meter by its number, a contract by its 14 digits.

    `fields` are the lookups of the key; the first is this column's value, the others are read from
    `companions`, other columns of the same row (a customer by ИНН and КПП, a curator by name within
    the branch). The engine resolves a whole batch with `fetch`; `clean` (one query) serves the
    library's own import path.
    """

    def __init__(self, model, fields=("pk",), companions=(), not_found="", select_related=(), **kwargs):
        super().__init__(**kwargs)
        self.model = model
        self.fields = tuple(fields)
        self.companions = tuple(companions)
        self.not_found = not_found or gettext_lazy("Не найдено: «%(key)s».")
        self.select_related = tuple(select_related)
        self.key_getters = [attrgetter(field.replace("__", ".")) for field in self.fields]

    def lookup_key(self, value, row) -> tuple:
        companions = tuple(as_text(tidy(row.get(column)) or "") for column in self.companions)
        return (as_text(value), *companions)

    def key_of(self, obj) -> tuple:
        return tuple(as_text(getter(obj) or "") for getter in self.key_getters)

    def fetch(self, keys) -> dict[tuple, list]:
        """Objects for the given keys, one query per chunk; a key may match several objects (ambiguous)."""
        found = defaultdict(list)
        firsts = sorted({key[0] for key in keys})
        for start in range(0, len(firsts), LOOKUP_CHUNK):
            chunk = firsts[start : start + LOOKUP_CHUNK]
            queryset = self.model._default_manager.filter(**{f"{self.fields[0]}__in": chunk})
            for obj in queryset.select_related(*self.select_related):
                key = self.key_of(obj)
                if key in keys:
                    found[key].append(obj)
        return found

    def describe(self, key: tuple) -> str:
        return " / ".join(part for part in key if part)

    def resolve(self, key: tuple, found: dict):
        matches = found.get(key, ())
        if not matches:
            raise CellError(self.not_found % {"key": self.describe(key)})
        if len(matches) > 1:
            raise CellError(_("Найдено несколько записей «%(key)s»: уточните.") % {"key": self.describe(key)})
        return matches[0]

    def clean(self, value, row=None, **kwargs):
        value = tidy(value)
        if value is None:
            return None
        key = self.lookup_key(value, row or {})
        return self.resolve(key, self.fetch({key}))

    def render_text(self, value) -> str:
        return as_text(self.key_getters[0](value) or "")
