"""Every change in shared citizen services: one function per action, in a transaction,
checking the actor's permission, writing the audit trail (the reference only, never the
citizen's details), e-mailing after commit."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse

from consortium.audit.services import audit_record
from consortium.citizen import clock, selectors
from consortium.citizen.areas import (
    AreaShape,
    boundary_geometry,
    boundary_polygon,
    is_postcode_prefix,
    normalise_prefix,
    outward_and_sector,
    place,
)
from consortium.citizen.constants import (
    CLOSED_STATUSES,
    PAUSED_STATUSES,
    REQUEST_ACTIONS,
    Channel,
    Datatype,
    Demand,
    FailureType,
    RequestStatus,
    UpdateKind,
)
from consortium.citizen.models import (
    Area,
    Open311Client,
    ReferenceCounter,
    RequestPhoto,
    RequestUpdate,
    RoutingRule,
    Service,
    ServiceLevel,
    ServiceQuestion,
    ServiceRequest,
)
from consortium.citizen.photos import MAX_PHOTOS, clean_photo
from consortium.citizen.schemas import RequestIn, ServiceIn, ServiceLevelIn, UpdateIn
from consortium.citizen.selectors import TRACKING_SALT
from consortium.core.dates import LONDON, add_working_days, now, today_in_london
from consortium.core.email import absolute_url, send_email_on_commit
from consortium.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from consortium.core.phones import phone_key
from consortium.core.references import next_number
from consortium.organisations.acting import Actor
from consortium.organisations.models import Organisation, Person
from consortium.organisations.permissions import Permission

S = RequestStatus
logger = logging.getLogger(__name__)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def tracking_path(request: ServiceRequest) -> str:
    """The citizen's tracking page: a signed link, so no account and no personal data in it."""
    return reverse("citizen-track", args=[signing.dumps(request.pk, salt=TRACKING_SALT)])


# --- the service catalogue -------------------------------------------------------------------


def _check_questions(data: ServiceIn) -> None:
    errors: dict[str, str] = {}
    codes = [q.code for q in data.questions]
    for n, q in enumerate(data.questions):
        if codes.count(q.code) > 1:
            errors[f"questions[{n}].code"] = f"Question {n + 1}: each question needs its own code"
        lists = q.datatype in (Datatype.SINGLEVALUELIST, Datatype.MULTIVALUELIST)
        if lists and not q.values:
            errors[f"questions[{n}].values"] = f"Question {n + 1}: give the answers to choose from"
        if not lists and q.values:
            errors[f"questions[{n}].values"] = f"Question {n + 1}: only list questions have answers to choose"
    if errors:
        raise ValidationFailed("Check the questions", field_errors=errors)


def service_save(*, actor: Actor, data: ServiceIn, service: Service | None = None) -> Service:
    """Publish a service for the acting partner, or change one of its own."""
    if not actor.has(Permission.SERVICES_DEFINE):
        raise PermissionDenied("Partner officers define their partner's services.")
    if service is not None and service.partner_id != actor.organisation.pk:
        raise PermissionDenied("Only the partner that offers a service changes it.")
    _check_questions(data)
    values = data.dict(exclude={"questions"})
    with transaction.atomic():
        clash = Service.objects.filter(code=data.code)
        if service is not None:
            clash = clash.exclude(pk=service.pk)
        if clash.exists():
            raise ValidationFailed(
                "Choose another code", field_errors={"code": "Another service has this code"}
            )
        if service is None:
            service = Service.objects.create(partner=actor.organisation, **values)
        else:
            for field, value in values.items():
                setattr(service, field, value)
            service.save()
        service.questions.all().delete()
        ServiceQuestion.objects.bulk_create(
            ServiceQuestion(
                service=service,
                code=q.code,
                question=q.question,
                datatype=q.datatype,
                required=q.required,
                order=q.order,
                values=[v.dict() for v in q.values],
            )
            for q in data.questions
        )
        audit_record(
            actor=actor,
            action="citizen_service.save",
            obj=service,
            organisation=actor.organisation,
            changes={"code": service.code, "name": service.name, "questions": len(data.questions)},
        )
    return service


# --- areas and routing agreements ---------------------------------------------------------------


def _require_oversight(actor: Actor) -> None:
    if not actor.has(Permission.REQUESTS_OVERSEE):
        raise PermissionDenied("The partnership's admins keep areas and routing agreements.")


