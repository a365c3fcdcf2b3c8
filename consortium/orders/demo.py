"""Demo data for the marketplace: national, regional and local contracts, a few thousand
catalogue items, approval rules, and a year of orders across the members. Idempotent."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal as D

from django.db import transaction
from django.utils import timezone

from consortium.catalogue.models import CatalogueItem, build_search_document
from consortium.contracts.constants import ContractStatus, Scope
from consortium.contracts.models import Contract, Lot
from consortium.core.money import to_penny
from consortium.orders.constants import OrderStatus
from consortium.orders.models import ApprovalRule, Order, OrderEvent, OrderLine, OrderReferenceCounter
from consortium.organisations.models import Membership, Organisation, Person

# reference, title, category, scope, rebate %, [(lot title, [suppliers])]
CONTRACTS = [
    (
        "CBC-0101",
        "Office stationery and paper",
        "stationery",
        Scope.NATIONAL,
        "1.50",
        [("Stationery and paper", ["National Stationery Group plc", "Midlands Office Supplies Ltd"])],
    ),
    (
        "CBC-0102",
        "Cleaning and janitorial supplies",
        "cleaning",
        Scope.REGIONAL,
        "1.00",
        [
            (
                "Cleaning materials",
                ["Trent Valley Cleaning Supplies Ltd", "Greenway Janitorial Ltd", "Britannia Facilities plc"],
            )
        ],
    ),
    (
        "CBC-0103",
        "ICT hardware and peripherals",
        "ict",
        Scope.NATIONAL,
        "0.75",
        [("Computers and peripherals", ["Civic Technology Ltd", "Potteries IT Services Ltd"])],
    ),
    (
        "CBC-0104",
        "Furniture for schools and offices",
        "furniture",
        Scope.REGIONAL,
        "2.00",
        [
            ("Classroom furniture", ["Cannock Furniture Company Ltd", "UK Education Supplies Ltd"]),
            ("Office furniture", ["Cannock Furniture Company Ltd"]),
        ],
    ),
    (
        "SCC-2201",
        "Catering provisions (Staffordshire schools)",
        "catering",
        Scope.LOCAL,
        "1.25",
        [("Catering provisions", ["Moorlands Catering Ltd"])],
    ),
    (
        "CBC-0105",
        "Educational resources",
        "education",
        Scope.NATIONAL,
        "1.00",
        [("Classroom resources", ["UK Education Supplies Ltd", "National Stationery Group plc"])],
    ),
]

WORDS = {
    "stationery": (
        ["A4", "A3", "Recycled", "Premium", "Coloured", "Lined", "Squared"],
        [
            "copier paper",
            "exercise books",
            "ballpoint pens",
            "highlighters",
            "sticky notes",
            "envelopes",
            "lever arch files",
            "whiteboard markers",
            "staples",
            "glue sticks",
            "rulers",
            "pencils",
        ],
        ["box", "pack", "ream", "each"],
    ),
    "cleaning": (
        ["Eco", "Concentrated", "Antibacterial", "Heavy-duty", "Fragrance-free"],
        [
            "floor cleaner",
            "hand soap",
            "paper towels",
            "toilet rolls",
            "bin liners",
            "disinfectant spray",
            "microfibre cloths",
            "washing-up liquid",
            "mop heads",
            "nitrile gloves",
        ],
        ["case", "pack", "litre", "each"],
    ),
    "ict": (
        ["14-inch", "15-inch", "24-inch", "Wireless", "USB-C", "Refurbished"],
        [
            "laptop",
            "monitor",
            "keyboard",
            "mouse",
            "docking station",
            "headset",
            "webcam",
            "tablet",
            "network switch",
            "projector",
        ],
        ["each"],
    ),
    "furniture": (
        ["Stackable", "Height-adjustable", "Ergonomic", "Classroom", "Mobile"],
        ["chair", "desk", "table", "storage unit", "bookcase", "pedestal", "whiteboard", "locker"],
        ["each"],
    ),
    "catering": (
        ["Fresh", "Frozen", "Organic", "Locally sourced", "Free-range"],
        [
            "bread rolls",
            "milk",
            "eggs",
            "fruit",
            "vegetables",
            "chicken",
            "rice",
            "pasta",
            "yoghurt",
            "orange juice",
        ],
        ["case", "kg", "litre", "tray"],
    ),
    "education": (
        ["Primary", "Secondary", "Early years", "Science", "Maths"],
        [
            "reading books",
            "maths manipulatives",
            "science kit",
            "art paper",
            "modelling clay",
            "globe",
            "calculators",
            "microscope",
        ],
        ["pack", "set", "each"],
    ),
}
BASE_PRICE = {"stationery": 6, "cleaning": 9, "ict": 180, "furniture": 95, "catering": 14, "education": 25}
ITEMS_PER_SUPPLIER_LOT = 250


def _org(name: str) -> Organisation:
    return Organisation.objects.get(name=name)


@transaction.atomic
def load_marketplace_demo() -> None:
    if Contract.objects.filter(reference="CBC-0101").exists():
        return
    rng = random.Random(2007)
    consortium = Organisation.objects.get(kind="consortium")
    county = _org("Staffordshire County Council")
    year_start = timezone.localdate() - dt.timedelta(days=365)
    items: list[CatalogueItem] = []
    for reference, title, category, scope, rebate, lots in CONTRACTS:
        contract = Contract.objects.create(
            reference=reference,
            title=title,
            scope=scope,
            let_by=county if scope == Scope.LOCAL else consortium,
            start_date=year_start - dt.timedelta(days=30),
            end_date=year_start + dt.timedelta(days=4 * 365),
            extension_months=24,
            status=ContractStatus.LIVE,
            rebate_percent=D(rebate),
            description=f"{title}, let by the consortium for its members.",
            cpv_codes=[],
        )
        for number, (lot_title, suppliers) in enumerate(lots, start=1):
            lot = Lot.objects.create(contract=contract, number=number, title=lot_title)
            lot.suppliers.set([_org(s) for s in suppliers])
            adjectives, nouns, units = WORDS[category]
            for supplier_name in suppliers:
                supplier = _org(supplier_name)
                for i in range(ITEMS_PER_SUPPLIER_LOT):
                    noun = nouns[i % len(nouns)]
                    adjective = adjectives[(i // len(nouns)) % len(adjectives)]
                    price = to_penny(D(BASE_PRICE[category]) * D(str(rng.uniform(0.4, 2.5))))
                    item = CatalogueItem(
                        supplier=supplier,
                        lot=lot,
                        supplier_code=f"{supplier_name[:3].upper()}-{reference[-4:]}-{number}{i:04d}",
                        name=f"{adjective} {noun}",
                        category=category,
                        description=f"{adjective} {noun} from {supplier_name}, supplied under {reference}.",
                        unit_of_measure=rng.choice(units),
                        pack_size=rng.choice([1, 1, 5, 10, 12]),
                        unit_price=price,
                        vat_rate=D("0") if category == "catering" else D("20"),
                        minimum_order=1,
                        lead_time_days=rng.choice([1, 2, 3, 5]),
                        eco_label=adjective in ("Eco", "Recycled", "Organic", "Refurbished")
                        or rng.random() < 0.1,
                        sustainability_marks="EU Ecolabel"
                        if adjective == "Eco"
                        else ("FSC" if adjective == "Recycled" else ""),
                        baseline_price=to_penny(price * D(str(rng.uniform(1.02, 1.25)))),
                        valid_from=year_start - dt.timedelta(days=30),
                    )
                    item.search_document = build_search_document(item)
                    items.append(item)
    CatalogueItem.objects.bulk_create(items, batch_size=1000)
    moorside = _org("Moorside Primary School")
    ApprovalRule.objects.get_or_create(
        organisation=moorside, category="", defaults={"threshold": D("500.00")}
    )
    _year_of_orders(rng, year_start)
    _price_changes_waiting()
    _variants_and_lists()
    _pictures()


def _price_changes_waiting() -> None:
    """Two new prices from Midlands Office Supplies for the category manager to decide (one
    flagged: more than the flag percentage), proposed through the service as a supplier would."""
    from consortium.catalogue.services import price_change_request
    from consortium.organisations.acting import actor_for
    from consortium.organisations.models import Person

    supplier = _org("Midlands Office Supplies Ltd")
    person = Person.objects.filter(email="supplier@midlands-office.example").first()
    actor = actor_for(person, supplier.pk) if person else None
    if actor is None:
        return
    for item, rise in zip(
        CatalogueItem.objects.filter(supplier=supplier).order_by("supplier_code")[:2],
        ("1.04", "1.18"),
        strict=False,
    ):
        price_change_request(actor=actor, item=item, new_price=to_penny(item.unit_price * D(rise)))


def _year_of_orders(rng: random.Random, year_start: dt.date) -> None:
    buyers = [
        m.organisation for m in Membership.objects.filter(left_on__isnull=True).select_related("organisation")
    ]
    placed_by = Person.objects.get(email="buyer@moorside.example")
    items = list(CatalogueItem.objects.select_related("lot").all())
    by_supplier_lot: dict[tuple[int, int], list[CatalogueItem]] = {}
    for item in items:
        by_supplier_lot.setdefault((item.supplier_id, item.lot_id), []).append(item)
    statuses = (
        [OrderStatus.CLOSED] * 6 + [OrderStatus.DELIVERED] * 2 + [OrderStatus.SENT, OrderStatus.ACKNOWLEDGED]
    )
    orders, lines_by_order = [], []
    counter, _ = OrderReferenceCounter.objects.get_or_create(year=timezone.localdate().year)
    for n in range(1200):
        day = year_start + dt.timedelta(days=rng.randrange(365))
        first = rng.choice(items)
        same_supplier = by_supplier_lot[(first.supplier_id, first.lot_id)]
        chosen = [first, *rng.sample(same_supplier, k=min(len(same_supplier), rng.randrange(0, 5)))]
        lines = []
        for item in {i.pk: i for i in chosen}.values():
            qty = rng.randrange(1, 20)
            lines.append(
                OrderLine(
                    item=item,
                    supplier_code=item.supplier_code,
                    name=item.name,
                    category=item.category,
                    unit_of_measure=item.unit_of_measure,
                    unit_price=item.unit_price,
                    vat_rate=item.vat_rate,
                    baseline_price=item.baseline_price,
                    quantity=qty,
                    cost_centre=f"CC{rng.randrange(100, 999)}",
                    line_total=to_penny(item.unit_price * qty),
                    baseline_total=to_penny(item.baseline_price * qty)
                    if item.baseline_price is not None
                    else None,
                )
            )
        subtotal = sum((ln.line_total for ln in lines), D(0))
        vat = sum((to_penny(ln.line_total * ln.vat_rate / 100) for ln in lines), D(0))
        counter.last_number += 1
        status = rng.choice(statuses)
        order = Order(
            reference=f"CO-{timezone.localdate().year}-{counter.last_number:06d}",
            buyer=rng.choice(buyers),
            placed_by=placed_by,
            supplier_id=first.supplier_id,
            contract_id=first.lot.contract_id,
            status=status,
            delivery_address="Main reception",
            subtotal=subtotal,
            vat=vat,
            total=subtotal + vat,
            checkout_key=f"demo-{n}",
            submitted_at=timezone.make_aware(dt.datetime.combine(day, dt.time(10))),
        )
        orders.append(order)
        for ln in lines:
            ln.quantity_delivered = (
                ln.quantity if status in (OrderStatus.CLOSED, OrderStatus.DELIVERED) else 0
            )
        lines_by_order.append(lines)
    counter.save()
    Order.objects.bulk_create(orders, batch_size=500)
    # created_at follows the order date, so the MI's months read like a year of trading.
    for order in orders:
        Order.objects.filter(pk=order.pk).update(created_at=order.submitted_at)
    all_lines = []
    spend = {OrderStatus.SENT, OrderStatus.ACKNOWLEDGED, OrderStatus.DELIVERED, OrderStatus.CLOSED}
    for order, lines in zip(orders, lines_by_order, strict=True):
        for ln in lines:
            ln.order, ln.buyer, ln.supplier_id, ln.contract_id = (
                order,
                order.buyer,
                order.supplier_id,
                order.contract_id,
            )
            ln.ordered_on = order.submitted_at.date() if order.submitted_at else timezone.localdate()
            ln.in_spend = order.status in spend
            all_lines.append(ln)
    OrderLine.objects.bulk_create(all_lines, batch_size=1000)
    from consortium.spend.rollup import rebuild

    rebuild()  # the lines were loaded in bulk: total them for the MI
    OrderEvent.objects.bulk_create(
        [OrderEvent(order=o, from_status="", to_status=o.status, note="Demo history") for o in orders],
        batch_size=1000,
    )


def _variants_and_lists() -> None:
    """Midlands Office Supplies sells its items as variants of a few products (A4, Recycled and
    Premium copier paper are one product), and Moorside keeps a saved list of what it orders
    every month."""
    from consortium.orders.models import SavedList, SavedListItem

    midlands = _org("Midlands Office Supplies Ltd")
    items = list(CatalogueItem.objects.filter(supplier=midlands).order_by("id"))
    for item in items:
        adjective, _, noun = item.name.partition(" ")
        item.product_group = f"MOS-{item.lot_id}-{noun.upper().replace(' ', '-')[:40]}"
        item.variant_label = adjective
    CatalogueItem.objects.bulk_update(items, ["product_group", "variant_label"], batch_size=1000)
    moorside = _org("Moorside Primary School")
    buyer = Person.objects.get(email="buyer@moorside.example")
    monthly = SavedList.objects.create(organisation=moorside, name="Monthly stationery", created_by=buyer)
    SavedListItem.objects.bulk_create(
        SavedListItem(saved_list=monthly, item=item, quantity=q)
        for item, q in zip([i for i in items if i.category == "stationery"][:4], (10, 5, 20, 2), strict=False)
    )


# The demo's pictures: simple drawings made here (no photographs are shipped), one per product,
# added by the supplier through the same checks as an upload.
_DRAWINGS = {
    "paper": ("a stack of white paper sheets", "sheets"),
    "pens": ("three ballpoint pens side by side", "pens"),
    "notes": ("a square pad of yellow sticky notes", "pad"),
    "laptop": ("an open laptop", "laptop"),
}


def _drawing(kind: str) -> bytes:
    import io

    from PIL import Image, ImageDraw

    picture = Image.new("RGB", (480, 480), (243, 242, 241))
    draw = ImageDraw.Draw(picture)
    if kind == "sheets":
        for k in range(4, -1, -1):
            draw.rectangle(
                (110 + 12 * k, 90 + 12 * k, 350 + 12 * k, 390 + 12 * k), fill="white", outline=(80, 90, 95)
            )
    elif kind == "pens":
        for k, colour in enumerate(((29, 112, 184), (11, 12, 12), (212, 53, 28))):
            x = 150 + 80 * k
            draw.rectangle((x, 80, x + 30, 360), fill=colour)
            draw.polygon([(x, 360), (x + 30, 360), (x + 15, 410)], fill=(80, 90, 95))
    elif kind == "pad":
        draw.rectangle((110, 110, 370, 370), fill=(255, 221, 0), outline=(80, 90, 95), width=3)
        for y in range(170, 340, 40):
            draw.line((140, y, 340, y), fill=(177, 180, 182), width=4)
    else:
        draw.rectangle((120, 110, 360, 280), fill=(11, 12, 12))
        draw.rectangle((135, 125, 345, 265), fill=(29, 112, 184))
        draw.polygon([(90, 300), (390, 300), (360, 280), (120, 280)], fill=(80, 90, 95))
    out = io.BytesIO()
    picture.save(out, format="PNG")
    return out.getvalue()


def _pictures() -> None:
    from consortium.catalogue.services import item_image_set
    from consortium.organisations.acting import actor_for

    midlands = _org("Midlands Office Supplies Ltd")
    person = Person.objects.filter(email="supplier@midlands-office.example").first()
    actor = actor_for(person, midlands.pk) if person else None
    if actor is None:
        return
    done: set[str] = set()
    for item in CatalogueItem.objects.filter(supplier=midlands).order_by("id"):
        word = next((w for w in _DRAWINGS if w in item.name.lower()), None)
        if word is None or item.product_group in done:
            continue
        done.add(item.product_group)
        alt, kind = _DRAWINGS[word]
        item_image_set(actor=actor, item_id=item.pk, content=_drawing(kind), alt=f"Drawing of {alt}")
