from django.db import migrations

from consortium.care.constants import DEFAULT_CARE_LEVELS


def add_levels(apps, schema_editor):
    CareLevel = apps.get_model("care", "CareLevel")
    for rank, name, description in DEFAULT_CARE_LEVELS:
        CareLevel.objects.get_or_create(rank=rank, defaults={"name": name, "description": description})


class Migration(migrations.Migration):
    dependencies = [("care", "0001_initial")]
    operations = [migrations.RunPython(add_levels, migrations.RunPython.noop)]
