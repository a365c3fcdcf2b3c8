"""The tender's documents: checked for what they are, changed until publication, added by an
amendment after it, downloadable by anyone once published, in the open data."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from consortium.core.errors import Conflict, ValidationFailed
from consortium.organisations.constants import Role
from consortium.tendering import ocds, services
from consortium.tendering.tests.factories import tender_at

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_documents_are_checked_changed_until_publication_then_added_by_amendment(world):
    cm = world.actor(Role.CATEGORY_MANAGER)
    project = tender_at(world, "preparation")
    with pytest.raises(ValidationFailed) as caught:
        services.tender_document_add(
            actor=cm,
            project=project,
            title="Spec",
            upload=services.DocumentUpload("spec.pdf", b"MZ\x90\x00binary"),
        )
    assert "must be a PDF" in caught.value.field_errors["file"]
    doc = services.tender_document_add(
        actor=cm,
        project=project,
        title="Specification, lot 1",
        upload=services.DocumentUpload("spec.pdf", PDF),
    )
    assert doc.content_type == "application/pdf"
    services.tender_document_change(
        actor=cm,
        project=project,
        document_id=doc.pk,
        title="Specification",
        upload=services.DocumentUpload("spec.txt", b"Plain words"),
    )
    doc.refresh_from_db()
    assert doc.content_type == "text/plain" and doc.title == "Specification"
    # Before publication the file is the managers' alone.
    anyone = Client()
    assert anyone.get(f"/tenders/{project.pk}/documents/{doc.pk}/").status_code == 404
    services.tender_publish(actor=cm, project=project)
    with pytest.raises(Conflict):
        services.tender_document_remove(actor=cm, project=project, document_id=doc.pk)
    response = anyone.get(f"/tenders/{project.pk}/documents/{doc.pk}/")
    assert response.status_code == 200 and response.content == b"Plain words"
    assert response["X-Content-Type-Options"] == "nosniff" and response["Content-Type"] == "text/plain"
    services.tender_amend(
        actor=cm,
        project=project,
        description="Adds the A3 paper schedule",
        rationale="Members asked",
        documents=[services.DocumentUpload("a3.pdf", PDF)],
    )
    docs = list(project.documents.order_by("id"))
    assert len(docs) == 2 and docs[1].amendment is not None and docs[1].amendment.number == 1
    released = ocds.compiled_release(project)["tender"]["documents"]
    ours = [d for d in released if d["documentType"] == "biddingDocuments"]
    assert [d["title"] for d in ours] == ["Specification", "a3.pdf"] and ours[1][
        "format"
    ] == "application/pdf"


def test_a_bid_document_is_refused_unless_it_is_what_we_accept(world):
    from consortium.tendering import selectors

    project = tender_at(world, "open")
    answers = {c.pk: "Our plan" for c in selectors.leaf_criteria(project) if c.kind != "price"}
    with pytest.raises(ValidationFailed) as caught:
        services.bid_submit(
            actor=world.actor(Role.SUPPLIER_USER),
            project=project,
            lot_number=1,
            answers=answers,
            price_lines=[services.PriceLineIn(1, __import__("decimal").Decimal("4.10"))],
            documents=[services.DocumentIn("cv.pdf", "application/pdf", b"\x7fELF\x02\x01\x01")],
        )
    assert "must be a PDF" in caught.value.field_errors["documents[1]"]


def test_the_document_pages_name_errors_and_the_api_lists_and_uploads(world, client):
    project = tender_at(world, "draft")
    client.force_login(world.people[Role.CATEGORY_MANAGER])
    bad = client.post(f"/tenders/{project.pk}/documents/new/", {"title": ""})
    body = bad.content.decode()
    assert bad.status_code == 400 and 'href="#title"' in body and 'href="#file"' in body
    made = client.post(
        f"/tenders/{project.pk}/documents/new/",
        {"title": "Terms", "file": SimpleUploadedFile("terms.pdf", PDF, content_type="application/pdf")},
    )
    assert made.status_code == 302
    listed = client.get(f"/api/v1/tenders/{project.pk}/documents").json()
    assert [d["title"] for d in listed] == ["Terms"] and listed[0]["content_type"] == "application/pdf"
    uploaded = client.post(
        f"/api/v1/tenders/{project.pk}/documents",
        {"title": "Pricing template", "file": SimpleUploadedFile("p.csv", b"item,price\npaper,4.10\n")},
    )
    assert uploaded.status_code == 201 and uploaded.json()["content_type"] == "text/csv"
    refused = client.post(
        f"/api/v1/tenders/{project.pk}/documents",
        {"title": "Bad", "file": SimpleUploadedFile("x.pdf", b"\x00\x01\x02binary")},
    )
    assert refused.status_code == 422 and "must be a PDF" in refused.content.decode()


def test_an_invited_only_tender_keeps_its_documents_to_those_who_may_see_it(world):
    cm = world.actor(Role.CATEGORY_MANAGER)
    project = tender_at(world, "preparation", title="Direct award")
    doc = services.tender_document_add(
        actor=cm, project=project, title="Specification", upload=services.DocumentUpload("spec.pdf", PDF)
    )
    project.invited_suppliers.add(world.supplier)
    services.tender_publish(actor=cm, project=project)
    url = f"/tenders/{project.pk}/documents/{doc.pk}/"
    assert Client().get(url).status_code == 404
    invited, rival = Client(), Client()
    invited.force_login(world.people[Role.SUPPLIER_USER])
    assert invited.get(url).status_code == 200
    from consortium.organisations.models import Person

    rival.force_login(Person.objects.get(email="rival@example.org"))
    assert rival.get(url).status_code == 404
