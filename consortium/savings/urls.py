"""Savings and cost sharing's pages, under /savings/."""

from django.urls import path

from consortium.savings import views

urlpatterns = [
    path("savings/", views.saving_list, name="savings-list"),
    path("savings/new/", views.saving_new, name="savings-new"),
    path("savings/generate/", views.generate, name="savings-generate"),
    path("savings/report/", views.report, name="savings-report"),
    path("savings/statement/<int:year>.pdf", views.statement_pdf, name="savings-statement"),
    path("savings/net-benefit/", views.net_benefit, name="savings-net-benefit"),
    path("savings/costs/", views.costs, name="savings-costs"),
    path("savings/costs/figures/", views.figures, name="savings-figures"),
    path("savings/rebates/", views.rebates, name="savings-rebates"),
    path("savings/<int:saving_id>/", views.saving_detail, name="savings-detail"),
    path(
        "savings/<int:saving_id>/evidence/<int:evidence_id>/",
        views.evidence_download,
        name="savings-evidence",
    ),
]