def area_save(
    *,
    actor: Actor,
    code: str,
    name: str,
    defined_by: Organisation,
    postcode_prefixes: list[str],
    boundary: Any = None,
) -> Area:
    """An area by postcode districts or sectors and/or a GeoJSON boundary (checked here)."""
    _require_oversight(actor)
    errors: dict[str, str] = {}
    prefixes = [normalise_prefix(p) for p in postcode_prefixes if p.strip()]
    bad = [p for p in prefixes if not is_postcode_prefix(p)]
    if bad:
        errors["postcode_prefixes"] = f"Not a postcode district or sector: {', '.join(bad[:5])}"
    geo = None
    if boundary not in (None, ""):
        try:
            geo = boundary_polygon(boundary)
        except ValueError as e:
            errors["boundary"] = str(e)
    if not prefixes and boundary in (None, ""):
        errors["postcode_prefixes"] = "Give postcode districts or sectors, or upload a boundary"
    if errors:
        raise ValidationFailed("Check the area", field_errors=errors)
    with transaction.atomic():
        area, _ = Area.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "defined_by": defined_by,
                "postcode_prefixes": prefixes,
                "boundary": geo or None,
            },
        )
        audit_record(actor=actor, action="citizen_area.save", obj=area, organisation=defined_by)
    return area


def routing_rule_add(
    *,
    actor: Actor,
    service: Service,
    area: Area | None,
    handled_by: Organisation,
    valid_from: dt.date,
    valid_to: dt.date | None = None,
    agreement: str = "",
) -> RoutingRule:
    """Record that `handled_by` handles `service` in `area` over a period (by agreement)."""
    _require_oversight(actor)
    if valid_to is not None and valid_to < valid_from:
        raise ValidationFailed(
            "Check the dates", field_errors={"valid_to": "The end must be after the start"}
        )
    with transaction.atomic():
        rule = RoutingRule.objects.create(
            service=service,
            area=area,
            handled_by=handled_by,
            valid_from=valid_from,
            valid_to=valid_to,
            agreement=agreement[:200],
        )
        audit_record(
            actor=actor,
            action="citizen_routing.add",
            obj=rule,
            organisation=handled_by,
            changes={"service": service.code, "area": area.code if area else "everywhere"},
        )
    return rule


def _areas() -> list[AreaShape]:
    return [
        AreaShape(
            a.pk, tuple(a.postcode_prefixes or ()), boundary_geometry(a.boundary) if a.boundary else None
        )
        for a in Area.objects.all()
    ]


def route(request: ServiceRequest, *, on: dt.date | None = None) -> None:
    """Place the request in an area and give it to the partner that handles its service there
    by agreement; with no agreement, or a place near a boundary, it waits in triage."""
    on = on or today_in_london()
    placed = place(_areas(), postcode=request.postcode, lat=request.lat, long=request.long)
    request.area_id = placed.area_id
    rules = [r for r in RoutingRule.objects.filter(service=request.service) if r.in_force(on)]
    chosen = next((r for r in rules if placed.area_id and r.area_id == placed.area_id), None)
    if chosen is None:
        chosen = next((r for r in rules if r.area_id is None), None)
    if placed.near_boundary:
        request.handled_by = None
        note = "Near an area's boundary: the partnership decides who handles it"
    elif chosen is None:
        request.handled_by = None
        note = "No agreement covers this place: the partnership decides who handles it"
    else:
        request.handled_by_id = chosen.handled_by_id
        note = f"Routed to {chosen.handled_by.name}" + (f" ({chosen.agreement})" if chosen.agreement else "")
    RequestUpdate.objects.create(request=request, kind=UpdateKind.ROUTING, text=note)


# --- intake ---------------------------------------------------------------------------------------


def _check_answers(service: Service, answers: dict[str, Any]) -> dict[str, Any]:
    """The citizen's answers to the service's questions, each checked against its datatype."""
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {}
    questions = {q.code: q for q in service.questions.all()}
    for code in answers:
        if code not in questions:
            errors[f"attribute[{code}]"] = f"{code} is not a question this service asks"
    for code, q in questions.items():
        value = answers.get(code)
        field = f"attribute[{code}]"
        empty = value in (None, "", []) or (isinstance(value, list) and not any(v.strip() for v in value))
        if empty:
            if q.required:
                errors[field] = f"Answer “{q.question}”"
            continue
        keys = {v["key"] for v in q.values}
        if q.datatype == Datatype.MULTIVALUELIST:
            chosen = value if isinstance(value, list) else [value]
            if any(v not in keys for v in chosen):
                errors[field] = f"Choose answers to “{q.question}” from the list"
            cleaned[code] = chosen
            continue
        if isinstance(value, list):
            if len(value) != 1:
                errors[field] = f"Give one answer to “{q.question}”"
                continue
            value = value[0]
        value = str(value).strip()
        if q.datatype == Datatype.SINGLEVALUELIST and value not in keys:
            errors[field] = f"Choose an answer to “{q.question}” from the list"
        elif q.datatype == Datatype.NUMBER:
            try:
                number = Decimal(value)
                if not number.is_finite():
                    raise ValueError
            except Exception:
                errors[field] = f"The answer to “{q.question}” must be a number"
        elif q.datatype == Datatype.DATETIME:
            try:
                dt.datetime.fromisoformat(value)
            except ValueError:
                try:
                    from consortium.core.dates import parse_date

                    parse_date(value)
                except ValueError:
                    errors[field] = f"The answer to “{q.question}” must be a date, for example 15/12/2026"
        elif len(value) > (4000 if q.datatype == Datatype.TEXT else 300):
            errors[field] = f"The answer to “{q.question}” is too long"
        cleaned[code] = value
    if errors:
        raise ValidationFailed("Check your answers", field_errors=errors)
    return cleaned


