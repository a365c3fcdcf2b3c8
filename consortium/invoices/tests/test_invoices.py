from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from pathlib import Path

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from consortium.core.dates import today_in_london
from consortium.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from consortium.invoices import peppol, selectors, services
from consortium.invoices.constants import InvoiceKind, InvoiceStatus
from consortium.invoices.models import Invoice
from consortium.invoices.tests.factories import delivered_order, ubl_for
from consortium.organisations.constants import Role

pytestmark = pytest.mark.django_db
S = InvoiceStatus


def _enter(world, order, lines, *, number="SI-1", key="k1", kind=InvoiceKind.INVOICE, **kw):
    return services.invoice_enter(
        actor=world.actor(Role.SUPPLIER_USER),
        order_id=order.pk,
        number=number,
        issue_date=today_in_london(),
        lines=[{"line": p, "quantity": D(q), "unit_price": D(u)} for p, q, u in lines],
        submit_key=key,
        kind=kind,
        **kw,
    )


def test_an_invoice_that_agrees_with_order_and_delivery_is_approved_and_due_in_30_days(world, market):
    order = delivered_order(world, market)
    mail.outbox.clear()
    inv = _enter(world, order, [(1, 10, "5.00"), (2, 4, "2.50")])
    assert inv.status == S.APPROVED and inv.reasons == []
    assert (inv.net, inv.vat, inv.total) == (D("60.00"), D("12.00"), D("72.00"))
    assert inv.received_on == today_in_london()
    assert inv.due_date == today_in_london() + dt.timedelta(days=30)
    assert inv.reference.startswith(f"INV-{today_in_london().year}-")
    # The UBL we wrote for it passes the official rules.
    _, findings = peppol.check(inv.ubl.encode())
    assert [f for f in findings if f.flag == "fatal"] == []
    # Idempotent: the same submission key returns the same invoice.
    assert _enter(world, order, [(1, 1, "5.00")]).pk == inv.pk


def test_differences_hold_the_invoice_with_reasons_for_the_buyer(
    world, market, django_capture_on_commit_callbacks
):
    order = delivered_order(world, market, deliver={"Recycled copier paper A4": 6, "Blue ballpoint pens": 4})
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        inv = _enter(world, order, [(1, 10, "5.50"), (2, 4, "2.50")])
    assert inv.status == S.HELD
    text = " ".join(inv.reasons)
    assert "£5.50 a unit; the order says £5.00" in text
    assert "invoices 10 but 6 of 10 have been received" in text
    assert {m.to[0] for m in mail.outbox if "waiting for your decision" in m.subject} == {
        "approver@example.org",
        "finance_officer@example.org",
    }


def test_within_tolerance_is_approved(world, market):
    order = delivered_order(world, market)
    # 10 × £0.05 over = £0.50: within the default £1.00 a line.
    inv = _enter(world, order, [(1, 10, "5.05")])
    assert inv.status == S.APPROVED
    services.tolerance_set(
        actor=world.actor(Role.CONSORTIUM_ADMIN), price_percent=D(0), price_amount=D(0), quantity_percent=D(0)
    )
    held = _enter(world, order, [(2, 4, "2.51")], number="SI-2", key="k2")
    assert held.status == S.HELD


def test_a_second_invoice_for_the_same_goods_is_held_and_a_duplicate_number_is_named(world, market):
    order = delivered_order(world, market)
    first = _enter(world, order, [(1, 10, "5.00")])
    again = _enter(world, order, [(1, 10, "5.00")], number="si 1", key="k2")
    assert again.status == S.HELD
    assert again.duplicate_of == first
    assert any(f"Possible duplicate: {first.reference} has the same number" in r for r in again.reasons)
    assert any("(10 invoiced before)" in r for r in again.reasons)


def test_credit_notes_match_what_was_invoiced(world, market):
    order = delivered_order(world, market)
    inv = _enter(world, order, [(1, 10, "5.00")])
    cn = _enter(
        world,
        order,
        [(1, 2, "5.00")],
        number="CN-1",
        key="c1",
        kind=InvoiceKind.CREDIT_NOTE,
        credited_invoice="SI-1",
    )
    assert cn.status == S.APPROVED and cn.credited_invoice == inv
    _, findings = peppol.check(cn.ubl.encode())
    assert [f for f in findings if f.flag == "fatal"] == []
    too_much = _enter(world, order, [(1, 9, "5.00")], number="CN-2", key="c2", kind=InvoiceKind.CREDIT_NOTE)
    assert too_much.status == S.HELD
    assert "credits 9 but only 8 were invoiced" in " ".join(too_much.reasons)
    # After the credit, 2 more of the 10 received can be invoiced again.
    assert _enter(world, order, [(1, 2, "5.00")], number="SI-3", key="k3").status == S.APPROVED


