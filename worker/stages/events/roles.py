"""Who is the actor and who the recipient: candidates scored by a small learned model.

The rule cascade of arguments.py proposes roles from Arabic word order and prepositions. This
module treats participants as a ranking problem over every candidate of the event: the entity
mentions, states named by nationality adjectives and persons named by their titles in the
trigger's sentence, and the actors of the events just before it (Arabic drops a subject the
previous clause named: «وأضاف …», «وقصفت …»). Each candidate is described by explainable,
non-lexical features — where it stands against the trigger, the preposition class before it, its
entity type against the event type, what the rules said — and a multinomial logistic regression
gives it a role or none.

The weights are data (``worker/resources/roles/weights.json``), trained by ``khabar train-roles``
on the dev articles' gold roles (worker/training/roles.py). They hold feature names and numbers
only: no word of the training articles.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from worker.lang.ar import words
from worker.lang.ar.morphology import without_conjunction
from worker.stages.events.arguments import COORDINATION_GAP
from worker.stages.events.arguments_participants import PHRASE_HEADS, TITLE_HEADS

# two-sided events: the annotation puts the subject in actors and the other side in recipients
SYMMETRIC_TYPES = frozenset({"CONSULT", "AGREE", "COOPERATE"})

ROLES = ("none", "actor", "recipient")
# How far back the actors of earlier events are offered as the dropped subject of a later one.
CARRY_SENTENCES = 2
# How far back the last event of the same type lends its participants to a re-mention of it.
ANTECEDENT_SENTENCES = 3
DEFINITE_ARTICLE = "ال"
# Prepositions the features name; any other is "other" (Khabar's own word classes, see
# worker/lang/ar/arguments/).
PREP_CLASSES = words("roles/preposition_classes") | {""}  # "" = no preposition


@dataclass(frozen=True)
class Candidate:
    """One candidate participant of one event, with its features."""

    name: str
    type: str
    start: int | None
    end: int | None
    features: tuple[str, ...]
    # the candidate just before it that «و» joins it to («حماس والجهاد»): both take one role
    conjunct_of: str | None = None
    # a place a visit goes to: the visit's place, never its recipient («زار موسكو»)
    visited: bool = False


def _distance(gap: int) -> str:
    for bound, label in ((1, "1"), (2, "2"), (4, "3-4"), (8, "5-8")):
        if gap <= bound:
            return label
    return "9+"


@dataclass(frozen=True)
class EventContext:
    """What the features of one event's candidates look at, besides the candidates themselves."""

    clause: tuple[int, int]  # token bounds of the trigger's clause
    rule_roles: dict[str, str]  # name → the role the rules gave
    rule_location: str | None  # the place the rules gave
    carried: tuple[tuple[str, str, int], ...] = ()  # (name, type, sentences back) of earlier actors
    punct: frozenset[int] = frozenset()  # token indices of punctuation
    other_triggers: frozenset[int] = frozenset()  # first tokens of the sentence's other triggers
    mentions: dict[str, int] | None = None  # name → mentions in the article
    headline: frozenset[str] = frozenset()  # names in the title (or first sentence)
    states: frozenset[str] = frozenset()  # names of states (not cities or regions)
    # (name, type, role, sentences back) of the rules' participants of the last earlier event of
    # the same type: what a nominal re-mention («الزيارة», «الهجوم») refers back to
    antecedents: tuple[tuple[str, str, str, int], ...] = ()
    headline_entities: tuple[tuple[str, str], ...] = ()  # (name, type) named in the headline
    sentence: int = 0  # the event's sentence
    definite: bool = False  # the trigger has the article (a re-mention, «الزيارة»)
    words: tuple[str, ...] = ()  # the sentence's normalised tokens


def _count(n: int) -> str:
    return "1" if n <= 1 else "2-3" if n <= 3 else "4+"


