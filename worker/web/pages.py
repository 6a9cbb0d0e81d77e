"""What each page shows, read from the database into plain values for the templates. Reads only:
the window has no write action.

The event list runs the query behind `khabar events` (``worker.commands.query.events_page`` and
``event_record``); the status page what `khabar status` reads (``status_counts``,
``open_failure_counts``, the broker's queue depths).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from db.models import Article, Entity, Event, EventArgument, Mention
from db.store import (
    current_attributions,
    current_mentions,
    events_query,
    find_article,
    oldest_in_flight,
    open_failure_counts,
    open_failures,
    status_counts,
)
from worker.commands.query import SentenceTexts, articles_query, event_id, event_record, events_page, iso_time
from worker.web.annotate import Span, document_text, paragraphs
from worker.web.chart import events_over_time
from worker.web.filters import ArticleFilters, EventFilters

ENTITY_TYPES = {"PERS": "شخص", "ORG": "منظمة", "LOC": "مكان", "MISC": "أخرى"}
ROLES = {"actor": "فاعل", "recipient": "مفعول به", "location": "مكان"}
MODALITIES = {
    "asserted": "مؤكَّد",
    "negated": "منفي",
    "future": "مستقبلي",
    "hypothetical": "افتراضي",
    "conditional": "مشروط",
}


def actor_code(country: str | None, sector: str | None) -> str | None:
    """The CAMEO-style code as it is written: country then sector (``USAGOV``, ``RUS``)."""
    return f"{country or ''}{sector or ''}" or None


# --- the event list ---------------------------------------------------------------------------


def event_list(session: Session, filters: EventFilters) -> list[dict]:
    rows = session.scalars(events_page(session, filters.limit, **filters.query_args()))
    sentence = SentenceTexts()
    out = []
    for e in rows:
        rec = event_record(e, sentence)
        rec["participants"] = _participants(e, {})
        out.append(rec)
    return out


def _participants(event: Event, codes: dict[int, str | None]) -> dict[str, list[dict]]:
    """The event's actors and recipients (entity id, name, actor code where known), by role."""
    out: dict[str, list[dict]] = {"actor": [], "recipient": []}
    for a in sorted(event.arguments, key=lambda a: (a.start is None, a.start or 0, a.entity_id)):
        if a.role in out:
            out[a.role].append(
                {"id": a.entity_id, "name": a.entity.canonical, "code": codes.get(a.entity_id)}
            )
    return out


# --- the article list -------------------------------------------------------------------------


def article_list(session: Session, filters: ArticleFilters) -> list[dict]:
    """The articles of `khabar articles`, each with its number of events (current results)."""
    rows = session.scalars(articles_query(**filters.query_args()).limit(filters.limit)).all()
    counts = dict(
        session.execute(
            select(Event.article_id, func.count())
            .join(Article, Article.id == Event.article_id)
            .where(
                Event.article_id.in_([a.id for a in rows]),
                Event.extractor_version == Article.extractor_version,
            )
            .group_by(Event.article_id)
        ).all()
    )
    return [
        {
            "id": a.id,
            "external_id": a.external_id,
            "status": a.status,
            "published_at": iso_time(a.published_at),
            "source": a.source,
            "title": a.title or a.body[:80],
            "events": counts.get(a.id, 0),
        }
        for a in rows
    ]


# --- one article -------------------------------------------------------------------------------


@dataclass
class ArticlePage:
    article: Article
    title: list = field(default_factory=list)  # paragraphs of pieces (worker.web.annotate)
    body: list = field(default_factory=list)
    events: list[dict] = field(default_factory=list)
    entities: list[dict] = field(default_factory=list)
    attributions: list[dict] = field(default_factory=list)
    failures: list = field(default_factory=list)
    published_at: str | None = None
    mention_count: int = 0


def _entity_codes(mentions) -> dict[int, str | None]:
    """Each entity's actor code in this article: the code its mentions carry most often."""
    seen: dict[int, Counter] = {}
    for m in mentions:
        code = actor_code(m.country, m.sector)
        if code:
            seen.setdefault(m.entity_id, Counter())[code] += 1
    return {k: c.most_common(1)[0][0] for k, c in seen.items()}


def _with_entities(session: Session, mentions):
    """The mentions, their entities read in one query: each mention's ``entity`` then comes from
    the session instead of a query of its own."""
    ids = sorted({m.entity_id for m in mentions})
    session.scalars(select(Entity).where(Entity.id.in_(ids))).all()
    return mentions


