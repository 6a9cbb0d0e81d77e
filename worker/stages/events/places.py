"""Where an event happened: the sentence's places ranked by a small learned model.

The rules of arguments.py take the nearest place after «في» or «بـ» in the trigger's clause, so
the nearest place wins over the place the sentence says it happened in («في قضاء البعاج شمال غرب
بغداد», «منطقة الزبداني بريف دمشق», a place past a comma). Here every place the sentence names,
and the places of the sentence before it and of the headline, is a candidate described by
non-lexical features — its side of the trigger and distance, the preposition class before it,
whether a place label stands before it («بريف», «محافظة»), whether another place follows it
(the narrower of «X بريف Y»), whether it is a state, whether the rules made it a participant or
the place — and a logistic regression scores it. The likeliest candidate is the place when its
probability reaches the model's threshold.

The weights are data (``worker/resources/roles/places.json``), trained by ``khabar train-roles``
with the role model (worker/training/event_places.py): feature names and numbers only.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from worker.lang.ar import words
from worker.stages.events.roles import PREP_CLASSES, PUNCTUATION, softmax

LABELS = ("none", "location")
# A place this many tokens after another, or fewer, is read as its container («الزبداني بريف دمشق»).
CONTAINER_GAP = 3
PLACE_LABELS = words("arguments/place_labels")
SHIPPED = "shipped"


@dataclass(frozen=True)
class PlaceCandidate:
    """One candidate place of one event, with its features."""

    name: str
    start: int | None
    end: int | None
    features: tuple[str, ...]


def _distance(gap: int) -> str:
    for bound, label in ((1, "1"), (3, "2-3"), (6, "4-6"), (12, "7-12")):
        if gap <= bound:
            return label
    return "13+"


@dataclass(frozen=True)
class PlaceContext:
    """What the features of one event's place candidates look at besides the candidates."""

    clause: tuple[int, int]  # token bounds of the trigger's clause
    rule_location: str | None
    rule_roles: dict[str, str]  # name → the role the rules gave it
    states: frozenset[str]
    punct: frozenset[int]  # token indices of punctuation
    other_triggers: frozenset[int]  # first tokens of the sentence's other triggers
    earlier: tuple[tuple[str, int], ...] = ()  # (place, sentences back) named before the sentence
    headline: bool = False  # the event is in the headline


def _label_before(toks, k: int) -> bool:
    """A place label («بريف», «محافظة», «مدينة») right before token k."""
    return k > 0 and toks[k - 1].norm in PLACE_LABELS


def _sentence_features(p, places: Sequence, trig, etype: str, toks, ctx: PlaceContext) -> list[str]:
    side = "after" if p.token > trig.last else "before" if p.token < trig.token else "on"
    gap = p.token - trig.last if side == "after" else trig.token - p.last if side == "before" else 0
    same_side = [q for q in places if (q.token > trig.last) == (p.token > trig.last)]
    near = sorted(same_side, key=lambda q: abs(q.token - trig.token))
    rank = near.index(p) + 1
    prep = p.prep if p.prep in PREP_CLASSES else "other"
    lo, hi = ctx.clause
    lo_t, hi_t = sorted((p.token, trig.token))
    contained = any(0 < q.token - p.last <= CONTAINER_GAP for q in places if q is not p)
    container = any(0 < p.token - q.last <= CONTAINER_GAP for q in places if q is not p)
    state = p.name in ctx.states
    rule = ctx.rule_roles.get(p.name, "none")
    flags = [
        (lo <= p.token < hi, "in_clause"),
        (any(lo_t < k < hi_t for k in ctx.punct), "punct_between"),
        (any(lo_t < k < hi_t for k in ctx.other_triggers), "trigger_between"),
        (_label_before(toks, p.token), "after_place_label"),
        (contained, "another_place_follows"),
        (container, "follows_another_place"),
        (p.name == ctx.rule_location, "rule_location"),
        (p.token == 0, "sentence_start"),
        (len(places) == 1, "only_place"),
        (ctx.headline, "headline"),
        (p is places[0], "first_place"),
        (p.token == trig.last + 1, f"right_after_trigger&kind={trig.kind}"),
    ]
    return [
        "in_sentence",
        f"side={side}",
        f"side={side}&kind={trig.kind}",
        f"dist={_distance(gap)}",
        f"dist={_distance(gap)}&side={side}",
        f"rank={min(rank, 3)}&side={side}",
        f"prep={prep}",
        f"prep={prep}&side={side}",
        f"prep={prep}&state={state}",
        f"prep={prep}&mode={trig.mode}",
        f"state={state}",
        f"state={state}&event={etype}",
        f"rule={rule}",
        f"event={etype}&side={side}",
        *(name for on, name in flags if on),
    ]


