"""Candidate pairs for labelling near-duplicates (``khabar duplicates sample``; pure: no database).

Two sources. The hard pairs come from a source independent of MinHash: every two articles that
share an exact passage of ``PASSAGE`` normalised words, published within ``max_days`` of each
other. A passage that many articles share («رابط الخبر بصحيفة …», an outlet's footer) says nothing
and is left out. They are drawn at random, with a fixed seed, from strata of their exact
similarity, so that the decision is tested where it decides and not only on obvious copies and
strangers. The random pairs are what the pipeline itself proposes: every two articles whose
signatures share an LSH band within ``max_days``, drawn uniformly, so that figures on them hold
for the corpus as the pipeline sees it.
"""

from __future__ import annotations

import hashlib
import random
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from worker.corpus.shingles import SHINGLE, band_keys, signature, words

PASSAGE = 8
# a passage in more articles than this is boilerplate, not a shared text
COMMON_PASSAGE = 30
# (name, lowest, highest) of max(Jaccard, containment) — every stratum is drawn from equally
BANDS = (
    ("0.05-0.20", 0.05, 0.20),
    ("0.20-0.35", 0.20, 0.35),
    ("0.35-0.50", 0.35, 0.50),
    ("0.50-0.65", 0.50, 0.65),
    ("0.65-0.80", 0.65, 0.80),
    ("0.80-0.95", 0.80, 0.95),
    ("0.95-1.00", 0.95, 1.01),
)


def _h(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "big") >> 1


def hashed_grams(w: list[str], size: int) -> np.ndarray:
    """The article's distinct word n-grams as sorted 63-bit hashes."""
    if len(w) < size:
        return np.array([_h(" ".join(w))] if w else [], dtype=np.int64)
    return np.unique(
        np.array([_h(" ".join(w[i : i + size])) for i in range(len(w) - size + 1)], dtype=np.int64)
    )


@dataclass(frozen=True)
class Candidate:
    a: str
    b: str
    jaccard: float
    containment: float
    days: float
    passages: int  # distinct shared passages

    @property
    def level(self) -> float:
        return max(self.jaccard, self.containment)


def _indexed(
    items: Iterable[tuple[str, datetime, str]],
    min_words: int,
    ids: list[str],
    when: list[datetime],
    grams: list[np.ndarray],
) -> Iterator[tuple[int, list[str]]]:
    """The articles long enough to compare, each appended to ``ids``/``when``/``grams`` (its
    shingles) and yielded with its index there and its words."""
    for article_id, at, text in items:
        w = words(text)
        if len(w) < min_words:
            continue
        ids.append(article_id)
        when.append(at)
        grams.append(hashed_grams(w, SHINGLE))
        yield len(ids) - 1, w


def candidates(
    items: Iterable[tuple[str, datetime, str]], max_days: float = 7.0, min_words: int = 12
) -> list[Candidate]:
    """Every pair of ``items`` (id, when, text) sharing an exact passage, within ``max_days``,
    with its exact shingle Jaccard similarity and containment (as the pipeline computes them)."""
    ids: list[str] = []
    when: list[datetime] = []
    grams: list[np.ndarray] = []
    passage_rows = []
    for k, w in _indexed(items, min_words, ids, when, grams):
        p = hashed_grams(w, PASSAGE)
        passage_rows.append(np.stack([p, np.full(len(p), k, dtype=np.int64)], axis=1))
    if not ids:
        return []
    table = np.concatenate(passage_rows)
    table = table[np.lexsort((table[:, 1], table[:, 0]))]
    starts = np.flatnonzero(np.r_[True, table[1:, 0] != table[:-1, 0]])
    ends = np.r_[starts[1:], len(table)]
    shared: Counter[tuple[int, int]] = Counter()
    for s, e in zip(starts, ends, strict=True):
        if 2 <= e - s <= COMMON_PASSAGE:
            members = table[s:e, 1].tolist()
            for i, x in enumerate(members):
                for y in members[i + 1 :]:
                    if abs((when[x] - when[y]).total_seconds()) <= max_days * 86400:
                        shared[(x, y)] += 1
    return [_measured(ids, when, grams, x, y, n) for (x, y), n in sorted(shared.items())]


