"""When one article is a copy of another (pure: no database): the signals of a pair and the rule.

Shingle overlap alone cannot tell a trimmed reprint from a roundup that holds the whole item, nor a
lightly edited wire from another day's weather or another country's congratulation cable in the
same template. Two more signals, both cheap and computed from what the pipeline already has:

- **Where the shared text begins in the longer article** (``lead``, in words of its body). A
  trimmed reprint is the opening of the longer text; a roundup opens with an item of its own and
  holds the shorter article further down. Containment counts only when the shared passage opens the
  longer body.
- **Whether the shared text is a template** (``template``): for the LSH bands the two articles
  share, how many articles stored more than ``TEMPLATE_AGE_DAYS`` before the later of the two hold
  the same band (median over the shared bands). A reprint's text is new: no article days older
  has it. A template's boilerplate was printed on earlier days too. The count comes from the
  band index itself (``article_bands``), so it needs no other table and no shipped data.

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

from worker.corpus.shingles import containment, jaccard, lead_offset

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


@dataclass(frozen=True)
class Setting:
    jaccard: float
    containment: float
    lead_words: float  # containment counts when the shared passage begins this early in the longer body
    window_days: float
    template_articles: float  # more older articles than this holding the shared bands: a template


SETTING = Setting(jaccard=0.32, containment=0.65, lead_words=5, window_days=7.0, template_articles=3)
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


def measure(a: Seen, b: Seen, template: float, banded: bool = True) -> Signals:
    shorter, longer = sorted((a, b), key=lambda x: (len(x.shingles), x is b))
    return Signals(
        jaccard(a.shingles, b.shingles),
        containment(a.shingles, b.shingles),
        lead_offset(longer.body, shorter.shingles),
        abs((a.when - b.when).total_seconds()) / 86400,
        template,
        banded,
    )


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
        and s.days <= setting.window_days
        and s.template <= setting.template_articles
        and (
            s.jaccard >= setting.jaccard
            or (s.containment >= setting.containment and s.lead <= setting.lead_words)
        )
    )


# --- fitting and cross-validation (`khabar duplicates evaluate`) ------------------------------------

GRID = [
    Setting(float(round(j, 2)), float(round(c, 2)), lead, w, t)
    for j, c, w, lead, t in itertools.product(
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


def score(rows: Sequence[tuple[Signals, bool]], setting: Setting) -> Score:
    tp = fp = fn = 0
    for s, copy in rows:
        found = is_copy(s, setting)
        tp += found and copy
        fp += found and not copy
        fn += copy and not found
    return Score(tp / (tp + fp) if tp + fp else 1.0, tp / (tp + fn) if tp + fn else 1.0, tp, fp, fn)


def fit(
    rows: Sequence[tuple[Signals, bool]], min_precision: float = 0.98, grid: Sequence[Setting] = GRID
) -> Setting:
    """The setting with the best recall at ``min_precision`` on ``rows`` (or, when none reaches it,
    the most precise), computed over the whole grid at once."""
    a = {f: np.array([getattr(s, f) for s, _ in rows], dtype=float) for f in Signals.__dataclass_fields__}
    y = np.array([c for _, c in rows], dtype=bool)
    g = {
        f: np.array([getattr(x, f) for x in grid], dtype=float)[:, None] for f in Setting.__dataclass_fields__
    }
    found = (
        (a["banded"] > 0)
        & (a["days"] <= g["window_days"])
        & (a["template"] <= g["template_articles"])
        & (
            (a["jaccard"] >= g["jaccard"])
            | ((a["containment"] >= g["containment"]) & (a["lead"] <= g["lead_words"]))
        )
    )
    tp, fp = (found & y).sum(1), (found & ~y).sum(1)
    precision = np.where(tp + fp > 0, tp / np.maximum(tp + fp, 1), 1.0)
    recall = tp / max(1, y.sum())
    ok = precision >= min_precision
    # any setting reaching the precision beats every other; then recall, then precision, then the
    # grid's order (lower thresholds first)
    rank = np.where(ok, 2 + recall, precision) + 1e-3 * precision
    return grid[int(np.argmax(rank))]


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
    tp = fp = fn = 0
    rng = random.Random(seed)
    for _ in range(repeats):
        pos = [i for i, (_, c) in enumerate(rows) if c]
        neg = [i for i, (_, c) in enumerate(rows) if not c]
        rng.shuffle(pos)
        rng.shuffle(neg)
        for k in range(folds):
            held = set(pos[k::folds] + neg[k::folds])
            setting = fit([r for i, r in enumerate(rows) if i not in held], min_precision, grid)
            s = score([r for i, r in enumerate(rows) if i in held], setting)
            tp, fp, fn = tp + s.found, fp + s.wrong, fn + s.missed
    return Score(tp / (tp + fp) if tp + fp else 1.0, tp / (tp + fn) if tp + fn else 1.0, tp, fp, fn)
