"""Cross-validating the specificity thresholds on the GSR sentences (sentence-level detection of
new, specific ASSAULT and PROTEST reports, ``score.py gsr`` rules).

The pipeline runs once per candidate threshold over all sentences; then, for each of k folds of
sentences (dealt in file order), the threshold with the best detection F1 on the other folds is
applied to the fold, and the pooled decisions are scored once. The figure is what the threshold
choice is worth on sentences it was not chosen on.
"""

from __future__ import annotations

import csv
import dataclasses
import json
from collections.abc import Callable, Sequence
from pathlib import Path

from worker.stages.config import StageConfig

GRID = {"ASSAULT": (2, 3, 4, 5, 6), "PROTEST": (0, 1, 2, 3, 4)}


def said_by_threshold(articles: Path, etype: str, config: StageConfig) -> dict[int, dict[str, bool]]:
    """threshold → sentence id → whether a new, specific, asserted ``etype`` event was found."""
    from worker.stages.document import Document
    from worker.stages.pipeline import run_all

    msgs = [json.loads(line) for line in articles.open(encoding="utf-8") if line.strip()]
    out: dict[int, dict[str, bool]] = {}
    for t in GRID[etype]:
        cfg = dataclasses.replace(config, specificity=((etype, t),))
        said: dict[str, bool] = {}
        for m in msgs:
            doc = Document.from_article(
                m["id"], m.get("title"), m["body"], published_at=m.get("published_at")
            )
            try:
                doc = run_all(doc, config=cfg)
            except ValueError:  # not Arabic
                said[m["id"]] = False
                continue
            said[m["id"]] = any(
                e.type == etype and e.modality == "asserted" and not e.refers_back for e in doc.events
            )
        out[t] = said
    return out


def gold_rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [r for r in csv.DictReader(fh) if r["label"] != "ambiguous"]


def detection(rows: Sequence[dict], said: dict[str, bool]) -> dict[str, float]:
    """score.py gsr's figures for these rows: detection P/R/F1 and hard-negative accuracy."""
    tp = fp = fn = hard = hard_ok = 0
    for r in rows:
        s, g = said.get(r["id"], False), r["label"] == "yes"
        tp += s and g
        fp += s and not g
        fn += g and not s
        if r["label"] == "difficult no":
            hard += 1
            hard_ok += not s
    p = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * p * rec / (p + rec) if p + rec else 0.0
    return {"p": p, "r": rec, "f1": f1, "hard": hard_ok / hard if hard else 0.0}


def cross_validate(
    rows: Sequence[dict], by_threshold: dict[int, dict[str, bool]], k: int, log: Callable[[str], None] = print
) -> tuple[dict[str, float], list[int]]:
    """Pooled held-out figures with the threshold chosen on the other folds, and the choices."""
    folds = [[r for i, r in enumerate(rows) if i % k == f] for f in range(k)]
    pooled: dict[str, bool] = {}
    chosen = []
    for f, fold in enumerate(folds):
        train = [r for i, r in enumerate(rows) if i % k != f]
        best = max(by_threshold, key=lambda t: (detection(train, by_threshold[t])["f1"], -abs(t)))
        chosen.append(best)
        pooled.update({r["id"]: by_threshold[best].get(r["id"], False) for r in fold})
        log(f"fold {f + 1}/{k}: threshold {best}")
    return detection(rows, pooled), chosen
