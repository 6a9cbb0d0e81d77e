"""Story events: the event mentions of different articles and outlets that report one happening
(same type, compatible participant codes, same place, dates within ``WINDOW_DAYS``) are grouped
into one story, with its reports, outlets and first report.

Matching is incremental: each stored article's asserted events join the best compatible story or
start one. Participants are compared by actor code (country + sector, worker/stages/actors): two
codes are compatible when either is unknown or their countries agree and their sectors do not
conflict. A match needs one positive agreement (a participant's country or the place), so two
bare events of one type on one day are not one happening. Actor and recipient may be swapped
(«A met B» and «B met A» report one meeting).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from sqlalchemy import func, insert, or_, select, text, update
from sqlalchemy.orm import Session

from db.arrays import among, array_literal
from db.corpus import ArticleDuplicate, Story, StoryMember
from db.models import Article, Event
from db.store import Saved, insert_rows
from worker.lang.ar.actor_lexicon import key
from worker.stages.document import Document

WINDOW_DAYS = 2


@dataclass(frozen=True)
class Report:
    """One event mention as the matcher sees it."""

    type: str
    day: str | None  # YYYY-MM-DD
    actor: str | None  # country + sector, e.g. "USAGOV" ("USA" for the state)
    recipient: str | None
    place_key: str | None


@dataclass
class StoryView:
    id: int
    type: str
    day: str | None
    actor: str | None
    recipient: str | None
    place_key: str | None


def code(country: str | None, sector: str | None) -> str | None:
    return f"{country}{sector or ''}" if country else None


def codes_compatible(a: str | None, b: str | None) -> bool:
    if a is None or b is None:
        return True
    return a[:3] == b[:3] and (len(a) == 3 or len(b) == 3 or a[3:] == b[3:])


def _agreements(r: Report, actor: str | None, recipient: str | None, s: StoryView) -> int | None:
    if not (codes_compatible(actor, s.actor) and codes_compatible(recipient, s.recipient)):
        return None
    if r.place_key and s.place_key and r.place_key != s.place_key:
        return None
    same = [
        actor is not None and s.actor is not None,
        recipient is not None and s.recipient is not None,
        r.place_key is not None and r.place_key == s.place_key,
    ]
    return sum(same)


def days_apart(a: str | None, b: str | None) -> int | None:
    if not a or not b:
        return None
    return abs(_day_number(a) - _day_number(b))


# A report is scored against every open story of its type, whose days are a few distinct strings.
@lru_cache(maxsize=1 << 12)
def _day_number(day: str) -> int:
    return date.fromisoformat(day).toordinal()


def score(r: Report, s: StoryView, window: int = WINDOW_DAYS) -> int | None:
    """How many things ``r`` and ``s`` agree on (None when they cannot be one happening)."""
    if r.type != s.type:
        return None
    apart = days_apart(r.day, s.day)
    if apart is None or apart > window:
        return None
    best = [_agreements(r, r.actor, r.recipient, s), _agreements(r, r.recipient, r.actor, s)]
    best = [b for b in best if b]
    return max(best) if best else None


def best_story(r: Report, stories: Iterable[StoryView]) -> StoryView | None:
    scored = [(sc, -s.id, s) for s in stories if (sc := score(r, s)) is not None]
    return max(scored, key=lambda t: (t[0], t[1]))[2] if scored else None


def day_of(event_date: str | None, published_at: str | None) -> str | None:
    """The event's day: its own date when the text gave a day, else the publication day."""
    if event_date and len(event_date) == 10:
        return event_date
    return published_at[:10] if published_at else None


def reports(doc: Document) -> list[tuple[int, Report]]:
    """(index in doc.events, report) of the document's asserted events."""
    codes: dict[str, str] = {}
    for m in doc.mentions:
        c = code(m.country, m.sector)
        if c and m.canonical not in codes:
            codes[m.canonical] = c
    out = []
    for i, e in enumerate(doc.events):
        if e.modality != "asserted":
            continue
        actor = next(
            (codes.get(a.name) for a in e.arguments if a.role == "actor" and codes.get(a.name)), None
        )
        recipient = next(
            (codes.get(a.name) for a in e.arguments if a.role == "recipient" and codes.get(a.name)), None
        )
        place = key(e.location) if e.location else None
        out.append((i, Report(e.type, day_of(e.date, doc.published_at), actor, recipient, place or None)))
    return out


def passage(text: str, start: int, end: int, width: int = 4) -> str:
    """The trigger with ``width`` words either side, normalised: what a reprint keeps of the
    report around an event however its headline, dateline and paragraph order changed."""
    from worker.lang.ar.normalise import normalise

    before = normalise(text[:start]).split()[-width:]
    after = normalise(text[end:]).split()[:width]
    return " ".join([*before, normalise(text[start:end]), *after])


