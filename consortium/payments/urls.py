"""Payments' pages: the citizen's under /pay/, the sandbox provider's under /sandbox-pay/,
finance's under /payments/."""

from django.urls import path

from consortium.payments import views

urlpatterns = [
    path("pay/", views.pay_start, name="payments-pay"),
    path("pay/<int:fund_id>/", views.pay_form, name="payments-pay-form"),
    path("pay/return/<uuid:attempt>/", views.pay_return, name="payments-return"),
    path("pay/request/<str:signed>/", views.pay_fee, name="payments-fee"),
    path("sandbox-pay/<str:payment_id>/", views.sandbox_card, name="payments-sandbox-card"),
    path("payments/webhooks/<int:account_id>/", views.webhook, name="payments-webhook"),
    path("payments/", views.payment_list, name="payments-list"),
    path("payments/export.<str:fmt>", views.payment_export, name="payments-export"),
    path("payments/<int:payment_id>/", views.payment_detail, name="payments-payment"),
    path("payments/funds/", views.fund_list, name="payments-funds"),
    path("payments/funds/<int:fund_id>/", views.fund_edit, name="payments-fund"),
    path("payments/account/", views.account_edit, name="payments-account"),
    path("payments/reconciliation/", views.reconciliation, name="payments-reconciliation"),
    path("payments/reconciliation/<int:settlement_id>/", views.settlement_detail, name="payments-settlement"),
    path("payments/partnership/", views.partnership, name="payments-partnership"),
]
