"""The self-assessment on the page: answers kept when evidence is missing, then saved; the
action plan; the consortium's view and criteria."""

from __future__ import annotations

import pytest

from consortium.organisations.constants import Role
from consortium.sustainability.models import Action, Answer, Criterion

pytestmark = pytest.mark.django_db


def test_a_buyer_answers_a_theme_and_plans_the_next_level(world, signed_in) -> None:  # type: ignore[no-untyped-def]
    buyer = signed_in(Role.MEMBER_BUYER)
    first, second = Criterion.objects.filter(theme="people", level=1)[:2]
    refused = buyer.post(
        "/sustainability/themes/people/?year=2026",
        {
            "year": "2026",
            f"met_{first.pk}": "yes",
            f"evidence_{first.pk}": "Named in March",
            f"met_{second.pk}": "yes",
        },
    )
    html = refused.content.decode()
    assert refused.status_code == 400 and f'href="#evidence_{second.pk}"' in html and "Named in March" in html
    assert not Answer.objects.exists()
    every = {f"met_{c.pk}": "yes" for c in Criterion.objects.filter(theme="people", level=1)}
    every.update({f"evidence_{c.pk}": "Evidence" for c in Criterion.objects.filter(theme="people", level=1)})
    assert (
        buyer.post("/sustainability/themes/people/?year=2026", {"year": "2026", **every}).status_code == 302
    )
    page = buyer.get("/sustainability/?year=2026").content.decode()
    assert "Level reached" in page and "<strong>1</strong>" in page
    bad = buyer.post(
        "/sustainability/actions/?year=2026",
        {"year": "2026", "theme": "people", "description": "", "owner": "HR", "due_on": "soon"},
    )
    assert (
        bad.status_code == 400
        and "Enter action" in bad.content.decode()
        and "real date" in bad.content.decode()
    )
    buyer.post(
        "/sustainability/actions/?year=2026",
        {
            "year": "2026",
            "theme": "people",
            "description": "Advanced training",
            "owner": "HR",
            "due_on": "31/3/2027",
            "status": "planned",
        },
    )
    assert Action.objects.get().description == "Advanced training"
    cm = signed_in(Role.CATEGORY_MANAGER)
    assert "Moorside Primary School" in cm.get("/sustainability/?year=2026").content.decode()
    assert cm.get("/sustainability/criteria/").status_code == 200
    assert buyer.get("/sustainability/criteria/").status_code == 403