def answer_problems(service: Service, answers: dict[str, Any]) -> dict[str, str]:
    """The problems with a citizen's answers, so a page can show them with every other error."""
    try:
        _check_answers(service, answers)
    except ValidationFailed as e:
        return dict(e.field_errors)
    return {}


def request_submit(
    *,
    data: RequestIn,
    channel: str = Channel.WEB,
    client: Open311Client | None = None,
    photos: list[bytes] | None = None,
    vouched: bool = False,
) -> tuple[ServiceRequest, str]:
    """A citizen's request, stored unconfirmed; returns it with the secret of the confirmation
    link e-mailed to them. Nothing is routed until they confirm (a fake address floods nobody).
    Requests from an Open311 client with a key, or taken by an officer, are confirmed at once."""
    service = Service.objects.filter(code=data.service_code, active=True, is_public=True).first()
    if service is None:
        raise ValidationFailed("Choose a service", field_errors={"service_code": "No such service"})
    errors: dict[str, str] = {}
    email = data.email.strip()
    try:
        validate_email(email)
    except DjangoValidationError:
        errors["email"] = "Enter an email address in the correct format, like name@example.com"
    postcode = data.postcode.strip().upper()
    if postcode:
        parts = outward_and_sector(postcode)
        if parts is None:
            errors["postcode"] = "Enter a real postcode, like ST16 2LH"
        else:
            postcode = f"{parts[1]}{postcode.replace(' ', '')[-2:]}"
    has_point = data.lat is not None and data.long is not None
    if (data.lat is None) != (data.long is None):
        errors["lat"] = "Give both latitude and longitude, or neither"
    if not (postcode or has_point or data.address.strip()):
        errors["postcode"] = "Enter the postcode or address of the problem, or choose a place on the map"
    try:
        answers = _check_answers(service, dict(data.attributes))
    except ValidationFailed as e:
        errors |= e.field_errors
        answers = {}
    cleaned_photos = []
    if len(photos or []) > MAX_PHOTOS:
        errors["photos"] = f"Choose up to {MAX_PHOTOS} photos"
    else:
        for number, content in enumerate(photos or [], start=1):
            try:
                cleaned_photos.append(clean_photo(content, number=number))
            except ValueError as e:
                errors.setdefault("photos", str(e))
    if errors:
        raise ValidationFailed("Check your request", field_errors=errors)
    secret = secrets.token_urlsafe(24)
    with transaction.atomic():
        request = ServiceRequest.objects.create(
            token=secrets.token_hex(16),
            service=service,
            description=data.description.strip(),
            answers=answers,
            address=data.address.strip(),
            postcode=postcode,
            lat=Decimal(str(round(data.lat, 6))) if data.lat is not None else None,
            long=Decimal(str(round(data.long, 6))) if data.long is not None else None,
            email=email,
            first_name=data.first_name.strip(),
            last_name=data.last_name.strip(),
            phone=data.phone.strip(),
            phone_key=phone_key(data.phone),
            channel=channel,
            client=client,
            confirmation_hash=_hash(secret),
        )
        RequestUpdate.objects.create(
            request=request, kind=UpdateKind.CITIZEN, text="", channel=channel, demand=Demand.VALUE
        )
        RequestPhoto.objects.bulk_create(
            RequestPhoto(request=request, content=p.content, width=p.width, height=p.height)
            for p in cleaned_photos
        )
        if client is not None or vouched:
            _confirm(request)
        else:
            link = absolute_url(reverse("citizen-confirm", args=[secret]))
            send_email_on_commit(
                to=email,
                subject=f"Confirm your report: {service.name}",
                body=(
                    f"You reported: {service.name}.\n\nConfirm your e-mail address to send it:\n{link}\n\n"
                    "If you did not make this report, ignore this e-mail and nothing will be sent."
                ),
            )
    return request, secret


