"""The API words its validation errors as the pages do (core.forms), from the same schemas."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_the_api_words_its_errors_as_the_pages_do(world):
    from django.test import Client

    from consortium.organisations.constants import Role

    client = Client()
    client.force_login(world.people[Role.CATEGORY_MANAGER])
    response = client.post(
        "/api/v1/tenders", {"title": "", "term_months": "x"}, content_type="application/json"
    )
    assert response.status_code == 422
    messages = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert messages == {"title": "Enter title", "term_months": "Term months must be a whole number"}
