"""Index kinds the databases spell differently."""

from django.db import models
from django.db.models.expressions import OrderBy


class NullsFirstIndex(models.Index):
    """An index whose columns sort NULLs first, as a query's `nulls_first=True` ordering reads it.

    PostgreSQL puts NULLs last in ascending order, so it needs NULLS FIRST spelled out to read the order from the
    index; SQLite (the embedded database of `make run`) sorts NULLs first anyway and refuses the words in an index.
    """

    def create_sql(self, model, schema_editor, using="", **kwargs):
        if schema_editor.connection.vendor != "sqlite":
            return super().create_sql(model, schema_editor, using=using, **kwargs)
        _path, expressions, options = self.deconstruct()
        plain = [
            OrderBy(expression.expression, descending=expression.descending)
            if isinstance(expression, OrderBy)
            else expression
            for expression in expressions
        ]
        return models.Index(*plain, **options).create_sql(model, schema_editor, using=using, **kwargs)