@dataclass(frozen=True)
class _Layout:
    """Where the sentence's participants stand against the trigger."""

    after: list  # after the trigger, nearest first
    before: list  # before the trigger, nearest first
    first_bare_after: str | None  # the first one after it with no preposition (a verb's subject)
    nearest_bare_before: str | None  # the nearest one before it with none (a fronted subject)

    @classmethod
    def of(cls, parts: Sequence, trig) -> _Layout:
        after = [p for p in parts if p.token > trig.last]
        before = [p for p in parts if p.token < trig.token][::-1]
        bare_after = [p for p in after if p.prep == ""]
        bare_before = [p for p in before if p.prep in ("", "و")]
        return cls(
            after,
            before,
            bare_after[0].name if bare_after else None,
            bare_before[0].name if bare_before else None,
        )


def _position_features(p, trig, etype: str, ctx: EventContext, layout: _Layout) -> list[str]:
    """Where the candidate stands: side of the trigger, distance, rank, the preposition before it,
    its entity type against the event type, and what the rules made of it."""
    side = "after" if p.token > trig.last else "before" if p.token < trig.token else "on"
    gap = p.token - trig.last if side == "after" else trig.token - p.last if side == "before" else 0
    rank = (layout.after if side == "after" else layout.before).index(p) + 1 if side != "on" else 0
    prep = p.prep if p.prep in PREP_CLASSES else "other"
    rule = ctx.rule_roles.get(p.name, "none")
    kind = trig.kind
    lo, hi = ctx.clause
    return [
        f"rule={rule}",
        f"rule={rule}&kind={kind}",
        f"rule={rule}&event={etype}",
        f"side={side}",
        f"side={side}&kind={kind}",
        f"dist={_distance(gap)}",
        f"dist={_distance(gap)}&side={side}&kind={kind}",
        f"rank={min(rank, 3)}&side={side}",
        f"prep={prep}",
        f"prep={prep}&side={side}",
        f"prep={prep}&kind={kind}",
        f"ent={p.type}",
        f"ent={p.type}&event={etype}",
        f"ent={p.type}&side={side}",
        f"source={p.source}",
        f"event={etype}&side={side}",
        "in_clause" if lo <= p.token < hi else "out_of_clause",
        f"mentions={_count((ctx.mentions or {}).get(p.name, 1))}",
    ]


def _context_features(p, trig, ctx: EventContext, layout: _Layout) -> list[str]:
    """Flags: the verb's first subject slot, the fronted subject, punctuation or another trigger
    in between, the rules' place, the headline, a state, the trigger's mode."""
    side = "after" if p.token > trig.last else "before" if p.token < trig.token else "on"
    lo_t, hi_t = sorted((p.token, trig.token))
    flags = [
        (p.name == layout.first_bare_after, f"first_bare_after&kind={trig.kind}"),
        (p.name == layout.nearest_bare_before, f"nearest_bare_before&kind={trig.kind}"),
        (any(lo_t < k < hi_t for k in ctx.punct), "punct_between"),
        (any(lo_t < k < hi_t for k in ctx.other_triggers), "trigger_between"),
        (p.name == ctx.rule_location, "rule_location"),
        (p.name in ctx.headline, "in_headline"),
        (p.name in ctx.states, f"state&side={side}"),
        (bool(trig.mode), f"mode={trig.mode}&ent={p.type}&side={side}"),
    ]
    return [name for on, name in flags if on]


def _word_class(k: int, parts: Sequence, trig, ctx: EventContext) -> str:
    """What stands at token ``k`` next to a candidate: the sentence's edge, punctuation, the
    trigger, another participant (with its type), a title or genitive head, a conjunction,
    another word."""
    if k < 0 or k >= len(ctx.words):
        return "edge"
    if trig.token <= k <= trig.last:
        return "trigger"
    other = next((q for q in parts if q.token <= k <= q.last), None)
    if other is not None:
        return f"part:{other.type}"
    w = ctx.words[k]
    if w in PUNCTUATION:
        return "punct"
    if k in ctx.other_triggers:
        return "other_trigger"
    bare = without_conjunction(w)
    if bare in TITLE_HEADS:
        return "title"
    if bare in PHRASE_HEADS:
        return "phrase"
    if w == "و":
        return "conj"
    return "word"


