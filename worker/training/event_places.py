"""Training the place model of events (worker/stages/events/places.py) on gold articles.

Same protocol as the role model (worker/training/roles.py): the pipeline runs once with the rules
alone and hands back every event's place candidates; the instances are the candidates of the
predicted events the shared scorer matches to a required gold event, labelled location when the
scorer's alias table maps them to the gold place. The learner is the same logistic regression (two
classes); its L2 strength and the threshold are chosen by a cross-validation inside the training
articles, on the scorer's location accuracy.
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