# --- the database side ----------------------------------------------------------------------------


def _shift(day: str, n: int) -> str:
    return (date.fromisoformat(day) + timedelta(days=n)).isoformat()


def assign_many(session: Session, items: Sequence[tuple[Document, str, Saved | None]]) -> int:
    """Put the asserted events of each stored document (document, extractor version, what
    ``save_results`` wrote for it in this transaction, if known) into stories, one document after
    another as if each were stored alone, in a few statements for the whole batch: one lock, one
    read of the open stories, the writes at the end. Matched in memory; the stories a document
    starts are open to the next ones. A document whose near-duplicate group has placed events
    first has what the batch placed written, since it looks them up in the database. Idempotent:
    an event already in a story stays there. Returns how many events joined a story."""
    found = [
        (doc, version, saved, [(i, r) for i, r in reports(doc) if r.day]) for doc, version, saved in items
    ]
    found = [f for f in found if f[3]]
    if not found:
        return 0
    reports_ = [r for *_, rs in found for _, r in rs]
    types = sorted({r.type for r in reports_})
    if session.get_bind().dialect.name == "postgresql":
        # Two workers storing reports of one happening at once must not start two stories: a lock
        # per event type, taken in one order, held to the end of the store step's transaction.
        session.execute(
            text("SELECT pg_advisory_xact_lock(hashtext(k)) FROM unnest(CAST(:keys AS text[])) AS k"),
            {"keys": [f"khabar.stories.{t}" for t in types]},
        )
    batch = _Batch(_open_stories(session, reports_, types))
    grouped = _in_groups(session, [doc.id for doc, *_ in found])
    for doc, version, saved, rs in found:
        if doc.id in grouped:
            batch.write(session)  # its group's stories are looked up in the database
        batch.place(session, doc, version, saved, rs, doc.id in grouped)
    batch.write(session)
    return batch.joined


def _open_stories(session: Session, found: list[Report], types: list[str]) -> list[StoryView]:
    """Only stories that could agree with a report on something: a participant's country or the
    place (a match needs one), read as plain rows — a busy day has thousands of stories a type.
    One read for a batch: a story that agrees with one report and not another is scored out."""
    days = [r.day for r in found]
    lo, hi = _shift(min(days), -WINDOW_DAYS), _shift(max(days), WINDOW_DAYS)
    countries = sorted({c[:3] for r in found for c in (r.actor, r.recipient) if c})
    place_keys = sorted({r.place_key for r in found if r.place_key})
    if not (countries or place_keys):
        return []
    return [
        StoryView(*row)
        for row in session.execute(
            select(Story.id, Story.type, Story.date, Story.actor, Story.recipient, Story.place_key).where(
                among(session, Story.type, types),
                Story.date >= lo,
                Story.date <= hi,
                or_(
                    among(session, func.substr(Story.actor, 1, 3), countries),
                    among(session, func.substr(Story.recipient, 1, 3), countries),
                    among(session, Story.place_key, place_keys),
                ),
            )
        )
    ]


def _in_groups(session: Session, article_ids: list[str]) -> set[str]:
    """Those of ``article_ids`` that are in a near-duplicate group (linked to an article, or an
    article linked to them): one read."""
    return {
        a
        for link in session.execute(
            select(ArticleDuplicate.article_id, ArticleDuplicate.duplicate_of).where(
                or_(
                    ArticleDuplicate.article_id.in_(article_ids),
                    ArticleDuplicate.duplicate_of.in_(article_ids),
                )
            )
        )
        for a in link
        if a in article_ids
    }


