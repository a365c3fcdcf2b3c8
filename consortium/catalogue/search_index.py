"""An embedded full-text index of the catalogue (tantivy), so broad searches over big
catalogues answer quickly with exact counts and filters (decision 16).

PostgreSQL's GIN index finds "paper" among a million items at once, but ranking, counting
and faceting its 90,000 matches means reading each match's row: 200–400 ms however the
table is cut. tantivy keeps the columns a search counts (lot, supplier, category,
eco-label, dates, prices) beside its postings, so the same search, counted and faceted
exactly, takes 10–20 ms. It runs inside our process: no server, nothing more to install.

The index is a copy of the database, never the record, and is used only when it is
exactly current. Database triggers count every change to catalogue items
(`CatalogueVersion`, migration 0006) in the change's own transaction; an index is built
from one version into its own directory, named after that version, and a search uses it
only when the count still says that version. Otherwise the search reads the database,
as it always could, and asks for a new index in the background. What a buyer may buy
(usable lots, dates) is applied at search time, and the page's items are read back
through `buyable_items`, so the index can never show more than the database would.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import shutil
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tantivy
from django.conf import settings
from django.db import connection

log = logging.getLogger(__name__)

ANALYZER = "consortium_en"
LOTS_FILE = "lots.json"
NO_END = 10**9  # an item with no end date is valid on every day number we will see
KEEP_VERSIONS = 2
# A build asked for and not done in this many seconds (a worker stopped) is asked for again.
REQUEST_AGAIN_AFTER = 600
# Name matches count three times a description match when ranking.
NAME_BOOST = 3.0


def _analyzer() -> tantivy.TextAnalyzer:
    # The Snowball English stemmer and stop words, as PostgreSQL's 'english' configuration:
    # "papers" is "paper", and "pack of 10" searches for "pack" and "10".
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(40))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.stopword("english"))
        .filter(tantivy.Filter.stemmer("english"))
        .build()
    )


def _schema() -> tantivy.Schema:
    b = tantivy.SchemaBuilder()
    b.add_integer_field("id", stored=False, indexed=True, fast=True)
    b.add_text_field("name", stored=False, tokenizer_name=ANALYZER)
    b.add_text_field("body", stored=False, tokenizer_name=ANALYZER)
    for field in ("lot", "supplier", "eco", "valid_from", "valid_to"):
        b.add_integer_field(field, stored=False, indexed=True, fast=True)
    b.add_text_field("category", stored=False, tokenizer_name="raw", fast=True)
    b.add_text_field("name_sort", stored=False, tokenizer_name="raw", fast=True)
    b.add_float_field("price", stored=False, fast=True)
    b.add_float_field("per_item", stored=False, fast=True)
    return b.build()


SCHEMA = _schema()
TEXT = _analyzer()


def enabled() -> bool:
    return bool(getattr(settings, "SEARCH_INDEX_DIR", ""))


def _root() -> Path:
    """This database's indexes (the test databases and the benchmarks' each get their own)."""
    s = connection.settings_dict
    key = hashlib.sha256(
        f"{connection.vendor}|{s.get('HOST')}|{s.get('PORT')}|{s.get('NAME')}".encode()
    ).hexdigest()
    return Path(getattr(settings, "SEARCH_INDEX_DIR", "")) / f"{connection.vendor}-{key[:16]}"


def current_version() -> int:
    """The catalogue's change count (one row, kept by triggers), read on every search."""
    from consortium.catalogue.models import CatalogueVersion

    with connection.cursor() as cursor:
        # Plain SQL: the ORM's query building would cost more than the read itself.
        cursor.execute(f"SELECT number FROM {CatalogueVersion._meta.db_table} WHERE id = 1")  # noqa: S608
        row = cursor.fetchone()
    if row is None:
        raise CatalogueVersion.DoesNotExist("The catalogue's version row is missing")
    return int(row[0])


def _day(value: dt.date | None, default: int) -> int:
    return value.toordinal() if value else default


