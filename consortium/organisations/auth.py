from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from consortium.organisations.models import Person


class EmailBackend(ModelBackend):
    """Sign in by e-mail address, whatever its case."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Person | None:
        email = (kwargs.get("email") or username or "").strip().lower()
        if not email or password is None:
            return None
        try:
            person = Person.objects.get(email=email)
        except Person.DoesNotExist:
            # Hash anyway so a missing address takes as long as a wrong password.
            Person().set_password(password)
            return None
        if person.check_password(password) and self.user_can_authenticate(person):
            return person
        return None
