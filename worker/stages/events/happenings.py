"""One event per happening within an article: the mentions that report one happening again are
grouped under the first, which carries what they add (issue 11, item 4).

A news article names its main happening in the headline, reports it in the lead, and then keeps
coming back to it: «اللقاء جرى في أبريل», «وحضر الاجتماع …», «وركزت المحادثات على …». Arabic marks
such a re-mention the way it marks any given information, with the article: a definite verbal
noun («المحادثات», «الهجوم») names a happening the reader already knows, an indefinite one («لقاء
عابر») or a verb introduces a new one. The rules, in the order of the mentions:

1. a mention the events stage found to refer back, or whose trigger is a definite noun, joins the
   latest happening of its type in the article whose details it does not contradict;
2. the first mention of a type in the body joins the headline's happening of that type when the
   details agree (the lead restates the headline);
3. anything else starts a happening. Two mentions of one type that the events stage kept apart
   in one sentence («الاشتباكات» and «قصف») are two happenings: that stage already merges what
   reports one happening twice in a sentence.

Details contradict when both give a date and neither contains the other («2023-03» and «2023-04»),
or both give a place and they differ. Participants contradict in rule 2 when both name some and
none is shared; a re-mention (rule 1) often names whoever else took part («وحضر الاجتماع
فلان»), so there only a doer who took no part in the happening so far contradicts it. A
participant is shared by name or by the state of its actor code: «وزارة الخزانة الأمريكية» takes
part where «الولايات المتحدة» did. Nothing here is
fitted: there are no weights or thresholds. Each mention keeps its own details (what the scorer
and the store read); ``summaries`` gives each happening the details its mentions add together.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from worker.lang.ar import ordered
from worker.lang.ar.normalise import normalise
from worker.stages.document import Document, Event, evolve

DEFINITE = ordered("events/definite")


@dataclass
class _Happening:
    head: int  # index of its first mention in doc.events
    type: str
    sentences: set[int]  # those its mentions are in
    date: str | None
    location: str | None
    participants: set[str] = field(default_factory=set)


def _definite(e: Event) -> bool:
    first = normalise(e.trigger).split()[0] if e.trigger.strip() else ""
    return any(first.startswith(p) and len(first) > len(p) + 2 for p in DEFINITE)


def _dates_agree(a: str | None, b: str | None) -> bool:
    return not a or not b or a.startswith(b) or b.startswith(a)


def _keys(names, states: dict[str, str]) -> set[str]:
    """A participant's name and, where its actor code has one, its state."""
    return {k for n in names for k in (n, states.get(n)) if k}


def _agrees(e: Event, h: _Happening, states: dict[str, str], remention: bool = False) -> bool:
    names = _keys(e.actors if remention else [*e.actors, *e.recipients], states)
    return (
        e.type == h.type
        and _dates_agree(e.date, h.date)
        and (not e.location or not h.location or e.location == h.location)
        and (not names or not h.participants or bool(names & h.participants))
    )


def _absorb(h: _Happening, e: Event, states: dict[str, str]) -> None:
    if e.date and (not h.date or len(e.date) > len(h.date)):
        h.date = e.date  # the more precise of two dates that agree
    h.location = h.location or e.location
    h.participants |= _keys([*e.actors, *e.recipients], states)
    h.sentences.add(e.sentence)


def group(events: tuple[Event, ...], title_sentences: int, states: dict[str, str] | None = None) -> list[int]:
    """For each event, the index of the first mention of its happening (rules 1-3); ``states``:
    each participant name's state, from its actor code."""
    states = states or {}
    happenings: list[_Happening] = []
    heads: list[int] = []
    body_types_seen: set[str] = set()
    for i, e in enumerate(events):
        target = None
        if e.refers_back or _definite(e):
            target = next((h for h in reversed(happenings) if _agrees(e, h, states, remention=True)), None)
        if target is None and e.sentence >= title_sentences and e.type not in body_types_seen:
            target = next(
                (h for h in happenings if min(h.sentences) < title_sentences and _agrees(e, h, states)),
                None,
            )
        if e.sentence >= title_sentences:
            body_types_seen.add(e.type)
        if target is None:
            target = _Happening(
                i, e.type, {e.sentence}, e.date, e.location, _keys([*e.actors, *e.recipients], states)
            )
            happenings.append(target)
        else:
            _absorb(target, e, states)
        heads.append(target.head)
    return heads


def _title_sentences(doc: Document) -> int:
    """How many of the sentences belong to the headline (the text is "title\\n\\nbody")."""
    if not doc.title:
        return 0
    return sum(1 for s in doc.sentences if s.start < len(doc.title))


def happenings(doc: Document) -> Document:
    """The events with ``happening`` set: the index of their happening's first mention."""
    if not doc.events:
        return doc
    states = {m.canonical: m.country for m in doc.mentions if m.country and m.country != "IGO"}
    heads = group(doc.events, _title_sentences(doc), states)
    events = tuple(evolve(e, happening=h) for e, h in zip(doc.events, heads, strict=True))
    return dataclasses.replace(doc, events=events)


def happening_id(head: int) -> str:
    """The id of a happening in an article's output: ``h`` and its first mention's index."""
    return f"h{head}"


def participants(mentions: list[tuple[list[str], list[str]]]) -> tuple[list[str], list[str]]:
    """A happening's actors and recipients from its mentions' (actors, recipients), in order: the
    first mention that names any gives each role. Taking every mention's would gather the
    errors of each (a re-mention's nearest names are often not its participants)."""
    actors = next((a for a, _ in mentions if a), [])
    recipients = next(
        ([n for n in r if n not in actors] for _, r in mentions if any(n not in actors for n in r)), []
    )
    return actors, recipients


def summaries(events: tuple[Event, ...]) -> list[dict]:
    """One record per happening, in the order of their first mentions: its id (``happening_id``),
    type, number of mentions, participants (``participants``), the most precise date and the first
    place its mentions give, and the first mention's modality."""
    members: dict[int, list[Event]] = {}
    for i, e in enumerate(events):
        members.setdefault(e.happening if e.happening is not None else i, []).append(e)
    out = []
    for head, group_events in members.items():
        dates = [e.date for e in group_events if e.date]
        actors, recipients = participants([(e.actors, e.recipients) for e in group_events])
        out.append(
            {
                "id": happening_id(head),
                "type": events[head].type,
                "mentions": len(group_events),
                "actors": actors,
                "recipients": recipients,
                "location": next((e.location for e in group_events if e.location), None),
                "date": max(dates, key=len) if dates else None,
                "modality": events[head].modality,
            }
        )
    return out
