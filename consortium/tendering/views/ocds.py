"""Open data downloads, open to anyone once the procurement is published."""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET

from consortium.core.errors import NotFound
from consortium.tendering import ocds, selectors
from consortium.tendering.models import Notice, Project


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


def _notice_of(project_id: int, notice_id: int) -> tuple[Project, Notice]:
    from django.http import Http404

    project = _published(project_id)
    notice = project.notices.select_related("notice_type").filter(pk=notice_id).first()
    if notice is None:
        raise Http404("No such notice for this procurement")
    return project, notice


@require_GET
def tender_notice(request: HttpRequest, project_id: int, notice_id: int) -> HttpResponse:
    """A UK notice as published, open to anyone: its content fixed when it was published."""
    from django.shortcuts import render

    project, notice = _notice_of(project_id, notice_id)
    return render(request, "tendering/notice.html", {"project": project, "notice": notice})


def _no_fetching(url: str, *args: object, **kwargs: object) -> object:
    """The notice is self-contained: WeasyPrint fetches nothing, whatever text it holds."""
    raise ValueError(f"Not fetched: {url[:80]}")


@require_GET
def tender_notice_pdf(request: HttpRequest, project_id: int, notice_id: int) -> HttpResponse:
    """The same notice as a PDF document, to file or to attach."""
    import weasyprint
    from django.template.loader import render_to_string

    project, notice = _notice_of(project_id, notice_id)
    html = render_to_string("tendering/notice_pdf.html", {"project": project, "notice": notice})
    response = HttpResponse(
        weasyprint.HTML(string=html, url_fetcher=_no_fetching).write_pdf(), content_type="application/pdf"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{project.reference}-{notice.notice_type.code}-{notice.pk}.pdf"'
    )
    return response
