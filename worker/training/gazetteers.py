"""Name lists from outside ANERcorp for the NER features (training-time readers).

- ``--name-list``: the arwikicats wheel (ArWikiCats 0.2.3, MIT; ``scripts/fetch-ner-lexicons`` gets
  it from PyPI). Its JSON tables translate English Wikipedia category keys into Arabic labels; the
  Arabic labels of its city, region and county tables are place names, of its club table
  organisations, of its people table people. The tagger looks these names up as whole phrases
  (worker/stages/ner/features.py, "nl=").
- ``--wikidata-names``: names/ of ../shared/data (NETransliteration, Wikidata person names, CC0):
  ``english<TAB>Arabic letters separated by spaces<TAB>count`` lines; the Arabic words become a
  set of name parts, looked up with the word's frequency ("wn=").
"""

from __future__ import annotations

import gzip
import json
import os
import re
import zipfile

from worker.stages.ner.features import fold
from worker.stages.ner.lexicons import MAX_NAME_WORDS

_ARABIC_WORD = re.compile("[\u0621-\u064a]+")
_PARENS = re.compile(r"\s*\([^)]*\)")

# arwikicats tables (inside the wheel, under ArWikiCats/jsons/) → the type of their Arabic labels.
# The first table that lists a name gives its type.
ARWIKICATS_TABLES = (
    ("cities/cities_full.json", "LOC"),
    ("geography/P17_PP.json", "LOC"),
    ("geography/popopo.json", "LOC"),
    ("geography/India_dd.json", "LOC"),
    ("geography/us_counties.json", "LOC"),
    ("sports/Clubs_key.json", "ORG"),
    ("people/peoples.json", "PERS"),
)


def _label_words(label: str) -> list[str] | None:
    """The folded words of a label without its parenthesised part, if all are Arabic words."""
    words = fold(_PARENS.sub("", label)).split()
    if not words or len(words) > MAX_NAME_WORDS or not all(_ARABIC_WORD.fullmatch(x) for x in words):
        return None
    if len(words) == 1 and len(words[0]) < 3:
        return None
    return words


def read_arwikicats(wheel: str | os.PathLike) -> dict[str, str]:
    """Folded name (words joined by one space) → PERS/LOC/ORG, from the arwikicats wheel."""
    out: dict[str, str] = {}
    with zipfile.ZipFile(wheel) as z:
        for table, typ in ARWIKICATS_TABLES:
            try:
                data = json.loads(z.read("ArWikiCats/jsons/" + table))
            except KeyError as exc:
                raise ValueError(f"{wheel}: no table {table} (not an arwikicats 0.2.x wheel?)") from exc
            for label in data.values():
                words = _label_words(label) if isinstance(label, str) else None
                if words:
                    out.setdefault(" ".join(words), typ)
    return out


def read_wikidata_names(paths) -> frozenset[str]:
    """The folded Arabic words of the person names in NETransliteration files (gzipped or not)."""
    out = set()
    for path in paths:
        opener = gzip.open if str(path).endswith(".gz") else open
        with opener(path, "rt", encoding="utf-8") as fh:
            for line in fh:
                cols = line.rstrip("\n").split("\t")
                if len(cols) < 2:
                    raise ValueError(f"{path}: expected english<TAB>letters<TAB>count lines, got {line!r}")
                word = fold(cols[1].replace(" ", ""))
                if len(word) > 1 and _ARABIC_WORD.fullmatch(word):
                    out.add(word)
    return frozenset(out)
