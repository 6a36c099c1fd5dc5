"""Indexes for the one search box of «Поиск клиента» (workflows/services/customer360_selectors.py) on PostgreSQL.

At 100 000 customers an `icontains` over names is a sequential scan; trigram GIN indexes (pg_trgm) on the same
expression Django writes for it, `UPPER(column::text) LIKE UPPER('%…%')`, answer it from the index. E-mails are
compared with `iexact` (`UPPER(email::text) = UPPER(…)`), phones and contract e-mails exactly. The account and
contract numbers need nothing new: their unique columns already have Django's `varchar_pattern_ops` twins, which
serve the prefix search.

Raw SQL and no model state: the indexes are a PostgreSQL matter only (SQLite, the embedded default, scans its small
tables), as in 0002.
"""

from django.db import migrations

NAME_COLUMNS = ("last_name", "first_name", "middle_name", "full_name", "short_name")

CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    *(
        f"CREATE INDEX IF NOT EXISTS customer_{column}_trgm ON backoffice_customer "
        f"USING gin (UPPER({column}::text) gin_trgm_ops)"
        for column in NAME_COLUMNS
    ),
    "CREATE INDEX IF NOT EXISTS customer_email_upper ON backoffice_customer (UPPER(email::text))",
    "CREATE INDEX IF NOT EXISTS customer_phone ON backoffice_customer (phone)",
    "CREATE INDEX IF NOT EXISTS contract_email_email ON backoffice_contractemail (email)",
]
DROP = [
    *(f"DROP INDEX IF EXISTS customer_{column}_trgm" for column in NAME_COLUMNS),
    "DROP INDEX IF EXISTS customer_email_upper",
    "DROP INDEX IF EXISTS customer_phone",
    "DROP INDEX IF EXISTS contract_email_email",
]


def on_postgresql(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("backoffice", "0008_audit")]

    operations = [migrations.RunPython(on_postgresql(CREATE), on_postgresql(DROP))]
