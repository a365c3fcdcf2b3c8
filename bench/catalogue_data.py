"""Generated catalogue items that look like real ones, for the search benchmark.

Names are built the way suppliers write them — brand, qualities, the thing itself, then
size, colour or pack — from vocabularies per category, with the things drawn on a Zipf
curve (a few, like paper and chairs, are everywhere; most are rare), so a million items
hold hundreds of thousands of distinct names and broad words ("paper", "black") match
tens of thousands of items while narrow ones match a handful. Seeded: every run makes
the same catalogue.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from decimal import Decimal

BRANDS = [
    "Acorn",
    "Brightwell",
    "Cedar",
    "Dovecote",
    "Elmstead",
    "Fernhill",
    "Greyfriars",
    "Hallam",
    "Ivybridge",
    "Juniper",
    "Kestrel",
    "Larkspur",
    "Millbrook",
    "Northgate",
    "Oakfield",
    "Pennine",
    "Quayside",
    "Redwood",
    "Saxon",
    "Thornbury",
    "Upland",
    "Vale",
    "Westcote",
    "Yarrow",
    "Zenith",
    "Ashford",
    "Bramley",
    "Calder",
    "Derwent",
    "Eskdale",
    "Foxglove",
    "Glenmore",
    "Harbour",
    "Ironbridge",
    "Kingfisher",
    "Lowther",
    "Marlow",
    "Nettlebed",
    "Orchard",
    "Pembroke",
    "Riverside",
    "Sherwood",
    "Tamar",
    "Wensley",
]

COLOURS = [
    "black",
    "blue",
    "red",
    "green",
    "white",
    "grey",
    "yellow",
    "orange",
    "purple",
    "pink",
    "brown",
    "navy",
    "silver",
    "assorted",
]

# (thing, qualities, sizes) per category; the first things are the commonest.
VOCABULARY: dict[str, list[tuple[str, list[str], list[str]]]] = {
    "stationery": [
        (
            "copier paper",
            ["recycled", "premium", "everyday", "bright white", "FSC"],
            ["A4 80gsm", "A3 80gsm", "A4 100gsm"],
        ),
        ("ballpoint pen", ["retractable", "medium", "fine", "grip"], ["1.0mm", "0.7mm"]),
        ("notebook", ["wirebound", "hardback", "recycled", "feint ruled"], ["A4", "A5", "B5"]),
        ("envelope", ["self seal", "window", "plain", "premium", "board-backed"], ["DL", "C5", "C4"]),
        ("lever arch file", ["polypropylene", "board", "slimline"], ["A4", "foolscap"]),
        ("sticky notes", ["repositionable", "super sticky", "lined"], ["76x76mm", "38x51mm"]),
        ("whiteboard marker", ["dry wipe", "chisel tip", "bullet tip", "low odour"], ["2mm", "5mm"]),
        ("stapler", ["heavy duty", "half strip", "full strip", "long arm"], ["20 sheet", "40 sheet"]),
        ("highlighter", ["fluorescent", "pastel", "chisel tip"], ["wallet of 4", "wallet of 6"]),
        ("glue stick", ["solvent free", "washable", "purple"], ["8g", "21g", "40g"]),
        ("ring binder", ["two ring", "four ring", "presentation"], ["A4 25mm", "A4 40mm"]),
        ("card", ["coloured", "white", "pastel", "gloss"], ["A4 160gsm", "A4 240gsm"]),
        ("label", ["laser", "inkjet", "address", "removable"], ["21 per sheet", "14 per sheet"]),
        ("scissors", ["office", "left handed", "soft grip"], ["170mm", "210mm"]),
        ("hole punch", ["two hole", "four hole", "heavy duty"], ["20 sheet", "65 sheet"]),
        ("document wallet", ["manilla", "polypropylene", "expanding"], ["foolscap", "A4"]),
        ("exercise book", ["squared", "lined", "plain", "handwriting"], ["A4", "A5", "9x7in"]),
        ("laminating pouch", ["gloss", "matt", "self adhesive"], ["A4 150 micron", "A3 250 micron"]),
        ("correction tape", ["mini", "refillable"], ["5mm x 8m", "4.2mm x 10m"]),
        ("paper clip", ["plain", "coloured", "giant"], ["33mm", "50mm"]),
        ("tracing paper", ["natural", "pad"], ["A4 90gsm", "A3 90gsm"]),
        ("graph paper", ["metric", "isometric"], ["A4 pad", "A3 pad"]),
    ],
    "cleaning": [
        (
            "toilet roll",
            ["2 ply", "3 ply", "recycled", "quilted", "mini jumbo"],
            ["case of 36", "case of 12"],
        ),
        ("hand soap", ["antibacterial", "foaming", "fragrance free", "moisturising"], ["500ml", "5 litre"]),
        ("bin liner", ["heavy duty", "compostable", "clear", "medium duty"], ["roll of 50", "box of 200"]),
        (
            "paper towels",
            ["C-fold", "Z-fold", "centrefeed", "recycled", "2 ply"],
            ["case of 2400", "case of 6"],
        ),
        ("floor cleaner", ["neutral", "lemon", "concentrated", "non-slip"], ["5 litre", "1 litre"]),
        ("microfibre cloth", ["colour coded", "general purpose", "glass"], ["pack of 10", "pack of 50"]),
        ("disinfectant", ["surface", "virucidal", "pine", "chlorine-free"], ["750ml spray", "5 litre"]),
        ("mop head", ["kentucky", "socket", "flat"], ["16oz", "24oz"]),
        ("washing up liquid", ["eco", "concentrated", "lemon"], ["1 litre", "5 litre"]),
        ("nitrile gloves", ["powder free", "blue", "extended cuff"], ["box of 100", "small", "large"]),
        ("bleach", ["thick", "original"], ["5 litre", "750ml"]),
        ("sponge scourer", ["non-scratch", "heavy duty"], ["pack of 10"]),
        ("glass cleaner", ["streak free", "ammonia free"], ["750ml", "5 litre"]),
        ("dustpan and brush", ["soft", "stiff", "lobby"], ["set"]),
        ("air freshener", ["refill", "automatic", "linen"], ["270ml", "pack of 6"]),
    ],
    "ict": [
        (
            "laptop",
            ["14in", "15.6in", "rugged", "ultralight", "education"],
            ["8GB 256GB SSD", "16GB 512GB SSD"],
        ),
        ("monitor", ["24in", "27in", "full HD", "4K", "height adjustable"], ["IPS", "VA"]),
        (
            "wireless mouse",
            ["ergonomic", "silent click", "compact", "optical"],
            ["USB receiver", "Bluetooth"],
        ),
        ("keyboard", ["wireless", "wired", "compact", "UK layout", "spill resistant"], ["USB", "Bluetooth"]),
        ("usb-c docking station", ["dual display", "triple display", "travel"], ["100W", "65W"]),
        ("headset", ["stereo", "mono", "noise cancelling", "USB"], ["over ear", "on ear"]),
        (
            "toner cartridge",
            ["high yield", "standard yield", "compatible", "original"],
            ["black", "cyan", "magenta"],
        ),
        ("usb flash drive", ["metal", "encrypted", "swivel"], ["32GB", "64GB", "128GB"]),
        ("tablet", ["10in", "rugged", "education"], ["64GB", "128GB"]),
        ("network cable", ["Cat6", "Cat6a", "snagless"], ["1m", "3m", "5m"]),
        ("webcam", ["full HD", "4K", "privacy shutter"], ["USB"]),
        ("hdmi cable", ["high speed", "braided"], ["1m", "2m", "5m"]),
        ("power strip", ["surge protected", "USB charging"], ["4 way", "6 way"]),
        ("chromebook", ["11.6in", "touchscreen", "education"], ["4GB 32GB", "8GB 64GB"]),
        ("projector lamp", ["replacement", "original"], ["3000 hours"]),
    ],
    "furniture": [
        (
            "chair",
            ["stackable", "operator", "ergonomic", "mesh back", "classroom", "visitor"],
            ["size 5", "size 6", "black"],
        ),
        (
            "desk",
            ["straight", "corner", "height adjustable", "wave", "student"],
            ["1200mm", "1400mm", "1600mm"],
        ),
        (
            "table",
            ["folding", "classroom", "meeting", "dining", "trapezoidal"],
            ["1200x600mm", "round 1000mm"],
        ),
        ("pedestal", ["mobile", "desk high", "lockable"], ["3 drawer", "2 drawer"]),
        ("bookcase", ["open", "adjustable shelf", "wooden"], ["1200mm", "1800mm"]),
        ("storage cupboard", ["steel", "wooden", "lockable", "tall"], ["1000mm", "1800mm"]),
        ("filing cabinet", ["steel", "fire resistant", "lateral"], ["3 drawer", "4 drawer"]),
        ("whiteboard", ["magnetic", "mobile", "drywipe", "glass"], ["1200x900mm", "1800x1200mm"]),
        ("coat hook rail", ["wall mounted", "school"], ["5 hooks", "10 hooks"]),
        ("tray unit", ["mobile", "static", "double"], ["12 tray", "24 tray"]),
        ("stool", ["lab", "stacking", "gas lift"], ["450mm", "610mm"]),
        ("soft seating", ["modular", "reception", "bench"], ["2 seat", "3 seat"]),
        ("lectern", ["portable", "floor standing"], ["oak", "beech"]),
    ],
    "catering": [
        ("fruit", ["organic", "seasonal", "British", "mixed"], ["box of 80", "box of 120"]),
        ("eggs", ["free-range", "barn", "organic"], ["tray of 30", "box of 180"]),
        ("milk", ["semi-skimmed", "whole", "organic", "lactose free"], ["1 pint", "2 litre"]),
        ("bread", ["wholemeal", "white", "seeded", "gluten free"], ["800g", "400g"]),
        ("paper cup", ["compostable", "double wall", "vending"], ["8oz", "12oz"]),
        ("napkin", ["2 ply", "recycled", "dinner"], ["pack of 100", "case of 2000"]),
        ("tea bags", ["fairtrade", "decaffeinated", "green"], ["box of 1100", "box of 240"]),
        ("coffee", ["fairtrade", "instant", "ground", "beans"], ["750g", "1kg"]),
        ("cutlery", ["wooden", "stainless steel", "compostable"], ["pack of 100"]),
        ("cling film", ["catering", "dispenser"], ["300mm x 300m", "450mm x 300m"]),
        ("pasta", ["wholewheat", "penne", "fusilli"], ["3kg", "5kg"]),
        ("rice", ["long grain", "basmati", "easy cook"], ["5kg", "10kg"]),
        ("baked beans", ["reduced sugar", "catering"], ["2.6kg tin"]),
        ("food container", ["microwaveable", "compostable", "hinged"], ["pack of 250"]),
    ],
    "education": [
        ("science kit", ["electricity", "magnetism", "forces", "primary", "KS3"], ["class set", "group set"]),
        (
            "maths manipulatives",
            ["base ten", "fraction", "counting", "place value"],
            ["class pack", "set of 100"],
        ),
        ("reading book", ["phonics", "decodable", "guided", "banded"], ["pack of 6", "class set"]),
        ("art paper", ["sugar", "cartridge", "activity", "black"], ["A4 pack of 250", "A3 pack of 100"]),
        ("paint", ["ready mix", "poster", "washable", "block"], ["600ml", "5 litre", "pack of 12"]),
        ("pencil", ["HB", "colouring", "handwriting", "triangular"], ["pack of 12", "class pack of 144"]),
        ("globe", ["political", "physical", "illuminated"], ["30cm", "25cm"]),
        ("mini whiteboard", ["lined", "plain", "gridded"], ["A4 pack of 30", "with pens"]),
        ("microscope", ["digital", "compound", "student"], ["40x-400x"]),
        ("sports ball", ["football", "netball", "rugby", "foam"], ["size 4", "size 5"]),
        ("musical instrument", ["percussion", "recorder", "ukulele"], ["class set"]),
        ("construction set", ["magnetic", "wooden", "engineering"], ["300 pieces", "classroom tub"]),
        ("exam paper", ["lined", "answer", "graph"], ["A4 ream", "A4 pack of 500"]),
    ],
}

USES = {
    "stationery": "the office and the classroom",
    "cleaning": "schools, offices and care homes",
    "ict": "staff and pupils",
    "furniture": "classrooms, offices and reception areas",
    "catering": "school kitchens and staff rooms",
    "education": "primary and secondary classrooms",
}


def _zipf_weights(n: int) -> list[float]:
    return [1 / (rank + 1) for rank in range(n)]


def items(n: int, slots: list[tuple[int, int, str]], *, seed: int = 2026) -> Iterator[tuple]:  # type: ignore[type-arg]
    """`n` items as (supplier_id, lot_id, supplier_code, name, description, category, pack_size,
    unit_price, eco_label, search_document); `slots` are (supplier, lot, category) to sell on."""
    from consortium.catalogue.constants import Category

    rng = random.Random(seed)
    labels = dict(Category.choices)
    by_category: dict[str, list[tuple[int, int]]] = {}
    for supplier_id, lot_id, category in slots:
        if category in VOCABULARY:
            by_category.setdefault(category, []).append((supplier_id, lot_id))
    categories = list(by_category)
    weights = {c: _zipf_weights(len(VOCABULARY[c])) for c in categories}
    for k in range(n):
        category = categories[k % len(categories)]
        supplier_id, lot_id = rng.choice(by_category[category])
        thing, qualities, sizes = rng.choices(VOCABULARY[category], weights[category])[0]
        chosen = rng.sample(qualities, rng.randint(0, min(2, len(qualities))))
        brand = rng.choice(BRANDS)
        extra = rng.choice(sizes)
        colour = rng.choice(COLOURS) if rng.random() < 0.3 else ""
        pack = rng.choice((1, 1, 1, 5, 10, 12, 25, 50, 100))
        name = " ".join(p for p in (brand, *chosen, thing, extra, colour) if p).strip()
        name = name[0].upper() + name[1:]
        if pack > 1:
            name += f", pack of {pack}"
        description = (
            f"{' '.join(chosen).capitalize() + ' ' if chosen else ''}{thing} from {brand}, for {USES[category]}. "
            f"{extra.capitalize()}{', ' + colour if colour else ''}. "
            f"{rng.choice(('Next day delivery.', 'Made in the UK.', 'Recyclable packaging.', 'Bulk discount.', ''))}"
        ).strip()
        price = (Decimal(rng.randint(50, 60000)) / 100).quantize(Decimal("0.01"))
        code = f"G{k:07d}"
        eco = rng.random() < 0.12
        document = " ".join((name, description, labels[category], code))
        yield (supplier_id, lot_id, code, name, description, category, pack, price, eco, document)
