"""The demo's studies: every stream's finished cases read in, and the County's highways
manager's study of pothole reports, with the process change it made recorded as a split."""

from __future__ import annotations

import datetime as dt

from consortium.check import services
from consortium.check.cases import refresh_all
from consortium.check.models import Study
from consortium.check.schemas import SplitIn, StudyIn
from consortium.citizen.demo import PROCESS_CHANGE, PROCESS_CHANGE_DAYS_AGO
from consortium.citizen.models import Service
from consortium.core.dates import today_in_london
from consortium.organisations.acting import actor_for
from consortium.organisations.models import Organisation, Person


def load_check_demo() -> None:
    # The systems' demos make their histories in bulk, past the signals: read them all once.
    refresh_all()
    if Study.objects.exists():
        return
    pothole = Service.objects.filter(code="pothole").first()
    highways = Person.objects.filter(email="highways@staffordshire.example").first()
    if pothole is None or highways is None or pothole.partner_id is None:
        return
    manager = actor_for(highways, pothole.partner_id)
    assert manager is not None
    study = services.study_create(
        actor=manager,
        data=StudyIn.model_validate(
            {"name": "Pothole reports, end to end", "stream": "citizen.requests", "kind": str(pothole.pk)}
        ),
    )
    changed = today_in_london() - dt.timedelta(days=PROCESS_CHANGE_DAYS_AGO)
    services.split_add(
        actor=manager,
        study_id=study.pk,
        data=SplitIn.model_validate({"on": changed, "reason": PROCESS_CHANGE}),
    )
    services.study_create(
        actor=manager,
        data=StudyIn.model_validate(
            {
                "name": "Requests finished each week",
                "stream": "citizen.requests",
                "granularity": "week",
                "measure": "count",
            }
        ),
    )
    consortium = Organisation.objects.filter(kind="consortium").first()
    admin = Person.objects.filter(email="admin@cbc.example").first()
    if consortium is not None and admin is not None:
        actor = actor_for(admin, consortium.pk)
        assert actor is not None
        services.study_create(
            actor=actor,
            data=StudyIn.model_validate(
                {
                    "name": "Contact centre: time on the phone",
                    "stream": "contacts.contacts",
                    "granularity": "day",
                }
            ),
        )
