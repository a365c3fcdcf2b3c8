"""The Flexible Framework's criteria, from the fixture that cites its source."""

import json
from pathlib import Path

from django.db import migrations

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "flexible_framework.json"


def load(apps, schema_editor):  # type: ignore[no-untyped-def]
    Criterion = apps.get_model("sustainability", "Criterion")
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    for row in data["criteria"]:
        Criterion.objects.get_or_create(
            theme=row["theme"],
            level=row["level"],
            position=row["position"],
            defaults={"text": row["text"], "source": data["source"]},
        )


class Migration(migrations.Migration):
    dependencies = [("sustainability", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
