"""Full-text search indexes: FTS5 (with its vocabulary, for typo correction) on SQLite;
a GIN tsvector index and a trigram index (pg_trgm) on PostgreSQL."""

from django.db import migrations

SQLITE_UP = [
    "CREATE VIRTUAL TABLE catalogue_item_fts USING fts5(search_document, content='catalogue_catalogueitem', "
    "content_rowid='id', tokenize='porter unicode61')",
    "CREATE VIRTUAL TABLE catalogue_item_vocab USING fts5vocab(catalogue_item_fts, 'row')",
    """CREATE TRIGGER catalogue_item_fts_insert AFTER INSERT ON catalogue_catalogueitem BEGIN
         INSERT INTO catalogue_item_fts(rowid, search_document) VALUES (new.id, new.search_document);
       END""",
    """CREATE TRIGGER catalogue_item_fts_delete AFTER DELETE ON catalogue_catalogueitem BEGIN
         INSERT INTO catalogue_item_fts(catalogue_item_fts, rowid, search_document)
           VALUES ('delete', old.id, old.search_document);
       END""",
    """CREATE TRIGGER catalogue_item_fts_update AFTER UPDATE OF search_document ON catalogue_catalogueitem BEGIN
         INSERT INTO catalogue_item_fts(catalogue_item_fts, rowid, search_document)
           VALUES ('delete', old.id, old.search_document);
         INSERT INTO catalogue_item_fts(rowid, search_document) VALUES (new.id, new.search_document);
       END""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS catalogue_item_fts_update",
    "DROP TRIGGER IF EXISTS catalogue_item_fts_delete",
    "DROP TRIGGER IF EXISTS catalogue_item_fts_insert",
    "DROP TABLE IF EXISTS catalogue_item_vocab",
    "DROP TABLE IF EXISTS catalogue_item_fts",
]
POSTGRES_UP = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX catalogue_item_fts ON catalogue_catalogueitem USING GIN (to_tsvector('english', search_document))",
    "CREATE INDEX catalogue_item_name_trgm ON catalogue_catalogueitem USING GIN (name gin_trgm_ops)",
]
POSTGRES_DOWN = ["DROP INDEX IF EXISTS catalogue_item_name_trgm", "DROP INDEX IF EXISTS catalogue_item_fts"]


def up(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in {"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}.get(vendor, []):
        schema_editor.execute(sql, params=None)


def down(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in {"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}.get(vendor, []):
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0002_initial")]
    operations = [migrations.RunPython(up, down)]
