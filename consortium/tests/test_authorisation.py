"""Every API operation and every page, for every role and for an anonymous visitor.

The operations come from the OpenAPI schema and the pages from the URL conf, so
a new endpoint or page fails this test until its expected access is stated
here: nothing joins the service unreviewed.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from consortium.api import api
from consortium.conftest import ROLES, World
from consortium.organisations.constants import OrganisationKind, Role, roles_allowed_for_kind
from consortium.organisations.models import Invitation, Organisation, RoleAssignment
from consortium.organisations.permissions import ADMIN_ONLY_ROLES
from consortium.organisations.services import api_token_create, invitation_create
from consortium.organisations.tests.factories import PersonFactory, RoleAssignmentFactory

pytestmark = pytest.mark.django_db

ANON = "anonymous"
CA, CM, MB, AP, CO, EV, SU, PO, FO = (
    Role.CONSORTIUM_ADMIN,
    Role.CATEGORY_MANAGER,
    Role.MEMBER_BUYER,
    Role.APPROVER,
    Role.COMMISSIONER,
    Role.EVALUATOR,
    Role.SUPPLIER_USER,
    Role.PARTNER_OFFICER,
    Role.FINANCE_OFFICER,
)

# (path, body) for a role: built per request because "own" differs by role.
Build = Callable[[World, str], tuple[str, dict[str, Any] | None]]


@dataclass
class Case:
    build: Build
    expect: dict[str, int]  # role (or ANON) -> status; `default` for the rest
    default: int = 403
    anonymous: int = 401
    checks: list[Callable[[World, str, Any], None]] = field(default_factory=list)
    multipart: bool = False

    def status_for(self, role: str) -> int:
        if role == ANON:
            return self.anonymous
        return self.expect.get(role, self.default)


def _own(world: World, role: str) -> Organisation:
    return world.organisation_for(role)


def _colleague_role(org: Organisation) -> str:
    return {
        OrganisationKind.CONSORTIUM: Role.EVALUATOR,
        OrganisationKind.SUPPLIER: Role.SUPPLIER_USER,
    }.get(org.kind, Role.MEMBER_BUYER)


def _colleague(world: World, role: str) -> RoleAssignment:
    org = _own(world, role)
    person = PersonFactory()
    return RoleAssignmentFactory(person=person, organisation=org, role=_colleague_role(org))


def _invitation(world: World, org: Organisation) -> Invitation:
    inviter = world.actor(CA)
    if org.is_supplier:
        # Once a supplier has people, only they invite to it.
        from consortium.organisations.acting import actor_for

        own = RoleAssignment.objects.filter(organisation=org, role=Role.SUPPLIER_USER).first()
        if own is not None:
            inviter = actor_for(own.person, org.pk)
    invitation, _ = invitation_create(
        actor=inviter, email="invitee@example.org", role=_colleague_role(org), organisation=org
    )
    return invitation


def _grantable_role(org: Organisation, held: str) -> str:
    options = sorted(r for r in roles_allowed_for_kind(org.kind) if r != held)
    preferred = [r for r in options if r not in ADMIN_ONLY_ROLES]
    return (preferred or options or [held])[0]


def _someone_elses_token(world: World, role: str) -> int:
    owner = AP if role == MB else MB
    return api_token_create(actor=world.actor(owner), name="theirs")[0].pk


def _only_own_people(world: World, role: str, body: Any) -> None:
    emails = {p["email"] for p in body["items"]}
    if role != CA:
        assert world.outsider.email not in emails


def _only_own_tokens(world: World, role: str, body: Any) -> None:
    assert all(t["organisation_id"] == _own(world, role).pk for t in body["items"])


def _only_own_events(world: World, role: str, body: Any) -> None:
    if role != CA:
        own = _own(world, role).pk
        assert all(own in (e["organisation_id"], e["actor_organisation_id"]) for e in body["items"])


ALL_200 = {r: 200 for r in ROLES}

API_CASES: dict[str, Case] = {
    "me_get": Case(lambda w, r: ("/api/v1/me", None), ALL_200),
    "organisation_list": Case(lambda w, r: ("/api/v1/organisations?search=council", None), ALL_200),
    "organisation_get": Case(lambda w, r: (f"/api/v1/organisations/{w.other_member.pk}", None), ALL_200),
    "organisation_create": Case(
        lambda w, r: ("/api/v1/organisations", {"name": f"New body {r}", "kind": "police"}), {CA: 201}
    ),
    "organisation_update": Case(
        lambda w, r: (f"/api/v1/organisations/{_own(w, r).pk}", {"town": "Leek"}),
        {CA: 200, AP: 200, SU: 200},
    ),
    "membership_list": Case(lambda w, r: ("/api/v1/memberships", None), ALL_200),
    "membership_start": Case(
        lambda w, r: (
            "/api/v1/memberships",
            {
                "organisation_id": Organisation.objects.create(name=f"Fire {r}", kind="fire_and_rescue").pk,
                "joined_on": "2026-04-01",
            },
        ),
        {CA: 201},
    ),
    "membership_end": Case(
        lambda w, r: (
            f"/api/v1/memberships/{w.other_member.memberships.get().pk}/end",
            {"left_on": "2027-03-31"},
        ),
        {CA: 200},
    ),
    "person_list": Case(lambda w, r: ("/api/v1/people", None), ALL_200, checks=[_only_own_people]),
    "person_get": Case(lambda w, r: (f"/api/v1/people/{w.outsider.pk}", None), {CA: 200}, default=404),
    "role_assignment_list": Case(lambda w, r: ("/api/v1/role-assignments", None), ALL_200),
    "role_grant": Case(
        lambda w, r: (
            lambda a: (
                f"/api/v1/people/{a.person_id}/roles",
                {"organisation_id": a.organisation_id, "role": _grantable_role(a.organisation, a.role)},
            )
        )(_colleague(w, r)),
        # A supplier has one role only, which the colleague already holds.
        {CA: 201, AP: 201, SU: 409},
    ),
    "role_revoke": Case(
        lambda w, r: (f"/api/v1/role-assignments/{_colleague(w, r).pk}", None), {CA: 204, AP: 204, SU: 204}
    ),
    "invitation_list": Case(lambda w, r: ("/api/v1/invitations", None), ALL_200),
    "invitation_create": Case(
        lambda w, r: (
            "/api/v1/invitations",
            {
                "email": f"{r}-invitee@example.org",
                "role": _colleague_role(_own(w, r)),
                "organisation_id": _own(w, r).pk,
            },
        ),
        {CA: 201, AP: 201, SU: 201},
    ),
    "invitation_revoke": Case(
        lambda w, r: (f"/api/v1/invitations/{_invitation(w, _own(w, r)).pk}/revoke", {}),
        {CA: 200, AP: 200, SU: 200},
        default=404,
    ),
    "invitation_accept": Case(
        lambda w, r: ("/api/v1/invitations/accept", {"token": "not-a-token", "password": "whatever-123"}),
        {},
        default=404,
        anonymous=404,
    ),
    "api_token_list": Case(lambda w, r: ("/api/v1/tokens", None), ALL_200, checks=[_only_own_tokens]),
    "api_token_create": Case(lambda w, r: ("/api/v1/tokens", {"name": "script"}), {r: 201 for r in ROLES}),
    # Someone else's token: nobody may revoke it but its owner.
    "api_token_revoke": Case(
        lambda w, r: (f"/api/v1/tokens/{_someone_elses_token(w, r)}/revoke", {}), {}, default=404
    ),
    "audit_event_list": Case(lambda w, r: ("/api/v1/audit-events", None), ALL_200, checks=[_only_own_events]),
    "audit_event_export": Case(lambda w, r: ("/api/v1/audit-events.csv", None), ALL_200),
}

# --- care price benchmarking ---
CARE_SEES = {CO: 200, SU: 200, CA: 200, CM: 200}


def _care(world: World) -> Any:
    from consortium.care.models import NeedsAssessment, PriceMenu

    return (
        NeedsAssessment.objects.get(client_reference="1234", council=world.care_council),
        PriceMenu.objects.filter(home__name="Cherrytrees").order_by("effective_from").first(),
    )


def _fresh_negotiation(world: World) -> int:
    from consortium.care.models import CareLevel
    from consortium.care.services import assessment_create, negotiation_open
    from consortium.care.tests.factories import JOHN_SMITH

    _, menu = _care(world)
    # A new client each time: a client once placed can be negotiated for no more.
    assessment = assessment_create(
        actor=world.actor(CO),
        level=CareLevel.objects.get(name="Moderate"),
        **{**JOHN_SMITH, "client_reference": f"N{CareLevel.objects.count()}-{id(object())}"[:20]},
    )
    return negotiation_open(actor=world.actor(CO), assessment=assessment, menu=menu).pk


def _workbook_upload(world: World, role: str) -> dict[str, Any]:
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from openpyxl import load_workbook

    from consortium.care.workbooks import menu_template

    wb = load_workbook(io.BytesIO(menu_template()))
    ws = wb["Home Fees"]
    ws["B1"], ws["B2"], ws["B3"], ws["F7"] = f"Upload Home {role}", "High", "2026-05-01", 400
    out = io.BytesIO()
    wb.save(out)
    return {"file": SimpleUploadedFile("fees.xlsx", out.getvalue())}


MENU_ITEMS = [{"element": "life_skills_development", "unit_price": "7.00"}]

API_CASES.update(
    {
        "care_level_list": Case(lambda w, r: ("/api/v1/care/levels", None), ALL_200),
        "care_home_list": Case(lambda w, r: ("/api/v1/care/homes", None), CARE_SEES),
        # A consortium admin adds homes for a provider, not for the consortium itself.
        "care_home_create": Case(
            lambda w, r: ("/api/v1/care/homes", {"name": f"New home {r}"}), {SU: 201, CA: 422}
        ),
        "price_menu_list": Case(lambda w, r: ("/api/v1/care/menus", None), CARE_SEES),
        "price_menu_get": Case(lambda w, r: (f"/api/v1/care/menus/{_care(w)[1].pk}", None), CARE_SEES),
        "price_menu_submit": Case(
            lambda w, r: (
                "/api/v1/care/menus",
                {
                    "home_id": _care(w)[1].home_id,
                    "highest_level": "High",
                    "effective_from": f"2027-0{ROLES.index(r) + 1}-01",
                    "items": MENU_ITEMS,
                },
            ),
            {SU: 201, CA: 201},
        ),
        "price_menu_upload": Case(
            lambda w, r: ("/api/v1/care/menus/upload", _workbook_upload(w, r)), {SU: 201}, multipart=True
        ),
        "price_menu_template": Case(lambda w, r: ("/api/v1/care/menus/template.xlsx", None), ALL_200),
        "care_assessment_list": Case(lambda w, r: ("/api/v1/care/assessments", None), {CO: 200}),
        "care_assessment_create": Case(
            lambda w, r: ("/api/v1/care/assessments", {"client_reference": "N1", "level": "Low"}), {CO: 201}
        ),
        "care_assessment_get": Case(
            lambda w, r: (f"/api/v1/care/assessments/{_care(w)[0].pk}", None), {CO: 200}
        ),
        "care_quote_list": Case(
            lambda w, r: (f"/api/v1/care/assessments/{_care(w)[0].pk}/quotes", None), {CO: 200}
        ),
        "care_negotiation_open": Case(
            lambda w, r: (
                "/api/v1/care/negotiations",
                {"assessment_id": _care(w)[0].pk, "menu_id": _care(w)[1].pk},
            ),
            {CO: 201},
        ),
        "care_negotiation_get": Case(
            lambda w, r: (f"/api/v1/care/negotiations/{_fresh_negotiation(w)}", None), {CO: 200}
        ),
        "care_negotiation_record_agreed": Case(
            lambda w, r: (
                lambda n: (
                    f"/api/v1/care/negotiations/{n}/agreed",
                    {
                        "lines": [
                            {"line_id": _first_line(n), "agreed_unit_price": "400", "agreed_quantity": "1"}
                        ]
                    },
                )
            )(_fresh_negotiation(w)),
            {CO: 200},
        ),
        "care_negotiation_withdraw": Case(
            lambda w, r: (f"/api/v1/care/negotiations/{_fresh_negotiation(w)}/withdraw", {}), {CO: 200}
        ),
        "care_placement_confirm": Case(
            lambda w, r: (
                f"/api/v1/care/negotiations/{_fresh_negotiation(w)}/placement",
                {"start_date": "2026-12-01"},
            ),
            {CO: 201},
        ),
        "care_case_workbook": Case(
            lambda w, r: (f"/api/v1/care/negotiations/{_fresh_negotiation(w)}/workbook.xlsx", None), {CO: 200}
        ),
        "care_placement_list": Case(lambda w, r: ("/api/v1/care/placements", None), {CO: 200}),
        "care_benchmark_list": Case(
            lambda w, r: ("/api/v1/care/benchmarks?population=quoted", None), CARE_SEES
        ),
        "care_council_report": Case(
            lambda w, r: ("/api/v1/care/reports/councils", None), {CO: 200, CA: 200, CM: 200}
        ),
    }
)


# --- marketplace ---
MEMBER_ROLES = (MB, AP, CO, EV, PO, FO)
BUYERS = {MB: 200, AP: 200}


def _market(world: World) -> Any:
    from consortium.catalogue.models import CatalogueItem

    return CatalogueItem.objects.get(
        supplier_code="P-2"
    )  # world.supplier's pens, on a contract for all members


def _png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGBA", (20, 10), (0, 0, 255, 128)).save(out, format="PNG")
    return out.getvalue()


def _picture_upload() -> dict[str, Any]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {
        "image": SimpleUploadedFile("pens.png", _png(), content_type="image/png"),
        "alt": "Box of blue pens",
    }


def _pictured(world: World) -> int:
    from consortium.catalogue.services import item_image_set

    item = _market(world)
    if not item.image_alt:
        item_image_set(actor=world.actor(SU), item_id=item.pk, content=_png(), alt="Box of blue pens")
    return int(item.pk)


def _live_contract(world: World, role: str) -> int:
    from consortium.contracts.models import Contract

    pk = _draft_contract(world, role, prefix="LIVE")
    Contract.objects.filter(pk=pk).update(status="live")
    return pk


def _draft_contract(world: World, role: str, prefix: str = "DRAFT") -> int:
    import datetime as dt

    from consortium.contracts.models import Contract, Lot

    contract = Contract.objects.create(
        reference=f"{prefix}-{role}",
        title="Draft",
        scope="local",
        let_by=world.consortium,
        start_date=dt.date(2026, 1, 1),
        end_date=dt.date(2027, 1, 1),
    )
    Lot.objects.create(contract=contract, number=1, title="Lot").suppliers.set([world.other_supplier])
    return contract.pk


def _basket_line(world: World, role: str) -> int:
    from consortium.orders.services import basket_add

    return basket_add(actor=world.actor(role if role in BUYERS else MB), item_id=_market(world).pk).pk


def _order(world: World, *, awaiting: bool = False, member: str = "member") -> int:
    from consortium.orders.models import Order
    from consortium.orders.services import basket_add, checkout

    if member == "member":
        buyer = world.actor(MB)
        basket_add(actor=buyer, item_id=(_laptop(world) if awaiting else _market(world)).pk, quantity=2)
        return checkout(actor=buyer, checkout_key=f"k{Order.objects.count()}", delivery_address="Leek")[0].pk
    from consortium.organisations.acting import actor_for

    outsider = actor_for(world.outsider)
    from consortium.catalogue.models import CatalogueItem

    basket_add(actor=outsider, item_id=CatalogueItem.objects.get(supplier_code="N-1").pk)
    return checkout(actor=outsider, checkout_key=f"o{Order.objects.count()}", delivery_address="Tamworth")[
        0
    ].pk


def _order_at(world: World, status: str) -> int:
    """A member's order walked by its people to `status` through the services."""
    from consortium.orders import services as orders
    from consortium.orders.models import Order

    order = Order.objects.get(pk=_order(world))
    walk = ["acknowledge", "dispatch", "record_delivery"]
    reached = {"sent_to_supplier": 0, "acknowledged": 1, "dispatched": 2, "delivered": 3}[status]
    for action in walk[:reached]:
        by = world.actor(SU) if action in ("acknowledge", "dispatch") else world.actor(MB)
        order = orders.order_act(actor=by, order=order, action=action)
    assert order.status == status
    return order.pk


