"""Contact routing's pages (the integration API is under /api/v1/contact-routing/)."""

from django.urls import path

from consortium.contacts import views

urlpatterns = [
    path("contact-centre/", views.supervisor, name="contacts-supervisor"),
    path("contact-centre/console/", views.console, name="contacts-console"),
    path("contact-centre/console/panel/", views.console_panel, name="contacts-console-panel"),
    path("contact-centre/rules/", views.rules, name="contacts-rules"),
    path("contact-centre/rules/<int:rule_id>/", views.rule_edit, name="contacts-rule"),
    path("contact-centre/queues/", views.setup, name="contacts-setup"),
    path("contact-centre/queues/<int:queue_id>/", views.queue_edit, name="contacts-queue"),
    path("contact-centre/platforms/", views.platforms, name="contacts-platforms"),
]
