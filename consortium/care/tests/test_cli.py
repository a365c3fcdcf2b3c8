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


NEEDS = json.loads((EXAMPLES / "john-smith-needs.json").read_text())
MENU = json.loads((EXAMPLES / "cherrytrees-menu.json").read_text())


def _quote(tmp_path: Path, needs: object = NEEDS, menu: object = MENU) -> str:
    n, m = tmp_path / "needs.json", tmp_path / "menu.json"
    n.write_text(json.dumps(needs))
    m.write_text(json.dumps(menu))
    with pytest.raises(CommandError) as caught:
        call_command("care-quote", str(n), str(m), stdout=StringIO())
    return str(caught.value)


@pytest.mark.parametrize(
    "needs, named",
    [
        ({**NEEDS, "life_skils_hours": 3}, "needs.json: life_skils_hours: Extra inputs are not permitted"),
        ({**NEEDS, "daytime_hours": -5}, "needs.json: daytime_hours"),
        ({**NEEDS, "night_sleeping_nights": 8}, "needs.json: night_sleeping_nights"),
        ({**NEEDS, "daytime_ratio": 0}, "needs.json: daytime_ratio"),
        ({**NEEDS, "daytime_ratio": None}, "needs.json: daytime_ratio: Enter the carer:client ratio needed"),
        ({**NEEDS, "one_to_one_grade": "senior"}, "needs.json: one_to_one_grade"),
        ({**NEEDS, "level": "Extreme"}, "level must be one of Low, Moderate, High"),
        ([1, 2], "needs.json: expected a JSON object"),
    ],
)
def test_care_quote_refuses_bad_needs_naming_file_and_field(tmp_path, needs, named):
    assert named in _quote(tmp_path, needs=needs)


@pytest.mark.parametrize(
    "item, named",
    [
        ({"element": "specialist_support", "unit_price": "-1.00"}, "menu.json: items[0].unit_price"),
        ({"element": "specialist_support", "unit_price": "7.00", "colour": "red"}, "items[0].colour"),
        ({"element": "daytime_shared_support", "unit_price": "3.00", "ratio": 99}, "items[0].ratio"),
        ({"element": "one_to_one_support", "unit_price": "7.00", "grade": "senior"}, "items[0].grade"),
        ({"element": "daytime_shared_support", "unit_price": "3.00"}, "items[0].ratio: Enter the carer"),
    ],
)
def test_care_quote_refuses_bad_menus_naming_file_item_and_field(tmp_path, item, named):
    assert named in _quote(tmp_path, menu={**MENU, "items": [item]})


def test_broken_json_names_the_line(tmp_path):
    n = tmp_path / "needs.json"
    n.write_text('{"level": "Moderate",\n "client_reference": }')
    with pytest.raises(CommandError, match=r"needs.json: line 2, column"):
        call_command("care-quote", str(n), str(EXAMPLES / "cherrytrees-menu.json"), stdout=StringIO())


def test_csv_from_excel_with_a_bom_and_semicolons_is_read(tmp_path):
    rates = tmp_path / "rates.csv"
    rows = ["element;ratio;grade;unit_price;provider"] + [
        f"life_skills_development;;;{p};{c}" for p, c in (("6.50", "A"), ("6.90", "B"), ("7.00", "C"))
    ]
    rates.write_bytes(("\ufeff" + "\r\n".join(rows) + "\r\n").encode("utf-8"))
    out = StringIO()
    call_command("care-benchmark", str(rates), stdout=out)
    [row] = json.loads(out.getvalue())
    assert (row["element"], row["count"], row["median"]) == ("life_skills_development", 3, "6.90")


@pytest.mark.parametrize(
    "line, named",
    [
        ("life_skils_development,,,6.50,A", "rates.csv: row 2: element"),
        ("life_skills_development,,,-6.50,A", "rates.csv: row 2: unit_price"),
        ("life_skills_development,,,six,A", "rates.csv: row 2: unit_price"),
        ("daytime_shared_support,,,3.00,A", "rates.csv: row 2: ratio"),
        ("daytime_shared_support,30,,3.00,A", "rates.csv: row 2: ratio"),
        ("one_to_one_support,,senior,7.00,A", "rates.csv: row 2: grade"),
        ("life_skills_development,,,6.50,A,extra", "rates.csv: row 2: more cells"),
    ],
)
def test_care_benchmark_refuses_bad_rows_naming_file_row_and_field(tmp_path, line, named):
    rates = tmp_path / "rates.csv"
    rates.write_text("element,ratio,grade,unit_price,provider\n" + line + "\n")
    with pytest.raises(CommandError) as caught:
        call_command("care-benchmark", str(rates), stdout=StringIO())
    assert named in str(caught.value)


def test_a_misspelt_column_is_refused(tmp_path):
    rates = tmp_path / "rates.csv"
    rates.write_text("element,ratio,grade,unit_prise,provider\nlife_skills_development,,,6.50,A\n")
    with pytest.raises(CommandError, match="unit_prise: Extra inputs are not permitted"):
        call_command("care-benchmark", str(rates), stdout=StringIO())
