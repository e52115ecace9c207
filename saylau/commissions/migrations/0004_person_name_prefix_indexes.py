"""PostgreSQL only: indexes for the member search, which matches name prefixes case-insensitively.

Django's ``istartswith`` becomes ``UPPER(col::text) LIKE UPPER('prefix%')``. A btree index answers
such a prefix LIKE only with the ``text_pattern_ops`` operator class (unless the database collation is
"C"), and an operator class cannot be declared in ``Meta.indexes`` without breaking SQLite, so these
are created here for PostgreSQL and skipped elsewhere (SQLite scans the table, as before).
"""

from django.db import migrations

INDEXES = {
    "person_surname_upper_like": "surname",
    "person_first_name_upper_like": "first_name",
    "person_patronymic_upper_like": "patronymic",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, column in INDEXES.items():
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "commissions_person" (UPPER("{column}"::text) text_pattern_ops)'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [
        ("commissions", "0003_registry_indexes"),
    ]

    operations = [
        migrations.RunPython(create, drop, elidable=False),
    ]
