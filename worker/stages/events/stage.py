"""Stage: PLOVER events with their arguments, date, modality, and the article's attributions.

For each sentence: triggers from the lexicon (triggers.py) that are not part of an entity name;
hard negatives dropped (filters.py: figurative or sporting "attacks", violence words with no
violence around them); triggers of one type that name one happening merged; then arguments
(arguments.py), the date (dates.py, the nearest expression of the clause that does not just date
a report), the modality (modality.py) and whether the mention only refers back to a happening
already reported.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from worker.lang.ar import ordered, words
from worker.stages.config import DEFAULT, StageConfig
from worker.stages.document import Argument, Document, Event, Token
from worker.stages.events.arguments import arguments as find_arguments
from worker.stages.events.arguments import clause_bounds, participants, state_names, title_index
from worker.stages.events.attribution import SPEECH_VERBS, find_attributions
from worker.stages.events.dates import TimeExpr, find_dates, precision, published_date
from worker.stages.events.filters import keep_trigger, refine
from worker.stages.events.modality import modality
from worker.stages.events.places import PlaceModel, event_place_candidates, load_place_model, pick_place
from worker.stages.events.roles import ArticleFacts, RoleModel, decide, event_candidates, load_model
from worker.stages.events.specificity import specific
from worker.stages.events.triggers import Trigger, find_triggers

REFER_BACK_VERBS = words("events/refer_back_verbs")
DEFINITE = ordered("events/definite")
# types whose mentions must report one particular happening (GSR-style event detection)
SPECIFIC_TYPES = ("ASSAULT", "PROTEST")
DEMONSTRATIVES = words("events/demonstratives")

# A date within 5 tokens after a speech verb ("أفاد شهود عيان أمس") dates the report, not the event.
REPORT_SPAN = 5
# A date before the trigger is counted 1.5 times as far as one after it, so that of two dates about
# as close the one after the trigger wins ("قتل … أمس" is the usual order).
BEFORE_TRIGGER_WEIGHT = 1.5
# Confidence of an event: 0.75 from a plain trigger, 0.5 from a weak one; +0.1 for a verb (a
# finite clause states the happening); -0.2 when it is not asserted or only refers back.
CONFIDENCE = 0.75
WEAK_CONFIDENCE = 0.5
VERB_BONUS = 0.1
UNCERTAIN_PENALTY = 0.2


# Words that open a new happening within a sentence ("…، فيما قصفت قوات …").
SEGMENT_MARKERS = words("events/segment_markers")


def _segments(toks) -> list[int]:
    """Segment number of each token: a new segment starts at a marker word or at "مع استمرار"."""
    seg, out = 0, []
    for k, t in enumerate(toks):
        w = t.norm
        if w in SEGMENT_MARKERS or (
            w == "مع" and k + 1 < len(toks) and toks[k + 1].norm.startswith("استمرار")
        ):
            seg += 1
        out.append(seg)
    return out


def _merge(trigs: list[Trigger], seg: list[int]) -> list[Trigger]:
    """One happening reported twice in one clause is one event. Same-type triggers in one segment
    of the sentence (segments start at "فيما", "بينما", "وسط" …) are one event, kept at the first
    trigger with the most specific mode; a segment that only counts victims ("أصيب", "مقتل")
    joins the neighbouring attack. ``seg`` is _segments of the sentence's tokens."""
    groups: dict[tuple[str, int], list[Trigger]] = {}
    for t in sorted(trigs, key=lambda x: x.token):
        groups.setdefault((t.type, seg[t.token]), []).append(t)
    merged: list[Trigger] = []
    for (_etype, _s), ts in groups.items():
        first = ts[0]
        specific = next((t for t in ts if t.mode and t.mode != "killing"), None)
        if specific is not None and specific is not first:
            first = dataclasses.replace(first, mode=specific.mode)
        if all(t.mode == "killing" for t in ts):
            first = dataclasses.replace(first, mode="killing")
        merged.append(first)
    out: list[Trigger] = []
    for t in sorted(merged, key=lambda x: x.token):
        if (
            t.type == "ASSAULT"
            and t.mode == "killing"
            and any(o.type == "ASSAULT" for o in merged if o is not t)
        ):
            continue  # casualties of an attack reported in the same sentence
        out.append(t)
    return out


