"""The set-based import engine: read every row, check every row, then write all of them at once.

Why not the library's row-by-row import: it asks the database for every foreign key and every
existing row, one query each, and saves row by row — about 600 rows/s. Here a batch of rows costs
a handful of queries whatever its size:

1. the header is matched to the resource's columns (missing, unknown and repeated ones reported);
2. cells are parsed by the resource's widgets; references (a meter by its number) are collected
   and fetched per batch with one query per kind, then looked up in a dict;
3. natural keys are checked for repeats inside the file and looked up in the database with one
   query per batch: an existing key updates that row, a new one creates it;
4. every row is checked like `full_clean` would, minus the per-row queries: the model fields'
   validators, the model's own `clean()` (its related objects are already in memory) and the
   resource's checks of constraints and of the whole file (tariff periods);
5. only when no row failed — and not on a dry run — everything is written in one transaction with
   bulk statements (COPY on PostgreSQL, see writers.py).

The result lists every problem as {row, column, value, message}: the row as Excel numbers it
(the header is row 1), the column's header, the cell as written, the reason in Russian.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import DateField, ForeignKey, Q
from django.utils.translation import gettext as _

from .formats import FileError, Table
from .resources import Column, ExchangeResource
from .widgets import LOOKUP_CHUNK, CellError, ChoiceWidget, ReferenceWidget, as_text, normalized, tidy
from .writers import writer_for

BATCH = 5000  # rows checked between two progress updates; also the size of one reference lookup


@dataclass
class Issue:
    """One line of the error report."""

    row: int | None
    column: str
    value: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "value": self.value, "message": self.message}


@dataclass(slots=True)
class Entry:
    """A row that passed its own checks, with the instance it becomes."""

    row: int
    cells: tuple
    instance: object
    is_new: bool


@dataclass
class Outcome:
    total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    issues: list[Issue] = field(default_factory=list)
    written: bool = False

    @property
    def ok(self) -> bool:
        return not self.issues


@dataclass
class Plan:
    """What the write step stores; resources' write hooks see it too."""

    new: list = field(default_factory=list)
    changed: list = field(default_factory=list)
    update_fields: list[str] = field(default_factory=list)


class Slot:
    """A column found in the file: where its cells are and how they become a model value."""

    def __init__(self, column: Column, index: int, model):
        self.column = column
        self.index = index
        self.header = column.column_name
        self.path = column.attribute.split("__")
        self.model_field = model_field_at(model, self.path)
        self.widget = column.widget
        self.parse = column.widget.parser()
        self.is_ref = isinstance(column.widget, ReferenceWidget)
        self.required = column.required if column.required is not None else is_required(self.model_field)
        self.blank_value = blank_value(self.model_field)
        self.blank_is_fresh = not self.model_field.null and callable(self.model_field.default)
        self.compare_attname = self.model_field.attname
        # A foreign key of the row itself is set the way its descriptor would, minus the checks: per cell.
        self.direct_fk = self.is_ref and len(self.path) == 1
        self.cache_name = self.model_field.name
        # Choices and references are already exact; text, numbers and dates meet the model's validators.
        self.validate = (
            not self.is_ref and not isinstance(column.widget, ChoiceWidget) and bool(self.model_field.validators)
        )

    def blank(self):
        """The value of a blank cell; a callable default (a list) is called per row, never shared."""
        return self.model_field.get_default() if self.blank_is_fresh else self.blank_value

    def get(self, instance):
        target = instance
        for part in self.path[:-1]:
            target = getattr(target, part)
        return getattr(target, self.compare_attname)

    def set(self, instance, value):
        if self.direct_fk:
            instance.__dict__[self.compare_attname] = None if value is None else value.pk
            instance._state.fields_cache[self.cache_name] = value
            return
        target = instance
        for part in self.path[:-1]:
            target = getattr(target, part)
        setattr(target, self.path[-1], value)

    def comparable(self, value):
        return value.pk if self.is_ref and value is not None else value


def has_data(cells) -> bool:
    """False for a row Excel shows as empty; returns at the first filled cell, i.e. at once for most rows."""
    return any(cell is not None and (cell.__class__ is not str or cell.strip()) for cell in cells)


def model_field_at(model, path):
    for part in path[:-1]:
        model = model._meta.get_field(part).related_model
    return model._meta.get_field(path[-1])


def is_required(model_field) -> bool:
    return not model_field.blank and not model_field.has_default()


def blank_value(model_field):
    """What a blank cell stores: NULL where allowed, else the default, else an empty string."""
    if model_field.null:
        return None
    if model_field.has_default():
        return model_field.get_default()
    return "" if model_field.empty_strings_allowed else None


