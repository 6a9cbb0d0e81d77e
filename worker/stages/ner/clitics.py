"""Attached proclitics on entity names: "ولبنان" → "لبنان", "بلافروف" → "لافروف", "للعراق" → "العراق".

ANERcorp (and the segmenter) keep clitics attached, so the tagger tags "ولبنان" whole. Whether a
leading و ف ب ل ك is a clitic or part of the name ("لبنان", "بغداد", "فرنسا", "كندا") is decided by
evidence that the remainder is a name: it appears elsewhere in the article, or it is seen in names
more often than the whole word (the lexicon shipped with the model: counts of words inside the
entities of ANERcorp's train split and of the names in the CAMEO actor dictionary), or the whole
word is unknown and the remainder starts with the article ال. Without such evidence the word is
left whole.
"""

from __future__ import annotations

from collections.abc import Container, Mapping
from dataclasses import dataclass

from worker.lang.ar.normalise import is_dropped
from worker.stages.ner.features import fold

_CONJ = "وف"
_PREP = "بلك"


@dataclass(frozen=True)
class CliticSplit:
    prefix_len: int  # characters of the original word taken by the clitic(s)
    stem: str  # the name part as it should be written (with ال restored after لل)


def _candidates(w: str) -> list[tuple[int, str, bool]]:
    """(letters stripped, folded remainder, whether ال was restored after لل) for each clitic
    reading of the folded word ``w``, longest first."""
    out = []
    i = 1 if len(w) > 1 and w[0] in _CONJ else 0
    if w.startswith("لل", i) and len(w) > i + 3:
        out.append((i + 2, "ال" + w[i + 2 :], True))  # (و|ف)? + لل + X = (و|ف)? + ل + الX
    if len(w) > i + 1 and w[i] in _PREP:
        out.append((i + 1, w[i + 1 :], False))
    if i:
        out.append((1, w[1:], False))
    return out


def _raw_index(word: str, letters: int) -> int:
    """Index in ``word`` of its letter number ``letters`` (0-based), skipping diacritics."""
    seen = 0
    for idx, ch in enumerate(word):
        if is_dropped(ch):
            continue
        if seen == letters:
            return idx
        seen += 1
    return len(word)


def split_proclitic(
    word: str,
    names: Mapping[str, int] | None = None,
    context: Container[str] = (),
    common: Container[str] = (),
) -> CliticSplit:
    """How much of ``word`` (an entity's first token) is an attached clitic.

    ``names`` maps folded words to how often they were seen inside names (ANERcorp entities, CAMEO
    actor names); ``context`` holds the folded words of the article; ``common`` the frequent words
    that are seldom names ("ان", "وفي"), which a remainder may not be ("بان" is Ban Ki-moon)."""
    w = fold(word)
    names = names or {}
    whole = names.get(w, 0) + (1 if w in context else 0)
    for letters, rest, lil in _candidates(w):
        if len(rest) < 2 or rest in common:
            continue
        evidence = names.get(rest, 0) + (3 if rest in context else 0)
        # An unknown word read as clitic + article + name ("بالفلوجة") is taken as such; a known
        # one ("كاليفورنيا") needs the evidence of its remainder like any other.
        article = rest.startswith("ال") and len(rest) >= 5 and whole == 0
        if evidence > whole or article:
            start = _raw_index(word, letters)
            if lil:
                # "للعراق": the name "العراق" is not a substring; the mention keeps the whole
                # token apart from a leading conjunction, and the canonical restores ال.
                conj = _raw_index(word, letters - 2)
                return CliticSplit(conj, "ال" + word[start:])
            return CliticSplit(start, word[start:])
    return CliticSplit(0, word)