def _laptop(world: World) -> Any:
    from consortium.catalogue.models import CatalogueItem

    return CatalogueItem.objects.get(supplier_code="L-1")


def _price_change(world: World) -> int:
    from consortium.catalogue.models import PriceChange

    item = _market(world)
    return PriceChange.objects.create(
        item=item, old_price=item.unit_price, new_price=item.unit_price + 1, requested_by=world.people[SU]
    ).pk


SEARCHERS = {r: 200 for r in (*MEMBER_ROLES, CA, CM)}
ITEM = {
    "lot_id": 0,
    "supplier_code": "NEW",
    "name": "New thing",
    "category": "stationery",
    "unit_price": "1.00",
}

API_CASES.update(
    {
        "contract_list": Case(lambda w, r: ("/api/v1/contracts", None), ALL_200),
        "contract_get": Case(lambda w, r: (f"/api/v1/contracts/{_market(w).lot.contract_id}", None), ALL_200),
        "contract_create": Case(
            lambda w, r: (
                "/api/v1/contracts",
                {
                    "reference": f"NEW-{r}",
                    "title": "New",
                    "scope": "regional",
                    "start_date": "2027-01-01",
                    "end_date": "2028-01-01",
                },
            ),
            {CA: 201, CM: 201},
        ),
        "lot_add": Case(
            lambda w, r: (
                f"/api/v1/contracts/{_market(w).lot.contract_id}/lots",
                {"number": 10 + ROLES.index(r), "title": "More", "supplier_ids": [w.supplier.pk]},
            ),
            {CA: 201, CM: 201},
        ),
        "contract_transition": Case(
            lambda w, r: (f"/api/v1/contracts/{_draft_contract(w, r)}/status", {"to": "live"}),
            {CA: 200, CM: 200},
            default=404,
        ),
        "contract_make_live": Case(
            lambda w, r: (f"/api/v1/contracts/{_draft_contract(w, r, prefix='MAKE')}/make-live", {}),
            {CA: 200, CM: 200},
            default=404,
        ),
        "contract_expire": Case(
            lambda w, r: (f"/api/v1/contracts/{_live_contract(w, r)}/expire", {}),
            # A supplier sees only the contracts it is awarded; buyers see live ones, and may not expire them.
            {CA: 200, CM: 200, SU: 404},
            default=403,
        ),
        "catalogue_search": Case(lambda w, r: ("/api/v1/catalogue/search?q=pens", None), SEARCHERS),
        "catalogue_item_get": Case(lambda w, r: (f"/api/v1/catalogue/items/{_market(w).pk}", None), ALL_200),
        "catalogue_own_items": Case(lambda w, r: ("/api/v1/catalogue/my-items", None), {SU: 200}),
        "catalogue_item_image_set": Case(
            lambda w, r: (f"/api/v1/catalogue/items/{_market(w).pk}/image", _picture_upload()),
            {SU: 200},
            multipart=True,
        ),
        "catalogue_item_image": Case(
            lambda w, r: (f"/api/v1/catalogue/items/{_pictured(w)}/image", None), ALL_200
        ),
        "catalogue_item_create": Case(
            lambda w, r: (
                "/api/v1/catalogue/items",
                {**ITEM, "lot_id": _market(w).lot_id, "supplier_code": f"N-{r}"},
            ),
            {SU: 201},
        ),
        "price_change_request": Case(
            lambda w, r: (f"/api/v1/catalogue/items/{_market(w).pk}/price-changes", {"new_price": "2.75"}),
            {SU: 201},
        ),
        "catalogue_item_baseline_set": Case(
            lambda w, r: (f"/api/v1/catalogue/items/{_market(w).pk}/baseline", {"baseline_price": "3.10"}),
            {CA: 200, CM: 200},
        ),
        "price_change_list": Case(
            lambda w, r: ("/api/v1/catalogue/price-changes", None), {CA: 200, CM: 200, SU: 200}
        ),
        "price_change_decide": Case(
            lambda w, r: (f"/api/v1/catalogue/price-changes/{_price_change(w)}/decision", {"approve": True}),
            {CA: 200, CM: 200},
        ),
        "basket_get": Case(lambda w, r: ("/api/v1/basket", None), BUYERS),
        "basket_add": Case(
            lambda w, r: ("/api/v1/basket/lines", {"item_id": _market(w).pk}), {MB: 201, AP: 201}
        ),
        "basket_update": Case(
            lambda w, r: (f"/api/v1/basket/lines/{_basket_line(w, r)}", {"quantity": 3}), BUYERS
        ),
        "basket_checkout": Case(
            lambda w, r: (
                lambda _line: (
                    "/api/v1/basket/checkout",
                    {"checkout_key": f"c-{r}", "delivery_address": "Leek"},
                )
            )(_basket_line(w, r)),
            {MB: 201, AP: 201},
        ),
        "order_list": Case(lambda w, r: ("/api/v1/orders", None), ALL_200),
        "order_export": Case(lambda w, r: ("/api/v1/orders.csv", None), ALL_200),
        # The commissioner works for a county council, not the school whose order this is.
        "order_get": Case(lambda w, r: (f"/api/v1/orders/{_order(w)}", None), {**ALL_200, CO: 404}),
        "order_step": Case(
            lambda w, r: (f"/api/v1/orders/{_order(w, awaiting=True)}/steps", {"to": "approved"}),
            {AP: 200, CO: 404},
        ),
        "order_approve": Case(
            lambda w, r: (f"/api/v1/orders/{_order(w, awaiting=True)}/approve", {}), {AP: 200, CO: 404}
        ),
        "order_reject": Case(
            lambda w, r: (f"/api/v1/orders/{_order(w, awaiting=True)}/reject", {"reason": "Too dear"}),
            {AP: 200, CO: 404},
        ),
        "order_acknowledge": Case(
            lambda w, r: (f"/api/v1/orders/{_order_at(w, 'sent_to_supplier')}/acknowledge", {}),
            {SU: 200, CO: 404},
        ),
        "order_dispatch": Case(
            lambda w, r: (f"/api/v1/orders/{_order_at(w, 'acknowledged')}/dispatch", {}), {SU: 200, CO: 404}
        ),
        "order_record_delivery": Case(
            lambda w, r: (f"/api/v1/orders/{_order_at(w, 'dispatched')}/deliveries", {"delivered": {}}),
            {MB: 200, AP: 200, CO: 404},
        ),
        "order_close": Case(
            lambda w, r: (f"/api/v1/orders/{_order_at(w, 'delivered')}/close", {}),
            {MB: 200, AP: 200, CO: 404},
        ),
        "order_cancel": Case(
            lambda w, r: (
                f"/api/v1/orders/{_order_at(w, 'sent_to_supplier')}/cancel",
                {"reason": "Not needed"},
            ),
            {MB: 200, AP: 200, CO: 404},
        ),
    }
)


# --- invoices: the supplier sends them; the member's buyers see them and its approvers and
# finance officers decide; the consortium's admins and category managers see all and set the
# match tolerances (which suppliers must not see: they would invoice up to them).
INVOICE_READERS = {r: 200 for r in (SU, MB, AP, FO, CA, CM)}
INVOICE_DECIDERS = {AP: 200, FO: 200}


def _saved_list(world: World) -> int:
    from consortium.orders.models import SavedList
    from consortium.orders.services import saved_list_create, saved_list_put_item

    saved = saved_list_create(actor=world.actor(MB), name=f"List {SavedList.objects.count()}")
    saved_list_put_item(actor=world.actor(MB), list_id=saved.pk, item_id=_market(world).pk, quantity=2)
    return saved.pk


def _checkout_key(world: World) -> str:
    from consortium.orders.models import Order

    return str(Order.objects.get(pk=_order(world)).checkout_key)


def _invoiceable(world: World) -> Any:
    from consortium.orders.models import Order

    if not world.supplier.vat_number:
        world.supplier.vat_number = "GB123456789"
        world.supplier.save(update_fields=["vat_number"])
    return Order.objects.get(pk=_order_at(world, "delivered"))


def _invoice(world: World, *, held: bool = False, pdf: bool = False) -> int:
    from consortium.core.dates import today_in_london
    from consortium.invoices.models import Invoice
    from consortium.invoices.services import invoice_enter

    order = _invoiceable(world)
    price = "9.99" if held else "2.50"
    return invoice_enter(
        actor=world.actor(SU),
        order_id=order.pk,
        number=f"SI-{Invoice.objects.count()}",
        issue_date=today_in_london(),
        lines=[{"line": 1, "quantity": 2, "unit_price": price}],
        submit_key=f"s{Invoice.objects.count()}",
        document=b"%PDF-1.4 invoice" if pdf else None,
    ).pk


def _invoice_pdf_upload() -> dict[str, Any]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {"file": SimpleUploadedFile("invoice.pdf", b"%PDF-1.4 invoice", content_type="application/pdf")}


def _ubl_upload(world: World, role: str) -> dict[str, Any]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from consortium.invoices.tests.factories import ubl_for

    return {
        "file": SimpleUploadedFile(
            "invoice.xml", ubl_for(_invoiceable(world)), content_type="application/xml"
        )
    }


API_CASES.update(
    {
        "buy_again": Case(lambda w, r: ("/api/v1/buy-again", None), BUYERS),
        "saved_list_list": Case(lambda w, r: ("/api/v1/saved-lists", None), BUYERS),
        "saved_list_create": Case(
            lambda w, r: ("/api/v1/saved-lists", {"name": f"Termly {r}"}), {MB: 201, AP: 201}
        ),
        "saved_list_get": Case(lambda w, r: (f"/api/v1/saved-lists/{_saved_list(w)}", None), BUYERS),
        "saved_list_delete": Case(
            lambda w, r: (f"/api/v1/saved-lists/{_saved_list(w)}", None), {MB: 204, AP: 204}
        ),
        "saved_list_put_item": Case(
            lambda w, r: (
                f"/api/v1/saved-lists/{_saved_list(w)}/items",
                {"item_id": _market(w).pk, "quantity": 5},
            ),
            BUYERS,
        ),
        "saved_list_remove_item": Case(
            lambda w, r: (f"/api/v1/saved-lists/{_saved_list(w)}/items/{_market(w).pk}", None), BUYERS
        ),
        "saved_list_to_basket": Case(
            lambda w, r: (f"/api/v1/saved-lists/{_saved_list(w)}/basket", {}), BUYERS
        ),
        "invoice_list": Case(lambda w, r: ("/api/v1/invoices", None), INVOICE_READERS),
        "invoice_export": Case(lambda w, r: ("/api/v1/invoices.csv", None), INVOICE_READERS),
        "invoice_summary": Case(lambda w, r: ("/api/v1/invoices/summary", None), INVOICE_READERS),
        "invoice_get": Case(lambda w, r: (f"/api/v1/invoices/{_invoice(w)}", None), INVOICE_READERS),
        "invoice_ubl": Case(lambda w, r: (f"/api/v1/invoices/{_invoice(w)}/ubl", None), INVOICE_READERS),
        "invoice_pdf": Case(
            lambda w, r: (f"/api/v1/invoices/{_invoice(w, pdf=True)}/pdf", None), INVOICE_READERS
        ),
        "invoice_attach_pdf": Case(
            lambda w, r: (f"/api/v1/invoices/{_invoice(w)}/pdf", _invoice_pdf_upload()),
            {SU: 200},
            multipart=True,
        ),
        "invoice_enter": Case(
            lambda w, r: (
                f"/api/v1/orders/{_invoiceable(w).pk}/invoices",
                {
                    "number": f"A-{r}",
                    "issue_date": "2026-01-05",
                    "submit_key": f"a-{r}",
                    "lines": [{"line": 1, "quantity": 2, "unit_price": "2.50"}],
                },
            ),
            {SU: 201},
        ),
        "invoice_upload": Case(
            lambda w, r: ("/api/v1/invoices/ubl", _ubl_upload(w, r)), {SU: 201}, multipart=True
        ),
        "invoice_approve": Case(
            lambda w, r: (f"/api/v1/invoices/{_invoice(w, held=True)}/approve", {}), INVOICE_DECIDERS
        ),
        "invoice_reject": Case(
            lambda w, r: (f"/api/v1/invoices/{_invoice(w, held=True)}/reject", {"reason": "Price"}),
            INVOICE_DECIDERS,
        ),
        "invoice_pay": Case(lambda w, r: (f"/api/v1/invoices/{_invoice(w)}/paid", {}), INVOICE_DECIDERS),
        "invoice_tolerance_get": Case(lambda w, r: ("/api/v1/invoice-tolerances", None), {CA: 200, CM: 200}),
        "invoice_tolerance_set": Case(
            lambda w, r: (
                "/api/v1/invoice-tolerances",
                {"price_percent": "1.5", "price_amount": "2.00", "quantity_percent": "0"},
            ),
            {CA: 200, CM: 200},
        ),
    }
)


