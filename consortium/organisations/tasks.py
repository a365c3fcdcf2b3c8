"""E-mail moved to `consortium.core.email`; the task keeps this import path too, so tasks
already queued under it still run."""

from consortium.core.email import send_email, send_email_on_commit

__all__ = ["send_email", "send_email_on_commit"]
