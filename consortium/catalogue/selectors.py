"""Reads of catalogues: buyers' search (only what their organisation may buy today),
suppliers' own items, and price changes for the category manager."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, QuerySet

from consortium.catalogue.constants import Category, PriceChangeStatus
from consortium.catalogue.models import CatalogueItem, PriceChange
from consortium.catalogue.search import text_search_attempts, without_rank, words
from consortium.contracts.models import Lot
from consortium.contracts.selectors import usable_by
from consortium.core.dates import today_in_london
from consortium.core.errors import NotFound, PermissionDenied
from consortium.organisations.acting import Actor
from consortium.organisations.permissions import Permission

SORTS = {
    "relevance": ("-rank", "name", "id"),
    "price": ("unit_price", "name", "id"),
    "-price": ("-unit_price", "name", "id"),
    # Price per single item (a box of 10 at £2.50 is £0.25 each): near-identical items compare.
    "unit_price": ("per_item", "name", "id"),
    "name": ("name", "id"),
}


def can_buy(actor: Actor) -> bool:
    return not actor.organisation.is_supplier


# Search may read who-may-buy-what and the facets' labels from a per-process cache this
# many seconds old: a contract going live shows in search within a minute. Basket and
# checkout never use it (they read `buyable_items` afresh).
SEARCH_CACHE_SECONDS = 60


def buyable_items(
    actor: Actor, *, on: dt.date | None = None, cached: bool = False
) -> QuerySet[CatalogueItem]:
    """Items on live, in-date contracts the actor's organisation may use, valid today."""
    if not can_buy(actor):
        raise PermissionDenied("Suppliers see their own catalogue, not buyers' search.")
    on = on or today_in_london()
    return CatalogueItem.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=on),
        valid_from__lte=on,
        lot_id__in=usable_lot_ids(actor, on, cached=cached),
    )


def usable_lot_ids(actor: Actor, on: dt.date, *, cached: bool = False) -> list[int]:
    """The lots on live, in-date contracts the actor's organisation may use on `on`."""

    def usable_lots() -> list[int]:
        # The lots are read first (a handful): as a subquery the planner misjudges the
        # full-text match and repeats the index scan once per lot.
        return list(
            Lot.objects.filter(contract__in=usable_by(actor.organisation, on=on)).values_list("id", flat=True)
        )

    if not cached:
        return usable_lots()
    lots: list[int] = cache.get_or_set(  # type: ignore[assignment]
        f"search:lots:{actor.organisation.pk}:{on}", usable_lots, SEARCH_CACHE_SECONDS
    )
    return lots


@dataclass
class Filters:
    category: str | None = None
    supplier_id: int | None = None
    contract_id: int | None = None
    local_or_sme: bool = False
    eco_label: bool = False


# A search ranks, counts and facets at most this many matches. Reading every match
# of a broad search ("paper" over a million items) costs far more than it tells
# anyone: past this, the result says "1,000 or more" and the buyer narrows it
# with a filter, within which the counts are exact again. Sorting by price or
# name still considers every match.
CANDIDATES = 1_000


@dataclass
class SearchResult:
    items: list[CatalogueItem]
    count: int
    searched_for: list[str]
    facets: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    count_is_capped: bool = False
    # When the words typed found nothing and near spellings were searched: what was searched,
    # in words people read ("recycled paper"), for "Showing results for …".
    showing_results_for: str = ""


# What the candidate pass reads of each match: enough to rank and facet it.
_CANDIDATE_FIELDS = ("id", "rank", "category", "supplier_id", "lot_id", "eco_label", "name", "product_group")
_WORDS = re.compile(r"[a-z0-9]+")


def name_score(name: str, terms: list[str]) -> int:
    """How well an item's name (not its description) answers the words searched: 2 when the
    name's last word (the thing itself: "copier paper" is paper, "paper towels" are towels)
    is one of them, 1 when the name has them all, else 0. Words match by their beginning, as
    the index's stemming does ("papers" is "paper")."""
    if not terms:
        return 0
    words = [
        w
        for w in _WORDS.findall(name.lower())
        if not w.isdigit() and not (len(w) <= 3 and any(c.isdigit() for c in w))
    ]
    if not words:
        return 0

    def same(word: str, term: str) -> bool:
        stem = term[: max(4, len(term) - 2)]
        return word.startswith(stem) or term.startswith(word[: max(4, len(word) - 2)])

    if not all(any(same(w, t) for w in words) for t in terms):
        return 0
    return 2 if any(same(words[-1], t) for t in terms) else 1


