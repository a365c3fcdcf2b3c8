"""The database's statistics (percentile_cont on PostgreSQL) equal the reference Decimal ones."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consortium.care.benchmarks import spreads
from consortium.care.models import CommissionedRate
from consortium.care.statistics import spread
from consortium.organisations.models import Organisation

pytestmark = pytest.mark.django_db

prices = st.decimals(min_value=D("0"), max_value=D("9999.9999"), places=4)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(prices, min_size=1, max_size=40), st.lists(prices, min_size=1, max_size=5))
def test_database_spreads_equal_reference(world, first, second):
    council, provider = world.member, world.supplier
    other = Organisation.objects.get(pk=world.other_supplier.pk)
    try:
        with transaction.atomic():
            CommissionedRate.objects.bulk_create(
                [
                    CommissionedRate(
                        council=council,
                        provider=provider if i % 2 else other,
                        element="life_skills_development",
                        unit_price=p,
                        commissioned_on=dt.date(2026, 1, 1),
                    )
                    for i, p in enumerate(first)
                ]
                + [
                    CommissionedRate(
                        council=council,
                        provider=provider,
                        element="daytime_shared_support",
                        ratio=3,
                        unit_price=p,
                        commissioned_on=dt.date(2026, 1, 1),
                    )
                    for p in second
                ]
            )
            result = {(s.element, s.ratio): s for s in spreads(CommissionedRate.objects.order_by())}
            assert result[("life_skills_development", None)].spread == spread(first)
            assert result[("daytime_shared_support", 3)].spread == spread(second)
            assert result[("life_skills_development", None)].providers == (2 if len(first) > 1 else 1)
            raise _Rollback
    except _Rollback:
        pass


class _Rollback(Exception):
    pass
