"""Payment providers behind one interface. Amounts cross this boundary as integers in pence
(as GOV.UK Pay takes them); inside Consortium they are Decimal pounds.

- `GovukPay` speaks GOV.UK Pay's public API over HTTPS with the partner's own API key.
- `Sandbox` is Consortium's own provider for the demo and tests: it keeps its records in
  SandboxPayment and hosts a card page at /sandbox-pay/<id>/ that honours GOV.UK Pay's test
  card numbers. No card number is ever kept, only the last four digits for the receipt."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol

import httpx
from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse

from consortium.core import sealed
from consortium.core.email import absolute_url
from consortium.payments.constants import FINISHED, PaymentStatus, Provider
from consortium.payments.models import PaymentAccount, SandboxPayment

TIMEOUT = httpx.Timeout(10.0, connect=5.0)


@dataclass
class ProviderPayment:
    provider_id: str
    status: str
    amount_pence: int
    reference: str = ""
    next_url: str = ""
    code: str = ""
    message: str = ""
    card_brand: str = ""
    last_four: str = ""
    refund_available_pence: int = 0
    created: str = ""

    @property
    def finished(self) -> bool:
        return self.status in FINISHED


class ProviderError(Exception):
    """The provider refused or could not be reached. `outage` errors are worth retrying later."""

    def __init__(self, message: str, *, code: str = "", status: int = 0, outage: bool = False) -> None:
        super().__init__(message)
        self.code, self.status, self.outage = code, status, outage


class StaleRefundAmount(ProviderError):
    """The amount available to refund changed since we read it (GOV.UK Pay's 412)."""


class PaymentProvider(Protocol):
    def create(
        self, *, amount_pence: int, reference: str, description: str, return_url: str, email: str, key: str
    ) -> ProviderPayment: ...

    def get(self, provider_id: str) -> ProviderPayment: ...

    def events(self, provider_id: str) -> list[tuple[str, str]]: ...

    def cancel(self, provider_id: str) -> None: ...

    def refund(self, provider_id: str, *, amount_pence: int, available_pence: int) -> tuple[str, str]: ...

    def search(self, start: dt.datetime, end: dt.datetime) -> Iterator[ProviderPayment]: ...


def for_account(account: PaymentAccount) -> PaymentProvider:
    if account.provider == Provider.SANDBOX and not settings.PAYMENTS_SANDBOX:
        raise ProviderError("The sandbox provider is switched off here", code="SANDBOX_OFF")
    if account.provider == Provider.GOVUK_PAY:
        return GovukPay(
            account.base_url, sealed.unseal(account.sealed_api_key) if account.sealed_api_key else ""
        )
    return Sandbox(account)


# --- GOV.UK Pay ---------------------------------------------------------------------------------


def _from_govuk(body: dict[str, Any]) -> ProviderPayment:
    state = body.get("state") or {}
    card = body.get("card_details") or {}
    refunds = body.get("refund_summary") or {}
    links = body.get("_links") or {}
    return ProviderPayment(
        provider_id=str(body.get("payment_id", "")),
        status=str(state.get("status", "")),
        amount_pence=int(body.get("amount", 0)),
        reference=str(body.get("reference", "")),
        next_url=str((links.get("next_url") or {}).get("href", "")),
        code=str(state.get("code", "")),
        message=str(state.get("message", "")),
        card_brand=str(card.get("card_brand") or ""),
        last_four=str(card.get("last_digits_card_number") or "")[-4:],
        refund_available_pence=int(refunds.get("amount_available", 0) or 0),
        created=str(body.get("created_date", "")),
    )


class GovukPay:
    def __init__(self, base_url: str, api_key: str, *, transport: httpx.BaseTransport | None = None) -> None:
        self.client = httpx.Client(
            base_url=(base_url or "https://publicapi.payments.service.gov.uk").rstrip("/"),
            headers={"Authorization": f"Bearer {api_key}", "Accept": "application/json"},
            timeout=TIMEOUT,
            transport=transport,
        )

    def _call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self.client.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise ProviderError("GOV.UK Pay could not be reached", outage=True) from exc
        if response.status_code >= 500 or response.status_code == 429:
            raise ProviderError(
                f"GOV.UK Pay answered {response.status_code}", status=response.status_code, outage=True
            )
        if response.status_code >= 400:
            try:
                body = response.json()
            except ValueError:
                body = {}
            code, text = str(body.get("code", "")), str(body.get("description", "")) or response.reason_phrase
            error = StaleRefundAmount if response.status_code == 412 else ProviderError
            raise error(f"GOV.UK Pay refused: {code} {text}".strip(), code=code, status=response.status_code)
        return response

    def create(
        self, *, amount_pence: int, reference: str, description: str, return_url: str, email: str, key: str
    ) -> ProviderPayment:
        body = {
            "amount": amount_pence,
            "reference": reference,
            "description": description,
            "return_url": return_url,
            "email": email,
            "language": "en",
        }
        return _from_govuk(
            self._call("POST", "/v1/payments", json=body, headers={"Idempotency-Key": key}).json()
        )

    def get(self, provider_id: str) -> ProviderPayment:
        return _from_govuk(self._call("GET", f"/v1/payments/{provider_id}").json())

    def events(self, provider_id: str) -> list[tuple[str, str]]:
        body = self._call("GET", f"/v1/payments/{provider_id}/events").json()
        return [(str(e["state"]["status"]), str(e.get("updated", ""))) for e in body.get("events", [])]

    def cancel(self, provider_id: str) -> None:
        self._call("POST", f"/v1/payments/{provider_id}/cancel")

    def refund(self, provider_id: str, *, amount_pence: int, available_pence: int) -> tuple[str, str]:
        body = self._call(
            "POST",
            f"/v1/payments/{provider_id}/refunds",
            json={"amount": amount_pence, "refund_amount_available": available_pence},
        ).json()
        return str(body["refund_id"]), str(body.get("status", "submitted"))

    def search(self, start: dt.datetime, end: dt.datetime) -> Iterator[ProviderPayment]:
        params: dict[str, Any] = {
            "from_date": start.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "to_date": end.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "display_size": 500,
            "page": 1,
        }
        while True:
            body = self._call("GET", "/v1/payments", params=params).json()
            yield from (_from_govuk(r) for r in body.get("results", []))
            if not (body.get("_links") or {}).get("next_page"):
                return
            params["page"] += 1


# --- the sandbox ----------------------------------------------------------------------------------


def _from_sandbox(row: SandboxPayment) -> ProviderPayment:
    return ProviderPayment(
        provider_id=row.payment_id,
        status=row.status,
        amount_pence=row.amount,
        reference=row.reference,
        next_url=absolute_url(reverse("payments-sandbox-card", args=[row.payment_id])),
        code=row.code,
        message=row.message,
        card_brand=row.card_brand,
        last_four=row.last_four,
        refund_available_pence=(row.amount - row.refunded) if row.status == PaymentStatus.SUCCESS else 0,
        created=row.created_at.isoformat(),
    )


class Sandbox:
    def __init__(self, account: PaymentAccount) -> None:
        self.account = account

    def _row(self, provider_id: str) -> SandboxPayment:
        from consortium.payments import sandbox

        row = SandboxPayment.objects.filter(account=self.account, payment_id=provider_id).first()
        if row is None:
            raise ProviderError("No such payment", code="P0200", status=404)
        sandbox.expire_if_due(row)
        return row

    def create(
        self, *, amount_pence: int, reference: str, description: str, return_url: str, email: str, key: str
    ) -> ProviderPayment:
        fields = {
            "amount": amount_pence,
            "reference": reference,
            "description": description,
            "return_url": return_url,
        }
        existing = SandboxPayment.objects.filter(account=self.account, idempotency_key=key).first()
        if existing is None:
            try:
                with transaction.atomic():
                    existing = SandboxPayment.objects.create(
                        account=self.account,
                        idempotency_key=key,
                        payment_id=secrets.token_hex(13),
                        email=email,
                        **fields,
                    )
                    return _from_sandbox(existing)
            except IntegrityError:
                existing = SandboxPayment.objects.get(account=self.account, idempotency_key=key)
        if any(getattr(existing, k) != v for k, v in fields.items()):
            # As GOV.UK Pay: the same key with a different request is refused, not replayed.
            raise ProviderError("Idempotency-Key reused with a different request", code="P0191", status=422)
        return _from_sandbox(existing)

    def get(self, provider_id: str) -> ProviderPayment:
        return _from_sandbox(self._row(provider_id))

    def events(self, provider_id: str) -> list[tuple[str, str]]:
        row = self._row(provider_id)
        return [(row.status, row.created_at.isoformat())]

    def cancel(self, provider_id: str) -> None:
        from consortium.payments import sandbox

        sandbox.cancel(self._row(provider_id))

    def refund(self, provider_id: str, *, amount_pence: int, available_pence: int) -> tuple[str, str]:
        from consortium.payments import sandbox

        return sandbox.refund(
            self._row(provider_id), amount_pence=amount_pence, available_pence=available_pence
        )

    def search(self, start: dt.datetime, end: dt.datetime) -> Iterator[ProviderPayment]:
        rows = SandboxPayment.objects.filter(account=self.account, created_at__gte=start, created_at__lt=end)
        for row in rows.order_by("created_at", "id").iterator():
            yield _from_sandbox(row)
