from __future__ import annotations

import pytest
from django.contrib.admin.sites import site
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory

from consortium.audit.models import AuditEvent, AuditTrailIsAppendOnly
from consortium.audit.services import audit_record
from consortium.core.request_context import reset_request_id, set_request_id
from consortium.organisations.constants import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(world):
    token = set_request_id("req-123")
    try:
        return audit_record(
            actor=world.actor(Role.CONSORTIUM_ADMIN),
            action="organisation.update",
            obj=world.member,
            organisation=world.member,
            changes={"town": ["Leek", "Stone"]},
        )
    finally:
        reset_request_id(token)


def test_event_records_who_what_when_and_request(event, world):
    assert event.actor == world.people[Role.CONSORTIUM_ADMIN]
    assert event.actor_organisation == world.consortium
    assert (event.object_type, event.object_id) == ("organisations.organisation", str(world.member.pk))
    assert event.request_id == "req-123"
    assert event.at is not None


def test_orm_cannot_change_or_delete(event):
    event.action = "tampered"
    with pytest.raises(AuditTrailIsAppendOnly):
        event.save()
    with pytest.raises(AuditTrailIsAppendOnly):
        event.delete()
    with pytest.raises(AuditTrailIsAppendOnly):
        AuditEvent.objects.filter(pk=event.pk).update(action="tampered")
    with pytest.raises(AuditTrailIsAppendOnly):
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).action == "organisation.update"


def test_database_refuses_update_even_in_raw_sql(event):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET action = 'tampered' WHERE id = %s", [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).action == "organisation.update"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="DELETE trigger is PostgreSQL's")
def test_postgres_refuses_delete_in_raw_sql(event):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_admin_is_read_only(event, world):
    model_admin = site._registry[AuditEvent]
    request = RequestFactory().get("/admin/")
    request.user = world.people[Role.CONSORTIUM_ADMIN]
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, event)
    assert not model_admin.has_delete_permission(request, event)
