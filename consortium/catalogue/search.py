"""Catalogue search: full text with ranking and typo tolerance, on either database.

SQLite: FTS5 with porter stemming, ranked by bm25; a word it does not know is
replaced by the closest word in the index's vocabulary. PostgreSQL: a stored
tsvector column with a GIN index, ranked by ts_rank_cd; when nothing matches,
trigram similarity on the item name (pg_trgm) finds near spellings.
"""

from __future__ import annotations

import difflib
import re

from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

WORD = re.compile(r"\w+", re.UNICODE)
MAX_WORDS = 8
TYPO_SIMILARITY = 0.4


def words(query: str) -> list[str]:
    return [w.lower() for w in WORD.findall(query or "")][:MAX_WORDS]


def _sqlite_match_expression(terms: list[str]) -> str:
    # Each word quoted (so FTS5 syntax in a query is just text); only the last is a
    # prefix, as a person may still be typing it (prefixes cost more to look up).
    return " ".join(f'"{t}"' for t in terms[:-1]) + (f' "{terms[-1]}"*' if terms else "")


def _sqlite_correct(terms: list[str]) -> list[str]:
    """Replace words the index has never seen by the closest it has."""
    corrected = []
    with connection.cursor() as cursor:
        for term in terms:
            cursor.execute(
                "SELECT 1 FROM catalogue_item_vocab WHERE term >= %s AND term < %s LIMIT 1",
                [term, term + "\uffff"],
            )
            if cursor.fetchone():
                corrected.append(term)
                continue
            cursor.execute(
                "SELECT term FROM catalogue_item_vocab WHERE length(term) BETWEEN %s AND %s "
                "AND substr(term, 1, 1) IN (%s, %s) ORDER BY doc DESC LIMIT 5000",
                [max(1, len(term) - 2), len(term) + 2, term[:1], term[1:2] or term[:1]],
            )
            candidates = [row[0] for row in cursor.fetchall()]
            match = difflib.get_close_matches(term, candidates, n=1, cutoff=0.7)
            corrected.append(match[0] if match else term)
    return corrected


def apply_text_search(items: QuerySet, query: str) -> tuple[QuerySet, list[str]]:  # type: ignore[type-arg]
    """Filter `items` to those matching `query`, annotated with `rank` (higher is better).

    Returns the query set and the words actually searched for (after any correction).
    Count and facet queries should use `without_rank(qs)`: computing the rank of every
    match is the costly part, and only the page needs it.
    """
    terms = words(query)
    if not terms:
        return items.annotate(rank=RawSQL("0", [])), []
    if connection.vendor == "postgresql":
        tsquery = " & ".join([*terms[:-1], f"{terms[-1]}:*"])
        matched = items.extra(
            where=["catalogue_catalogueitem.search_vector @@ to_tsquery('english', %s)"],
            params=[tsquery],
        ).annotate(
            rank=RawSQL(
                "ts_rank_cd(catalogue_catalogueitem.search_vector, to_tsquery('english', %s))",
                [tsquery],
            )
        )
        if matched.exists():
            return matched, terms
        text = " ".join(terms)
        # A single transposed letter ("copeir") scores about 0.43 word similarity:
        # the default threshold (0.6) would miss it.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('pg_trgm.word_similarity_threshold', %s, false)", [str(TYPO_SIMILARITY)]
            )
        return (
            items.extra(where=["%s <%% catalogue_catalogueitem.name"], params=[text]).annotate(
                rank=RawSQL("word_similarity(%s, catalogue_catalogueitem.name)", [text])
            ),
            terms,
        )
    # SQLite: FTS5, joined by rowid so the index is searched once (a correlated
    # subquery per row would search it once per match).
    for corrected in (False, True):
        # Correct the spelling only when the words as typed find nothing.
        attempt = _sqlite_correct(terms) if corrected else terms
        expression = _sqlite_match_expression(attempt)
        matched = items.extra(
            tables=["catalogue_item_fts"],
            where=["catalogue_item_fts.rowid = catalogue_catalogueitem.id", "catalogue_item_fts MATCH %s"],
            params=[expression],
        ).annotate(rank=RawSQL("-catalogue_item_fts.rank", []))
        if corrected or matched.exists():
            return matched, attempt
    raise AssertionError("unreachable")


def without_rank(qs: QuerySet) -> QuerySet:  # type: ignore[type-arg]
    """The same matches without the rank annotation, for counting and facets."""
    clone = qs.all()
    clone.query.annotations.pop("rank", None)
    clone.query.annotation_select_mask = None
    return clone