def _neighbour_features(p, parts: Sequence, trig, ctx: EventContext) -> list[str]:
    """The words right before and after the candidate: a name apposed to a person («رئيس جمهورية
    X الرئيس Y») or in the genitive of a title is seldom the participant itself."""
    if not ctx.words:
        return []
    before = _word_class(p.token - 1, parts, trig, ctx)
    after = _word_class(p.last + 1, parts, trig, ctx)
    return [
        f"before={before}",
        f"before={before}&ent={p.type}",
        f"after={after}",
        f"after={after}&ent={p.type}",
    ]


def _carried_features(
    typ: str, back: int, trig, etype: str, ctx: EventContext, name: str, subject_here: bool
):
    """An earlier event's actor, offered as the subject a pro-drop verb leaves out («وأضاف …»)."""
    return (
        "carried",
        f"carried&back={back}",
        f"carried&kind={trig.kind}",
        f"carried&ent={typ}",
        f"carried&event={etype}",
        f"carried&subject_here={subject_here}",
        f"carried&mentions={_count((ctx.mentions or {}).get(name, 1))}",
    )


def candidates(parts: Sequence, trig, etype: str, ctx: EventContext) -> list[Candidate]:
    """The candidates of one event: the sentence's participants (arguments.participants), nearest
    to the trigger first, then the actors of the events just before it."""
    layout = _Layout.of(parts, trig)
    out: list[Candidate] = []
    seen: set[str] = set()
    for p in sorted(parts, key=lambda p: min(abs(p.token - trig.token), abs(p.token - trig.last))):
        if p.name in seen:
            continue
        seen.add(p.name)
        feats = (
            _position_features(p, trig, etype, ctx, layout)
            + _context_features(p, trig, ctx, layout)
            + _neighbour_features(p, parts, trig, ctx)
        )
        out.append(Candidate(p.name, p.type, p.start, p.end, tuple(feats), _conjunct_of(p, parts)))
    subject_here = layout.first_bare_after is not None or layout.nearest_bare_before is not None
    for name, typ, back in ctx.carried:
        if name in seen:
            continue
        seen.add(name)
        feats = _carried_features(typ, back, trig, etype, ctx, name, subject_here)
        out.append(Candidate(name, typ, None, None, feats))
    for name, typ, role, back in ctx.antecedents:
        if name in seen:
            continue
        seen.add(name)
        feats = _antecedent_features(typ, role, back, trig, etype, ctx, subject_here)
        out.append(Candidate(name, typ, None, None, feats))
    if ctx.sentence > 0:
        for name, typ in ctx.headline_entities:
            if name in seen:
                continue
            seen.add(name)
            out.append(
                Candidate(
                    name, typ, None, None, _headline_features(name, typ, trig, etype, ctx, subject_here)
                )
            )
    if etype == "CONSULT" and trig.mode == "visit":
        out = [dataclasses.replace(c, visited=True) if c.type == "LOC" else c for c in out]
    return out


def _conjunct_of(p, parts: Sequence) -> str | None:
    """The name «و» joins ``p`` to: the participant right before it, of its entity type, at most
    COORDINATION_GAP tokens back («استهدفت الفوعة وكفرية», «حماس والجهاد الإسلامي»)."""
    if not (p.joined or p.prep == "و"):
        return None
    if p.source == "reference":  # «البلدتين»: the second of the pair the dual names
        pair = [q for q in parts if q.source == "reference" and q.token == p.token and q.name != p.name]
        return pair[0].name if pair else None
    before = [q for q in parts if q.last < p.token]
    if not before:
        return None
    q = max(before, key=lambda q: q.last)
    if q.type != p.type or p.token - q.last > COORDINATION_GAP or q.name == p.name or q.prep == "بين":
        return None
    return q.name


