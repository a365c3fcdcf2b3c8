"""Reading a feed: an uploaded CSV or .xlsx, or an LDAP directory searched in pages.

Each reader yields (where, {target field: [values]}, external id) for every person, or
raises SourceError with a message in plain words; nothing is written here."""

from __future__ import annotations

import contextlib
import csv
import io
import ssl
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from consortium.core.errors import ValidationFailed
from consortium.core.files import open_workbook
from consortium.core.sealed import unseal
from consortium.directory.constants import LdapSecurity
from consortium.directory.models import Feed

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ROWS = 300_000
Raw = tuple[str, dict[str, list[str]], str]


class SourceError(Exception):
    """The source could not be read; the message is for the admin, in plain words."""


@dataclass
class FileRows:
    rows: list[Raw]
    columns: dict[str, str]


# --- files ------------------------------------------------------------------------------------


def _decode(content: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SourceError(
        "The file is not text in UTF-8 or Windows-1252: save it as CSV UTF-8 and upload it again"
    )


def read_file(content: bytes, name: str, attribute_map: dict[str, str]) -> FileRows:
    """Rows of an uploaded CSV or .xlsx, header on the first row, columns named by the map."""
    if len(content) > MAX_FILE_BYTES:
        raise SourceError(f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
    if not content:
        raise SourceError("The file is empty")
    lower = name.lower()
    table: list[list[str]]
    if lower.endswith(".xlsx") or content[:4] == b"PK\x03\x04":
        try:
            wb = open_workbook(
                content,
                title="The file is not a workbook that can be read",
                hint="The file is not a workbook that can be read: save it as .xlsx or CSV and upload it again",
            )
        except ValidationFailed as e:
            raise SourceError(e.field_errors.get("file") or e.detail) from None
        ws = wb.worksheets[0]
        table = [
            ["" if v is None else str(v) for v in row]
            for row in ws.iter_rows(values_only=True, max_row=MAX_ROWS + 1)
        ]
    elif lower.endswith((".csv", ".txt")) or not lower:
        text = _decode(content)
        try:
            table = list(csv.reader(io.StringIO(text)))
        except csv.Error as e:
            raise SourceError(f"The CSV file could not be read: {e}") from None
    else:
        raise SourceError("Upload a CSV (.csv) or Excel (.xlsx) file")
    if not table:
        raise SourceError("The file has no header row")
    if len(table) > MAX_ROWS + 1:
        raise SourceError(f"The file has more than {MAX_ROWS:,} rows")
    header = [h.strip().lower() for h in table[0]]
    index = {h: i for i, h in enumerate(header) if h}
    missing = [
        col
        for target, col in attribute_map.items()
        if target in ("given_name", "family_name") and col.lower() not in index
    ]
    if missing:
        raise SourceError("The header row has no column " + ", ".join(f"“{m}”" for m in missing))
    columns = {target: col for target, col in attribute_map.items()}
    rows: list[Raw] = []
    for number, cells in enumerate(table[1:], start=2):
        if not any(c.strip() for c in cells):
            continue
        raw: dict[str, list[str]] = {}
        for target, col in attribute_map.items():
            i = index.get(col.lower())
            if i is not None and i < len(cells) and cells[i].strip():
                raw[target] = [cells[i]]
        rows.append((f"Row {number}", raw, ""))
    return FileRows(rows=rows, columns=columns)


# --- LDAP -------------------------------------------------------------------------------------


def _server(feed: Feed) -> Any:
    import ldap3

    parts = urlsplit(feed.server_url.strip())
    if parts.scheme not in ("ldap", "ldaps") or not parts.hostname:
        raise SourceError("The server address must look like ldaps://ldap.example.gov.uk or ldap://host:389")
    use_ssl = feed.security == LdapSecurity.LDAPS or parts.scheme == "ldaps"
    try:
        port = parts.port or (636 if use_ssl else 389)
    except ValueError:
        raise SourceError("The server address has a port that is not a number") from None
    tls = ldap3.Tls(validate=ssl.CERT_REQUIRED) if feed.security != LdapSecurity.NONE else None
    return ldap3.Server(
        parts.hostname, port=port, use_ssl=use_ssl, tls=tls, get_info=ldap3.NONE, connect_timeout=10
    )


def _words(exc: Exception) -> str:
    """An ldap3 error in plain words."""
    from ldap3.core import exceptions as x

    if isinstance(exc, x.LDAPSocketOpenError | x.LDAPStartTLSError) and "TLS" in str(exc).upper():
        return (
            "A secure connection could not be made: check the server's certificate and the security setting"
        )
    if isinstance(exc, x.LDAPSocketOpenError):
        return "The directory server could not be reached: check the address and port, and that it is running"
    if isinstance(exc, x.LDAPBindError | x.LDAPInvalidCredentialsResult):
        return "The directory server refused the bind DN or password"
    if isinstance(exc, x.LDAPInvalidFilterError):
        return "The search filter is not valid LDAP: for example (objectClass=person)"
    if isinstance(exc, x.LDAPNoSuchObjectResult):
        return "The base DN does not exist on the directory server"
    if isinstance(exc, x.LDAPSizeLimitExceededResult):
        return "The directory server stopped at its size limit: it does not allow paged searches for this account"
    if isinstance(exc, x.LDAPInsufficientAccessRightsResult):
        return "The bind account may not read this part of the directory"
    if isinstance(
        exc, x.LDAPSessionTerminatedByServerError | x.LDAPSocketReceiveError | x.LDAPSocketSendError
    ):
        return "The connection to the directory server was lost during the search"
    if isinstance(exc, x.LDAPSocketCloseError | x.LDAPCommunicationError):
        return "The connection to the directory server was lost"
    return f"The directory server answered with an error: {exc}"


def connect(feed: Feed) -> Any:
    import ldap3
    from ldap3.core.exceptions import LDAPException

    server = _server(feed)
    password = unseal(feed.sealed_password) if feed.sealed_password else None
    try:
        conn = ldap3.Connection(
            server,
            user=feed.bind_dn or None,
            password=password,
            auto_bind=ldap3.AUTO_BIND_NONE,
            receive_timeout=30,
            raise_exceptions=True,
            read_only=True,
        )
        conn.open()
        if feed.security == LdapSecurity.STARTTLS and not server.ssl:
            conn.start_tls()
        conn.bind()
    except LDAPException as e:
        raise SourceError(_words(e)) from None
    return conn


def read_ldap(feed: Feed, *, on_page: Callable[[int], None] | None = None) -> Iterator[Raw]:
    """Every person under the base DN matching the filter, in pages of `page_size`
    (RFC 2696), so a server's size limit does not cut the list short."""
    from ldap3 import SUBTREE
    from ldap3.core.exceptions import LDAPException

    conn = connect(feed)
    wanted = {target: attr for target, attr in feed.attribute_map.items() if attr}
    attributes = sorted({a for a in wanted.values() if a.lower() not in ("dn", "distinguishedname")})
    cookie: Any = None
    pages = 0
    try:
        while True:
            conn.search(
                feed.base_dn,
                feed.search_filter or "(objectClass=person)",
                search_scope=SUBTREE,
                attributes=attributes or ["cn"],
                paged_size=max(1, min(feed.page_size, 5000)),
                paged_cookie=cookie,
            )
            for item in conn.response or []:
                if item.get("type") != "searchResEntry":
                    continue
                dn = item["dn"]
                attrs = item.get("attributes") or {}
                raw: dict[str, list[str]] = {}
                for target, attr in wanted.items():
                    if attr.lower() in ("dn", "distinguishedname"):
                        raw[target] = [dn]
                        continue
                    value = attrs.get(attr)
                    if value is None:
                        continue
                    values = value if isinstance(value, list) else [value]
                    raw[target] = [
                        v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v) for v in values
                    ]
                external = (raw.get("external_id") or [dn])[0]
                yield (dn, raw, external)
            pages += 1
            if on_page:
                on_page(pages)
            controls = (conn.result or {}).get("controls") or {}
            cookie = controls.get("1.2.840.113556.1.4.319", {}).get("value", {}).get("cookie")
            if not cookie:
                break
    except LDAPException as e:
        raise SourceError(_words(e)) from None
    finally:
        with contextlib.suppress(Exception):
            conn.unbind()


def ldap_columns(feed: Feed) -> dict[str, str]:
    return {"external_id": "dn"} | {target: attr for target, attr in feed.attribute_map.items() if attr}
