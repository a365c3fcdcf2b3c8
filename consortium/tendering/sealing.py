"""Bids sealed at rest: a key per procurement, released only by the two-person opening.

Each procurement gets its own Fernet key (AES-128-CBC with HMAC-SHA256, from `cryptography`)
when its first bid arrives. That key is stored only sealed under the server's key
(`core.sealed`: CONSORTIUM_SEALING_KEYS, or derived from SECRET_KEY), which is never in the
database. Before the opening a bid's answers, priced schedule, cost profile, price and
documents exist in the database only as ciphertext; its envelope (who, which lot, when,
withdrawn or not) is plain, because the tender's own rules need it.

The second person's opening unseals every submitted bid into the ordinary tables, where
evaluation reads them, and then destroys the procurement's key: a withdrawn bid's ciphertext
can never be read by anyone. So a database backup (or a database administrator, or the admin
site) holds no readable bid before the opening; whoever holds both the database and the
server's key — the running application — can, which is why the services alone decide when
(see docs/security.md, "Sealed bids").
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from cryptography.fernet import Fernet, InvalidToken

from consortium.core.sealed import seal, unseal

if TYPE_CHECKING:
    from consortium.tendering.models import Bid, Project

COST_FIELDS = (
    "acquisition_cost",
    "annual_running_cost",
    "annual_maintenance_cost",
    "end_of_life_cost",
    "residual_value",
    "annual_emissions",
)


@dataclass
class PriceLine:
    description: str
    unit: str
    quantity: Decimal
    unit_price: Decimal
    item_number: int | None = None

    @property
    def total(self) -> Decimal:
        from consortium.core.money import to_penny

        return to_penny(self.quantity * self.unit_price)


@dataclass
class Document:
    name: str
    size: int


@dataclass
class BidContent:
    """What a bid says, whether it is still sealed or has been opened."""

    price: Decimal = Decimal("0.00")
    answers: dict[int, str] = field(default_factory=dict)
    price_lines: list[PriceLine] = field(default_factory=list)
    costs: dict[str, Decimal | None] = field(default_factory=dict)
    documents: list[Document] = field(default_factory=list)


def _key(project: Project, *, create: bool = False) -> Fernet:
    """The procurement's key. Created (under the caller's lock on the project) with its first
    bid; refused once the opening has destroyed it."""
    if not project.bid_key:
        if not create or project.opened_at is not None:
            raise PermissionError("This procurement's bid key has been destroyed.")
        project.bid_key = seal(Fernet.generate_key().decode())
        project.save(update_fields=["bid_key"])
    return Fernet(unseal(project.bid_key).encode())


def seal_content(project: Project, content: BidContent) -> str:
    body = {
        "price": str(content.price),
        "answers": {str(k): v for k, v in content.answers.items()},
        "price_lines": [
            {
                "description": p.description,
                "unit": p.unit,
                "quantity": str(p.quantity),
                "unit_price": str(p.unit_price),
                "item_number": p.item_number,
            }
            for p in content.price_lines
        ],
        "costs": {k: (None if v is None else str(v)) for k, v in content.costs.items()},
    }
    return _key(project, create=True).encrypt(json.dumps(body).encode()).decode()


def seal_document(project: Project, data: bytes) -> bytes:
    return _key(project, create=True).encrypt(data)


def _unseal(project: Project, token: str) -> dict[str, Any]:
    try:
        return json.loads(_key(project).decrypt(token.encode()))  # type: ignore[no-any-return]
    except InvalidToken as exc:  # pragma: no cover - a tampered row
        raise ValueError("This bid's sealed content does not match its procurement's key") from exc


def content_of(bid: Bid) -> BidContent:
    """A bid's content: unsealed for the bidder itself before the opening (the caller has
    checked it is the bidder), read from the tables after it."""
    if bid.sealed_content:
        if not bid.project.bid_key:
            # Withdrawn and never opened: its key is gone, so is what it said.
            return BidContent(documents=[Document(d.name, d.size) for d in bid.documents.all()])
        body = _unseal(bid.project, bid.sealed_content)
        return BidContent(
            price=Decimal(body["price"]),
            answers={int(k): v for k, v in body["answers"].items()},
            price_lines=[
                PriceLine(
                    p["description"],
                    p["unit"],
                    Decimal(p["quantity"]),
                    Decimal(p["unit_price"]),
                    p.get("item_number"),
                )
                for p in body["price_lines"]
            ],
            costs={k: (None if v is None else Decimal(v)) for k, v in body["costs"].items()},
            documents=[Document(d.name, d.size) for d in bid.documents.all()],
        )
    return BidContent(
        price=bid.price,
        answers={a.criterion_id: a.response for a in bid.answers.all()},
        price_lines=[
            PriceLine(p.description, p.unit, p.quantity, p.unit_price, p.item_number)
            for p in bid.price_lines.all()
        ],
        costs={f: getattr(bid, f) for f in COST_FIELDS},
        documents=[Document(d.name, d.size) for d in bid.documents.all()],
    )


def open_bids(project: Project) -> int:
    """At the second person's opening: every submitted bid's content into the tables, its
    documents decrypted, then the procurement's key destroyed. Returns the bids opened."""
    from consortium.tendering.constants import BidStatus
    from consortium.tendering.models import Bid, BidAnswer, BidPriceLine

    if not project.bid_key:
        return 0
    key = _key(project)
    bids = list(Bid.objects.filter(project=project, status=BidStatus.SUBMITTED).exclude(sealed_content=""))
    answers: list[BidAnswer] = []
    lines: list[BidPriceLine] = []
    for bid in bids:
        body = json.loads(key.decrypt(bid.sealed_content.encode()))
        bid.price = Decimal(body["price"])
        for name, value in body["costs"].items():
            setattr(bid, name, None if value is None else Decimal(value))
        bid.sealed_content = ""
        answers += [BidAnswer(bid=bid, criterion_id=int(k), response=v) for k, v in body["answers"].items()]
        lines += [
            BidPriceLine(
                bid=bid,
                description=p["description"],
                unit=p["unit"],
                quantity=Decimal(p["quantity"]),
                unit_price=Decimal(p["unit_price"]),
                item_number=p.get("item_number"),
            )
            for p in body["price_lines"]
        ]
        for doc in bid.documents.filter(sealed=True):
            doc.content = key.decrypt(bytes(doc.content))
            doc.sealed = False
            doc.save(update_fields=["content", "sealed"])
    Bid.objects.bulk_update(bids, ["price", "sealed_content", *COST_FIELDS])
    BidAnswer.objects.bulk_create(answers)
    BidPriceLine.objects.bulk_create(lines)
    # The key goes: what was not opened (withdrawn bids) stays unreadable for good.
    project.bid_key = ""
    project.save(update_fields=["bid_key"])
    return len(bids)
