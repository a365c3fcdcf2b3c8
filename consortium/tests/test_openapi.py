"""The OpenAPI schema tells a client generator the truth: every operation documents how it
fails (in the one error shape), file downloads are binary with their real media type, and
no two schemas share a name."""

from __future__ import annotations

import re

from consortium.api import api

OPEN_DATA = ("/api/v1/ocds/", "/api/v1/procurement-rules")


def _operations():  # type: ignore[no-untyped-def]
    schema = api.get_openapi_schema()
    for path, methods in schema["paths"].items():
        for method, op in methods.items():
            yield path, method, op


def test_every_operation_documents_its_failures_in_the_one_error_shape():
    missing = []
    for path, _method, op in _operations():
        codes = {str(c) for c in op["responses"]}
        needed = {"400", "404", "422"} | (set() if op.get("security") == [] else {"401", "403"})
        if path.startswith(OPEN_DATA) or "ocds" in path:
            needed = {"404"} if "{" in path else set()
        if not needed <= codes:
            missing.append(f"{op['operationId']}: {sorted(needed - codes)}")
            continue
        for code in needed:
            ref = op["responses"][int(code) if int(code) in op["responses"] else code]["content"][
                "application/json"
            ]["schema"]
            assert ref.get("$ref", "").endswith("/ErrorOut"), (op["operationId"], code)
    assert not missing, "\n".join(missing)


def test_file_downloads_are_binary_with_their_media_type():
    downloads = []
    for _path, _method, op in _operations():
        for response in op["responses"].values():
            content_types = response.get("content", {})
            if any(media != "application/json" for media in content_types):
                # A download declares only its file type, or generated clients parse it as JSON.
                assert len(content_types) == 1, op["operationId"]
            for media, content in content_types.items():
                if media != "application/json":
                    downloads.append(op["operationId"])
                    assert content["schema"] == {"type": "string", "format": "binary"}, op["operationId"]
                    assert re.match(
                        r"^(text/csv|text/vcard|application/vnd\.openxmlformats|image/svg\+xml$|image/png$|image/jpeg$|application/xml$|application/pdf$)",
                        media,
                    ), media
    assert {"order_export", "audit_event_export", "care_case_workbook", "price_menu_template"} <= set(
        downloads
    )


def test_no_two_schemas_share_a_name():
    names = list(api.get_openapi_schema()["components"]["schemas"])
    assert len(names) == len(set(names))
    # django-ninja disambiguates clashes by numbering them ("ProjectOut2"): none may appear.
    assert not [n for n in names if re.search(r"\d$", n)], names
