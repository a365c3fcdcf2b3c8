"""Search indexes the ORM cannot declare for both databases: on PostgreSQL, pg_trgm's GIN
trigram indexes on the search columns; on SQLite, an FTS5 table with the trigram tokenizer
kept in step with the entries by triggers."""

from django.db import migrations

PG = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS directory_entry_name_trgm ON directory_entry USING gin (name_text gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS directory_entry_phone_trgm ON directory_entry USING gin (phone_digits gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS directory_entry_other_trgm ON directory_entry USING gin (other_text gin_trgm_ops)",
]
PG_DOWN = [
    "DROP INDEX IF EXISTS directory_entry_name_trgm",
    "DROP INDEX IF EXISTS directory_entry_phone_trgm",
    "DROP INDEX IF EXISTS directory_entry_other_trgm",
]
SQLITE = [
    """CREATE VIRTUAL TABLE directory_entry_fts USING fts5(
        name_text, phone_digits, other_text,
        content='directory_entry', content_rowid='id', tokenize='trigram')""",
    """CREATE TRIGGER directory_entry_fts_ai AFTER INSERT ON directory_entry BEGIN
        INSERT INTO directory_entry_fts(rowid, name_text, phone_digits, other_text)
        VALUES (new.id, new.name_text, new.phone_digits, new.other_text);
    END""",
    """CREATE TRIGGER directory_entry_fts_ad AFTER DELETE ON directory_entry BEGIN
        INSERT INTO directory_entry_fts(directory_entry_fts, rowid, name_text, phone_digits, other_text)
        VALUES ('delete', old.id, old.name_text, old.phone_digits, old.other_text);
    END""",
    """CREATE TRIGGER directory_entry_fts_au AFTER UPDATE OF name_text, phone_digits, other_text
        ON directory_entry BEGIN
        INSERT INTO directory_entry_fts(directory_entry_fts, rowid, name_text, phone_digits, other_text)
        VALUES ('delete', old.id, old.name_text, old.phone_digits, old.other_text);
        INSERT INTO directory_entry_fts(rowid, name_text, phone_digits, other_text)
        VALUES (new.id, new.name_text, new.phone_digits, new.other_text);
    END""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS directory_entry_fts_ai",
    "DROP TRIGGER IF EXISTS directory_entry_fts_ad",
    "DROP TRIGGER IF EXISTS directory_entry_fts_au",
    "DROP TABLE IF EXISTS directory_entry_fts",
]


def _run(statements: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("directory", "0001_entries")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": PG, "sqlite": SQLITE}), _run({"postgresql": PG_DOWN, "sqlite": SQLITE_DOWN})
        ),
    ]