def _confirm(request: ServiceRequest) -> None:
    """Number, route and start the clock on a confirmed request (in the caller's transaction)."""
    # The clock starts at the citizen's click, even when the worker finishes this later.
    moment = request.confirm_requested_at or now()
    request.reference = f"SR-{moment.year}-{next_number(ReferenceCounter, moment.year):06d}"
    request.confirmed_at = moment
    request.status = S.OPEN
    route(request)
    due = clock.due(moment, selectors.level_for(request.service, request.handled_by))
    request.due_on, request.due_at = due.on, due.at
    request.save()
    audit_record(
        actor=None,
        action="service_request.confirm",
        obj=request,
        organisation=request.handled_by,
        changes={"reference": request.reference, "service": request.service.code},
    )
    request_id = request.pk
    transaction.on_commit(lambda: _acknowledge_later(request_id))


def _acknowledge_later(request_id: int) -> None:
    from consortium.citizen.tasks import acknowledge

    acknowledge.enqueue(request_id=request_id)


def request_acknowledge(request_id: int) -> bool:
    """E-mail the citizen their reference and tracking link, once. A failure to send leaves
    the request unacknowledged for `confirmations_retry` to try again."""
    with transaction.atomic():
        request = (
            ServiceRequest.objects.select_for_update(of=("self",))
            .select_related("service", "handled_by")
            .filter(pk=request_id, acknowledged_at__isnull=True, reference__isnull=False)
            .first()
        )
        if request is None:
            return False
        send_mail(
            f"Your report {request.reference}: {request.service.name}",
            f"Thank you. Your reference is {request.reference}.\n\n"
            f"We aim to deal with it by {_due_text(request)}. Follow its progress, or add "
            f"anything you forgot, here:\n{absolute_url(tracking_path(request))}\n",
            settings.DEFAULT_FROM_EMAIL,
            [request.email],
            fail_silently=False,
        )
        request.acknowledged_at = now()
        request.save(update_fields=["acknowledged_at"])
    return True


def _lock_by_secret(secret: str) -> ServiceRequest:
    request = (
        ServiceRequest.objects.select_for_update(of=("self",))
        .select_related("service")
        .filter(confirmation_hash=_hash(secret))
        .first()
    )
    if request is None:
        raise NotFound("This link is not valid. Check you copied all of it, or report the problem again.")
    return request


def request_confirm(*, secret: str) -> ServiceRequest:
    """The citizen's click on the confirmation link. Clicking twice confirms once. The click
    is kept first, in its own transaction: if numbering or routing then fails, the request
    stays confirmed-in-waiting and the task worker finishes it (`confirmations_retry`)."""
    with transaction.atomic():
        request = _lock_by_secret(secret)
        if request.status != S.UNCONFIRMED:
            return request
        if request.confirm_requested_at is None:
            request.confirm_requested_at = now()
            request.save(update_fields=["confirm_requested_at"])
    try:
        with transaction.atomic():
            request = _lock_by_secret(secret)
            if request.status == S.UNCONFIRMED:
                _confirm(request)
    except Exception:
        logger.exception("Confirming service request %s failed: the task worker will retry", request.pk)
        _retry_later()
        request.refresh_from_db()
    return request


def _retry_later() -> None:
    from consortium.citizen.tasks import retry_confirmations

    try:
        retry_confirmations.enqueue()
    except Exception:  # the hourly sweep (`citizen_escalate`) still finds it
        logger.exception("Could not queue the confirmation retry")


ACKNOWLEDGE_GRACE = dt.timedelta(minutes=10)


def confirmations_retry() -> tuple[int, int]:
    """Finish what failed after a citizen's click: confirmations still waiting, and
    acknowledgements not yet sent ten minutes after confirming. Each in its own transaction,
    so one that still fails waits for the next run while the others go through."""
    confirmed = acknowledged = 0
    waiting = ServiceRequest.objects.filter(
        status=S.UNCONFIRMED, confirm_requested_at__isnull=False
    ).values_list("pk", flat=True)
    for request_id in list(waiting[:500]):
        try:
            with transaction.atomic():
                request = (
                    ServiceRequest.objects.select_for_update(of=("self",))
                    .select_related("service")
                    .get(pk=request_id)
                )
                if request.status == S.UNCONFIRMED:
                    _confirm(request)
                    confirmed += 1
        except Exception:
            logger.exception("Confirming service request %s failed again", request_id)
    unacknowledged = ServiceRequest.objects.filter(
        acknowledged_at__isnull=True, confirmed_at__lt=now() - ACKNOWLEDGE_GRACE, reference__isnull=False
    ).values_list("pk", flat=True)
    for request_id in list(unacknowledged[:500]):
        try:
            acknowledged += request_acknowledge(request_id)
        except Exception:
            logger.exception("Acknowledging service request %s failed again", request_id)
    return confirmed, acknowledged


# --- the partner's work ---------------------------------------------------------------------


