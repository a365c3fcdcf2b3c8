"""Shared citizen services: intake confirmed by e-mail, routing by agreement, the partner's
work, the citizen's additions (failure demand), service levels, and who sees what."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core import mail
from django.db import connection
from django.test import Client

from consortium.audit.models import AuditEvent
from consortium.citizen import selectors, services
from consortium.citizen.areas import AreaShape, boundary_geometry, outward_and_sector, place
from consortium.citizen.constants import Demand, FailureType, RequestStatus, UpdateKind
from consortium.citizen.models import RequestUpdate, ServiceRequest
from consortium.citizen.schemas import UpdateIn
from consortium.citizen.tests.factories import citizen_world, report
from consortium.core.dates import add_working_days, today_in_london
from consortium.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from consortium.organisations.constants import Role

pytestmark = pytest.mark.django_db
S = RequestStatus

SQUARE = {
    "type": "Polygon",
    "coordinates": [[[-2.1, 52.6], [-1.9, 52.6], [-1.9, 52.8], [-2.1, 52.8], [-2.1, 52.6]]],
}


# --- placing and routing ----------------------------------------------------------------------


def test_postcodes_are_placed_by_the_longest_matching_district_or_sector():
    areas = [AreaShape(1, ("WS11",), None), AreaShape(2, ("WS11 5",), None), AreaShape(3, ("ST16",), None)]
    assert outward_and_sector("ws111bg") == ("WS11", "WS11 1")
    assert place(areas, postcode="WS11 1BG").area_id == 1
    assert place(areas, postcode="ws11 5dh").area_id == 2  # the sector beats the district
    assert place(areas, postcode="DE14 2EB").area_id is None
    assert place(areas, postcode="not a postcode").area_id is None


def test_points_are_placed_in_polygons_and_near_an_edge_is_flagged():
    areas = [AreaShape(7, (), boundary_geometry(json.dumps(SQUARE)))]
    inside = place(areas, lat=52.7, long=-2.0)
    assert inside.area_id == 7 and not inside.near_boundary
    edge = place(areas, lat=52.7, long=-1.9001)
    assert edge.area_id == 7 and edge.near_boundary
    assert place(areas, lat=53.5, long=-2.0).area_id is None


@pytest.mark.parametrize(
    "boundary, message",
    [
        ('{"type": "Point", "coordinates": [0, 0]}', "Polygon or MultiPolygon"),
        ("not json", "not valid GeoJSON"),
        (
            {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]},
            "crosses itself",
        ),
        ({"type": "Polygon", "coordinates": [[[400000, 300000], [1, 1], [1, 0], [400000, 300000]]]}, "WGS84"),
    ],
)
def test_a_bad_boundary_is_refused_with_what_is_wrong(boundary, message):
    with pytest.raises(ValueError, match=message):
        boundary_geometry(boundary)


def test_a_district_handles_a_county_service_in_its_area_by_agreement(world):
    c = citizen_world(world)
    admin = world.actor(Role.CONSORTIUM_ADMIN)
    # The county (other_member here) handles the service everywhere else.
    services.routing_rule_add(
        actor=admin,
        service=c.service,
        area=None,
        handled_by=world.other_member,
        valid_from=dt.date(2020, 1, 1),
    )
    inside, secret = services.request_submit(data=report(c.service))
    inside = services.request_confirm(secret=secret)
    assert inside.handled_by == world.member and inside.area == c.area
    outside, secret = services.request_submit(data=report(c.service, postcode="ST16 3AQ"))
    outside = services.request_confirm(secret=secret)
    assert outside.handled_by == world.other_member
    routing = outside.updates.get(kind=UpdateKind.ROUTING)
    assert world.other_member.name in routing.text


def test_with_no_agreement_a_request_waits_in_triage_never_nowhere(world):
    c = citizen_world(world)
    lost, secret = services.request_submit(data=report(c.service, postcode="DE14 2EB"))
    lost = services.request_confirm(secret=secret)
    assert lost.handled_by is None and lost.status == S.OPEN and lost.reference
    admin = world.actor(Role.CONSORTIUM_ADMIN)
    assert lost in selectors.queue_for(admin, selectors.QueueFilters(status="triage"))
    services.request_reroute(actor=admin, request=lost, partner=world.other_member, reason="Their area")
    lost.refresh_from_db()
    assert lost.handled_by == world.other_member and lost.reference.startswith("SR-")


def test_an_expired_agreement_no_longer_routes(world):
    c = citizen_world(world)
    rule = c.service.routing_rules.get()
    rule.valid_to = today_in_london() - dt.timedelta(days=1)
    rule.save()
    _request, secret = services.request_submit(data=report(c.service))
    assert services.request_confirm(secret=secret).handled_by is None


# --- intake -----------------------------------------------------------------------------


def test_nothing_is_routed_until_the_citizen_confirms_and_confirming_twice_is_once(
    world, django_capture_on_commit_callbacks
):
    c = citizen_world(world)
    with django_capture_on_commit_callbacks(execute=True):
        request, secret = services.request_submit(data=report(c.service, email="someone@example.org"))
    assert request.status == S.UNCONFIRMED and request.reference is None and request.handled_by is None
    assert len(mail.outbox) == 1 and f"/report/confirm/{secret}/" in mail.outbox[0].body
    officer = world.actor(Role.PARTNER_OFFICER)
    assert request not in selectors.queue_for(officer, selectors.QueueFilters(status=""))
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = services.request_confirm(secret=secret)
        again = services.request_confirm(secret=secret)
    assert confirmed.pk == again.pk and confirmed.reference == again.reference
    assert confirmed.reference.startswith(f"SR-{today_in_london().year}-")
    assert confirmed.due_on == add_working_days(today_in_london(), c.service.target_working_days)
    assert len(mail.outbox) == 2 and confirmed.reference in mail.outbox[1].body
    assert "/report/track/" in mail.outbox[1].body
    with pytest.raises(NotFound):
        services.request_confirm(secret="guessed")


def test_every_problem_with_a_report_is_named_at_once_and_nothing_is_stored(world):
    c = citizen_world(world)
    before = ServiceRequest.objects.count()
    with pytest.raises(ValidationFailed) as e:
        services.request_submit(
            data=report(
                c.service, email="not-an-email", postcode="NOWHERE", attributes={"bin-type": "sofa", "x": "1"}
            )
        )
    assert set(e.value.field_errors) == {"email", "postcode", "attribute[bin-type]", "attribute[x]"}
    with pytest.raises(ValidationFailed) as e:
        services.request_submit(data=report(c.service, postcode="", attributes={}))
    assert set(e.value.field_errors) == {"postcode", "attribute[bin-type]"}
    assert ServiceRequest.objects.count() == before


def test_a_private_or_unknown_service_cannot_be_reported(world):
    c = citizen_world(world)
    c.service.is_public = False
    c.service.save()
    with pytest.raises(ValidationFailed):
        services.request_submit(data=report(c.service))


# --- the partner's work --------------------------------------------------------------------


def test_the_handling_partner_works_the_request_through_the_workflow_table(
    world, django_capture_on_commit_callbacks
):
    c = citizen_world(world)
    officer = world.actor(Role.PARTNER_OFFICER)
    assert ("fix", "Fixed") in services.request_actions_for(officer, c.request)
    with django_capture_on_commit_callbacks(execute=True):
        services.request_update(
            actor=officer,
            request=c.request,
            data=UpdateIn.model_validate(
                dict(action="fix", public_update="Emptied this morning", internal_note="Crew B")
            ),
        )
    c.request.refresh_from_db()
    assert c.request.status == S.FIXED and c.request.closed_at is not None
    public = [u for u in selectors.public_updates(c.request) if u.kind == UpdateKind.PUBLIC]
    assert public and public[0].text == "Emptied this morning"
    assert not any(u.text == "Crew B" for u in selectors.public_updates(c.request))
    assert mail.outbox and "Emptied this morning" in mail.outbox[-1].body
    with pytest.raises(Conflict):
        services.request_update(
            actor=officer, request=c.request, data=UpdateIn.model_validate(dict(action="fix"))
        )
    with pytest.raises(ValidationFailed):
        services.request_update(actor=officer, request=c.request, data=UpdateIn.model_validate(dict()))


def test_other_partners_and_other_roles_cannot_see_or_touch_a_request(world):
    c = citizen_world(world)
    for role in (Role.MEMBER_BUYER, Role.SUPPLIER_USER, Role.CATEGORY_MANAGER):
        with pytest.raises(PermissionDenied):
            selectors.request_get_for(world.actor(role), c.request.pk)
    c.request.handled_by = world.other_member
    c.request.save()
    officer = world.actor(Role.PARTNER_OFFICER)
    with pytest.raises(NotFound):
        selectors.request_get_for(officer, c.request.pk)
    with pytest.raises(PermissionDenied):
        services.request_update(
            actor=officer, request=c.request, data=UpdateIn.model_validate(dict(public_update="Mine now"))
        )


def test_every_read_of_a_citizens_details_is_audited_and_the_trail_holds_no_personal_data(world):
    c = citizen_world(world)
    selectors.request_get_for(world.actor(Role.PARTNER_OFFICER), c.request.pk)
    read = AuditEvent.objects.filter(action="service_request.read").latest("pk")
    assert read.changes == {"reference": c.request.reference}
    for event in AuditEvent.objects.filter(action__startswith="service_request"):
        assert "resident@example.org" not in json.dumps(event.changes)


def test_a_citizens_chaser_is_failure_demand_and_not_done_reopens_it(world):
    c = citizen_world(world)
    officer = world.actor(Role.PARTNER_OFFICER)
    chaser = services.citizen_add(request=c.request, text="Any news?")
    assert chaser.demand == Demand.FAILURE and chaser.failure_type == FailureType.CHASING
    services.contact_reclassify(actor=officer, update=chaser, demand=Demand.VALUE, failure_type=None)
    chaser.refresh_from_db()
    assert chaser.demand == Demand.VALUE
    services.request_update(
        actor=officer, request=c.request, data=UpdateIn.model_validate(dict(action="fix"))
    )
    services.citizen_add(request=c.request, text="Still not emptied")
    c.request.refresh_from_db()
    assert c.request.status == S.OPEN and c.request.closed_at is None
    assert RequestUpdate.objects.filter(request=c.request, failure_type=FailureType.NOT_DONE).exists()


def test_overdue_requests_are_escalated_to_the_partner_once(world, django_capture_on_commit_callbacks):
    c = citizen_world(world)
    ServiceRequest.objects.filter(pk=c.request.pk).update(due_on=today_in_london() - dt.timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.overdue_escalate() == 1
        assert services.overdue_escalate() == 0
    assert any(c.request.reference in m.body for m in mail.outbox)


def test_figures_count_service_levels_and_failure_demand(world):
    c = citizen_world(world)
    officer = world.actor(Role.PARTNER_OFFICER)
    services.citizen_add(request=c.request, text="Any news?")
    services.request_update(
        actor=officer, request=c.request, data=UpdateIn.model_validate(dict(action="fix"))
    )
    today = today_in_london()
    rows = selectors.service_figures(officer, start=today - dt.timedelta(days=1), end=today)
    row = next(r for r in rows if r.service == c.service.name)
    assert (row.received, row.closed, row.within_target) == (1, 1, 1)
    assert row.median_days == 0 and row.contacts == 2 and row.failure_share == 50.0


# --- pages ------------------------------------------------------------------------------------


def test_a_citizen_reports_confirms_tracks_and_adds_on_the_pages(world, django_capture_on_commit_callbacks):
    c = citizen_world(world)
    client = Client()
    page = client.get(f"/report/{c.service.code}/")
    assert "Which bin was missed?" in page.content.decode()
    bad = client.post(f"/report/{c.service.code}/", {"description": "", "email": "x", "postcode": "WS11 1BG"})
    body = bad.content.decode()
    assert bad.status_code == 400 and 'href="#description"' in body and 'href="#attribute[bin-type]"' in body
    assert 'value="WS11 1BG"' in body
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(
            f"/report/{c.service.code}/",
            {
                "description": "Bin left out",
                "email": "me@example.org",
                "postcode": "ws11 1bg",
                "attribute[bin-type]": "recycling",
            },
        )
    assert sent.status_code == 302 and sent["Location"] == "/report/check-your-email/"
    link = next(line for line in mail.outbox[-1].body.splitlines() if "/report/confirm/" in line)
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = client.get(
            link.split("testserver")[-1] if "testserver" in link else "/" + link.split("/", 3)[3]
        )
    assert confirmed.status_code == 302 and "/report/track/" in confirmed["Location"]
    track = client.get(confirmed["Location"])
    reference = ServiceRequest.objects.latest("pk").reference
    assert reference and reference in track.content.decode() and "me@example.org" not in confirmed["Location"]
    added = client.post(confirmed["Location"].split("?")[0], {"text": "It is by the gate"})
    assert added.status_code == 302
    assert RequestUpdate.objects.filter(text="It is by the gate", demand=Demand.FAILURE).exists()


def test_the_partner_officer_defines_a_service_with_questions_on_a_page(world):
    client = Client()
    client.force_login(world.people[Role.PARTNER_OFFICER])
    bad = client.post(
        "/citizen-services/new/",
        {
            "name": "Graffiti",
            "code": "Graffiti!",
            "question_2": "Is it offensive?",
            "datatype_2": "singlevaluelist",
        },
    )
    body = bad.content.decode()
    assert bad.status_code == 400 and 'href="#code"' in body
    assert "Question 2: Enter question code" in body or "Question 2:" in body
    good = client.post(
        "/citizen-services/new/",
        {
            "name": "Graffiti",
            "code": "graffiti",
            "target_working_days": "5",
            "is_public": "yes",
            "question_1": "Is it offensive?",
            "code_1": "offensive",
            "datatype_1": "singlevaluelist",
            "values_1": "yes=Yes\nno=No",
            "required_1": "yes",
        },
    )
    assert good.status_code == 302
    service = selectors.public_service("graffiti")
    question = service.questions.get()
    assert question.required and question.values == [
        {"key": "yes", "name": "Yes"},
        {"key": "no", "name": "No"},
    ]


def test_waiting_for_the_citizen_stops_the_clock(world, monkeypatch):
    c = citizen_world(world)
    officer = world.actor(Role.PARTNER_OFFICER)
    due = c.request.due_on
    services.request_update(
        actor=officer, request=c.request, data=UpdateIn.model_validate({"action": "ask_citizen"})
    )
    c.request.refresh_from_db()
    assert c.request.paused_at is not None
    # Three working days later the citizen answers: the due date moves on by three.
    start = c.request.paused_at.astimezone(services.LONDON).date()
    later = add_working_days(start, 3)
    moment = c.request.paused_at.astimezone(services.LONDON).replace(
        year=later.year, month=later.month, day=later.day
    )
    monkeypatch.setattr(services, "now", lambda: moment)
    services.citizen_add(request=c.request, text="Here is the photo you asked for")
    c.request.refresh_from_db()
    assert c.request.status == S.OPEN and c.request.paused_at is None
    assert c.request.due_on == add_working_days(due, 3)


def test_the_partnership_adds_an_area_by_boundary_and_an_agreement_on_the_routing_page(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    c = citizen_world(world)
    client = Client()
    client.force_login(world.people[Role.CONSORTIUM_ADMIN])
    bad = client.post(
        "/citizen-services/routing/",
        {
            "form": "area",
            "name": "Chase",
            "code": "chase",
            "defined_by_id": str(world.member.pk),
            "boundary": SimpleUploadedFile("chase.geojson", b'{"type": "Point", "coordinates": [0, 0]}'),
        },
    )
    assert bad.status_code == 400 and 'href="#boundary"' in bad.content.decode()
    good = client.post(
        "/citizen-services/routing/",
        {
            "form": "area",
            "name": "Chase",
            "code": "chase",
            "defined_by_id": str(world.member.pk),
            "boundary": SimpleUploadedFile("chase.geojson", json.dumps(SQUARE).encode()),
        },
    )
    assert good.status_code == 302
    rule = client.post(
        "/citizen-services/routing/",
        {
            "form": "rule",
            "service_id": str(c.service.pk),
            "area_id": "",
            "handled_by_id": str(world.other_member.pk),
            "valid_from-day": "1",
            "valid_from-month": "1",
            "valid_from-year": "2021",
        },
    )
    assert rule.status_code == 302
    _request, secret = services.request_submit(data=report(c.service, postcode="", lat=52.7, long=-2.0))
    routed = services.request_confirm(secret=secret)
    assert routed.area and routed.area.code == "chase" and routed.handled_by == world.other_member


def test_a_duplicate_is_merged_and_its_citizen_hears_when_the_original_is_done(
    world, django_capture_on_commit_callbacks
):
    c = citizen_world(world)
    officer = world.actor(Role.PARTNER_OFFICER)
    _r, secret = services.request_submit(data=report(c.service, email="second@example.org"))
    duplicate = services.request_confirm(secret=secret)
    with pytest.raises(ValidationFailed):
        services.request_merge(actor=officer, request=duplicate, into=duplicate)
    services.request_merge(actor=officer, request=duplicate, into=c.request)
    duplicate.refresh_from_db()
    assert duplicate.status == S.DUPLICATE and duplicate.merged_into == c.request
    with django_capture_on_commit_callbacks(execute=True):
        services.request_update(
            actor=officer, request=c.request, data=UpdateIn.model_validate({"action": "fix"})
        )
    assert any(m.to == ["second@example.org"] and c.request.reference in m.body for m in mail.outbox)


def test_the_citizen_is_asked_a_few_working_days_later_whether_it_was_done(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    c = citizen_world(world)
    officer = world.actor(Role.PARTNER_OFFICER)
    services.request_update(actor=officer, request=c.request, data=UpdateIn.model_validate({"action": "fix"}))
    assert services.questionnaires_send() == 0  # too soon
    later = add_working_days(today_in_london(), services.QUESTIONNAIRE_AFTER_WORKING_DAYS)
    monkeypatch.setattr(services, "today_in_london", lambda: later)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.questionnaires_send() == 1
        assert services.questionnaires_send() == 0
    assert "Was it done?" in mail.outbox[-1].subject


def test_figures_page_has_a_chart_and_downloads_as_a_safe_workbook(world):
    import io

    from openpyxl import load_workbook

    c = citizen_world(world)
    services.citizen_add(request=c.request, text='=HYPERLINK("http://evil")')
    client = Client()
    client.force_login(world.people[Role.PARTNER_OFFICER])
    page = client.get("/service-requests/figures/")
    assert page.status_code == 200 and "<svg" in page.content.decode()
    download = client.get("/service-requests/figures/?format=xlsx")
    ws = load_workbook(io.BytesIO(download.content)).active
    assert ws["A2"].value == "Partner" and ws["B3"].value == c.service.name
    assert ws.cell(ws.max_row, 1).value == "Total"


def _jpeg_with_location() -> bytes:
    import io

    from PIL import Image

    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "Phone maker"  # Make
    exif[0x8825] = {1: "N", 2: (52.0, 41.0, 0.0), 3: "W", 4: (2.0, 1.0, 0.0)}  # GPS
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def test_photos_are_checked_and_re_encoded_without_location(world):
    import io

    from PIL import Image

    c = citizen_world(world)
    original = _jpeg_with_location()
    assert Image.open(io.BytesIO(original)).getexif()
    request, _secret = services.request_submit(data=report(c.service), photos=[original])
    stored = bytes(request.photos.get().content)
    assert stored != original and not Image.open(io.BytesIO(stored)).getexif()
    with pytest.raises(ValidationFailed) as e:
        services.request_submit(data=report(c.service), photos=[b"%PDF-1.4 not an image"])
    assert e.value.field_errors == {"photos": "Photo 1 must be a JPG, PNG, WebP or GIF image"}
    with pytest.raises(ValidationFailed) as e:
        services.request_submit(data=report(c.service), photos=[original] * 4)
    assert "up to 3" in e.value.field_errors["photos"]
    officer = Client()
    officer.force_login(world.people[Role.PARTNER_OFFICER])
    confirmed_request = c.request
    confirmed_request.photos.create(content=stored, width=64, height=48)
    photo = confirmed_request.photos.get()
    response = officer.get(f"/service-requests/{confirmed_request.pk}/photos/{photo.pk}/")
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert Client().get(f"/service-requests/{confirmed_request.pk}/photos/{photo.pk}/").status_code == 302


def test_the_map_appears_only_with_a_tile_server_and_its_tiles_are_allowed(world, settings):
    c = citizen_world(world)
    plain = Client().get(f"/report/{c.service.code}/")
    assert 'id="report-map"' not in plain.content.decode()
    assert "tiles.example.org" not in plain["Content-Security-Policy"]
    settings.MAP_TILE_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
    page = Client().get(f"/report/{c.service.code}/")
    assert 'id="report-map"' in page.content.decode() and "leaflet.js" in page.content.decode()
    assert "img-src 'self' data: https://tiles.example.org" in page["Content-Security-Policy"]
    # A place chosen on the map is a location by itself.
    request, _secret = services.request_submit(data=report(c.service, postcode="", lat=52.69, long=-2.03))
    assert request.lat is not None and request.postcode == ""


def test_the_partnership_opens_only_triage_and_never_sees_a_partners_citizens(world):
    c = citizen_world(world)
    admin = world.actor(Role.CONSORTIUM_ADMIN)
    with pytest.raises(NotFound):
        selectors.request_get_for(admin, c.request.pk)
    _r, secret = services.request_submit(
        data=report(c.service, postcode="DE14 2EB", email="triage@example.org")
    )
    triage = services.request_confirm(secret=secret)
    client = Client()
    client.force_login(world.people[Role.CONSORTIUM_ADMIN])
    page = client.get(f"/service-requests/{triage.pk}/").content.decode()
    assert triage.reference and triage.reference in page and "triage@example.org" not in page


@pytest.mark.skipif(connection.vendor != "postgresql", reason="percentile_cont is PostgreSQL's")
def test_figures_in_sql_match_figures_in_python(world):
    c = citizen_world(world)
    officer = world.actor(Role.PARTNER_OFFICER)
    for n in range(6):
        _r, secret = services.request_submit(data=report(c.service, email=f"p{n}@example.org"))
        r = services.request_confirm(secret=secret)
        if n % 2:
            services.request_update(actor=officer, request=r, data=UpdateIn.model_validate({"action": "fix"}))
    today = today_in_london()
    args = {"start": today - dt.timedelta(days=30), "end": today}
    in_sql = selectors.service_figures(officer, in_sql=True, **args)
    in_python = selectors.service_figures(officer, in_sql=False, **args)
    assert [vars(f) for f in in_sql] == [vars(f) for f in in_python]


def test_an_area_keeps_the_polygon_of_an_uploaded_feature_and_checks_prefixes(world):
    admin = world.actor(Role.CONSORTIUM_ADMIN)
    feature = {"type": "Feature", "properties": {"name": "Square"}, "geometry": SQUARE}
    area = services.area_save(
        actor=admin,
        code="square",
        name="Square",
        defined_by=world.member,
        postcode_prefixes=["ws11", "st16  2", "EC1A"],
        boundary=json.dumps(feature),
    )
    assert (area.boundary or {}).get("type") == "Polygon" and area.postcode_prefixes == [
        "WS11",
        "ST16 2",
        "EC1A",
    ]
    with pytest.raises(ValidationFailed) as e:
        services.area_save(
            actor=admin,
            code="bad",
            name="Bad",
            defined_by=world.member,
            postcode_prefixes=["WS11 1BG", "11WS"],
        )
    assert "WS11 1BG" in e.value.field_errors["postcode_prefixes"]
