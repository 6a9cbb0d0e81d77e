"""Reads of story events for `khabar stories` and the dyad/PLOVER exports: each story with its
current reports (events of each article's current extractor version), counted once per
happening — copies of an article (near-duplicates) are counted apart, never as more reports."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.orm import Session

from db.corpus import ArticleDuplicate, Story, StoryMember
from db.models import Article, Entity, Event, EventArgument


@dataclass
class StorySummary:
    id: int
    type: str
    date: str | None
    actor: str | None
    recipient: str | None
    place: str | None
    mode: str | None = None
    reports: int = 0  # articles reporting it, copies of another article not counted
    copies: int = 0  # near-duplicate articles that reprint one of those reports
    mentions: int = 0  # event mentions, all articles
    outlets: list[str] = field(default_factory=list)
    first_report: dict | None = None
    trigger: str | None = None
    actor_names: list[str] = field(default_factory=list)
    recipient_names: list[str] = field(default_factory=list)
    extractor_version: str | None = None


def _current():
    return (
        select(StoryMember.story_id)
        .join(Event, Event.id == StoryMember.event_id)
        .join(Article, Article.id == Event.article_id)
        .where(Event.extractor_version == Article.extractor_version)
    )


def stories_query(
    *, type_: str | None = None, since: str | None = None, until: str | None = None, actor: str | None = None
) -> Select:
    """Stories with at least one current report, newest first."""
    q = select(Story).where(exists(_current().where(StoryMember.story_id == Story.id)))
    if type_:
        q = q.where(Story.type == type_.upper())
    if since:
        q = q.where(Story.date >= since)
    if until:
        q = q.where(or_(Story.date <= until, Story.date.startswith(until)))
    if actor:
        code = actor.upper()
        q = q.where(or_(Story.actor.startswith(code), Story.recipient.startswith(code)))
    return q.order_by(Story.date.desc().nulls_last(), Story.id)


def summaries(session: Session, stories: list[Story]) -> list[StorySummary]:
    """The reports, copies, outlets, mode and first report of each story, in two queries."""
    if not stories:
        return []
    by_id = {s.id: StorySummary(s.id, s.type, s.date, s.actor, s.recipient, s.place) for s in stories}
    when = func.coalesce(Article.published_at, Article.ingested_at)
    rows = session.execute(
        select(
            StoryMember.story_id,
            Event.id,
            Event.mode,
            Event.trigger_text,
            Article.id,
            Article.source,
            Article.url,
            Article.title,
            when,
            Article.extractor_version,
            ArticleDuplicate.duplicate_of,
        )
        .join(Event, Event.id == StoryMember.event_id)
        .join(Article, Article.id == Event.article_id)
        .outerjoin(ArticleDuplicate, ArticleDuplicate.article_id == Article.id)
        .where(StoryMember.story_id.in_(list(by_id)), Event.extractor_version == Article.extractor_version)
        .order_by(when, Article.id, Event.trigger_start)
    ).all()
    first_event: dict[int, int] = {}
    modes: dict[int, Counter] = {}
    reports: dict[int, set] = {}
    copies: dict[int, set] = {}
    outlets: dict[int, dict] = {}
    reprints: dict[int, dict[str, str]] = {}
    for story_id, event_id, mode, trigger, article_id, source, url, title, at, version, dup in rows:
        s = by_id[story_id]
        s.mentions += 1
        reports.setdefault(story_id, set()).add(article_id)
        if dup:
            reprints.setdefault(story_id, {})[article_id] = dup
        outlets.setdefault(story_id, {}).setdefault(source or "-", None)
        if mode:
            modes.setdefault(story_id, Counter())[mode] += 1
        if s.first_report is None:
            first_event[story_id] = event_id
            s.trigger, s.extractor_version = trigger, version
            s.first_report = {
                "article_id": article_id,
                "source": source,
                "url": url,
                "title": title,
                "published_at": _iso(at),
            }
    for sid, s in by_id.items():
        # A near-duplicate is a copy of this story's report only when the article it reprints
        # reports the story too; what it reports on its own (a longer text) is a report.
        articles = reports.get(sid, set())
        copies[sid] = {a for a, first in reprints.get(sid, {}).items() if first in articles}
        s.reports = len(articles - copies[sid])
        s.copies = len(copies[sid])
        s.outlets = list(outlets.get(sid, {}))
        s.mode = modes[sid].most_common(1)[0][0] if sid in modes else None
    names = session.execute(
        select(EventArgument.event_id, EventArgument.role, Entity.canonical)
        .join(Entity, Entity.id == EventArgument.entity_id)
        .where(EventArgument.event_id.in_(list(first_event.values())))
        .order_by(EventArgument.id)
    ).all()
    story_of = {e: s for s, e in first_event.items()}
    for event_id, role, name in names:
        s = by_id[story_of[event_id]]
        if role == "actor":
            s.actor_names.append(name)
        elif role == "recipient":
            s.recipient_names.append(name)
    return [by_id[s.id] for s in stories]


def _iso(at) -> str | None:
    """ISO time in UTC (SQLite hands times back without their zone)."""
    if not isinstance(at, datetime):
        return at
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).isoformat()


def iter_summaries(session: Session, q: Select, page: int = 500) -> Iterator[StorySummary]:
    """Every story of ``q`` with its summary, a page at a time (exports of any size)."""
    offset = 0
    while True:
        stories = session.scalars(q.limit(page).offset(offset)).all()
        if not stories:
            return
        yield from summaries(session, list(stories))
        offset += page


def dyad_rows(items: Iterator[StorySummary]) -> list[dict]:
    """Stories counted by (date, actor code, recipient code, PLOVER type, mode): how many story
    events (happenings) and how many reports of them."""
    counts: dict[tuple, list[int]] = {}
    for s in items:
        if not (s.actor or s.recipient):  # no dyad without a coded participant
            continue
        k = (s.date or "", s.actor or "", s.recipient or "", s.type, s.mode or "")
        c = counts.setdefault(k, [0, 0])
        c[0] += 1
        c[1] += s.reports
    return [
        {
            "date": d,
            "actor_code": a,
            "recipient_code": r,
            "plover_type": t,
            "mode": m,
            "story_events": n,
            "reports": k,
        }
        for (d, a, r, t, m), (n, k) in sorted(counts.items())
    ]


def _party(names: list[str], code: str | None) -> list[dict]:
    if not names and not code:
        return []
    out = []
    for name in names or [""]:
        p: dict = {"actorText": name}
        if code:
            p["code"] = code[:3]
            if code[3:]:
                p["sector"] = code[3:]
        out.append(p)
    return out


def plover_record(s: StorySummary) -> dict:
    """One story event as a PLOVER record (the field names of PLOVER's JSON format: id, date,
    source, target, event, eventText, mode, context, language, publication, version), with
    Khabar's counts under their own names."""
    return {
        "id": f"khabar-story-{s.id}",
        "date": s.date,
        "source": _party(s.actor_names, s.actor),
        "target": _party(s.recipient_names, s.recipient),
        "event": s.type,
        "eventText": s.trigger or "",
        "mode": s.mode or "",
        "context": "",
        "location": s.place,
        "language": "ar",
        "publication": (s.first_report or {}).get("source"),
        "version": s.extractor_version,
        "reports": s.reports,
        "copies": s.copies,
        "mentions": s.mentions,
        "outlets": s.outlets,
        "firstReport": s.first_report,
    }
