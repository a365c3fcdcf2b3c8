from django.urls import path

from consortium.care import views

urlpatterns = [
    path("", views.care_home, name="care-home"),
    path("assessments/new/", views.assessment_new, name="care-assessment-new"),
    path("assessments/<int:assessment_id>/", views.assessment_detail, name="care-assessment"),
    path("negotiations/<int:negotiation_id>/", views.negotiation_detail, name="care-negotiation"),
    path("negotiations/<int:negotiation_id>/workbook.xlsx", views.negotiation_workbook, name="care-workbook"),
    path("placements/", views.placement_list, name="care-placements"),
    path("benchmarks/", views.benchmarks, name="care-benchmarks"),
    path("reports/", views.reports, name="care-reports"),
    path("menus/new/", views.menu_new, name="care-menu-new"),
    path("menus/upload/", views.menu_upload, name="care-menu-upload"),
    path("menus/template.xlsx", views.menu_template, name="care-menu-template"),
    path("menus/<int:menu_id>/", views.menu_detail, name="care-menu"),
]