def _spend_file(world: World, *, member: str = "member") -> int:
    from consortium.organisations.acting import actor_for
    from consortium.spend.services import spend_file_import

    actor = world.actor(MB) if member == "member" else actor_for(world.outsider)
    content = b"supplier,date,amount,description\nAcme Ltd,2026-01-01,10.00,Paper\n"
    return spend_file_import(actor=actor, content=content, filename="ap.csv").pk


def _catalogue_csv(world: World, role: str) -> dict[str, Any]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from consortium.catalogue.imports import COLUMNS

    row = f"CBC-T1/1,U-{role},Upload item,,stationery,each,1,1.00,20,1,1,no,,2026-01-01,"
    return {"file": SimpleUploadedFile("c.csv", (",".join(COLUMNS) + "\n" + row + "\n").encode())}


def _spend_csv(world: World, role: str) -> dict[str, Any]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {
        "file": SimpleUploadedFile("ap.csv", b"supplier,date,amount,description\nAcme Ltd,2026-01-01,5,x\n")
    }


MI_READERS: dict[str, int] = {r: 200 for r in (*MEMBER_ROLES, CA, CM)}
API_CASES.update(
    {
        "catalogue_upload": Case(
            lambda w, r: ("/api/v1/catalogue/upload", _catalogue_csv(w, r)), {SU: 201}, multipart=True
        ),
        "mi_spend": Case(lambda w, r: ("/api/v1/mi/spend?by=supplier", None), MI_READERS),
        "mi_savings": Case(lambda w, r: ("/api/v1/mi/savings", None), MI_READERS),
        "mi_rebates": Case(lambda w, r: ("/api/v1/mi/rebates", None), MI_READERS),
        "mi_local_and_sme": Case(lambda w, r: ("/api/v1/mi/local-and-sme", None), MI_READERS),
        "spend_file_list": Case(lambda w, r: ("/api/v1/spend-files", None), MI_READERS),
        "spend_file_upload": Case(
            lambda w, r: ("/api/v1/spend-files", _spend_csv(w, r)), {MB: 201, AP: 201}, multipart=True
        ),
        "spend_match_decide": Case(
            lambda w, r: (
                f"/api/v1/spend-files/{_spend_file(w)}/matches",
                {"supplier_name": "Acme Ltd", "supplier_id": w.supplier.pk, "confirm": True},
            ),
            {MB: 200, AP: 200, CO: 404},
        ),
        "spend_file_analysis": Case(
            lambda w, r: (f"/api/v1/spend-files/{_spend_file(w)}/analysis", None), {**MI_READERS, CO: 404}
        ),
    }
)


def _first_line(negotiation_id: int) -> int:
    from consortium.care.models import NegotiationLine

    return NegotiationLine.objects.filter(negotiation_id=negotiation_id).order_by("pk").first().pk


# --- collaborative tendering ---
def _tender(world: World, stage: str, *, fresh: bool = False) -> Any:
    """A procurement at `stage` (tendering.tests.factories), shared within a test unless fresh.

    Shared ones are kept on the test's own world: keyed by anything that outlives the test
    (an object id, a reused SQLite pk), a later test could be handed a rolled-back project."""
    from consortium.tendering.models import Project
    from consortium.tendering.tests.factories import tender_at

    shared: dict[str, int] = world.__dict__.setdefault("shared_tenders", {})
    if fresh or stage not in shared:
        project = tender_at(world, stage, title=f"Tender {stage} {len(shared)}")
        if fresh:
            return project
        shared[stage] = project.pk
    return Project.objects.get(pk=shared[stage])


def _pdf_upload(title: str) -> dict[str, Any]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {"title": title, "file": SimpleUploadedFile("spec.pdf", b"%PDF-1.4 specification")}


def _with_document(world: World, *, fresh: bool = False) -> Any:
    """A draft procurement with one tender document."""
    from consortium.tendering.services import DocumentUpload, tender_document_add

    project = _tender(world, "draft", fresh=fresh)
    if not project.documents.exists():
        tender_document_add(
            actor=world.actor(Role.CATEGORY_MANAGER),
            project=project,
            title="Specification",
            upload=DocumentUpload("spec.pdf", b"%PDF-1.4 specification"),
        )
    return project


def _with_milestone(world: World) -> Any:
    """The shared awarded procurement, its contract with a first milestone."""
    from consortium.tendering.models import ContractMilestone

    project = _tender(world, "awarded")
    ContractMilestone.objects.get_or_create(
        project=project,
        number=1,
        defaults={"title": "Mobilisation", "due_on": project.awarded_contract.start_date},
    )
    return project


def _two_items(world: World) -> Any:
    """A draft procurement whose lot's schedule has a second item (a lot keeps at least one)."""
    from consortium.tendering.models import ScheduleItem

    project = _tender(world, "draft", fresh=True)
    ScheduleItem.objects.create(lot=project.lots.get(), number=2, description="Card", unit="pack")
    return project


def _our_bid(project: Any, world: World) -> int:
    return int(project.bids.get(supplier=world.supplier).pk)


def _after_deadline(world: World) -> Any:
    from consortium.tendering.tests.factories import pass_deadline

    project = _tender(world, "open", fresh=True)
    pass_deadline(project)
    return project


def _question(world: World) -> tuple[int, int]:
    from consortium.tendering.models import Clarification

    project = _tender(world, "open")
    c = Clarification.objects.create(
        project=project, asked_by=world.other_supplier, question="Which paper weight?"
    )
    return project.pk, c.pk


def _answers(project: Any) -> dict[str, str]:
    return {
        str(c.pk): "Our answer" for c in project.criteria.exclude(kind="price") if not c.children.exists()
    }


def _judged(project: Any, number: str = "1.1") -> int:
    return int(project.criteria.get(number=number).pk)


def _sheet(project: Any) -> dict[str, Any]:
    return {
        "scores": [
            {"bid_id": b.pk, "score": 3, "justification": "Meets the need"} for b in project.bids.all()
        ]
    }


def _workbook(project: Any) -> dict[str, Any]:
    judged = [c for c in project.criteria.exclude(kind="price") if not c.children.exists()]
    return {
        "scores": [
            {"criterion_id": c.pk, "bid_id": b.pk, "score": 3, "justification": "Meets the need"}
            for c in judged
            for b in project.bids.all()
        ]
    }


def _standstill_over(world: World) -> Any:
    import datetime as dt

    from consortium.tendering.models import Project

    project = _tender(world, "standstill", fresh=True)
    Project.objects.filter(pk=project.pk).update(standstill_ends_on=dt.date(2020, 1, 1))
    return project


MANAGERS_200: dict[str, int] = {CA: 200, CM: 200}

T = "/api/v1/tenders"
API_CASES.update(
    {
        "procurement_rules": Case(lambda w, r: ("/api/v1/procurement-rules?on=2026-03-01", None), ALL_200),
        "tender_list": Case(lambda w, r: (T, None), ALL_200),
        "tender_get": Case(lambda w, r: (f"{T}/{_tender(w, 'awarded').pk}", None), ALL_200),
        # A draft is its managers' alone; once published everyone who sees it sees its documents.
        "tender_documents": Case(
            lambda w, r: (f"{T}/{_with_document(w).pk}/documents", None), MANAGERS_200, default=404
        ),
        "tender_document_add": Case(
            lambda w, r: (
                f"{T}/{_tender(w, 'draft', fresh=True).pk}/documents",
                _pdf_upload("Specification"),
            ),
            {CA: 201, CM: 201},
            default=404,
            multipart=True,
        ),
        "tender_document_change": Case(
            lambda w, r: (
                lambda p: (f"{T}/{p.pk}/documents/{p.documents.get().pk}", {"title": "Specification v2"})
            )(_with_document(w, fresh=True)),
            MANAGERS_200,
            default=404,
            multipart=True,
        ),
        "tender_document_remove": Case(
            lambda w, r: (lambda p: (f"{T}/{p.pk}/documents/{p.documents.get().pk}", None))(
                _with_document(w, fresh=True)
            ),
            {CA: 204, CM: 204},
            default=404,
        ),
        "tender_contract": Case(lambda w, r: (f"{T}/{_tender(w, 'awarded').pk}/contract", None), ALL_200),
        "tender_contract_milestone_add": Case(
            lambda w, r: (
                f"{T}/{_tender(w, 'awarded').pk}/contract/milestones",
                {"title": f"Review {r}", "due_on": "2027-03-01"},
            ),
            {CA: 201, CM: 201},
        ),
        "tender_contract_milestone_record": Case(
            lambda w, r: (f"{T}/{_with_milestone(w).pk}/contract/milestones/1", {"met": False}),
            MANAGERS_200,
        ),
        "tender_contract_vary": Case(
            lambda w, r: (
                f"{T}/{_tender(w, 'awarded').pk}/contract/variations",
                {
                    "description": "Adds A3",
                    "rationale": "Price review clause",
                    "annual_value_change": "10.00",
                },
            ),
            {CA: 201, CM: 201},
        ),
        "tender_contract_assess": Case(
            lambda w, r: (
                f"{T}/{_tender(w, 'awarded').pk}/contract/assessments",
                {"kpi": "On time", "period_end": "2026-01-31", "rating": "good"},
            ),
            {CA: 201, CM: 201},
        ),
        "tender_contract_terminate": Case(
            lambda w, r: (
                f"{T}/{_tender(w, 'awarded', fresh=True).pk}/contract/termination",
                {"reason": "Ceased"},
            ),
            MANAGERS_200,
        ),
        "tender_create": Case(
            lambda w, r: (T, {"title": f"New {r}", "lots": [{"title": "Paper"}]}), {CA: 201, CM: 201}
        ),
        "tender_lot_add": Case(
            lambda w, r: (f"{T}/{_tender(w, 'draft', fresh=True).pk}/lots", {"title": "Pens"}),
            {CA: 201, CM: 201},
            default=404,
        ),
        "tender_demand_open": Case(
            lambda w, r: (
                f"{T}/{_tender(w, 'draft', fresh=True).pk}/demand/open",
                {"closes_on": "2099-01-01"},
            ),
            MANAGERS_200,
            default=404,
        ),
        "tender_demand_get": Case(
            lambda w, r: (f"{T}/{_tender(w, 'demand').pk}/demand", None), {**ALL_200, SU: 404}
        ),
        "tender_demand_record": Case(
            lambda w, r: (
                f"{T}/{_tender(w, 'demand', fresh=True).pk}/demand",
                {
                    "rows": [
                        {
                            "lot_number": 1,
                            "needed_from": "2027-04-01",
                            "annual_value": "1000.00",
                            "will_use": True,
                        }
                    ]
                },
            ),
            {MB: 200, AP: 200, CO: 200, SU: 404},
        ),
        "tender_preparation_start": Case(
            lambda w, r: (
                f"{T}/{_tender(w, 'draft', fresh=True).pk}/preparation",
                {"reason": "Direct award: the only supplier able to extend the system"},
            ),
            MANAGERS_200,
            default=404,
        ),
        "tender_demand_close": Case(
            lambda w, r: (f"{T}/{_tender(w, 'demand', fresh=True).pk}/demand/close", None),
            {**MANAGERS_200, SU: 404},
        ),
        "tender_timetable_set": Case(
            lambda w, r: (
                f"{T}/{_tender(w, 'preparation', fresh=True).pk}/timetable",
                {
                    "procedure": "open",
                    "publication": "2099-01-04",
                    "clarification_deadline": "2099-01-25",
                    "tender_deadline": "2099-02-01",
                    "evaluation_ends": "2099-02-20",
                    "award_decision": "2099-02-20",
                    "standstill_ends": "2099-03-06",
                    "contract_start": "2099-04-01",
                },
            ),
            {**MANAGERS_200, SU: 404},
        ),
        "tender_criterion_add": Case(
            lambda w, r: (
                f"{T}/{_tender(w, 'draft', fresh=True).pk}/criteria",
                {"title": "Extra", "weight": "5"},
            ),
            {CA: 201, CM: 201},
            default=404,
        ),
        "tender_lot_change": Case(
            lambda w, r: (f"{T}/{_tender(w, 'draft', fresh=True).pk}/lots/1", {"title": "Pens, blue"}),
            MANAGERS_200,
            default=404,
        ),
        "tender_lot_remove": Case(
            lambda w, r: (f"{T}/{_tender(w, 'draft', fresh=True).pk}/lots/1", None),
            {CA: 204, CM: 204},
            default=404,
        ),
        "tender_schedule_item_add": Case(
            lambda w, r: (f"{T}/{_tender(w, 'draft', fresh=True).pk}/lots/1/items", {"description": "Card"}),
            {CA: 201, CM: 201},
            default=404,
        ),
        "tender_schedule_item_change": Case(
            lambda w, r: (
                f"{T}/{_tender(w, 'draft', fresh=True).pk}/lots/1/items/1",
                {"description": "Paper, A4", "quantity": "500"},
            ),
            MANAGERS_200,
            default=404,
        ),
        "tender_schedule_item_remove": Case(
            lambda w, r: (lambda p: (f"{T}/{p.pk}/lots/1/items/1", None))(_two_items(w)),
            {CA: 204, CM: 204},
            default=404,
        ),
        "tender_criterion_change": Case(
            lambda w, r: (
                lambda p: (
                    f"{T}/{p.pk}/criteria/{p.criteria.first().pk}",
                    {"title": "Quality", "weight": "60"},
                )
            )(_tender(w, "draft", fresh=True)),
            MANAGERS_200,
            default=404,
        ),
        "tender_criterion_remove": Case(
            lambda w, r: (lambda p: (f"{T}/{p.pk}/criteria/{p.criteria.first().pk}", None))(
                _tender(w, "draft", fresh=True)
            ),
            {CA: 204, CM: 204},
            default=404,
        ),
        "tender_bidders_invite": Case(
            lambda w, r: (
                f"{T}/{_tender(w, 'preparation', fresh=True).pk}/invited-suppliers",
                {"supplier_ids": [w.supplier.pk]},
            ),
            {**MANAGERS_200, SU: 404},
        ),
        "tender_publish": Case(
            lambda w, r: (f"{T}/{_tender(w, 'preparation', fresh=True).pk}/publish", None),
            {**MANAGERS_200, SU: 404},
        ),
        "tender_amend": Case(
            lambda w, r: (
                f"{T}/{_tender(w, 'open', fresh=True).pk}/amendments",
                {"description": "Lot 1 adds A3 paper", "rationale": "Members asked"},
            ),
            {CA: 201, CM: 201},
        ),
        "tender_amendments": Case(lambda w, r: (f"{T}/{_tender(w, 'open').pk}/amendments", None), ALL_200),
        "tender_cancel": Case(
            lambda w, r: (f"{T}/{_tender(w, 'open', fresh=True).pk}/cancel", {"reason": "Budget withdrawn"}),
            MANAGERS_200,
        ),
        "tender_interest": Case(lambda w, r: (f"{T}/{_tender(w, 'open').pk}/interest", None), {SU: 200}),
        "tender_clarification_list": Case(
            lambda w, r: (f"{T}/{_tender(w, 'open').pk}/clarifications", None), ALL_200
        ),
        "tender_clarification_ask": Case(
            lambda w, r: (f"{T}/{_tender(w, 'open').pk}/clarifications", {"question": "Is 75gsm fine?"}),
            {SU: 201},
        ),
        "tender_clarification_answer": Case(
            lambda w, r: (lambda p, c: (f"{T}/{p}/clarifications/{c}/answer", {"answer": "80gsm only"}))(
                *_question(w)
            ),
            MANAGERS_200,
        ),
        "tender_bid_submit": Case(
            lambda w, r: (
                lambda p: (
                    f"{T}/{p.pk}/lots/1/bid",
                    {
                        "answers": _answers(p),
                        "price_lines": [{"item": 1, "unit_price": "4.10"}],
                    },
                )
            )(_tender(w, "open")),
            {SU: 200},
        ),
        "tender_my_bids": Case(lambda w, r: (f"{T}/{_tender(w, 'open').pk}/my-bids", None), ALL_200),
        "tender_bid_withdraw": Case(
            lambda w, r: (lambda p: (f"{T}/{p.pk}/bids/{_our_bid(p, w)}/withdraw", None))(
                _tender(w, "open", fresh=True)
            ),
            {SU: 200},
            default=404,
        ),
        # Sealed: before the deadline nobody but the bidder reads a bid, or even the list.
        "tender_bid_list": Case(lambda w, r: (f"{T}/{_tender(w, 'open').pk}/bids", None), {}),
        "tender_bid_get": Case(
            lambda w, r: (lambda p: (f"{T}/{p.pk}/bids/{_our_bid(p, w)}", None))(_tender(w, "open")),
            {SU: 200},
        ),
        "tender_opening_record": Case(
            lambda w, r: (f"{T}/{_after_deadline(w).pk}/openings", None), MANAGERS_200
        ),
        "tender_evaluator_assign": Case(
            lambda w, r: (
                lambda p: (
                    f"{T}/{p.pk}/evaluators",
                    {"criterion_id": _judged(p), "evaluator_id": w.people[EV].pk},
                )
            )(_tender(w, "preparation")),
            {CA: 201, CM: 201, SU: 404},
        ),
        "tender_declaration": Case(
            lambda w, r: (f"{T}/{_tender(w, 'evaluation', fresh=True).pk}/declaration", {"conflict": False}),
            {EV: 200},
            default=404,
        ),
        "tender_scoresheet": Case(
            lambda w, r: (lambda p: (f"{T}/{p.pk}/criteria/{_judged(p)}/scores", _sheet(p)))(
                _tender(w, "declared")
            ),
            {EV: 200},
        ),
        "tender_moderation": Case(
            lambda w, r: (lambda p: (f"{T}/{p.pk}/criteria/{_judged(p)}/moderation", _sheet(p)))(
                _tender(w, "scored")
            ),
            MANAGERS_200,
        ),
        "tender_scores_submit": Case(
            lambda w, r: (lambda p: (f"{T}/{p.pk}/scores", _workbook(p)))(_tender(w, "declared")), {EV: 200}
        ),
        "tender_consensus_submit": Case(
            lambda w, r: (lambda p: (f"{T}/{p.pk}/consensus", _workbook(p)))(
                _tender(w, "scored", fresh=True)
            ),
            MANAGERS_200,
        ),
        "tender_results": Case(
            lambda w, r: (f"{T}/{_tender(w, 'moderated').pk}/results", None), MANAGERS_200
        ),
        "tender_award_approve": Case(
            lambda w, r: (f"{T}/{_tender(w, 'results', fresh=True).pk}/award", None), {CA: 200}
        ),
        "tender_conclude": Case(lambda w, r: (f"{T}/{_standstill_over(w).pk}/conclude", None), MANAGERS_200),
        "tender_bid_summary": Case(
            lambda w, r: (lambda p: (f"{T}/{p.pk}/bids/{_our_bid(p, w)}/summary", None))(
                _tender(w, "standstill")
            ),
            {CA: 200, CM: 200, SU: 200},
        ),
        "tender_ocds_releases": Case(
            lambda w, r: (f"{T}/{_tender(w, 'awarded').pk}/ocds/releases", None), ALL_200, anonymous=200
        ),
        "tender_ocds_record": Case(
            lambda w, r: (f"{T}/{_tender(w, 'awarded').pk}/ocds/record", None), ALL_200, anonymous=200
        ),
        "tender_notices": Case(
            lambda w, r: (f"{T}/{_tender(w, 'awarded').pk}/notices", None), ALL_200, anonymous=200
        ),
    }
)


