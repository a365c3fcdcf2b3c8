"""Sealed means sealed, whatever roles people give themselves, and the audit trail keeps the
bidders' secrets until the opening — the attacks of docs/security.md, tried."""

from __future__ import annotations

import csv
import io

import pytest
from django.core import mail
from django.test import Client

from consortium.audit.models import AuditEvent
from consortium.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from consortium.organisations import services as org_services
from consortium.organisations.acting import actor_for
from consortium.organisations.constants import Role
from consortium.organisations.models import Person, RoleAssignment
from consortium.organisations.services import api_token_create
from consortium.organisations.tests.factories import PersonFactory, RoleAssignmentFactory
from consortium.tendering import services
from consortium.tendering.models import Bid
from consortium.tendering.tests.factories import leaf, pass_deadline, rival, tender_at

pytestmark = pytest.mark.django_db


# --- one person, one side ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "role", [Role.CONSORTIUM_ADMIN, Role.CATEGORY_MANAGER, Role.APPROVER, Role.EVALUATOR]
)
def test_nobody_on_the_buying_side_becomes_a_suppliers_person(world, role):
    person = world.people[role]
    admin = world.actor(Role.CONSORTIUM_ADMIN)
    supplier_admin = world.actor(Role.SUPPLIER_USER)
    # By grant, from the admin (who may grant anything anywhere)...
    with pytest.raises((ValidationFailed, PermissionDenied)):
        org_services.role_grant(
            actor=admin, person=person, organisation=world.supplier, role=Role.SUPPLIER_USER
        )
    # ...by invitation, from the supplier itself or from the admin...
    with pytest.raises(ValidationFailed, match="both at a supplier and at a buying body"):
        org_services.invitation_create(
            actor=supplier_admin, email=person.email, role=Role.SUPPLIER_USER, organisation=world.supplier
        )
    with pytest.raises((ValidationFailed, PermissionDenied)):
        org_services.invitation_create(
            actor=admin, email=person.email, role=Role.SUPPLIER_USER, organisation=world.supplier
        )
    assert not RoleAssignment.objects.filter(person=person, organisation__kind="supplier").exists()


def test_accepting_an_invitation_cannot_cross_sides(world):
    """Invited while on no side, a person who then joins the other side cannot accept."""
    supplier_actor = world.actor(Role.SUPPLIER_USER)
    _invitation, raw = org_services.invitation_create(
        actor=supplier_actor,
        email="double.agent@example.org",
        role=Role.SUPPLIER_USER,
        organisation=world.supplier,
    )
    agent = PersonFactory(email="double.agent@example.org")
    RoleAssignmentFactory(person=agent, organisation=world.member, role=Role.MEMBER_BUYER)
    with pytest.raises(ValidationFailed, match="both at a supplier"):
        org_services.invitation_accept(raw_token=raw, password="consortium-demo-2026")
    assert not RoleAssignment.objects.filter(
        person__email="double.agent@example.org", organisation=world.supplier
    ).exists()


def test_a_supplier_cannot_recruit_a_buyer_and_a_buyer_cannot_join_a_supplier(world):
    buyer = world.people[Role.MEMBER_BUYER]
    with pytest.raises(ValidationFailed):
        org_services.role_grant(
            actor=world.actor(Role.SUPPLIER_USER),
            person=buyer,
            organisation=world.supplier,
            role=Role.SUPPLIER_USER,
        )
    rival_person = Person.objects.get(email="rival@example.org")
    with pytest.raises(ValidationFailed):
        org_services.role_grant(
            actor=world.actor(Role.CONSORTIUM_ADMIN),
            person=rival_person,
            organisation=world.consortium,
            role=Role.EVALUATOR,
        )


