"""The SQLite triggers that keep the catalogue's FTS5 index in step with its items (as made by
0003_search_indexes), for migrations that rebuild the items' table and so drop them."""

SQLITE_TRIGGERS = [
    "DROP TRIGGER IF EXISTS catalogue_item_fts_insert",
    "DROP TRIGGER IF EXISTS catalogue_item_fts_delete",
    "DROP TRIGGER IF EXISTS catalogue_item_fts_update",
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
