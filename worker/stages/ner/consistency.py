"""Document-level consistency of the tagger's output: a name tagged once is tagged everywhere.

A CRF tags each sentence on its own, and a name it knows in one sentence ("البنك التجاري" after
"رئيس مجلس إدارة") it often misses in the next ("برنامج البنك التجاري"). After tagging, each name
the tagger found is looked for again in the sentences around it (``window`` on each side, as the
second pass did): where the same stems stand untagged, they are tagged with the name's commonest
type. Stems (worker.stages.ner.features.strip_folded) make "للبنك التجاري" the same name as
"البنك التجاري". Only untagged words are changed, so a found mention is never cut or retyped. A
name of one word is spread only where it is tagged at least as often as left untagged around the
sentence: many such words are also common nouns ("أسد", lion or Assad), and the tagger's choice in
most places is then the better guide.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from itertools import compress

from worker.stages.ner.features import stems_of
from worker.stages.ner.lexicons import MAX_NAME_WORDS
from worker.stages.ner.model import bio_spans

__all__ = ["propagate"]


def _names(stems: Sequence[str], tags: Sequence[str]) -> list[tuple[tuple[str, ...], str]]:
    return [(tuple(stems[a:b]), typ) for a, b, typ in bio_spans(tags) if b - a <= MAX_NAME_WORDS]


def _untagged_words(untagged: Callable[[int], Counter], near: range, votes: dict) -> Counter:
    """How often each one-word name of ``votes`` stands untagged in the sentences ``near``
    (``untagged(j)``: sentence j's untagged stems, counted once per document)."""
    singles = {key[0] for key in votes if len(key) == 1}
    out: Counter = Counter()
    if not singles:
        return out
    for j in near:
        counts = untagged(j)
        for stem in singles:
            if stem in counts:
                out[stem] += counts[stem]
    return out


def _single_word_spreads(stem: str, typed: Counter, untagged: Counter, min_stem_len: int) -> bool:
    return len(stem) >= min_stem_len and stem[0].isalpha() and sum(typed.values()) >= untagged[stem]


def _name_starts(found: Sequence[list[tuple[tuple[str, ...], str]]]) -> dict[str, list[int]]:
    """First stem of each found name → the sentences it was found in (ascending)."""
    out: dict[str, list[int]] = {}
    for j, names in enumerate(found):
        for key, _ in names:
            out.setdefault(key[0], []).append(j)
    return out


def _candidates(st: Sequence[str], tg: Sequence[str], starts: dict[str, list[int]], near: range) -> list[int]:
    """The untagged positions of a sentence whose stem starts a name found ``near`` it: only
    there can a name be tagged again, and most sentences have none (their votes are then not
    worth counting)."""
    lo, hi = near.start, near.stop
    return [
        i
        for i, stem in enumerate(st)
        if stem in starts and tg[i] == "O" and any(lo <= j < hi for j in starts[stem])
    ]


def propagate(
    sentences: Sequence[Sequence[str]],
    tags: Sequence[Sequence[str]],
    window: int = 10,
    min_stem_len: int = 3,
    stems: Sequence[Sequence[str]] | None = None,
) -> list[list[str]]:
    """The tags of a document's sentences with every name found tagged again where its stems stand
    untagged within ``window`` sentences; single words shorter than ``min_stem_len`` letters are
    left alone. ``stems``: the sentences' ``stems_of``, when the caller has them already."""
    if stems is None:
        stems = [stems_of(s) for s in sentences]
    found = [_names(st, tg) for st, tg in zip(stems, tags, strict=True)]
    out = [list(t) for t in tags]
    starts = _name_starts(found)
    if not starts:
        return out
    # each sentence's untagged stems, counted when a sentence near a candidate first asks
    untagged_counts: list[Counter | None] = [None] * len(stems)

    def untagged_in(j: int) -> Counter:
        counts = untagged_counts[j]
        if counts is None:
            counts = untagged_counts[j] = Counter(compress(stems[j], [tag == "O" for tag in tags[j]]))
        return counts

    for k, (st, tg) in enumerate(zip(stems, out, strict=True)):
        near = range(max(0, k - window), min(len(stems), k + window + 1))
        candidates = _candidates(st, tg, starts, near)
        if not candidates:
            continue
        votes: dict[tuple[str, ...], Counter] = {}
        for j in near:
            for key, typ in found[j]:
                # not setdefault(key, Counter()): that builds a Counter for every name seen again
                counter = votes.get(key)
                if counter is None:
                    counter = votes[key] = Counter()
                counter[typ] += 1
        untagged = _untagged_words(untagged_in, near, votes)
        longest = max(len(key) for key in votes)
        end = 0  # the positions before it are inside a name tagged here
        for i in candidates:
            if i < end:
                continue
            end = i + 1
            for n in range(min(longest, len(st) - i), 0, -1):
                key = tuple(st[i : i + n])
                if key in votes and all(t == "O" for t in tg[i : i + n]):
                    if n > 1 or _single_word_spreads(key[0], votes[key], untagged, min_stem_len):
                        typ = votes[key].most_common(1)[0][0]
                        tg[i : i + n] = ["B-" + typ] + ["I-" + typ] * (n - 1)
                        end = i + n
                    break
    return out