def test_outsiders_cannot_add_people_to_a_supplier_that_has_its_own(world):
    """The admin cannot slip an alias account into a bidder: once a supplier has people, only
    they add colleagues; onboarding a new supplier's first user is still possible."""
    admin = world.actor(Role.CONSORTIUM_ADMIN)
    alias = PersonFactory(email="admin.alias@example.net")
    with pytest.raises(PermissionDenied):
        org_services.role_grant(
            actor=admin, person=alias, organisation=world.supplier, role=Role.SUPPLIER_USER
        )
    with pytest.raises(PermissionDenied):
        org_services.invitation_create(
            actor=admin,
            email="another.alias@example.net",
            role=Role.SUPPLIER_USER,
            organisation=world.supplier,
        )
    with pytest.raises(PermissionDenied):
        org_services.invitation_create(
            actor=world.actor(Role.CATEGORY_MANAGER),
            email="another.alias@example.net",
            role=Role.SUPPLIER_USER,
            organisation=world.supplier,
        )
    invitation, _ = org_services.invitation_create(
        actor=admin,
        email="first@new-supplier.example",
        role=Role.SUPPLIER_USER,
        new_supplier=org_services.NewSupplier(name="Brand New Supplies Ltd"),
    )
    assert invitation.organisation.name == "Brand New Supplies Ltd"


