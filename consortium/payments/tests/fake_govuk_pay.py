"""A local fake of GOV.UK Pay's public API, started by the tests on a free port: the calls
Consortium makes (create, get, events, cancel, refund, search), bearer-key checks, the
Idempotency-Key (the same request replayed, another request with the key refused with
P0191), a refund with a stale refund_amount_available refused with 412, and an outage switch.
Written from GOV.UK Pay's published API reference; it holds no card data."""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

API_KEY = "api_test_fake_key"


@dataclass
class FakePay:
    url: str = ""
    payments: dict[str, dict[str, Any]] = field(default_factory=dict)
    keys: dict[str, tuple[str, str]] = field(default_factory=dict)  # key -> (body, payment id)
    down: bool = False
    calls: list[str] = field(default_factory=list)

    def finish(self, payment_id: str, status: str = "success", *, last_four: str = "1111") -> None:
        p = self.payments[payment_id]
        p["state"] = {"status": status, "finished": status in ("success", "failed", "cancelled", "error")}
        if status == "success":
            p["card_details"] = {"last_digits_card_number": last_four, "card_brand": "Visa"}
            p["refund_summary"] = {
                "status": "available",
                "amount_available": p["amount"],
                "amount_submitted": 0,
            }
        p["events"].append({"state": dict(p["state"]), "updated": "2026-12-04T10:00:00.000Z"})


def _handler(fake: FakePay) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _send(self, status: int, body: Any = None) -> None:
            data = b"" if body is None else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _error(self, status: int, code: str, description: str, **extra: str) -> None:
            self._send(status, {"code": code, "description": description, **extra})

        def _authorised(self) -> bool:
            fake.calls.append(f"{self.command} {self.path}")
            if fake.down:
                self._send(503, {"message": "Service unavailable"})
                return False
            if self.headers.get("Authorization") != f"Bearer {API_KEY}":
                self._send(401)
                return False
            return True

        def _body(self) -> dict[str, Any]:
            length = int(self.headers.get("Content-Length", "0"))
            return json.loads(self.rfile.read(length) or b"{}")

        def do_GET(self) -> None:
            if not self._authorised():
                return
            parts = urlsplit(self.path)
            segments = parts.path.strip("/").split("/")
            if segments == ["v1", "payments"]:
                query = parse_qs(parts.query)
                page, size = int(query.get("page", ["1"])[0]), int(query.get("display_size", ["500"])[0])
                everything = list(fake.payments.values())
                chunk = everything[(page - 1) * size : page * size]
                links: dict[str, Any] = {}
                if page * size < len(everything):
                    links["next_page"] = {"href": f"{fake.url}/v1/payments?page={page + 1}", "method": "GET"}
                self._send(
                    200,
                    {
                        "total": len(everything),
                        "count": len(chunk),
                        "page": page,
                        "results": [_public(p) for p in chunk],
                        "_links": links,
                    },
                )
                return
            payment = fake.payments.get(segments[2]) if len(segments) >= 3 else None
            if payment is None:
                self._error(404, "P0200", "Not found")
            elif len(segments) == 4 and segments[3] == "events":
                self._send(200, {"payment_id": payment["payment_id"], "events": payment["events"]})
            else:
                self._send(200, _public(payment))

        def do_POST(self) -> None:
            if not self._authorised():
                return
            segments = urlsplit(self.path).path.strip("/").split("/")
            body = self._body()
            if segments == ["v1", "payments"]:
                for required in ("amount", "reference", "description", "return_url"):
                    if required not in body:
                        self._error(400, "P0101", f"Missing mandatory attribute: {required}", field=required)
                        return
                key = self.headers.get("Idempotency-Key", "")
                canonical = json.dumps(body, sort_keys=True)
                if key and key in fake.keys:
                    seen, payment_id = fake.keys[key]
                    if seen != canonical:
                        self._error(
                            409,
                            "P0191",
                            "The Idempotency-Key was used with a different request",
                            header="Idempotency-Key",
                        )
                        return
                    self._send(200, _public(fake.payments[payment_id]))
                    return
                payment_id = secrets.token_hex(13)
                fake.payments[payment_id] = {
                    **body,
                    "payment_id": payment_id,
                    "state": {"status": "created", "finished": False},
                    "events": [
                        {
                            "state": {"status": "created", "finished": False},
                            "updated": "2026-12-04T09:59:00.000Z",
                        }
                    ],
                    "refund_summary": {"status": "pending", "amount_available": 0, "amount_submitted": 0},
                    "created_date": "2026-12-04T09:59:00.000Z",
                    "_links": {"next_url": {"href": f"{fake.url}/secure/{payment_id}", "method": "GET"}},
                }
                if key:
                    fake.keys[key] = (canonical, payment_id)
                self._send(201, _public(fake.payments[payment_id]))
                return
            payment = fake.payments.get(segments[2]) if len(segments) >= 4 else None
            if payment is None:
                self._error(404, "P0200", "Not found")
            elif segments[3] == "cancel":
                if payment["state"]["finished"]:
                    self._error(400, "P0501", "Cancellation of payment failed")
                else:
                    payment["state"] = {"status": "cancelled", "finished": True, "code": "P0040"}
                    self._send(204)
            elif segments[3] == "refunds":
                summary = payment["refund_summary"]
                if summary["status"] != "available":
                    self._error(400, "P0603", "The payment is not available for refund")
                elif body.get("refund_amount_available") != summary["amount_available"]:
                    self._error(412, "P0604", "Refund amount available mismatch")
                elif not 0 < int(body.get("amount", 0)) <= summary["amount_available"]:
                    self._error(400, "P0602", "Not sufficient amount available for refund")
                else:
                    summary["amount_available"] -= int(body["amount"])
                    summary["amount_submitted"] += int(body["amount"])
                    self._send(
                        202,
                        {
                            "refund_id": secrets.token_hex(13),
                            "amount": body["amount"],
                            "status": "submitted",
                            "created_date": "2026-12-04T10:05:00.000Z",
                        },
                    )
            else:
                self._error(404, "P0200", "Not found")

    return Handler


def _public(p: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in p.items() if k != "events"}


@contextmanager
def running() -> Iterator[FakePay]:
    fake = FakePay()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
