"""What the tendering pages share: the actor, and the procurement page's context."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from consortium.organisations.acting import Actor
from consortium.tendering import selectors
from consortium.tendering.constants import TIE_BREAK_RULE, CriterionKind, ProjectStatus
from consortium.tendering.models import Project

S = ProjectStatus


def _actor(request: HttpRequest) -> Actor:
    return request.actor  # type: ignore[attr-defined,no-any-return]


def _detail_context(actor: Actor, project: Project) -> dict[str, Any]:
    return {
        "project": project,
        "tie_break": TIE_BREAK_RULE,
        "statuses": S,
        "criterion_kinds": CriterionKind.choices,
        "appraisal_questions": appraisal_question_choices(),
        **selectors.procurement_page(actor, project),
    }


def appraisal_question_choices() -> list[tuple[str, str]]:
    from consortium.sustainability.appraisal import QUESTIONS

    return [(code, str(q["text"])) for code, q in QUESTIONS.items()]