class _Batch:
    """The stories of a batch of documents as they are matched: those read, those started (under
    provisional ids until written), what the read ones learnt, and the members to write."""

    def __init__(self, open_stories: list[StoryView]) -> None:
        # A report scores only against a story of its type that agrees with it on something: a
        # participant's country (either role either way round: ``score`` tries both orders) or
        # the place. So each story is listed under what it could agree on, and a report is scored
        # against the stories of its own keys alone, not against every open story of its type.
        self.open: dict[tuple[str, str, str], list[StoryView]] = {}
        self.listed: set[int] = set()  # id() of the stories listed (those read and those started)
        for v in open_stories:
            self._list(v)
        self.by_id = {v.id: v for v in open_stories}
        self.new: dict[int, StoryView] = {}  # stories started and not yet written, by provisional id
        self.places: dict[int, str | None] = {}
        self.changed: dict[int, dict] = {}
        self.members: list[dict] = []
        self.started = 0
        self.joined = 0

    def _list(self, story: StoryView, *fields: str) -> None:
        """List ``story`` under its keys (``fields``: only those, as a story learns them)."""
        if fields and id(story) not in self.listed:  # a group's story looked up, not open here
            return
        self.listed.add(id(story))
        for field_, value in (
            ("actor", story.actor and story.actor[:3]),
            ("recipient", story.recipient and story.recipient[:3]),
            ("place_key", story.place_key),
        ):
            if value and (not fields or field_ in fields):
                self.open.setdefault((story.type, field_, value), []).append(story)

    def candidates(self, r: Report) -> list[StoryView]:
        countries = {c[:3] for c in (r.actor, r.recipient) if c}
        keys = [(r.type, f, c) for c in countries for f in ("actor", "recipient")]
        if r.place_key:
            keys.append((r.type, "place_key", r.place_key))
        return list({id(v): v for k in keys for v in self.open.get(k, ())}.values())

    def place(self, session: Session, doc: Document, version: str, saved, found, grouped: bool) -> None:
        ids, placed = _event_ids(session, doc, version, saved)
        # a near-duplicate reprints its group's reports: an event the group already placed joins
        # that story, even one with nothing to agree on (no participant code, no place)
        reprinted = _group_stories(session, doc.id, version) if grouped else {}
        for i, r in found:
            e = doc.events[i]
            event_id = ids.get((e.type, e.start))
            if event_id is None or event_id in placed:
                continue
            story = None
            if reprinted:  # the passage normalises the text before the event: only when it can match
                story = _reprinted(
                    session, reprinted.get((e.type, passage(doc.text, e.start, e.end))), self.by_id
                )
            if story is None:
                story = best_story(r, self.candidates(r))
            if story is None:
                # provisional ids sort after every stored story, which wins a tie
                story = StoryView(
                    _PROVISIONAL + self.started, r.type, r.day, r.actor, r.recipient, r.place_key
                )
                self.started += 1
                self.new[story.id], self.places[story.id] = story, e.location
                self._list(story)
            else:
                values = _fill(story, r, e.location)
                self._list(story, *(f for f in ("actor", "recipient", "place_key") if f in values))
                if story.id in self.new:  # the insert takes the story as it ends up
                    self.places[story.id] = values.get("place", self.places[story.id])
                elif values:
                    self.changed.setdefault(story.id, {}).update(values)
            placed.add(event_id)
            self.joined += 1
            self.members.append(
                {
                    "event_id": event_id,
                    "story": story,
                    "article_id": doc.id,
                    "actor": r.actor,
                    "recipient": r.recipient,
                }
            )

    def write(self, session: Session) -> None:
        """Insert the started stories (each then takes its real id), apply what the read ones
        learnt, insert the members."""
        real = _insert_stories(session, self.new, self.places)
        for provisional, story in self.new.items():
            story.id = real[provisional]
            self.by_id[story.id] = story
        _update_stories(session, self.changed)
        insert_rows(
            session,
            StoryMember,
            [
                {
                    "event_id": m["event_id"],
                    "story_id": m["story"].id,
                    "article_id": m["article_id"],
                    "actor": m["actor"],
                    "recipient": m["recipient"],
                }
                for m in self.members
            ],
            ["event_id"],
        )
        self.new, self.places, self.changed, self.members = {}, {}, {}, []


def _event_ids(session: Session, doc: Document, version: str, saved) -> tuple[dict, set]:
    """The document's event ids by (type, trigger start), and those already in a story."""
    if saved is not None and saved.new_events:
        return saved.events, set()
    ids, placed = {}, set()
    for t, start, event_id, story_id in session.execute(
        select(Event.type, Event.trigger_start, Event.id, StoryMember.story_id)
        .outerjoin(StoryMember, StoryMember.event_id == Event.id)
        .where(Event.article_id == doc.id, Event.extractor_version == version)
    ):
        ids[(t, start)] = event_id
        if story_id is not None:
            placed.add(event_id)
    return ids, placed


_FILLED = ("date", "actor", "recipient", "place", "place_key")


def _update_stories(session: Session, changed: dict[int, dict]) -> None:
    """What the stories learnt (``_fill``: only values that are not None), one statement on
    Postgres: a column a story did not learn keeps its value."""
    if not changed:
        return
    if session.get_bind().dialect.name != "postgresql":
        for story_id, values in changed.items():
            session.execute(update(Story).where(Story.id == story_id).values(**values))
        return
    order = sorted(changed)
    params = {
        "ids": array_literal(order),
        **{c: array_literal([changed[i].get(c) for i in order]) for c in _FILLED},
    }
    session.execute(_UPDATE_STORIES, params)


_UPDATE_STORIES = text(
    "UPDATE stories AS s SET "
    + ", ".join(f"{c} = COALESCE(v.{c}, s.{c})" for c in _FILLED)
    + " FROM unnest(CAST(:ids AS integer[]), CAST(:date AS varchar[]), CAST(:actor AS varchar[]), "
    "CAST(:recipient AS varchar[]), CAST(:place AS text[]), CAST(:place_key AS text[])) "
    "AS v(id, " + ", ".join(_FILLED) + ") WHERE s.id = v.id"
)


