"""The extraction output of SCHEMA.md §3 (what ``khabar extract`` prints and exports carry)."""

from __future__ import annotations

from typing import Any

from worker.stages.document import Document, Mention
from worker.stages.events.happenings import happening_id, summaries


def to_output(doc: Document, include_modal: bool = True, include_refers_back: bool = True) -> dict[str, Any]:
    """One §3 object. Events that are not asserted (negated, future, hypothetical, conditional)
    are kept with their ``modality`` unless ``include_modal`` is false; events that only refer
    back to a happening reported before (or give it as background) are kept with
    ``refers_back: true`` unless ``include_refers_back`` is false."""
    entities = [
        {
            "text": m.text,
            "type": m.type,
            "start": m.start,
            "end": m.end,
            "canonical": m.canonical,
            "actor": _actor(m),
            "geo": _geo(m),
        }
        for m in doc.mentions
    ]
    places = {m.canonical: _geo(m) for m in doc.mentions if _geo(m) is not None}
    # an event's participants carry their entities' codes (None where the name is no entity)
    codes = {m.canonical: _actor(m) for m in doc.mentions if _actor(m) is not None}
    events = []
    for e in doc.events:
        if (not include_modal and e.modality != "asserted") or (not include_refers_back and e.refers_back):
            continue
        events.append(
            {
                "type": e.type,
                "mode": e.mode,
                "trigger": {"text": e.trigger, "start": e.start, "end": e.end},
                "actors": e.actors,
                "recipients": e.recipients,
                "actor_codes": [codes.get(name) for name in e.actors],
                "recipient_codes": [codes.get(name) for name in e.recipients],
                "location": e.location,
                "location_geo": places.get(e.location) if e.location else None,
                "date": e.date,
                "confidence": round(e.confidence, 3),
                "modality": e.modality,
                "refers_back": e.refers_back,
                "happening": happening_id(e.happening) if e.happening is not None else None,
                "sentence": e.sentence,
            }
        )
    attributions = [
        {
            "cue": a.cue,
            "start": a.start,
            "end": a.end,
            "source": a.source,
            "source_kind": a.source_kind,
            "cited": a.cited,
            "content": [a.content_start, a.content_end] if a.content_start is not None else None,
        }
        for a in doc.attributions
    ]
    return {
        "id": doc.id,
        "entities": entities,
        "events": events,
        "happenings": summaries(doc.events),
        "attributions": attributions,
    }


def _actor(m: Mention) -> dict[str, str | None] | None:
    # a stateless actor («داعش») has a sector and no country; an uncoded entity has neither
    return {"country": m.country, "sector": m.sector} if m.country or m.sector else None


def _geo(m: Mention) -> dict[str, Any] | None:
    # a state has a GeoNames id and no point; a city has both
    if m.geonames_id is None:
        return None
    return {"geonames_id": m.geonames_id, "lat": m.latitude, "lon": m.longitude}
