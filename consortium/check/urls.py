"""Service check's pages, under /check/."""

from django.urls import path

from consortium.check import views

urlpatterns = [
    path("check/", views.home, name="check-home"),
    path("check/streams/<str:key>/", views.stream_page, name="check-stream"),
    path("check/streams/<str:key>/export.<str:fmt>", views.stream_export, name="check-stream-export"),
    path("check/studies/new/", views.study_new, name="check-study-new"),
    path("check/studies/<int:study_id>/", views.study_page, name="check-study"),
    path("check/studies/<int:study_id>/export.<str:fmt>", views.study_export, name="check-study-export"),
    path("check/studies/<int:study_id>/delete/", views.study_delete, name="check-study-delete"),
    path(
        "check/studies/<int:study_id>/splits/<int:split_id>/remove/",
        views.split_remove,
        name="check-split-remove",
    ),
]
