"""When one article is a copy of another (pure: no database): the signals of a pair and the rule.

Shingle overlap alone cannot tell a trimmed reprint from a roundup that holds the whole item, nor a
lightly edited wire from another day's weather or another country's congratulation cable in the
same template, nor does it see a release edited in every sentence. Three more signals, all cheap
and computed from what the pipeline already has:

- **Where the shared text begins in the longer article** (``lead``, in words of its body). A
  trimmed reprint is the opening of the longer text; a roundup opens with an item of its own and
  holds the shorter article further down. Containment counts only when the shared passage opens the
  longer body.
- **Whether the shared text is a template** (``template``): for the LSH bands the two articles
  share, how many articles stored more than ``TEMPLATE_AGE_DAYS`` before the later of the two hold
  the same band (median over the shared bands). A reprint's text is new: no article days older
  has it. A template's boilerplate was printed on earlier days too. The count comes from the
  band index itself (``article_bands``), so it needs no other table and no shipped data.
- **Whether the two are one text in one order** (``ordered``): twice the longest common
  subsequence of the two bodies' lightly stemmed words over their lengths (shingles.py). A release
  edited throughout, or reworded sentence by sentence, keeps its words in their order while most
  of its three-word shingles break; a report written separately from the same statement shares
  names and quotations in another order. A third way to be a copy, under the same window and
  template conditions.
- **Whether the longer turns to another item** (``turned``): a paragraph or sentence opening with a
  connective that announces another topic («من جهة أخرى», «في غضون ذلك», «إلى ذلك»: shingles.turns)
  before the text the two share or after it. A digest, or a report that prints a release whole and
  adds news of its own, opens the way a trimmed reprint's longer print does; it turns, the reprint
  does not. No pair that turns is a copy.

The thresholds (``SETTING``) were fitted on labelled SaudiNewsNet pairs and cross-validated
(README, "Near-duplicate articles"; ``khabar duplicates evaluate``).
"""

from __future__ import annotations

import itertools
import random
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

from worker.corpus.shingles import containment, jaccard, lead_offset, ordered_overlap, tail_offset

# Boilerplate is text printed on days before the pair's: a wire reprinted over two or three days
# is still one happening's text.
TEMPLATE_AGE_DAYS = 3.0
# Only the recent past is searched for a template's earlier prints (bounds the look-up).
TEMPLATE_HORIZON_DAYS = 60.0


@dataclass(frozen=True)
class Seen:
    """An article as the matcher sees it: when it appeared, its shingles (title and body), the
    words of its body and its LSH band keys."""

    id: str
    when: datetime
    shingles: frozenset[str]
    body: tuple[str, ...] = ()
    keys: frozenset[int] = frozenset()
    turns: tuple[int, ...] = ()  # where in ``body`` a paragraph or sentence turns to another item


@dataclass(frozen=True)
class Setting:
    jaccard: float
    containment: float
    lead_words: float  # containment counts when the shared passage begins this early in the longer body
    window_days: float
    template_articles: float  # more older articles than this holding the shared bands: a template
    ordered: float = float("inf")  # this much of the two bodies one text in one order: a copy


SETTING = Setting(
    jaccard=0.32, containment=0.75, lead_words=5, window_days=7.0, template_articles=3, ordered=0.65
)
# The rule before the lead and template signals, for comparison.
SHINGLES_ONLY = Setting(
    jaccard=0.40, containment=0.70, lead_words=float("inf"), window_days=3.0, template_articles=float("inf")
)


@dataclass(frozen=True)
class Signals:
    jaccard: float
    containment: float
    lead: int
    days: float
    template: float
    banded: bool = True  # the two share an LSH band: the pipeline compares them at all
    ordered: float = 0.0  # ordered_overlap of the two bodies
    turned: bool = False  # the longer turns to another item outside the text the two share


def measure(a: Seen, b: Seen, template: float, banded: bool = True) -> Signals:
    shorter, longer = sorted((a, b), key=lambda x: (len(x.shingles), x is b))
    lead = lead_offset(longer.body, shorter.shingles)
    turned = bool(longer.turns) and turned_away(longer, shorter.shingles, lead)
    return Signals(
        jaccard(a.shingles, b.shingles),
        containment(a.shingles, b.shingles),
        lead,
        abs((a.when - b.when).total_seconds()) / 86400,
        template,
        banded,
        ordered_overlap(a.body, b.body),
        turned,
    )


def turned_away(longer: Seen, shared: frozenset[str], lead: int) -> bool:
    """Whether ``longer`` has a turn to another item (``shingles.turns``) before the first passage
    it shares with ``shared`` (a shingle set) or after the last: a digest or a report that adds news
    of its own, not a copy."""
    end = tail_offset(longer.body, shared)
    return any(t < lead or t >= end for t in longer.turns)


def template_count(
    shared: Iterable[int], later: datetime, seen_at: Mapping[int, Sequence[datetime]]
) -> float:
    """Median over the ``shared`` band keys of how many articles holding the key (``seen_at``: key
    -> when each appeared) appeared more than ``TEMPLATE_AGE_DAYS`` before ``later``."""
    before = later - timedelta(days=TEMPLATE_AGE_DAYS)
    counts = [sum(1 for w in seen_at.get(k, ()) if w < before) for k in shared]
    return float(statistics.median(counts)) if counts else 0.0


def is_copy(s: Signals, setting: Setting = SETTING) -> bool:
    return (
        s.banded
        and not s.turned
        and s.days <= setting.window_days
        and s.template <= setting.template_articles
        and (
            s.jaccard >= setting.jaccard
            or (s.containment >= setting.containment and s.lead <= setting.lead_words)
            or s.ordered >= setting.ordered
        )
    )


