"""Every page form survives bad input: no 500, whatever is sent.

For each page every role may open, the forms on it are read and sent back three ways:
every field filled with text where numbers and ids are expected, every field absent, and
a multipart body with no boundary. The answer must be a page (2xx, 3xx) or a clear refusal
(4xx), never a server error; and nothing stored changes on a refused form is checked by the
forms' own tests.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.test import Client

from consortium.tests.test_authorisation import PAGES, ROLES, _named_pages

pytestmark = pytest.mark.django_db


class _Forms(HTMLParser):
    """The POST forms of a page: action and field names (with the values of hidden fields)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, dict[str, str]]] = []
        self._current: dict[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method", "").lower() == "post":
            self._current = {}
            self.forms.append((a.get("action", ""), self._current))
        elif tag in ("input", "select", "textarea") and self._current is not None and a.get("name"):
            if a.get("type") in ("hidden",) or a["name"] in ("action", "to", "decision"):
                self._current[a["name"]] = a.get("value", "")
            else:
                self._current.setdefault(a["name"], "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._current = None


GARBAGE = "x'<>%00"[:4]  # text, a quote and angle brackets where numbers, ids and dates go


@pytest.mark.parametrize("role", ROLES)
def test_every_page_form_answers_bad_input_without_a_server_error(world, care, market, role):
    client = Client(raise_request_exception=False)
    client.force_login(world.people[role])
    failures = []
    for name in sorted(_named_pages()):
        page = PAGES[name]
        if page.status_for(role) != 200:
            continue
        path = page.build(world, role)
        response = client.get(path)
        if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
            continue
        parser = _Forms()
        parser.feed(response.content.decode())
        for action, fields in parser.forms:
            target = action or path
            if target.startswith(("/sign-out", "http")):
                continue
            kept = {k: v for k, v in fields.items() if k == "csrfmiddlewaretoken"}
            garbled = {
                k: (v if k in ("csrfmiddlewaretoken", "action", "to", "decision") else GARBAGE)
                for k, v in fields.items()
            }
            control = {k: v for k, v in fields.items() if k in ("action", "to", "decision")}
            for label, data, kwargs in (
                ("garbled", garbled, {}),
                ("absent", {**kept, **control}, {}),
                (
                    "no boundary",
                    b'--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--x--\r\n',
                    {"content_type": "multipart/form-data"},
                ),
            ):
                r = client.post(target, data, **kwargs)
                if r.status_code >= 500:
                    failures.append(f"{name} {target} ({label}): {r.status_code}")
                elif r.status_code == 400 and r.get("Content-Type", "").startswith("text/html"):
                    # The GOV.UK error summary: there, and every link leads to a field on the page.
                    html = r.content.decode()
                    summary = re.search(r"govuk-error-summary__list(.*?)</ul>", html, re.S)
                    if summary is None:
                        if label != "no boundary":
                            failures.append(f"{name} {target} ({label}): 400 without an error summary")
                        continue
                    dangling = [
                        h for h in re.findall(r'href="#([^"]+)"', summary.group(1)) if f'id="{h}"' not in html
                    ]
                    if dangling:
                        failures.append(f"{name} {target} ({label}): summary links to no field {dangling}")
    assert not failures, "\n".join(failures)


def test_non_numeric_ids_in_page_paths_are_not_found(signed_in):
    client = signed_in("consortium_admin")
    for path in ("/orders/abc/", "/tenders/1x/", "/care/assessments/%20/", "/marketplace/items/-1/"):
        assert client.get(path).status_code == 404, path
    assert re.match(r"^\d+$", "12")


def test_a_body_that_cannot_be_read_gets_a_clear_page_and_a_clear_api_error(world, signed_in):
    client = signed_in("member_buyer")
    page = client.post("/basket/add/", b"--x\r\n", content_type="multipart/form-data")
    assert page.status_code == 400 and b"could not be read" in page.content
    api = client.post("/api/v1/basket/lines", b"--x\r\n", content_type="multipart/form-data")
    assert api.status_code in (400, 422) and "title" in api.json()


def test_api_failures_outside_the_operations_have_the_one_error_shape(world, token_for):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_for('consortium_admin')}"}
    client = Client()
    unknown = client.get("/api/v1/no-such-thing", **auth)
    assert unknown.status_code == 404 and set(unknown.json()) == {"title", "detail", "errors"}
    wrong = client.delete("/api/v1/me", **auth)
    assert wrong.status_code == 405 and wrong.json()["title"] and "GET" in wrong["Allow"]
    unreadable = client.post("/api/v1/basket/lines", b"--x\r\n", content_type="multipart/form-data", **auth)
    assert unreadable.status_code in (400, 403, 422) and "detail" in unreadable.json()