def _antecedent_features(
    typ: str, role: str, back: int, trig, etype: str, ctx: EventContext, subject_here: bool
):
    """A participant of the last earlier event of the same type, offered to a re-mention of it
    («الزيارة» after «زار»)."""
    return (
        "antecedent",
        f"antecedent&role={role}",
        f"antecedent&role={role}&kind={trig.kind}",
        f"antecedent&role={role}&definite={ctx.definite}",
        f"antecedent&back={min(back, 3)}",
        f"antecedent&ent={typ}&event={etype}",
        f"antecedent&subject_here={subject_here}",
    )


def _headline_features(name: str, typ: str, trig, etype: str, ctx: EventContext, subject_here: bool):
    """An entity of the headline, offered to an event of the body that does not name it (the
    lead restates the headline's happening with a pronoun or a title)."""
    return (
        "headline_only",
        f"headline_only&lead={ctx.sentence == 1}",
        f"headline_only&ent={typ}",
        f"headline_only&ent={typ}&event={etype}",
        f"headline_only&kind={trig.kind}",
        f"headline_only&subject_here={subject_here}",
        f"headline_only&mentions={_count((ctx.mentions or {}).get(name, 1))}",
    )


PUNCTUATION = frozenset('،,؛;:()«»“”"-')


def event_candidates(
    doc,
    si: int,
    trig,
    etype: str,
    parts: Sequence,
    clause: tuple[int, int],
    rule_args: Iterable,
    history: Sequence[tuple[int, tuple[tuple[str, str], ...]]],
    other_triggers: Iterable[int] = (),
    article: ArticleFacts | None = None,
    past: Sequence[tuple[int, str, tuple[tuple[str, str, str], ...]]] = (),
) -> list[Candidate]:
    """``candidates`` with what the events stage knows: the rules' arguments of this event,
    ``history`` (the sentence and rule actors of the article's earlier events), the sentence's
    other triggers, facts about the whole article, and ``past`` (sentence, type and the rules'
    (role, name, type) of every earlier event)."""
    toks = doc.sentences[si].tokens
    rule_roles: dict[str, str] = {}
    rule_location = None
    for a in rule_args:
        if a.role in ("actor", "recipient"):
            rule_roles.setdefault(a.name, a.role)
        elif a.role == "location":
            rule_location = a.name
    carried: list[tuple[str, str, int]] = []
    for sj, actors in reversed(history):
        back = si - sj
        if back > CARRY_SENTENCES:
            break
        if back >= 1:
            carried += [(name, typ, back) for name, typ in actors]
    article = article or ArticleFacts.of(doc, frozenset())
    antecedents: tuple[tuple[str, str, str, int], ...] = ()
    for sj, typ, parts_j in reversed(past):
        if typ == etype and 0 < si - sj <= ANTECEDENT_SENTENCES:
            antecedents = tuple((name, ent, role, si - sj) for role, name, ent in parts_j)
            break
    ctx = EventContext(
        clause,
        rule_roles,
        rule_location,
        tuple(carried),
        frozenset(k for k, t in enumerate(toks) if t.text in PUNCTUATION),
        frozenset(k for k in other_triggers if k != trig.token),
        article.mentions,
        article.headline,
        article.states,
        antecedents,
        article.headline_entities,
        si,
        toks[trig.token].norm.startswith(DEFINITE_ARTICLE),
        tuple(t.norm for t in toks),
    )
    return candidates(parts, trig, etype, ctx)


@dataclass(frozen=True)
class ArticleFacts:
    """Per-article facts the features use: how often each entity is mentioned, which are in the
    headline, which are states."""

    mentions: dict[str, int]
    headline: frozenset[str]
    states: frozenset[str]
    headline_entities: tuple[tuple[str, str], ...] = ()  # (name, type) of the headline's participants

    @classmethod
    def of(cls, doc, states: frozenset[str]) -> ArticleFacts:
        counts: dict[str, int] = {}
        for m in doc.mentions:
            counts[m.canonical] = counts.get(m.canonical, 0) + 1
        first = [m for m in doc.mentions if m.sentence == 0]
        entities = tuple(
            dict.fromkeys((m.canonical, m.type) for m in first if m.type in ("PERS", "ORG", "LOC"))
        )
        return cls(counts, frozenset(m.canonical for m in first), states, entities)


