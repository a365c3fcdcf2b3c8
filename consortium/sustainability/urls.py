"""Sustainable procurement's pages, under /sustainability/."""

from django.urls import path

from consortium.sustainability import views

urlpatterns = [
    path("sustainability/", views.framework, name="sustainability-framework"),
    path("sustainability/themes/<str:theme>/", views.theme_checklist, name="sustainability-theme"),
    path("sustainability/actions/", views.action_plan, name="sustainability-actions"),
    path("sustainability/criteria/", views.criteria, name="sustainability-criteria"),
    path("sustainability/carbon/", views.carbon, name="sustainability-carbon"),
    path("sustainability/local/", views.local_economy, name="sustainability-local"),
    path("sustainability/lm3/", views.lm3, name="sustainability-lm3"),
    path("sustainability/appraisal/", views.appraisal_own, name="sustainability-appraisal"),
    path("sustainability/appraisals/", views.appraisal_list, name="sustainability-appraisals"),
    path(
        "sustainability/appraisals/<int:appraisal_id>/",
        views.appraisal_score,
        name="sustainability-appraisal-score",
    ),
    path("sustainability/carbon/factors/", views.factors, name="sustainability-factors"),
]