# Cross-organisation attempts: the same operations aimed at another member's records.
# --- shared citizen services: the handling partner's officer works a request; the
# partnership's admin sees the queue and figures but not a partner's request or citizen.
def _cz(w: World) -> Any:
    from consortium.citizen.tests.factories import citizen_world

    return citizen_world(w)


def _fresh_request(w: World) -> Any:
    """A request of its own for a step that changes it for good (passing it on)."""
    from consortium.citizen import services as citizen_services
    from consortium.citizen.tests.factories import report

    _, secret = citizen_services.request_submit(data=report(_cz(w).service, email="another@example.org"))
    return citizen_services.request_confirm(secret=secret)


def _contact(w: World) -> int:
    from consortium.citizen import services as citizen_services

    return citizen_services.citizen_add(request=_fresh_request(w), text="Any news?").pk


def _level(w: World) -> int:
    from consortium.citizen import services as citizen_services
    from consortium.citizen.schemas import ServiceLevelIn

    service = _cz(w).service
    return citizen_services.service_level_save(
        actor=w.actor(PO),
        service=service,
        data=ServiceLevelIn.model_validate({"service_id": service.pk, "target_working_days": 3}),
    ).pk


CZ_WORKERS = {PO: 200, CA: 200}
API_CASES.update(
    {
        "citizen_request_list": Case(
            lambda w, r: ("/api/v1/citizen/service-requests?due=overdue", None), CZ_WORKERS
        ),
        "citizen_request_get": Case(
            lambda w, r: (f"/api/v1/citizen/service-requests/{_cz(w).request.pk}", None), {PO: 200, CA: 404}
        ),
        "citizen_request_update": Case(
            lambda w, r: (
                f"/api/v1/citizen/service-requests/{_cz(w).request.pk}/updates",
                {"internal_note": "Crew booked"},
            ),
            {PO: 200, CA: 404},
        ),
        "citizen_request_assign": Case(
            lambda w, r: (
                f"/api/v1/citizen/service-requests/{_cz(w).request.pk}/assignment",
                {"person_id": None},
            ),
            {PO: 200, CA: 404},
        ),
        "citizen_request_reroute": Case(
            lambda w, r: (
                f"/api/v1/citizen/service-requests/{_fresh_request(w).pk}/reroute",
                {"partner_id": w.other_member.pk, "reason": "Theirs by agreement"},
            ),
            {PO: 200, CA: 404},
        ),
        "citizen_contact_reclassify": Case(
            lambda w, r: (f"/api/v1/citizen/contacts/{_contact(w)}/classification", {"demand": "value"}),
            # The partnership's admin sees that contacts exist (the totals), not to classify them.
            {PO: 200},
        ),
        "citizen_service_level_list": Case(lambda w, r: ("/api/v1/citizen/service-levels", None), CZ_WORKERS),
        "citizen_service_level_save": Case(
            lambda w, r: (
                "/api/v1/citizen/service-levels",
                {"service_id": _cz(w).service.pk, "target_working_hours": 8},
            ),
            {PO: 200},
        ),
        "citizen_service_level_remove": Case(
            lambda w, r: (f"/api/v1/citizen/service-levels/{_level(w)}", None), {PO: 204}
        ),
        "citizen_figures": Case(lambda w, r: ("/api/v1/citizen/figures", None), CZ_WORKERS),
    }
)


# --- contact routing: partner officers are agents (the console, their partner's figures); the
# consortium's admins supervise (rules, queues, agents, platforms); platforms sign their calls,
# so a person's session or token opens none of the integration API.
def _centre(w: World) -> Any:
    from consortium.contacts.tests.factories import centre

    return centre(w)


def _held(w: World, status: str = "answered") -> int:
    from consortium.contacts.tests.factories import held_by_officer

    return held_by_officer(_centre(w), status)


def _queue_body(w: World, code: str) -> dict[str, Any]:
    return {
        "code": code,
        "name": f"Queue {code}",
        "partner_id": w.member.pk,
        "opening_hours": {"mon": {"opens": "09:00", "closes": "17:00"}},
    }


def _spare_rule(w: World) -> int:
    from consortium.contacts import services as contact_services
    from consortium.contacts.schemas import RuleIn

    rule, _ = contact_services.rule_save(
        actor=w.actor(CA),
        data=RuleIn.model_validate({"order": 99, "name": "Spare", "queue_id": _centre(w).main.pk}),
    )
    return rule.pk


PLATFORM_ONLY = {"default": 401, "anonymous": 401}
API_CASES.update(
    {
        "contacts_inbound": Case(
            lambda w, r: ("/api/v1/contact-routing/inbound", {"channel": "phone"}), {}, **PLATFORM_ONLY
        ),
        "contacts_poll": Case(
            lambda w, r: ("/api/v1/contact-routing/inbound/CT-2026-0000001", None), {}, **PLATFORM_ONLY
        ),
        "contacts_event": Case(
            lambda w, r: ("/api/v1/contact-routing/inbound/CT-2026-0000001/events", {"kind": "ended"}),
            {},
            **PLATFORM_ONLY,
        ),
        "contacts_console": Case(
            lambda w, r: (_centre(w) and "/api/v1/contact-routing/console", None), {PO: 200}
        ),
        "contacts_state": Case(
            lambda w, r: (_centre(w) and "/api/v1/contact-routing/console/state", {"state": "break"}),
            {PO: 200},
        ),
        "contacts_accept": Case(
            lambda w, r: (f"/api/v1/contact-routing/contacts/{_held(w, 'offered')}/accept", {}), {PO: 200}
        ),
        "contacts_end": Case(
            lambda w, r: (f"/api/v1/contact-routing/contacts/{_held(w)}/end", {}), {PO: 200}
        ),
        "contacts_transfer": Case(
            lambda w, r: (
                f"/api/v1/contact-routing/contacts/{_held(w)}/transfer",
                {"queue_id": _centre(w).switchboard.pk},
            ),
            {PO: 200},
        ),
        "contacts_wrap_up": Case(
            lambda w, r: (
                f"/api/v1/contact-routing/contacts/{_held(w)}/wrap-up",
                {"outcome": "resolved", "demand": "value"},
            ),
            {PO: 200},
        ),
        "contacts_figures": Case(
            lambda w, r: (_centre(w) and "/api/v1/contact-routing/figures", None), {PO: 200, CA: 200}
        ),
        "contacts_queue_list": Case(
            lambda w, r: (_centre(w) and "/api/v1/contact-routing/queues", None), {PO: 200, CA: 200}
        ),
        "contacts_queue_create": Case(
            lambda w, r: ("/api/v1/contact-routing/queues", _queue_body(w, f"q-{r}".replace("_", "-"))),
            {CA: 201},
        ),
        "contacts_queue_update": Case(
            lambda w, r: (
                f"/api/v1/contact-routing/queues/{_centre(w).main.pk}",
                _queue_body(w, "member-main"),
            ),
            {CA: 200},
        ),
        "contacts_agent_list": Case(
            lambda w, r: (_centre(w) and "/api/v1/contact-routing/agents", None), {CA: 200}
        ),
        "contacts_agent_save": Case(
            lambda w, r: (
                "/api/v1/contact-routing/agents",
                {"person_id": w.people[PO].pk, "queues": [{"queue_id": _centre(w).main.pk, "penalty": 0}]},
            ),
            {CA: 200},
        ),
        "contacts_rule_list": Case(
            lambda w, r: (_centre(w) and "/api/v1/contact-routing/rules", None), {CA: 200}
        ),
        "contacts_rule_create": Case(
            lambda w, r: (
                "/api/v1/contact-routing/rules",
                {"order": 5, "name": "New", "queue_id": _centre(w).main.pk},
            ),
            {CA: 201},
        ),
        "contacts_rule_update": Case(
            lambda w, r: (
                f"/api/v1/contact-routing/rules/{_centre(w).rules[1].pk}",
                {"order": 20, "name": "Bins", "menu_choice": "1", "queue_id": _centre(w).main.pk},
            ),
            {CA: 200},
        ),
        "contacts_rule_delete": Case(
            lambda w, r: (f"/api/v1/contact-routing/rules/{_spare_rule(w)}", None), {CA: 204}
        ),
        "contacts_what_if": Case(
            lambda w, r: (_centre(w) and "/api/v1/contact-routing/what-if", {"channel": "chat"}), {CA: 200}
        ),
    }
)