def test_bad_input_names_the_field_and_stores_nothing(world, market):
    order = delivered_order(world, market)
    with pytest.raises(ValidationFailed) as e:
        services.invoice_enter(
            actor=world.actor(Role.SUPPLIER_USER),
            order_id=order.pk,
            number="",
            issue_date=today_in_london() + dt.timedelta(days=3),
            lines=[{"line": 9, "quantity": D(1), "unit_price": D(1)}],
            submit_key="x",
            document=b"MZ\x90\x00not a pdf",
        )
    assert set(e.value.field_errors) == {"number", "issue_date", "lines.0.line", "document"}
    with pytest.raises(ValidationFailed) as e:
        _enter(world, order, [(1, 9_999_999, "999999.99")])
    assert "1,000,000,000" in e.value.field_errors["lines"]
    assert Invoice.objects.count() == 0
    world.supplier.vat_number = ""
    world.supplier.save()
    with pytest.raises(ValidationFailed, match="Check the invoice") as e:
        _enter(world, order, [(1, 1, "5.00")])
    assert "VAT registration number" in e.value.field_errors["number"]


def test_only_the_supplier_invoices_its_own_orders(world, market):
    order = delivered_order(world, market)
    with pytest.raises(PermissionDenied):
        services.invoice_enter(
            actor=world.actor(Role.MEMBER_BUYER),
            order_id=order.pk,
            number="1",
            issue_date=today_in_london(),
            lines=[],
            submit_key="x",
        )
    from consortium.organisations.acting import actor_for
    from consortium.organisations.models import Person

    rival = actor_for(Person.objects.get(email="rival@example.org"), world.other_supplier.pk)
    with pytest.raises(NotFound):
        services.invoice_enter(
            actor=rival, order_id=order.pk, number="1", issue_date=today_in_london(), lines=[], submit_key="x"
        )
    with pytest.raises(ValidationFailed) as e:
        services.invoice_upload(actor=rival, content=ubl_for(order))
    assert "OrderReference (BT-13)" in e.value.field_errors["file"]


def test_the_buyer_decides_on_held_invoices_but_not_on_their_own_order(world, market):
    order = delivered_order(world, market)
    inv = _enter(world, order, [(1, 10, "6.00")])
    assert inv.status == S.HELD
    with pytest.raises(PermissionDenied):
        services.invoice_act(actor=world.actor(Role.MEMBER_BUYER), invoice=inv, action="approve")
    with pytest.raises(ValidationFailed):
        services.invoice_act(actor=world.actor(Role.APPROVER), invoice=inv, action="reject")
    inv = services.invoice_act(actor=world.actor(Role.FINANCE_OFFICER), invoice=inv, action="approve")
    assert inv.status == S.APPROVED and inv.decided_by == world.people[Role.FINANCE_OFFICER]
    with pytest.raises(Conflict):
        services.invoice_act(actor=world.actor(Role.APPROVER), invoice=inv, action="approve")
    with pytest.raises(ValidationFailed):
        services.invoice_act(
            actor=world.actor(Role.APPROVER),
            invoice=inv,
            action="pay",
            paid_on=today_in_london() + dt.timedelta(days=1),
        )
    inv = services.invoice_act(actor=world.actor(Role.APPROVER), invoice=inv, action="pay")
    assert inv.status == S.PAID and inv.paid_on == today_in_london()
    summary = selectors.summary(world.actor(Role.MEMBER_BUYER))
    assert len(summary["months"]) == 12 and summary["months"][-1]["month"] == today_in_london().replace(day=1)
    assert summary["totals"]["paid"] == D("60.00")


