"""Idempotent writes and the reads used by tasks and the CLI. Nothing here commits: the caller's
``session_scope`` does, once per unit of work.

Every write is an ``INSERT … ON CONFLICT`` on a natural key, so running any of them twice leaves
the same rows (redelivered tasks, retried stages, a second copy of an article).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import Select, and_, bindparam, case, func, null, or_, select, text, true, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, contains_eager, defer, selectinload

from db.arrays import array_literal
from db.models import (
    Article,
    Attribution,
    Entity,
    Event,
    EventArgument,
    Failure,
    Mention,
    StageRun,
    in_flight,
    not_done,
    utcnow,
)
from worker.lang.ar.normalise import normalise_name
from worker.stages.document import Document


def _insert(session: Session, model: type):
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model)


# --- articles ---------------------------------------------------------------------------------


def add_article(session: Session, values: dict[str, Any]) -> tuple[str, bool]:
    """Store an article unless one with the same content hash exists. Returns (id, created)."""
    stmt = (
        _insert(session, Article)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["content_hash"])
        .returning(Article.id)
    )
    inserted = session.scalar(stmt)
    if inserted is not None:
        return inserted, True
    return session.scalar(select(Article.id).where(Article.content_hash == values["content_hash"])), False


def find_article(session: Session, ref: str) -> Article | None:
    """An article by Khabar id or by the producer's external id (the newest if several)."""
    article = session.get(Article, ref)
    if article is None:
        article = session.scalars(
            select(Article).where(Article.external_id == ref).order_by(Article.ingested_at.desc())
        ).first()
    return article


def set_status(
    session: Session, article_id: str, status: str, stage: str | None = None, only_from: Sequence[str] = ()
) -> bool:
    """Set an article's status; with ``only_from``, only if its status is one of those (a
    compare-and-set, so a sweep never overwrites a worker's ``done``). True if a row changed."""
    values: dict[str, Any] = {"status": status, "updated_at": utcnow()}
    if stage is not None:
        values["stage"] = stage
    stmt = update(Article).where(Article.id == article_id)
    if only_from:
        stmt = stmt.where(Article.status.in_(only_from))
    return session.execute(stmt.values(**values)).rowcount == 1


def set_warnings(session: Session, article_id: str, warnings: list[str]) -> None:
    """What a user should know about an article's current results (None when nothing)."""
    session.execute(update(Article).where(Article.id == article_id).values(warnings=warnings or None))


def count_delivery(session: Session, article_id: str) -> int:
    """Bump and return how many times a worker has started this article's chain."""
    session.execute(update(Article).where(Article.id == article_id).values(deliveries=Article.deliveries + 1))
    return session.scalar(select(Article.deliveries).where(Article.id == article_id)) or 0


def _local_time(when: datetime | None, offset_minutes: int | None) -> str | None:
    """published_at as the outlet gave it: stored in UTC (SQLite hands it back without a zone),
    shown again at the producer's offset, so its calendar day is the outlet's."""
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(timezone(timedelta(minutes=offset_minutes or 0))).isoformat()


def article_document(article: Article) -> Document:
    return Document.from_article(
        article.id,
        article.title,
        article.body,
        published_at=_local_time(article.published_at, article.published_offset),
        source=article.source,
        url=article.url,
        content_hash=article.content_hash,
    )


# --- stage runs -------------------------------------------------------------------------------


def stage_run(session: Session, article_id: str, stage: str, version: str) -> StageRun | None:
    return session.scalars(
        select(StageRun).where(
            StageRun.article_id == article_id,
            StageRun.stage == stage,
            StageRun.extractor_version == version,
        )
    ).first()


def record_stage(
    session: Session,
    article_id: str,
    stage: str,
    version: str,
    started: datetime,
    output: dict[str, Any] | None = None,
) -> bool:
    """Record a finished stage (with a small ``output``: the store step's counts of what it
    wrote). False when it was recorded already (redelivery)."""
    finished = utcnow()
    stmt = (
        _insert(session, StageRun)
        .values(
            article_id=article_id,
            stage=stage,
            extractor_version=version,
            started_at=started,
            finished_at=finished,
            duration_ms=(finished - started).total_seconds() * 1000,
            # Omitted, not None: the JSON type would store a JSON null instead of SQL NULL.
            **({"output": output} if output is not None else {}),
        )
        .on_conflict_do_nothing(index_elements=["article_id", "stage", "extractor_version"])
        .returning(StageRun.id)
    )
    return session.scalar(stmt) is not None


def record_stages(
    session: Session, article_id: str, version: str, runs: Sequence[tuple[str, datetime, datetime]]
) -> set[str]:
    """Record finished stages, (stage, started, finished) each, in one statement: those a task ran
    before its last. Returns the stages recorded now (not by an earlier delivery)."""
    recorded = record_stage_runs(session, [(article_id, st, version, a, b, None) for st, a, b in runs])
    return {stage for _, stage in recorded}