API_CROSS_CASES: dict[str, Case] = {
    # Opened, with the evaluator declared: the managers and that evaluator read bids; no one else.
    "tender_bid_list": Case(
        lambda w, r: (f"/api/v1/tenders/{_tender(w, 'declared').pk}/bids", None), {CA: 200, CM: 200, EV: 200}
    ),
    "tender_bid_get": Case(
        lambda w, r: (lambda p: (f"/api/v1/tenders/{p.pk}/bids/{_our_bid(p, w)}", None))(
            _tender(w, "declared")
        ),
        {CA: 200, CM: 200, EV: 200, SU: 200},
    ),
    "organisation_update": Case(
        lambda w, r: (f"/api/v1/organisations/{w.other_member.pk}", {"town": "Leek"}), {CA: 200}
    ),
    "role_grant": Case(
        lambda w, r: (
            f"/api/v1/people/{w.outsider.pk}/roles",
            {"organisation_id": w.other_member.pk, "role": Role.APPROVER},
        ),
        {CA: 201},
        default=404,
    ),
    "role_revoke": Case(
        lambda w, r: (
            f"/api/v1/role-assignments/{w.outsider.role_assignments.order_by('pk').first().pk}",
            None,
        ),
        {CA: 204},
        default=404,
    ),
    "invitation_create": Case(
        lambda w, r: (
            "/api/v1/invitations",
            {"email": f"{r}-x@example.org", "role": "supplier_user", "organisation_id": w.other_supplier.pk},
        ),
        # A supplier that has people of its own decides who joins it: nobody outside may add one.
        {},
    ),
    "invitation_revoke": Case(
        lambda w, r: (f"/api/v1/invitations/{_invitation(w, w.other_member).pk}/revoke", {}),
        {CA: 200},
        default=404,
    ),
    # Another member's order, and an item on a contract only another member may use.
    "order_get": Case(
        lambda w, r: (f"/api/v1/orders/{_order(w, member='other')}", None), {CA: 200, CM: 200}, default=404
    ),
    "catalogue_item_get": Case(
        lambda w, r: (
            f"/api/v1/catalogue/items/{__import__('consortium.catalogue.models', fromlist=['x']).CatalogueItem.objects.get(supplier_code='S-1').pk}",
            None,
        ),
        {CA: 200, CM: 200},
        default=404,
    ),
    "spend_file_analysis": Case(
        lambda w, r: (f"/api/v1/spend-files/{_spend_file(w, member='other')}/analysis", None),
        {CA: 200, CM: 200, SU: 403},
        default=404,
    ),
    # Another council's client: a commissioner here cannot even learn it exists.
    "care_assessment_get": Case(
        lambda w, r: (f"/api/v1/care/assessments/{_other_council_client(w)}", None), {CO: 404}
    ),
    "care_quote_list": Case(
        lambda w, r: (f"/api/v1/care/assessments/{_other_council_client(w)}/quotes", None), {CO: 404}
    ),
    "care_negotiation_open": Case(
        lambda w, r: (
            "/api/v1/care/negotiations",
            {"assessment_id": _other_council_client(w), "menu_id": _care(w)[1].pk},
        ),
        {CO: 404},
    ),
}


def _other_council_client(world: World) -> int:
    from consortium.care.models import NeedsAssessment

    return NeedsAssessment.objects.get(client_reference="X9", council__name="Stoke-on-Trent City Council").pk


def _operations() -> list[tuple[str, str, str]]:
    schema = api.get_openapi_schema()
    return [
        (op["operationId"], method.upper(), path)
        for path, methods in schema["paths"].items()
        for method, op in methods.items()
    ]


def test_every_api_operation_has_stated_access():
    missing = sorted(op for op, _, _ in _operations() if op not in API_CASES)
    assert not missing, f"State who may call these in API_CASES: {missing}"


def _call(
    client: Client,
    method: str,
    path: str,
    body: dict[str, Any] | None,
    token: str | None,
    multipart: bool = False,
):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    kwargs: dict[str, Any] = {}
    if body is not None:
        kwargs = (
            {"data": body} if multipart else {"data": json.dumps(body), "content_type": "application/json"}
        )
    return getattr(client, method.lower())(path, **kwargs, **headers)


@pytest.mark.parametrize("role", [*ROLES, ANON])
def test_api_access_for_every_role(world, care, market, token_for, role):
    client = Client()
    token = None if role == ANON else token_for(role)
    failures = []
    for operation_id, method, _ in _operations():
        for table in (API_CASES, API_CROSS_CASES):
            case = table.get(operation_id)
            if case is None:
                continue
            path, body = case.build(world, role if role != ANON else CA)
            response = _call(client, method, path, body, token, case.multipart)
            expected = case.status_for(role)
            if response.status_code != expected:
                failures.append(
                    f"{operation_id} {method} {path}: expected {expected}, got {response.status_code} "
                    f"{response.content[:200]!r}"
                )
            elif expected == 200 and response["Content-Type"].startswith("application/json"):
                for check in case.checks:
                    check(world, role, response.json())
    assert not failures, "\n".join(failures)


# --- pages -------------------------------------------------------------------------

PageBuild = Callable[[World, str], str]


@dataclass
class Page:
    build: PageBuild
    expect: dict[str, int]
    default: int = 200
    anonymous: int = 302

    def status_for(self, role: str) -> int:
        if role == ANON:
            return self.anonymous
        return self.expect.get(role, self.default)


def _citizen(w):  # type: ignore[no-untyped-def]
    from consortium.citizen.tests.factories import citizen_world

    return citizen_world(w)


CITIZEN_WORKERS = {PO: 200, CA: 200}

