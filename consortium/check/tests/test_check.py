"""Service check end to end: cases kept live from the systems, scoped to who may see them,
studies with recorded changes, the chart and its words, demand, exports, pages that keep
what was typed."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from consortium.check.cases import refresh
from consortium.check.models import Case, Study
from consortium.citizen import services as citizen_services
from consortium.citizen.constants import Demand, FailureType, UpdateKind
from consortium.citizen.models import RequestUpdate
from consortium.citizen.schemas import UpdateIn
from consortium.citizen.tests.factories import citizen_world
from consortium.organisations.constants import Role

pytestmark = pytest.mark.django_db

PO = Role.PARTNER_OFFICER


def _api(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def _cases(
    world,
    n: int,
    *,
    start_value: float = 5.0,
    organisation=None,
    stream: str = "citizen.requests",
    first_id: int = 10_000,
):
    """n finished cases, a day apart, ending before today."""
    org = organisation or world.member
    base = timezone.now() - dt.timedelta(days=n + 1)
    rows = []
    for i in range(n):
        ended = base + dt.timedelta(days=i)
        on = timezone.localtime(ended).date()
        rows.append(
            Case(
                stream=stream,
                source_id=first_id + i,
                reference=f"SR-{i}",
                started_at=ended - dt.timedelta(days=3),
                ended_at=ended,
                ended_on=on,
                week=on - dt.timedelta(days=on.weekday()),
                value=start_value + (i % 3),
                organisation=org,
                kind_key="1",
                kind_label="Missed bin",
            )
        )
    Case.objects.bulk_create(rows)


def test_a_request_closed_by_its_partner_becomes_a_case_and_leaves_when_reopened(world):
    c = citizen_world(world)
    officer = world.actor(PO)
    assert not Case.objects.filter(stream="citizen.requests").exists()
    citizen_services.request_update(
        actor=officer, request=c.request, data=UpdateIn.model_validate({"action": "fix"})
    )
    case = Case.objects.get(stream="citizen.requests", source_id=c.request.pk)
    assert case.organisation_id == world.member.pk and case.reference == c.request.reference
    assert case.value == 0.0  # closed the same day it was confirmed
    c.request.refresh_from_db()
    citizen_services.request_update(
        actor=officer, request=c.request, data=UpdateIn.model_validate({"action": "reopen"})
    )
    assert not Case.objects.filter(stream="citizen.requests", source_id=c.request.pk).exists()
    # The nightly refresh finds the same (and is idempotent).
    assert refresh("citizen.requests") == 0


def test_a_partner_officer_sees_only_their_partners_cases_and_cannot_filter_past_that(world, token_for):
    _cases(world, 12)
    _cases(world, 5, organisation=world.other_member, start_value=50, first_id=20_000)
    client = Client()
    r = client.get("/api/v1/check/streams/citizen.requests/chart", **_api(token_for(PO)))
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["total"] == 12 and max(p["value"] for p in body["points"]) < 50
    r = client.get(
        f"/api/v1/check/streams/citizen.requests/chart?organisation_id={world.other_member.pk}",
        **_api(token_for(PO)),
    )
    assert r.status_code == 422 and "organisation_id" in r.content.decode()
    # A buyer may not check service requests at all.
    r = client.get("/api/v1/check/streams/citizen.requests/chart", **_api(token_for(Role.MEMBER_BUYER)))
    assert r.status_code == 403


def test_a_study_with_a_recorded_change_has_two_segments_and_says_what_to_expect(world, token_for):
    _cases(world, 30)
    client = Client()
    headers = _api(token_for(PO))
    r = client.post(
        "/api/v1/check/studies",
        {"name": "Bins", "stream": "citizen.requests", "kind": "1"},
        content_type="application/json",
        **headers,
    )
    assert r.status_code == 201, r.content
    study_id = r.json()["id"]
    change = timezone.localtime(timezone.now() - dt.timedelta(days=15)).date()
    r = client.post(
        f"/api/v1/check/studies/{study_id}/splits",
        {"on": change.isoformat(), "reason": "New crew rota"},
        content_type="application/json",
        **headers,
    )
    assert r.status_code == 201
    again = client.post(
        f"/api/v1/check/studies/{study_id}/splits",
        {"on": change.isoformat(), "reason": "Twice"},
        content_type="application/json",
        **headers,
    )
    assert again.status_code == 409
    chart = client.get(f"/api/v1/check/studies/{study_id}/chart", **headers).json()
    assert len(chart["segments"]) == 2
    assert chart["segments"][1]["reason"] == "New crew rota"
    assert chart["segments"][1]["starts_on"] >= change.isoformat()
    assert chart["predictability"].startswith("A service request takes between ")
    for seg in chart["segments"]:
        assert seg["lnpl_shown"] == max(seg["lnpl"], 0)
    # Another organisation's people never see it.
    other = client.get(f"/api/v1/check/studies/{study_id}", **_api(token_for(Role.CONSORTIUM_ADMIN)))
    assert other.status_code == 404


def test_signals_are_put_into_words(world, signed_in):
    _cases(world, 20, start_value=5)
    Case.objects.filter(reference="SR-19").update(value=90)
    client = signed_in(PO)
    r = client.get("/check/streams/citizen.requests/")
    assert r.status_code == 200
    html = r.content.decode()
    assert "SR-19: 90 working days, above the upper limit of" in html
    assert 'role="img"' in html and '<title id="capability-chart-title">' in html


def test_demand_analysis_counts_value_and_failure_by_type(world, token_for):
    c = citizen_world(world)
    RequestUpdate.objects.bulk_create(
        [
            RequestUpdate(request=c.request, kind=UpdateKind.CITIZEN, demand=Demand.FAILURE, failure_type=t)
            for t in [FailureType.CHASING] * 3 + [FailureType.NOT_DONE]
        ]
    )
    r = Client().get("/api/v1/check/streams/citizen.requests/demand", **_api(token_for(PO)))
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["failure"] == 4 and body["contacts"] == body["value"] + 4
    assert [t["failure_type"] for t in body["by_type"]] == ["chasing", "not_done"]
    assert body["by_type"][0]["cumulative_percent"] == 75.0
    assert body["by_type"][1]["cumulative_percent"] == 100.0


def test_exports_are_files_of_their_type(world, signed_in):
    _cases(world, 15)
    client = signed_in(PO)
    study = Study.objects.create(
        organisation=world.member, created_by=world.people[PO], name="Bins", stream="citizen.requests"
    )
    svg = client.get(f"/check/studies/{study.pk}/export.svg")
    assert svg["Content-Type"] == "image/svg+xml" and svg.content.startswith(b"<svg")
    png = client.get(f"/check/studies/{study.pk}/export.png")
    assert png["Content-Type"] == "image/png" and png.content.startswith(b"\x89PNG")
    xlsx = client.get(f"/check/studies/{study.pk}/export.xlsx")
    wb = load_workbook(io.BytesIO(xlsx.content))
    assert wb.sheetnames[:4] == ["Values", "Segments", "Signals", "About"]
    assert wb["Values"].max_row == 16
    assert isinstance(wb["Values"]["B2"].value, dt.datetime)  # a real date


def test_the_study_page_keeps_what_was_typed_when_a_change_is_refused(world, signed_in):
    client = signed_in(PO)
    study = Study.objects.create(
        organisation=world.member, created_by=world.people[PO], name="Bins", stream="citizen.requests"
    )
    r = client.post(
        f"/check/studies/{study.pk}/", {"action": "split", "on": "31/2/2026", "reason": "New rota"}
    )
    assert r.status_code == 400
    html = r.content.decode()
    assert 'href="#on"' in html and 'value="New rota"' in html and 'value="31/2/2026"' in html
    assert not study.splits.exists()
    r = client.post(
        f"/check/studies/{study.pk}/", {"action": "split", "on": "3/3/2026", "reason": "New rota"}
    )
    assert r.status_code == 302
    assert study.splits.get().on == dt.date(2026, 3, 3)


def test_a_new_study_from_the_stream_page_keeps_its_settings(world, signed_in):
    client = signed_in(PO)
    r = client.post(
        "/check/studies/new/",
        {"stream": "citizen.requests", "name": "", "granularity": "week", "measure": "count"},
    )
    assert r.status_code == 400 and 'href="#name"' in r.content.decode()
    assert not Study.objects.exists()
    r = client.post(
        "/check/studies/new/",
        {"stream": "citizen.requests", "name": "Weekly", "granularity": "week", "measure": "count"},
    )
    assert r.status_code == 302
    study = Study.objects.get()
    assert (study.granularity, study.measure, study.organisation_id) == ("week", "count", world.member.pk)


def test_weekly_counts_include_weeks_with_nothing_finished(world, token_for):
    _cases(world, 3)
    Case.objects.filter(reference="SR-0").update(
        ended_on=timezone.localdate() - dt.timedelta(days=40),
        week=timezone.localdate() - dt.timedelta(days=40),
    )
    r = Client().get(
        "/api/v1/check/streams/citizen.requests/chart?granularity=day&measure=count", **_api(token_for(PO))
    )
    body = r.json()
    assert r.status_code == 200 and len(body["points"]) > 30
    assert sum(p["value"] for p in body["points"]) == 3
    assert json.dumps(body)  # plain JSON throughout


def test_a_target_is_judged_by_the_limits_and_the_latest_signal_by_its_side(world, token_for):
    _cases(world, 30)  # 5, 6, 7, 5, 6, 7 …: average 6, limits about 2.5 to 9.5
    headers = _api(token_for(PO))
    url = "/api/v1/check/streams/citizen.requests/chart"
    met = Client().get(f"{url}?target=10", **headers).json()
    assert met["assurance"].startswith("The process will consistently meet the target of 10 working days")
    assert met["variation"].startswith("Common cause variation only")
    hit_and_miss = Client().get(f"{url}?target=6", **headers).json()
    assert "hit and miss" in hit_and_miss["assurance"]
    missed = Client().get(f"{url}?target=1", **headers).json()
    assert "consistently miss" in missed["assurance"]
    Case.objects.filter(reference="SR-29").update(value=40)
    concern = Client().get(url, **headers).json()
    assert concern["variation"].startswith("Special cause variation — concern")
    assert Client().get(f"{url}?target=-1", **headers).status_code == 422


def test_a_failure_in_the_check_never_stops_the_systems_own_work(world, monkeypatch):
    from consortium.check import cases

    def broken(*args, **kwargs):
        raise RuntimeError("the check is broken")

    monkeypatch.setattr(cases, "refresh", broken)
    c = citizen_world(world)
    citizen_services.request_update(
        actor=world.actor(PO), request=c.request, data=UpdateIn.model_validate({"action": "fix"})
    )
    c.request.refresh_from_db()
    assert c.request.closed_at is not None
