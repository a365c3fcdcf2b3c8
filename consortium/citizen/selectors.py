"""Reads in shared citizen services, always for an actor: partners see only the requests
they handle, the partnership sees triage and totals, and every read of a citizen's details
by an officer is audited."""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.db.models import Count, Q, QuerySet

from consortium.audit.services import audit_record
from consortium.citizen.clock import Level
from consortium.citizen.constants import CLOSED_STATUSES, OPEN_STATUSES, Demand, RequestStatus, UpdateKind
from consortium.citizen.models import Area, RequestUpdate, RoutingRule, Service, ServiceLevel, ServiceRequest
from consortium.core.dates import LONDON, now, today_in_london
from consortium.core.errors import NotFound, PermissionDenied
from consortium.organisations.acting import Actor
from consortium.organisations.constants import MEMBER_KINDS, Role
from consortium.organisations.models import Organisation, Person
from consortium.organisations.permissions import Permission

S = RequestStatus
TRACKING_SALT = "consortium.citizen.track"


def works_requests(actor: Actor) -> bool:
    return actor.has(Permission.REQUESTS_WORK)


def oversees(actor: Actor) -> bool:
    return actor.has(Permission.REQUESTS_OVERSEE)


def overdue_q() -> Q:
    """Open and past due: the day has passed, or, for a target in hours, the instant."""
    today = today_in_london()
    # The first condition alone reads the partner's open queue index in due order; the second
    # only sifts today's requests (a target in hours is due on its date, at an hour).
    return Q(status__in=OPEN_STATUSES) & Q(due_on__lte=today) & (Q(due_on__lt=today) | Q(due_at__lt=now()))


def level_for(service: Service, partner: Organisation | None) -> Level:
    """The target the handling partner works to for a service (its own service level, or the
    service's target in working days), in that partner's nation's working days. For the
    services' clock: not a read of anyone's data."""
    nation = partner.nation if partner is not None else "ENG"
    level = ServiceLevel.objects.filter(service=service, partner=partner).first() if partner else None
    if level is None:
        return Level(working_days=service.target_working_days, nation=nation)
    return Level(
        working_days=level.target_working_days,
        working_hours=level.target_working_hours,
        day_starts=level.day_starts,
        day_ends=level.day_ends,
        nation=nation,
    )


# --- the catalogue ---------------------------------------------------------------------------


def public_services() -> QuerySet[Service]:
    return (
        Service.objects.filter(active=True, is_public=True)
        .select_related("partner")
        .prefetch_related("questions")
    )


def public_service(code: str) -> Service:
    service = public_services().filter(code=code).first()
    if service is None:
        raise NotFound("No such service")
    return service


def service_search(query: str) -> list[Service]:
    """Services whose name, group, description or keywords hold every word typed."""
    services = public_services()
    for word in query.split()[:8]:
        services = services.filter(
            Q(name__icontains=word)
            | Q(keywords__icontains=word)
            | Q(group__icontains=word)
            | Q(description__icontains=word)
        )
    return list(services)


def own_services(actor: Actor) -> QuerySet[Service]:
    if not actor.has(Permission.SERVICES_DEFINE) and not oversees(actor):
        raise PermissionDenied("Partner officers keep their partner's services.")
    services = Service.objects.select_related("partner").prefetch_related("questions", "levels__partner")
    return services if oversees(actor) else services.filter(partner=actor.organisation)


def own_service(actor: Actor, service_id: int) -> Service:
    service = own_services(actor).filter(pk=service_id).first()
    if service is None:
        raise NotFound("No such service")
    return service


def handled_services(actor: Actor) -> QuerySet[Service]:
    """Services the actor's partner publishes or handles somewhere by agreement: those it may
    set its own service level for."""
    org = actor.organisation
    return (
        Service.objects.filter(Q(partner=org) | Q(routing_rules__handled_by=org)).distinct().order_by("name")
    )


def service_levels(actor: Actor) -> QuerySet[ServiceLevel]:
    """The partner's own service levels (every partner's, for the partnership's admins)."""
    if not (works_requests(actor) or actor.has(Permission.SERVICES_DEFINE) or oversees(actor)):
        raise PermissionDenied("Partner officers see their partner's service levels.")
    levels = ServiceLevel.objects.select_related("service", "partner")
    return levels if oversees(actor) else levels.filter(partner=actor.organisation)


def service_level_get(actor: Actor, level_id: int) -> ServiceLevel:
    level = (
        ServiceLevel.objects.filter(pk=level_id, partner=actor.organisation).select_related("service").first()
    )
    if level is None:
        raise NotFound("No such service level")
    return level


def handled_service_by_id(actor: Actor, service_id: int) -> Service:
    service = handled_services(actor).filter(pk=service_id).first()
    if service is None:
        from consortium.core.errors import ValidationFailed

        raise ValidationFailed(
            "Choose a service",
            field_errors={"service_id": "Choose a service your organisation publishes or handles"},
        )
    return service