def test_the_notice_of_a_new_supplier_user_is_sent(world, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    colleague = PersonFactory(email="new.colleague@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        org_services.role_grant(
            actor=world.actor(Role.SUPPLIER_USER),
            person=colleague,
            organisation=world.supplier,
            role=Role.SUPPLIER_USER,
        )
    told = [m for m in mail.outbox if "New user at Midlands Office Supplies Ltd" in m.subject]
    assert [m.to for m in told] == [["supplier_user@example.org"]]
    assert "new.colleague@example.org" in told[0].body


def test_the_last_person_who_manages_an_organisation_cannot_be_removed(world):
    admin = world.actor(Role.CONSORTIUM_ADMIN)
    for role, organisation in (
        (Role.SUPPLIER_USER, world.supplier),
        (Role.APPROVER, world.member),
        (Role.CONSORTIUM_ADMIN, world.consortium),
    ):
        assignment = RoleAssignment.objects.get(organisation=organisation, role=role)
        with pytest.raises(Conflict, match="must keep at least one"):
            org_services.role_revoke(actor=admin, assignment=assignment)
    # With a second approver, the first may go.
    second = PersonFactory()
    RoleAssignmentFactory(person=second, organisation=world.member, role=Role.APPROVER)
    org_services.role_revoke(
        actor=admin,
        assignment=RoleAssignment.objects.get(organisation=world.member, person=world.people[Role.APPROVER]),
    )


# --- the two keys -------------------------------------------------------------------------------


def test_a_fresh_account_cannot_be_the_second_key(world):
    project = tender_at(world, "open")
    pass_deadline(project)
    # After the deadline the admin makes a new category manager to turn the second key.
    fresh = PersonFactory(email="fresh.key@example.org")
    org_services.role_grant(
        actor=world.actor(Role.CONSORTIUM_ADMIN),
        person=fresh,
        organisation=world.consortium,
        role=Role.CATEGORY_MANAGER,
    )
    services.opening_record(actor=world.actor(Role.CATEGORY_MANAGER), project=project)
    fresh_actor = actor_for(fresh, world.consortium.pk)
    with pytest.raises(PermissionDenied, match="before the tender deadline"):
        services.opening_record(actor=fresh_actor, project=project)
    with pytest.raises(Conflict):
        services.opening_record(actor=world.actor(Role.CATEGORY_MANAGER), project=project)
    project.refresh_from_db()
    assert project.opened_at is None


def test_only_the_bidder_withdraws_its_bid(world):
    project = tender_at(world, "open")
    bid = Bid.objects.get(project=project, supplier=world.supplier)
    for actor in (rival(world), world.actor(Role.CATEGORY_MANAGER), world.actor(Role.CONSORTIUM_ADMIN)):
        with pytest.raises((NotFound, PermissionDenied)):
            services.bid_withdraw(actor=actor, bid=bid)
    assert Bid.objects.get(pk=bid.pk).status == "submitted"


# --- conflicts of interest --------------------------------------------------------------------


def test_a_conflict_taints_the_whole_procurement_for_good(world):
    project = tender_at(world, "evaluation")
    ev = world.actor(Role.EVALUATOR)
    services.declaration_make(actor=ev, project=project, conflict=True, note="My sister runs a bidder")
    criterion = leaf(project, "1.1")
    cm = world.actor(Role.CATEGORY_MANAGER)
    # A new assignment cannot wash the conflict away...
    with pytest.raises(ValidationFailed) as refused:
        services.evaluator_assign(actor=cm, criterion=leaf(project, "2"), evaluator=ev.person)
    assert "declared a conflict" in refused.value.field_errors["evaluator"]
    # ...nor a fresh declaration...
    with pytest.raises((Conflict, NotFound)):
        services.declaration_make(actor=ev, project=project, conflict=False)
    # ...and no score is taken.
    bid = Bid.objects.filter(project=project).first()
    with pytest.raises(PermissionDenied):
        services.scoresheet_submit(
            actor=ev, criterion=criterion, scores={bid.pk: services.ScoreIn(5, "Excellent")}
        )


# --- the audit trail keeps the bidders' secrets --------------------------------------------------


SUPPLIER_NAMES = ("Midlands Office Supplies Ltd", "National Stationery Group plc")
SUPPLIER_EMAILS = ("supplier_user@example.org", "rival@example.org")


def _everything_an_admin_can_read(world, project) -> str:  # type: ignore[no-untyped-def]
    person = world.people[Role.CONSORTIUM_ADMIN]
    person.is_staff = person.is_superuser = True
    person.save()
    client = Client()
    client.force_login(person)
    token = api_token_create(actor=world.actor(Role.CONSORTIUM_ADMIN), name="probe")[1]
    api = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    bodies = [
        client.get("/activity/").content,
        client.get("/activity.csv").content,
        client.get(f"/activity/tendering.project/{project.pk}/").content,
        client.get("/api/v1/audit-events?limit=100", **api).content,
        client.get("/api/v1/audit-events.csv", **api).content,
        client.get("/admin/audit/auditevent/").content,
        client.get(f"/tenders/{project.pk}/").content,
        client.get(f"/tenders/{project.pk}/clarifications/").content,
    ]
    for e in AuditEvent.objects.all()[:200]:
        bodies.append(client.get(f"/admin/audit/auditevent/{e.pk}/change/").content)
    return b"\n".join(bodies).decode(errors="replace")


def _who_bid_is_hidden(text: str) -> bool:
    return not any(name in text for name in SUPPLIER_NAMES + SUPPLIER_EMAILS)


def test_before_the_opening_no_trail_names_a_bidder(world):
    project = tender_at(world, "open")
    services.clarification_ask(
        actor=world.actor(Role.SUPPLIER_USER), project=project, question="Recycled only?"
    )
    bid = Bid.objects.get(project=project, supplier=world.supplier)
    services.bid_withdraw(actor=world.actor(Role.SUPPLIER_USER), bid=bid)
    text = _everything_an_admin_can_read(world, project)
    assert "bid.submit" in text and "bid.withdraw" in text  # recorded, but anonymous
    assert _who_bid_is_hidden(text)
    # Filters on the hidden fields find nothing: no differencing by supplier.
    token = api_token_create(actor=world.actor(Role.CONSORTIUM_ADMIN), name="probe2")[1]
    api = Client()
    for query in (
        f"organisation_id={world.supplier.pk}",
        f"object_type=tendering.bid&object_id={bid.pk}",
        "object_type=tendering.interest",
    ):
        body = api.get(f"/api/v1/audit-events?{query}", HTTP_AUTHORIZATION=f"Bearer {token}").json()
        assert body["count"] == 0 or all(
            e["action"] not in ("bid.submit", "bid.withdraw", "procurement.interest") for e in body["items"]
        ), query


def test_the_bidder_sees_its_own_steps(world):
    tender_at(world, "open")
    client = Client()
    client.force_login(world.people[Role.SUPPLIER_USER])
    rows = list(csv.DictReader(io.StringIO(client.get("/activity.csv").content.decode("utf-8-sig"))))
    own = [r for r in rows if r["action"] == "bid.submit"]
    assert own and all(r["actor"] == "supplier_user@example.org" for r in own)
    assert not any(r["actor"] == "rival@example.org" for r in rows)


def test_after_the_opening_bidders_are_named_but_the_asker_never(world):
    project = tender_at(world, "open")
    services.clarification_ask(
        actor=world.actor(Role.SUPPLIER_USER), project=project, question="Recycled only?"
    )
    pass_deadline(project)
    services.opening_record(actor=world.actor(Role.CATEGORY_MANAGER), project=project)
    services.opening_record(actor=world.actor(Role.CONSORTIUM_ADMIN), project=project)
    client = Client()
    client.force_login(world.people[Role.CONSORTIUM_ADMIN])
    rows = list(csv.DictReader(io.StringIO(client.get("/activity.csv").content.decode("utf-8-sig"))))
    bids = [r for r in rows if r["action"] == "bid.submit"]
    assert {r["actor_organisation"] for r in bids} == set(SUPPLIER_NAMES)
    asked = [r for r in rows if r["action"] == "procurement.clarification_ask"]
    assert asked and all(r["actor"] == "" and r["actor_organisation"] == "" for r in asked)


def test_a_supplier_cannot_be_turned_into_a_buyer_to_smuggle_someone_in(world):
    """The admin may correct what an organisation is — but not flip a supplier with people to
    the buying side, give itself a role there, and flip it back to read the bids."""
    admin = world.actor(Role.CONSORTIUM_ADMIN)
    with pytest.raises(ValidationFailed) as refused:
        org_services.organisation_update(actor=admin, organisation=world.supplier, kind="district_council")
    assert "kind" in refused.value.field_errors
    world.supplier.refresh_from_db()
    assert world.supplier.kind == "supplier"


def test_a_role_at_a_supplier_that_is_not_supplier_user_reads_no_bid(world):
    """Belt and braces: reading a bid as its bidder needs the supplier user role there, not
    merely any role at the supplier (as old data might hold)."""
    project = tender_at(world, "open")
    bid = Bid.objects.get(project=project, supplier=world.supplier)
    stray = PersonFactory()
    RoleAssignment.objects.create(person_id=stray.pk, organisation=world.supplier, role=Role.MEMBER_BUYER)
    from consortium.tendering import selectors

    with pytest.raises(NotFound):
        selectors.bid_for_reading(actor_for(stray, world.supplier.pk), bid.pk)


def test_a_second_onboarding_invitation_cannot_be_accepted_once_the_supplier_has_people(world):
    admin = world.actor(Role.CONSORTIUM_ADMIN)
    first, raw_first = org_services.invitation_create(
        actor=admin,
        email="first@new-supplier.example",
        role=Role.SUPPLIER_USER,
        new_supplier=org_services.NewSupplier(name="Brand New Supplies Ltd"),
    )
    _alias, raw_alias = org_services.invitation_create(
        actor=admin, email="alias@elsewhere.example", role=Role.SUPPLIER_USER, organisation=first.organisation
    )
    org_services.invitation_accept(raw_token=raw_first, password="a-long-password-42", full_name="First User")
    with pytest.raises(Conflict, match="ask one of them to invite you"):
        org_services.invitation_accept(raw_token=raw_alias, password="a-long-password-42", full_name="Alias")


def test_the_side_rule_holds_through_the_api_and_the_pages(world, token_for):
    person = world.people[Role.CATEGORY_MANAGER]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_for(Role.CONSORTIUM_ADMIN)}"}
    api = Client()
    grant = api.post(
        f"/api/v1/people/{person.pk}/roles",
        {"organisation_id": world.supplier.pk, "role": "supplier_user"},
        content_type="application/json",
        **auth,
    )
    assert grant.status_code in (400, 403, 422), grant.content
    invite = api.post(
        "/api/v1/invitations",
        {"email": person.email, "role": "supplier_user", "organisation_id": world.supplier.pk},
        content_type="application/json",
        **auth,
    )
    assert invite.status_code in (400, 403, 422), invite.content
    page = Client()
    page.force_login(world.people[Role.CONSORTIUM_ADMIN])
    form = page.post(
        f"/people/{person.pk}/",
        {"action": "grant", "organisation_id": world.supplier.pk, "role": "supplier_user"},
    )
    assert form.status_code in (400, 403)
    assert not RoleAssignment.objects.filter(person=person, organisation=world.supplier).exists()