def build() -> Path | None:
    """Build the index for the catalogue as it is now, unless it exists; return its directory.

    The version is read before the items: a change made while building moves the version on,
    so the index is never taken for current while missing it."""
    from consortium.catalogue.models import CatalogueItem

    if not enabled():
        return None
    version = current_version()
    root = _root()
    target = root / f"v{version}"
    if target.is_dir():
        return target
    root.mkdir(parents=True, exist_ok=True)
    building = root / f".building-v{version}-{uuid.uuid4().hex[:8]}"
    building.mkdir()
    try:
        index = tantivy.Index(SCHEMA, path=str(building))
        index.register_tokenizer(ANALYZER, TEXT)
        writer = index.writer(heap_size=128_000_000)
        rows = CatalogueItem.objects.order_by().values_list(
            "id",
            "name",
            "search_document",
            "lot_id",
            "supplier_id",
            "category",
            "eco_label",
            "valid_from",
            "valid_to",
            "unit_price",
            "pack_size",
        )
        lots: set[int] = set()
        for (
            pk,
            name,
            document,
            lot,
            supplier,
            category,
            eco,
            valid_from,
            valid_to,
            price,
            pack,
        ) in rows.iterator(chunk_size=5000):
            lots.add(lot)
            writer.add_document(
                tantivy.Document(
                    id=pk, name=name, body=document, lot=lot, supplier=supplier, category=category,
                    eco=int(eco), valid_from=_day(valid_from, 0), valid_to=_day(valid_to, NO_END),
                    name_sort=name.lower(), price=float(price), per_item=float(price / (pack or 1)),
                )
            )  # fmt: skip
        writer.commit()
        writer.wait_merging_threads()
        # Which lots the index holds: a search leaves out the ones the buyer may not use.
        (building / LOTS_FILE).write_text(json.dumps(sorted(lots)))
        try:
            building.rename(target)
        except OSError:  # another process built this version first
            shutil.rmtree(building, ignore_errors=True)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    _tidy(root, version)
    return target


def _tidy(root: Path, version: int) -> None:
    """Drop all but the newest versions, and builds abandoned over an hour ago."""
    versions = sorted((int(p.name[1:]) for p in root.glob("v*") if p.name[1:].isdigit()), reverse=True)
    for old in versions[KEEP_VERSIONS:]:
        shutil.rmtree(root / f"v{old}", ignore_errors=True)
    for stale in root.glob(".building-*"):
        try:
            if time.time() - stale.stat().st_mtime > 3600:
                shutil.rmtree(stale, ignore_errors=True)
        except OSError:
            pass
    for marker in root.glob(".requested-v*"):
        if marker.name != f".requested-v{version}":
            marker.unlink(missing_ok=True)


@dataclass
class Opened:
    index: tantivy.Index
    searcher: tantivy.Searcher
    lots: frozenset[int]


_opened: dict[str, Opened] = {}


def _searcher() -> Opened | None:
    """The index for the catalogue's current version, or None (and a new one asked for)."""
    if not enabled():
        return None
    version = current_version()
    root = _root()
    path = root / f"v{version}"
    key = str(path)
    if key in _opened:
        return _opened[key]
    if not path.is_dir():
        _request_build(root, version)
        return None
    index = tantivy.Index.open(key)
    index.register_tokenizer(ANALYZER, TEXT)
    opened = Opened(index, index.searcher(), frozenset(json.loads((path / LOTS_FILE).read_text())))
    _opened.clear()  # one version at a time per process
    _opened[key] = opened
    return opened