def _require_handler(actor: Actor, request: ServiceRequest) -> None:
    if not actor.has(Permission.REQUESTS_WORK) or request.handled_by_id != actor.organisation.pk:
        raise PermissionDenied("Only the partner handling a request works on it.")


def request_actions_for(actor: Actor, request: ServiceRequest) -> list[tuple[str, str]]:
    """The actions this person may take on this request now, from the workflow table."""
    if request.handled_by_id != actor.organisation.pk:
        return []
    return [
        (name, a.label)
        for name, a in REQUEST_ACTIONS.items()
        if request.status in a.from_statuses and actor.has(a.permission) and a.to != request.status
    ]


def _clock(request: ServiceRequest, before: str) -> None:
    """Stop the service-level clock while waiting for the citizen; when it restarts, the due
    date (or instant, for a target in hours) moves on by the working time it stood still."""
    if request.status in PAUSED_STATUSES and before not in PAUSED_STATUSES:
        request.paused_at = now()
    elif before in PAUSED_STATUSES and request.status not in PAUSED_STATUSES and request.paused_at:
        if request.due is not None:
            level = selectors.level_for(request.service, request.handled_by)
            due = clock.resumed(request.due, request.paused_at, now(), level)
            request.due_on, request.due_at = due.on, due.at
        request.paused_at = None


def _set_closed(request: ServiceRequest, closed: bool) -> None:
    """Closing fixes the request's end-to-end working days and whether it met its target;
    reopening clears them."""
    if not closed:
        request.closed_at = request.days_taken = request.met_target = None
        return
    request.closed_at = now()
    if request.confirmed_at:
        nation = request.handled_by.nation if request.handled_by else "ENG"
        request.days_taken, request.met_target = clock.closing(
            request.confirmed_at, request.closed_at, request.due, nation
        )


def request_update(*, actor: Actor, request: ServiceRequest, data: UpdateIn) -> ServiceRequest:
    """An officer's step: a status from the workflow table, an update the citizen sees,
    an internal note — any of them, at least one."""
    _require_handler(actor, request)
    if not (data.action or data.public_update.strip() or data.internal_note.strip()):
        raise ValidationFailed(
            "Nothing to record", field_errors={"action": "Choose a status or write an update"}
        )
    with transaction.atomic():
        request = (
            ServiceRequest.objects.select_for_update(of=("self",))
            .select_related("service", "handled_by")
            .get(pk=request.pk)
        )
        before = request.status
        if data.action:
            action = REQUEST_ACTIONS.get(data.action)
            if (
                action is None
                or request.status not in action.from_statuses
                or not actor.has(action.permission)
            ):
                raise Conflict(
                    f"A request that is {request.get_status_display().lower()} cannot be moved that way"
                )
            request.status = action.to or request.status
            _clock(request, before)
            if request.status in CLOSED_STATUSES:
                _set_closed(request, True)
            elif before in CLOSED_STATUSES:
                _set_closed(request, False)
        request.save()
        if data.public_update.strip() or request.status != before:
            RequestUpdate.objects.create(
                request=request,
                kind=UpdateKind.PUBLIC,
                status=request.status if request.status != before else "",
                text=data.public_update.strip(),
                by=actor.person,
            )
        if data.internal_note.strip():
            RequestUpdate.objects.create(
                request=request, kind=UpdateKind.INTERNAL, text=data.internal_note.strip(), by=actor.person
            )
        audit_record(
            actor=actor,
            action="service_request.update",
            obj=request,
            organisation=actor.organisation,
            changes={"status": [before, request.status]} if request.status != before else {"note": True},
        )
        if request.status != before or data.public_update.strip():
            done = request.status in CLOSED_STATUSES and before not in CLOSED_STATUSES
            send_email_on_commit(
                to=request.email,
                subject=f"Your report {request.reference}: {request.get_status_display().lower()}",
                body=(
                    (f"{data.public_update.strip()}\n\n" if data.public_update.strip() else "")
                    + (
                        "We have finished work on it. If it is not done, tell us on the tracking page and "
                        "we will reopen it.\n"
                        if done
                        else f"Its status is now: {request.get_status_display()}.\n"
                    )
                    + f"\n{absolute_url(tracking_path(request))}\n"
                ),
            )
            if done:
                # Citizens whose reports were merged into this one hear that it is done too.
                for duplicate in request.duplicates.all():
                    send_email_on_commit(
                        to=duplicate.email,
                        subject=f"Your report {duplicate.reference}: {request.get_status_display().lower()}",
                        body=(
                            f"The problem you reported ({request.service.name}) has been dealt with as "
                            f"{request.reference}.\n\n{absolute_url(tracking_path(duplicate))}\n"
                        ),
                    )
    return request


