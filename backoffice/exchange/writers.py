"""Bulk writes of checked rows: COPY on PostgreSQL, Django's bulk_create/bulk_update elsewhere.

Both run inside the caller's transaction and report progress per batch. Rows are written without
`save()` and its signals, like any bulk write: the importer has already run the model's checks.
Why COPY: `bulk_create` spends most of its time building one huge INSERT with a parameter per
value; COPY streams the rows, and psycopg adapts dates, decimals and text itself.
"""

from collections.abc import Callable

from django.db import connection, models
from django.utils import timezone

BATCH = 5000
# Values of these fields go to psycopg as they are; others are prepared by the field (JSON, phone, auto dates).
PLAIN_FIELDS = (
    models.CharField,
    models.TextField,
    models.DateField,
    models.DecimalField,
    models.IntegerField,
    models.BooleanField,
    models.ForeignKey,
)


def writer_for(model, on_rows: Callable[[int], None]):
    """The fastest writer the database offers for `model`."""
    if connection.vendor == "postgresql":
        return PostgresWriter(model, on_rows)
    return DjangoWriter(model, on_rows)


def chunks(objects: list, size: int | None = None):
    size = size or BATCH
    for start in range(0, len(objects), size):
        yield objects[start : start + size]


class DjangoWriter:
    def __init__(self, model, on_rows: Callable[[int], None]):
        self.model = model
        self.on_rows = on_rows

    def insert(self, objects: list) -> None:
        for batch in chunks(objects):
            self.model._default_manager.bulk_create(batch, batch_size=1000)
            self.on_rows(len(batch))

    def update(self, objects: list, field_names: list[str]) -> None:
        for batch in chunks(objects, 1000):  # bulk_update's CASE … WHEN grows with the batch
            self.model._default_manager.bulk_update(batch, field_names)
            self.on_rows(len(batch))


class PostgresWriter(DjangoWriter):
    def insert(self, objects: list) -> None:
        fields = [field for field in self.model._meta.concrete_fields if not field.primary_key]
        self.copy(self.model._meta.db_table, fields, objects, adding=True)

    def update(self, objects: list, field_names: list[str]) -> None:
        """COPY the new values into a temporary table, then one UPDATE … FROM per batch."""
        if not objects or not field_names:
            return
        meta = self.model._meta
        fields = [meta.pk, *(meta.get_field(name) for name in field_names)]
        columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
        table, scratch = connection.ops.quote_name(meta.db_table), "exchange_update"
        pk = connection.ops.quote_name(meta.pk.column)
        assignments = ", ".join(
            f"{connection.ops.quote_name(field.column)} = u.{connection.ops.quote_name(field.column)}"
            for field in fields[1:]
        )
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {scratch}")
            empty_copy = f"SELECT {columns} FROM {table} WITH NO DATA"
            cursor.execute(f"CREATE TEMPORARY TABLE {scratch} ON COMMIT DROP AS {empty_copy}")
            for batch in chunks(objects):
                cursor.execute(f"TRUNCATE {scratch}")
                self.copy(scratch, fields, batch, adding=False, report=False)
                cursor.execute(f"UPDATE {table} AS t SET {assignments} FROM {scratch} AS u WHERE t.{pk} = u.{pk}")
                self.on_rows(len(batch))
            cursor.execute(f"DROP TABLE {scratch}")

    def copy(self, table: str, fields: list, objects: list, *, adding: bool, report: bool = True) -> None:
        now = timezone.now()  # one moment for the whole file, as one INSERT would have had
        values = [self.value_getter(field, adding, now) for field in fields]
        columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
        # The raw psycopg cursor skips Django's error translation: a violated constraint must still be IntegrityError.
        with connection.cursor() as cursor, connection.wrap_database_errors:
            for batch in chunks(objects):
                with cursor.cursor.copy(f"COPY {connection.ops.quote_name(table)} ({columns}) FROM STDIN") as copy:
                    for obj in batch:
                        copy.write_row([value(obj) for value in values])
                if report:
                    self.on_rows(len(batch))

    @staticmethod
    def value_getter(field, adding: bool, now):
        attname = field.attname
        own = type(field).__module__.startswith("django.db.models")  # a third-party subclass adapts values itself
        if getattr(field, "auto_now", False) or (adding and getattr(field, "auto_now_add", False)):
            return lambda obj: now
        if own and isinstance(field, PLAIN_FIELDS):
            return lambda obj: getattr(obj, attname)
        return lambda obj: field.get_db_prep_save(field.pre_save(obj, adding), connection)