def _request_build(root: Path, version: int) -> None:
    """Ask the task worker for this version's index, once across processes."""
    from consortium.catalogue.tasks import build_search_index

    marker = root / f".requested-v{version}"
    root.mkdir(parents=True, exist_ok=True)
    try:
        if time.time() - marker.stat().st_mtime > REQUEST_AGAIN_AFTER:
            marker.unlink(missing_ok=True)  # the build asked for never came: ask again
    except FileNotFoundError:
        pass
    try:
        os.close(os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        return
    build_search_index.enqueue()


@dataclass
class IndexResult:
    ids: list[int]
    scores: list[float]
    count: int
    category: dict[str, int]
    supplier: dict[int, int]
    lot: dict[int, int]
    eco: int


SORT_FIELDS = {
    "price": ("price", tantivy.Order.Asc),
    "-price": ("price", tantivy.Order.Desc),
    "unit_price": ("per_item", tantivy.Order.Asc),
    "name": ("name_sort", tantivy.Order.Asc),
}


def search(
    terms: list[str],
    *,
    lot_ids: list[int],
    on: dt.date,
    category: str | None = None,
    supplier_ids: list[int] | None = None,
    eco_label: bool = False,
    sort: str = "relevance",
    limit: int = 20,
    offset: int = 0,
    facets: bool = True,
) -> IndexResult | None:
    """Items matching every word, on the given lots and valid on `on`: the page's ids (best
    first, or in `sort` order), the exact count and every filter's counts. None when the index
    is not current or the words give nothing to search for (the database answers then)."""
    tokens = [t for term in terms for t in TEXT.analyze(term)]
    if not tokens:
        return None
    try:
        opened = _searcher()
    except (OSError, ValueError):  # a version tidied away under us: the database answers
        log.warning("Search index unreadable; searching the database", exc_info=True)
        return None
    if opened is None:
        return None
    searcher = opened.searcher
    Q, Occur = tantivy.Query, tantivy.Occur
    # Every word must be in the item's text (which holds its name); a word in the name also adds
    # to the score. (One "name or text" clause a word ranks the same but costs twice as much.)
    unique = list(dict.fromkeys(tokens))
    must = [Q.term_query(SCHEMA, "body", token) for token in unique]
    should = [Q.boost_query(Q.term_query(SCHEMA, "name", token), NAME_BOOST) for token in unique]
    # What the buyer may not buy is taken away rather than what it may buy intersected: the
    # lots it may not use and the items out of date are few, so this reads far less (about half
    # the time of the search over a million items).
    day = on.toordinal()
    must_not = [
        Q.range_query(SCHEMA, "valid_from", tantivy.FieldType.Integer, day + 1, None),
        Q.range_query(SCHEMA, "valid_to", tantivy.FieldType.Integer, None, day - 1),
    ]
    other_lots = sorted(opened.lots - set(lot_ids))
    if other_lots:
        must_not.append(Q.term_set_query(SCHEMA, "lot", other_lots))
    if category:
        must.append(Q.term_query(SCHEMA, "category", category))
    if supplier_ids is not None:
        must.append(Q.term_set_query(SCHEMA, "supplier", supplier_ids))
    if eco_label:
        must.append(Q.term_query(SCHEMA, "eco", 1))
    matches = [(Occur.Must, q) for q in must] + [(Occur.MustNot, q) for q in must_not]
    query = Q.boolean_query(matches + [(Occur.Should, q) for q in should])
    # Counting needs no scores: the same matches without the name clauses.
    counted = Q.boolean_query(matches)
    if sort in SORT_FIELDS:
        field, order = SORT_FIELDS[sort]
        found = searcher.search(counted, limit, count=True, order_by_field=field, offset=offset, order=order)
    else:
        found = searcher.search(query, limit, count=True, offset=offset)
    hits = found.hits
    ids = [int(i or 0) for i in searcher.fast_field_values("id", [address for _score, address in hits])]
    scores = [float(score) if not isinstance(score, str) else 0.0 for score, _address in hits]
    total = int(found.count or 0)  # type: ignore[attr-defined]  # (missing from tantivy's stubs)
    counts: dict[str, Any] = {}
    if total and facets:  # the filters' counts, only when the page shows them
        counts = searcher.aggregate(
            counted,
            {
                "category": {"terms": {"field": "category", "size": 1000}},
                "supplier": {"terms": {"field": "supplier", "size": 10_000}},
                "lot": {"terms": {"field": "lot", "size": 10_000}},
                "eco": {"terms": {"field": "eco", "size": 2}},
            },
        )

    def buckets(name: str) -> dict[Any, int]:
        return {b["key"]: int(b["doc_count"]) for b in counts.get(name, {}).get("buckets", [])}

    return IndexResult(
        ids=ids,
        scores=scores,
        count=total,
        category={str(k): n for k, n in buckets("category").items()},
        supplier={int(k): n for k, n in buckets("supplier").items()},
        lot={int(k): n for k, n in buckets("lot").items()},
        eco=sum(n for k, n in buckets("eco").items() if int(k) == 1),
    )
