from __future__ import annotations

from decimal import Decimal as D

from hypothesis import given
from hypothesis import strategies as st

from consortium.care.constants import Element, Grade
from consortium.care.costing import (
    AgreedLine,
    ClientNeeds,
    Menu,
    MenuPrice,
    Need,
    needs_from_assessment,
    negotiate,
    quote,
    saving_at_median,
)


def menu(*prices: MenuPrice, level: int = 3) -> Menu:
    return Menu(1, "Cherrytrees", "Cherrytrees Care Ltd", level, "High", prices)


def client(*needs: Need, level: int = 2, budget: D | None = D("1000")) -> ClientNeeds:
    return ClientNeeds(level, "Moderate", budget, needs)


def test_line_is_price_times_quantity_rounded_half_up():
    q = quote(client(Need(Element.LIFE_SKILLS, D("3"))), menu(MenuPrice(Element.LIFE_SKILLS, D("2.335"))))
    assert q.lines[0].total == D("7.01")  # 7.005 rounds up


def test_total_is_sum_of_rounded_lines():
    q = quote(
        client(Need(Element.LIFE_SKILLS, D("1")), Need(Element.TRANSITION, D("1"))),
        menu(MenuPrice(Element.LIFE_SKILLS, D("0.005")), MenuPrice(Element.TRANSITION, D("0.005"))),
    )
    assert q.total == D("0.02")  # not round(0.01) = 0.01


def test_home_below_client_level_is_not_offered_with_reason():
    q = quote(client(level=3), Menu(1, "Oakview", "Oak Ltd", 2, "Moderate", ()))
    assert not q.offered
    assert "caters for up to Moderate" in q.reason


def test_missing_element_makes_quote_incomplete_and_names_it():
    q = quote(
        client(Need(Element.LIFE_SKILLS, D("10")), Need(Element.SPECIALIST, D("7"))),
        menu(MenuPrice(Element.LIFE_SKILLS, D("7"))),
    )
    assert not q.complete
    assert q.missing == (Element.SPECIALIST,)


def test_ratio_scaled_when_client_needs_more_staff_and_marked_estimate():
    q = quote(
        client(Need(Element.DAYTIME_SHARED, D("65"), ratio=3)),
        menu(MenuPrice(Element.DAYTIME_SHARED, D("2.50"), ratio=4)),
    )
    line = q.lines[0]
    assert line.is_estimate
    assert line.total == D("216.67")  # 2.50 × 4/3 × 65 = 216.666…


def test_ratio_price_stands_when_client_needs_fewer_staff():
    q = quote(
        client(Need(Element.NIGHT_WAKING, D("7"), ratio=4)),
        menu(MenuPrice(Element.NIGHT_WAKING, D("24"), ratio=3)),
    )
    assert not q.lines[0].is_estimate
    assert q.lines[0].total == D("168.00")


def test_closest_unscaled_ratio_is_chosen():
    q = quote(
        client(Need(Element.DAYTIME_SHARED, D("10"), ratio=3)),
        menu(
            MenuPrice(Element.DAYTIME_SHARED, D("5"), ratio=2),
            MenuPrice(Element.DAYTIME_SHARED, D("4"), ratio=3),
            MenuPrice(Element.DAYTIME_SHARED, D("3"), ratio=4),
        ),
    )
    assert q.lines[0].unit_price == D("4") and not q.lines[0].is_estimate


def test_grade_selects_the_price_and_a_missing_grade_is_missing():
    prices = (MenuPrice(Element.ONE_TO_ONE, D("7"), grade=Grade.DOMICILIARY),)
    assert quote(client(Need(Element.ONE_TO_ONE, D("2"), grade=Grade.DOMICILIARY)), menu(*prices)).complete
    q = quote(client(Need(Element.ONE_TO_ONE, D("2"), grade=Grade.QUALIFIED)), menu(*prices))
    assert q.missing == (Element.ONE_TO_ONE,)


def test_budget_status():
    needs = (Need(Element.LIFE_SKILLS, D("10")),)
    m = menu(MenuPrice(Element.LIFE_SKILLS, D("7")))
    assert quote(client(*needs, budget=D("70")), m).budget_status == "within budget"
    assert quote(client(*needs, budget=D("50")), m).budget_status == "over by £20.00"


def test_john_smith_case_to_the_penny():
    needs = needs_from_assessment(
        {
            "accommodation_type": "own_bedroom_shared_living",
            "daytime_hours": 50,
            "daytime_ratio": 3,
            "night_sleeping_nights": 7,
            "night_sleeping_ratio": 3,
            "one_to_one_hours": 14,
            "one_to_one_grade": "domiciliary",
            "specialist_hours": 7,
            "life_skills_hours": 10,
        }
    )
    cherrytrees = menu(
        MenuPrice(Element.ACCOMMODATION_SHARED_BEDROOM, D("446.00")),
        MenuPrice(Element.DAYTIME_SHARED, D("3.14"), ratio=3),
        MenuPrice(Element.NIGHT_SLEEPING, D("13.00"), ratio=3),
        MenuPrice(Element.ONE_TO_ONE, D("7.00"), grade=Grade.DOMICILIARY),
        MenuPrice(Element.SPECIALIST, D("3.00")),
        MenuPrice(Element.LIFE_SKILLS, D("7.00")),
    )
    q = quote(ClientNeeds(2, "Moderate", D("700"), needs), cherrytrees)
    assert [line.total for line in q.lines] == [
        D("446.00"),
        D("157.00"),
        D("91.00"),
        D("98.00"),
        D("21.00"),
        D("70.00"),
    ]
    assert q.total == D("883.00")
    agreed = {
        Element.ACCOMMODATION_SHARED_BEDROOM: (D("346.00"), D(1)),
        Element.NIGHT_SLEEPING: (D("13.00"), D(0)),
        Element.ONE_TO_ONE: (D("7.00"), D(13)),
    }
    outcome = negotiate(
        AgreedLine(line.element, line.total, *agreed.get(line.element, (line.unit_price, line.quantity)))
        for line in q.lines
    )
    assert outcome.agreed_total == D("685.00")
    assert outcome.weekly_saving == D("198.00")
    assert outcome.annual_saving == D("10296.00")


def test_saving_at_median():
    assert saving_at_median(D("446"), D("400"), D("1")) == D("46.00")
    assert saving_at_median(D("3"), D("4"), D("10")) == D("0")


prices = st.decimals(min_value=D("0.00"), max_value=D("999.99"), places=2)
quantities = st.decimals(min_value=D("0"), max_value=D("168"), places=2)
elements = st.sampled_from([Element.LIFE_SKILLS, Element.SPECIALIST, Element.TRANSITION, Element.SUPPLEMENT])


@given(st.lists(st.tuples(elements, prices, quantities), min_size=1, max_size=4, unique_by=lambda t: t[0]))
def test_total_always_equals_the_sum_of_lines(rows):
    q = quote(client(*(Need(e, qty) for e, _, qty in rows)), menu(*(MenuPrice(e, p) for e, p, _ in rows)))
    assert q.total == sum(line.total for line in q.lines)
    assert all(line.total == line.total.quantize(D("0.01")) for line in q.lines)
