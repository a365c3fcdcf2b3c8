from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from consortium.audit.models import AuditEvent
from consortium.care import selectors, services
from consortium.care.constants import Element, NegotiationStatus
from consortium.care.models import BenchmarkStatistic, CareLevel, CommissionedRate, PriceMenu
from consortium.care.services import MenuItemInput
from consortium.care.tests.factories import JOHN_SMITH, agree_john_smith, open_negotiation, provider_actor
from consortium.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from consortium.organisations.constants import Role

pytestmark = pytest.mark.django_db


def test_john_smith_from_needs_to_placement(care, world):
    views = selectors.quotes_for(care.commissioner, care.john_smith)
    cherry = next(v for v in views if v.quote.menu.home_name == "Cherrytrees")
    assert cherry.quote.total == D("883.00")
    assert cherry.quote.budget_status == "over by £183.00"
    negotiation = agree_john_smith(care)
    assert negotiation.agreed_total == D("685.00")
    placement = services.placement_confirm(
        actor=care.commissioner, negotiation=negotiation, start_date=dt.date(2026, 12, 7)
    )
    assert (placement.weekly_cost, placement.weekly_saving, placement.annual_saving) == (
        D("685.00"),
        D("198.00"),
        D("10296.00"),
    )
    # Night sleeping cover was dropped, so it is not a commissioned rate.
    elements = set(CommissionedRate.objects.filter(placement=placement).values_list("element", flat=True))
    assert Element.NIGHT_SLEEPING not in elements and Element.ACCOMMODATION_SHARED_BEDROOM in elements
    # Confirming again is harmless: the same placement.
    assert (
        services.placement_confirm(
            actor=care.commissioner, negotiation=negotiation, start_date=dt.date(2026, 12, 7)
        ).pk
        == placement.pk
    )
    with pytest.raises(Conflict):
        services.negotiation_record_agreed(actor=care.commissioner, negotiation=negotiation, lines=[])


@pytest.mark.parametrize(
    "start, target, allowed",
    [
        (NegotiationStatus.OPEN, NegotiationStatus.PLACED, True),
        (NegotiationStatus.OPEN, NegotiationStatus.WITHDRAWN, True),
        (NegotiationStatus.WITHDRAWN, NegotiationStatus.PLACED, False),
        (NegotiationStatus.WITHDRAWN, NegotiationStatus.WITHDRAWN, False),
        (NegotiationStatus.PLACED, NegotiationStatus.WITHDRAWN, False),
    ],
)
def test_negotiation_transitions(care, start, target, allowed):
    negotiation = open_negotiation(care)
    if start == NegotiationStatus.WITHDRAWN:
        services.negotiation_withdraw(actor=care.commissioner, negotiation=negotiation)
    elif start == NegotiationStatus.PLACED:
        services.placement_confirm(
            actor=care.commissioner, negotiation=negotiation, start_date=dt.date(2026, 12, 1)
        )
    negotiation.refresh_from_db()

    def act():
        if target == NegotiationStatus.PLACED:
            services.placement_confirm(
                actor=care.commissioner, negotiation=negotiation, start_date=dt.date(2026, 12, 1)
            )
        else:
            services.negotiation_withdraw(actor=care.commissioner, negotiation=negotiation)

    if allowed:
        act()
        negotiation.refresh_from_db()
        assert negotiation.status == target
    else:
        with pytest.raises(Conflict):
            act()


def test_benchmark_needs_five_providers(care, settings):
    shown = {b.key: b for b in selectors.benchmark_list_for(care.commissioner)}
    accommodation = shown[(Element.ACCOMMODATION_SHARED_BEDROOM, None, "")]
    assert accommodation.providers == 5 and accommodation.spread is not None
    settings.CARE_BENCHMARK_MIN_PROVIDERS = 6
    hidden = {b.key: b for b in selectors.benchmark_list_for(care.commissioner)}
    assert hidden[(Element.ACCOMMODATION_SHARED_BEDROOM, None, "")].spread is None


def test_benchmarks_match_the_reference_statistics(care):
    """Stored figures are the protected spread of provider values (one mean per provider)."""
    from consortium.care.statistics import protected_spread

    rates = CommissionedRate.objects.filter(element=Element.ACCOMMODATION_SHARED_BEDROOM)
    by_provider: dict[int, list[D]] = {}
    for provider, price in rates.values_list("provider_id", "unit_price"):
        by_provider.setdefault(provider, []).append(price)
    reference = protected_spread([sum(v, D(0)) / len(v) for v in by_provider.values()], count=rates.count())
    stored = BenchmarkStatistic.objects.get(
        population="commissioned",
        element=Element.ACCOMMODATION_SHARED_BEDROOM,
        excluded_council=None,
        excluded_provider=None,
    )
    assert (stored.minimum, stored.lower_quartile, stored.median, stored.upper_quartile, stored.maximum) == (
        reference.minimum,
        reference.lower_quartile,
        reference.median,
        reference.upper_quartile,
        reference.maximum,
    )