def decide(
    model: RoleModel, cands: Sequence[Candidate], etype: str | None = None
) -> list[tuple[str, Candidate]]:
    """(role, candidate) for every candidate whose chance of taking part reaches the model's
    threshold, in candidate order: with a participation gate, the gate's probability, and the
    role model only says which of actor and recipient; without one, the likelier of the two. Of
    the actors and of the recipients, only the model's ``max_actors`` and ``max_recipients``
    likeliest are kept; then names joined by «و» to a kept one share its role, or in a two-sided
    event of type ``etype`` are its two sides (_with_conjuncts)."""
    out = []
    for c in cands:
        p = model.probabilities(c.features)
        best = 1 if p[1] >= p[2] else 2
        if c.visited and best == 2:
            continue
        taking_part = model.participation(c.features) if model.gate is not None else p[best]
        if taking_part >= model.threshold:
            out.append((ROLES[best], c, p[best]))
    dropped: set[int] = set()
    for role, limit in (("actor", model.max_actors), ("recipient", model.max_recipients)):
        if limit is not None:
            ranked = sorted((-p, k) for k, (r, _, p) in enumerate(out) if r == role)
            dropped.update(k for _, k in ranked[limit:])
    kept = [(role, c) for k, (role, c, _) in enumerate(out) if k not in dropped]
    limits = {"actor": model.max_actors, "recipient": None}
    return _with_conjuncts(kept, cands, limits, etype in SYMMETRIC_TYPES)


def _with_conjuncts(
    kept: list[tuple[str, Candidate]],
    cands: Sequence[Candidate],
    limits: dict[str, int | None],
    symmetric: bool = False,
) -> list[tuple[str, Candidate]]:
    """Names joined by «و» share one role («استهدفت الفوعة وكفرية», «اعتقلت … داعش وحزب العمال»):
    where the model gave some names of a coordination one role and none of them the other, the
    names it left out take that role, within ``limits`` (decide keeps the model's one actor and
    lets recipients be many: a coordination is where one event has several). Actors joined in a
    two-sided event are its two sides («قررت الولايات المتحدة وتركيا تعزيز تعاونهما»): the first
    named is the actor, the others recipients (ANNOTATION.md: "the initiator or subject in
    actors, the other side in recipients")."""
    names = {c.name for c in cands}
    head: dict[str, str] = {}

    def root(name: str) -> str:
        while name in head:
            name = head[name]
        return name

    for c in cands:
        if c.conjunct_of in names and root(c.conjunct_of) != root(c.name):
            head[root(c.name)] = root(c.conjunct_of)
    if not head:
        return kept
    roles_of: dict[str, set[str]] = {}
    for r, c in kept:
        roles_of.setdefault(root(c.name), set()).add(r)
    role_of = {c.name: r for r, c in kept}
    count = {r: sum(1 for x, _ in kept if x == r) for r in ("actor", "recipient")}
    members: dict[str, list[Candidate]] = {}
    for c in cands:
        if c.name in head or c.name in head.values():
            members.setdefault(root(c.name), []).append(c)
    for group, found in roles_of.items():
        if len(found) != 1 or group not in members:
            continue
        (r,) = found
        joined = sorted(members[group], key=lambda c: c.start if c.start is not None else -1)
        if r == "actor" and symmetric and count["recipient"] == 0:
            actor = joined[0]
            for c in joined:
                role_of[c.name] = "actor" if c is actor else "recipient"
            count["recipient"] += len(joined) - 1
            continue
        for c in joined:
            limit = limits.get(r)
            if c.name not in role_of and (limit is None or count[r] < limit):
                role_of[c.name] = r
                count[r] += 1
    out = [(role_of[c.name], c) for _, c in kept]
    taken = {c.name for _, c in kept}
    out += [(role_of[c.name], c) for c in cands if c.name in role_of and c.name not in taken]
    return out


Weights = dict[str, tuple[float, ...]]