def areas() -> QuerySet[Area]:
    return Area.objects.select_related("defined_by")


def routing_rules() -> QuerySet[RoutingRule]:
    return RoutingRule.objects.select_related("service", "area", "handled_by")


# --- requests ------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueFilters:
    service: int | None = None
    area: int | None = None
    status: str = ""
    due: str = ""  # "overdue", "today", "week"
    assigned: str = ""  # "me", "nobody"


def _visible(actor: Actor) -> QuerySet[ServiceRequest]:
    requests = ServiceRequest.objects.exclude(status=S.UNCONFIRMED)
    if oversees(actor):
        return requests
    if works_requests(actor):
        return requests.filter(handled_by=actor.organisation)
    raise PermissionDenied("Partner officers work on their partner's service requests.")


def queue_for(actor: Actor, filters: QueueFilters | None = None) -> QuerySet[ServiceRequest]:
    """The partner's requests (the partnership's triage and all, for its admins), filtered,
    soonest due first. No personal data is read here: the queue shows what and where."""
    f = filters or QueueFilters()
    requests = _visible(actor).select_related("service", "area", "assigned_to", "handled_by")
    if f.service:
        requests = requests.filter(service_id=f.service)
    if f.area:
        requests = requests.filter(area_id=f.area)
    if f.status == "open":
        requests = requests.filter(status__in=OPEN_STATUSES)
    elif f.status == "closed":
        requests = requests.filter(status__in=CLOSED_STATUSES)
    elif f.status == "triage":
        requests = requests.filter(handled_by__isnull=True, status__in=OPEN_STATUSES)
    elif f.status in S.values:
        requests = requests.filter(status=f.status)
    today = today_in_london()
    if f.due == "overdue":
        requests = requests.filter(overdue_q())
    elif f.due == "today":
        requests = requests.filter(status__in=OPEN_STATUSES, due_on=today)
    elif f.due == "week":
        requests = requests.filter(status__in=OPEN_STATUSES, due_on__lte=today + dt.timedelta(days=7))
    if f.assigned == "me":
        requests = requests.filter(assigned_to=actor.person)
    elif f.assigned == "nobody":
        requests = requests.filter(assigned_to__isnull=True)
    return requests.order_by("due_on", "submitted_at", "pk")


def services_in_queue(actor: Actor) -> list[Service]:
    """The services this person's requests can be for, to filter the queue by: those routed to
    their partner by an agreement (every service, for the partnership)."""
    services = Service.objects.order_by("name")
    if not oversees(actor):
        services = services.filter(routing_rules__handled_by=actor.organisation).distinct()
    return list(services)


def request_get_for(actor: Actor, request_id: int) -> ServiceRequest:
    """One request with the citizen's details: only the handling partner (or the partnership
    for triage) reads it, and the read is audited."""
    request = (
        _visible(actor)
        .select_related("service", "area", "handled_by", "assigned_to")
        .filter(pk=request_id)
        .first()
    )
    handles = request is not None and works_requests(actor) and request.handled_by_id == actor.organisation.pk
    # The partnership sees totals, and opens a request only to route it out of triage.
    if request is None or not (handles or request.handled_by_id is None):
        raise NotFound("No such request")
    audit_record(
        actor=actor,
        action="service_request.read",
        obj=request,
        organisation=request.handled_by,
        changes={"reference": request.reference},
    )
    return request


def request_by_reference(actor: Actor, reference: str) -> ServiceRequest:
    request = _visible(actor).filter(reference=reference.strip().upper()).first()
    if request is None:
        raise NotFound("No such request")
    return request


def request_for_tracking(signed: str) -> ServiceRequest:
    """The citizen's own request, by the signed link they were e-mailed."""
    try:
        request_id = signing.loads(signed, salt=TRACKING_SALT)
    except signing.BadSignature:
        raise NotFound("This link is not valid") from None
    request = ServiceRequest.objects.select_related("service", "handled_by").filter(pk=request_id).first()
    if request is None or request.status == S.UNCONFIRMED:
        raise NotFound("This link is not valid")
    return request


def public_updates(request: ServiceRequest) -> list[RequestUpdate]:
    return [
        u
        for u in request.updates.all()
        if u.kind in (UpdateKind.PUBLIC, UpdateKind.CITIZEN) and (u.text or u.status)
    ]


def history(actor: Actor, request: ServiceRequest) -> list[RequestUpdate]:
    return list(request.updates.select_related("by"))


def colleagues(actor: Actor) -> list[Person]:
    return list(
        Person.objects.filter(
            role_assignments__organisation=actor.organisation, role_assignments__role=Role.PARTNER_OFFICER
        )
        .distinct()
        .order_by("full_name")
    )


