"""The actor lexicon: CAMEO-style actor codes for names, generic agents and nationality
adjectives, read from ``actors/*.tsv`` (built from the Arabic CAMEO dictionaries by
``khabar build-actors``; see SOURCES.md), and ``key``, the comparison form both the dictionary
entries and the text are looked up in.

The CAMEO Arabic dictionary writes its entries as lemmas with ``_`` between words and no article
(«وزارة_دفاع_أميركي_» for «وزارة الدفاع الأمريكية»), so a key is the normalised text with the
article and conjunction/preposition prefixes taken off each word, relational adjectives brought
back to their masculine lemma and a few spelling variants folded («الأميركية»/«الأمريكية»,
«سيرغي»/«سيرجي»).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache

from worker.lang.ar import ordered, rows, table
from worker.lang.ar import words as word_list
from worker.lang.ar.normalise import normalise

# a prefix comes off only when at least this many letters remain (so «الله» keeps a word)
MIN_STEM = 2
# an adjective ending is rewritten only on words at least this long («سوريين», not «يين»)
MIN_ADJECTIVE = 5
# the country of an actor that has none (ACTORS.md: «داعش» is REB with no state)
STATELESS = "-"


@dataclass(frozen=True)
class Role:
    """One dated code of a named actor: valid from ``start`` to ``end`` (``YYYYMMDD`` integers,
    None for open)."""

    country: str | None
    sector: str | None
    start: int | None = None
    end: int | None = None
    stateless: bool = False  # an actor with no state («داعش»), not one whose state is unknown

    def holds_at(self, day: int) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day < self.end)


def _word_key(word: str) -> str:
    for prefix in ordered("actors/article_prefixes"):
        if word.startswith(prefix) and len(word) - len(prefix) >= MIN_STEM:
            word = word[len(prefix) :]
            break
    if len(word) >= MIN_ADJECTIVE:
        for ending, lemma in _endings():
            if word.endswith(ending):
                word = word[: -len(ending)] + lemma
                break
    return word


@cache
def _endings() -> tuple[tuple[str, str], ...]:
    return tuple((r[0], r[1]) for r in rows("actors/adjective_endings"))


@cache
def _variants() -> tuple[tuple[str, str], ...]:
    return tuple((r[0], r[1]) for r in rows("actors/letter_variants"))


# The actors stage asks for the key of every word and title of every article (and the same names
# recur across articles): a bounded memo instead of the prefix and ending loops again.
@lru_cache(maxsize=1 << 16)
def key(text: str) -> str:
    """The lookup form of a name, phrase or dictionary entry (``_`` counts as a space; a lone
    «ل», the dictionary's preposition lemma, is dropped)."""
    words = normalise(text.replace("_", " ")).split()
    out = []
    for w in words:
        if w == "ل":
            continue
        out.append(_spelling(_compound_key(w)))
    return " ".join(_joined(out))


def _spelling(word: str) -> str:
    for old, new in _variants():
        word = word.replace(old, new)
    return word


def _compound_key(word: str) -> str:
    """A word's key; a compound written joined («عبدالرحمن») as its halves joined would be
    («عبد» + the key of «الرحمن»)."""
    for first in _compounds():
        rest = word[len(first) :]
        if word.startswith(first) and len(rest) >= MIN_STEM:
            return first + _word_key(rest)
    return _word_key(word)


def _joined(words: list[str]) -> list[str]:
    """The first half of a compound written apart («عبد الله») joined to the word after it."""
    out: list[str] = []
    for w in words:
        if out and out[-1] in _compounds():
            out[-1] += w
        else:
            out.append(w)
    return out


@cache
def _compounds() -> frozenset[str]:
    return frozenset(r[0] for r in rows("actors/name_compounds"))


def parse_roles(cell: str) -> tuple[Role, ...]:
    """``RUS/GOV@20040309-`` entries separated by ``|`` (the ``named.tsv`` form): country (empty:
    unknown, ``-``: none), then sector, either may be empty; the dates are optional."""
    out = []
    for part in cell.split("|"):
        code, _, dates = part.partition("@")
        country, _, sector = code.partition("/")
        start, _, end = dates.partition("-")
        out.append(
            Role(
                country if country not in ("", STATELESS) else None,
                sector or None,
                int(start) if start else None,
                int(end) if end else None,
                stateless=country == STATELESS,
            )
        )
    return tuple(out)


@cache
def named() -> dict[str, tuple[Role, ...]]:
    """Key → the dated roles of a named actor, place or state: ``actors/names.tsv`` and
    ``actors/outlets.tsv`` (by hand) over ``actors/named.tsv`` (generated), and
    ``actors/places.tsv`` (by hand) where none of them has the name, and ``actors/states.tsv``
    (generated from CLDR) where none has it."""
    out = {r[0]: parse_roles(r[1]) for r in rows("actors/states")}
    out.update({r[0]: parse_roles(r[1]) for r in rows("actors/places")})
    out.update({r[0]: parse_roles(r[1]) for r in rows("actors/named")})
    out.update({r[0]: parse_roles(r[1]) for r in rows("actors/names")})
    out.update({r[0]: parse_roles(r[1]) for r in rows("actors/outlets")})
    return out


@cache
def short_names() -> dict[str, tuple[Role, ...]]:
    """A person's name as the news writes it, without the «بن …» links of its lineage («عادل بن
    أحمد الجبير» is «عادل الجبير» in the text) → the roles of the dictionary's full name. A short
    form two full names share with different states is left out (it could be either)."""
    links = set(word_list("actors/patronymics"))
    out: dict[str, tuple[Role, ...]] = {}
    clashes: set[str] = set()
    for name, roles in named().items():
        parts = name.split()
        short, i = [], 0
        while i < len(parts):
            if 0 < i < len(parts) - 1 and parts[i] in links:
                i += 2  # the link and the father's name
                continue
            short.append(parts[i])
            i += 1
        if len(short) < 2 or len(short) == len(parts):
            continue
        form = " ".join(short)
        if form in out and {r.country for r in out[form]} != {r.country for r in roles}:
            clashes.add(form)
        out.setdefault(form, roles)
    return {form: roles for form, roles in out.items() if form not in clashes and form not in named()}


@cache
def agents() -> dict[str, str]:
    """Key of a generic agent phrase (minister, army, police …) → its sector (``actors/agents.tsv``)."""
    return dict(table("actors/agents"))


@cache
def adjectives() -> dict[str, str]:
    """Key of a nationality adjective (any gender or number) → the country code (``actors/adjectives.tsv``)."""
    return dict(table("actors/adjectives"))


@cache
def heads() -> dict[str, str]:
    """Key of a title or institution head → its sector (``actors/heads.tsv``, by hand)."""
    return dict(table("actors/heads"))


@cache
def clubs() -> dict[str, tuple[Role, ...]]:
    """Key of a sports club's name → its states, CVL (``actors/clubs.tsv``)."""
    return {r[0]: parse_roles(r[1]) for r in rows("actors/clubs")}
