"""Training and cross-validating the role model (worker/stages/events/roles.py) on gold articles.

1. The pipeline runs once over the gold articles with the rules alone (``roles_model="off"``),
   and the events stage hands back every event's candidates. Candidates do not depend on the
   model (the history of earlier actors is the rules'), so the model can be swapped afterwards:
   an event's actors and recipients are simply the candidates the model picks.
2. Instances: the candidates of every predicted event the shared scorer matches to a required
   gold event, labelled actor, recipient or none from the gold roles (names through the scorer's
   alias table). With a participation gate (``gate``, train-roles --gate), the optional events'
   candidates too, for the gate only: whether a candidate takes part is learnt from every gold
   event, who is actor and who recipient from the required ones alone.
3. The learner: multinomial logistic regression with L2 by full gradient descent, small and
   deterministic. Features are non-lexical, so the weights carry no word of the articles.
4. Cross-validation over articles (dealt into k folds in file order): each fold's events get the
   roles of a model trained on the other folds; the pooled predictions are scored once with the
   shared scorer. The L2 strength, the threshold and the most recipients an event keeps are
   chosen inside each training part by a further cross-validation (nested), so the outer figure
   is not fitted to the articles it scores.
"""

from __future__ import annotations

import dataclasses
import json
import random
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from types import SimpleNamespace

from worker.stages.config import StageConfig
from worker.stages.document import Document
from worker.stages.events.places import PlaceCandidate, PlaceModel, pick_place
from worker.stages.events.roles import ROLES, Candidate, RoleModel, decide
from worker.stages.output import to_output

Instance = tuple[tuple[str, ...], int]  # features, index in ROLES
EPOCHS = 150
LEARNING_RATE = 0.5
# What the nested cross-validation chooses from (few values: there are few articles).
L2_GRID = (1.0, 3.0, 10.0)
THRESHOLD_GRID = (0.2, 0.25, 0.3)
# How many recipients an event keeps at most (None: all the model picks).
RECIPIENT_LIMITS = (1, 2, None)
INNER_FOLDS = 4
# The participation gate (fit_labelled): how many times a required event's candidate counts
# against an optional one's, and the gate's thresholds (a probability of taking part at all, so
# higher than THRESHOLD_GRID's, which is the likelier role's).
REQUIRED_WEIGHT = 2
GATE_THRESHOLD_GRID = (0.25, 0.3, 0.35, 0.4)


def fit(instances: Sequence[Instance], l2: float, threshold: float, epochs: int = EPOCHS) -> RoleModel:
    """The role model: multinomial logistic regression over ROLES."""
    w, b = fit_weights(instances, l2, len(ROLES), epochs)
    return RoleModel(w, b, threshold)


def fit_weights(
    instances: Sequence[Instance], l2: float, k: int, epochs: int = EPOCHS
) -> tuple[dict[str, tuple[float, ...]], tuple[float, ...]]:
    """Multinomial logistic regression over k classes with L2, by full-batch gradient descent
    (deterministic): (feature → one weight per class, bias). The instances are a count matrix so
    that an epoch is two (sparse) matrix products: the nested cross-validation fits a few hundred models."""
    import numpy as np
    from scipy.sparse import csr_matrix

    names = sorted({f for feats, _ in instances for f in feats})
    column = {f: j for j, f in enumerate(names)}
    n = max(1, len(instances))
    rows, cols = [], []
    y = np.zeros((len(instances), k))
    for i, (feats, label) in enumerate(instances):
        rows += [i] * len(feats)
        cols += [column[f] for f in feats]
        y[i, label] = 1.0
    # sparse: an instance has a few dozen of the hundreds of features (duplicates are summed)
    x = csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(instances), len(names)))
    xt = x.T.tocsr()
    w = np.zeros((len(names), k))
    b = np.zeros(k)
    for _ in range(epochs):
        z = x @ w + b
        e = np.exp(z - z.max(axis=1, keepdims=True))
        d = e / e.sum(axis=1, keepdims=True) - y
        w -= LEARNING_RATE * (xt @ d / n + l2 * w / n)
        b -= LEARNING_RATE * d.sum(axis=0) / n
    return {f: tuple(float(v) for v in w[j]) for f, j in column.items()}, tuple(float(v) for v in b)


