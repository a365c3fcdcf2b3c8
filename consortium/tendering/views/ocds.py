"""Open data downloads, open to anyone once the procurement is published."""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET

from consortium.core.errors import NotFound
from consortium.tendering import ocds, selectors
from consortium.tendering.models import Project


def _published(project_id: int) -> Project:
    try:
        return selectors.published_project(project_id)
    except NotFound as e:  # these pages are open to anyone, outside actor_required
        from django.http import Http404

        raise Http404(e.detail) from e


@require_GET
def tender_ocds_releases(request: HttpRequest, project_id: int) -> HttpResponse:
    """Open data: the release package, downloadable by anyone."""
    project = _published(project_id)
    response = JsonResponse(ocds.release_package(project), json_dumps_params={"indent": 2})
    response["Content-Disposition"] = f'attachment; filename="{project.ocid}-releases.json"'
    return response


@require_GET
def tender_ocds_record(request: HttpRequest, project_id: int) -> HttpResponse:
    project = _published(project_id)
    response = HttpResponse(
        json.dumps(ocds.record_package(project), indent=2), content_type="application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="{project.ocid}-record.json"'
    return response


@require_GET
def open_data(request: HttpRequest) -> HttpResponse:
    """What the consortium publishes as open contracting data, on what terms, and where."""
    from django.conf import settings
    from django.shortcuts import render

    return render(
        request,
        "tendering/open_data.html",
        {
            "procurements": ocds.published(),
            "publisher": settings.OCDS_PUBLISHER_NAME,
            "prefix": settings.OCDS_OCID_PREFIX,
            "licence": ocds.LICENCE,
        },
    )


@require_GET
def open_data_releases(request: HttpRequest) -> HttpResponse:
    """Bulk download: every published release in one release package."""
    response = HttpResponse(
        json.dumps(ocds.bulk_release_package(), indent=2), content_type="application/json"
    )
    response["Content-Disposition"] = 'attachment; filename="releases.json"'
    return response


@require_GET
def open_data_records(request: HttpRequest) -> HttpResponse:
    """Bulk download: one record per published procurement, with its compiled release."""
    response = HttpResponse(json.dumps(ocds.bulk_record_package(), indent=2), content_type="application/json")
    response["Content-Disposition"] = 'attachment; filename="records.json"'
    return response
