"""A small telephony platform, simulated: it sends contacts to the integration API as a real
platform would (signed, with idempotency keys), polls those that wait, answers, ends or
abandons them. `consortium contact-sim` runs it for the demo; the benchmarks use it too."""

from __future__ import annotations

import http.client
import json
import random
import statistics
import threading
import time
import urllib.parse
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from consortium.contacts.signing import headers

MENUS = ["1", "1", "2", "2.2", "3", ""]
POSTCODES = ["WS11 1BG", "WS12 4AB", "ST16 2LH", "ST17 9AA", "DE13 0AA", ""]


@dataclass
class Result:
    sent: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    outcomes: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0

    @property
    def per_second(self) -> float:
        return self.sent / self.seconds if self.seconds else 0.0

    def p95(self) -> float:
        xs = sorted(self.latencies_ms)
        return xs[round(0.95 * (len(xs) - 1))] if xs else 0.0

    def summary(self) -> str:
        median = statistics.median(self.latencies_ms) if self.latencies_ms else 0.0
        return (
            f"{self.sent} contacts in {self.seconds:.1f} s ({self.per_second:.1f}/s); routing decision "
            f"median {median:.1f} ms, p95 {self.p95():.1f} ms; outcomes {dict(self.outcomes)}; "
            f"errors {dict(self.errors) or 'none'}"
        )


class Platform:
    def __init__(self, url: str, key_id: str, secret: str) -> None:
        self.url = url.rstrip("/")
        self.key_id = key_id
        self.secret = secret

    def call(
        self, method: str, path: str, payload: dict[str, Any] | None = None
    ) -> tuple[int, dict[str, Any]]:
        body = json.dumps(payload).encode() if payload is not None else b""
        key = uuid.uuid4().hex if method == "POST" else ""
        h = headers(
            key_id=self.key_id,
            secret=self.secret,
            timestamp=int(time.time()),
            method=method,
            path=path,
            body=body,
            idempotency_key=key,
        )
        if payload is not None:
            h["Content-Type"] = "application/json"
        parts = urllib.parse.urlsplit(self.url)
        if parts.scheme not in ("http", "https"):
            raise ValueError("The URL must start http:// or https://")
        connection_class = (
            http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        )
        conn = connection_class(parts.netloc, timeout=30)
        try:
            conn.request(method, parts.path.rstrip("/") + path, body=body or None, headers=h)
            response = conn.getresponse()
            return response.status, json.loads(response.read() or b"{}")
        finally:
            conn.close()


def one_contact(platform: Platform, rng: random.Random, *, patience: float, talk: float) -> tuple[float, str]:
    payload = {
        "channel": rng.choices(["phone", "chat", "email"], weights=[80, 15, 5])[0],
        "caller": f"07700 9{rng.randint(0, 99999):05d}",
        "dialled": "0300 111 8000",
        "menu": rng.choice(MENUS),
        "postcode": rng.choice(POSTCODES),
        "language": rng.choices(["", "bsl"], weights=[98, 2])[0],
    }
    started = time.perf_counter()
    status, out = platform.call("POST", "/api/v1/contact-routing/inbound", payload)
    took = (time.perf_counter() - started) * 1000
    if status != 200:
        return took, f"error {status}"
    reference = out["reference"]
    path = f"/api/v1/contact-routing/inbound/{reference}"
    deadline = time.monotonic() + patience
    while out["status"] == "waiting" and time.monotonic() < deadline:
        time.sleep(0.5)
        _, out = platform.call("GET", path)
    if out["status"] == "offered":
        platform.call("POST", path + "/events", {"kind": "answered"})
        if talk:
            time.sleep(talk)
        platform.call("POST", path + "/events", {"kind": "ended"})
        return took, "answered"
    if out["status"] == "waiting":
        platform.call("POST", path + "/events", {"kind": "abandoned"})
        return took, "abandoned"
    return took, out["status"]


def run(
    platform: Platform,
    *,
    contacts: int,
    concurrency: int = 8,
    patience: float = 5.0,
    talk: float = 0.0,
    seed: int = 1,
) -> Result:
    result = Result()
    lock = threading.Lock()
    remaining = iter(range(contacts))

    def worker(n: int) -> None:
        rng = random.Random(seed * 1000 + n)
        while True:
            with lock:
                if next(remaining, None) is None:
                    return
            try:
                took, outcome = one_contact(platform, rng, patience=patience, talk=talk)
            except OSError as e:
                with lock:
                    result.errors[type(e).__name__] += 1
                continue
            with lock:
                result.sent += 1
                result.latencies_ms.append(took)
                if outcome.startswith("error"):
                    result.errors[outcome] += 1
                else:
                    result.outcomes[outcome] += 1

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    result.seconds = time.perf_counter() - started
    return result