def lsh_candidates(
    items: Iterable[tuple[str, datetime, str]], max_days: float = 7.0, min_words: int = 12
) -> list[Candidate]:
    """Every pair of ``items`` (id, when, text) whose MinHash signatures share an LSH band (the
    pipeline's candidates), within ``max_days``, with its exact similarity (``passages`` is 0)."""
    ids: list[str] = []
    when: list[datetime] = []
    grams: list[np.ndarray] = []
    buckets: dict[int, list[int]] = {}
    for k, w in _indexed(items, min_words, ids, when, grams):
        for key in band_keys(signature({" ".join(w[i : i + SHINGLE]) for i in range(len(w) - SHINGLE + 1)})):
            buckets.setdefault(key, []).append(k)
    found: set[tuple[int, int]] = set()
    for members in buckets.values():
        for i, x in enumerate(members):
            for y in members[i + 1 :]:
                if abs((when[x] - when[y]).total_seconds()) <= max_days * 86400:
                    found.add((x, y))
    return [_measured(ids, when, grams, x, y, 0) for x, y in sorted(found)]


def _measured(ids, when, grams, x: int, y: int, passages: int) -> Candidate:
    gx, gy = grams[x], grams[y]
    inter = len(np.intersect1d(gx, gy, assume_unique=True))
    union = len(gx) + len(gy) - inter
    return Candidate(
        ids[x],
        ids[y],
        inter / union if union else 0.0,
        inter / min(len(gx), len(gy)) if len(gx) and len(gy) else 0.0,
        abs((when[x] - when[y]).total_seconds()) / 86400,
        passages,
    )


def draw(pairs: list[Candidate], per_band: int, seed: int) -> list[tuple[str, Candidate]]:
    """``per_band`` pairs of each similarity band, drawn with ``seed`` from the pairs sorted by
    their ids (the same pairs give the same draw), each with its band's name; a pair whose articles
    were already drawn together is not drawn twice."""
    rng = random.Random(seed)
    out = []
    ordered = sorted(pairs, key=lambda c: (c.a, c.b))
    for name, lo, hi in BANDS:
        band = [c for c in ordered if lo <= c.level < hi]
        out += [(name, c) for c in rng.sample(band, min(per_band, len(band)))]
    return out


# The word-order stratum (``khabar duplicates sample --ordered N``): the pipeline's candidates whose
# word order alone could make them copies, the region where that signal decides.
ORDERED_BAND = (0.45, 0.80)


def word_order_band(
    proposed: Iterable[Candidate],
    seen: dict,
    key_times: dict,
    band: tuple[float, float] = ORDERED_BAND,
) -> list[Candidate]:
    """The ``proposed`` pairs (LSH candidates; ``seen``: id -> ``copy_rule.Seen``, ``key_times``:
    band key -> when each holder appeared) within the pipeline's window whose word-order value is in
    ``band`` and that the pipeline's rule without word order does not link, sorted by their ids."""
    from dataclasses import replace

    from worker.corpus.copy_rule import SETTING, is_copy, measure, template_count

    without_order = replace(SETTING, ordered=float("inf"))
    out = []
    for c in sorted(proposed, key=lambda c: (c.a, c.b)):
        if c.days > SETTING.window_days or c.a not in seen or c.b not in seen:
            continue
        x, y = seen[c.a], seen[c.b]
        shared = x.keys & y.keys
        s = measure(x, y, template_count(shared, max(x.when, y.when), key_times), bool(shared))
        if band[0] <= s.ordered <= band[1] and not is_copy(s, without_order):
            out.append(c)
    return out
