"""The name vocabulary's search index: pg_trgm's GIN index on PostgreSQL; on SQLite an FTS5
table with the trigram tokenizer, kept in step by triggers."""

from django.db import migrations

PG = [
    "CREATE INDEX IF NOT EXISTS directory_nameword_trgm ON directory_nameword USING gin (word gin_trgm_ops)"
]
PG_DOWN = ["DROP INDEX IF EXISTS directory_nameword_trgm"]
SQLITE = [
    """CREATE VIRTUAL TABLE directory_nameword_fts USING fts5(
        word, content='directory_nameword', content_rowid='id', tokenize='trigram')""",
    """CREATE TRIGGER directory_nameword_fts_ai AFTER INSERT ON directory_nameword BEGIN
        INSERT INTO directory_nameword_fts(rowid, word) VALUES (new.id, new.word);
    END""",
    """CREATE TRIGGER directory_nameword_fts_ad AFTER DELETE ON directory_nameword BEGIN
        INSERT INTO directory_nameword_fts(directory_nameword_fts, rowid, word) VALUES ('delete', old.id, old.word);
    END""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS directory_nameword_fts_ai",
    "DROP TRIGGER IF EXISTS directory_nameword_fts_ad",
    "DROP TABLE IF EXISTS directory_nameword_fts",
]


def _run(statements: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


def fill_vocabulary(apps, schema_editor):  # type: ignore[no-untyped-def]
    """Entries synced before the vocabulary existed: their names' words."""
    from consortium.directory.similarity import fold

    Entry = apps.get_model("directory", "Entry")
    NameWord = apps.get_model("directory", "NameWord")
    words: set[str] = set()
    for names in Entry.objects.values_list("given_name", "preferred_name", "family_name").iterator():
        words.update(w for w in fold(" ".join(names)).split() if len(w) <= 100)
    NameWord.objects.bulk_create([NameWord(word=w) for w in sorted(words)], ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [("directory", "0003_name_words")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": PG, "sqlite": SQLITE}), _run({"postgresql": PG_DOWN, "sqlite": SQLITE_DOWN})
        ),
        migrations.RunPython(fill_vocabulary, migrations.RunPython.noop),
    ]
