from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

EXAMPLES = Path(settings.BASE_DIR) / "docs" / "examples"


def test_care_quote_prints_the_john_smith_quote():
    out = StringIO()
    call_command(
        "care-quote",
        str(EXAMPLES / "john-smith-needs.json"),
        str(EXAMPLES / "cherrytrees-menu.json"),
        stdout=out,
    )
    [quote] = json.loads(out.getvalue())
    assert quote["total"] == "883.00"
    assert quote["budget_status"] == "over by £183.00"
    assert [line["total"] for line in quote["lines"]] == [
        "446.00",
        "157.00",
        "91.00",
        "98.00",
        "21.00",
        "70.00",
    ]


def test_care_benchmark_prints_quartile_inc_statistics():
    out = StringIO()
    call_command("care-benchmark", str(EXAMPLES / "rates.csv"), stdout=out)
    [row] = json.loads(out.getvalue())
    assert (row["lower_quartile"], row["median"], row["upper_quartile"]) == ("6.90", "7.00", "7.20")


def test_cli_errors_name_the_problem(tmp_path):
    bad = tmp_path / "menu.json"
    bad.write_text(json.dumps({"highest_level": "High", "items": [{"element": "castle", "unit_price": "1"}]}))
    with pytest.raises(CommandError, match=r"items\[0\]\.element"):
        call_command("care-quote", str(EXAMPLES / "john-smith-needs.json"), str(bad), stdout=StringIO())