def partners(actor: Actor) -> list[Organisation]:
    """Partners a request can be passed to: member bodies (not suppliers, not the consortium)."""
    return list(Organisation.objects.filter(kind__in=MEMBER_KINDS).order_by("name"))


def partner_by_id(actor: Actor, partner_id: int) -> Organisation:
    partner = Organisation.objects.filter(pk=partner_id, kind__in=MEMBER_KINDS).first()
    if partner is None:
        from consortium.core.errors import ValidationFailed

        raise ValidationFailed(
            "Choose a partner", field_errors={"partner_id": "Choose a partner from the list"}
        )
    return partner


def colleague_by_id(actor: Actor, person_id: int | None) -> Person | None:
    if person_id is None:
        return None
    person = next((p for p in colleagues(actor) if p.pk == person_id), None)
    if person is None:
        from consortium.core.errors import ValidationFailed

        raise ValidationFailed(
            "Choose a colleague", field_errors={"person_id": "Choose a colleague from the list"}
        )
    return person


def contact_get_for(actor: Actor, update_id: int) -> RequestUpdate:
    update = (
        RequestUpdate.objects.select_related("request")
        .filter(pk=update_id, request__in=_visible(actor))
        .first()
    )
    if update is None:
        raise NotFound("No such contact")
    return update


def officer_emails(partner_id: int) -> list[str]:
    return list(
        Person.objects.filter(
            is_active=True,
            role_assignments__organisation_id=partner_id,
            role_assignments__role=Role.PARTNER_OFFICER,
        )
        .values_list("email", flat=True)
        .distinct()
    )


# --- MI: volumes, service levels, end-to-end time, failure demand ---------------------------


@dataclass
class ServiceFigures:
    partner: str
    service: str
    received: int
    closed: int
    within_target: int
    median_days: float | None
    p85_days: float | None
    contacts: int
    failure_contacts: int

    @property
    def within_target_share(self) -> float | None:
        return round(100 * self.within_target / self.closed, 1) if self.closed else None

    @property
    def failure_share(self) -> float | None:
        return round(100 * self.failure_contacts / self.contacts, 1) if self.contacts else None


def _percentile(values: list[int], p: float) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return float(values[0])
    ordered = sorted(values)
    k = (len(ordered) - 1) * p
    lower = int(k)
    upper = min(lower + 1, len(ordered) - 1)
    return round(ordered[lower] + (ordered[upper] - ordered[lower]) * (k - lower), 1)


Groups = dict[tuple[str, str], tuple[int, int, int, float | None, float | None]]

_CLOSED_SQL = "(" + ", ".join(f"'{s}'" for s in sorted(CLOSED_STATUSES)) + ")"


