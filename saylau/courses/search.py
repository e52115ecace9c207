"""Full-text search of the library in Kazakh and Russian, the same on PostgreSQL and on SQLite.

Neither engine stems Kazakh (PostgreSQL has no Kazakh dictionary; SQLite's FTS5 stems nothing), and a search
must find "сайлаушылардың" from "сайлаушылар" and "избирательной" from "избирательные". So words are reduced to
stems here, in Python, once when a material is saved (``analyze``) and again for each query (``query_terms``):
Russian with the Snowball stemmer, Kazakh with a light suffix stripper (Kazakh adds case, possessive and plural
endings to an unchanging root, so stripping them from the end is reliable). The stems are stored in
``Material.search_title`` / ``search_body`` and indexed by the database's own engine:

- PostgreSQL: a stored generated ``tsvector`` of the two columns (``to_tsvector('simple', …)``, titles weigh more)
  with a GIN index, ranked by ``ts_rank``; terms match as prefixes (``stem:*``), which also catches derived words.
- SQLite: an FTS5 table over the same columns, kept in step by triggers (migration 0002), ranked by ``bm25``.
"""

from __future__ import annotations

import re
from functools import lru_cache

import snowballstemmer
from django.db import connection
from django.db.models import BooleanField, FloatField, QuerySet
from django.db.models.expressions import RawSQL

_WORD = re.compile(r"\w+", re.UNICODE)
_KAZAKH_LETTERS = set("әғқңөұүһі")
_RUSSIAN = snowballstemmer.stemmer("russian")

# Endings Kazakh adds after a root, longest first; stripped repeatedly (case, then possessive, then plural).
_KAZAKH_SUFFIXES = sorted({
    # plural
    "лар", "лер", "дар", "дер", "тар", "тер",
    # genitive, accusative, dative, locative, ablative, instrumental
    "ның", "нің", "дың", "дің", "тың", "тің", "ны", "ні", "ды", "ді", "ты", "ті",
    "ға", "ге", "қа", "ке", "на", "не", "да", "де", "та", "те", "нда", "нде",
    "дан", "ден", "тан", "тен", "нан", "нен", "мен", "бен", "пен",
    "дағы", "дегі", "тағы", "тегі", "ндағы", "ндегі",
    # possessive
    "ым", "ім", "ың", "ің", "ы", "і", "сы", "сі", "мыз", "міз", "ымыз", "іміз", "ңыз", "ңіз", "ыңыз", "іңіз",
}, key=len, reverse=True)
_KAZAKH_MIN_STEM = 4


@lru_cache(maxsize=65536)
def stem_kazakh(word: str) -> str:
    for _round in range(4):
        for suffix in _KAZAKH_SUFFIXES:
            if word.endswith(suffix) and len(word) - len(suffix) >= _KAZAKH_MIN_STEM:
                word = word[: -len(suffix)]
                break
        else:
            break
    return word


@lru_cache(maxsize=65536)
def stem_russian(word: str) -> str:
    return _RUSSIAN.stemWord(word.replace("ё", "е"))


def words(text: str) -> list[str]:
    return [word.lower() for word in _WORD.findall(text or "")]


def analyze(text: str, language: str) -> str:
    """The stems of a text written in ``language`` (kk or ru), as the space-separated text the index holds."""
    stem = stem_kazakh if language == "kk" else stem_russian
    return " ".join(stem(word) for word in words(text))


def query_terms(q: str) -> list[set[str]]:
    """Each word of a query as the set of stems it may have (its language is not known: a word with a
    Kazakh-only letter is Kazakh; any other is tried as both)."""
    terms = []
    for word in words(q)[:12]:
        stems = {stem_kazakh(word)}
        if not _KAZAKH_LETTERS & set(word):
            stems.add(stem_russian(word))
        stems = {stem for stem in stems if len(stem) >= 2}
        if stems:
            terms.append(stems)
    return terms


_PG_VECTOR = '"courses_material"."search_vector"'  # generated and GIN-indexed (migration 0002)


def _pg_query(terms: list[set[str]]) -> str:
    return " & ".join("(" + " | ".join(f"{stem}:*" for stem in sorted(stems)) + ")" for stems in terms)


def _fts5_query(terms: list[set[str]]) -> str:
    return " AND ".join("(" + " OR ".join(f'"{stem}"*' for stem in sorted(stems)) + ")" for stems in terms)


def search(queryset: QuerySet, q: str) -> QuerySet:
    """``queryset`` (of Material) narrowed to what matches ``q``, annotated with ``rank`` (higher is better)."""
    terms = query_terms(q)
    if not terms:
        return queryset.none()
    if connection.vendor == "postgresql":
        tsquery = _pg_query(terms)
        # The SQL text is constant; the query is a parameter (stems are word characters only, see query_terms).
        return (queryset
                .filter(RawSQL(f"{_PG_VECTOR} @@ to_tsquery('simple'::regconfig, %s)", [tsquery],  # noqa: S611
                               output_field=BooleanField()))
                .annotate(rank=RawSQL(f"ts_rank({_PG_VECTOR}, to_tsquery('simple'::regconfig, %s))", [tsquery],  # noqa: S611
                                      output_field=FloatField())))
    match = _fts5_query(terms)
    return (queryset
            .filter(pk__in=RawSQL("SELECT rowid FROM courses_material_fts WHERE courses_material_fts MATCH %s",
                                  [match]))
            .annotate(rank=RawSQL(
                "(SELECT -bm25(courses_material_fts, 10.0, 1.0) FROM courses_material_fts "
                "WHERE courses_material_fts MATCH %s AND rowid = \"courses_material\".\"id\")",
                [match], output_field=FloatField())))
