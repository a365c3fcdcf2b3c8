from django.contrib import admin
from django.urls import include, path

from consortium.api import api
from consortium.audit import views as audit_views
from consortium.catalogue import views as catalogue_views
from consortium.contracts import views as contract_views
from consortium.core import views as core_views
from consortium.invoices import views as invoice_views
from consortium.orders import views as order_views
from consortium.organisations import password_reset
from consortium.organisations import views as org_views
from consortium.spend import views as spend_views
from consortium.tendering import views as tender_views

urlpatterns = [
    path("", include("consortium.citizen.urls")),
    path("", include("consortium.contacts.urls")),
    path("", include("consortium.directory.urls")),
    path("", include("consortium.payments.urls")),
    path("", include("consortium.savings.urls")),
    path("", include("consortium.sustainability.urls")),
    path("", include("consortium.check.urls")),
    path("", org_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("sign-in/", org_views.sign_in, name="sign-in"),
    path("sign-out/", org_views.sign_out, name="sign-out"),
    path("switch-organisation/", org_views.switch_organisation, name="switch-organisation"),
    path("password-reset/", password_reset.password_reset, name="password_reset"),
    path("password-reset/sent/", password_reset.password_reset_done, name="password_reset_done"),
    path(
        "password-reset/<uidb64>/<token>/",
        password_reset.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path("password-reset/done/", password_reset.password_reset_complete, name="password_reset_complete"),
    path("members/", org_views.member_list, name="member-list"),
    path("organisations/new/", org_views.organisation_new, name="organisation-new"),
    path("organisations/<int:organisation_id>/", org_views.organisation_detail, name="organisation-detail"),
    path("people/", org_views.person_list, name="person-list"),
    path("people/<int:person_id>/", org_views.person_detail, name="person-detail"),
    path("invitations/", org_views.invitation_list, name="invitation-list"),
    path("invitations/new/", org_views.invitation_new, name="invitation-new"),
    path("invitations/<int:invitation_id>/revoke/", org_views.invitation_revoke, name="invitation-revoke"),
    path("invitations/<str:token>/", org_views.invitation_accept, name="invitation-accept"),
    path("account/", org_views.account, name="account"),
    path("account/password/", password_reset.password_change, name="password_change"),
    path("account/password/done/", password_reset.password_change_done, name="password_change_done"),
    path("activity/", audit_views.activity, name="activity"),
    path("activity.csv", audit_views.activity_csv, name="activity-csv"),
    path(
        "activity/<str:object_type>/<str:object_id>/",
        audit_views.activity_for_object,
        name="activity-object",
    ),
    path("care/", include("consortium.care.urls")),
    path("marketplace/", catalogue_views.search, name="search"),
    path("marketplace/items/<int:item_id>/", catalogue_views.item_detail, name="item-detail"),
    path("marketplace/items/<int:item_id>/image", catalogue_views.item_image, name="item-image"),
    path("supplier/catalogue/<int:item_id>/image/", catalogue_views.item_image_edit, name="item-image-edit"),
    path("supplier/catalogue/", catalogue_views.own_catalogue, name="own-catalogue"),
    path("supplier/catalogue/upload/", catalogue_views.catalogue_upload, name="catalogue-upload"),
    path("supplier/catalogue/template.xlsx", catalogue_views.catalogue_template, name="catalogue-template"),
    path("price-changes/", catalogue_views.price_changes, name="price-changes"),
    path("contracts/", contract_views.contract_list, name="contract-list"),
    path("tenders/", tender_views.tender_list, name="tender-list"),
    path("open-data/", tender_views.open_data, name="open-data"),
    path("open-data/releases.json", tender_views.open_data_releases, name="open-data-releases"),
    path("open-data/records.json", tender_views.open_data_records, name="open-data-records"),
    path("tenders/new/", tender_views.tender_new, name="tender-new"),
    path("tenders/<int:project_id>/", tender_views.tender_detail, name="tender-detail"),
    path("tenders/<int:project_id>/act/", tender_views.tender_act, name="tender-act"),
    path("tenders/<int:project_id>/amend/", tender_views.tender_amend, name="tender-amend"),
    path(
        "tenders/<int:project_id>/documents/new/",
        tender_views.tender_document_edit,
        name="tender-document-new",
    ),
    path(
        "tenders/<int:project_id>/documents/<int:document_id>/",
        tender_views.tender_document,
        name="tender-document",
    ),
    path(
        "tenders/<int:project_id>/documents/<int:document_id>/edit/",
        tender_views.tender_document_edit,
        name="tender-document-edit",
    ),
    path("tenders/<int:project_id>/contract/", tender_views.tender_contract, name="tender-contract"),
    path(
        "tenders/<int:project_id>/contract/milestones/<int:number>/",
        tender_views.tender_contract_milestone,
        name="tender-contract-milestone",
    ),
    path(
        "tenders/<int:project_id>/contract/<slug:kind>/",
        tender_views.tender_contract_form,
        name="tender-contract-form",
    ),
    path("tenders/<int:project_id>/lots/<int:lot_number>/", tender_views.tender_lot, name="tender-lot"),
    path(
        "tenders/<int:project_id>/lots/<int:lot_number>/items/new/",
        tender_views.tender_schedule_item,
        name="tender-schedule-item-new",
    ),
    path(
        "tenders/<int:project_id>/lots/<int:lot_number>/items/<int:item_number>/",
        tender_views.tender_schedule_item,
        name="tender-schedule-item",
    ),
    path(
        "tenders/<int:project_id>/criteria/<int:criterion_id>/",
        tender_views.tender_criterion,
        name="tender-criterion",
    ),
    path("tenders/<int:project_id>/timetable/", tender_views.tender_timetable, name="tender-timetable"),
    path("tenders/<int:project_id>/demand/", tender_views.tender_demand, name="tender-demand"),
    path(
        "tenders/<int:project_id>/demand.xlsx",
        tender_views.tender_demand_workbook,
        name="tender-demand-workbook",
    ),
    path(
        "tenders/<int:project_id>/clarifications/",
        tender_views.tender_clarifications,
        name="tender-clarifications",
    ),
    path("tenders/<int:project_id>/lots/<int:lot_number>/bid/", tender_views.tender_bid, name="tender-bid"),
    path(
        "tenders/<int:project_id>/bids/<int:bid_id>/",
        tender_views.tender_bid_detail,
        name="tender-bid-detail",
    ),
    path(
        "tenders/<int:project_id>/bids/<int:bid_id>/summary/",
        tender_views.tender_summary,
        name="tender-summary",
    ),
    path("tenders/<int:project_id>/evaluation/", tender_views.tender_evaluation, name="tender-evaluation"),
    path(
        "tenders/<int:project_id>/evaluation/scores.xlsx",
        tender_views.tender_scoring_workbook,
        name="tender-scoring-workbook",
    ),
    path(
        "tenders/<int:project_id>/criteria/<int:criterion_id>/score/",
        tender_views.tender_scoresheet,
        name="tender-scoresheet",
    ),
    path(
        "tenders/<int:project_id>/criteria/<int:criterion_id>/moderate/",
        tender_views.tender_moderation,
        name="tender-moderation",
    ),
    path("tenders/<int:project_id>/results/", tender_views.tender_results, name="tender-results"),
    path(
        "tenders/<int:project_id>/ocds/releases.json",
        tender_views.tender_ocds_releases,
        name="tender-ocds-releases",
    ),
    path(
        "tenders/<int:project_id>/notices/<int:notice_id>/",
        tender_views.tender_notice,
        name="tender-notice",
    ),
    path(
        "tenders/<int:project_id>/notices/<int:notice_id>.pdf",
        tender_views.tender_notice_pdf,
        name="tender-notice-pdf",
    ),
    path(
        "tenders/<int:project_id>/ocds/record.json",
        tender_views.tender_ocds_record,
        name="tender-ocds-record",
    ),
    path("contracts/new/", contract_views.contract_new, name="contract-new"),
    path("contracts/<int:contract_id>/", contract_views.contract_detail, name="contract-detail"),
    path(
        "contracts/<int:contract_id>/status/",
        contract_views.contract_transition,
        name="contract-transition",
    ),
    path("basket/", order_views.basket, name="basket"),
    path("basket/add/", order_views.basket_add, name="basket-add"),
    path("basket/placed/<path:checkout_key>/", order_views.checkout_done, name="checkout-done"),
    path("buy-again/", order_views.buy_again, name="buy-again"),
    path("lists/", order_views.saved_lists, name="saved-lists"),
    path("lists/<int:list_id>/", order_views.saved_list, name="saved-list"),
    path("orders/", order_views.order_list, name="order-list"),
    path("orders.csv", order_views.order_export, name="order-export"),
    path("orders/<int:order_id>/", order_views.order_detail, name="order-detail"),
    path("orders/<int:order_id>/invoice/", invoice_views.invoice_new, name="invoice-new"),
    path("invoices/", invoice_views.invoice_list, name="invoice-list"),
    path("invoices.csv", invoice_views.invoice_export, name="invoice-export"),
    path("invoices/upload/", invoice_views.invoice_upload, name="invoice-upload"),
    path("invoices/tolerances/", invoice_views.tolerances, name="invoice-tolerances"),
    path("invoices/<int:invoice_id>/", invoice_views.invoice_detail, name="invoice-detail"),
    path("invoices/<int:invoice_id>/ubl/", invoice_views.invoice_ubl, name="invoice-ubl"),
    path("invoices/<int:invoice_id>/pdf/", invoice_views.invoice_document, name="invoice-document"),
    path("approval-rules/", order_views.approval_rules, name="approval-rules"),
    path("mi/", spend_views.dashboard, name="mi"),
    path("mi/export/<str:table>.xlsx", spend_views.export, name="mi-export"),
    path("spend/", spend_views.spend_files, name="spend-files"),
    path("spend/template.xlsx", spend_views.spend_template, name="spend-template"),
    path("spend/<int:spend_file_id>/", spend_views.spend_file, name="spend-file"),
    path("demo/mailbox/", core_views.demo_mailbox, name="demo-mailbox"),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]

handler400 = "consortium.core.views.bad_request"
handler403 = "consortium.core.views.forbidden"
handler404 = "consortium.core.views.not_found"
handler500 = "consortium.core.views.server_error"