def request_assign(*, actor: Actor, request: ServiceRequest, person: Person | None) -> ServiceRequest:
    _require_handler(actor, request)
    if person is not None and not person.role_assignments.filter(organisation=actor.organisation).exists():
        raise ValidationFailed(
            "Choose a colleague", field_errors={"person_id": "Choose someone from your partner"}
        )
    with transaction.atomic():
        request.assigned_to = person
        request.save(update_fields=["assigned_to", "updated_at"])
        audit_record(
            actor=actor,
            action="service_request.assign",
            obj=request,
            organisation=actor.organisation,
            changes={"assigned_to": person.full_name if person else ""},
        )
    return request


def request_reroute(
    *, actor: Actor, request: ServiceRequest, partner: Organisation, reason: str
) -> ServiceRequest:
    """Not ours (or out of triage): to the partner that handles it, same reference, history kept."""
    oversee = actor.has(Permission.REQUESTS_OVERSEE)
    if not oversee:
        _require_handler(actor, request)
    if request.status == S.UNCONFIRMED:
        raise Conflict("The citizen has not confirmed this request yet")
    if partner.is_supplier or partner.is_consortium:
        raise ValidationFailed(
            "Choose a partner", field_errors={"partner_id": "Choose a partner organisation"}
        )
    if partner.pk == request.handled_by_id:
        raise ValidationFailed("Choose another partner", field_errors={"partner_id": "It is already theirs"})
    with transaction.atomic():
        before = request.handled_by.name if request.handled_by else "triage"
        request.handled_by = partner
        request.assigned_to = None
        if request.status in CLOSED_STATUSES:
            request.status = S.OPEN
            _set_closed(request, False)
        request.save()
        RequestUpdate.objects.create(
            request=request,
            kind=UpdateKind.ROUTING,
            text=f"Passed from {before} to {partner.name}: {reason.strip()[:500]}",
            by=actor.person,
        )
        audit_record(
            actor=actor,
            action="service_request.reroute",
            obj=request,
            organisation=partner,
            changes={"from": before, "to": partner.name},
        )
    return request


def request_merge(*, actor: Actor, request: ServiceRequest, into: ServiceRequest) -> ServiceRequest:
    """A duplicate of another request the partner handles: closed as a duplicate, pointing at
    the one that stays open, and its citizen told to follow that one."""
    _require_handler(actor, request)
    _require_handler(actor, into)
    if into.pk == request.pk or into.merged_into_id == request.pk:
        raise ValidationFailed(
            "Choose another request", field_errors={"into_reference": "A request cannot duplicate itself"}
        )
    if request.status in CLOSED_STATUSES:
        raise Conflict("Only an open request is merged into another")
    with transaction.atomic():
        request = (
            ServiceRequest.objects.select_for_update(of=("self",))
            .select_related("handled_by")
            .get(pk=request.pk)
        )
        request.status = S.DUPLICATE
        request.merged_into = into
        _set_closed(request, True)
        request.save()
        RequestUpdate.objects.create(
            request=request,
            kind=UpdateKind.PUBLIC,
            status=S.DUPLICATE,
            text=f"Someone had already reported this: we are dealing with it as {into.reference}.",
            by=actor.person,
        )
        RequestUpdate.objects.create(
            request=into,
            kind=UpdateKind.INTERNAL,
            text=f"{request.reference} merged into this",
            by=actor.person,
        )
        audit_record(
            actor=actor,
            action="service_request.merge",
            obj=request,
            organisation=actor.organisation,
            changes={"into": into.reference},
        )
        send_email_on_commit(
            to=request.email,
            subject=f"Your report {request.reference} has been joined with another",
            body=(
                f"Someone had already reported this problem. We are dealing with it as {into.reference}; "
                f"you will hear when it is done.\n\n{absolute_url(tracking_path(request))}\n"
            ),
        )
        # The citizen of the duplicate hears when the original is done too.
    return request


QUESTIONNAIRE_AFTER_WORKING_DAYS = 3


def questionnaires_send() -> int:
    """A few working days after a request is fixed, ask its citizen whether it was done (a
    "no" on the tracking page reopens it). Each request is asked once."""
    today = today_in_london()
    count = 0
    with transaction.atomic():
        due = (
            ServiceRequest.objects.select_for_update(of=("self",))
            .select_related("service", "handled_by")
            .filter(status=S.FIXED, questionnaire_sent_at__isnull=True, closed_at__isnull=False)
        )
        for request in due:
            closed = request.closed_at.astimezone(LONDON).date() if request.closed_at else today
            nation = request.handled_by.nation if request.handled_by else "ENG"
            if add_working_days(closed, QUESTIONNAIRE_AFTER_WORKING_DAYS, nation) > today:
                continue
            request.questionnaire_sent_at = now()
            request.save(update_fields=["questionnaire_sent_at"])
            send_email_on_commit(
                to=request.email,
                subject=f"Was it done? Your report {request.reference}",
                body=(
                    f"We closed your report {request.reference} ({request.service.name}) as fixed on "
                    f"{closed:%d %B %Y}.\n\nIf it is not done, tell us here and we will reopen it:\n"
                    f"{absolute_url(tracking_path(request))}\n"
                ),
            )
            count += 1
    return count


