"""The catalogue's change counter, kept by triggers, that tells search whether its index is
current (catalogue.search_index)."""

from django.db import migrations, models

from consortium.catalogue.migrations._fts_triggers import INDEXED_COLUMNS, SQLITE_VERSION_TRIGGERS

POSTGRES_UP = [
    """CREATE FUNCTION catalogue_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN UPDATE catalogue_catalogueversion SET number = number + 1 WHERE id = 1; RETURN NULL; END $$""",
    # Once per statement, so a bulk load bumps it once, not once per row.
    f"""CREATE TRIGGER catalogue_item_version AFTER INSERT OR DELETE OR UPDATE OF {INDEXED_COLUMNS}
        ON catalogue_catalogueitem FOR EACH STATEMENT EXECUTE FUNCTION catalogue_version_bump()""",
    """CREATE TRIGGER catalogue_item_version_truncate AFTER TRUNCATE ON catalogue_catalogueitem
        FOR EACH STATEMENT EXECUTE FUNCTION catalogue_version_bump()""",
]
POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS catalogue_item_version_truncate ON catalogue_catalogueitem",
    "DROP TRIGGER IF EXISTS catalogue_item_version ON catalogue_catalogueitem",
    "DROP FUNCTION IF EXISTS catalogue_version_bump()",
]
SQLITE_DOWN = [sql for sql in SQLITE_VERSION_TRIGGERS if sql.startswith("DROP")]


def up(apps, schema_editor):
    apps.get_model("catalogue", "CatalogueVersion").objects.create(id=1, number=0)
    vendor = schema_editor.connection.vendor
    for sql in {"sqlite": SQLITE_VERSION_TRIGGERS, "postgresql": POSTGRES_UP}.get(vendor, []):
        schema_editor.execute(sql, params=None)


def down(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in {"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}.get(vendor, []):
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0005_catalogueitem_image_catalogueitem_image_alt_and_more"),
    ]

    operations = [
        migrations.CreateModel(
            name="CatalogueVersion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("number", models.BigIntegerField(default=0)),
            ],
        ),
        migrations.RunPython(up, down),
        # A search's variants are read by supplier and product group. (An index only: SQLite does
        # not rebuild the table for it, so the full-text and version triggers stay.)
        migrations.AddIndex(
            model_name="catalogueitem",
            index=models.Index(fields=["supplier", "product_group"], name="catalogue_item_variants"),
        ),
    ]