def commit_may_be_lost(session: Session) -> None:
    """Let this transaction's commit return before its WAL reaches the disk (Postgres only): a
    Postgres crash may then lose it, never corrupt anything. Only for bookkeeping that a lost
    commit leaves safe: a step that seems not to have run runs again (idempotent), and the store
    step's commit, which is synchronous, flushes every earlier one to disk."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL synchronous_commit TO OFF"))


def stage_run_took(session: Session, article_id: str, stage: str, version: str, started: datetime) -> None:
    """Set a recorded stage's end to now: for the store stage, whose work (the result writes)
    follows the insert that claims it."""
    finished = utcnow()
    session.execute(
        update(StageRun)
        .where(
            StageRun.article_id == article_id, StageRun.stage == stage, StageRun.extractor_version == version
        )
        .values(finished_at=finished, duration_ms=(finished - started).total_seconds() * 1000)
    )


@dataclass(frozen=True)
class StepStart:
    version: str
    ingested_at: datetime
    done: frozenset[str]  # those of the stages asked about that already ran for this version
    status: str = "queued"


def begin_step(session: Session, article_id: str, stages: Sequence[str]) -> StepStart:
    """The article's extractor version and arrival, and which of ``stages`` already ran under
    that version (``begin_steps`` for one article). One round trip."""
    started = begin_steps(session, [article_id], stages).get(article_id)
    if started is None:
        raise LookupError(f"article {article_id} not found")
    return started


def count_start(session: Session, article_id: str, active: Sequence[str]) -> int:
    """Mark an article in ``active`` as processing and bump how many times a worker has started
    its chain; returns that count. One statement."""
    is_active = Article.status.in_(active)
    stmt = (
        update(Article)
        .where(Article.id == article_id)
        .values(
            deliveries=Article.deliveries + 1,
            status=case((is_active, "processing"), else_=Article.status),
            updated_at=utcnow(),
        )
        .returning(Article.deliveries)
    )
    return session.scalar(stmt) or 0


_KEEP = object()
KEEP_WARNINGS = _KEEP  # end_steps: leave the articles' warnings as they are


# --- the same for a batch of articles (worker/batches.py): one statement each, not one an article


def begin_steps(session: Session, article_ids: Sequence[str], stages: Sequence[str]) -> dict[str, StepStart]:
    """``begin_step`` for many articles in one round trip (with their status), in the order of
    ``article_ids``; an unknown id is absent from the answer."""
    rows = session.execute(
        select(Article.id, Article.extractor_version, Article.ingested_at, Article.status, StageRun.stage)
        .outerjoin(
            StageRun,
            and_(
                StageRun.article_id == Article.id,
                StageRun.extractor_version == Article.extractor_version,
                StageRun.stage.in_(list(stages)),
            ),
        )
        .where(Article.id.in_(list(article_ids)))
    ).all()
    done: dict[str, set[str]] = {}
    first: dict[str, tuple] = {}
    for article_id, version, ingested_at, status, stage in rows:
        first.setdefault(article_id, (version, ingested_at, status))
        if stage is not None:
            done.setdefault(article_id, set()).add(stage)
    # In the order asked for, not the rows': a batch's articles are stored, and their events
    # matched to stories, in this order, and the rows come in whatever order the plan gives.
    return {
        a: StepStart(first[a][0], first[a][1], frozenset(done.get(a, ())), first[a][2])
        for a in dict.fromkeys(article_ids)
        if a in first
    }


def count_starts(session: Session, article_ids: Sequence[str], active: Sequence[str]) -> dict[str, int]:
    """``count_start`` for many articles in one statement: their start counts by id."""
    is_active = Article.status.in_(active)
    stmt = (
        update(Article)
        .where(Article.id.in_(list(article_ids)))
        .values(
            deliveries=Article.deliveries + 1,
            status=case((is_active, "processing"), else_=Article.status),
            updated_at=utcnow(),
        )
        .returning(Article.id, Article.deliveries)
    )
    return {a: n for a, n in session.execute(stmt)}


def uncount_starts(session: Session, article_ids: Sequence[str]) -> None:
    """Take back the start just counted: the batch is split before any stage ran."""
    session.execute(
        update(Article)
        .where(Article.id.in_(list(article_ids)), Article.deliveries > 0)
        .values(deliveries=Article.deliveries - 1)
    )


def reset_deliveries(session: Session, article_ids: Sequence[str]) -> None:
    if article_ids:
        session.execute(update(Article).where(Article.id.in_(list(article_ids))).values(deliveries=0))


def article_documents(session: Session, article_ids: Sequence[str]) -> dict[str, Document]:
    """The raw documents of many articles, in one query."""
    if not article_ids:
        return {}
    return {
        a.id: article_document(a)
        for a in session.scalars(select(Article).where(Article.id.in_(list(article_ids))))
    }


_STAGE_RUNS_PG = text(
    "INSERT INTO stage_runs (article_id, stage, extractor_version, started_at, finished_at, duration_ms, "
    "output) SELECT a, s, v, t0, t1, ms, CAST(o AS json) FROM unnest(CAST(:a AS varchar[]), "
    "CAST(:s AS varchar[]), CAST(:v AS varchar[]), CAST(:t0 AS timestamptz[]), CAST(:t1 AS timestamptz[]), "
    "CAST(:ms AS float8[]), CAST(:o AS text[])) AS r(a, s, v, t0, t1, ms, o) "
    "ON CONFLICT (article_id, stage, extractor_version) DO NOTHING RETURNING article_id, stage"
)


def record_stage_runs(
    session: Session, runs: Sequence[tuple[str, str, str, datetime, datetime, dict[str, Any] | None]]
) -> set[tuple[str, str]]:
    """Record finished stages of many articles, (article, stage, version, started, finished,
    output) each, in one statement. Returns the (article, stage) pairs recorded now (not by an
    earlier delivery)."""
    if not runs:
        return set()
    if _bulk(session):
        # One statement text whatever the number of runs (a multi-row VALUES is compiled anew for
        # each count: about 1 % of a worker's CPU); the output as JSON text, NULL for none.
        cols = list(zip(*runs, strict=True))
        params = {
            "a": array_literal(list(cols[0])),
            "s": array_literal(list(cols[1])),
            "v": array_literal(list(cols[2])),
            "t0": array_literal(list(cols[3])),
            "t1": array_literal(list(cols[4])),
            "ms": array_literal(
                [(t1 - t0).total_seconds() * 1000 for t0, t1 in zip(cols[3], cols[4], strict=True)]
            ),
            "o": array_literal([json.dumps(o) if o is not None else None for o in cols[5]]),
        }
        return {(a, stage) for a, stage in session.connection().execute(_STAGE_RUNS_PG, params)}
    rows = [
        {
            "article_id": article_id,
            "stage": stage,
            "extractor_version": version,
            "started_at": started,
            "finished_at": finished,
            "duration_ms": (finished - started).total_seconds() * 1000,
            # SQL NULL, as record_stage leaves it (None would be stored as a JSON null)
            "output": output if output is not None else null(),
        }
        for article_id, stage, version, started, finished, output in runs
    ]
    stmt = (
        _insert(session, StageRun)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["article_id", "stage", "extractor_version"])
        .returning(StageRun.article_id, StageRun.stage)
    )
    return {(a, stage) for a, stage in session.execute(stmt)}


def unrecord_stage(session: Session, article_id: str, stage: str, version: str) -> None:
    """Remove a stage run recorded in this transaction whose work failed (its savepoint rolled back)."""
    session.execute(
        StageRun.__table__.delete().where(
            StageRun.article_id == article_id, StageRun.stage == stage, StageRun.extractor_version == version
        )
    )


def stage_runs_took(session: Session, runs: Sequence[tuple[str, str, str, datetime, datetime]]) -> None:
    """Set recorded stages' times, (article, stage, version, started, finished) each: for the store
    stage of a batch, whose work (each article's result writes) follows the insert that claims it."""
    if not runs:
        return
    t = StageRun.__table__
    stmt = (
        update(t)
        .where(
            t.c.article_id == bindparam("a"),
            t.c.stage == bindparam("s"),
            t.c.extractor_version == bindparam("v"),
        )
        .values(started_at=bindparam("t"), finished_at=bindparam("f"), duration_ms=bindparam("d"))
    )
    session.connection().execute(
        stmt,
        [
            {"a": a, "s": st, "v": v, "t": started, "f": f, "d": (f - started).total_seconds() * 1000}
            for a, st, v, started, f in runs
        ],
    )


def end_steps(
    session: Session,
    article_ids: Sequence[str],
    stage: str,
    status: str,
    only_from: Sequence[str] = (),
    warnings: list[str] | None | object = _KEEP,
) -> None:
    """After a step, for many articles that end alike: their deliveries reset and (compare-and-set
    on ``only_from``, as ``set_status``) their status and last stage set; their warnings replaced
    unless ``warnings`` is KEEP_WARNINGS (the default). One statement."""
    if not article_ids:
        return
    values: dict[str, Any] = {"deliveries": 0}
    moved = {"status": status, "stage": stage, "updated_at": utcnow()}
    if only_from:
        is_from = Article.status.in_(only_from)
        moved = {k: case((is_from, v), else_=getattr(Article, k)) for k, v in moved.items()}
    values.update(moved)
    if warnings is not _KEEP:
        values["warnings"] = warnings or None
    session.execute(update(Article).where(Article.id.in_(list(article_ids))).values(**values))


def resolve_failures_of(session: Session, article_ids: Sequence[str]) -> None:
    if article_ids:
        session.execute(
            update(Failure)
            .where(Failure.article_id.in_(list(article_ids)), Failure.resolved_at.is_(None))
            .values(resolved_at=utcnow(), resolution="resolved")
        )


def end_step(
    session: Session,
    article_id: str,
    stage: str,
    status: str,
    only_from: Sequence[str] = (),
    warnings: list[str] | None | object = _KEEP,
) -> None:
    """``end_steps`` for one article."""
    end_steps(session, [article_id], stage, status, only_from, warnings)


# --- results ----------------------------------------------------------------------------------


# Longest entity name stored, in characters. Names are indexed (type, normalised), and a btree
# entry must stay under 2,704 bytes: 600 characters of up to 4 bytes each do. A longer "name" is
# extraction noise (a quoted paragraph taken for an organisation); it is clipped, never allowed to
# fail the article.
NAME_LIMIT = 600


def _entity_key(canonical: str) -> str:
    return normalise_name(canonical)[:NAME_LIMIT]


# Rows per INSERT: well under SQLite's limit on bound parameters, large enough to batch an article.
_CHUNK = 500


def _chunks(rows: list) -> Iterator[list]:
    for k in range(0, len(rows), _CHUNK):
        yield rows[k : k + _CHUNK]


@dataclass(frozen=True)
class Saved:
    """What ``save_results`` wrote, so the corpus work that follows need not read it back: entity
    ids by (type, canonical name) and event ids by (type, trigger start); ``new_events``: every
    event was inserted now (none can be in a story yet)."""

    entities: dict[tuple[str, str], int]
    events: dict[tuple[str, int], int]
    new_events: bool


def upsert_entities(session: Session, names: Sequence[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """Entity ids for (type, canonical name) pairs, inserting the entities not yet known. Names
    that normalise alike are one entity: the first canonical spelling stored is kept."""
    wanted = {(t, name): (t, _entity_key(name)) for t, name in names}
    rows: dict[tuple[str, str], dict] = {}
    for (_, name), key in wanted.items():
        rows.setdefault(key, {"type": key[0], "canonical": name[:NAME_LIMIT], "normalised": key[1]})
    # Postgres: the ids of the rows inserted now and of those already there, in one statement
    got = insert_rows(
        session,
        Entity,
        # in key order: two transactions inserting the same new names lock them in one order
        [rows[k] for k in sorted(rows)],
        ["type", "normalised"],
        ("id", "type", "normalised"),
        existing=True,
    )
    ids = {(t, n): i for i, t, n in got}
    # what the statement did not see: all on SQLite; on Postgres an entity another worker committed
    # while the statement ran
    missing = sorted(k for k in rows if k not in ids)
    for chunk in _chunks(missing):
        ids.update({(t, norm): i for i, t, norm in session.execute(entity_ids_query(chunk))})
    return {pair: ids[key] for pair, key in wanted.items()}


def entity_ids_query(keys: Sequence[tuple[str, str]]) -> Select:
    """Ids of entities by (type, normalised): the pair, not the name alone, so that the unique
    index answers it (a lookup by name alone scanned every entity)."""
    return select(Entity.id, Entity.type, Entity.normalised).where(
        tuple_(Entity.type, Entity.normalised).in_(list(keys))
    )


def _bulk(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def insert_rows(
    session: Session,
    model,
    rows: list[dict],
    conflict: list[str],
    returning: Sequence[str] = (),
    existing: bool = False,
) -> list[tuple]:
    """Insert ``rows`` (dicts with one set of keys) unless they conflict on ``conflict``; returns
    the ``returning`` columns of the rows inserted (with ``existing``, of the rows that were there
    too, as far as the statement's snapshot shows them) on Postgres, nothing elsewhere.

    On Postgres one statement whatever the number of rows: each column goes as one array and
    ``unnest`` makes the rows, so the server plans and executes one INSERT (an executemany is one
    execution per row). Elsewhere (SQLite) one statement executed with many parameter sets."""
    if not rows:
        return []
    cols = tuple(rows[0])
    if not _bulk(session):  # the caller reads back what it needs
        stmt = _insert(session, model).on_conflict_do_nothing(index_elements=conflict)
        session.connection().execute(stmt, rows)
        return []
    # A column with one value in every row (the article id, the extractor version, places' map
    # columns that are all empty) goes as one value, not an array of copies: each array element
    # is dumped by psycopg one by one and parsed again by Postgres.
    same = frozenset(
        c for c in cols if len(rows) > 1 and not existing and all(r[c] == rows[0][c] for r in rows)
    )
    if same == frozenset(cols):
        same -= {cols[0]}
    params = {
        f"c{i}": rows[0][c] if c in same else array_literal([r[c] for r in rows]) for i, c in enumerate(cols)
    }
    # the Python-side defaults an ORM or Core insert would have filled in (created_at = now …)
    for col in model.__table__.columns:
        if col.name not in cols and col.default is not None and not col.primary_key:
            value = col.default.arg(None) if col.default.is_callable else col.default.arg
            params[f"c{len(cols)}"] = value if not existing else array_literal([value] * len(rows))
            cols += (col.name,)
            if not existing:
                same |= {col.name}
    stmt = _unnest_insert(model.__table__, cols, tuple(conflict), tuple(returning), existing, same)
    result = session.connection().execute(stmt, params)
    return [tuple(r) for r in result] if returning else []


@functools.cache
def _unnest_insert(
    table,
    cols: tuple[str, ...],
    conflict: tuple[str, ...],
    returning: tuple[str, ...],
    existing: bool,
    same: frozenset[str] = frozenset(),
):
    """``same``: the columns given one value for every row (the others are arrays)."""
    dialect = postgresql.dialect()
    q = dialect.identifier_preparer.quote

    def cast(i: int, c: str, suffix: str = "") -> str:
        return f"CAST(:c{i} AS {table.c[c].type.compile(dialect=dialect)}{suffix})"

    arrays = ", ".join(cast(i, c, "[]") for i, c in enumerate(cols) if c not in same)
    names = ", ".join(q(c) for c in cols)
    if same:
        varying = ", ".join(q(c) for c in cols if c not in same)
        values = ", ".join(cast(i, c) if c in same else f"u.{q(c)}" for i, c in enumerate(cols))
        rows = f"SELECT {values} FROM unnest({arrays}) AS u({varying})"
    else:
        rows = f"SELECT * FROM unnest({arrays})"
    sql = (
        f"INSERT INTO {q(table.name)} ({names}) {rows} "
        f"ON CONFLICT ({', '.join(q(c) for c in conflict)}) DO NOTHING"
    )
    if returning:
        sql += f" RETURNING {', '.join(q(c) for c in returning)}"
    if existing:
        # the rows already there, joined on the conflict columns: the INSERT's own rows are not in
        # the statement's snapshot, so each row comes once
        on = " AND ".join(f"t.{q(c)} = v.{q(c)}" for c in conflict)
        sql = (
            f"WITH ins AS ({sql}), v AS (SELECT * FROM unnest({arrays}) AS v({names})) "
            f"SELECT {', '.join(q(c) for c in returning)} FROM ins UNION ALL "
            f"SELECT {', '.join('t.' + q(c) for c in returning)} FROM {q(table.name)} t JOIN v ON {on}"
        )
    return text(sql)


def _arg_type(by_name: dict[str, str], a) -> str:
    return a.type or by_name.get(a.name) or ("LOC" if a.role == "location" else "MISC")


def result_entities(doc: Document) -> list[tuple[str, str]]:
    """The (type, canonical name) of every entity ``save_results`` writes for ``doc``."""
    by_name = {m.canonical: m.type for m in doc.mentions}
    return [(m.type, m.canonical) for m in doc.mentions] + [
        (_arg_type(by_name, a), a.name) for e in doc.events for a in e.arguments
    ]


def save_results(
    session: Session, doc: Document, version: str, entities: dict[tuple[str, str], int] | None = None
) -> Saved:
    """Write mentions, events with their arguments, and attributions of one document: a few
    multi-row statements, not one per row (a news article has dozens of each). ``entities``: ids
    already upserted in this transaction (a batch's, in one statement), used when they cover it."""
    return save_results_many(session, [(doc, version)], entities)[0]


def save_results_many(
    session: Session,
    docs: Sequence[tuple[Document, str]],
    entities: dict[tuple[str, str], int] | None = None,
) -> list[Saved]:
    """``save_results`` for a batch of (document, extractor version): the same four inserts, each
    once for the whole batch. Returns what was saved of each document, in order."""
    known: dict[tuple[str, str], int] = dict(entities or {})
    missing = sorted({n for doc, _ in docs for n in result_entities(doc)} - set(known))
    if missing:
        known.update(upsert_entities(session, missing))
    mentions = [
        {
            "article_id": doc.id,
            "entity_id": known[(m.type, m.canonical)],
            "start": m.start,
            "end": m.end,
            "text": m.text,
            "country": m.country,
            "sector": m.sector,
            "geonames_id": m.geonames_id,
            "latitude": m.latitude,
            "longitude": m.longitude,
            "extractor_version": version,
        }
        for doc, version in docs
        for m in doc.mentions
    ]
    insert_rows(session, Mention, mentions, ["article_id", "start", "end", "extractor_version"])
    events = [
        {
            "article_id": doc.id,
            "type": e.type,
            "mode": e.mode,
            "trigger_text": e.trigger,
            "trigger_start": e.start,
            "trigger_end": e.end,
            "sentence": e.sentence,
            "date": e.date,
            "location": e.location,
            "confidence": e.confidence,
            "modality": e.modality,
            "refers_back": e.refers_back,
            "happening_start": doc.events[e.happening].start if e.happening is not None else None,
            "extractor_version": version,
        }
        for doc, version in docs
        for e in doc.events
    ]
    conflict = ["article_id", "type", "trigger_start", "extractor_version"]
    inserted = insert_rows(session, Event, events, conflict, ("article_id", "type", "trigger_start", "id"))
    event_ids: dict[str, dict[tuple[str, int], int]] = {doc.id: {} for doc, _ in docs}
    for article_id, t, start, i in inserted:
        event_ids[article_id][(t, start)] = i
    saved = []
    for doc, version in docs:
        ids = event_ids[doc.id]
        new_events = {(e.type, e.start) for e in doc.events} <= set(ids)
        if not new_events:  # stored by an earlier delivery: read back
            q = select(Event.type, Event.trigger_start, Event.id).where(
                Event.article_id == doc.id, Event.extractor_version == version
            )
            ids = event_ids[doc.id] = {(t, start): i for t, start, i in session.execute(q)}
        names = result_entities(doc)
        saved.append(Saved({n: known[n] for n in names}, ids, new_events))
    arguments = []
    for (doc, _), done in zip(docs, saved, strict=True):
        by_name = {m.canonical: m.type for m in doc.mentions}
        arguments += [
            {
                "event_id": done.events[(e.type, e.start)],
                "event_date": e.date,
                "entity_id": known[(_arg_type(by_name, a), a.name)],
                "role": a.role,
                "start": a.start,
                "end": a.end,
            }
            for e in doc.events
            for a in e.arguments
        ]
    insert_rows(session, EventArgument, arguments, ["event_id", "entity_id", "role"])
    attributions = [
        {
            "article_id": doc.id,
            "cue": a.cue,
            "start": a.start,
            "end": a.end,
            "sentence": a.sentence,
            "source": a.source,
            "source_kind": a.source_kind,
            "cited": a.cited,
            "content_start": a.content_start,
            "content_end": a.content_end,
            "extractor_version": version,
        }
        for doc, version in docs
        for a in doc.attributions
    ]
    insert_rows(session, Attribution, attributions, ["article_id", "start", "extractor_version"])
    return saved


# --- failures ---------------------------------------------------------------------------------


def record_failure(
    session: Session,
    *,
    key: str,
    stage: str,
    error: BaseException | str,
    article_id: str | None = None,
    payload_ref: str | None = None,
    payload: str | None = None,
    payload_limit: int = 2000,
    attempts: int = 1,
) -> None:
    """Upsert a failure: a second report of the same failure adds its ``attempts`` (the tries the
    reporter made: a task's retries + 1) and bumps ``last_at``, and re-opens it if it had been
    resolved."""
    error_class = (type(error).__name__ if isinstance(error, BaseException) else "InvalidInput")[:120]
    message = _storable(str(error)[:4000])
    payload = _storable(payload[:payload_limit]) if payload is not None else None
    payload_ref = _storable(payload_ref) if payload_ref is not None else None
    now = utcnow()
    stmt = _insert(session, Failure).values(
        key=_bounded_key(_storable(key)),
        article_id=article_id,
        stage=stage,
        error_class=error_class,
        error=message,
        payload_ref=payload_ref,
        payload=payload,
        attempts=attempts,
        first_at=now,
        last_at=now,
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=["key"],
        set_={
            "attempts": Failure.attempts + attempts,
            "last_at": now,
            "error_class": error_class,
            "error": message,
            "resolved_at": None,
            "resolution": None,
        },
    )
    session.execute(stmt)


def _bounded_key(key: str, limit: int = 400) -> str:
    """A failure key that fits its unique column: a long one (a deep file path in the reference)
    keeps its start and a digest of the whole, so distinct keys stay distinct."""
    if len(key) <= limit:
        return key
    import hashlib

    return key[: limit - 17] + "~" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def _storable(text: str) -> str:
    """Bad input is recorded as it came, as far as Postgres can hold it: NUL and unpaired
    surrogates are escaped."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8").replace("\x00", "\\x00")


def resolve_failures(session: Session, article_id: str) -> None:
    session.execute(
        update(Failure)
        .where(Failure.article_id == article_id, Failure.resolved_at.is_(None))
        .values(resolved_at=utcnow(), resolution="resolved")
    )


def close_failures(session: Session, ids: Sequence[int], resolution: str) -> int:
    """Close open failures by id ("resolved" or "dismissed"); returns how many were open."""
    if not ids:
        return 0
    return session.execute(
        update(Failure)
        .where(Failure.id.in_(ids), Failure.resolved_at.is_(None))
        .values(resolved_at=utcnow(), resolution=resolution)
    ).rowcount


def open_failures(
    session: Session,
    stage: str | None = None,
    ref: str | None = None,
    limit: int | None = None,
    with_payload: bool = True,
) -> Sequence[Failure]:
    """Open failures, oldest first. ``with_payload=False`` leaves the inputs (up to a megabyte
    each) in the database until one is read."""
    q = select(Failure).where(Failure.resolved_at.is_(None)).order_by(Failure.last_at).limit(limit)
    if not with_payload:
        q = q.options(defer(Failure.payload))
    if stage:
        q = q.where(Failure.stage == stage)
    if ref:
        q = q.where((Failure.article_id == ref) | (Failure.id == _int_or_none(ref)))
    return session.scalars(q).all()


def _int_or_none(s: str) -> int | None:
    return int(s) if s.isdigit() else None


# --- queries ----------------------------------------------------------------------------------


# Counting every article takes a scan of them all (a second at ten million): above this many,
# `done` (nearly all of them) is the planner's estimate of the table's size minus the others.
EXACT_COUNT_BELOW = 1_000_000


class StatusCounts(dict[str, int]):
    """Articles by status; ``approximate`` names the counts that are estimates."""

    approximate: frozenset[str] = frozenset()


def status_counts(session: Session, exact_below: int = EXACT_COUNT_BELOW) -> StatusCounts:
    """Articles by status. The statuses other than ``done`` are few and counted exactly through a
    partial index; so is ``done`` below ``exact_below`` articles, or on SQLite."""
    estimate = _estimated_rows(session, Article)
    if estimate is None or estimate < exact_below:
        rows = session.execute(select(Article.status, func.count()).group_by(Article.status)).all()
        return StatusCounts(rows)
    counts = StatusCounts(
        session.execute(select(Article.status, func.count()).where(not_done()).group_by(Article.status)).all()
    )
    counts["done"] = max(0, estimate - sum(counts.values()))
    counts.approximate = frozenset({"done"})
    return counts


def _estimated_rows(session: Session, model) -> int | None:
    """The planner's estimate of a table's rows (Postgres; None elsewhere): the last analyse's row
    density times the table's current size, read in microseconds."""
    if session.get_bind().dialect.name != "postgresql":
        return None
    plan = session.execute(text(f"EXPLAIN (FORMAT JSON) SELECT 1 FROM {model.__tablename__}")).scalar()
    plan = plan if isinstance(plan, list) else json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


def open_failure_counts(session: Session) -> dict[str, int]:
    """Open (unresolved) failures by stage."""
    rows = session.execute(
        select(Failure.stage, func.count()).where(Failure.resolved_at.is_(None)).group_by(Failure.stage)
    ).all()
    return {stage: n for stage, n in rows}


def oldest_in_flight(session: Session) -> datetime | None:
    """When the least recently advanced article still queued or processing last changed."""
    return session.scalar(select(func.min(Article.updated_at)).where(in_flight()))


def events_query(
    *,
    type_: str | None = None,
    since: str | None = None,
    until: str | None = None,
    participant: str | None = None,
    place: str | None = None,
    current_only: bool = True,
    asserted_only: bool = False,
    omit_refers_back: bool = False,
    happenings_only: bool = False,
    min_confidence: float | None = None,
    limit: int | None = None,
    after: tuple[str | None, int] | None = None,
    lateral: bool = True,
) -> Select:
    """Events filtered by type, date range (ISO dates of any precision), participant (an
    entity name, any role), place, modality and confidence, newest first. ``current_only`` keeps
    the results of each article's current extractor version. ``limit``: the page the caller will
    take (it lets a participant's page be read from an index instead of sorting all their events;
    every filter is therefore given here, not added to the statement after). ``after``: the
    (date, id) of the last event of the previous page, for keyset pages (see ``iter_events``).
    ``lateral``: whether the database has LATERAL joins for a participant's page (``has_lateral``);
    without them (SQLite, the demo's database) the participant is a plain filter."""
    conditions = []
    if current_only:
        conditions.append(Event.extractor_version == Article.extractor_version)
    if asserted_only:
        conditions.append(Event.modality == "asserted")
    if omit_refers_back:
        conditions.append(Event.refers_back.is_(False))
    if happenings_only:  # the first mention of each happening (rows from before it: each its own)
        conditions.append(or_(Event.happening_start.is_(None), Event.happening_start == Event.trigger_start))
    if min_confidence is not None:
        conditions.append(Event.confidence >= min_confidence)
    if type_:
        conditions.append(Event.type == type_.upper())
    # Dates have the precision the text gave (YYYY, YYYY-MM or YYYY-MM-DD): an event dated
    # "2023-03" overlaps since="2023-03-15", and until="2022" includes "2022-02".
    if since:
        coarser = [since[:n] for n in (4, 7) if n < len(since)]
        conditions.append(or_(Event.date >= since, Event.date.in_(coarser)))
    if until:
        bound = _after_prefix(until)
        conditions.append(
            Event.date < bound if bound else or_(Event.date <= until, Event.date.startswith(until))
        )
    if place:
        conditions.append(Event.location.contains(place))
    seek = []
    if after is not None:
        conditions += _after(Event.date, after)
        seek = _after(EventArgument.event_date, after)
    q = select(Event).join(Article).where(*conditions)
    if participant and limit and lateral:
        q = q.where(Event.id.in_(_participant_page(participant, conditions + seek, limit)))
    elif participant:
        q = q.where(Event.id.in_(participant_event_ids(participant)))
    # The arguments and their entities of a whole page in two queries, not two per event.
    q = q.options(
        contains_eager(Event.article), selectinload(Event.arguments).selectinload(EventArgument.entity)
    )
    return q.order_by(Event.date.desc().nulls_last(), Event.id)


def _after(date_column, after: tuple[str | None, int | None]) -> list:
    """Conditions for the events after ``after`` = (date, id) in newest-first order (date
    descending, undated last, then id). ``date <= d`` is a range the newest-first index seeks to;
    the tie on ``d`` is settled by id. After a dated event only dated ones follow: the undated
    are a page sequence of their own, started by (None, None)."""
    date, event_id = after
    if date is None:
        return [date_column.is_(None)] + ([] if event_id is None else [Event.id > event_id])
    return [date_column <= date, or_(date_column < date, Event.id > event_id)]


def has_lateral(session: Session) -> bool:
    """Whether the session's database has LATERAL joins (Postgres does, SQLite does not)."""
    return session.get_bind().dialect.name == "postgresql"


def iter_events(session: Session, batch: int = 1000, **filters) -> Iterator[Event]:
    """Every event ``events_query`` selects, newest first, read page by page (keyset pages of
    ``batch`` over the newest-first index): the first rows come at once and the memory stays
    that of one page, where one statement over millions of events would sort them all first."""
    after: tuple[str | None, int | None] | None = None
    while True:
        page = events_query(**filters, limit=batch, after=after, lateral=has_lateral(session))
        rows = session.scalars(page.limit(batch)).all()
        yield from rows
        session.expunge_all()  # the pages already written need not stay in the session
        if len(rows) == batch:
            after = (rows[-1].date, rows[-1].id)
        elif after is not None and after[0] is not None:
            after = (None, None)  # the dated events are done: the undated ones follow
        else:
            return


def participant_event_ids(name: str) -> Select:
    """Ids of the events with an actor or recipient whose name contains ``name`` (normalised):
    the entities through their trigram index, then their arguments."""
    return (
        select(EventArgument.event_id)
        .join(Entity)
        .where(Entity.normalised.contains(normalise_name(name)), EventArgument.role != "location")
    )


def _participant_page(name: str, conditions: list, limit: int) -> Select:
    """Ids of at most ``limit`` newest events of each entity whose name contains ``name``, that
    meet ``conditions``: for each entity, its arguments are read newest first from one index
    (entity, event date, event) and stop at the page, where a join on every event of a frequent
    name would fetch and sort them all (tens of thousands at a million articles). An entity can
    be actor and recipient of one event: two rows, hence 2 × limit."""
    entities = select(Entity.id).where(Entity.normalised.contains(normalise_name(name))).subquery()
    newest = (
        select(EventArgument.event_id)
        .join(Event, Event.id == EventArgument.event_id)
        .join(Article, Article.id == Event.article_id)
        .where(EventArgument.entity_id == entities.c.id, EventArgument.role != "location", *conditions)
        .order_by(EventArgument.event_date.desc().nulls_last(), EventArgument.event_id)
        .limit(2 * limit)
        .lateral()
    )
    return select(newest.c.event_id).select_from(entities).join(newest, true())


def _after_prefix(until: str) -> str | None:
    """The least date string above ``until`` and everything it prefixes ("2022" → "2023",
    "2022-09" → "2022-10", "2022-12" → "2022-13": only the order of the strings matters), so that
    "on or before, or within, ``until``" is one range the newest-first index can seek to, not a
    filter over every newer event. None when ``until`` is not a date of digits and dashes."""
    parts = until.split("-")
    following = str(int(parts[-1]) + 1).zfill(len(parts[-1])) if parts[-1].isdigit() else ""
    if not all(p.isdigit() for p in parts) or len(following) != len(parts[-1]):
        return None
    return "-".join([*parts[:-1], following])


def _current(session: Session, model, article: Article, order) -> Sequence:
    """Rows of ``model`` for ``article`` under its current extractor version."""
    return session.scalars(
        select(model)
        .where(model.article_id == article.id, model.extractor_version == article.extractor_version)
        .order_by(order)
    ).all()


def current_mentions(session: Session, article: Article) -> Sequence[Mention]:
    return _current(session, Mention, article, Mention.start)


def current_events(session: Session, article: Article) -> Sequence[Event]:
    return _current(session, Event, article, Event.trigger_start)


def current_attributions(session: Session, article: Article) -> Sequence[Attribution]:
    return _current(session, Attribution, article, Attribution.start)


def stalled_query(older_than: datetime, limit: int) -> Select:
    """The articles in flight (queued or processing) that have not moved, and whose chain was not
    sent, since ``older_than``: oldest first, through the partial index of articles in flight."""
    return (
        select(Article.id, Article.extractor_version)
        .where(
            in_flight(),
            Article.updated_at < older_than,
            or_(Article.sent_at.is_(None), Article.sent_at < older_than),
        )
        .order_by(Article.updated_at)
        .limit(limit)
    )


def stalled_articles(
    session: Session, older_than: datetime, steps: Sequence[str], limit: int = 10_000
) -> list[tuple[str, str]]:
    """Up to ``limit`` stalled articles (see ``stalled_query``), each with the first step that has
    not run for its extractor version: (article id, step). Two queries, whatever the number."""
    articles = session.execute(stalled_query(older_than, limit)).all()
    version = dict(articles)
    done: dict[str, set[str]] = {}
    for chunk in _chunks(list(version)):
        # By article id alone (one index probe each); runs of other versions are dropped here.
        q = select(StageRun.article_id, StageRun.stage, StageRun.extractor_version).where(
            StageRun.article_id.in_(chunk)
        )
        for article_id, stage, run_version in session.execute(q):
            if run_version == version[article_id]:
                done.setdefault(article_id, set()).add(stage)
    return [
        (article_id, next((s for s in steps if s not in done.get(article_id, ())), steps[-1]))
        for article_id, _ in articles
    ]


def requeue_stalled(session: Session, article_ids: Sequence[str], older_than: datetime) -> list[str]:
    """Compare-and-set: mark as re-sent those of ``article_ids`` that are still in flight and still
    unmoved since ``older_than`` (a worker may have taken one up meanwhile). Returns those ids."""
    now = utcnow()
    out: list[str] = []
    for chunk in _chunks(list(article_ids)):
        stmt = (
            update(Article)
            .where(Article.id.in_(chunk), in_flight(), Article.updated_at < older_than)
            .values(status="queued", updated_at=now, sent_at=now)
            .returning(Article.id)
        )
        out += session.scalars(stmt).all()
    return out


def claim_for_reprocess(
    session: Session, version: str, after: str, limit: int, ids: Sequence[str] = ()
) -> list[str]:
    """Move the next ``limit`` articles (by id, after ``after``) not yet under ``version`` to it,
    queued afresh; returns their ids. ``ids``: only those, else every done or failed article. One
    batch at a time, found by keyset on the primary key, so ten million articles are never one
    statement (nor one list of ids in memory)."""
    batch = select(Article.id).where(Article.extractor_version != version, Article.id > after)
    batch = batch.where(Article.id.in_(ids)) if ids else batch.where(Article.status.in_(("done", "failed")))
    stmt = (
        update(Article)
        .where(Article.id.in_(batch.order_by(Article.id).limit(limit).scalar_subquery()))
        .values(extractor_version=version, status="queued", stage=None, deliveries=0, updated_at=utcnow())
        .returning(Article.id)
    )
    return sorted(session.scalars(stmt))


def mark_sent(session: Session, article_ids: Sequence[str]) -> None:
    """Record that these articles' chains were handed to the broker now."""
    for chunk in _chunks(list(article_ids)):
        session.execute(update(Article).where(Article.id.in_(chunk)).values(sent_at=utcnow()))