def citizen_add(*, request: ServiceRequest, text: str, channel: str = Channel.WEB) -> RequestUpdate:
    """The citizen adds information on the tracking page. While the request is open this is a
    contact about work not yet done: failure demand (chasing) unless an officer reclassifies."""
    if request.status == S.UNCONFIRMED:
        raise Conflict("Confirm your e-mail address first")
    text = text.strip()
    if not text:
        raise ValidationFailed(
            "Enter what you want to add", field_errors={"text": "Enter what you want to add"}
        )
    with transaction.atomic():
        request = (
            ServiceRequest.objects.select_for_update(of=("self",))
            .select_related("service", "handled_by")
            .get(pk=request.pk)
        )
        reopen = request.status in CLOSED_STATUSES
        update = RequestUpdate.objects.create(
            request=request,
            kind=UpdateKind.CITIZEN,
            text=text[:4000],
            channel=channel,
            demand=Demand.FAILURE,
            failure_type=FailureType.NOT_DONE if reopen else FailureType.CHASING,
        )
        if reopen and request.status == S.FIXED:
            # "It's not done": the citizen reopens it, and it is failure demand of the worst kind.
            request.status = S.OPEN
            _set_closed(request, False)
            request.save(update_fields=["status", "closed_at", "days_taken", "met_target", "updated_at"])
        elif request.status == S.WAITING_FOR_CITIZEN:
            request.status = S.OPEN
            _clock(request, S.WAITING_FOR_CITIZEN)
            request.save(update_fields=["status", "due_on", "due_at", "paused_at", "updated_at"])
        audit_record(
            actor=None, action="service_request.citizen_update", obj=request, organisation=request.handled_by
        )
    return update


def request_take(
    *, actor: Actor, data: RequestIn, channel: str = Channel.PHONE, demand: str = Demand.VALUE
) -> tuple[ServiceRequest, str]:
    """An officer of the partnership takes a citizen's request on their behalf (on the phone,
    at a desk): confirmed at once, since the officer vouches for it, and the citizen gets
    their reference by e-mail as usual."""
    if not (actor.has(Permission.REQUESTS_WORK) or actor.has(Permission.CONTACTS_ANSWER)):
        raise PermissionDenied("Partner officers take requests for citizens.")
    with transaction.atomic():
        request, secret = request_submit(data=data, channel=channel, vouched=True)
        RequestUpdate.objects.filter(request=request, kind=UpdateKind.CITIZEN).update(demand=demand)
        audit_record(
            actor=actor,
            action="service_request.take",
            obj=request,
            organisation=actor.organisation,
            changes={"reference": request.reference, "channel": channel},
        )
    return request, secret


def contact_record(
    *,
    actor: Actor,
    request: ServiceRequest,
    text: str,
    channel: str,
    demand: str,
    failure_type: str = "",
) -> RequestUpdate:
    """An officer records a citizen's contact about their request (a call, a visit), classified
    as value or failure demand: it counts in the request's history and the figures. Any
    partner's officer who took the contact may record it; only the handling partner reads the
    request's details."""
    if not (actor.has(Permission.REQUESTS_WORK) or actor.has(Permission.CONTACTS_ANSWER)):
        raise PermissionDenied("Partner officers record citizens' contacts.")
    if request.status == S.UNCONFIRMED:
        raise Conflict("This request has not been confirmed by the citizen")
    with transaction.atomic():
        update = RequestUpdate.objects.create(
            request=request,
            kind=UpdateKind.CITIZEN,
            text=text.strip()[:4000],
            by=actor.person,
            channel=channel,
            demand=demand,
            failure_type=failure_type if demand == Demand.FAILURE else "",
        )
        audit_record(
            actor=actor,
            action="service_request.contact",
            obj=request,
            organisation=actor.organisation,
            changes={"channel": channel, "demand": demand},
        )
    return update


def contact_reclassify(
    *, actor: Actor, update: RequestUpdate, demand: str, failure_type: str | None
) -> RequestUpdate:
    _require_handler(actor, update.request)
    if update.kind != UpdateKind.CITIZEN:
        raise ValidationFailed("Only a citizen's contact is classified")
    if demand == Demand.VALUE and failure_type:
        raise ValidationFailed(
            "Value demand has no failure type", field_errors={"failure_type": "Leave it empty"}
        )
    with transaction.atomic():
        update.demand = demand
        update.failure_type = failure_type or ""
        update.save(update_fields=["demand", "failure_type"])
        audit_record(
            actor=actor,
            action="service_request.reclassify",
            obj=update.request,
            organisation=actor.organisation,
            changes={"demand": demand, "failure_type": failure_type or ""},
        )
    return update