_PROVISIONAL = 10**15


def _insert_many(session: Session, stmt, rows: list[dict]):
    """Execute an INSERT for many rows through the Core connection: one statement whatever the
    rows hold. The ORM's bulk insert leaves out a row's None values and so splits the rows into
    one statement per pattern of missing codes (four or five round trips an article)."""
    return session.connection().execute(stmt, rows)


def _group_stories(session: Session, article_id: str, version: str) -> dict[tuple[str, str], int]:
    """{(event type, passage): story} of the events of the other articles of this article's
    near-duplicate group (the first article and every copy of it)."""
    # one round trip: the links from and to the article, and those to the article it copies
    first = (
        select(ArticleDuplicate.duplicate_of)
        .where(ArticleDuplicate.article_id == article_id)
        .scalar_subquery()
    )
    members = {
        m
        for link in session.execute(
            select(ArticleDuplicate.article_id, ArticleDuplicate.duplicate_of).where(
                or_(
                    ArticleDuplicate.article_id == article_id,
                    ArticleDuplicate.duplicate_of == article_id,
                    ArticleDuplicate.duplicate_of == first,
                )
            )
        )
        for m in link
    }
    members.discard(article_id)
    if not members:
        return {}
    texts = {
        i: f"{t}\n\n{b}" if t else b  # the text the pipeline's offsets refer to (Document.from_article)
        for i, t, b in session.execute(
            select(Article.id, Article.title, Article.body).where(Article.id.in_(members))
        )
    }
    out: dict[tuple[str, str], int] = {}
    for a, t, start, end, story in session.execute(
        select(Event.article_id, Event.type, Event.trigger_start, Event.trigger_end, StoryMember.story_id)
        .join(StoryMember, StoryMember.event_id == Event.id)
        .where(Event.article_id.in_(members), Event.extractor_version == version)
        .order_by(Event.article_id, Event.trigger_start)
    ):
        out.setdefault((t, passage(texts[a], start, end)), story)
    return out


def _reprinted(session: Session, story_id: int | None, known: dict[int, StoryView]) -> StoryView | None:
    if story_id is None:
        return None
    if story_id not in known:
        row = session.execute(
            select(Story.id, Story.type, Story.date, Story.actor, Story.recipient, Story.place_key).where(
                Story.id == story_id
            )
        ).first()
        if row is None:
            return None
        known[story_id] = StoryView(*row)
    return known[story_id]


def _insert_stories(
    session: Session, new: dict[int, StoryView], places: dict[int, str | None]
) -> dict[int, int]:
    """Insert the new stories in one statement; their ids by provisional id."""
    if not new:
        return {}
    order = sorted(new)
    rows = [
        {
            "type": new[k].type,
            "date": new[k].day,
            "actor": new[k].actor,
            "recipient": new[k].recipient,
            "place": places.get(k),
            "place_key": new[k].place_key,
        }
        for k in order
    ]
    if session.get_bind().dialect.name == "postgresql":
        # The ids first, then one INSERT of one text whatever the number of rows: an INSERT …
        # RETURNING in the rows' order is a statement of its own for every number of rows
        # (SQLAlchemy's sentinel form, 5-10 KB), which psycopg parsed afresh every time.
        got = sorted(session.execute(_NEXT_STORY_IDS, {"n": len(order)}).scalars())
        insert_rows(session, Story, [{"id": i, **row} for i, row in zip(got, rows, strict=True)], ["id"])
    else:
        got = (
            _insert_many(session, insert(Story).returning(Story.id, sort_by_parameter_order=True), rows)
            .scalars()
            .all()
        )
    return dict(zip(order, got, strict=True))


_NEXT_STORY_IDS = text("SELECT nextval(pg_get_serial_sequence('stories', 'id')) FROM generate_series(1, :n)")


def _fill(story: StoryView, r: Report, location: str | None) -> dict:
    """What a story learns from a report: the codes and place its first reports lacked, and the
    earliest day reported (a copy or a late report can be stored before the first one)."""
    values: dict = {}
    if r.day and story.day and r.day < story.day:
        values["date"] = story.day = r.day
    if story.actor is None and r.actor:
        values["actor"] = story.actor = r.actor
    if story.recipient is None and r.recipient:
        values["recipient"] = story.recipient = r.recipient
    if story.place_key is None and r.place_key:
        story.place_key = r.place_key
        values.update(place=location, place_key=r.place_key)
    return values


def story_ids(session: Session, event_ids: Sequence[int]) -> dict[int, int]:
    return dict(
        session.execute(
            select(StoryMember.event_id, StoryMember.story_id).where(StoryMember.event_id.in_(event_ids))
        )
    )
