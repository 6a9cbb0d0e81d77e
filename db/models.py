"""SQLAlchemy 2.0 typed models. Every table has a natural key with a unique constraint, so every
write can be an idempotent ``INSERT … ON CONFLICT`` (see store.py). Results are keyed by the
extractor version that produced them: reprocessing with a new version adds rows beside the old ones,
and an article's ``extractor_version`` says which ones are current.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    ColumnElement,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    bindparam,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ARTICLE_STATUSES = ("queued", "processing", "done", "failed")
IN_FLIGHT = ("queued", "processing")
_IN_FLIGHT_SQL = "status IN ('queued', 'processing')"
_NOT_DONE_SQL = "status <> 'done'"


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dict[str, Any]: JSON, datetime: DateTime(timezone=True)}


class Article(Base):
    __tablename__ = "articles"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    # Text, not String(n): no input may fail an article at the database (lengths that matter are
    # checked once, in messages.py and store.py, where they can be reported or clipped).
    external_id: Mapped[str | None] = mapped_column(Text, index=True)
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    url: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(Text)  # the byline, where the message or page has one
    title: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text)
    published_at: Mapped[datetime | None]
    # The offset the producer gave with published_at, in minutes east of UTC: the time is stored in
    # UTC, and relative dates resolve against the outlet's own calendar day (ANNOTATION.md).
    published_offset: Mapped[int | None]
    ingested_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    language: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="queued", index=True)
    stage: Mapped[str | None] = mapped_column(String(32))  # last stage finished
    extractor_version: Mapped[str] = mapped_column(String(32))
    deliveries: Mapped[int] = mapped_column(Integer, default=0)  # chain starts seen by workers
    # What a user should know about the results, e.g. the text was cut at the sentence cap.
    warnings: Mapped[list[str] | None] = mapped_column(JSON)
    # When a chain was last handed to the broker: the recovery sweep leaves alone an article whose
    # chain was sent recently or is still waiting in the broker.
    sent_at: Mapped[datetime | None]

    mentions: Mapped[list[Mention]] = relationship(
        back_populates="article",
        cascade="all, delete-orphan",
        primaryjoin="Article.id == foreign(Mention.article_id)",
    )
    events: Mapped[list[Event]] = relationship(back_populates="article", cascade="all, delete-orphan")

    __table_args__ = (
        # The few articles in flight among millions done: the recovery sweep and the metrics'
        # oldest-in-flight read them without touching the rest.
        Index(
            "ix_articles_in_flight",
            "updated_at",
            postgresql_where=text(_IN_FLIGHT_SQL),
            sqlite_where=text(_IN_FLIGHT_SQL),
        ),
        # The few articles not done, counted by status without reading the millions done.
        Index(
            "ix_articles_not_done",
            "status",
            postgresql_where=text(_NOT_DONE_SQL),
            sqlite_where=text(_NOT_DONE_SQL),
        ),
    )


def in_flight() -> ColumnElement[bool]:
    """The condition of the partial index of articles in flight, with its values written into the
    SQL: Postgres uses a partial index only when it can prove the query implies the index's
    condition, which it cannot do with bound parameters."""
    values = bindparam("in_flight", list(IN_FLIGHT), expanding=True, literal_execute=True)
    return Article.status.in_(values)


def not_done() -> ColumnElement[bool]:
    """The condition of the partial index of articles not done (see ``in_flight``)."""
    return Article.status != bindparam("done", "done", literal_execute=True)


class Entity(Base):
    __tablename__ = "entities"
    __table_args__ = (
        # The unique index also serves the store step's (type, normalised) lookups.
        UniqueConstraint("type", "normalised"),
        # `events --participant` matches a substring of the name: only a trigram index serves it.
        Index(
            "ix_entities_normalised_trgm",
            "normalised",
            postgresql_using="gin",
            postgresql_ops={"normalised": "gin_trgm_ops"},
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    type: Mapped[str] = mapped_column(String(8))
    canonical: Mapped[str] = mapped_column(Text)
    normalised: Mapped[str] = mapped_column(Text)  # comparison form of canonical


# A table's look-ups by article (or by event, or by entity for event_arguments) use the unique or
# composite index that starts with that column: a separate index on the column alone was one more
# index written for every row stored and never needed for reading (migration 0016).
class Mention(Base):
    __tablename__ = "mentions"
    __table_args__ = (UniqueConstraint("article_id", "start", "end", "extractor_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # No foreign keys: their checks ran for every row (about 50 an article), and the store step
    # writes these rows only for articles its transaction has locked (the stage run it records
    # first checks its foreign key) and entities already inserted.
    # Triggers keep what the keys did: an article's delete deletes its mentions, an entity still
    # mentioned cannot be deleted (migration 0017).
    article_id: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int] = mapped_column(index=True)
    start: Mapped[int]
    end: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    # the entity's CAMEO-style actor code at the article's date (ISO alpha-3 or IGO; GOV, MIL, …)
    country: Mapped[str | None] = mapped_column(String(3))
    sector: Mapped[str | None] = mapped_column(String(3))
    # a place's GeoNames id, and a city's coordinates (WGS84 degrees)
    geonames_id: Mapped[int | None]
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    extractor_version: Mapped[str] = mapped_column(String(32))

    article: Mapped[Article] = relationship(
        back_populates="mentions", primaryjoin="foreign(Mention.article_id) == Article.id"
    )
    entity: Mapped[Entity] = relationship(primaryjoin="foreign(Mention.entity_id) == Entity.id")


class Event(Base):
    __tablename__ = "events"
    __table_args__ = (
        UniqueConstraint("article_id", "type", "trigger_start", "extractor_version"),
        # `events --place` matches a substring of the location.
        Index(
            "ix_events_location_trgm",
            "location",
            postgresql_using="gin",
            postgresql_ops={"location": "gin_trgm_ops"},
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[str] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(16))
    mode: Mapped[str | None] = mapped_column(String(32))
    trigger_text: Mapped[str] = mapped_column(Text)
    trigger_start: Mapped[int]
    trigger_end: Mapped[int]
    sentence: Mapped[int] = mapped_column(Integer, default=0)
    date: Mapped[str | None] = mapped_column(String(10))  # YYYY, YYYY-MM or YYYY-MM-DD
    location: Mapped[str | None] = mapped_column(Text)
    confidence: Mapped[float] = mapped_column(Float, default=0.5)
    modality: Mapped[str] = mapped_column(String(16), default="asserted")
    refers_back: Mapped[bool] = mapped_column(default=False)
    # the trigger start of the first mention of the happening this one reports (stages/events/
    # happenings); equal to trigger_start for that first mention
    happening_start: Mapped[int | None]
    extractor_version: Mapped[str] = mapped_column(String(32))

    article: Mapped[Article] = relationship(back_populates="events")
    arguments: Mapped[list[EventArgument]] = relationship(
        back_populates="event", cascade="all, delete-orphan"
    )


# `events` lists newest first (date DESC NULLS LAST, id), with or without a type: these indexes
# hand the rows over in that order, so a page costs its own rows, not a sort of every event.
Index("ix_events_date_id", Event.date.desc().nulls_last(), Event.id)
Index("ix_events_type_date_id", Event.type, Event.date.desc().nulls_last(), Event.id)


class EventArgument(Base):
    __tablename__ = "event_arguments"
    __table_args__ = (UniqueConstraint("event_id", "entity_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id"))
    role: Mapped[str] = mapped_column(String(16))  # actor | recipient | location
    # The event's date, copied: one index then hands over a participant's events newest first.
    event_date: Mapped[str | None] = mapped_column(String(10))
    start: Mapped[int | None]
    end: Mapped[int | None]

    event: Mapped[Event] = relationship(back_populates="arguments")
    entity: Mapped[Entity] = relationship()


Index(
    "ix_event_arguments_entity_newest",
    EventArgument.entity_id,
    EventArgument.event_date.desc().nulls_last(),
    EventArgument.event_id,
)


class Attribution(Base):
    __tablename__ = "attributions"
    __table_args__ = (UniqueConstraint("article_id", "start", "extractor_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[str] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    cue: Mapped[str] = mapped_column(Text)
    start: Mapped[int]
    end: Mapped[int]
    sentence: Mapped[int] = mapped_column(Integer, default=0)
    source: Mapped[str | None] = mapped_column(Text)
    source_kind: Mapped[str] = mapped_column(String(16), default="named")
    cited: Mapped[str | None] = mapped_column(Text)
    content_start: Mapped[int | None]
    content_end: Mapped[int | None]
    extractor_version: Mapped[str] = mapped_column(String(32))


class StageRun(Base):
    """One row per (article, stage, extractor version): a redelivered task finds it and does
    nothing. ``output`` keeps the store stage's counts only (null for the other stages): the
    intermediate documents wait between steps in the document cache (worker/documents.py),
    never here."""

    __tablename__ = "stage_runs"
    __table_args__ = (UniqueConstraint("article_id", "stage", "extractor_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[str] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    stage: Mapped[str] = mapped_column(String(32))
    extractor_version: Mapped[str] = mapped_column(String(32))
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime]
    duration_ms: Mapped[float] = mapped_column(Float)
    output: Mapped[dict[str, Any] | None]


class Failure(Base):
    """Khabar's dead-letter table: anything that failed for good, with enough to retry it.

    ``key`` is the natural key ("article:<id>:<stage>" or "input:<file>:<line>:<hash>"), so an
    error callback that fires twice bumps ``attempts`` instead of adding a row."""

    __tablename__ = "failures"
    __table_args__ = (
        # Open failures are few among many resolved ones: counted by stage and listed by age.
        Index(
            "ix_failures_open",
            "stage",
            "last_at",
            postgresql_where=text("resolved_at IS NULL"),
            sqlite_where=text("resolved_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(400), unique=True)
    article_id: Mapped[str | None] = mapped_column(String(40), index=True)
    stage: Mapped[str] = mapped_column(String(32))
    error_class: Mapped[str] = mapped_column(String(120))
    error: Mapped[str] = mapped_column(Text)
    payload_ref: Mapped[str | None] = mapped_column(Text)  # file:line, or article id
    payload: Mapped[str | None] = mapped_column(Text)  # truncated offending input
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    first_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]
    # How it was closed: "resolved" (fixed, or re-driven to done) or "dismissed" (will not be).
    resolution: Mapped[str | None] = mapped_column(String(16))


class Feed(Base):
    """An RSS/Atom feed `khabar watch` polls: what its server said last (for conditional GET),
    and how it has been failing (for back-off)."""

    __tablename__ = "feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(Text, unique=True)
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    polls: Mapped[int] = mapped_column(Integer, default=0)
    not_modified: Mapped[int] = mapped_column(Integer, default=0)  # 304 answers
    failures_in_a_row: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    next_poll_at: Mapped[datetime | None]


class FeedItem(Base):
    """An item of a feed already handled (by guid, else link): never enqueued twice."""

    __tablename__ = "feed_items"
    __table_args__ = (UniqueConstraint("feed_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    feed_id: Mapped[int] = mapped_column(ForeignKey("feeds.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(Text)
    article_id: Mapped[str | None] = mapped_column(String(40))  # None: refused (see failures)
    seen_at: Mapped[datetime] = mapped_column(default=utcnow)