def _report_spans(doc: Document, si: int) -> list[tuple[int, int]]:
    """Spans right after a speech verb ("أفاد شهود عيان أمس"): a date there dates the report."""
    sent = doc.sentences[si]
    spans = []
    for k, tok in enumerate(sent.tokens):
        if tok.bare in SPEECH_VERBS or tok.norm in SPEECH_VERBS:
            end = sent.tokens[min(k + REPORT_SPAN, len(sent.tokens) - 1)].end
            spans.append((tok.start, end))
    return spans


def pick_date(dates: list[TimeExpr], trig: Trigger, reports: list[tuple[int, int]]) -> str | None:
    """The date of an event: the nearest dated expression of its sentence, preferring ones that do
    not merely date a report; ties go to the expression after the trigger."""
    best, best_key = None, None
    for d in dates:
        if not d.value:
            continue
        is_report = any(s <= d.start < e for s, e in reports) and not (
            trig.start <= d.start and any(s <= trig.start < e for s, e in reports)
        )
        if d.start >= trig.end:
            dist = d.start - trig.end
        else:
            dist = (trig.start - d.end) * BEFORE_TRIGGER_WEIGHT
        key = (is_report, dist, -precision(d.value))
        if best_key is None or key < best_key:
            best, best_key = d.value, key
    return best


def _refers_back(doc: Document, si: int, trig: Trigger, seen: dict[str, set[str]]) -> bool:
    """A definite noun trigger that refers to a happening already reported: beside a
    demonstrative ("هذا الهجوم", "الهجوم نفسه"), after a "took place" verb ("وقع الهجوم"), or
    before one when the article already reported a happening of that lemma ("الهجوم وقع")."""
    toks = doc.sentences[si].tokens
    if not (trig.kind == "n" and toks[trig.token].norm.startswith(DEFINITE)):
        return False
    nxt = toks[trig.last + 1].norm if trig.last + 1 < len(toks) else ""
    prev = toks[trig.token - 1].norm if trig.token > 0 else ""
    if nxt in DEMONSTRATIVES or prev in DEMONSTRATIVES or prev in REFER_BACK_VERBS:
        return True
    return nxt in REFER_BACK_VERBS and trig.lemma in seen.get(trig.type, set())


@dataclass(frozen=True)
class _Sentence:
    """What the events of one sentence share: its triggers after the filters and the merge, and
    the dates, report spans, participants and mention counts their events read."""

    si: int
    tokens: tuple[Token, ...]
    triggers: list[Trigger]
    segments: list[int]
    restated: set[tuple[str, int]]
    verbs: list[tuple[int, str]]
    dates: list[TimeExpr]
    reports: list[tuple[int, int]]
    participants: list  # arguments.participants of the sentence
    places: int
    persons: int


def _triggers(
    doc: Document, si: int, seen: dict[str, set[str]]
) -> tuple[list[Trigger], list[int], set[tuple[str, int]], list[tuple[int, str]]]:
    """The sentence's triggers that are not part of an entity name and not hard negatives, merged
    per segment; with the segments, the (type, segment) pairs whose casualties restate a
    happening already reported ("قتلوا في هذا الهجوم"), and every verb trigger (token, type);
    all empty when the sentence has no trigger (most sentences)."""
    sent = doc.sentences[si]
    toks = sent.tokens
    found = find_triggers(toks, doc.text)
    if not found:
        return [], [], set(), []
    names = [(m.start, m.end) for m in doc.mentions if sent.start <= m.start < sent.end]
    trigs = [t for t in found if not any(s <= t.start < e for s, e in names)]
    trigs = [t for t in refine(trigs, toks) if keep_trigger(t, toks)]
    # Casualties of "this attack" ("قتلوا في هذا الهجوم") restate a happening already
    # reported, even where the casualty verb stands for the merged event.
    seg = _segments(toks)
    restated = {(t.type, seg[t.token]) for t in trigs if _refers_back(doc, si, t, seen)}
    verbs = [(t.token, t.type) for t in found if t.kind == "v"]
    return _merge(trigs, seg), seg, restated, verbs


