"""The joined-up directory's pages (the API is under /api/v1/directory/)."""

from django.urls import path

from consortium.directory import views

urlpatterns = [
    path("directory/", views.search, name="directory-search"),
    path("directory/people/<int:entry_id>/", views.person, name="directory-person"),
    path("directory/selection/", views.selection, name="directory-selection"),
    path("directory/selection/export.<str:kind>", views.export, name="directory-export"),
    path("directory/email/", views.email, name="directory-email"),
    path("directory/email/<int:email_id>/", views.email_progress, name="directory-email-progress"),
    path("directory/me/", views.me, name="directory-me"),
    path("directory/visibility/", views.visibility, name="directory-visibility"),
    path("directory/visibility/<int:organisation_id>/", views.visibility, name="directory-visibility-of"),
    path("directory/feeds/", views.feeds, name="directory-feeds"),
    path("directory/feeds/<int:feed_id>/", views.feed, name="directory-feed"),
    path("directory/syncs/<int:run_id>/", views.run, name="directory-run"),
    path("directory/conflicts/", views.conflicts, name="directory-conflicts"),
]