PAGES: dict[str, Page] = {
    "home": Page(lambda w, r: "/", {}),
    "citizen-report": Page(lambda w, r: "/report/", {}, anonymous=200),
    "contacts-supervisor": Page(
        lambda w, r: _centre(w) and "/contact-centre/", {PO: 200, CA: 200}, default=403
    ),
    "contacts-console": Page(lambda w, r: _centre(w) and "/contact-centre/console/", {PO: 200}, default=403),
    "contacts-console-panel": Page(
        lambda w, r: _centre(w) and "/contact-centre/console/panel/", {PO: 200}, default=403
    ),
    "contacts-rules": Page(lambda w, r: _centre(w) and "/contact-centre/rules/", {CA: 200}, default=403),
    "contacts-rule": Page(
        lambda w, r: f"/contact-centre/rules/{_centre(w).rules[0].pk}/", {CA: 200}, default=403
    ),
    "contacts-setup": Page(lambda w, r: _centre(w) and "/contact-centre/queues/", {CA: 200}, default=403),
    "contacts-queue": Page(
        lambda w, r: f"/contact-centre/queues/{_centre(w).main.pk}/", {CA: 200}, default=403
    ),
    "contacts-platforms": Page(
        lambda w, r: _centre(w) and "/contact-centre/platforms/", {CA: 200}, default=403
    ),
    "citizen-check-email": Page(lambda w, r: "/report/check-your-email/", {}, anonymous=200),
    "citizen-confirm": Page(lambda w, r: "/report/confirm/not-a-secret/", {}, default=404, anonymous=404),
    "citizen-track": Page(lambda w, r: "/report/track/not-signed/", {}, default=404, anonymous=404),
    "citizen-report-form": Page(lambda w, r: f"/report/{_citizen(w).service.code}/", {}, anonymous=200),
    "citizen-queue": Page(lambda w, r: "/service-requests/", CITIZEN_WORKERS, default=403),
    "citizen-mi": Page(lambda w, r: "/service-requests/figures/", CITIZEN_WORKERS, default=403),
    # The partnership's admin sees totals and triage, not a partner's requests with their citizens.
    "citizen-request": Page(
        lambda w, r: f"/service-requests/{_citizen(w).request.pk}/", {PO: 200, CA: 404}, default=403
    ),
    "citizen-request-photo": Page(
        lambda w, r: f"/service-requests/{_citizen(w).request.pk}/photos/999999/",
        {PO: 404, CA: 404},
        default=403,
    ),
    "citizen-services": Page(lambda w, r: "/citizen-services/", CITIZEN_WORKERS, default=403),
    "citizen-routing": Page(lambda w, r: "/citizen-services/routing/", {CA: 200}, default=403),
    "citizen-service-levels": Page(
        lambda w, r: "/citizen-services/service-levels/", CITIZEN_WORKERS, default=403
    ),
    "citizen-service-new": Page(lambda w, r: "/citizen-services/new/", {PO: 200}, default=403),
    "citizen-service-edit": Page(
        lambda w, r: f"/citizen-services/{_citizen(w).service.pk}/", {PO: 200}, default=403
    ),
    "citizen-open311-key": Page(
        lambda w, r: "/citizen-services/open311-keys/", {}, default=405, anonymous=405
    ),
    "open311-discovery": Page(lambda w, r: "/open311/v2/discovery.json", {}, anonymous=200),
    "open311-services": Page(lambda w, r: "/open311/v2/services.xml", {}, anonymous=200),
    "open311-service": Page(
        lambda w, r: f"/open311/v2/services/{_citizen(w).service.code}.json", {}, anonymous=200
    ),
    "open311-requests": Page(lambda w, r: "/open311/v2/requests.json", {}, anonymous=200),
    "open311-request": Page(
        lambda w, r: f"/open311/v2/requests/{_citizen(w).request.reference}.xml", {}, anonymous=200
    ),
    "open311-request-singular": Page(
        lambda w, r: f"/open311/v2/request/{_citizen(w).request.reference}.json", {}, anonymous=200
    ),
    "open311-token": Page(
        lambda w, r: f"/open311/v2/tokens/{_citizen(w).request.token}.json", {}, anonymous=200
    ),
    "open311-updates": Page(lambda w, r: "/open311/v2/servicerequestupdates.json", {}, anonymous=200),
    "healthz": Page(lambda w, r: "/healthz", {}, anonymous=200),
    "sign-in": Page(lambda w, r: "/sign-in/", {}, default=302, anonymous=200),
    "sign-out": Page(lambda w, r: "/sign-out/", {}, default=405, anonymous=405),
    "switch-organisation": Page(lambda w, r: "/switch-organisation/", {}, default=405, anonymous=405),
    "password_reset": Page(lambda w, r: "/password-reset/", {}, anonymous=200),
    "password_reset_done": Page(lambda w, r: "/password-reset/sent/", {}, anonymous=200),
    "password_reset_confirm": Page(lambda w, r: "/password-reset/MQ/bad-token/", {}, anonymous=200),
    "password_reset_complete": Page(lambda w, r: "/password-reset/done/", {}, anonymous=200),
    "member-list": Page(lambda w, r: "/members/?show=all&kind=school", {}),
    "organisation-new": Page(lambda w, r: "/organisations/new/", {CA: 200}, default=403),
    "organisation-detail": Page(lambda w, r: f"/organisations/{w.other_member.pk}/", {}),
    "person-list": Page(lambda w, r: "/people/", {}),
    "person-detail": Page(lambda w, r: f"/people/{w.outsider.pk}/", {CA: 200}, default=404),
    "invitation-list": Page(lambda w, r: "/invitations/", {}),
    "invitation-new": Page(
        lambda w, r: "/invitations/new/", {CA: 200, CM: 200, AP: 200, SU: 200}, default=403
    ),
    "invitation-revoke": Page(lambda w, r: "/invitations/1/revoke/", {}, default=405, anonymous=405),
    "invitation-accept": Page(lambda w, r: "/invitations/not-a-token/", {}, default=404, anonymous=404),
    "account": Page(lambda w, r: "/account/", {}),
    "password_change": Page(lambda w, r: "/account/password/", {}),
    "password_change_done": Page(lambda w, r: "/account/password/done/", {}),
    "activity": Page(lambda w, r: "/activity/", {}),
    "activity-csv": Page(lambda w, r: "/activity.csv", {}),
    "activity-object": Page(lambda w, r: f"/activity/organisations.organisation/{w.member.pk}/", {}),
    "demo-mailbox": Page(lambda w, r: "/demo/mailbox/", {}, default=404),
    "search": Page(lambda w, r: "/marketplace/?q=pens&category=stationery", SEARCHERS, default=403),
    "item-detail": Page(lambda w, r: f"/marketplace/items/{_market(w).pk}/", {}),
    "item-image": Page(lambda w, r: f"/marketplace/items/{_pictured(w)}/image", {}),
    "item-image-edit": Page(
        lambda w, r: f"/supplier/catalogue/{_market(w).pk}/image/", {SU: 200}, default=403
    ),
    "own-catalogue": Page(lambda w, r: "/supplier/catalogue/", {SU: 200}, default=403),
    "price-changes": Page(lambda w, r: "/price-changes/", {CA: 200, CM: 200, SU: 200}, default=403),
    "contract-list": Page(lambda w, r: "/contracts/", {}),
    "contract-detail": Page(lambda w, r: f"/contracts/{_market(w).lot.contract_id}/", {}),
    "tender-list": Page(lambda w, r: "/tenders/", {}),
    "tender-new": Page(lambda w, r: "/tenders/new/", {CA: 200, CM: 200}, default=403),
    "tender-detail": Page(lambda w, r: f"/tenders/{_tender(w, 'awarded').pk}/", {}),
    "tender-document-new": Page(
        lambda w, r: f"/tenders/{_tender(w, 'draft').pk}/documents/new/", MANAGERS_200, default=403
    ),
    "tender-document-edit": Page(
        lambda w, r: (lambda p: f"/tenders/{p.pk}/documents/{p.documents.get().pk}/edit/")(_with_document(w)),
        MANAGERS_200,
        default=403,
    ),
    # Before publication a tender document is its managers' alone; published, anyone's.
    "tender-document": Page(
        lambda w, r: (lambda p: f"/tenders/{p.pk}/documents/{p.documents.get().pk}/")(_with_document(w)),
        MANAGERS_200,
        default=404,
        anonymous=404,
    ),
    "tender-contract": Page(lambda w, r: f"/tenders/{_tender(w, 'awarded').pk}/contract/", {}),
    "tender-contract-form": Page(
        lambda w, r: f"/tenders/{_tender(w, 'awarded').pk}/contract/variation/", MANAGERS_200, default=403
    ),
    "tender-contract-milestone": Page(
        lambda w, r: f"/tenders/{_with_milestone(w).pk}/contract/milestones/1/", MANAGERS_200, default=403
    ),
    "tender-act": Page(
        lambda w, r: f"/tenders/{_tender(w, 'draft').pk}/act/", {}, default=405, anonymous=405
    ),
    # Correcting set-up is the managers': to everyone else a draft is not there to see.
    "tender-lot": Page(lambda w, r: f"/tenders/{_tender(w, 'draft').pk}/lots/1/", MANAGERS_200, default=403),
    "tender-schedule-item-new": Page(
        lambda w, r: f"/tenders/{_tender(w, 'draft').pk}/lots/1/items/new/", MANAGERS_200, default=403
    ),
    "tender-schedule-item": Page(
        lambda w, r: f"/tenders/{_tender(w, 'draft').pk}/lots/1/items/1/", MANAGERS_200, default=403
    ),
    "tender-criterion": Page(
        lambda w, r: (lambda p: f"/tenders/{p.pk}/criteria/{p.criteria.first().pk}/")(_tender(w, "draft")),
        MANAGERS_200,
        default=403,
    ),
    "tender-amend": Page(lambda w, r: f"/tenders/{_tender(w, 'open').pk}/amend/", MANAGERS_200, default=403),
    "tender-timetable": Page(
        lambda w, r: f"/tenders/{_tender(w, 'preparation').pk}/timetable/",
        {CA: 200, CM: 200, SU: 404},
        default=403,
    ),
    "tender-demand": Page(
        lambda w, r: f"/tenders/{_tender(w, 'demand').pk}/demand/",
        {MB: 200, AP: 200, CO: 200, SU: 404},
        default=403,
    ),
    "tender-demand-workbook": Page(
        lambda w, r: f"/tenders/{_tender(w, 'demand').pk}/demand.xlsx",
        {MB: 200, AP: 200, CO: 200, SU: 404},
        default=403,
    ),
    "tender-clarifications": Page(lambda w, r: f"/tenders/{_tender(w, 'open').pk}/clarifications/", {}),
    "tender-bid": Page(lambda w, r: f"/tenders/{_tender(w, 'open').pk}/lots/1/bid/", {SU: 200}, default=403),
    "tender-bid-detail": Page(
        lambda w, r: (lambda p: f"/tenders/{p.pk}/bids/{_our_bid(p, w)}/")(_tender(w, "open")),
        {SU: 200},
        default=403,
    ),
    "tender-summary": Page(
        lambda w, r: (lambda p: f"/tenders/{p.pk}/bids/{_our_bid(p, w)}/summary/")(_tender(w, "standstill")),
        {CA: 200, CM: 200, SU: 200},
        default=403,
    ),
    "tender-evaluation": Page(
        lambda w, r: f"/tenders/{_tender(w, 'evaluation').pk}/evaluation/", {EV: 200}, default=403
    ),
    "tender-scoring-workbook": Page(
        lambda w, r: f"/tenders/{_tender(w, 'declared').pk}/evaluation/scores.xlsx", {EV: 200}, default=403
    ),
    "tender-scoresheet": Page(
        lambda w, r: (lambda p: f"/tenders/{p.pk}/criteria/{_judged(p)}/score/")(_tender(w, "declared")),
        {EV: 200},
        default=403,
    ),
    "tender-moderation": Page(
        lambda w, r: (lambda p: f"/tenders/{p.pk}/criteria/{_judged(p)}/moderate/")(_tender(w, "scored")),
        {CA: 200, CM: 200},
        default=403,
    ),
    "tender-results": Page(
        lambda w, r: f"/tenders/{_tender(w, 'results').pk}/results/", {CA: 200, CM: 200}, default=403
    ),
    "tender-ocds-releases": Page(
        lambda w, r: f"/tenders/{_tender(w, 'awarded').pk}/ocds/releases.json", {}, anonymous=200
    ),
    "tender-ocds-record": Page(
        lambda w, r: f"/tenders/{_tender(w, 'awarded').pk}/ocds/record.json", {}, anonymous=200
    ),
    "tender-notice": Page(
        lambda w, r: (lambda p: f"/tenders/{p.pk}/notices/{p.notices.first().pk}/")(_tender(w, "awarded")),
        {},
        anonymous=200,
    ),
    "tender-notice-pdf": Page(
        lambda w, r: (lambda p: f"/tenders/{p.pk}/notices/{p.notices.first().pk}.pdf")(_tender(w, "awarded")),
        {},
        anonymous=200,
    ),
    # Open data is for anyone, signed in or not.
    "open-data": Page(lambda w, r: "/open-data/", {}, anonymous=200),
    "open-data-releases": Page(lambda w, r: "/open-data/releases.json", {}, anonymous=200),
    "open-data-records": Page(lambda w, r: "/open-data/records.json", {}, anonymous=200),
    "contract-new": Page(lambda w, r: "/contracts/new/", {CA: 200, CM: 200}, default=403),
    "contract-transition": Page(
        lambda w, r: f"/contracts/{_market(w).lot.contract_id}/status/", {}, default=405, anonymous=405
    ),
    "basket": Page(lambda w, r: "/basket/", BUYERS, default=403),
    "basket-add": Page(lambda w, r: "/basket/add/", {}, default=302),
    "order-list": Page(lambda w, r: "/orders/", {}),
    "order-export": Page(lambda w, r: "/orders.csv", {}),
    "order-detail": Page(lambda w, r: f"/orders/{_order(w)}/", {CO: 404}),
    # Only the person who placed the checkout sees its confirmation.
    "checkout-done": Page(lambda w, r: f"/basket/placed/{_checkout_key(w)}/", {MB: 200}, default=404),
    "buy-again": Page(lambda w, r: "/buy-again/", BUYERS, default=403),
    "saved-lists": Page(lambda w, r: "/lists/", BUYERS, default=403),
    "saved-list": Page(lambda w, r: f"/lists/{_saved_list(w)}/", BUYERS, default=403),
    "invoice-list": Page(lambda w, r: "/invoices/", INVOICE_READERS, default=403),
    "invoice-export": Page(lambda w, r: "/invoices.csv", INVOICE_READERS, default=403),
    "invoice-detail": Page(lambda w, r: f"/invoices/{_invoice(w)}/", INVOICE_READERS, default=403),
    "invoice-ubl": Page(lambda w, r: f"/invoices/{_invoice(w)}/ubl/", INVOICE_READERS, default=403),
    "invoice-document": Page(
        lambda w, r: f"/invoices/{_invoice(w, pdf=True)}/pdf/", INVOICE_READERS, default=403
    ),
    "invoice-new": Page(lambda w, r: f"/orders/{_invoiceable(w).pk}/invoice/", {SU: 200}, default=403),
    "invoice-upload": Page(lambda w, r: "/invoices/upload/", {SU: 200}, default=403),
    "invoice-tolerances": Page(lambda w, r: "/invoices/tolerances/", {CA: 200, CM: 200}, default=403),
    "mi": Page(lambda w, r: "/mi/", MI_READERS, default=403),
    "mi-export": Page(lambda w, r: "/mi/export/supplier.xlsx", MI_READERS, default=403),
    "spend-files": Page(lambda w, r: "/spend/", MI_READERS, default=403),
    "spend-template": Page(lambda w, r: "/spend/template.xlsx", {}),
    "spend-file": Page(lambda w, r: f"/spend/{_spend_file(w)}/", {**MI_READERS, CO: 404}, default=403),
    "catalogue-upload": Page(lambda w, r: "/supplier/catalogue/upload/", {SU: 200}, default=403),
    "catalogue-template": Page(lambda w, r: "/supplier/catalogue/template.xlsx", {SU: 200}, default=403),
    "approval-rules": Page(lambda w, r: "/approval-rules/", {AP: 200}, default=403),
    "care-home": Page(lambda w, r: "/care/", CARE_SEES, default=403),
    "care-assessment-new": Page(lambda w, r: "/care/assessments/new/", {CO: 200}, default=403),
    "care-assessment": Page(lambda w, r: f"/care/assessments/{_care(w)[0].pk}/", {CO: 200}, default=403),
    "care-negotiation": Page(
        lambda w, r: f"/care/negotiations/{_fresh_negotiation(w)}/", {CO: 200}, default=403
    ),
    "care-workbook": Page(
        lambda w, r: f"/care/negotiations/{_fresh_negotiation(w)}/workbook.xlsx", {CO: 200}, default=403
    ),
    "care-placements": Page(lambda w, r: "/care/placements/", {CO: 200}, default=403),
    "care-benchmarks": Page(lambda w, r: "/care/benchmarks/", CARE_SEES, default=403),
    "care-reports": Page(lambda w, r: "/care/reports/", {CO: 200, CA: 200, CM: 200}, default=403),
    "care-menu-new": Page(lambda w, r: "/care/menus/new/", {SU: 200}, default=403),
    "care-menu-upload": Page(lambda w, r: "/care/menus/upload/", {SU: 200}, default=403),
    "care-menu-template": Page(lambda w, r: "/care/menus/template.xlsx", CARE_SEES, default=403),
    "care-menu": Page(lambda w, r: f"/care/menus/{_care(w)[1].pk}/", CARE_SEES, default=403),
}


def _named_pages() -> set[str]:
    names: set[str] = set()

    def walk(patterns: list[URLPattern | URLResolver]) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.namespace in ("api", "admin") or str(p.pattern).startswith(("api/", "admin/")):
                    continue
                walk(p.url_patterns)
            elif p.name:
                names.add(p.name)

    walk(get_resolver().url_patterns)
    return names


def test_every_page_has_stated_access():
    missing = sorted(_named_pages() - PAGES.keys())
    assert not missing, f"State who may open these pages in PAGES: {missing}"


@pytest.mark.parametrize("role", [*ROLES, ANON])
def test_page_access_for_every_role(world, care, market, signed_in, role):
    client = Client() if role == ANON else signed_in(role)
    failures = []
    for name in sorted(_named_pages()):
        page = PAGES[name]
        path = page.build(world, role)
        response = client.get(path)
        if response.status_code != page.status_for(role):
            failures.append(f"{name} {path}: expected {page.status_for(role)}, got {response.status_code}")
    assert not failures, "\n".join(failures)


def test_people_page_shows_only_own_organisation(world, signed_in):
    content = signed_in(MB).get("/people/").content.decode()
    assert world.people[AP].email in content
    assert world.outsider.email not in content
    assert world.outsider.email in signed_in(CA).get("/people/").content.decode()


# --- joined-up directory: everyone signed in searches (suppliers see only what agencies open
# to everyone); staff of public bodies select, export and e-mail; the consortium's admins run
# the feeds; an agency's partner officers say who sees its fields.
def _dir(w: World) -> Any:
    from consortium.directory.tests.factories import directory_world

    return directory_world(w)


def _bob(w: World) -> int:
    return int(_dir(w).entry("bob.johnson@tamworth.example").pk)


def _selected(w: World, r: str) -> str:
    """The e-mail endpoint, with the directory's Bob in the role's selection where it may select."""
    from consortium.directory import services as directory_services

    # Roles that may not select simply have nothing selected.
    with contextlib.suppress(Exception):
        directory_services.select(actor=w.actor(r), entry_ids=[_bob(w)])
    return "/api/v1/directory/emails"


def _outsiders_email(w: World) -> int:
    from consortium.directory.models import GroupEmail

    _dir(w)
    msg = GroupEmail.objects.filter(sender=w.outsider).first() or GroupEmail.objects.create(
        sender=w.outsider, organisation=w.other_member, subject="Hello", body="x", mode="individual"
    )
    return int(msg.pk)


def _ldap_feed(w: World) -> int:
    from consortium.directory.models import Feed

    _dir(w)
    feed = Feed.objects.filter(name="LDAP feed").first() or Feed.objects.create(
        organisation=w.care_council,
        name="LDAP feed",
        kind="ldap",
        server_url="ldap://127.0.0.1:1",
        base_dn="dc=x",
        attribute_map={"given_name": "givenName", "family_name": "sn"},
    )
    return int(feed.pk)


def _conflict(w: World) -> int:
    from consortium.directory.models import Conflict, SyncRun

    d = _dir(w)
    c = Conflict.objects.filter(resolved_at__isnull=True).first()
    if c is None:
        run = SyncRun.objects.create(feed=d.county, status="applied")
        c = Conflict.objects.create(
            email="x@example.org", feed=d.county, external_id="c9", run=run, detail="Row 9 clashes"
        )
    return int(c.pk)


def _run_id(w: World) -> int:
    from consortium.directory.models import SyncRun

    _dir(w)
    return int(SyncRun.objects.order_by("id").first().pk)  # type: ignore[union-attr]


def _staff_csv(w: World, r: str) -> dict[str, Any]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from consortium.directory.tests.factories import TAMWORTH, csv_bytes

    _dir(w)
    return {"file": SimpleUploadedFile("staff.csv", csv_bytes(TAMWORTH)), "mode": "all_or_nothing"}