def _day_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start, end] in London as instants, so the range can use an index on the timestamp."""
    first = dt.datetime.combine(start, dt.time(0), tzinfo=LONDON)
    after = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(0), tzinfo=LONDON)
    return first, after


def _figures_scope(actor: Actor) -> tuple[str, list[Any]]:
    if oversees(actor):
        return "", []
    if not works_requests(actor):
        raise PermissionDenied("Partner officers work on their partner's service requests.")
    return "AND r.handled_by_id = %s", [actor.organisation.pk]


def _groups_in_sql(actor: Actor, first: dt.datetime, after: dt.datetime) -> Groups:
    """PostgreSQL: counts, percentile_cont over each closed request's working days (fixed at
    closing) and its contacts, in one pass grouped by ids (names joined after).
    percentile_cont interpolates as _percentile does."""
    from django.db import connection

    scope, params = _figures_scope(actor)
    closed = f"r.days_taken IS NOT NULL AND r.status IN {_CLOSED_SQL}"
    # Composed only of constants (the closed statuses from our enum and a fixed scope clause);
    # every value is a parameter.
    sql = f"""
        SELECT r.handled_by_id, r.service_id, count(*),
               count(*) FILTER (WHERE {closed}),
               count(*) FILTER (WHERE {closed} AND r.met_target),
               percentile_cont(0.5) WITHIN GROUP (ORDER BY r.days_taken) FILTER (WHERE {closed}),
               percentile_cont(0.85) WITHIN GROUP (ORDER BY r.days_taken) FILTER (WHERE {closed})
        FROM citizen_servicerequest r
        WHERE r.status <> 'unconfirmed' AND r.confirmed_at >= %s AND r.confirmed_at < %s {scope}
        GROUP BY 1, 2
    """  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [first, after, *params])
        rows = cursor.fetchall()
    partner_names = dict(Organisation.objects.filter(pk__in={r[0] for r in rows}).values_list("pk", "name"))
    service_names = dict(Service.objects.filter(pk__in={r[1] for r in rows}).values_list("pk", "name"))
    groups: Groups = {}
    for partner_id, service_id, received, closed_n, within, median, p85 in rows:
        key = (partner_names.get(partner_id, "Triage"), service_names[service_id])
        groups[key] = (
            received,
            closed_n,
            within,
            round(median, 1) if median is not None else None,
            round(p85, 1) if p85 is not None else None,
        )
    return groups


def _groups_in_python(requests: QuerySet[ServiceRequest]) -> Groups:
    """Anywhere else (SQLite in development and tests): the same figures, row by row."""
    rows = requests.values_list("handled_by__name", "service__name", "days_taken", "met_target", "status")
    raw: dict[tuple[str, str], dict[str, Any]] = {}
    for partner, service, days, met, status in rows.order_by().iterator(chunk_size=5000):
        g = raw.setdefault(
            (partner or "Triage", service), {"received": 0, "closed": 0, "within": 0, "days": []}
        )
        g["received"] += 1
        if days is not None and status in CLOSED_STATUSES:
            g["closed"] += 1
            g["days"].append(days)
            if met:
                g["within"] += 1
    return {
        key: (
            g["received"],
            g["closed"],
            g["within"],
            float(statistics.median(g["days"])) if g["days"] else None,
            _percentile(g["days"], 0.85),
        )
        for key, g in raw.items()
    }


def _contacts(
    actor: Actor, first: dt.datetime, after: dt.datetime
) -> dict[tuple[int | None, int], tuple[int, int]]:
    """Citizens' contacts about the requests confirmed in the period, value and failure."""
    requests = ServiceRequest.objects.filter(confirmed_at__gte=first, confirmed_at__lt=after).exclude(
        status=S.UNCONFIRMED
    )
    if not oversees(actor):
        requests = requests.filter(handled_by=actor.organisation)
    rows = (
        RequestUpdate.objects.filter(request__in=requests, kind=UpdateKind.CITIZEN)
        .values_list("request__handled_by_id", "request__service_id")
        .annotate(n=Count("pk"), failure=Count("pk", filter=Q(demand=Demand.FAILURE)))
        .order_by()
    )
    return {(p, s): (n, f) for p, s, n, f in rows}


def service_figures(
    actor: Actor, *, start: dt.date, end: dt.date, in_sql: bool | None = None
) -> list[ServiceFigures]:
    """Per partner and service, requests confirmed in [start, end]: volumes, the share closed
    within target, median and 85th percentile end-to-end working days, failure demand %."""
    from django.db import connection

    _figures_scope(actor)
    first, after = _day_bounds(start, end)
    use_sql = connection.vendor == "postgresql" if in_sql is None else in_sql
    if use_sql:
        groups = _groups_in_sql(actor, first, after)
    else:
        groups = _groups_in_python(_visible(actor).filter(confirmed_at__gte=first, confirmed_at__lt=after))
    contacts = _contacts(actor, first, after)
    names = dict(Organisation.objects.filter(pk__in={p for p, _ in contacts if p}).values_list("pk", "name"))
    services = dict(Service.objects.filter(pk__in={s for _, s in contacts}).values_list("pk", "name"))
    by_group = {(names.get(p or 0, "Triage"), services[s]): v for (p, s), v in contacts.items()}
    out = []
    for (partner, service), (received, closed, within, median, p85) in sorted(groups.items()):
        n, f = by_group.get((partner, service), (0, 0))
        out.append(
            ServiceFigures(
                partner=partner,
                service=service,
                received=received,
                closed=closed,
                within_target=within,
                median_days=median,
                p85_days=p85,
                contacts=n,
                failure_contacts=f,
            )
        )
    return out


def routing_page(actor: Actor) -> dict[str, Any]:
    """Areas, agreements and the choices to add more: for the partnership's admins."""
    if not oversees(actor):
        raise PermissionDenied("The partnership's admins keep areas and routing agreements.")
    return {
        "areas": list(areas()),
        "rules": list(routing_rules().order_by("service__name", "area__name", "-valid_from")),
        "service_options": [(s.pk, s.name) for s in Service.objects.order_by("name")],
        "partner_options": [(p.pk, p.name) for p in partners(actor)],
    }


def area_by_id(actor: Actor, area_id: int | None) -> Area | None:
    if area_id is None:
        return None
    area = Area.objects.filter(pk=area_id).first()
    if area is None:
        from consortium.core.errors import ValidationFailed

        raise ValidationFailed("Choose an area", field_errors={"area_id": "Choose an area from the list"})
    return area


def service_by_id(actor: Actor, service_id: int) -> Service:
    service = Service.objects.filter(pk=service_id).first()
    if service is None:
        from consortium.core.errors import ValidationFailed

        raise ValidationFailed(
            "Choose a service", field_errors={"service_id": "Choose a service from the list"}
        )
    return service