def best_first(matches: list[tuple[int, float, str, int, str]], terms: list[str]) -> list[int]:
    """The ids of (id, text rank, name, supplier, product group) matches in the order a buyer
    reads them: items whose name is what was searched for first, then the text rank; variants
    of one product once, as their best match (the others are shown beside it)."""
    ranked = sorted(matches, key=lambda m: (-name_score(m[2], terms), -m[1], m[0]))
    seen_groups: set[tuple[int, str]] = set()
    ids = []
    for pk, _rank, _name, supplier_id, group in ranked:
        if group:
            if (supplier_id, group) in seen_groups:
                continue
            seen_groups.add((supplier_id, group))
        ids.append(pk)
    return ids


def _readable(typed: list[str], searched: list[str], names: list[str]) -> str:
    """The words searched as people write them, from the words in the names found: a stemmed
    or corrected term ("recycl") becomes the closest word that begins with it ("recycled")."""
    import difflib

    vocabulary = sorted({w for n in names for w in _WORDS.findall(n.lower())})
    out = []
    for i, term in enumerate(searched or typed):
        original = typed[i] if i < len(typed) else term
        if original in vocabulary:
            out.append(original)
            continue
        candidates = [w for w in vocabulary if w.startswith(term)] or vocabulary
        best = difflib.get_close_matches(original, candidates, n=1, cutoff=0.5)
        out.append(best[0] if best else term)
    return " ".join(out)


def search_for(
    actor: Actor,
    query: str,
    filters: Filters,
    *,
    sort: str = "relevance",
    limit: int = 20,
    offset: int = 0,
    with_facets: bool = True,
) -> SearchResult:
    items = buyable_items(actor, cached=True)
    if filters.category:
        items = items.filter(category=filters.category)
    if filters.supplier_id:
        items = items.filter(supplier_id=filters.supplier_id)
    if filters.contract_id:
        items = items.filter(lot__contract_id=filters.contract_id)
    if filters.local_or_sme:
        items = items.filter(Q(supplier__is_local=True) | Q(supplier__is_sme=True))
    if filters.eco_label:
        items = items.filter(eco_label=True)
    typed = words(query)
    indexed = (
        _search_with_index(actor, typed, filters, items, sort, limit, offset, with_facets) if typed else None
    )
    if indexed is not None:
        return indexed
    matched, searched, candidates, attempts = items.none(), typed, [], 0
    for attempt, attempt_words in text_search_attempts(items, query):
        matched, searched, attempts = attempt, attempt_words, attempts + 1
        # One read of up to CANDIDATES matches serves the ranking and, for all but broad
        # searches, the count and the facets too.
        candidates = list(matched.order_by().values_list(*_CANDIDATE_FIELDS)[: CANDIDATES + 1])
        if candidates:
            break
    capped = len(candidates) > CANDIDATES
    candidates = candidates[:CANDIDATES]
    if sort == "relevance" and searched:
        ids = best_first([(c[0], c[1], c[6], c[3], c[7]) for c in candidates], searched)[
            offset : offset + limit
        ]
        by_id = CatalogueItem.objects.select_related("supplier", "lot__contract").defer("image").in_bulk(ids)
        page = [by_id[i] for i in ids]
    else:
        order = SORTS.get(sort, SORTS["name"]) if sort != "relevance" else SORTS["name"]
        sorted_matches = without_rank(matched)
        if sort == "unit_price":
            sorted_matches = sorted_matches.annotate(
                per_item=ExpressionWrapper(
                    F("unit_price") / F("pack_size"),
                    output_field=DecimalField(max_digits=14, decimal_places=4),
                )
            )
        page = list(
            sorted_matches.select_related("supplier", "lot__contract")
            .defer("image")
            .order_by(*order)[offset : offset + limit]
        )
    _attach_variants(items, page)
    count = len(candidates)
    facet_rows = [(c[2], c[3], c[4], c[5], 1) for c in candidates]
    if capped:
        # A broad search: counts and filters over every match, in one grouped read.
        facet_rows = list(
            without_rank(matched)
            .order_by()
            .values_list("category", "supplier_id", "lot_id", "eco_label")
            .annotate(n=Count("id"))
        )
        count = sum(r[4] for r in facet_rows)
    facet_counts = facets(facet_rows) if with_facets else {}
    showing = ""
    if typed and (attempts > 1 or searched != typed):
        showing = _readable(typed, searched, [i.name for i in page] + [c[6] for c in candidates[:50]])
        if showing == " ".join(typed):
            showing = ""
    return SearchResult(
        page, count, searched, facet_counts, count_is_capped=False, showing_results_for=showing
    )