DIRECTORY_SEARCHERS: dict[str, int] = {r: 200 for r in (CA, CM, MB, AP, CO, EV, SU, PO, FO)}
SELECTORS_: dict[str, int] = {r: 200 for r in (CA, CM, MB, AP, CO, PO, FO)}
API_CASES.update(
    {
        "directory_search": Case(
            lambda w, r: (_dir(w) and "/api/v1/directory/people?q=smith", None), DIRECTORY_SEARCHERS
        ),
        # Suppliers see only what agencies open to everyone signed in: not these people.
        "directory_person": Case(
            lambda w, r: (f"/api/v1/directory/people/{_bob(w)}", None), {**DIRECTORY_SEARCHERS, SU: 404}
        ),
        "directory_selection": Case(lambda w, r: ("/api/v1/directory/selection", None), SELECTORS_),
        "directory_select": Case(
            lambda w, r: ("/api/v1/directory/selection", {"entry_ids": [_bob(w)]}), SELECTORS_
        ),
        "directory_unselect": Case(
            lambda w, r: ("/api/v1/directory/selection/remove", {"entry_ids": [_bob(w)]}), SELECTORS_
        ),
        "directory_clear": Case(
            lambda w, r: ("/api/v1/directory/selection", None), {r: 204 for r in SELECTORS_}
        ),
        "directory_export_csv": Case(lambda w, r: ("/api/v1/directory/selection.csv", None), SELECTORS_),
        "directory_export_vcard": Case(lambda w, r: ("/api/v1/directory/selection.vcf", None), SELECTORS_),
        "directory_email": Case(
            lambda w, r: (
                _selected(w, r),
                {"subject": "Shared training", "body": "Join us"},
            ),
            {r: 202 for r in SELECTORS_},
        ),
        "directory_emails": Case(lambda w, r: ("/api/v1/directory/emails", None), SELECTORS_),
        # Someone else's message: not found for anyone who may send, refused for the rest.
        "directory_email_progress": Case(
            lambda w, r: (f"/api/v1/directory/emails/{_outsiders_email(w)}", None),
            {r: 404 for r in SELECTORS_},
        ),
        "directory_visibility": Case(
            lambda w, r: (f"/api/v1/directory/visibility/{_dir(w).tamworth.organisation_id}", None), {CA: 200}
        ),
        "directory_visibility_set": Case(
            lambda w, r: (
                f"/api/v1/directory/visibility/{_dir(w).tamworth.organisation_id}",
                {"levels": {"phones": "own"}},
            ),
            {CA: 200},
        ),
        "directory_feeds": Case(lambda w, r: ("/api/v1/directory/feeds", None), {CA: 200}),
        "directory_feed_create": Case(
            lambda w, r: (
                "/api/v1/directory/feeds",
                {"organisation_id": w.member.pk, "name": f"Feed {r}", "kind": "file"},
            ),
            {CA: 201},
        ),
        "directory_feed_update": Case(
            lambda w, r: (
                f"/api/v1/directory/feeds/{_dir(w).county.pk}",
                {"organisation_id": w.care_council.pk, "name": "County staff", "kind": "file"},
            ),
            {CA: 200},
        ),
        "directory_feed_sync": Case(
            lambda w, r: (f"/api/v1/directory/feeds/{_ldap_feed(w)}/sync", {}), {CA: 202}
        ),
        "directory_feed_upload": Case(
            lambda w, r: (f"/api/v1/directory/feeds/{_dir(w).tamworth.pk}/upload", _staff_csv(w, r)),
            {CA: 202},
            multipart=True,
        ),
        "directory_syncs": Case(lambda w, r: ("/api/v1/directory/syncs", None), {CA: 200}),
        "directory_sync": Case(lambda w, r: (f"/api/v1/directory/syncs/{_run_id(w)}", None), {CA: 200}),
        "directory_conflicts": Case(lambda w, r: ("/api/v1/directory/conflicts", None), {CA: 200}),
        "directory_conflict_resolve": Case(
            lambda w, r: (f"/api/v1/directory/conflicts/{_conflict(w)}/resolve", {}), {CA: 200}
        ),
    }
)

DIRECTORY_SELECTORS: dict[str, int] = {r: 200 for r in (CA, CM, MB, AP, CO, PO, FO)}
PAGES.update(
    {
        "directory-search": Page(lambda w, r: _dir(w) and "/directory/?q=smith", {}),
        "directory-person": Page(lambda w, r: f"/directory/people/{_bob(w)}/", {SU: 404}),
        "directory-selection": Page(lambda w, r: "/directory/selection/", DIRECTORY_SELECTORS, default=403),
        "directory-export": Page(
            lambda w, r: "/directory/selection/export.vcf", DIRECTORY_SELECTORS, default=403
        ),
        "directory-email": Page(lambda w, r: "/directory/email/", DIRECTORY_SELECTORS, default=403),
        "directory-email-progress": Page(
            lambda w, r: f"/directory/email/{_outsiders_email(w)}/",
            {k: 404 for k in DIRECTORY_SELECTORS},
            default=403,
        ),
        "directory-me": Page(lambda w, r: "/directory/me/", {}),
        # Partner officers set their own agency's; the consortium's admins any agency's.
        "directory-visibility": Page(lambda w, r: "/directory/visibility/", {CA: 200, PO: 200}, default=403),
        "directory-visibility-of": Page(
            lambda w, r: f"/directory/visibility/{_dir(w).tamworth.organisation_id}/", {CA: 200}, default=403
        ),
        "directory-feeds": Page(lambda w, r: "/directory/feeds/", {CA: 200}, default=403),
        "directory-feed": Page(lambda w, r: f"/directory/feeds/{_dir(w).county.pk}/", {CA: 200}, default=403),
        "directory-run": Page(lambda w, r: f"/directory/syncs/{_run_id(w)}/", {CA: 200}, default=403),
        "directory-conflicts": Page(lambda w, r: "/directory/conflicts/", {CA: 200}, default=403),
    }
)


# --- payments ---------------------------------------------------------------------------


def _paid(w):  # type: ignore[no-untyped-def]
    """The school's successful payment (the finance officer's own partner)."""
    from consortium.payments.models import Payment
    from consortium.payments.tests.factories import paid, payments_world

    p = payments_world(w)
    return Payment.objects.filter(fund=p.fund, status="success").first() or paid(p.fund)


def _asked_refund(w) -> int:  # type: ignore[no-untyped-def]
    """A refund the school's other finance officer asked for: the finance officer may decide it."""
    from consortium.organisations.acting import actor_for
    from consortium.payments.models import Refund
    from consortium.payments.schemas import RefundIn
    from consortium.payments.services import refund_request
    from consortium.payments.tests.factories import payments_world

    payment = _paid(w)
    colleague_person = payments_world(w).colleague
    existing = Refund.objects.filter(
        payment=payment, status="requested", requested_by=colleague_person
    ).first()
    if existing is not None:
        return existing.pk
    colleague = actor_for(colleague_person, w.member.pk)
    assert colleague is not None
    data = RefundIn.model_validate({"amount": "1.00", "reason": "Overpaid"})
    return refund_request(actor=colleague, payment_id=payment.pk, data=data).pk


def _settlement(w) -> int:  # type: ignore[no-untyped-def]
    from consortium.payments.models import Settlement
    from consortium.payments.services import settlement_upload
    from consortium.payments.tests.factories import payments_world

    payment = _paid(w)
    existing = Settlement.objects.filter(organisation=w.member).first()
    if existing is not None:
        return existing.pk
    finance = actor_for_role(w, FO)
    content = f"GOV.UK Payment ID,Amount\n{payment.provider_id},{payment.amount}\n".encode()
    payments_world(w)
    return settlement_upload(
        actor=finance, settled_on=payment.created_at.date(), content=content, filename="s.csv"
    ).pk


def actor_for_role(w, role):  # type: ignore[no-untyped-def]
    return w.actor(role)


def _fee_link(w) -> str:  # type: ignore[no-untyped-def]
    """The fee page of the citizen's own request (the school's service, with a fee on it)."""
    from consortium.citizen.services import tracking_path
    from consortium.payments.models import ServiceFee
    from consortium.payments.tests.factories import payments_world

    c = _citizen(w)
    ServiceFee.objects.get_or_create(
        service=c.service, defaults={"fund": payments_world(w).fund, "amount": 25}
    )
    return tracking_path(c.request).replace("/report/track/", "/pay/request/")


FINANCE: dict[str, int] = {FO: 200}
API_CASES.update(
    {
        "payments_funds": Case(lambda w, r: (_paid(w) and "/api/v1/payments/funds", None), FINANCE),
        "payments_list": Case(lambda w, r: (_paid(w) and "/api/v1/payments", None), FINANCE),
        "payments_get": Case(lambda w, r: (f"/api/v1/payments/{_paid(w).pk}", None), FINANCE),
        "payments_refund_request": Case(
            lambda w, r: (
                f"/api/v1/payments/{_paid(w).pk}/refunds",
                {"amount": "1.00", "reason": "Overpaid"},
            ),
            {FO: 201},
        ),
        "payments_refund_decide": Case(
            lambda w, r: (f"/api/v1/payments/refunds/{_asked_refund(w)}/decision", {"action": "reject"}),
            FINANCE,
        ),
    }
)

PAGES.update(
    {
        # The citizen's pages need no account.
        "payments-pay": Page(lambda w, r: _paid(w) and "/pay/", {}, anonymous=200),
        "payments-pay-form": Page(lambda w, r: f"/pay/{_paid(w).fund_id}/", {}, anonymous=200),
        "payments-return": Page(lambda w, r: f"/pay/return/{_paid(w).attempt}/", {}, anonymous=200),
        "payments-fee": Page(lambda w, r: _fee_link(w), {}, anonymous=200),
        "payments-sandbox-card": Page(
            lambda w, r: f"/sandbox-pay/{_paid(w).provider_id}/", {}, anonymous=200
        ),
        # The provider's notices are POSTed and signed; nothing answers a GET.
        "payments-webhook": Page(lambda w, r: "/payments/webhooks/1/", {}, default=405, anonymous=405),
        "payments-list": Page(lambda w, r: _paid(w) and "/payments/", FINANCE, default=403),
        "payments-export": Page(lambda w, r: _paid(w) and "/payments/export.csv", FINANCE, default=403),
        "payments-payment": Page(lambda w, r: f"/payments/{_paid(w).pk}/", FINANCE, default=403),
        "payments-funds": Page(lambda w, r: _paid(w) and "/payments/funds/", FINANCE, default=403),
        "payments-fund": Page(lambda w, r: f"/payments/funds/{_paid(w).fund_id}/", FINANCE, default=403),
        "payments-account": Page(lambda w, r: "/payments/account/", FINANCE, default=403),
        "payments-reconciliation": Page(lambda w, r: "/payments/reconciliation/", FINANCE, default=403),
        "payments-settlement": Page(
            lambda w, r: f"/payments/reconciliation/{_settlement(w)}/", FINANCE, default=403
        ),
        "payments-partnership": Page(lambda w, r: "/payments/partnership/", {CA: 200}, default=403),
    }
)


# --- savings and cost sharing: members' officers record and see their own organisation's
# savings; the consortium's category managers and admins see and validate everyone's; only the
# admins set the budget, the members' figures and the scenarios; suppliers see their rebates.
SAVERS: dict[str, int] = {CA: 200, CM: 200, MB: 200, AP: 200, CO: 200, FO: 200}
SCHOOL_SAVERS: dict[str, int] = {CA: 200, CM: 200, MB: 200, AP: 200, CO: 404, FO: 200}


def _saving(w, *, fresh: bool = False) -> Any:  # type: ignore[no-untyped-def]
    """A proposed saving of the school's (proposed by its buyer), with a PDF as evidence."""
    from consortium.savings.evidence import Upload
    from consortium.savings.models import Saving
    from consortium.savings.schemas import SavingIn
    from consortium.savings.services import saving_propose

    existing = Saving.objects.filter(member=w.member, status="proposed").first()
    if existing is not None and not fresh:
        return existing
    data = SavingIn.model_validate(
        {
            "members": [w.member.pk],
            "title": "Photocopier lease",
            "category": "goods",
            "method": "quotes_average",
            "amount": "1200",
            "starts_on": "2026-05-01",
        }
    )
    [made] = saving_propose(actor=w.actor(MB), data=data, files=[Upload("quote.pdf", b"%PDF-1.4 quote")])
    return made


def _saving_for(w, r) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    own = _own(w, r) if r in MEMBER_ROLES else w.member
    return {
        "members": [own.pk],
        "title": "Cheaper grounds maintenance",
        "category": "services",
        "method": "previous_price",
        "amount": "500.00",
        "starts_on": "2026-06-01",
    }


def _budget(w) -> int:  # type: ignore[no-untyped-def]
    from consortium.savings.models import Budget, BudgetLine

    budget, created = Budget.objects.get_or_create(year=2026)
    if created:
        BudgetLine.objects.create(budget=budget, name="Core team", amount=350000)
    return 2026


def _draft_scenario(w) -> int:  # type: ignore[no-untyped-def]
    from consortium.savings.models import Budget, Scenario

    _budget(w)
    n = Scenario.objects.count() + 1
    return Scenario.objects.create(
        budget=Budget.objects.get(year=2026),
        name=f"Equal {n}",
        weights={"equal": "100"},
        created_by=w.people[CA],
    ).pk


def _rebate(w) -> int:  # type: ignore[no-untyped-def]
    from consortium.savings.models import Rebate

    n = Rebate.objects.count() + 1
    return Rebate.objects.create(supplier=w.supplier, quarter=f"20{10 + n} Q1", spend=1000, due=20).pk


