"""Password reset by e-mail: Django's views, our templates, e-mail through the task queue."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordChangeForm, PasswordResetForm, SetPasswordForm
from django.db import transaction
from django.template import loader
from django.urls import reverse_lazy

from consortium.core.email import send_email_on_commit, site_protocol_and_domain


class QueuedPasswordResetForm(PasswordResetForm):
    def send_mail(  # type: ignore[override]
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        # The link is built from SITE_URL, never from the Host header of the request.
        context["protocol"], context["domain"] = site_protocol_and_domain()
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        send_email_on_commit(to=to_email, subject=subject, body=body)


class ConsortiumSetPasswordForm(SetPasswordForm):  # type: ignore[type-arg]
    """A reset ends every session (the session hash changes) and revokes every API token."""

    def save(self, commit: bool = True) -> Any:
        from consortium.organisations.services import person_password_changed

        with transaction.atomic():
            person = super().save(commit=commit)
            person_password_changed(person=person, how="reset")
        return person


class ConsortiumPasswordChangeForm(PasswordChangeForm):  # type: ignore[type-arg]
    """A change ends every other session and revokes every API token; this session stays."""

    def save(self, commit: bool = True) -> Any:
        from consortium.organisations.services import person_password_changed

        with transaction.atomic():
            person = super().save(commit=commit)
            person_password_changed(person=person, how="change")
        return person


password_reset = auth_views.PasswordResetView.as_view(
    template_name="registration/password_reset_form.html",
    email_template_name="registration/password_reset_email.txt",
    subject_template_name="registration/password_reset_subject.txt",
    form_class=QueuedPasswordResetForm,
    success_url=reverse_lazy("password_reset_done"),
)
password_reset_done = auth_views.PasswordResetDoneView.as_view(
    template_name="registration/password_reset_done.html"
)
password_reset_confirm = auth_views.PasswordResetConfirmView.as_view(
    template_name="registration/password_reset_confirm.html",
    form_class=ConsortiumSetPasswordForm,
    success_url=reverse_lazy("password_reset_complete"),
)
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="registration/password_reset_complete.html"
)
password_change = auth_views.PasswordChangeView.as_view(
    template_name="registration/password_change_form.html",
    form_class=ConsortiumPasswordChangeForm,
    success_url=reverse_lazy("password_change_done"),
)
password_change_done = auth_views.PasswordChangeDoneView.as_view(
    template_name="registration/password_change_done.html"
)