def _sentence(
    doc: Document,
    si: int,
    seen: dict[str, set[str]],
    pub: dt.date | None,
    states: dict[str, str],
    titles: dict[str, set[str]],
) -> _Sentence | None:
    """The shared context of the events of sentence ``si``; None when it has no trigger."""
    sent = doc.sentences[si]
    toks = sent.tokens
    trigs, seg, restated, verbs = _triggers(doc, si, seen)
    if not trigs:
        return None
    dates = [
        dataclasses.replace(d, start=d.start + sent.start, end=d.end + sent.start)
        for d in find_dates(doc.text[sent.start : sent.end], pub)
    ]
    in_sent = [m for m in doc.mentions if sent.start <= m.start < sent.end]
    return _Sentence(
        si=si,
        tokens=toks,
        triggers=trigs,
        segments=seg,
        restated=restated,
        verbs=verbs,
        dates=dates,
        reports=_report_spans(doc, si),
        participants=participants(doc, si, states, titles, {t.token for t in trigs}),
        places=sum(1 for m in in_sent if m.type == "LOC"),
        persons=sum(1 for m in in_sent if m.type == "PERS"),
    )


def _back(
    doc: Document, ctx: _Sentence, t: Trigger, seen: dict[str, set[str]], thresholds: dict[str, int]
) -> bool:
    """The mention refers to a happening rather than reporting a new one: casualties restating
    it ("قتلوا في هذا الهجوم"), a definite noun referring back ("هذا الهجوم"), or, for ASSAULT
    and PROTEST, a mention that gives none of the particulars of a report ("أدان الهجوم")."""
    back = (t.mode == "killing" and (t.type, ctx.segments[t.token]) in ctx.restated) or _refers_back(
        doc, ctx.si, t, seen
    )
    if t.type not in SPECIFIC_TYPES or back:
        return back
    governed = any(k < t.token and typ != t.type for k, typ in ctx.verbs)
    return not specific(
        ctx.tokens,
        t.token,
        t.kind,
        t.type,
        thresholds,
        places=ctx.places,
        persons=ctx.persons,
        lemma=t.lemma,
        governed=governed,
    )


def _confidence(t: Trigger, mod: str, back: bool) -> float:
    """How sure the extractor is of the event: a weak trigger less than a plain one, a verb more
    than a noun, a mention that is not asserted or only refers back less."""
    conf = WEAK_CONFIDENCE if t.weak else CONFIDENCE
    if t.kind == "v":
        conf += VERB_BONUS
    if mod != "asserted" or back:
        conf -= UNCERTAIN_PENALTY
    return round(conf, 3)


@dataclass
class _Article:
    """What the events of one article share while they are found, sentence by sentence."""

    pub_iso: str | None
    roles: RoleModel | None  # None: the rules alone give actors and recipients
    places: PlaceModel | None  # None: the rules alone give the place
    facts: ArticleFacts
    # lemmas of the events found so far, by type (_refers_back)
    seen: dict[str, set[str]] = dataclasses.field(default_factory=dict)
    # (sentence, the rules' actors) of the events found so far: the dropped subject of a later one
    history: list[tuple[int, tuple[tuple[str, str], ...]]] = dataclasses.field(default_factory=list)
    # (sentence, type, the rules' (role, name, type)) of the events found so far: what a re-mention
    # of one («الزيارة») refers back to
    past: list[tuple[int, str, tuple[tuple[str, str, str], ...]]] = dataclasses.field(default_factory=list)
    collect: list | None = None  # candidates of every event, for training the role model
    collect_places: list | None = None  # place candidates of every event, for the place model
    thresholds: dict[str, int] = dataclasses.field(default_factory=dict)  # specificity, by type


