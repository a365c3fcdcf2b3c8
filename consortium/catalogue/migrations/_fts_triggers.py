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

# The columns the search index (catalogue.search_index) reads: changing any of them, adding or
# deleting an item bumps catalogue_catalogueversion (made by 0006_search_index_version).
INDEXED_COLUMNS = (
    "name, search_document, lot_id, supplier_id, category, eco_label, valid_from, valid_to, product_group, "
    "unit_price, pack_size"
)

SQLITE_VERSION_TRIGGERS = [
    "DROP TRIGGER IF EXISTS catalogue_item_version_insert",
    "DROP TRIGGER IF EXISTS catalogue_item_version_delete",
    "DROP TRIGGER IF EXISTS catalogue_item_version_update",
    *(
        f"""CREATE TRIGGER catalogue_item_version_{event.split()[0].lower()} AFTER {event} ON catalogue_catalogueitem
            BEGIN UPDATE catalogue_catalogueversion SET number = number + 1 WHERE id = 1; END"""
        for event in ("INSERT", "DELETE", f"UPDATE OF {INDEXED_COLUMNS}")
    ),
]
