"""Names found despite a typo: trigram strict word similarity, as PostgreSQL's pg_trgm
computes it, with the same function given to SQLite connections so the same SQL ranks on both.

A word's trigrams are taken with two spaces before it and one after ("smith" gives "  s",
" sm", "smi", "mit", "ith", "th "). strict_word_similarity(a, b) compares them with the
best-matching whole word of b: "jonhson" and "johnson" share 4 of the 12 trigrams the two
hold, 0.33; "jonhson" and "jones" 3 of 11, 0.27."""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Any

from django.db.models import CharField, Lookup, TextField
from django.db.models.functions import Lower

WORD_THRESHOLD = 0.3  # pg_trgm's own default for %: one typo in a 5 to 8 letter name stays above it
_NOT_WORD = re.compile(r"[^0-9a-z]+")


def fold(text: str) -> str:
    """Lower case, accents removed, anything but letters and digits a single space."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return _NOT_WORD.sub(" ", plain.replace("'", "")).strip()


def words(text: str) -> list[str]:
    return fold(text).split()


@functools.lru_cache(maxsize=8192)
def _sequence(word: str) -> tuple[str, ...]:
    padded = f"  {word} "
    return tuple(padded[i : i + 3] for i in range(len(padded) - 2))


def trigrams(word: str) -> frozenset[str]:
    return frozenset(_sequence(word))


def word_similarity(a: str | None, b: str | None) -> float:
    """pg_trgm's strict_word_similarity(a, b): the best, over the whole words w of b, of
    |T(a) ∩ T(w)| / |T(a) ∪ T(w)| (strict: a run of trigrams must be whole words, so
    "jonhson" is nearer "johnson" than "jones")."""
    if not a or not b:
        return 0.0
    mine: set[str] = set()
    for w in words(a):
        mine |= trigrams(w)
    if not mine:
        return 0.0
    best = 0.0
    for w in words(b):
        theirs = trigrams(w)
        shared = len(mine & theirs)
        if shared:
            best = max(best, shared / (len(mine) + len(theirs) - shared))
    return best


def vocabulary_match_query(token: str) -> str:
    """An FTS5 (trigram tokenizer) query for the name words sharing at least one of the
    token's inner trigrams: the candidates a typo leaves, which word_similarity then ranks.
    Empty when the token is too short to have one."""
    grams = sorted({token[i : i + 3] for i in range(len(token) - 2)})
    if not grams:
        return ""
    return "word : (" + " OR ".join('"' + g.replace('"', '""') + '"' for g in grams[:30]) + ")"


def _sqlite_word_similarity(a: Any, b: Any) -> float:
    return word_similarity(str(a) if a is not None else None, str(b) if b is not None else None)


class WordSimilar(Lookup):  # type: ignore[type-arg]
    """`column__word_similar=token`: PostgreSQL's `token <<% column`, which its GIN trigram
    index answers (strict_word_similarity(token, column) at or above the threshold)."""

    lookup_name = "word_similar"

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{rhs} <<%% {lhs}", [*rhs_params, *lhs_params]


def install() -> None:
    """Give every new SQLite connection strict_word_similarity(), and PostgreSQL our threshold."""
    from django.db.backends.signals import connection_created

    def _add(sender: Any, connection: Any, **kwargs: Any) -> None:
        if connection.vendor == "sqlite":
            connection.connection.create_function(
                "strict_word_similarity", 2, _sqlite_word_similarity, deterministic=True
            )
        elif connection.vendor == "postgresql":
            # The threshold of pg_trgm's <% operator (0.6 by default misses most typos).
            with connection.connection.cursor() as cursor:
                cursor.execute(f"SET pg_trgm.strict_word_similarity_threshold = {WORD_THRESHOLD}")

    TextField.register_lookup(WordSimilar)
    # `department__lower=…`: what the expression indexes on Lower(department) and Lower(team) answer.
    CharField.register_lookup(Lower)
    CharField.register_lookup(WordSimilar)
    connection_created.connect(_add, weak=False, dispatch_uid="directory_word_similarity")
