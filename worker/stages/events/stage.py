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

from worker.lang.ar import words
from worker.stages.config import DEFAULT, StageConfig
from worker.stages.document import Document, Event
from worker.stages.events.arguments import arguments as find_arguments
from worker.stages.events.arguments import participants, state_names, title_index
from worker.stages.events.attribution import SPEECH_VERBS, find_attributions
from worker.stages.events.dates import TimeExpr, find_dates, precision, published_date
from worker.stages.events.filters import keep_trigger, refine
from worker.stages.events.modality import modality
from worker.stages.events.specificity import specific
from worker.stages.events.triggers import Trigger, find_triggers

REFER_BACK_VERBS = words("events/refer_back_verbs")
# types whose mentions must report one particular happening (GSR-style event detection)
SPECIFIC_TYPES = ("ASSAULT", "PROTEST")
DEMONSTRATIVES = words("events/demonstratives")


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
        w = tok.norm[1:] if tok.norm[:1] in "وف" and len(tok.norm) > 3 else tok.norm
        if w in SPEECH_VERBS or tok.norm in SPEECH_VERBS:
            end = sent.tokens[min(k + 5, len(sent.tokens) - 1)].end
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
        dist = d.start - trig.end if d.start >= trig.end else (trig.start - d.end) * 1.5
        key = (is_report, dist, -precision(d.value))
        if best_key is None or key < best_key:
            best, best_key = d.value, key
    return best


def _refers_back(doc: Document, si: int, trig: Trigger, seen: dict[str, set[str]]) -> bool:
    toks = doc.sentences[si].tokens
    word = toks[trig.token].norm
    nxt = toks[trig.last + 1].norm if trig.last + 1 < len(toks) else ""
    prev = toks[trig.token - 1].norm if trig.token > 0 else ""
    definite = trig.kind == "n" and (word.startswith(("ال", "وال", "بال", "لل")))
    if definite and (nxt in DEMONSTRATIVES or prev in DEMONSTRATIVES):
        return True
    if definite and prev in REFER_BACK_VERBS:
        return True
    if definite and nxt in REFER_BACK_VERBS and trig.lemma in seen.get(trig.type, set()):
        return True
    return False


def events(doc: Document, config: StageConfig = DEFAULT) -> Document:
    pub = published_date(doc.published_at, config.reference_date)
    pub_iso = pub.isoformat() if pub else None
    states = state_names(doc)
    titles = title_index(doc)
    out: list[Event] = []
    seen: dict[str, set[str]] = {}
    for si, sent in enumerate(doc.sentences):
        toks = sent.tokens
        if not toks:
            continue
        names = [(m.start, m.end) for m in doc.mentions if sent.start <= m.start < sent.end]
        trigs = [t for t in find_triggers(toks, doc.text) if not any(s <= t.start < e for s, e in names)]
        trigs = [t for t in refine(trigs, toks) if keep_trigger(t, toks)]
        # Casualties of "this attack" ("قتلوا في هذا الهجوم") restate a happening already
        # reported, even where the casualty verb stands for the merged event.
        seg = _segments(toks)
        restated = {(t.type, seg[t.token]) for t in trigs if _refers_back(doc, si, t, seen)}
        trigs = _merge(trigs, seg)
        if not trigs:
            continue
        dates = [
            dataclasses.replace(d, start=d.start + sent.start, end=d.end + sent.start)
            for d in find_dates(doc.text[sent.start : sent.end], pub)
        ]
        reports = _report_spans(doc, si)
        parts = participants(doc, si, states, titles, {t.token for t in trigs})
        in_sent = [m for m in doc.mentions if sent.start <= m.start < sent.end]
        places = sum(1 for m in in_sent if m.type == "LOC")
        persons = sum(1 for m in in_sent if m.type == "PERS")
        verbs = [(t.token, t.type) for t in find_triggers(toks, doc.text) if t.kind == "v"]
        for t in trigs:
            args, location = find_arguments(doc, si, t, t.type, parts)
            date = pick_date(dates, t, reports)
            mod = modality(toks, t.token, t.kind, date, pub_iso)
            back = (t.mode == "killing" and (t.type, seg[t.token]) in restated) or _refers_back(
                doc, si, t, seen
            )
            if t.type in SPECIFIC_TYPES and not back:
                governed = any(k < t.token and typ != t.type for k, typ in verbs)
                # a mention that gives none of the particulars only refers to the happening
                back = not specific(
                    toks,
                    t.token,
                    t.kind,
                    t.type,
                    places=places,
                    persons=persons,
                    lemma=t.lemma,
                    governed=governed,
                )
            conf = 0.5 if t.weak else 0.75
            if t.kind == "v":
                conf += 0.1
            if mod != "asserted" or back:
                conf -= 0.2
            out.append(
                Event(
                    type=t.type,
                    trigger=t.text,
                    start=t.start,
                    end=t.end,
                    sentence=si,
                    mode=t.mode,
                    arguments=tuple(args),
                    date=date,
                    location=location,
                    confidence=round(conf, 3),
                    modality=mod,
                    refers_back=back,
                )
            )
            seen.setdefault(t.type, set()).add(t.lemma)
    return dataclasses.replace(
        doc,
        events=tuple(out),
        attributions=tuple(find_attributions(doc)),
        stages=(*doc.stages, "events"),
    )