@dataclasses.dataclass
class Article:
    """One gold article as the rules see it: its output and every event's candidates."""

    id: str
    gold: dict
    output: dict  # SCHEMA.md §3, roles by the rules
    candidates: list[list[Candidate]]  # parallel to output["events"]
    places: list[list[PlaceCandidate]] = dataclasses.field(default_factory=list)  # likewise

    def instances(self, score) -> list[Instance]:
        """(features, role) of the candidates of the predicted events matched to a required gold
        event."""
        return [(f, label) for f, label, required in self.labelled(score) if required]

    def labelled(self, score, optional: bool = False) -> list[tuple[tuple[str, ...], int, bool]]:
        """(features, role, from a required event) of the candidates of the predicted events
        matched to a gold event: the required ones, and the optional ones too with ``optional``."""
        from worker.training.scoring import match_events

        by_start = {
            e["trigger"]["start"]: c for e, c in zip(self.output["events"], self.candidates, strict=True)
        }
        table = score.AliasTable(self.gold["entities"])
        out: list[tuple[tuple[str, ...], int, bool]] = []
        for g, p in match_events(self.gold, self.output, optional=optional):
            if p is None:
                continue
            actors, recipients = set(g.get("actors", [])), set(g.get("recipients", []))
            required = not g.get("optional")
            for c in by_start[p["trigger"]["start"]]:
                name = table.lookup(c.name)
                out.append((c.features, 1 if name in actors else 2 if name in recipients else 0, required))
        return out

    def with_model(self, model: RoleModel | None, places: PlaceModel | None = None) -> dict:
        """The output with every event's actors and recipients as ``model`` picks them, and its
        place as ``places`` picks it (None: as the rules gave them)."""
        if model is None and places is None:
            return self.output
        out = json.loads(json.dumps(self.output))
        for e, cands, where in zip(out["events"], self.candidates, self.places, strict=True):
            if model is not None:
                picked = decide(model, cands, e["type"])
                e["actors"] = [c.name for r, c in picked if r == "actor"]
                e["recipients"] = [c.name for r, c in picked if r == "recipient"]
            if places is not None:
                place = pick_place(places, where)
                e["location"] = place.name if place else None
        return out


def read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def prepare(articles: Sequence[dict], golds: dict[str, dict], config: StageConfig) -> list[Article]:
    """Run the pipeline with the rules alone over the gold articles, keeping the candidates."""
    from worker.stages.events.stage import events
    from worker.stages.pipeline import run_all

    rules = dataclasses.replace(config, roles_model="off", places_model="off")
    out = []
    for a in articles:
        if a.get("id") not in golds:
            continue
        doc = Document.from_article(
            a["id"], a.get("title"), a["body"], published_at=a.get("published_at"), source=a.get("source")
        )
        doc = run_all(doc, names=("normalise", "segment", "ner", "link"), config=rules)
        collected: list[list[Candidate]] = []
        places: list[list[PlaceCandidate]] = []
        doc = events(doc, rules, collect=collected, collect_places=places)
        out.append(Article(a["id"], golds[a["id"]], to_output(doc), collected, places))
    return out


def figures(outputs: Sequence[dict], golds: dict[str, dict], score) -> dict:
    """The shared scorer's article figures for these outputs (their gold articles only)."""
    with tempfile.TemporaryDirectory() as tmp:
        pred, gold = Path(tmp) / "pred.jsonl", Path(tmp) / "gold.jsonl"
        pred.write_text("".join(json.dumps(o, ensure_ascii=False) + "\n" for o in outputs), encoding="utf-8")
        gold.write_text(
            "".join(json.dumps(golds[o["id"]], ensure_ascii=False) + "\n" for o in outputs), encoding="utf-8"
        )
        return score.cmd_articles(SimpleNamespace(gold=str(gold), pred=str(pred)))


def folds_of(items: Sequence, k: int) -> list[list]:
    """Items dealt into k folds in order (item i goes to fold i mod k)."""
    return [[x for i, x in enumerate(items) if i % k == f] for f in range(k)]


def shuffled(items: Sequence, seed: int) -> list:
    """The items in the order ``random.Random(seed)`` shuffles them: another fold split of the same
    articles. With 33 articles one split can be lucky (5 file-order folds gave 0.631 participant F1,
    four shuffled ones 0.556-0.598), so a change is judged over several splits."""
    out = list(items)
    random.Random(seed).shuffle(out)
    return out