def article_page(session: Session, ref: str) -> ArticlePage | None:
    article = find_article(session, ref)
    if article is None:
        return None
    mentions = _with_entities(session, current_mentions(session, article))
    events = session.scalars(
        select(Event)
        .where(Event.article_id == article.id, Event.extractor_version == article.extractor_version)
        .options(selectinload(Event.arguments).selectinload(EventArgument.entity))
        .order_by(Event.trigger_start)
    ).all()  # current_events, with the participants of all of them in two more queries, not one each
    codes = _entity_codes(mentions)
    spans = [
        Span(
            m.start,
            m.end,
            "mention",
            {
                "entity": m.entity_id,
                "type": m.entity.type,
                "name": m.entity.canonical,
                "code": codes.get(m.entity_id),
            },
        )
        for m in mentions
    ]
    sentence = SentenceTexts()
    page = ArticlePage(
        article=article, published_at=iso_time(article.published_at), mention_count=len(mentions)
    )
    for e in events:
        rec = event_record(e, sentence)
        rec["participants"] = _participants(e, codes)
        page.events.append(rec)
        label = f"{e.type}/{e.mode}" if e.mode else e.type
        spans.append(Span(e.trigger_start, e.trigger_end, "trigger", {"event": event_id(e), "label": label}))
    text, _ = document_text(article.title, article.body)
    pieces = paragraphs(text, spans)
    n_title = len(paragraphs(article.title, [])) if article.title else 0
    page.title, page.body = pieces[:n_title], pieces[n_title:]
    by_entity: dict[int, dict] = {}
    for m in mentions:
        row = by_entity.setdefault(
            m.entity_id,
            {
                "id": m.entity_id,
                "name": m.entity.canonical,
                "type": m.entity.type,
                "code": codes.get(m.entity_id),
                "count": 0,
            },
        )
        row["count"] += 1
    page.entities = sorted(
        by_entity.values(),
        key=lambda r: (list(ENTITY_TYPES).index(r["type"]) if r["type"] in ENTITY_TYPES else 9, -r["count"]),
    )
    page.attributions = [
        {
            "source": a.source,
            "kind": a.source_kind,
            "cited": a.cited,
            "cue": a.cue,
            "content": text[a.content_start : a.content_end]
            if a.content_start is not None and a.content_end
            else None,
        }
        for a in current_attributions(session, article)
    ]
    page.failures = list(open_failures(session, ref=article.id, with_payload=False))
    return page


# --- one entity --------------------------------------------------------------------------------


def _current_mentions_of(entity_id: int):
    return (
        select(Mention)
        .join(Article, Article.id == Mention.article_id)
        .where(Mention.entity_id == entity_id, Mention.extractor_version == Article.extractor_version)
    )


def _current_arguments_of(entity_id: int):
    return (
        select(EventArgument.event_id, EventArgument.role, Event.date)
        .join(Event, Event.id == EventArgument.event_id)
        .join(Article, Article.id == Event.article_id)
        .where(EventArgument.entity_id == entity_id, Event.extractor_version == Article.extractor_version)
    )


def entity_page(session: Session, entity_id: int, recent: int = 20) -> dict | None:
    entity = session.get(Entity, entity_id)
    if entity is None:
        return None
    mentions = _current_mentions_of(entity_id).subquery()
    aliases = session.execute(
        select(mentions.c.text, func.count())
        .group_by(mentions.c.text)
        .order_by(func.count().desc())
        .limit(50)
    ).all()
    codes = session.execute(
        select(mentions.c.country, mentions.c.sector, func.count())
        .where(mentions.c.country.is_not(None) | mentions.c.sector.is_not(None))
        .group_by(mentions.c.country, mentions.c.sector)
        .order_by(func.count().desc())
    ).all()
    args = _current_arguments_of(entity_id).subquery()
    roles = dict(
        session.execute(
            select(args.c.role, func.count(func.distinct(args.c.event_id))).group_by(args.c.role)
        ).all()
    )
    participant = args.c.role != "location"
    dates = session.execute(
        select(args.c.date, func.count(func.distinct(args.c.event_id)))
        .where(participant)
        .group_by(args.c.date)
    ).all()
    event_ids = select(args.c.event_id).where(participant).scalar_subquery()
    latest = session.scalars(
        events_query()  # current results, newest first, participants loaded with the page
        .where(Event.id.in_(event_ids))
        .limit(recent)
    ).all()
    articles = session.execute(
        select(Article.id, Article.title, Article.published_at, func.count())
        .join(mentions, mentions.c.article_id == Article.id)
        .group_by(Article.id, Article.title, Article.published_at)
        .order_by(Article.published_at.desc().nulls_last(), Article.id)
        .limit(recent)
    ).all()
    sentence = SentenceTexts()
    return {
        "entity": entity,
        "aliases": [{"text": t, "count": n} for t, n in aliases],
        "codes": [{"code": actor_code(c, s), "count": n} for c, s, n in codes],
        "roles": {r: roles.get(r, 0) for r in ROLES},
        "chart": events_over_time(dates),
        "events": [dict(event_record(e, sentence), participants=_participants(e, {})) for e in latest],
        "articles": [
            {"id": i, "title": t, "published_at": iso_time(p), "mentions": n} for i, t, p, n in articles
        ],
    }


# --- the pipeline ------------------------------------------------------------------------------


def status_page(session: Session, queue_depths) -> dict:
    counts = status_counts(session)
    return {
        "articles": dict(sorted(counts.items())),
        "approximate": sorted(counts.approximate),
        "total": sum(counts.values()),
        "failures": dict(sorted(open_failure_counts(session).items())),
        "oldest_in_flight": iso_time(oldest_in_flight(session)),
        "open_failures": [
            {
                "id": f.id,
                "stage": f.stage,
                "article_id": f.article_id,
                "error_class": f.error_class,
                "error": f.error[:300],
                "ref": f.payload_ref,
                "attempts": f.attempts,
                "last_at": iso_time(f.last_at),
            }
            for f in open_failures(session, limit=20, with_payload=False)
        ],
        "queues": queue_depths(),
    }