# --- service levels ------------------------------------------------------------------------


def require_definer(actor: Actor) -> None:
    if not actor.has(Permission.SERVICES_DEFINE):
        raise PermissionDenied("Partner officers who define services set their service levels.")


def service_level_save(*, actor: Actor, service: Service, data: ServiceLevelIn) -> ServiceLevel:
    """The actor's partner's target for a service it publishes or handles. It applies to
    requests confirmed from now on; requests already open keep the date they were given."""
    require_definer(actor)
    if data.day_ends <= data.day_starts:
        raise ValidationFailed(
            "Check the working day", field_errors={"day_ends": "The working day must end after it starts"}
        )
    if data.target_working_hours and (
        dt.datetime.combine(dt.date.min, data.day_ends) - dt.datetime.combine(dt.date.min, data.day_starts)
    ) < dt.timedelta(hours=1):
        raise ValidationFailed(
            "Check the working day", field_errors={"day_ends": "A working day of at least an hour is needed"}
        )
    with transaction.atomic():
        level, created = ServiceLevel.objects.select_for_update().get_or_create(
            service=service, partner=actor.organisation, defaults={}
        )
        before = {f: str(getattr(level, f)) for f in _LEVEL_FIELDS} if not created else {}
        for f in _LEVEL_FIELDS:
            setattr(level, f, getattr(data, f))
        level.save()
        after = {f: str(getattr(level, f)) for f in _LEVEL_FIELDS}
        audit_record(
            actor=actor,
            action="service_level.save",
            obj=level,
            organisation=actor.organisation,
            changes={f: [before.get(f), after[f]] for f in _LEVEL_FIELDS if before.get(f) != after[f]},
        )
    return level


_LEVEL_FIELDS = ("target_working_days", "target_working_hours", "day_starts", "day_ends")


def service_level_remove(*, actor: Actor, level: ServiceLevel) -> None:
    """Back to the service's own target in working days."""
    require_definer(actor)
    if level.partner_id != actor.organisation.pk:
        raise NotFound("No such service level")
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="service_level.remove",
            obj=level,
            organisation=actor.organisation,
            changes={"service": level.service.code},
        )
        level.delete()


def open311_client_create(*, actor: Actor, name: str) -> tuple[Open311Client, str]:
    """A key for one client application; shown once, stored hashed."""
    _require_oversight(actor)
    if not name.strip():
        raise ValidationFailed("Name the application", field_errors={"name": "Enter the application's name"})
    key = "o311_" + secrets.token_urlsafe(24)
    with transaction.atomic():
        client = Open311Client.objects.create(
            name=name.strip()[:200], key_prefix=key[:12], key_hash=_hash(key)
        )
        audit_record(actor=actor, action="open311_client.create", obj=client, organisation=actor.organisation)
    return client, key


def open311_client_for(key: str) -> Open311Client | None:
    if not key:
        return None
    return Open311Client.objects.filter(key_hash=_hash(key), active=True).first()


def _due_text(request: ServiceRequest) -> str:
    if request.due_at:
        return f"{request.due_at.astimezone(LONDON):%H:%M on %d %B %Y}"
    return f"{request.due_on:%d %B %Y}" if request.due_on else "no date"


def overdue_escalate() -> int:
    """E-mail each partner's officers about requests that went overdue since the last run
    (hourly from cron catches targets in working hours; daily suffices for days)."""
    count = 0
    with transaction.atomic():
        overdue = list(
            ServiceRequest.objects.select_for_update(of=("self",))
            .select_related("handled_by", "service")
            .filter(selectors.overdue_q(), escalated_at__isnull=True, handled_by__isnull=False)
        )
        by_partner: dict[int, list[ServiceRequest]] = {}
        for r in overdue:
            by_partner.setdefault(r.handled_by_id or 0, []).append(r)
            r.escalated_at = now()
            r.save(update_fields=["escalated_at"])
            count += 1
        for partner_id, requests in by_partner.items():
            for email in selectors.officer_emails(partner_id):
                send_email_on_commit(
                    to=email,
                    subject=f"{len(requests)} service request{'s' if len(requests) != 1 else ''} overdue",
                    body="\n".join(f"{r.reference} {r.service.name}: due {_due_text(r)}" for r in requests)
                    + f"\n\n{absolute_url(reverse('citizen-queue'))}?due=overdue\n",
                )
    return count
