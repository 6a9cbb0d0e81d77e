"""Tables of Khabar across articles (worker/corpus): near-duplicate articles and their MinHash
index, canonical entities across spellings (merges with their reasons), and story events.

They live beside ``db/models.py`` on the same ``Base`` (migrations/env.py imports this module), and
every row is keyed so that running the work twice leaves the same rows.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Float, ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.models import Base, utcnow


class ArticleSignature(Base):
    """An article's MinHash signature, kept so that a later copy can be compared with it and a
    scan can be re-run without re-reading the texts."""

    __tablename__ = "article_signatures"

    article_id: Mapped[str] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True)
    signature: Mapped[bytes] = mapped_column(LargeBinary)
    shingles: Mapped[int]  # how many distinct shingles the article has
    # when the article appeared (published_at, else ingested_at): copies are looked for near it
    seen_at: Mapped[datetime]


class ArticleBand(Base):
    """The LSH index, shared by every worker: one row per (band key, article). Articles that share
    a key are candidates; the primary key (key, seen_at, article_id) is the lookup index: a key's
    holders in a time range, or its newest holders before a time, are one index range."""

    __tablename__ = "article_bands"

    key: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    # the article's seen_at (as ArticleSignature's), copied here so the look-up needs no join
    seen_at: Mapped[datetime] = mapped_column(primary_key=True)
    # No foreign key: its check ran for each of an article's 64 rows; a trigger deletes an
    # article's rows with it (migration 0017), and the index serves that delete.
    article_id: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)


class ArticleDuplicate(Base):
    """An article that re-publishes an earlier one: linked to the first article of its group."""

    __tablename__ = "article_duplicates"

    article_id: Mapped[str] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True)
    duplicate_of: Mapped[str] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    similarity: Mapped[float] = mapped_column(Float)  # Jaccard similarity of their word shingles
    found_at: Mapped[datetime] = mapped_column(default=utcnow)


class EntityKey(Base):
    """An entity's variant key (spelling variants folded, aliases resolved) and the country its
    mentions were coded with first: entities with one key and no conflicting country are merged."""

    __tablename__ = "entity_keys"
    __table_args__ = (Index("ix_entity_keys_type_key", "type", "key"),)

    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id", ondelete="CASCADE"), primary_key=True)
    type: Mapped[str] = mapped_column(String(8))
    key: Mapped[str] = mapped_column(Text)
    country: Mapped[str | None] = mapped_column(String(3))


class EntityMerge(Base):
    """One entity merged into a canonical one, with the rule and reason. An undone merge stays
    (``undone_at`` set) so that it is never made again automatically."""

    __tablename__ = "entity_merges"

    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id", ondelete="CASCADE"), primary_key=True)
    into_id: Mapped[int] = mapped_column(ForeignKey("entities.id", ondelete="CASCADE"), index=True)
    rule: Mapped[str] = mapped_column(String(16))  # spelling | alias
    reason: Mapped[str] = mapped_column(Text)
    merged_at: Mapped[datetime] = mapped_column(default=utcnow)
    undone_at: Mapped[datetime | None]


class Story(Base):
    """One happening, reported by one or more event mentions in one or more articles."""

    __tablename__ = "stories"
    __table_args__ = (Index("ix_stories_type_date", "type", "date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    type: Mapped[str] = mapped_column(String(16))
    date: Mapped[str | None] = mapped_column(String(10))  # the first report's event date
    actor: Mapped[str | None] = mapped_column(String(8))  # actor code: country + sector ("USAGOV")
    recipient: Mapped[str | None] = mapped_column(String(8))
    place: Mapped[str | None] = mapped_column(Text)  # the place as first reported
    place_key: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# `khabar stories` and the exports list stories newest first: this index hands them over in order.
Index("ix_stories_date_id", Story.date.desc().nulls_last(), Story.id)


class StoryMember(Base):
    """An event mention that reports a story, with the codes it was matched on."""

    __tablename__ = "story_members"

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), primary_key=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"), index=True)
    article_id: Mapped[str] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    actor: Mapped[str | None] = mapped_column(String(8))
    recipient: Mapped[str | None] = mapped_column(String(8))
