"""Whether a word's letters read like a transliterated name: a feature for names never seen.

Most of the tagger's misses are names it never saw, and many of them are foreign names written in
Arabic letters («هوبان», «قوانغتشو», «إسبانيول»): their letters follow another language's patterns
(long vowels in every syllable, «غ» and «ج» for g, clusters no Arabic root has). Two letter-trigram
models tell them apart from Arabic words: one from the Arabic spellings of Wikidata's transliterated
person names (``../shared/data/names/``, CC0), one from the commonest words of general Arabic text
(the wordfreq list the frequency features use, names among them left out). A word's feature is the
difference of its two per-letter log likelihoods in half steps, from -3 (an Arabic word) to 3.
``letters.tsv.gz`` beside a model trained with ``khabar train-ner --transliterations`` holds the
trigram counts of both. The shipped model has none: measured on held-out ANERcorp blocks it gained
0.4 F1, but the dev articles' participant F1 fell (DEVELOPERS.md, issue 13, fifth round)."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping

LETTERS_FILE = "letters.tsv.gz"
# add-k smoothing of a trigram's count, over an alphabet of about this many letters and the end mark
SMOOTHING = 0.1
ALPHABET = 40
# the log-likelihood ratio per letter is cut into steps of this size, from -LIMIT to LIMIT
STEP = 0.5
LIMIT = 3
_START, _END = "^^", "$"


def trigrams(word: str) -> list[str]:
    padded = _START + word + _END
    return [padded[i - 2 : i + 1] for i in range(2, len(padded))]


class LetterModel:
    """Trigram counts of transliterated names and of common words (trigram → (names, words))."""

    def __init__(self, counts: Mapping[str, tuple[int, int]]):
        self.counts = dict(counts)
        self._tri: tuple[dict[str, int], dict[str, int]] = ({}, {})
        self._ctx: tuple[Counter, Counter] = (Counter(), Counter())
        for tri, pair in self.counts.items():
            for side in (0, 1):
                if pair[side]:
                    self._tri[side][tri] = pair[side]
                    # every context is followed by a letter or the end mark: its count is the sum
                    self._ctx[side][tri[:2]] += pair[side]

    @classmethod
    def build(cls, names: Iterable[str], words: Iterable[str]) -> LetterModel:
        counts: dict[str, list[int]] = {}
        for side, items in ((0, names), (1, words)):
            for w in items:
                for tri in trigrams(w):
                    counts.setdefault(tri, [0, 0])[side] += 1
        return cls({tri: (a, b) for tri, (a, b) in counts.items()})

    def _log_likelihood(self, side: int, grams: list[str]) -> float:
        tri, ctx = self._tri[side], self._ctx[side]
        total = 0.0
        for g in grams:
            total += math.log((tri.get(g, 0) + SMOOTHING) / (ctx.get(g[:2], 0) + SMOOTHING * ALPHABET))
        return total / len(grams)

    def bucket(self, word: str) -> str | None:
        """The word's step (as a feature value), or None for a word of fewer than three letters
        or with anything but letters."""
        if len(word) < 3 or not word.isalpha():
            return None
        grams = trigrams(word)
        ratio = self._log_likelihood(0, grams) - self._log_likelihood(1, grams)
        return str(max(-LIMIT, min(LIMIT, math.floor(ratio / STEP))))

    def text(self) -> str:
        return "".join(f"{tri}\t{a}\t{b}\n" for tri, (a, b) in sorted(self.counts.items()))

    @classmethod
    def from_lines(cls, lines: Iterable[str]) -> LetterModel:
        counts = {}
        for n, line in enumerate(lines, 1):
            cols = line.split("\t")
            if len(cols) != 3 or not (cols[1].isdigit() and cols[2].isdigit()):
                raise ValueError(
                    f"{LETTERS_FILE} line {n}: expected trigram<TAB>count<TAB>count, got {line!r}"
                )
            counts[cols[0]] = (int(cols[1]), int(cols[2]))
        return cls(counts)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LetterModel) and self.counts == other.counts