def test_cherrytrees_above_upper_quartile_is_flagged(care):
    views = selectors.quotes_for(care.commissioner, care.john_smith)
    cherry = next(v for v in views if v.quote.menu.home_name == "Cherrytrees")
    accommodation = cherry.lines[0]
    assert accommodation.above_upper_quartile
    assert accommodation.saving_at_median > 0


def test_councils_cannot_read_each_others_clients(care):
    with pytest.raises(NotFound):
        selectors.assessment_get_for(care.other_commissioner, care.john_smith.pk)
    with pytest.raises(PermissionDenied):
        services.negotiation_open(
            actor=care.other_commissioner, assessment=care.john_smith, menu=care.cherrytrees_menu
        )
    assert care.john_smith not in selectors.assessment_list_for(care.other_commissioner)


def test_reading_a_client_record_is_audited(care):
    selectors.assessment_get_for(care.commissioner, care.john_smith.pk)
    event = AuditEvent.objects.filter(action="care_assessment.view", object_id=str(care.john_smith.pk)).get()
    assert event.actor == care.commissioner.person


def test_other_roles_cannot_touch_care_records(care, world):
    for role in (Role.MEMBER_BUYER, Role.APPROVER, Role.SUPPLIER_USER, Role.CONSORTIUM_ADMIN):
        with pytest.raises(PermissionDenied):
            selectors.assessment_list_for(world.actor(role))


def test_new_menu_version_ends_the_previous(care, world):
    actor = provider_actor(world.supplier)
    new = services.price_menu_submit(
        actor=actor,
        home=care.cherrytrees_home,
        highest_level=CareLevel.objects.get(name="High"),
        effective_from=dt.date(2026, 9, 1),
        items=[MenuItemInput(Element.LIFE_SKILLS, "7.20")],
    )
    care.cherrytrees_menu.refresh_from_db()
    assert care.cherrytrees_menu.effective_to == dt.date(2026, 8, 31)
    assert new.effective_to is None
    with pytest.raises(Conflict):
        services.price_menu_submit(
            actor=actor,
            home=care.cherrytrees_home,
            highest_level=CareLevel.objects.get(name="High"),
            effective_from=dt.date(2026, 9, 1),
            items=[MenuItemInput(Element.LIFE_SKILLS, "7.20")],
        )


def test_bad_menu_prices_are_named_and_nothing_is_stored(care, world):
    actor = provider_actor(world.supplier)
    before = PriceMenu.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        services.price_menu_submit(
            actor=actor,
            home=care.cherrytrees_home,
            highest_level=CareLevel.objects.get(name="High"),
            effective_from=dt.date(2026, 10, 1),
            items=[
                MenuItemInput(Element.LIFE_SKILLS, "seven"),
                MenuItemInput(Element.DAYTIME_SHARED, "3", None),
                MenuItemInput(Element.ONE_TO_ONE, "7", None, "nurse"),
                MenuItemInput("castle", "1"),
            ],
        )
    assert set(exc.value.field_errors) == {
        "items[0].unit_price",
        "items[1].ratio",
        "items[2].grade",
        "items[3].element",
    }
    assert PriceMenu.objects.count() == before


def test_provider_cannot_price_another_providers_home(care, world):
    with pytest.raises(PermissionDenied):
        services.price_menu_submit(
            actor=provider_actor(world.other_supplier),
            home=care.cherrytrees_home,
            highest_level=CareLevel.objects.get(name="High"),
            effective_from=dt.date(2026, 10, 1),
            items=[MenuItemInput(Element.LIFE_SKILLS, "7")],
        )


def test_assessment_errors_name_fields(world):
    with pytest.raises(ValidationFailed) as exc:
        services.assessment_create(
            actor=world.actor(Role.COMMISSIONER),
            level=None,
            **{
                **JOHN_SMITH,
                "client_reference": "",
                "daytime_hours": "lots",
                "daytime_ratio": "",
                "night_sleeping_nights": 9,
            },
        )
    assert {"client_reference", "level", "daytime_hours", "night_sleeping_nights"} <= set(
        exc.value.field_errors
    )


def test_home_below_level_cannot_be_negotiated(care, world):
    menu = services.price_menu_submit(
        actor=provider_actor(world.other_supplier),
        home=services.care_home_create(actor=provider_actor(world.other_supplier), name="Low Home"),
        highest_level=CareLevel.objects.get(name="Low"),
        effective_from=dt.date(2026, 1, 1),
        items=[MenuItemInput(Element.LIFE_SKILLS, "7")],
    )
    with pytest.raises(Conflict, match="caters for up to Low"):
        services.negotiation_open(actor=care.commissioner, assessment=care.john_smith, menu=menu)


def test_council_report(care, world):
    rows = selectors.council_report_for(care.other_commissioner)
    assert [r["council__name"] for r in rows] == ["Stoke-on-Trent City Council"]
    assert rows[0]["placements"] == 5
    assert selectors.council_report_for(care.commissioner) == []  # a council sees only its own
    admin_rows = selectors.council_report_for(world.actor(Role.CONSORTIUM_ADMIN))
    assert len(admin_rows) == 1
    with pytest.raises(PermissionDenied):
        selectors.council_report_for(world.actor(Role.SUPPLIER_USER))