def softmax(weights: Weights, bias: Sequence[float], features: Iterable[str]) -> tuple[float, ...]:
    get = weights.get
    if len(bias) == 3:
        # the role model's three classes, added up in scalars: a list built for every feature
        # was most of the cost (same sums, in the same order)
        a, b, c = bias
        for f in features:
            w = get(f)
            if w:
                a += w[0]
                b += w[1]
                c += w[2]
        z = [a, b, c]
    else:
        z = list(bias)
        for f in features:
            w = get(f)
            if w:
                z = [x + y for x, y in zip(z, w, strict=True)]
    top = max(z)
    e = [math.exp(v - top) for v in z]
    total = sum(e)
    return tuple(v / total for v in e)


def _rounded(weights: Weights, bias: Sequence[float]) -> dict:
    return {
        "bias": [round(b, 6) for b in bias],
        "weights": {f: [round(x, 6) for x in w] for f, w in sorted(weights.items())},
    }


@dataclass(frozen=True)
class RoleModel:
    """Weights of a multinomial logistic regression: feature → one weight per role; and, when
    ``gate`` is set, those of a binary one (none, taking part) that alone decides whether a
    candidate takes part. The two are separate so that they can learn from different events
    (worker/training/roles.py): whether a candidate takes part from the gold's optional events as
    well, who is actor and who recipient from the required ones only (trained on the optional ones
    too, one model swapped them far more often, cross-validated)."""

    weights: Weights
    bias: tuple[float, float, float]
    # A role is given from this probability on. Below one half on purpose: F1 is best served by a
    # threshold near half the F1 one can reach (about 0.5 here), not by the likeliest class.
    threshold: float = 0.25
    gate: tuple[Weights, tuple[float, float]] | None = None
    # At most this many actors an event, the likeliest kept (None: no limit). The gold puts the
    # initiator of a two-sided event in actors and the other side in recipients, and no event of
    # the dev gold has two actors; candidates picked independently gave ten such events.
    max_actors: int | None = 1
    # Likewise for recipients; chosen by cross-validation (khabar train-roles), since an event
    # can have several («قصف البلدتين»).
    max_recipients: int | None = None

    def probabilities(self, features: Iterable[str]) -> tuple[float, ...]:
        return softmax(self.weights, self.bias, features)

    def participation(self, features: Iterable[str]) -> float:
        """The gate's probability that the candidate takes part (requires a gate)."""
        assert self.gate is not None
        return softmax(self.gate[0], self.gate[1], features)[1]

    def to_json(self) -> str:
        data = {
            "roles": list(ROLES),
            "threshold": self.threshold,
            "max_actors": self.max_actors,
            "max_recipients": self.max_recipients,
            **_rounded(self.weights, self.bias),
        }
        if self.gate is not None:
            data["participation"] = _rounded(*self.gate)
        return json.dumps(data, ensure_ascii=False, indent=1) + "\n"

    @classmethod
    def from_json(cls, text: str) -> RoleModel:
        data = json.loads(text)
        if tuple(data.get("roles", ())) != ROLES:
            raise ValueError(f"role model: roles {data.get('roles')} are not {list(ROLES)}")
        weights = {f: tuple(w) for f, w in data["weights"].items()}
        gate = data.get("participation")
        return cls(
            weights,
            tuple(data["bias"]),
            float(data.get("threshold", 0.25)),
            ({f: tuple(w) for f, w in gate["weights"].items()}, tuple(gate["bias"])) if gate else None,
            data.get("max_actors"),
            data.get("max_recipients"),
        )


SHIPPED = "shipped"


@cache
def load_model(path: str | None = SHIPPED) -> RoleModel | None:
    """The role model at ``path`` (``"shipped"``: the one in worker/resources/roles; None or
    ``"off"``: no model, the rules decide)."""
    if path in (None, "off"):
        return None
    if path == SHIPPED:
        text = (resources.files("worker.resources") / "roles" / "weights.json").read_text(encoding="utf-8")
    else:
        text = Path(path).read_text(encoding="utf-8")
    return RoleModel.from_json(text)