def _roles(doc: Document, ctx: _Sentence, t: Trigger, args: list[Argument], art: _Article) -> list[Argument]:
    """The event's actors and recipients: the role model's pick among its candidates (the rules'
    roles are one of their features), or the rules' own when there is no model."""
    clause = clause_bounds(doc.sentences[ctx.si], t.token, t.last)
    triggers = {x.token for x in ctx.triggers}
    cands = event_candidates(
        doc, ctx.si, t, t.type, ctx.participants, clause, args, art.history, triggers, art.facts, art.past
    )
    art.history.append((ctx.si, tuple((a.name, a.type) for a in args if a.role == "actor")))
    roles = tuple((a.role, a.name, a.type) for a in args if a.role in ("actor", "recipient"))
    art.past.append((ctx.si, t.type, roles))
    if art.collect is not None:
        art.collect.append(cands)
    if art.roles is None:
        return args
    picked = [Argument(role, c.name, c.type, c.start, c.end) for role, c in decide(art.roles, cands, t.type)]
    return picked + [a for a in args if a.role == "location"]


def _place(
    doc: Document, ctx: _Sentence, t: Trigger, rule_args: list[Argument], args: list[Argument], art: _Article
) -> tuple[list[Argument], str | None]:
    """The event's place: the place model's pick among the places around it (the rules' place is
    one of their features), or the rules' own when there is no model."""
    rule_place = next((a for a in rule_args if a.role == "location"), None)
    if art.places is None and art.collect_places is None:
        return args, rule_place.name if rule_place else None
    clause = clause_bounds(doc.sentences[ctx.si], t.token, t.last)
    cands = event_place_candidates(
        doc,
        ctx.si,
        t,
        t.type,
        ctx.participants,
        clause,
        rule_args,
        art.facts.states,
        {x.token for x in ctx.triggers},
    )
    if art.collect_places is not None:
        art.collect_places.append(cands)
    if art.places is None:
        return args, rule_place.name if rule_place else None
    picked = pick_place(art.places, cands)
    others = [a for a in args if a.role != "location"]
    if picked is None:
        return others, None
    return [*others, Argument("location", picked.name, "LOC", picked.start, picked.end)], picked.name


def _event(doc: Document, ctx: _Sentence, t: Trigger, art: _Article) -> Event:
    """The event of trigger ``t``: its arguments, location, date, modality and confidence."""
    seen, pub_iso = art.seen, art.pub_iso
    rule_args, _ = find_arguments(doc, ctx.si, t, t.type, ctx.participants)
    args = _roles(doc, ctx, t, rule_args, art)
    args, location = _place(doc, ctx, t, rule_args, args, art)
    date = pick_date(ctx.dates, t, ctx.reports)
    mod = modality(ctx.tokens, t.token, t.kind, date, pub_iso)
    back = _back(doc, ctx, t, seen, art.thresholds)
    return Event(
        type=t.type,
        trigger=t.text,
        start=t.start,
        end=t.end,
        sentence=ctx.si,
        mode=t.mode,
        arguments=tuple(args),
        date=date,
        location=location,
        confidence=_confidence(t, mod, back),
        modality=mod,
        refers_back=back,
    )


def events(
    doc: Document,
    config: StageConfig = DEFAULT,
    collect: list | None = None,
    collect_places: list | None = None,
) -> Document:
    """The document with its events and attributions. ``collect`` and ``collect_places``, when
    given, receive the role and place candidates of every event in order (``khabar train-roles``)."""
    pub = published_date(doc.published_at, config.reference_date)
    states = state_names(doc)
    titles = title_index(doc)
    art = _Article(
        pub.isoformat() if pub else None,
        load_model(config.roles_model),
        load_place_model(config.places_model),
        ArticleFacts.of(doc, frozenset(states.values())),
        collect=collect,
        collect_places=collect_places,
        thresholds=dict(config.specificity),
    )
    out: list[Event] = []
    for si, sent in enumerate(doc.sentences):
        if not sent.tokens:
            continue
        ctx = _sentence(doc, si, art.seen, pub, states, titles)
        if ctx is None:
            continue
        for t in ctx.triggers:
            out.append(_event(doc, ctx, t, art))
            art.seen.setdefault(t.type, set()).add(t.lemma)
    return dataclasses.replace(
        doc,
        events=tuple(out),
        attributions=tuple(find_attributions(doc)),
        stages=(*doc.stages, "events"),
    )