def test_peppol_e_invoices_are_checked_with_the_official_rules(world, market):
    order = delivered_order(world, market)
    supplier = world.actor(Role.SUPPLIER_USER)
    content = ubl_for(order)
    inv = services.invoice_upload(actor=supplier, content=content)
    assert inv.status == S.APPROVED and inv.source == "ubl"
    assert [ln.order_line.name for ln in inv.lines.all()] == [
        "Recycled copier paper A4",
        "Blue ballpoint pens",
    ]
    assert services.invoice_upload(actor=supplier, content=content).pk == inv.pk
    broken = ubl_for(order, number="SI-2").replace(
        b'<cbc:PayableAmount currencyID="GBP">', b'<cbc:PayableAmount currencyID="GBP">9'
    )
    with pytest.raises(ValidationFailed) as e:
        services.invoice_upload(actor=supplier, content=broken)
    assert "[BR-CO-16]" in e.value.field_errors["file"]
    no_order = ubl_for(order, number="SI-3").replace(order.reference.encode(), b"CO-1999-000001")
    with pytest.raises(ValidationFailed):
        services.invoice_upload(actor=supplier, content=no_order)
    for attack in (
        b'<?xml version="1.0"?><!DOCTYPE Invoice [<!ENTITY x SYSTEM "file:///etc/passwd">]><Invoice>&x;</Invoice>',
        b"<Invoice><unclosed></Invoice>",
        b"<html/>",
        b"",
    ):
        with pytest.raises(ValidationFailed):
            services.invoice_upload(actor=supplier, content=attack)
    assert Invoice.objects.count() == 1


def test_openpeppols_own_example_passes_and_reads(world):
    example = Path(__file__).parent / "data" / "peppol-base-example.xml"
    invoice = peppol.check_and_read(example.read_bytes())
    assert invoice.number == "Snippet1" and invoice.currency == "EUR"
    assert invoice.total == D("1656.25") and len(invoice.lines) == 2


def test_the_rules_report_exactly_as_published_without_the_empty_walks(world, market):
    """We compile the official files without the skeleton's empty default-mode walks: the
    report (every fired rule, failed assertion and warning) must be the published files' own."""
    from lxml import etree

    assert all(
        peppol.without_empty_walks(t) != t
        for t in ((peppol.DATA / name).read_text(encoding="utf-8") for name in peppol.RULES)
    )
    order = delivered_order(world, market)
    good = ubl_for(order)
    broken = good.replace(b'<cbc:PayableAmount currencyID="GBP">', b'<cbc:PayableAmount currencyID="GBP">9')
    example = (Path(__file__).parent / "data" / "peppol-base-example.xml").read_bytes()
    published, ours = peppol._Rules(as_published=True), peppol.rules()
    for content in (good, broken, example):
        xml = etree.tostring(peppol.parse(content), encoding="unicode")
        node_a, node_b = published.processor.parse_xml(xml_text=xml), ours.processor.parse_xml(xml_text=xml)
        for a, b in zip(published.stylesheets, ours.stylesheets, strict=True):
            assert a.transform_to_string(xdm_node=node_a) == b.transform_to_string(xdm_node=node_b)
        assert published.check(xml) == ours.check(xml)
    assert any(
        f.rule == "BR-CO-16" for f in ours.check(etree.tostring(peppol.parse(broken), encoding="unicode"))
    )


def test_export_for_the_finance_system_has_ledger_codes_and_neutralised_cells(world, market):
    order = delivered_order(world, market)
    world.supplier.name = '=HYPERLINK("x")'
    world.supplier.save()
    _enter(world, order, [(1, 10, "5.00"), (2, 4, "2.50")])
    text = selectors.export_csv(selectors.invoices_for(world.actor(Role.FINANCE_OFFICER), status=S.APPROVED))
    rows = text.splitlines()
    assert rows[0].startswith("invoice_reference,kind,status,supplier")
    assert "4010-STAT" in rows[1] and "'=HYPERLINK" in rows[1]
    assert len(rows) == 3


def test_who_sees_invoices(world, market):
    order = delivered_order(world, market)
    _enter(world, order, [(1, 10, "5.00")])
    assert selectors.invoices_for(world.actor(Role.SUPPLIER_USER)).count() == 1
    assert selectors.invoices_for(world.actor(Role.MEMBER_BUYER)).count() == 1
    assert selectors.invoices_for(world.actor(Role.CATEGORY_MANAGER)).count() == 1
    from consortium.organisations.acting import actor_for
    from consortium.organisations.models import Person

    other = actor_for(Person.objects.get(email="outsider@example.org"), world.other_member.pk)
    assert selectors.invoices_for(other).count() == 0
    for role in (Role.EVALUATOR, Role.PARTNER_OFFICER, Role.COMMISSIONER):
        with pytest.raises(PermissionDenied):
            selectors.invoices_for(world.actor(role))
    with pytest.raises(PermissionDenied):
        services.tolerance_set(
            actor=world.actor(Role.APPROVER), price_percent=D(1), price_amount=D(1), quantity_percent=D(1)
        )


