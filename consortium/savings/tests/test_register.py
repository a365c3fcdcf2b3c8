"""The savings register: who may record and see what, validation by a second person, locked
figures and corrections, evidence checked by content, and the financial-year split."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from consortium.core.errors import Conflict, PermissionDenied, ValidationFailed
from consortium.organisations.constants import Role
from consortium.savings import selectors, services, years
from consortium.savings.evidence import Upload
from consortium.savings.models import Saving
from consortium.savings.schemas import SavingDecisionIn, SavingIn

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def saving_in(members, **extra):  # type: ignore[no-untyped-def]
    return SavingIn.model_validate(
        {
            "members": members,
            "title": "New photocopier lease",
            "category": "goods",
            "method": "quotes_average",
            "amount": "£1,200.00",
            "starts_on": "1/5/2026",
            **extra,
        }
    )


def decide(actor, saving, action, note=""):  # type: ignore[no-untyped-def]
    return services.saving_decide(
        actor=actor,
        saving_id=saving.pk,
        data=SavingDecisionIn.model_validate({"action": action, "note": note}),
    )


def test_a_member_records_its_own_saving_and_another_person_validates_it(world) -> None:  # type: ignore[no-untyped-def]
    buyer, cm = world.actor(Role.MEMBER_BUYER), world.actor(Role.CATEGORY_MANAGER)
    [s] = services.saving_propose(
        actor=buyer, data=saving_in([world.member.pk]), files=[Upload("quotes.pdf", PDF)]
    )
    assert s.reference.startswith("SAV-2026-") and s.status == "proposed" and s.total == D("1200.00")
    assert selectors.report(buyer)["total"] == 0  # proposed savings do not count yet
    with pytest.raises(PermissionDenied):
        decide(buyer, s, "validate")  # a member's officer does not validate
    decide(cm, s, "validate")
    assert selectors.report(buyer)["total"] == D("1200.00")
    with pytest.raises(Conflict):
        decide(cm, s, "reject", "late")  # validated savings are locked
    # Another member sees none of it; nor does a supplier.
    outsider = world.actor(Role.MEMBER_BUYER).__class__(
        person=world.outsider, organisation=world.other_member, roles=frozenset({Role.MEMBER_BUYER})
    )
    assert not selectors.savings(outsider).exists() and selectors.report(outsider)["total"] == 0
    with pytest.raises(Exception, match="no such saving"):
        selectors.saving(outsider, s.pk)
    with pytest.raises(PermissionDenied):
        selectors.savings(world.actor(Role.SUPPLIER_USER))


def test_members_cannot_record_for_others_and_proposers_cannot_validate_their_own(world) -> None:  # type: ignore[no-untyped-def]
    buyer, cm, admin = (
        world.actor(r) for r in (Role.MEMBER_BUYER, Role.CATEGORY_MANAGER, Role.CONSORTIUM_ADMIN)
    )
    with pytest.raises(PermissionDenied):
        services.saving_propose(actor=buyer, data=saving_in([world.other_member.pk]))
    with pytest.raises(ValidationFailed, match="members of the consortium"):
        services.saving_propose(actor=cm, data=saving_in([world.supplier.pk]))
    [s] = services.saving_propose(actor=cm, data=saving_in([world.member.pk], source="project"))
    with pytest.raises(PermissionDenied, match="Another person"):
        decide(cm, s, "validate")
    decide(admin, s, "validate")


def test_a_manual_saving_needs_evidence_and_a_rejection_a_reason(world) -> None:  # type: ignore[no-untyped-def]
    buyer, cm = world.actor(Role.MEMBER_BUYER), world.actor(Role.CATEGORY_MANAGER)
    [s] = services.saving_propose(actor=buyer, data=saving_in([world.member.pk]))
    with pytest.raises(ValidationFailed, match="evidence"):
        decide(cm, s, "validate")
    with pytest.raises(ValidationFailed) as e:
        decide(cm, s, "reject")
    assert e.value.field_errors == {"note": "Say why it is rejected"}
    services.evidence_add(
        actor=buyer, saving_id=s.pk, files=[Upload("quote.png", b"\x89PNG\r\n\x1a\n" + b"0" * 20)]
    )
    decide(cm, s, "validate")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("quote.pdf", b"MZ\x90\x00\x03" + b"\x00" * 50, "not a kind of file we accept"),
        ("quote.pdf", b"", "is empty"),
        ("big.pdf", b"%PDF-" + b"0" * (5 * 1024 * 1024), "larger than 5 MB"),
        ("fake.xlsx", b"PK\x03\x04not really a zip", "not a kind of file we accept"),
    ],
)
def test_evidence_is_checked_by_what_it_is(world, name, content, message) -> None:  # type: ignore[no-untyped-def]
    buyer = world.actor(Role.MEMBER_BUYER)
    with pytest.raises(ValidationFailed) as e:
        services.saving_propose(actor=buyer, data=saving_in([world.member.pk]), files=[Upload(name, content)])
    assert message in e.value.field_errors["evidence"]
    assert not Saving.objects.exists()  # nothing half-written


def test_a_correction_replaces_a_locked_saving_once_validated(world) -> None:  # type: ignore[no-untyped-def]
    buyer, cm = world.actor(Role.MEMBER_BUYER), world.actor(Role.CATEGORY_MANAGER)
    [s] = services.saving_propose(
        actor=buyer, data=saving_in([world.member.pk]), files=[Upload("q.pdf", PDF)]
    )
    decide(cm, s, "validate")
    with pytest.raises(ValidationFailed, match="same member"):
        services.saving_propose(actor=cm, data=saving_in([world.other_member.pk], corrects_id=s.pk))
    [c] = services.saving_propose(
        actor=buyer,
        data=saving_in([world.member.pk], amount="900", corrects_id=s.pk),
        files=[Upload("q.pdf", PDF)],
    )
    assert selectors.report(cm)["total"] == D("1200.00")  # the correction counts once validated
    decide(cm, c, "validate")
    s.refresh_from_db()
    assert s.superseded_by_id == c.pk and s.amount == D("1200.00")  # the old figure is kept, not counted
    assert selectors.report(cm)["total"] == D("900.00")
    with pytest.raises(ValidationFailed, match="corrected already"):
        services.saving_propose(actor=buyer, data=saving_in([world.member.pk], corrects_id=s.pk))


def test_a_saving_for_several_members_is_split_to_the_penny(world) -> None:  # type: ignore[no-untyped-def]
    cm = world.actor(Role.CATEGORY_MANAGER)
    made = services.saving_propose(
        actor=cm,
        data=saving_in(
            [world.member.pk, world.other_member.pk, world.care_council.pk], amount="100", source="project"
        ),
    )
    assert sorted(s.amount for s in made) == [D("33.33"), D("33.33"), D("33.34")]
    assert len({s.group for s in made}) == 1


def test_a_recurring_saving_falls_in_financial_years_by_its_months(world) -> None:  # type: ignore[no-untyped-def]
    cm, admin = world.actor(Role.CATEGORY_MANAGER), world.actor(Role.CONSORTIUM_ADMIN)
    [s] = services.saving_propose(
        actor=cm,
        data=saving_in(
            [world.member.pk],
            amount="10296.00",
            recurrence="recurring",
            months=18,
            starts_on="2026-01-01",
            source="project",
        ),
    )
    assert s.total == D("15444.00")
    assert selectors.years_of(s) == {
        "2025-26": D("2574.00"),
        "2026-27": D("10296.00"),
        "2027-28": D("2574.00"),
    }
    decide(admin, s, "validate")
    by_year = {r["label"]: r["validated"] for r in selectors.report(cm, "year")["rows"]}
    assert by_year == {"2025-26": D("2574.00"), "2026-27": D("10296.00"), "2027-28": D("2574.00")}
    assert (
        years.financial_year(dt.date(2027, 3, 31)) == 2026
        and years.financial_year(dt.date(2027, 4, 1)) == 2027
    )


def test_only_the_proposer_withdraws_and_reporting_follows_validation(world) -> None:  # type: ignore[no-untyped-def]
    buyer, approver, cm = (world.actor(r) for r in (Role.MEMBER_BUYER, Role.APPROVER, Role.CATEGORY_MANAGER))
    [s] = services.saving_propose(
        actor=buyer, data=saving_in([world.member.pk]), files=[Upload("q.pdf", PDF)]
    )
    with pytest.raises(PermissionDenied, match="Only the person"):
        decide(approver, s, "withdraw")
    with pytest.raises(Conflict):
        decide(cm, s, "report")
    decide(cm, s, "validate")
    decide(cm, s, "report")
    assert Saving.objects.get(pk=s.pk).status == "reported"
    assert selectors.report(cm)["total"] == D("1200.00")


def test_a_second_account_given_the_validating_role_by_the_proposer_cannot_validate(world) -> None:  # type: ignore[no-untyped-def]
    from consortium.organisations.acting import actor_for
    from consortium.organisations.tests.factories import PersonFactory, RoleAssignmentFactory

    admin = world.actor(Role.CONSORTIUM_ADMIN)
    puppet = PersonFactory(email="second-account@example.org")
    RoleAssignmentFactory(
        person=puppet, organisation=world.consortium, role=Role.CATEGORY_MANAGER, granted_by=admin.person
    )
    [s] = services.saving_propose(actor=admin, data=saving_in([world.member.pk], source="project"))
    puppet_actor = actor_for(puppet, world.consortium.pk)
    assert puppet_actor is not None
    with pytest.raises(PermissionDenied, match="granted by the person who proposed"):
        decide(puppet_actor, s, "validate")
    # Nor through a chain: the puppet grants a third account the role.
    third = PersonFactory(email="third-account@example.org")
    RoleAssignmentFactory(
        person=third, organisation=world.consortium, role=Role.CATEGORY_MANAGER, granted_by=puppet
    )
    third_actor = actor_for(third, world.consortium.pk)
    assert third_actor is not None
    with pytest.raises(PermissionDenied, match="granted by the person who proposed"):
        decide(third_actor, s, "validate")
    decide(world.actor(Role.CATEGORY_MANAGER), s, "validate")  # an independent category manager may