def mean_figures(runs: Sequence[dict]) -> dict:
    """The scorer's figures averaged leaf by leaf over runs (numbers only; the rest from the first)."""
    first = runs[0]
    if isinstance(first, dict):
        return {k: mean_figures([r[k] for r in runs]) for k in first}
    if isinstance(first, int | float) and not isinstance(first, bool):
        # a count the same in every run (events scored, say) stays a count
        return first if all(r == first for r in runs) else sum(runs) / len(runs)
    return first


def _objective(r: dict) -> float:
    return r["participant"]["f1"] + r["role"]["f1"]


Labelled = list[tuple[tuple[str, ...], int, bool]]  # features, index in ROLES, from a required event


def fit_labelled(labelled: Labelled, l2: float, threshold: float, gate: bool = False) -> RoleModel:
    """The role model of these candidates: without ``gate``, the multinomial model of the required
    events' candidates; with it, a binary model of every candidate (optional events too, required
    ones counted REQUIRED_WEIGHT times) says whether it takes part, and one of the required
    events' participants alone whether as actor or recipient."""
    required = [(f, label) for f, label, req in labelled if req]
    if not gate:
        return fit(required, l2, threshold)
    w2, b2 = fit_weights([(f, label - 1) for f, label in required if label], l2, 2)
    # the none column stays zero: with a gate, the role model only compares actor and recipient
    w, b = {f: (0.0, *v) for f, v in w2.items()}, (0.0, *b2)
    taking_part = [
        (f, int(label > 0)) for f, label, req in labelled for _ in range(REQUIRED_WEIGHT if req else 1)
    ]
    return RoleModel(w, b, threshold, fit_weights(taking_part, l2, 2))


def select(
    articles: Sequence[Article], score, folds: int = INNER_FOLDS, gate: bool = False
) -> tuple[float, float, int | None]:
    """(L2, threshold, most recipients an event) with the best cross-validated participant + role
    F1 over ``articles``."""
    golds = {a.id: a.gold for a in articles}
    inst = {a.id: a.labelled(score, optional=gate) for a in articles}
    grid = GATE_THRESHOLD_GRID if gate else THRESHOLD_GRID
    best, best_value = (L2_GRID[0], grid[0], RECIPIENT_LIMITS[0]), -1.0
    parts = folds_of(list(articles), folds)
    for l2 in L2_GRID:
        models = [
            fit_labelled([x for a in articles if a not in part for x in inst[a.id]], l2, 0.5, gate)
            for part in parts
        ]
        for threshold in grid:
            for limit in RECIPIENT_LIMITS:
                outs = [
                    a.with_model(dataclasses.replace(m, threshold=threshold, max_recipients=limit))
                    for part, m in zip(parts, models, strict=True)
                    for a in part
                ]
                value = _objective(figures(outs, golds, score))
                if value > best_value:
                    best, best_value = (l2, threshold, limit), value
    return best


def train(articles: Sequence[Article], score, gate: bool = False) -> RoleModel:
    """The model of these articles, its L2, threshold and recipient limit chosen by cross-validation
    on them."""
    l2, threshold, limit = select(articles, score, gate=gate)
    model = fit_labelled([x for a in articles for x in a.labelled(score, optional=gate)], l2, threshold, gate)
    return dataclasses.replace(model, max_recipients=limit)


def cross_validate(
    articles: Sequence[Article],
    k: int,
    score,
    progress: Callable[[str], None] = lambda _: None,
    gate: bool = False,
) -> list[dict]:
    """Pooled held-out outputs: each fold's roles and places from models trained (and tuned) on
    the others."""
    from worker.training.event_places import train_places

    held_out: list[dict] = []
    for f, fold in enumerate(folds_of(list(articles), k)):
        rest = [a for a in articles if a not in fold]
        model, places = train(rest, score, gate), train_places(rest, score)
        held_out += [a.with_model(model, places) for a in fold]
        progress(
            f"fold {f + 1}/{k}: {len(fold)} articles held out, "
            f"thresholds {model.threshold} (roles), {places.threshold} (places)"
        )
    return held_out