def test_pages_keep_what_was_typed_and_the_api_takes_files(world, market, signed_in, token_for):
    order = delivered_order(world, market)
    client = signed_in(Role.SUPPLIER_USER)
    page = client.get(f"/orders/{order.pk}/invoice/")
    assert page.status_code == 200 and b'value="10"' in page.content
    bad = client.post(
        f"/orders/{order.pk}/invoice/",
        {
            "submit_key": "p1",
            "kind": "invoice",
            "number": "SI-9",
            "issue_date": "not a date",
            "quantity_1": "abc",
            "unit_price_1": "5",
        },
    )
    assert bad.status_code == 400
    assert b'value="SI-9"' in bad.content and b'value="abc"' in bad.content
    good = client.post(
        f"/orders/{order.pk}/invoice/",
        {
            "submit_key": "p1",
            "kind": "invoice",
            "number": "SI-9",
            "issue_date": today_in_london().strftime("%d/%m/%Y"),
            "quantity_1": "10",
            "unit_price_1": "5",
            "quantity_2": "4",
            "unit_price_2": "2.50",
        },
    )
    assert good.status_code == 302
    inv = Invoice.objects.get()
    assert client.get(f"/invoices/{inv.pk}/").status_code == 200
    assert client.get(f"/invoices/{inv.pk}/ubl/")["Content-Type"] == "application/xml"
    api = {"HTTP_AUTHORIZATION": f"Bearer {token_for(Role.SUPPLIER_USER)}"}
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    c = Client()
    broken = SimpleUploadedFile("i.xml", b"<Invoice/>", content_type="application/xml")
    r = c.post("/api/v1/invoices/ubl", {"file": broken}, **api)
    assert r.status_code == 422 and "UBL 2.1" in r.json()["errors"][0]["message"]
    r = c.post(
        f"/api/v1/orders/{order.pk}/invoices",
        {
            "number": "SI-10",
            "issue_date": today_in_london().isoformat(),
            "submit_key": "a1",
            "lines": [{"line": 2, "quantity": 1, "unit_price": "2.50"}],
        },
        content_type="application/json",
        **api,
    )
    assert r.status_code == 201 and r.json()["status"] == "held"  # pens: 4 received, 4 invoiced already
    keyed = r.json()["id"]
    assert r.json()["has_pdf"] is False
    # The PDF of an invoice keyed through the API follows it, once; a file that is not a PDF is refused.
    not_pdf = SimpleUploadedFile("i.pdf", b"<html>not a pdf</html>", content_type="application/pdf")
    r = c.post(f"/api/v1/invoices/{keyed}/pdf", {"file": not_pdf}, **api)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "file"
    pdf = SimpleUploadedFile("i.pdf", b"%PDF-1.4 keyed invoice", content_type="application/pdf")
    r = c.post(f"/api/v1/invoices/{keyed}/pdf", {"file": pdf}, **api)
    assert r.status_code == 200 and r.json()["has_pdf"] is True
    again = SimpleUploadedFile("i.pdf", b"%PDF-1.4 another", content_type="application/pdf")
    assert c.post(f"/api/v1/invoices/{keyed}/pdf", {"file": again}, **api).status_code == 409
    buyer = {"HTTP_AUTHORIZATION": f"Bearer {token_for(Role.FINANCE_OFFICER)}"}
    assert c.get(f"/api/v1/invoices/{keyed}/pdf", **buyer).content == b"%PDF-1.4 keyed invoice"
    third = SimpleUploadedFile("i.pdf", b"%PDF-1.4 x", content_type="application/pdf")
    assert c.post(f"/api/v1/invoices/{keyed}/pdf", {"file": third}, **buyer).status_code == 403
    listed = c.get("/api/v1/invoices", **buyer).json()
    assert listed["count"] == 2
    assert c.get("/api/v1/invoices.csv", **buyer)["Content-Type"].startswith("text/csv")


