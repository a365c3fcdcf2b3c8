"""The database's grouping (one GROUP BY) gives the same views as the Decimal reference."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal as D

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consortium.care.benchmarks import contributions, views
from consortium.care.models import CommissionedRate
from consortium.care.statistics import protected_spread
from consortium.organisations.constants import OrganisationKind
from consortium.organisations.models import Organisation

pytestmark = pytest.mark.django_db

prices = st.decimals(min_value=D("0"), max_value=D("9999.9999"), places=4)
# (provider index, council index, price)
rates = st.lists(st.tuples(st.integers(0, 5), st.integers(0, 2), prices), min_size=1, max_size=40)


def reference(rows, *, without_council=None, without_provider=None):
    by_provider = defaultdict(list)
    for provider, council, price in rows:
        if council != without_council and provider != without_provider:
            by_provider[provider].append(price)
    values = [sum(v, D(0)) / len(v) for v in by_provider.values()]
    count = sum(len(v) for v in by_provider.values())
    return protected_spread(values, count=count) if len(values) >= 3 else None


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rates)
def test_database_views_equal_reference(world, rows):
    try:
        with transaction.atomic():
            providers = [
                Organisation.objects.create(name=f"P{i}", kind=OrganisationKind.SUPPLIER) for i in range(6)
            ]
            councils = [
                Organisation.objects.create(name=f"C{i}", kind=OrganisationKind.COUNTY_COUNCIL)
                for i in range(3)
            ]
            CommissionedRate.objects.bulk_create(
                CommissionedRate(
                    council=councils[c],
                    provider=providers[p],
                    element="life_skills_development",
                    unit_price=price,
                    commissioned_on=dt.date(2026, 1, 1),
                )
                for p, c, price in rows
            )
            got = {
                (v.excluded_council, v.excluded_provider): v
                for v in views(contributions(CommissionedRate.objects.order_by()))
            }
            assert got[(None, None)].spread == reference(rows)
            assert got[(None, None)].providers == len({p for p, _, _ in rows})
            for c in {c for _, c, _ in rows}:
                assert got[(councils[c].pk, None)].spread == reference(
                    [(p, cc, x) for p, cc, x in rows], without_council=c
                )
            for p in {p for p, _, _ in rows}:
                assert got[(None, providers[p].pk)].spread == reference(rows, without_provider=p)
            raise _Rollback
    except _Rollback:
        pass


class _Rollback(Exception):
    pass
