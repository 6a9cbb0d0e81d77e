"""Training the place model of events (worker/stages/events/places.py) on gold articles.

Same protocol as the role model (worker/training/roles.py): the pipeline runs once with the rules
alone and hands back every event's place candidates; the instances are the candidates of the
predicted events the shared scorer matches to a required gold event, labelled location when the
scorer's alias table maps them to the gold place. The learner is the same logistic regression (two
classes); its L2 strength and the threshold are chosen by a cross-validation inside the training
articles, on the scorer's location accuracy. That accuracy counts only the events whose gold has
a place, so a place named where the gold has none costs nothing there and the threshold falls to
the lowest tried: ``place_accuracy`` and ``place_f1`` (reported beside it by `train-roles` and
`quality events --folds`) show what that costs. Chosen on either of them instead, the
cross-validated location accuracy fell from 0.757 to 0.460 (accuracy over every event) or 0.622
(F1), for a place accuracy over every event of 0.717 or 0.696 against 0.641; the rules alone give
0.513 and 0.728.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from worker.stages.events.places import LABELS, PlaceModel
from worker.training.roles import INNER_FOLDS, L2_GRID, Article, Instance, figures, fit_weights, folds_of
from worker.training.scoring import match_events

# Highest first: on a tie the stricter threshold wins, so no place is given on no evidence.
PLACE_THRESHOLD_GRID = (0.3, 0.2, 0.1)


def place_instances(article: Article, score) -> list[Instance]:
    """(features, 1 for the gold place else 0) for the place candidates of the article's matched
    required events."""
    by_start = {
        e["trigger"]["start"]: c for e, c in zip(article.output["events"], article.places, strict=True)
    }
    table = score.AliasTable(article.gold["entities"])
    out: list[Instance] = []
    for g, p in match_events(article.gold, article.output):
        if p is None:
            continue
        where = g.get("location")
        for c in by_start[p["trigger"]["start"]]:
            out.append((c.features, int(where is not None and table.lookup(c.name) == where)))
    return out


def fit_places(instances: Sequence[Instance], l2: float, threshold: float) -> PlaceModel:
    w, b = fit_weights(instances, l2, len(LABELS))
    return PlaceModel(w, b, threshold)


def _place_tally(outputs: Sequence[dict], golds: dict[str, dict], score) -> tuple[int, int, int, int, int]:
    """Over the predicted events matched to a required gold event: (events, places right, places
    named, gold places, right «no place»)."""
    total = right = named = gold_places = right_none = 0
    for out in outputs:
        gold = golds[out["id"]]
        table = score.AliasTable(gold["entities"])
        for g, p in match_events(gold, out):
            if p is None:
                continue
            total += 1
            where, said = g.get("location"), p.get("location")
            named += said is not None
            gold_places += where is not None
            right += where is not None and said is not None and table.lookup(said) == where
            right_none += where is None and said is None
    return total, right, named, gold_places, right_none


def place_accuracy(outputs: Sequence[dict], golds: dict[str, dict], score) -> float:
    """The share of the matched events whose place is right: the gold's place (through the
    scorer's alias table), or none where the gold has none."""
    total, right, _, _, right_none = _place_tally(outputs, golds, score)
    return (right + right_none) / total if total else 0.0


def place_f1(outputs: Sequence[dict], golds: dict[str, dict], score) -> float:
    """F1 of the places named for the matched events: right places over places named
    (precision) and over gold places (recall)."""
    _, right, named, gold_places, _ = _place_tally(outputs, golds, score)
    return 2 * right / (named + gold_places) if named + gold_places else 0.0


def select_places(articles: Sequence[Article], score, folds: int = INNER_FOLDS) -> tuple[float, float]:
    """(L2, threshold) with the best cross-validated location accuracy over ``articles``."""
    golds = {a.id: a.gold for a in articles}
    inst = {a.id: place_instances(a, score) for a in articles}
    best, best_value = (L2_GRID[0], PLACE_THRESHOLD_GRID[0]), -1.0
    parts = folds_of(list(articles), folds)
    for l2 in L2_GRID:
        models = [
            fit_places([x for a in articles if a not in part for x in inst[a.id]], l2, 0.5) for part in parts
        ]
        for threshold in PLACE_THRESHOLD_GRID:
            outs = [
                a.with_model(None, dataclasses.replace(m, threshold=threshold))
                for part, m in zip(parts, models, strict=True)
                for a in part
            ]
            value = figures(outs, golds, score)["location"]["acc"]
            if value > best_value:
                best, best_value = (l2, threshold), value
    return best


def train_places(articles: Sequence[Article], score) -> PlaceModel:
    """The place model of these articles, its L2 and threshold chosen by cross-validation on them."""
    l2, threshold = select_places(articles, score)
    return fit_places([x for a in articles for x in place_instances(a, score)], l2, threshold)