def place_candidates(parts: Sequence, trig, etype: str, toks, ctx: PlaceContext) -> list[PlaceCandidate]:
    """The candidates of one event: the places the sentence names (arguments.participants of type
    LOC), then the places of the sentences before it and of the headline not named here."""
    places = [p for p in parts if p.type == "LOC" and p.source == "mention"]
    out: list[PlaceCandidate] = []
    seen: set[str] = set()
    for p in sorted(places, key=lambda p: min(abs(p.token - trig.token), abs(p.token - trig.last))):
        if p.name in seen:
            continue
        seen.add(p.name)
        out.append(
            PlaceCandidate(
                p.name, p.start, p.end, tuple(_sentence_features(p, places, trig, etype, toks, ctx))
            )
        )
    has_place = bool(places)
    for name, back in ctx.earlier:
        if name in seen:
            continue
        seen.add(name)
        where = "headline" if back < 0 else f"back={min(back, 2)}"
        feats = (
            "earlier",
            f"earlier&{where}",
            f"earlier&{where}&place_here={has_place}",
            f"earlier&event={etype}",
        )
        out.append(PlaceCandidate(name, None, None, (*feats, f"state={name in ctx.states}&earlier")))
    return out


def event_place_candidates(
    doc,
    si: int,
    trig,
    etype: str,
    parts: Sequence,
    clause: tuple[int, int],
    rule_args: Iterable,
    states: frozenset[str],
    other_triggers: Iterable[int] = (),
) -> list[PlaceCandidate]:
    """``place_candidates`` with what the events stage knows: the rules' arguments of the event,
    the article's states, the places of the sentence before and of the headline."""
    toks = doc.sentences[si].tokens
    rule_roles: dict[str, str] = {}
    rule_location = None
    for a in rule_args:
        if a.role == "location":
            rule_location = a.name
        else:
            rule_roles.setdefault(a.name, a.role)
    earlier: list[tuple[str, int]] = []
    for m in doc.mentions:
        if m.type != "LOC":
            continue
        if m.sentence == si - 1:
            earlier.append((m.canonical, 1))
        elif m.sentence == 0 and si > 1:
            earlier.append((m.canonical, -1))
    ctx = PlaceContext(
        clause,
        rule_location,
        rule_roles,
        states,
        frozenset(k for k, t in enumerate(toks) if t.text in PUNCTUATION),
        frozenset(k for k in other_triggers if k != trig.token),
        tuple(earlier),
        si == 0,
    )
    return place_candidates(parts, trig, etype, toks, ctx)


@dataclass(frozen=True)
class PlaceModel:
    """Weights of a logistic regression over place candidates: feature → (none, location)."""

    weights: dict[str, tuple[float, ...]]
    bias: tuple[float, ...]
    # The likeliest candidate is the place from this probability on.
    threshold: float = 0.2

    def probability(self, features: Iterable[str]) -> float:
        return softmax(self.weights, self.bias, features)[1]

    def to_json(self) -> str:
        data = {
            "labels": list(LABELS),
            "threshold": self.threshold,
            "bias": [round(b, 6) for b in self.bias],
            "weights": {f: [round(x, 6) for x in w] for f, w in sorted(self.weights.items())},
        }
        return json.dumps(data, ensure_ascii=False, indent=1) + "\n"

    @classmethod
    def from_json(cls, text: str) -> PlaceModel:
        data = json.loads(text)
        if tuple(data.get("labels", ())) != LABELS:
            raise ValueError(f"place model: labels {data.get('labels')} are not {list(LABELS)}")
        weights = {f: tuple(w) for f, w in data["weights"].items()}
        return cls(weights, tuple(data["bias"]), float(data.get("threshold", 0.2)))


def pick_place(model: PlaceModel, cands: Sequence[PlaceCandidate]) -> PlaceCandidate | None:
    """The likeliest candidate when its probability reaches the threshold (the first on a tie)."""
    best, best_p = None, -1.0
    for c in cands:
        p = model.probability(c.features)
        if p > best_p:
            best, best_p = c, p
    return best if best is not None and best_p >= model.threshold else None


@cache
def load_place_model(path: str | None = SHIPPED) -> PlaceModel | None:
    """The place model at ``path`` (``"shipped"``: worker/resources/roles/places.json; None or
    ``"off"``: no model, the rules give the place)."""
    if path in (None, "off"):
        return None
    if path == SHIPPED:
        text = (resources.files("worker.resources") / "roles" / "places.json").read_text(encoding="utf-8")
    else:
        text = Path(path).read_text(encoding="utf-8")
    return PlaceModel.from_json(text)