def test_a_batch_of_e_invoices_is_checked_in_parallel_and_each_file_answered(world, market, signed_in):
    order = delivered_order(world, market, paper=1900, pens=0)
    supplier = world.actor(Role.SUPPLIER_USER)
    # 60 invoices of 1 to 60 reams (1,830 in all): billed in turn within the batch.
    files = [(f"inv{n}.xml", ubl_for(order, number=f"B-{n}", lines=[(1, n, "5.00")])) for n in range(1, 61)]
    files.append(("bad.xml", b"<Invoice/>"))
    files.append(("again.xml", files[0][1]))
    outcomes = services.invoice_upload_many(actor=supplier, files=files, workers=2)
    made = [o.invoice for o in outcomes if o.invoice is not None]
    assert len(made) == 61 and made[0].pk == made[-1].pk
    assert len({inv.reference for inv in made[:60]}) == 60
    assert all(inv.status == S.APPROVED for inv in made)
    assert "UBL 2.1" in outcomes[60].error
    # A second batch sees the first: 70 reams are left; 71 more is held, as is the same amount twice.
    more = [
        ("m1.xml", ubl_for(order, number="M-1", lines=[(1, 71, "5.00")])),
        ("m2.xml", ubl_for(order, number="M-2", lines=[(1, 1, "4.99")])),
        ("m3.xml", ubl_for(order, number="M-3", lines=[(1, 1, "4.99")])),
    ]
    later = [o.invoice for o in services.invoice_upload_many(actor=supplier, files=more, workers=1)]
    assert [i.status for i in later] == [S.HELD, S.HELD, S.HELD]
    assert "have been received" in later[0].reasons[0]
    assert later[2].duplicate_of == later[1] and "same order, amount and date" in later[2].reasons[0]
    page = signed_in(Role.SUPPLIER_USER).post(
        "/invoices/upload/",
        {"file": [SimpleUploadedFile("x.xml", b"<x/>"), SimpleUploadedFile("y.xml", files[1][1])]},
    )
    assert page.status_code == 400 and b"Refused" in page.content


def test_what_the_rules_allow_but_no_member_invoice_needs_is_refused_by_line(world, market):
    order = delivered_order(world, market)
    supplier = world.actor(Role.SUPPLIER_USER)
    negative = ubl_for(order, number="N-1", lines=[(1, -2, "5.00")])
    with pytest.raises(ValidationFailed) as e:
        services.invoice_upload(actor=supplier, content=negative)
    assert "credit note" in e.value.field_errors["file"]
    fine_grained = ubl_for(order, number="N-2", lines=[(1, D("1.23456"), "5.00")])
    with pytest.raises(ValidationFailed) as e:
        services.invoice_upload(actor=supplier, content=fine_grained)
    assert "3 decimal places" in e.value.field_errors["file"]
    assert Invoice.objects.count() == 0


def test_held_invoices_are_on_the_deciders_task_list_and_mi_shows_invoiced_and_paid(world, market, signed_in):
    from consortium.core.worklist import work_for

    order = delivered_order(world, market)
    _enter(world, order, [(1, 10, "6.00")])
    labels = [w.label for w in work_for(world.actor(Role.FINANCE_OFFICER))]
    assert "1 invoice waiting for your decision" in labels
    assert not [w for w in work_for(world.actor(Role.MEMBER_BUYER)) if "invoice" in w.label]
    page = signed_in(Role.MEMBER_BUYER).get("/mi/").content.decode()
    assert "Invoiced and paid" in page and "The latest 12 months" in page and "£60.00" in page


def test_mi_spend_comes_from_approved_invoices_where_they_exist(world, market):
    from consortium.spend import mi
    from consortium.spend.models import DailySpend
    from consortium.spend.rollup import rebuild

    buyer = world.actor(Role.MEMBER_BUYER)

    def spend() -> D:
        return mi.local_and_sme(buyer)["total"]

    order = delivered_order(world, market)
    base = spend() - D("60.00")  # 10 × £5.00 + 4 × £2.50 ordered
    # Approved as it arrives (10 × £0.05 over is within tolerance): line 1 counts £50.50 billed.
    _enter(world, order, [(1, 10, "5.05")])
    assert spend() == base + D("60.50")
    # A held invoice counts for nothing until a person approves it.
    held = _enter(world, order, [(2, 4, "3.00")], number="SI-2", key="k2")
    assert held.status == S.HELD and spend() == base + D("60.50")
    services.invoice_act(actor=world.actor(Role.FINANCE_OFFICER), invoice=held, action="approve")
    assert spend() == base + D("62.50")
    # A credit note takes its amount off; paying changes nothing.
    _enter(
        world,
        order,
        [(1, 2, "5.00")],
        number="CN-1",
        key="c1",
        kind=InvoiceKind.CREDIT_NOTE,
        credited_invoice="SI-1",
    )
    assert spend() == base + D("52.50")
    services.invoice_act(actor=world.actor(Role.APPROVER), invoice=held, action="pay")
    assert spend() == base + D("52.50")
    assert sorted(n or D(0) for n in order.lines.values_list("invoiced_net", flat=True)) == [
        D("12.00"),
        D("40.50"),
    ]
    # Kept in step as it went: totalling the lines afresh gives the same daily figures.
    kept = sorted(DailySpend.objects.values_list("day", "buyer_id", "contract_id", "category", "spend"))
    rebuild()
    assert (
        sorted(DailySpend.objects.values_list("day", "buyer_id", "contract_id", "category", "spend")) == kept
    )
