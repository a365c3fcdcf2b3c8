"""Service levels per partner × service: working days in the handling partner's nation,
targets in working hours within its working day, the clock stopping while waiting for the
citizen, figures fixed at closing, and the pages and API that set them."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from consortium.citizen import clock, selectors, services
from consortium.citizen.constants import RequestStatus
from consortium.citizen.models import ServiceLevel
from consortium.citizen.schemas import ServiceLevelIn, UpdateIn
from consortium.citizen.tests.factories import citizen_world, report
from consortium.core.dates import LONDON, add_working_days, add_working_time, working_time_between
from consortium.core.errors import PermissionDenied, ValidationFailed
from consortium.organisations.constants import Role

pytestmark = pytest.mark.django_db
S = RequestStatus


def at(y: int, m: int, d: int, hh: int = 9, mm: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=LONDON)


# --- the calendar ---------------------------------------------------------------------------


def test_working_days_skip_the_bank_holidays_of_the_partners_nation():
    # St Andrew's Day (Mon 30 Nov 2026) is a bank holiday in Scotland only; St Patrick's Day
    # (Wed 17 Mar 2027) in Northern Ireland only.
    assert add_working_days(dt.date(2026, 11, 27), 1, "ENG") == dt.date(2026, 11, 30)
    assert add_working_days(dt.date(2026, 11, 27), 1, "SCT") == dt.date(2026, 12, 1)
    assert add_working_days(dt.date(2027, 3, 16), 1, "NIR") == dt.date(2027, 3, 18)
    assert add_working_days(dt.date(2027, 3, 16), 1, "WLS") == dt.date(2027, 3, 17)


def test_working_hours_count_only_the_working_day_on_working_days():
    # Friday 18 Dec 2026 15:00 + 4 working hours: 2 on Friday, 2 on Monday 21st.
    assert add_working_time(at(2026, 12, 18, 15), dt.timedelta(hours=4)) == at(2026, 12, 21, 11)
    # Thursday 24 Dec 16:00 + 2 hours: Christmas, Boxing Day (substitute Monday 28th) skipped.
    assert add_working_time(at(2026, 12, 24, 16), dt.timedelta(hours=2)) == at(2026, 12, 29, 10)
    # Before the day starts counts from its start; an evening report from the next morning.
    assert add_working_time(at(2026, 12, 1, 6), dt.timedelta(hours=1)) == at(2026, 12, 1, 10)
    assert add_working_time(at(2026, 12, 1, 20), dt.timedelta(hours=1)) == at(2026, 12, 2, 10)
    # Its own working day: 08:30 to 17:00.
    assert add_working_time(
        at(2026, 12, 1, 16, 30), dt.timedelta(hours=1), starts=dt.time(8, 30), ends=dt.time(17)
    ) == at(2026, 12, 2, 9)
    # Across the clocks going back (Sun 25 Oct 2026): still an exact working hour.
    assert add_working_time(at(2026, 10, 23, 16, 30), dt.timedelta(hours=1)) == at(2026, 10, 26, 9, 30)
    assert working_time_between(at(2026, 12, 18, 15), at(2026, 12, 21, 11)) == dt.timedelta(hours=4)
    assert working_time_between(at(2026, 12, 21, 11), at(2026, 12, 18, 15)) == dt.timedelta(0)


def test_the_clock_fixes_figures_at_closing():
    level = clock.Level(working_days=0, working_hours=4)
    due = clock.due(at(2026, 12, 18, 15), level)
    assert due == clock.Due(on=dt.date(2026, 12, 21), at=at(2026, 12, 21, 11))
    assert clock.closing(at(2026, 12, 18, 15), at(2026, 12, 21, 10, 59), due, "ENG") == (1, True)
    assert clock.closing(at(2026, 12, 18, 15), at(2026, 12, 21, 11, 1), due, "ENG") == (1, False)
    assert clock.is_overdue(due, at(2026, 12, 21, 11, 1)) and not clock.is_overdue(due, at(2026, 12, 21, 11))
    stood = clock.resumed(due, at(2026, 12, 21, 9), at(2026, 12, 21, 10), level)
    assert stood.at == at(2026, 12, 21, 12)


# --- a partner's service level in use ---------------------------------------------------------


def _level(world, **target):  # type: ignore[no-untyped-def]
    c = citizen_world(world)
    officer = world.actor(Role.PARTNER_OFFICER)
    services.service_level_save(
        actor=officer,
        service=c.service,
        data=ServiceLevelIn.model_validate({"service_id": c.service.pk, **target}),
    )
    return c, officer


def _confirm_at(monkeypatch, service, moment, email="someone@example.org"):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(services, "now", lambda: moment)
    _, secret = services.request_submit(data=report(service, email=email))
    return services.request_confirm(secret=secret)


def test_a_target_in_hours_is_due_at_an_hour_and_overdue_after_it(world, monkeypatch):
    c, officer = _level(world, target_working_hours=4)
    request = _confirm_at(monkeypatch, c.service, at(2026, 12, 18, 15))
    assert (request.due_on, request.due_at) == (dt.date(2026, 12, 21), at(2026, 12, 21, 11))
    monkeypatch.setattr(selectors, "today_in_london", lambda: dt.date(2026, 12, 21))
    monkeypatch.setattr(selectors, "now", lambda: at(2026, 12, 21, 10))
    overdue = selectors.queue_for(officer, selectors.QueueFilters(due="overdue", status=""))
    assert request not in overdue
    monkeypatch.setattr(selectors, "now", lambda: at(2026, 12, 21, 11, 30))
    overdue = selectors.queue_for(officer, selectors.QueueFilters(due="overdue", status=""))
    assert request in overdue
    # Closed late: the figures say so, fixed at closing, and cleared if it reopens.
    monkeypatch.setattr(services, "now", lambda: at(2026, 12, 21, 11, 30))
    services.request_update(actor=officer, request=request, data=UpdateIn.model_validate({"action": "fix"}))
    request.refresh_from_db()
    assert (request.days_taken, request.met_target) == (1, False)
    services.request_update(
        actor=officer, request=request, data=UpdateIn.model_validate({"action": "reopen"})
    )
    request.refresh_from_db()
    assert (request.closed_at, request.days_taken, request.met_target) == (None, None, None)


def test_waiting_for_the_citizen_moves_an_hour_target_on_by_the_working_time_paused(world, monkeypatch):
    c, officer = _level(world, target_working_hours=4)
    request = _confirm_at(monkeypatch, c.service, at(2026, 12, 18, 15))
    monkeypatch.setattr(services, "now", lambda: at(2026, 12, 18, 16))
    services.request_update(
        actor=officer, request=request, data=UpdateIn.model_validate({"action": "ask_citizen"})
    )
    monkeypatch.setattr(services, "now", lambda: at(2026, 12, 21, 10))  # 2 working hours later
    services.citizen_add(request=request, text="Here is the photo")
    request.refresh_from_db()
    assert request.status == S.OPEN and request.due_at == at(2026, 12, 21, 13)


def test_a_partner_in_scotland_keeps_scottish_bank_holidays(world, monkeypatch):
    c = citizen_world(world)
    world.member.nation = "SCT"
    world.member.save()
    request = _confirm_at(monkeypatch, c.service, at(2026, 11, 27, 10))  # Friday before St Andrew's
    service_days = c.service.target_working_days
    assert request.due_on == add_working_days(dt.date(2026, 11, 27), service_days, "SCT")
    # One working day later than in England: St Andrew's Day is not worked.
    assert request.due_on == add_working_days(add_working_days(dt.date(2026, 11, 27), service_days, "ENG"), 1)


def test_without_a_level_of_its_own_the_services_target_applies(world, monkeypatch):
    c = citizen_world(world)
    request = _confirm_at(monkeypatch, c.service, at(2026, 12, 1, 10))
    assert request.due_at is None
    assert request.due_on == add_working_days(dt.date(2026, 12, 1), c.service.target_working_days)


def test_only_a_partner_that_handles_a_service_sets_a_level_for_it(world):
    c = citizen_world(world)
    with pytest.raises(PermissionDenied):
        services.service_level_save(
            actor=world.actor(Role.CONSORTIUM_ADMIN),
            service=c.service,
            data=ServiceLevelIn.model_validate({"service_id": c.service.pk}),
        )
    with pytest.raises(ValidationFailed) as e:
        services.service_level_save(
            actor=world.actor(Role.PARTNER_OFFICER),
            service=c.service,
            data=ServiceLevelIn.model_validate(
                {
                    "service_id": c.service.pk,
                    "target_working_hours": 2,
                    "day_starts": "17:00",
                    "day_ends": "09:00",
                }
            ),
        )
    assert "day_ends" in e.value.field_errors
    assert not ServiceLevel.objects.exists()


# --- the page and the API -------------------------------------------------------------------


def test_service_levels_page_keeps_input_on_error_and_saves(world, signed_in):
    c = citizen_world(world)
    client = signed_in(Role.PARTNER_OFFICER)
    bad = client.post(
        "/citizen-services/service-levels/",
        {"service_id": c.service.pk, "target_working_days": "lots", "day_starts": "9am", "day_ends": "17:00"},
    )
    assert bad.status_code == 400
    body = bad.content.decode()
    assert "Target in working days" in body and 'value="lots"' in body and 'value="9am"' in body
    assert not ServiceLevel.objects.exists()
    good = client.post(
        "/citizen-services/service-levels/",
        {
            "service_id": c.service.pk,
            "target_working_days": "3",
            "target_working_hours": "6",
            "day_starts": "08:30",
            "day_ends": "16:30",
        },
    )
    assert good.status_code == 302
    level = ServiceLevel.objects.get()
    assert (level.target_working_hours, level.day_starts) == (6, dt.time(8, 30))
    assert (
        "6 working hours (08:30 to 16:30)" in client.get("/citizen-services/service-levels/").content.decode()
    )
    removed = client.post("/citizen-services/service-levels/", {"action": "remove", "level_id": level.pk})
    assert removed.status_code == 302 and not ServiceLevel.objects.exists()


def test_service_levels_api_names_the_field_and_refuses_services_not_handled(world, token_for):
    from django.test import Client

    from consortium.citizen.models import Service

    c = citizen_world(world)
    other = Service.objects.create(partner=world.other_member, code="graffiti", name="Graffiti")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token_for(Role.PARTNER_OFFICER)}")

    def put(body):  # type: ignore[no-untyped-def]
        return client.put("/api/v1/citizen/service-levels", json.dumps(body), content_type="application/json")

    refused = put({"service_id": other.pk})
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "service_id"
    odd = put({"service_id": c.service.pk, "target_working_hours": 0})
    assert odd.status_code == 422 and odd.json()["errors"][0]["field"] == "target_working_hours"
    ok = put({"service_id": c.service.pk, "target_working_hours": 8})
    assert ok.status_code == 200 and ok.json()["target_working_hours"] == 8
    again = put({"service_id": c.service.pk, "target_working_days": 2})  # changes, never duplicates
    assert again.status_code == 200 and ServiceLevel.objects.count() == 1
    listed = client.get("/api/v1/citizen/service-levels").json()
    assert listed["count"] == 1 and listed["items"][0]["target_working_days"] == 2


def test_queue_api_shows_no_personal_data_and_the_detail_is_audited(world, token_for):
    from django.test import Client

    from consortium.audit.models import AuditEvent

    c = citizen_world(world)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token_for(Role.PARTNER_OFFICER)}")
    listed = client.get("/api/v1/citizen/service-requests?status=").json()
    assert listed["count"] >= 1
    assert "email" not in listed["items"][0] and "resident@example.org" not in json.dumps(listed)
    before = AuditEvent.objects.filter(action="service_request.read").count()
    detail = client.get(f"/api/v1/citizen/service-requests/{c.request.pk}").json()
    assert detail["email"] == "resident@example.org" and detail["history"]
    assert AuditEvent.objects.filter(action="service_request.read").count() == before + 1
    step = client.post(
        f"/api/v1/citizen/service-requests/{c.request.pk}/updates",
        json.dumps({"action": "no-such-step"}),
        content_type="application/json",
    )
    assert step.status_code == 409
    figures = client.get("/api/v1/citizen/figures?start=2026-01-01&end=2025-01-01")
    assert figures.status_code == 422 and figures.json()["errors"][0]["field"] == "start"


def test_nation_is_set_on_the_organisation_page_and_api(world, signed_in, token_for):
    from django.test import Client

    client = signed_in(Role.CONSORTIUM_ADMIN)
    page = client.post(f"/organisations/{world.member.pk}/", {"action": "set-nation", "nation": "XX"})
    assert page.status_code == 400 and "Nation" in page.content.decode()
    page = client.post(f"/organisations/{world.member.pk}/", {"action": "set-nation", "nation": "WLS"})
    assert page.status_code == 302
    world.member.refresh_from_db()
    assert world.member.nation == "WLS"
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token_for(Role.CONSORTIUM_ADMIN)}")
    patched = api.patch(
        f"/api/v1/organisations/{world.member.pk}",
        json.dumps({"nation": "NIR"}),
        content_type="application/json",
    )
    assert patched.status_code == 200 and patched.json()["nation"] == "NIR"
    wrong = api.patch(
        f"/api/v1/organisations/{world.member.pk}",
        json.dumps({"nation": "FR"}),
        content_type="application/json",
    )
    assert wrong.status_code == 422


# --- a submission is never lost -------------------------------------------------------------


def test_a_confirmation_that_fails_is_kept_and_finished_by_the_worker(world, monkeypatch, client):
    from django.core import mail

    c = citizen_world(world)
    _, secret = services.request_submit(data=report(c.service, email="kept@example.org"))
    clicked = at(2026, 12, 18, 15)
    monkeypatch.setattr(services, "now", lambda: clicked)

    def broken(request, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("routing is down")

    real_route = services.route
    monkeypatch.setattr(services, "route", broken)
    page = client.get(f"/report/confirm/{secret}/")
    assert page.status_code == 202 and "We have your report" in page.content.decode()
    request = services.ServiceRequest.objects.get(email="kept@example.org")
    assert request.status == S.UNCONFIRMED and request.confirm_requested_at == clicked
    assert request.reference is None
    # The worker's next run, once routing works again: numbered, routed, clock from the click.
    monkeypatch.setattr(services, "route", real_route)
    monkeypatch.setattr(services, "now", lambda: clicked + dt.timedelta(hours=2))
    mail.outbox.clear()
    assert services.confirmations_retry()[0] == 1
    request.refresh_from_db()
    assert request.status == S.OPEN and request.reference and request.confirmed_at == clicked
    assert request.acknowledged_at is not None
    assert [m.to for m in mail.outbox] == [["kept@example.org"]] and request.reference in mail.outbox[
        0
    ].subject
    # Clicking the link again changes nothing.
    assert client.get(f"/report/confirm/{secret}/").status_code == 302
    assert services.confirmations_retry()[0] == 0
    assert len([m for m in mail.outbox if m.to == ["kept@example.org"]]) == 1


def test_an_acknowledgement_that_fails_to_send_is_sent_on_a_later_run(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    from django.core import mail

    c = citizen_world(world)
    _, secret = services.request_submit(data=report(c.service, email="later@example.org"))

    def no_mail(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise OSError("mail server unreachable")

    monkeypatch.setattr(services, "send_mail", no_mail)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        request = services.request_confirm(secret=secret)
    assert callbacks  # the acknowledgement was queued, and failed
    request.refresh_from_db()
    assert request.status == S.OPEN and request.acknowledged_at is None
    monkeypatch.undo()
    mail.outbox.clear()
    services.confirmations_retry()  # within the grace period: not yet
    assert not [m for m in mail.outbox if m.to == ["later@example.org"]]
    confirmed = request.confirmed_at
    assert confirmed is not None
    monkeypatch.setattr(services, "now", lambda: confirmed + dt.timedelta(minutes=11))
    services.confirmations_retry()
    services.confirmations_retry()  # and once only
    assert len([m for m in mail.outbox if m.to == ["later@example.org"]]) == 1
    request.refresh_from_db()
    assert request.acknowledged_at is not None


def test_the_partnership_opens_a_triage_request_through_the_api_without_the_citizen(world, token_for):
    from django.test import Client

    from consortium.citizen.models import ServiceRequest

    c = citizen_world(world)
    _, secret = services.request_submit(
        data=report(c.service, email="nowhere@example.org", postcode="DE14 2EB")
    )
    triaged = services.request_confirm(secret=secret)
    assert ServiceRequest.objects.get(pk=triaged.pk).handled_by_id is None
    admin = Client(HTTP_AUTHORIZATION=f"Bearer {token_for(Role.CONSORTIUM_ADMIN)}")
    seen = admin.get(f"/api/v1/citizen/service-requests/{triaged.pk}")
    assert seen.status_code == 200
    assert seen.json()["email"] is None and "nowhere@example.org" not in seen.content.decode()
    officer = Client(HTTP_AUTHORIZATION=f"Bearer {token_for(Role.PARTNER_OFFICER)}")
    assert officer.get(f"/api/v1/citizen/service-requests/{triaged.pk}").status_code == 404
