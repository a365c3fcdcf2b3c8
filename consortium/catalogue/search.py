"""Catalogue search: full text with ranking and typo tolerance, on either database.

SQLite: FTS5 with porter stemming, ranked by bm25; a word it does not know is
replaced by the closest word in the index's vocabulary. PostgreSQL: a stored
tsvector column with a GIN index, ranked by ts_rank_cd; when nothing matches,
trigram similarity on the item name (pg_trgm) finds near spellings.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator

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


def text_search_attempts(items: QuerySet, query: str) -> Iterator[tuple[QuerySet, list[str]]]:  # type: ignore[type-arg]
    """Ways to match `query` within `items`, best first, each annotated with `rank`
    (higher is better) and given with the words actually searched for.

    The caller takes the first attempt that finds anything: the words as typed,
    then (only if they found nothing) near spellings. Trying lazily saves an
    "anything there?" query on every search that finds something.
    """
    terms = words(query)
    if not terms:
        yield items.annotate(rank=RawSQL("0", [])), []
        return
    if connection.vendor == "postgresql":
        # Whole words first; the last word as a prefix only when whole words find
        # nothing ("stapl" → stapler): a prefix reads every word it begins, which
        # costs several times as much on a large catalogue.
        for tsquery in (" & ".join(terms), " & ".join([*terms[:-1], f"{terms[-1]}:*"])):
            yield (
                items.extra(
                    where=["catalogue_catalogueitem.search_vector @@ to_tsquery('english', %s)"],
                    params=[tsquery],
                ).annotate(
                    rank=RawSQL(
                        "ts_rank_cd(catalogue_catalogueitem.search_vector, to_tsquery('english', %s))",
                        [tsquery],
                    )
                ),
                terms,
            )
        text = " ".join(terms)
        # A single transposed letter ("copeir") scores about 0.43 word similarity:
        # the default threshold (0.6) would miss it.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('pg_trgm.word_similarity_threshold', %s, false)", [str(TYPO_SIMILARITY)]
            )
        yield (
            items.extra(where=["%s <%% catalogue_catalogueitem.name"], params=[text]).annotate(
                rank=RawSQL("word_similarity(%s, catalogue_catalogueitem.name)", [text])
            ),
            terms,
        )
        return
    # SQLite: FTS5, joined by rowid so the index is searched once (a correlated
    # subquery per row would search it once per match).
    for attempt in (terms, None):
        attempt = attempt or _sqlite_correct(terms)
        yield (
            items.extra(
                tables=["catalogue_item_fts"],
                where=[
                    "catalogue_item_fts.rowid = catalogue_catalogueitem.id",
                    "catalogue_item_fts MATCH %s",
                ],
                params=[_sqlite_match_expression(attempt)],
            ).annotate(rank=RawSQL("-catalogue_item_fts.rank", [])),
            attempt,
        )


def without_rank(qs: QuerySet) -> QuerySet:  # type: ignore[type-arg]
    """The same matches without the rank annotation, for counting and facets."""
    clone = qs.all()
    clone.query.annotations.pop("rank", None)
    clone.query.annotation_select_mask = None
    return clone
