"""Whole-life cost with a carbon price: the tonnes a bidder states each year, costed at the
tender's price per tonne and discounted like running costs."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from consortium.tendering.scoring import CostProfile, whole_life_cost


def test_carbon_is_costed_each_year_and_discounted() -> None:
    profile = CostProfile(D("1000"), annual_running=D("100"), annual_emissions=D("2"))
    without = whole_life_cost(profile, 2, D("0"))
    with_carbon = whole_life_cost(profile, 2, D("0"), carbon_price=D("50"))
    assert without == D("1200.00") and with_carbon == D("1400.00")  # 2 t × £50 × 2 years
    discounted = whole_life_cost(
        CostProfile(D("0"), annual_emissions=D("1")), 1, D("10"), carbon_price=D("110")
    )
    assert discounted == D("100.00")


@pytest.mark.django_db
def test_the_carbon_price_is_set_with_whole_life_costing_and_bids_state_their_tonnes(world) -> None:  # type: ignore[no-untyped-def]
    from consortium.core.errors import ValidationFailed
    from consortium.organisations.constants import Role
    from consortium.tendering import services
    from consortium.tendering.tests.factories import tender_at

    cm = world.actor(Role.CATEGORY_MANAGER)
    project = tender_at(world, "draft")
    with pytest.raises(ValidationFailed) as e:
        services.price_method_set(
            actor=cm, project=project, method="whole_life_cost", discount_rate=D("3.5"), carbon_price=D("-1")
        )
    assert "carbon_price" in e.value.field_errors
    services.price_method_set(
        actor=cm, project=project, method="whole_life_cost", discount_rate=D("3.5"), carbon_price=D("280")
    )
    project.refresh_from_db()
    assert project.carbon_price == D("280.00")
    services.price_method_set(
        actor=cm, project=project, method="lowest_price", discount_rate=D("3.5"), carbon_price=D("280")
    )
    project.refresh_from_db()
    assert project.carbon_price is None  # only whole-life costing prices carbon
