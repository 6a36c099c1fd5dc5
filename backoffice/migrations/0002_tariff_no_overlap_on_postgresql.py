"""On PostgreSQL the database itself refuses two tariffs of one group and zone on the same date.

SQLite (the embedded default) has no exclusion constraints; Tariff.clean() checks there.
"""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE backoffice_tariff ADD CONSTRAINT tariff_periods_do_not_overlap
EXCLUDE USING gist (group_id WITH =, zone WITH =, daterange(valid_from, valid_to, '[]') WITH &&);
"""
DROP = "ALTER TABLE backoffice_tariff DROP CONSTRAINT IF EXISTS tariff_periods_do_not_overlap;"


def on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("backoffice", "0001_initial")]

    operations = [migrations.RunPython(on_postgresql(CREATE), on_postgresql(DROP))]
