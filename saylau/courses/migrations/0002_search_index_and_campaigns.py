"""The library's full-text index (search.py) on whichever database runs, and the recent campaigns."""

from django.db import migrations

# A stored, generated tsvector (titles weigh A, bodies B): matching uses the GIN index and ranking reads the
# stored vector instead of parsing every matching body again. The model does not declare the column; PostgreSQL
# computes it on every write.
PG_INDEX = [
    """ALTER TABLE courses_material ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
         setweight(to_tsvector('simple'::regconfig, coalesce(search_title, '')), 'A') ||
         setweight(to_tsvector('simple'::regconfig, coalesce(search_body, '')), 'B')) STORED""",
    "CREATE INDEX courses_material_search ON courses_material USING gin (search_vector)",
]

# An external-content FTS5 table: the text stays in courses_material, the triggers keep the index in step.
# remove_diacritics 0: Kazakh letters (ә, ө, ү, ұ, і …) are letters of their own, not accented variants.
SQLITE_FTS = [
    """CREATE VIRTUAL TABLE courses_material_fts USING fts5(
         search_title, search_body, content='courses_material', content_rowid='id',
         tokenize="unicode61 remove_diacritics 0")""",
    """CREATE TRIGGER courses_material_fts_insert AFTER INSERT ON courses_material BEGIN
         INSERT INTO courses_material_fts(rowid, search_title, search_body)
         VALUES (new.id, new.search_title, new.search_body);
       END""",
    """CREATE TRIGGER courses_material_fts_delete AFTER DELETE ON courses_material BEGIN
         INSERT INTO courses_material_fts(courses_material_fts, rowid, search_title, search_body)
         VALUES ('delete', old.id, old.search_title, old.search_body);
       END""",
    """CREATE TRIGGER courses_material_fts_update AFTER UPDATE OF search_title, search_body ON courses_material
       BEGIN
         INSERT INTO courses_material_fts(courses_material_fts, rowid, search_title, search_body)
         VALUES ('delete', old.id, old.search_title, old.search_body);
         INSERT INTO courses_material_fts(rowid, search_title, search_body)
         VALUES (new.id, new.search_title, new.search_body);
       END""",
]
SQLITE_DROP = ["DROP TRIGGER IF EXISTS courses_material_fts_update", "DROP TRIGGER IF EXISTS courses_material_fts_delete",
               "DROP TRIGGER IF EXISTS courses_material_fts_insert", "DROP TABLE IF EXISTS courses_material_fts"]

CAMPAIGNS = [
    ("2022-11-20", "Қазақстан Республикасы Президентінің кезектен тыс сайлауы",
     "Внеочередные выборы Президента Республики Казахстан", "Early presidential election"),
    ("2023-03-19", "Мәжіліс және мәслихаттар депутаттарының кезектен тыс сайлауы",
     "Внеочередные выборы депутатов Мажилиса и маслихатов", "Early elections to the Mazhilis and maslikhats"),
    ("2024-10-06", "Республикалық референдум (2024)", "Республиканский референдум (2024)",
     "Republican referendum (2024)"),
    ("2026-03-15", "Республикалық референдум (2026)", "Республиканский референдум (2026)",
     "Republican referendum (2026)"),
]


def create_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = PG_INDEX if vendor == "postgresql" else SQLITE_FTS if vendor == "sqlite" else []
    for statement in statements:
        schema_editor.execute(statement)


def drop_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = (["DROP INDEX IF EXISTS courses_material_search",
                   "ALTER TABLE courses_material DROP COLUMN IF EXISTS search_vector"] if vendor == "postgresql"
                  else SQLITE_DROP if vendor == "sqlite" else [])
    for statement in statements:
        schema_editor.execute(statement)


def load(apps, schema_editor):
    Campaign = apps.get_model("courses", "Campaign")
    for day, kk, ru, en in CAMPAIGNS:
        Campaign.objects.update_or_create(voting_day=day, defaults={"title_kk": kk, "title_ru": ru, "title_en": en})


class Migration(migrations.Migration):
    dependencies = [("courses", "0001_initial")]

    operations = [
        migrations.RunPython(create_index, drop_index),
        migrations.RunPython(load, migrations.RunPython.noop),
    ]
