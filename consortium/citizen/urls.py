"""Citizen services' pages and the Open311 GeoReport v2 endpoints."""

from django.urls import path, re_path

from consortium.citizen import open311, views

urlpatterns = [
    path("report/", views.report_start, name="citizen-report"),
    path("report/check-your-email/", views.check_email, name="citizen-check-email"),
    path("report/confirm/<str:secret>/", views.confirm, name="citizen-confirm"),
    path("report/track/<str:signed>/", views.track, name="citizen-track"),
    path("report/<slug:code>/", views.report_form, name="citizen-report-form"),
    path("service-requests/", views.queue, name="citizen-queue"),
    path("service-requests/figures/", views.mi, name="citizen-mi"),
    path("service-requests/<int:request_id>/", views.request_detail, name="citizen-request"),
    path(
        "service-requests/<int:request_id>/photos/<int:photo_id>/",
        views.request_photo,
        name="citizen-request-photo",
    ),
    path("citizen-services/", views.service_list, name="citizen-services"),
    path("citizen-services/new/", views.service_new, name="citizen-service-new"),
    path("citizen-services/<int:service_id>/", views.service_edit, name="citizen-service-edit"),
    path("citizen-services/open311-keys/", views.open311_key, name="citizen-open311-key"),
    path("citizen-services/routing/", views.routing, name="citizen-routing"),
    path("citizen-services/service-levels/", views.service_levels, name="citizen-service-levels"),
    re_path(r"^open311/v2/discovery\.(?P<fmt>\w+)$", open311.discovery, name="open311-discovery"),
    re_path(r"^open311/v2/services\.(?P<fmt>\w+)$", open311.service_list, name="open311-services"),
    re_path(
        r"^open311/v2/services/(?P<code>[\w-]+)\.(?P<fmt>\w+)$",
        open311.service_definition,
        name="open311-service",
    ),
    re_path(r"^open311/v2/requests\.(?P<fmt>\w+)$", open311.request_list, name="open311-requests"),
    re_path(
        r"^open311/v2/requests/(?P<reference>[\w-]+)\.(?P<fmt>\w+)$",
        open311.request_detail,
        name="open311-request",
    ),
    # The Open311 community's Swagger description spells this path in the singular: clients
    # generated from it call it so.
    re_path(
        r"^open311/v2/request/(?P<reference>[\w-]+)\.(?P<fmt>\w+)$",
        open311.request_detail,
        name="open311-request-singular",
    ),
    re_path(
        r"^open311/v2/tokens/(?P<token>[\w-]+)\.(?P<fmt>\w+)$", open311.token_detail, name="open311-token"
    ),
    re_path(
        r"^open311/v2/servicerequestupdates\.(?P<fmt>\w+)$", open311.request_updates, name="open311-updates"
    ),
]
