"""How a platform signs a request to the integration API (docs/contact-routing.md):

    X-Consortium-Platform:  the platform's key id
    X-Consortium-Timestamp: seconds since 1970 (UTC), within the window of our clock
    Idempotency-Key:        unique per POST (retries reuse it)
    X-Consortium-Signature: sha256=<hex HMAC-SHA256 with the shared secret of
                            "<timestamp>\\n<idempotency key>\\n<METHOD>\\n<path>\\n" + the body>

Method, path and key are signed with the body, so a captured request can be neither pointed at
another contact nor replayed under a new key; outside the window it is refused outright."""

from __future__ import annotations

import hashlib
import hmac


def signed_message(*, timestamp: str, key: str, method: str, path: str, body: bytes) -> bytes:
    return f"{timestamp}\n{key}\n{method.upper()}\n{path}\n".encode() + body


def signature(secret: str, message: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def headers(
    *,
    key_id: str,
    secret: str,
    timestamp: int,
    method: str,
    path: str,
    body: bytes,
    idempotency_key: str = "",
) -> dict[str, str]:
    """The headers a platform sends (used by `consortium contact-sim` and the tests)."""
    message = signed_message(
        timestamp=str(timestamp), key=idempotency_key, method=method, path=path, body=body
    )
    out = {
        "X-Consortium-Platform": key_id,
        "X-Consortium-Timestamp": str(timestamp),
        "X-Consortium-Signature": signature(secret, message),
    }
    if idempotency_key:
        out["Idempotency-Key"] = idempotency_key
    return out