class Importer:
    """Check a table against a resource and, when every row is right, store it in one transaction."""

    def __init__(
        self,
        resource: ExchangeResource,
        table: Table,
        progress: Callable[[int, int, int], None] | None,
        on_written: Callable[[Outcome], None] | None = None,
    ):
        self.resource = resource
        self.on_written = on_written
        self.model = resource._meta.model
        self.table = table
        self.progress = progress or (lambda done, units, total: None)
        self.outcome = Outcome()
        self.entries: list[Entry] = []
        self.seen_keys: dict[tuple, int] = {}
        self.references: dict[Slot, dict] = defaultdict(dict)

    # --- the steps --------------------------------------------------------------------------

    def run(self, *, dry_run: bool) -> Outcome:
        try:
            self.slots = self.match_headers()
            if self.outcome.ok:
                self.check_rows(dry_run=dry_run)
                self.check_file()  # even after bad rows: the report lists every problem at once
        except FileError as error:  # the file broke off halfway: a damaged workbook, an unclosed quote
            self.report(None, "", "", str(error))
        finally:
            self.table.close()
        order = {column.column_name: position for position, column in enumerate(self.resource.columns())}
        self.outcome.issues.sort(key=lambda issue: (issue.row or 0, order.get(issue.column, -1)))
        if self.outcome.ok:
            self.outcome.created = sum(1 for entry in self.entries if entry.is_new)
            self.outcome.updated = len(self.entries) - self.outcome.created
            if not dry_run:
                self.write()
        return self.outcome

    def match_headers(self) -> list[Slot]:
        columns = self.resource.columns()
        expected = {normalized(column.column_name): column for column in columns}
        found: dict[Column, int] = {}
        for index, header in enumerate(self.table.headers):
            name = normalized(header or "").rstrip("*").strip()
            if not name:
                continue  # an unnamed column, e.g. a trailing separator: nothing to read there
            column = expected.get(name)
            if column is None:
                allowed = ", ".join(column.column_name for column in columns)
                self.report(1, header, header, _("Неизвестный столбец. Ожидаются: %(allowed)s.") % {"allowed": allowed})
            elif column in found:
                self.report(1, header, header, _("Столбец повторяется."))
            else:
                found[column] = index
        for column in columns:
            if column not in found and not column.optional:
                message = _("Нет обязательного столбца «%(name)s».") % {"name": column.column_name}
                self.report(1, column.column_name, "", message)
        self.positions = {column.column_name: index for column, index in found.items()}
        slots = [Slot(column, index, self.model) for column, index in found.items() if not column.readonly]
        self.by_field = self.field_names(slots)
        self.key_positions = self.positions_of_key(slots)
        self.validated = [(position, slot) for position, slot in enumerate(slots) if slot.validate]
        return slots

    def check_rows(self, *, dry_run: bool) -> None:
        rows = [(number, cells) for number, cells in self.table.rows if has_data(cells)]
        if not rows:
            self.report(None, "", "", _("В файле нет строк с данными: только заголовок."))
            return
        self.outcome.total = len(rows)
        units = len(rows) * (1 if dry_run else 2)  # the write takes about as long as the check
        self.units, self.done = units, 0
        for start in range(0, len(rows), BATCH):
            batch = rows[start : start + BATCH]
            self.check_batch(batch)
            self.advance(len(batch))

    def check_batch(self, batch) -> None:
        parsed = [self.parse_row(number, cells) for number, cells in batch]
        self.fetch_references(parsed)
        keyed = [row for row in map(self.resolve_row, parsed) if row is not None]
        existing = self.find_existing([key for _number, _cells, _values, key in keyed])
        loaded = self.load_existing(existing)
        for number, cells, values, key in keyed:
            self.build_row(number, cells, values, key, existing, loaded)

    def check_file(self) -> None:
        for entry, field_name, message in self.resource.check_entries(self.entries):
            slot = self.by_field.get(field_name)
            self.report(entry.row, slot.header if slot else "", self.cell(entry.cells, slot), message)

    # --- one row ----------------------------------------------------------------------------

    def parse_row(self, number: int, cells):
        """Cells → values, references still as keys; `broken` when a cell is wrong."""
        values, broken = [], False
        width = len(cells)
        for slot in self.slots:
            raw = cells[slot.index] if slot.index < width else None
            raw = (raw.strip() or None) if raw.__class__ is str else tidy(raw)
            if raw is None:
                if slot.required:
                    self.report(number, slot.header, "", _("Заполните ячейку: столбец обязателен."))
                    broken = True
                values.append(None if slot.is_ref else slot.blank())
                continue
            try:
                values.append(self.reference_key(slot, raw, cells) if slot.is_ref else slot.parse(raw))
            except CellError as error:
                self.report(number, slot.header, raw, str(error))
                broken = True
                values.append(None)
        return number, cells, values, broken

    def reference_key(self, slot: Slot, raw, cells) -> tuple:
        if not slot.widget.companions:
            return (as_text(raw),)
        # Companion columns a reference reads (КПП beside ИНН), by header.
        row = {name: cells[index] if index < len(cells) else None for name, index in self.positions.items()}
        return slot.widget.lookup_key(raw, row)

    def fetch_references(self, parsed) -> None:
        for position, slot in enumerate(self.slots):
            if not slot.is_ref:
                continue
            known = self.references[slot]
            wanted = {values[position] for _n, _c, values, _b in parsed if values[position] is not None}
            missing = wanted - known.keys()
            if missing:
                found = slot.widget.fetch(missing)
                known.update({key: found.get(key, []) for key in missing})

    def resolve_row(self, parsed):
        """References → objects, then the natural key, checked for repeats inside the file."""
        number, cells, values, broken = parsed
        for position, slot in enumerate(self.slots):
            if slot.is_ref and values[position] is not None:
                try:
                    values[position] = slot.widget.resolve(values[position], self.references[slot])
                except CellError as error:
                    self.report(number, slot.header, self.cell(cells, slot), str(error))
                    broken = True
        if broken:
            return None
        key = self.key_of(values)
        first = self.seen_keys.setdefault(key, number)
        if first != number:
            self.report_repeat(number, cells, first)
            return None
        return number, cells, values, key

    def build_row(self, number, cells, values, key, existing, loaded) -> None:
        pks = existing.get(key, ())
        if len(pks) > 1:
            message = _("В базе несколько записей с таким ключом: исправьте их вручную.")
            self.report(number, self.key_headers(), self.key_text(cells), message)
            return
        instance = loaded.get(pks[0]) if pks else self.resource.init_instance()
        if instance is None:  # deleted since the lookup: create it again
            instance, pks = self.resource.init_instance(), ()
        before = [slot.get(instance) for slot in self.slots] if pks else None
        for slot, value in zip(self.slots, values, strict=True):
            slot.set(instance, value)
        if not self.validate(number, cells, instance, values):
            return
        if pks and before == [slot.comparable(value) for slot, value in zip(self.slots, values, strict=True)]:
            self.outcome.unchanged += 1
            return
        self.entries.append(Entry(number, cells, instance, is_new=not pks))

    def validate(self, number, cells, instance, values) -> bool:
        """The row's instance against the model: field validators, `clean()`, the resource's checks."""
        problems = []
        for position, slot in self.validated:
            value = values[position]
            if value is not None and value != "":
                try:
                    slot.model_field.run_validators(value)
                except ValidationError as error:
                    problems.append((slot, "; ".join(error.messages)))
        if not problems and self.resource.model_clean:
            try:
                instance.clean()
            except ValidationError as error:
                problems.extend(self.explain(error))
        if not problems:
            checks = self.resource.check_instance(instance)
            problems.extend((self.by_field.get(name), message) for name, message in checks)
        for slot, message in problems:
            self.report(number, slot.header if slot else self.key_headers(), self.cell(cells, slot), message)
        return not problems

    def explain(self, error: ValidationError):
        messages = error.message_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: error.messages}
        for name, texts in messages.items():
            yield self.by_field.get(name), " ".join(texts)

    # --- natural keys -----------------------------------------------------------------------

    def positions_of_key(self, slots) -> list:
        """For each key column: its slot's position, or the default when an optional key column is absent."""
        position = {slot.column: index for index, slot in enumerate(slots)}
        parts = []
        for column in self.resource.key_fields():
            if column in position:
                parts.append((position[column], slots[position[column]].is_ref, None))
            else:  # left out of the file: the default, as a new row would get
                parts.append((None, False, blank_value(model_field_at(self.model, column.attribute.split("__")))))
        return parts

    def key_of(self, values) -> tuple:
        return tuple(
            default if index is None else (values[index].pk if is_ref and values[index] is not None else values[index])
            for index, is_ref, default in self.key_positions
        )

    def find_existing(self, keys: list[tuple]) -> dict[tuple, list[int]]:
        """Primary keys of stored rows with these natural keys: one query per chunk of keys."""
        if not keys:
            return {}
        fields = [model_field_at(self.model, [column.attribute]) for column in self.resource.key_fields()]
        attnames = [model_field.attname for model_field in fields]
        wanted = set(keys)
        found = defaultdict(list)
        firsts = sorted({key[0] for key in keys if key[0] is not None}, key=str)
        narrowing = self.narrowing(fields, attnames, keys)
        chunks = [firsts[start : start + LOOKUP_CHUNK] for start in range(0, len(firsts), LOOKUP_CHUNK)]
        if any(key[0] is None for key in keys):
            chunks.append(None)
        for chunk in chunks:
            first = Q(**{f"{attnames[0]}__in": chunk}) if chunk is not None else Q(**{f"{attnames[0]}__isnull": True})
            queryset = self.model._default_manager.filter(first, **narrowing).order_by()
            for pk, *key in queryset.values_list("pk", *attnames):
                if tuple(key) in wanted:
                    found[tuple(key)].append(pk)
        return found

    def narrowing(self, fields, attnames, keys) -> dict:
        """Dates in a key limit the lookup to the file's date range (a meter's older readings stay out)."""
        filters = {}
        for position, model_field in enumerate(fields[1:], start=1):
            if isinstance(model_field, DateField) and not isinstance(model_field, ForeignKey):
                dates = [key[position] for key in keys if key[position] is not None]
                if dates and len(dates) == len(keys):
                    filters[f"{attnames[position]}__range"] = (min(dates), max(dates))
        return filters

    def load_existing(self, existing) -> dict:
        pks = [pks[0] for pks in existing.values() if len(pks) == 1]
        loaded = {}
        for start in range(0, len(pks), LOOKUP_CHUNK):
            loaded.update(self.resource.existing_queryset().in_bulk(pks[start : start + LOOKUP_CHUNK]))
        return loaded

    # --- writing ----------------------------------------------------------------------------

    def write(self) -> None:
        plan = Plan(
            new=[entry.instance for entry in self.entries if entry.is_new],
            changed=[entry.instance for entry in self.entries if not entry.is_new],
            update_fields=[slot.model_field.name for slot in self.slots if len(slot.path) == 1],
        )
        writer = writer_for(self.model, on_rows=self.advance)
        try:
            with transaction.atomic():
                self.resource.before_write(plan)
                # Changes first: a tariff closed by this file must end before its successor is inserted.
                # Every intermediate state is a subset of the checked final one, so no constraint trips.
                writer.update(plan.changed, plan.update_fields)
                writer.insert(plan.new)
                self.resource.after_write(plan)
                if self.on_written is not None:  # the audit entry, in the transaction of the rows it describes
                    self.on_written(self.outcome)
        except IntegrityError as error:
            message = _("База отказалась сохранить данные (%(error)s). Ничего не сохранено: проверьте файл.")
            self.report(None, "", "", message % {"error": str(error).splitlines()[0]})
            return
        self.outcome.written = True

    # --- reporting --------------------------------------------------------------------------

    def advance(self, rows: int) -> None:
        self.done = min(self.done + rows, self.units)
        self.progress(self.done, self.units, self.outcome.total)

    def report(self, row, column, value, message) -> None:
        value = "" if value is None else as_text(value)
        self.outcome.issues.append(Issue(row, str(column), value, str(message)))

    def report_repeat(self, number, cells, first) -> None:
        message = _("Повтор строки %(first)s: тот же ключ (%(columns)s).") % {
            "first": first,
            "columns": self.key_headers(),
        }
        self.report(number, self.key_headers(), self.key_text(cells), message)

    def key_headers(self) -> str:
        return ", ".join(column.column_name for column in self.resource.key_fields())

    def key_text(self, cells) -> str:
        parts = []
        for column in self.resource.key_fields():
            index = self.positions.get(column.column_name)
            raw = tidy(cells[index]) if index is not None and index < len(cells) else None
            parts.append(as_text(raw) if raw is not None else "")
        return " / ".join(parts)

    @staticmethod
    def field_names(slots) -> dict[str, Slot]:
        """Model field names (and resource attributes) → the file's column, to place a model error."""
        names = {}
        for slot in slots:
            names[slot.column.attribute] = slot
            if len(slot.path) == 1:
                names.setdefault(slot.model_field.attname, slot)
        return names

    def cell(self, cells, slot) -> str:
        if slot is None:
            return self.key_text(cells)
        raw = tidy(cells[slot.index]) if slot.index < len(cells) else None
        return "" if raw is None else as_text(raw)


def import_table(*, resource: ExchangeResource, table: Table, dry_run: bool, progress=None, on_written=None) -> Outcome:
    """Check `table` against `resource` and store it whole unless `dry_run`; the outcome lists every problem.

    `on_written(outcome)` is called inside the write's transaction once the rows are stored.
    """
    return Importer(resource, table, progress, on_written).run(dry_run=dry_run)