API_CASES.update(
    {
        "savings_list": Case(lambda w, r: (_saving(w) and "/api/v1/savings", None), SAVERS),
        "savings_propose": Case(
            lambda w, r: ("/api/v1/savings", _saving_for(w, r)), {k: 201 for k in SAVERS}
        ),
        "savings_get": Case(lambda w, r: (f"/api/v1/savings/{_saving(w).pk}", None), SCHOOL_SAVERS),
        "savings_decide": Case(
            lambda w, r: (f"/api/v1/savings/{_saving(w, fresh=True).pk}/decision", {"action": "validate"}),
            {CA: 200, CM: 200},
        ),
        "savings_report": Case(lambda w, r: ("/api/v1/savings/report?group_by=member", None), SAVERS),
        "savings_net_benefit": Case(lambda w, r: ("/api/v1/savings/net-benefit?year=2026", None), SAVERS),
        "savings_rebates": Case(
            lambda w, r: (_rebate(w) and "/api/v1/savings/rebates", None), {CA: 200, CM: 200, SU: 200}
        ),
        "savings_rebate_update": Case(
            lambda w, r: (f"/api/v1/savings/rebates/{_rebate(w)}", {"status": "sent", "on": "2026-07-02"}),
            {CA: 200, CM: 200},
        ),
        "costs_budget_save": Case(
            lambda w, r: (
                "/api/v1/costs/budgets",
                {"year": 2027, "lines": [{"name": "Core team", "amount": "350000"}]},
            ),
            {CA: 200},
        ),
        "costs_figure_save": Case(
            lambda w, r: (
                "/api/v1/costs/figures",
                {
                    "member_id": w.member.pk,
                    "key": "pupils",
                    "year": 2026,
                    "value": 420,
                    "source": "School census",
                },
            ),
            {CA: 200},
        ),
        "costs_scenarios": Case(
            lambda w, r: (f"/api/v1/costs/budgets/{_budget(w)}/scenarios", None), {CA: 200, CM: 200}
        ),
        "costs_scenario_create": Case(
            lambda w, r: (
                f"/api/v1/costs/budgets/{_budget(w)}/scenarios",
                {"name": f"Equal for {r}", "weights": {"equal": 100}},
            ),
            {CA: 201},
        ),
        "costs_scenario_approve": Case(
            lambda w, r: (
                f"/api/v1/costs/scenarios/{_draft_scenario(w)}/approve",
                {"reason": "Board decision"},
            ),
            {CA: 200},
        ),
    }
)

PAGES.update(
    {
        "savings-list": Page(lambda w, r: _saving(w) and "/savings/", SAVERS, default=403),
        "savings-new": Page(lambda w, r: "/savings/new/", SAVERS, default=403),
        "savings-generate": Page(lambda w, r: "/savings/generate/", {}, default=405, anonymous=405),
        "savings-report": Page(lambda w, r: "/savings/report/?group_by=category", SAVERS, default=403),
        "savings-statement": Page(
            lambda w, r: f"/savings/statement/2026.pdf?member_id={w.member.pk}", SAVERS, default=403
        ),
        "savings-net-benefit": Page(lambda w, r: "/savings/net-benefit/", SAVERS, default=403),
        "savings-costs": Page(lambda w, r: f"/savings/costs/?year={_budget(w)}", SAVERS, default=403),
        "savings-figures": Page(lambda w, r: "/savings/costs/figures/", {CA: 200, CM: 200}, default=403),
        "savings-rebates": Page(lambda w, r: "/savings/rebates/", {CA: 200, CM: 200, SU: 200}, default=403),
        "savings-detail": Page(lambda w, r: f"/savings/{_saving(w).pk}/", SCHOOL_SAVERS, default=403),
        "savings-evidence": Page(
            lambda w, r: f"/savings/{_saving(w).pk}/evidence/{_saving(w).evidence.get().pk}/",
            SCHOOL_SAVERS,
            default=403,
        ),
    }
)


# --- sustainable procurement: members' buyers and approvers keep their own organisation's
# Flexible Framework self-assessment; the consortium sees every member's and keeps the criteria.
ASSESSORS: dict[str, int] = {MB: 200, AP: 200}
FRAMEWORK_READERS: dict[str, int] = {MB: 200, AP: 200, CA: 200, CM: 200}


def _factor_table() -> int:
    from consortium.organisations.models import Person
    from consortium.sustainability.models import FactorTable

    table = FactorTable.objects.first() or FactorTable.objects.create(
        name="Test",
        source="Defra",
        edition="2023",
        year=2020,
        version=1,
        imported_by=Person.objects.get(email=f"{CA}@example.org"),
    )
    return int(table.pk)


def _appraisal(w: World) -> int:
    from consortium.sustainability import appraisal
    from consortium.sustainability.models import Appraisal

    found = Appraisal.objects.filter(supplier=w.supplier, current=True).first()
    if found is not None:
        return int(found.pk)
    asked = appraisal.questions_for(w.supplier)
    answers = {code: "no" if q["kind"] == "yes_no" else "2030" for code, q in asked.items()}
    answers.update({"local_staff_percent": "50", "apprentices": "1"})
    return int(appraisal.submit(actor=w.actor(SU), answers=answers, evidence={}).pk)


def _first_criterion() -> int:
    from consortium.sustainability.models import Criterion
    from consortium.sustainability.services import load_framework

    load_framework()  # loaded by a migration, but a transactional test may have flushed it

    return int(Criterion.objects.order_by("id").values_list("pk", flat=True)[0])


API_CASES.update(
    {
        "sustainability_assessment": Case(
            lambda w, r: ("/api/v1/sustainability/assessments/2026", None), FRAMEWORK_READERS
        ),
        "sustainability_answer": Case(
            lambda w, r: (
                "/api/v1/sustainability/assessments/2026/answers",
                {"answers": [{"criterion_id": _first_criterion(), "met": False}]},
            ),
            ASSESSORS,
        ),
        "sustainability_action_add": Case(
            lambda w, r: (
                "/api/v1/sustainability/assessments/2026/actions",
                {"theme": "people", "description": "Train buyers", "owner": "HR", "due_on": "2027-03-31"},
            ),
            {MB: 201, AP: 201},
        ),
        # The carbon MI reads like the spend MI: a member's own people, the consortium's admins
        # and category managers; suppliers never. Which factors are used is open to anyone signed in.
        "sustainability_carbon": Case(
            lambda w, r: ("/api/v1/sustainability/carbon?by=category", None),
            {CA: 200, CM: 200, MB: 200, AP: 200, CO: 200, EV: 200, PO: 200, FO: 200},
        ),
        "sustainability_factors": Case(
            lambda w, r: (_factor_table() and "/api/v1/sustainability/carbon/factors", None), ALL_200
        ),
        "sustainability_local_share": Case(
            lambda w, r: ("/api/v1/sustainability/local-share", None),
            {CA: 200, CM: 200, MB: 200, AP: 200, CO: 200, EV: 200, PO: 200, FO: 200},
        ),
        # Published LM3 figures are open to everyone signed in; a supplier sees its own surveys.
        "sustainability_lm3": Case(lambda w, r: ("/api/v1/sustainability/lm3", None), ALL_200),
        "sustainability_lm3_submit": Case(
            lambda w, r: (
                "/api/v1/sustainability/lm3",
                {
                    "contract_id": _market(w).lot.contract_id,
                    "year": 2026,
                    "r2_staff": "1000",
                    "r2_suppliers": "500",
                    "evidence": "Payroll by postcode",
                },
            ),
            {SU: 200},
        ),
        "sustainability_appraisals": Case(
            lambda w, r: ("/api/v1/sustainability/appraisals", None), {CA: 200, CM: 200, SU: 200}
        ),
        "sustainability_appraisal_submit": Case(
            lambda w, r: (
                "/api/v1/sustainability/appraisals",
                {
                    "answers": {
                        "ems": "no",
                        "crp": "no",
                        "crp_baseline_year": "2020",
                        "scope1": "1",
                        "scope2": "1",
                        "scope3": "1",
                        "net_zero_year": "2050",
                        "modern_slavery": "no",
                        "living_wage": "no",
                        "sme": "yes",
                        "vcse": "no",
                        "local_staff_percent": "50",
                        "apprentices": "0",
                        "weee_takeback": "no",
                    }
                },
            ),
            {SU: 201},
        ),
        "sustainability_spread": Case(
            lambda w, r: ("/api/v1/sustainability/spread?year=2026", None), FRAMEWORK_READERS
        ),
    }
)

PAGES.update(
    {
        "sustainability-framework": Page(lambda w, r: "/sustainability/", FRAMEWORK_READERS, default=403),
        "sustainability-theme": Page(lambda w, r: "/sustainability/themes/people/", ASSESSORS, default=403),
        "sustainability-actions": Page(lambda w, r: "/sustainability/actions/", ASSESSORS, default=403),
        "sustainability-criteria": Page(
            lambda w, r: "/sustainability/criteria/", {CA: 200, CM: 200}, default=403
        ),
        "sustainability-carbon": Page(lambda w, r: "/sustainability/carbon/", {SU: 403}, default=200),
        "sustainability-local": Page(lambda w, r: "/sustainability/local/", {SU: 403}, default=200),
        "sustainability-appraisal": Page(lambda w, r: "/sustainability/appraisal/", {SU: 200}, default=403),
        "sustainability-appraisals": Page(
            lambda w, r: "/sustainability/appraisals/", {CA: 200, CM: 200}, default=403
        ),
        "sustainability-appraisal-score": Page(
            lambda w, r: f"/sustainability/appraisals/{_appraisal(w)}/", {CA: 200, CM: 200}, default=403
        ),
        "sustainability-lm3": Page(
            lambda w, r: "/sustainability/lm3/", {CA: 200, CM: 200, SU: 200}, default=403
        ),
        "sustainability-factors": Page(
            lambda w, r: "/sustainability/carbon/factors/", {CA: 200, CM: 200}, default=403
        ),
    }
)


# --- service check: each stream is open to whoever sees its cases in their own system —
# every organisation's (the consortium's admins; category managers for orders, procurements
# and care), or their own organisation's (buyers' orders, a supplier's as supplier, a
# council's placements, a partner's requests, contacts and payments). Evaluators see none.
CHECKERS: dict[str, int] = {r: 200 for r in (CA, CM, MB, AP, CO, SU, PO, FO)}
ORDER_CHECKERS: dict[str, int] = {CA: 200, CM: 200, MB: 200, AP: 200, SU: 200}


def _study(w: World, r: str, *, split: bool = False) -> int:
    """A study in the role's own organisation of a stream they may check; for those who may
    check none (and the anonymous), another organisation's."""
    import datetime as dt

    from consortium.check.models import Split, Study
    from consortium.check.selectors import streams

    visible = streams(w.actor(r)) if r != ANON else []
    org = w.organisation_for(r) if visible else w.other_member
    key = visible[0][0].key if visible else "orders.orders"
    person = w.people[r] if r != ANON else w.outsider
    study = Study.objects.create(organisation=org, created_by=person, name="Study", stream=key)
    if split:
        Split.objects.create(study=study, on=dt.date(2026, 6, 1), reason="New rota", created_by=person)
    return int(study.pk)


def _split(w: World, r: str) -> str:
    from consortium.check.models import Study

    study = Study.objects.get(pk=_study(w, r, split=True))
    return f"/api/v1/check/studies/{study.pk}/splits/{study.splits.get().pk}"


API_CASES.update(
    {
        "check_streams": Case(lambda w, r: ("/api/v1/check/streams", None), ALL_200),
        "check_stream_chart": Case(
            lambda w, r: ("/api/v1/check/streams/orders.orders/chart?granularity=week", None), ORDER_CHECKERS
        ),
        "check_stream_demand": Case(
            lambda w, r: ("/api/v1/check/streams/citizen.requests/demand", None), {CA: 200, PO: 200}
        ),
        "check_studies": Case(lambda w, r: ("/api/v1/check/studies", None), ALL_200),
        "check_study_create": Case(
            lambda w, r: ("/api/v1/check/studies", {"name": "Orders", "stream": "orders.orders"}),
            {k: 201 for k in ORDER_CHECKERS},
        ),
        "check_study_get": Case(
            lambda w, r: (f"/api/v1/check/studies/{_study(w, r)}", None), CHECKERS, default=404
        ),
        "check_study_update": Case(
            lambda w, r: (
                f"/api/v1/check/studies/{_study(w, r)}",
                {"name": "Renamed", "granularity": "week"},
            ),
            CHECKERS,
            default=404,
        ),
        "check_study_delete": Case(
            lambda w, r: (f"/api/v1/check/studies/{_study(w, r)}", None),
            {k: 204 for k in CHECKERS},
            default=404,
        ),
        "check_study_chart": Case(
            lambda w, r: (f"/api/v1/check/studies/{_study(w, r)}/chart", None), CHECKERS, default=404
        ),
        # Only citizen services and contact routing classify contacts as value or failure demand.
        "check_study_demand": Case(
            lambda w, r: (f"/api/v1/check/studies/{_study(w, r)}/demand", None),
            {CA: 200, PO: 200},
            default=404,
        ),
        "check_split_add": Case(
            lambda w, r: (
                f"/api/v1/check/studies/{_study(w, r)}/splits",
                {"on": "2026-06-01", "reason": "New crew rota"},
            ),
            {k: 201 for k in CHECKERS},
            default=404,
        ),
        "check_split_remove": Case(
            lambda w, r: (_split(w, r), None), {k: 204 for k in CHECKERS}, default=404
        ),
        "check_study_chart_svg": Case(
            lambda w, r: (f"/api/v1/check/studies/{_study(w, r)}/chart.svg", None), CHECKERS, default=404
        ),
        "check_study_chart_png": Case(
            lambda w, r: (f"/api/v1/check/studies/{_study(w, r)}/chart.png", None), CHECKERS, default=404
        ),
        "check_study_data_xlsx": Case(
            lambda w, r: (f"/api/v1/check/studies/{_study(w, r)}/data.xlsx", None), CHECKERS, default=404
        ),
    }
)

PAGES.update(
    {
        "check-home": Page(lambda w, r: "/check/", CHECKERS, default=403),
        "check-stream": Page(lambda w, r: "/check/streams/orders.orders/", ORDER_CHECKERS, default=403),
        "check-stream-export": Page(
            lambda w, r: "/check/streams/orders.orders/export.svg", ORDER_CHECKERS, default=403
        ),
        "check-study-new": Page(lambda w, r: "/check/studies/new/", CHECKERS, default=403),
        "check-study": Page(lambda w, r: f"/check/studies/{_study(w, r)}/", CHECKERS, default=403),
        "check-study-export": Page(
            lambda w, r: f"/check/studies/{_study(w, r)}/export.xlsx", CHECKERS, default=403
        ),
        "check-study-delete": Page(
            lambda w, r: f"/check/studies/{_study(w, r)}/delete/", {}, default=405, anonymous=405
        ),
        "check-split-remove": Page(
            lambda w, r: f"/check/studies/{_study(w, r)}/splits/1/remove/", {}, default=405, anonymous=405
        ),
    }
)
