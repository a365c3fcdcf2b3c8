"""The directory's demo: the county, two districts, police and fire, about 3,500 made-up
people (directory.generate). Cannock Chase sends a CSV file; the others' feeds are LDAP
directories, loaded here as a sync from them would load them (the demo has no LDAP server)."""

from __future__ import annotations

import csv
import io

from django.db import transaction

from consortium.directory import services
from consortium.directory.constants import FeedKind, LdapSecurity, Schedule, SyncStatus, Visibility
from consortium.directory.generate import COUNCIL_ROLES, COUNTY_ROLES, FIRE_ROLES, POLICE_ROLES, Made, people
from consortium.directory.models import Feed, SyncRun
from consortium.directory.schemas import FeedIn, PolicyIn, SyncIn
from consortium.organisations.acting import actor_for
from consortium.organisations.models import Organisation, Person

AGENCIES = [
    # name, feed kind, domain, roles, people, area code
    ("Staffordshire County Council", FeedKind.LDAP, "staffordshire.example", COUNTY_ROLES, 1500, "s"),
    ("Cannock Chase District Council", FeedKind.FILE, "cannock.example", COUNCIL_ROLES, 500, "c"),
    ("Stafford Borough Council", FeedKind.LDAP, "stafford.example", COUNCIL_ROLES, 500, "b"),
    ("Staffordshire Police", FeedKind.LDAP, "police.example", POLICE_ROLES, 600, "p"),
    (
        "Stoke-on-Trent and Staffordshire Fire and Rescue Service",
        FeedKind.LDAP,
        "fire.example",
        FIRE_ROLES,
        400,
        "f",
    ),
]
# Demo users who are in their agency's directory too ("what the directory shows about me").
KNOWN = {
    "Staffordshire County Council": [("commissioner@staffordshire.example", "Carol", "Commissioner")],
    "Cannock Chase District Council": [("partner.officer@cannock.example", "Pat", "Officer")],
}


def _ldap_raw(m: Made, suffix: str) -> tuple[str, dict[str, list[str]], str]:
    dn = f"uid={m.key},ou=People,{suffix}"
    raw = {
        "given_name": [m.given],
        "family_name": [m.family],
        "email": [m.email],
        "phones": [m.phone],
        "job_title": [m.title],
        "department": [m.department],
        "team": [m.team],
        "job_function": [m.function],
        "service_types": m.services.split(";"),
        "location": [m.location],
    }
    if m.preferred:
        raw["preferred_name"] = [m.preferred]
    if m.manager:
        raw["manager"] = [f"uid={m.manager},ou=People,{suffix}"]
    return dn, raw, dn


def load_directory_demo() -> None:
    if Feed.objects.exists():
        return
    consortium = Organisation.objects.get(kind="consortium")
    admin = actor_for(Person.objects.get(email="admin@cbc.example"), consortium.pk)
    assert admin is not None
    for seed, (name, kind, domain, roles, count, prefix) in enumerate(AGENCIES, start=1):
        org = Organisation.objects.get(name=name)
        made = list(people(count, domain=domain, roles=roles, seed=seed, prefix=prefix))
        for i, (email, given, family) in enumerate(KNOWN.get(name, [])):
            m = made[i + 1]
            m.email, m.given, m.family, m.preferred = email, given, family, ""
        suffix = "dc=" + domain.split(".")[0] + ",dc=example"
        data = {"organisation_id": org.id, "name": f"{name} staff", "kind": kind}
        if kind == FeedKind.LDAP:
            data |= {
                "server_url": f"ldaps://ldap.{domain}",
                "security": LdapSecurity.LDAPS,
                "bind_dn": f"cn=consortium-reader,ou=Service,{suffix}",
                "base_dn": f"ou=People,{suffix}",
                "search_filter": "(&(objectClass=inetOrgPerson)(!(employeeType=contractor)))",
                "schedule": Schedule.DAILY,
            }
        feed = services.feed_save(actor=admin, data=FeedIn.model_validate(dict(**data)))
        if kind == FeedKind.FILE:
            out = io.StringIO()
            w = csv.writer(out)
            w.writerow(["id", "given_name", "family_name", "preferred_name", "email", "telephone", "job_title",
                        "department", "team", "job_function", "service_types", "location", "manager"])  # fmt: skip
            for m in made:
                w.writerow([m.key, m.given, m.family, m.preferred, m.email, m.phone, m.title, m.department, m.team,
                            m.function, m.services, m.location, m.manager])  # fmt: skip
            run = services.sync_request(
                actor=admin,
                feed=feed,
                data=SyncIn.model_validate({}),
                upload=(out.getvalue().encode(), "cannock-staff.csv"),
            )
            services.sync_run(run.id)
        else:
            run = SyncRun.objects.create(feed=feed, trigger="schedule", status=SyncStatus.RUNNING)
            with transaction.atomic():
                services._apply(
                    run,
                    feed,
                    [_ldap_raw(m, suffix) for m in made],
                    {"external_id": "dn"} | feed.attribute_map,
                )
    police = Organisation.objects.get(name="Staffordshire Police")
    services.policy_set(
        actor=admin,
        organisation_id=police.id,
        data=PolicyIn.model_validate(dict(levels={"phones": Visibility.OWN})),
    )
    fire = Organisation.objects.get(name="Stoke-on-Trent and Staffordshire Fire and Rescue Service")
    services.policy_set(
        actor=admin,
        organisation_id=fire.id,
        data=PolicyIn.model_validate(dict(levels={"location": Visibility.OWN})),
    )
