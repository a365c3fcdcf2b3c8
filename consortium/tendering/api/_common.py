"""The tendering router and the lookups every stage's endpoints share."""

from django.http import HttpRequest
from ninja import Router

from consortium.organisations.api_auth import actor_of
from consortium.tendering import selectors
from consortium.tendering.models import Criterion, Project

router = Router(tags=["tendering"])


def _project(request: HttpRequest, project_id: int) -> Project:
    return selectors.project_get_for(actor_of(request), project_id)


def _criterion(project: Project, criterion_id: int) -> Criterion:
    return selectors.criterion_of(None, project, criterion_id)