def _search_with_index(
    actor: Actor,
    typed: list[str],
    filters: Filters,
    items: QuerySet[CatalogueItem],
    sort: str,
    limit: int,
    offset: int,
    with_facets: bool,
) -> SearchResult | None:
    """The search answered from the embedded index (catalogue.search_index) when it is current
    and finds something; None sends the search to the database, which also corrects spellings."""
    from consortium.catalogue import search_index
    from consortium.organisations.models import Organisation

    if not search_index.enabled():
        return None
    on = today_in_london()
    lot_ids = usable_lot_ids(actor, on, cached=True)
    if filters.contract_id:
        lot_ids = list(
            Lot.objects.filter(contract_id=filters.contract_id, id__in=lot_ids).values_list("id", flat=True)
        )
    supplier_ids: list[int] | None = [filters.supplier_id] if filters.supplier_id else None
    if filters.local_or_sme:
        local = set(
            Organisation.objects.filter(Q(is_local=True) | Q(is_sme=True)).values_list("pk", flat=True)
        )
        supplier_ids = sorted(local & set(supplier_ids) if supplier_ids is not None else local)
    relevance = sort not in search_index.SORT_FIELDS
    # Ranked: enough of the best matches to put names first and fold variants within them.
    window = min(CANDIDATES, max(60, 3 * (offset + limit))) if relevance else limit
    found = search_index.search(
        typed,
        lot_ids=lot_ids,
        on=on,
        category=filters.category,
        supplier_ids=supplier_ids,
        eco_label=filters.eco_label,
        sort=sort,
        limit=window,
        offset=0 if relevance else offset,
        facets=with_facets,
    )
    if found is None or not found.count:
        return None
    ids = found.ids
    if relevance:
        score = dict(zip(ids, found.scores, strict=True))
        matches = [
            (pk, score[pk], name, supplier_id, group)
            for pk, name, supplier_id, group in CatalogueItem.objects.filter(pk__in=ids).values_list(
                "id", "name", "supplier_id", "product_group"
            )
        ]
        ids = best_first(matches, typed)[offset : offset + limit]
    # Read back through what the buyer may buy: the index never widens it.
    by_id = items.select_related("supplier", "lot__contract").defer("image").in_bulk(ids)
    page = [by_id[i] for i in ids if i in by_id]
    _attach_variants(items, page)
    facet_counts = (
        facets_from_counts(Counter(found.category), Counter(found.supplier), Counter(found.lot), found.eco)
        if with_facets
        else {}
    )
    return SearchResult(page, found.count, typed, facet_counts)


def _attach_variants(buyable: QuerySet[CatalogueItem], page: list[CatalogueItem]) -> None:
    """Each item on the page gets `variants`: the other versions of its product it may buy."""
    groups = {(i.supplier_id, i.product_group) for i in page if i.product_group}
    siblings: dict[tuple[int, str], list[CatalogueItem]] = {}
    if groups:
        for v in (
            buyable.filter(supplier_id__in={g[0] for g in groups}, product_group__in={g[1] for g in groups})
            .only("id", "supplier_id", "product_group", "variant_label", "name", "unit_price")
            .order_by("variant_label", "id")
        ):
            siblings.setdefault((v.supplier_id, v.product_group), []).append(v)
    for item in page:
        item.variants = [  # type: ignore[attr-defined]
            v for v in siblings.get((item.supplier_id, item.product_group), []) if v.pk != item.pk
        ]


def facets(rows: list[tuple[Any, ...]]) -> dict[str, list[dict[str, Any]]]:
    """Every facet's counts, folded in Python from (category, supplier, lot, eco-label, how many)."""
    category: Counter[str] = Counter()
    supplier: Counter[int] = Counter()
    lot: Counter[int] = Counter()
    eco = 0
    for cat, supplier_id, lot_id, eco_label, n in rows:
        category[cat] += n
        supplier[supplier_id] += n
        lot[lot_id] += n
        eco += n if eco_label else 0
    return facets_from_counts(category, supplier, lot, eco)