# --- fitting and cross-validation (`khabar duplicates evaluate`) ------------------------------------

# The order threshold's values, highest first: where two settings score alike, the one that links
# fewer pairs by word order is taken (the grid's first).
ORDERED_GRID = (float("inf"), 0.9, 0.85, 0.8, 0.75, 0.7, 0.65, 0.6, 0.55, 0.5)
GRID = [
    Setting(float(round(j, 2)), float(round(c, 2)), lead, w, t, o)
    for o, j, c, w, lead, t in itertools.product(
        ORDERED_GRID,
        np.arange(0.20, 0.90, 0.04),
        np.arange(0.40, 1.01, 0.05),
        (2.0, 3.0, 5.0, 7.0),
        (5, 10, 20, 40, 80, float("inf")),
        (0, 1, 3, float("inf")),
    )
]


@dataclass(frozen=True)
class Score:
    precision: float
    recall: float
    found: int
    wrong: int
    missed: int

    @classmethod
    def of(cls, found: int, wrong: int, missed: int) -> Score:
        return cls(
            found / (found + wrong) if found + wrong else 1.0,
            found / (found + missed) if found + missed else 1.0,
            found,
            wrong,
            missed,
        )


def score(rows: Sequence[tuple[Signals, bool]], setting: Setting) -> Score:
    tp = fp = fn = 0
    for s, copy in rows:
        found = is_copy(s, setting)
        tp += found and copy
        fp += found and not copy
        fn += copy and not found
    return Score.of(tp, fp, fn)


# settings scored at once by ``fit``
FIT_SLICE = 20_000


def fit(
    rows: Sequence[tuple[Signals, bool]], min_precision: float = 0.98, grid: Sequence[Setting] = GRID
) -> Setting:
    """The setting with the best recall at ``min_precision`` on ``rows`` (or, when none reaches it,
    the most precise), computed over the grid a slice at a time (the whole grid at once would hold
    a (settings x pairs) array several times over)."""
    a = {f: np.array([getattr(s, f) for s, _ in rows], dtype=float) for f in Signals.__dataclass_fields__}
    y = np.array([c for _, c in rows], dtype=bool)
    best, best_rank = 0, -np.inf
    for start in range(0, len(grid), FIT_SLICE):
        part = grid[start : start + FIT_SLICE]
        g = {
            f: np.array([getattr(x, f) for x in part], dtype=float)[:, None]
            for f in Setting.__dataclass_fields__
        }
        found = (
            (a["banded"] > 0)
            & (a["turned"] == 0)
            & (a["days"] <= g["window_days"])
            & (a["template"] <= g["template_articles"])
            & (
                (a["jaccard"] >= g["jaccard"])
                | ((a["containment"] >= g["containment"]) & (a["lead"] <= g["lead_words"]))
                | (a["ordered"] >= g["ordered"])
            )
        )
        tp, fp = (found & y).sum(1), (found & ~y).sum(1)
        precision = np.where(tp + fp > 0, tp / np.maximum(tp + fp, 1), 1.0)
        recall = tp / max(1, y.sum())
        ok = precision >= min_precision
        # any setting reaching the precision beats every other; then recall, then precision, then
        # the grid's order (lower shingle thresholds first, higher order thresholds first)
        rank = np.where(ok, 2 + recall, precision) + 1e-3 * precision
        i = int(np.argmax(rank))
        if rank[i] > best_rank:
            best, best_rank = start + i, rank[i]
    return grid[best]


def cross_validated(
    rows: Sequence[tuple[Signals, bool]],
    folds: int = 5,
    repeats: int = 5,
    seed: int = 1,
    min_precision: float = 0.98,
    grid: Sequence[Setting] = GRID,
) -> Score:
    """Pooled held-out figures: the pairs are split into ``folds`` (copies and others spread evenly),
    each fold scored with the setting fitted on the others, ``repeats`` times with different splits."""
    parts = cross_validated_parts(rows, [""] * len(rows), folds, repeats, seed, min_precision, grid)
    return parts.get("", Score.of(0, 0, 0))


def cross_validated_parts(
    rows: Sequence[tuple[Signals, bool]],
    parts: Sequence[str],
    folds: int = 5,
    repeats: int = 5,
    seed: int = 1,
    min_precision: float = 0.98,
    grid: Sequence[Setting] = GRID,
) -> dict[str, Score]:
    """``cross_validated`` over all pairs, its held-out decisions also pooled by each pair's part
    (``parts[i]``: the stratum pair i was drawn from): a uniformly drawn part's figures then
    estimate the rule on the population it was drawn from, its thresholds fitted without it."""
    counts: dict[str, list[int]] = {p: [0, 0, 0] for p in parts}
    rng = random.Random(seed)
    for _ in range(repeats):
        pos = [i for i, (_, c) in enumerate(rows) if c]
        neg = [i for i, (_, c) in enumerate(rows) if not c]
        rng.shuffle(pos)
        rng.shuffle(neg)
        for k in range(folds):
            held = set(pos[k::folds] + neg[k::folds])
            setting = fit([r for i, r in enumerate(rows) if i not in held], min_precision, grid)
            for i in held:
                s, copy = rows[i]
                found = is_copy(s, setting)
                c = counts[parts[i]]
                c[0] += found and copy
                c[1] += found and not copy
                c[2] += copy and not found
    return {p: Score.of(*c) for p, c in counts.items()}
