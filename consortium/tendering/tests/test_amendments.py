"""A tender changed after publication: recorded, told to every bidder, published, and the
deadline extended where a significant change needs it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from consortium.core.dates import LONDON, today_in_london
from consortium.core.errors import Conflict, ValidationFailed
from consortium.organisations.constants import Role
from consortium.tendering import services
from consortium.tendering.models import Notice
from consortium.tendering.services.amendment import earliest_deadline_after_amendment
from consortium.tendering.tests.factories import pass_deadline, tender_at

pytestmark = pytest.mark.django_db


def test_a_significant_amendment_keeps_the_minimum_period_and_moves_the_timetable(
    world, django_capture_on_commit_callbacks
):
    project = tender_at(world, "open")
    # As if published weeks ago: five days left before the deadline.
    soon = dt.datetime.combine(today_in_london() + dt.timedelta(days=5), dt.time(12), tzinfo=LONDON)
    type(project).objects.filter(pk=project.pk).update(tender_deadline=soon)
    project.refresh_from_db()
    cm = world.actor(Role.CATEGORY_MANAGER)
    before = project.tender_deadline
    assert before is not None and project.award_decision_on is not None
    with pytest.raises(ValidationFailed) as caught:  # significant, keeping five days: refused
        services.tender_amend(
            actor=cm,
            project=project,
            description="Lot 1 now includes A3 paper",
            rationale="r",
            significant=True,
        )
    assert "or later" in caught.value.field_errors["tender_deadline"]
    earliest = earliest_deadline_after_amendment(project)
    with pytest.raises(ValidationFailed) as caught:
        services.tender_amend(
            actor=cm,
            project=project,
            description="Lot 1 now includes A3 paper",
            rationale="Members asked for it",
            significant=True,
            tender_deadline=earliest - dt.timedelta(days=1),
        )
    assert f"{earliest:%-d %B %Y} or later" in caught.value.field_errors["tender_deadline"]
    with pytest.raises(ValidationFailed) as caught:
        services.tender_amend(actor=cm, project=project, description=" ", rationale="")
    assert set(caught.value.field_errors) == {"description", "rationale"}
    new_day = max(earliest, before.astimezone(LONDON).date() + dt.timedelta(days=7))
    with django_capture_on_commit_callbacks(execute=True):
        amendment = services.tender_amend(
            actor=cm,
            project=project,
            description="Lot 1 now includes A3 paper",
            rationale="Members asked for it",
            significant=True,
            tender_deadline=new_day,
        )
    project.refresh_from_db()
    assert project.tender_deadline == dt.datetime.combine(new_day, dt.time(12), tzinfo=LONDON)
    shift = (new_day - before.astimezone(LONDON).date()).days
    assert project.award_decision_on is not None and amendment.number == 1
    # Every bidder is told; a revised tender notice and a tenderAmendment release are published.
    told = {m.to[0] for m in mail.outbox if "Tender amendment 1" in m.subject}
    assert "supplier@example.org" in told or len(told) >= 2
    revised = Notice.objects.filter(project=project, notice_type__code="UK4").order_by("-id").first()
    assert revised is not None and "amendment 1" in revised.summary
    assert any("Changes to the tender" in s["heading"] for s in revised.body["sections"])
    last = project.releases.order_by("-id").first()
    assert last is not None and last.body["tag"] == ["tenderAmendment"]
    assert last.body["tender"]["amendments"][0]["id"] == "1"
    assert last.body["tender"]["tenderPeriod"]["endDate"].startswith(str(new_day))
    assert shift > 0


def test_a_minor_amendment_keeps_the_deadline_and_nothing_is_amended_after_it(world):
    project = tender_at(world, "open")
    cm = world.actor(Role.CATEGORY_MANAGER)
    before = project.tender_deadline
    services.tender_amend(actor=cm, project=project, description="Typo in lot 1's title", rationale="Clarity")
    project.refresh_from_db()
    assert project.tender_deadline == before
    with pytest.raises(ValidationFailed):  # never earlier
        services.tender_amend(
            actor=cm, project=project, description="x", rationale="y", tender_deadline=today_in_london()
        )
    pass_deadline(project)
    with pytest.raises(Conflict):
        services.tender_amend(actor=cm, project=project, description="Late", rationale="Too late")


def test_the_amend_page_reports_every_field_and_keeps_what_was_typed(world, client):
    project = tender_at(world, "open")
    client.force_login(world.people[Role.CATEGORY_MANAGER])
    page = client.post(
        f"/tenders/{project.pk}/amend/",
        {
            "description": "Lot 1 adds A3",
            "rationale": "",
            "significant": "true",
            "tender_deadline-day": "1",
            "tender_deadline-month": "1",
            "tender_deadline-year": "2020",
        },
    )
    body = page.content.decode()
    assert page.status_code == 400 and 'href="#rationale"' in body and "Lot 1 adds A3" in body
    supplier = client.get(f"/tenders/{project.pk}/")  # still the manager: the detail page links the form
    assert f"/tenders/{project.pk}/amend/" in supplier.content.decode()