def facets_from_counts(
    category: Counter[str], supplier: Counter[int], lot: Counter[int], eco: int
) -> dict[str, list[dict[str, Any]]]:
    """Every facet's counts and labels, from how many matches each value has."""
    from consortium.organisations.models import Organisation

    suppliers = _facet_labels(
        "suppliers",
        list(supplier),
        lambda ids: {
            pk: (name, local or sme)
            for pk, name, local, sme in Organisation.objects.filter(pk__in=ids).values_list(
                "pk", "name", "is_local", "is_sme"
            )
        },
    )
    lots = _facet_labels(
        "lots",
        list(lot),
        lambda ids: {
            pk: (contract_id, title)
            for pk, contract_id, title in Lot.objects.filter(pk__in=ids).values_list(
                "pk", "contract_id", "contract__title"
            )
        },
    )
    contracts: Counter[tuple[int, str]] = Counter()
    for lot_id, n in lot.items():
        contracts[lots[lot_id]] += n
    labels = dict(Category.choices)
    local_or_sme = sum(n for s, n in supplier.items() if suppliers[s][1])
    return {
        "category": sorted(
            ({"value": c, "label": labels.get(c, c), "count": n} for c, n in category.items()), key=_by_count
        ),
        "supplier": sorted(
            ({"value": s, "label": suppliers[s][0], "count": n} for s, n in supplier.items()), key=_by_count
        )[:20],
        "contract": sorted(
            ({"value": c, "label": title, "count": n} for (c, title), n in contracts.items()), key=_by_count
        ),
        "local_or_sme": [{"value": True, "label": "Local or SME supplier", "count": local_or_sme}],
        "eco_label": [{"value": True, "label": "Eco-label", "count": eco}],
    }


def _by_count(option: dict[str, Any]) -> tuple[int, str]:
    # Most matches first; ties by label, so the order never depends on how counts were read.
    return (-option["count"], str(option["label"]))


def _facet_labels(kind: str, ids: list[int], read: Any) -> dict[int, Any]:
    """Labels for facet values, from the per-process cache where it has them."""
    keys = {i: f"search:{kind}:{i}" for i in ids}
    cached = cache.get_many(list(keys.values()))
    found = {i: cached[k] for i, k in keys.items() if k in cached}
    missing = [i for i in ids if i not in found]
    if missing:
        fresh = read(missing)
        cache.set_many({keys[i]: v for i, v in fresh.items()}, SEARCH_CACHE_SECONDS)
        found |= fresh
    return found


def item_get_for(actor: Actor, item_id: int) -> CatalogueItem:
    """A buyer sees an item it may buy; a supplier its own items."""
    qs = (
        CatalogueItem.objects.filter(supplier=actor.organisation)
        if actor.organisation.is_supplier
        else buyable_items(actor)
    )
    try:
        return qs.select_related("supplier", "lot__contract").get(pk=item_id)
    except CatalogueItem.DoesNotExist:
        raise NotFound("No such item you may see") from None


def own_items_for(actor: Actor) -> QuerySet[CatalogueItem]:
    if not actor.organisation.is_supplier:
        raise PermissionDenied("Only a supplier has a catalogue of its own.")
    return (
        CatalogueItem.objects.filter(supplier=actor.organisation)
        .select_related("lot__contract")
        .defer("image")
    )


def price_change_list_for(actor: Actor, *, pending_only: bool = True) -> QuerySet[PriceChange]:
    qs = PriceChange.objects.select_related("item__supplier", "item__lot__contract")
    if actor.has(Permission.PRICE_CHANGES_DECIDE) and actor.organisation.is_consortium:
        pass
    elif actor.organisation.is_supplier:
        qs = qs.filter(item__supplier=actor.organisation)
    else:
        raise PermissionDenied("Price changes are for suppliers and the category manager.")
    if pending_only:
        qs = qs.filter(status=PriceChangeStatus.PENDING)
    return qs


def price_change_get_for(actor: Actor, change_id: int) -> PriceChange:
    try:
        return price_change_list_for(actor, pending_only=False).get(pk=change_id)
    except PriceChange.DoesNotExist:
        raise NotFound("No such price change") from None
