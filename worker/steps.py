"""One pipeline step against the database: load the document by article id, run the pure stage,
persist its output, pass the id on. Celery tasks (tasks.py) and the in-process runner (the demo)
both call ``run_step``; neither holds any logic of its own.
"""

from __future__ import annotations

import json
import logging
import socket
import time
from datetime import datetime
from pathlib import Path

import kombu.exceptions
import redis.exceptions
import sqlalchemy.exc
from sqlalchemy import update

from db.models import Article, utcnow
from db.session import held_session, session_scope
from db.store import (
    article_document,
    begin_step,
    commit_may_be_lost,
    count_start,
    end_step,
    record_failure,
    record_stage,
    record_stages,
    resolve_failures,
    save_results,
    set_status,
    stage_run_took,
)
from worker.corpus.hook import after_store
from worker.documents import Documents, MemoryDocuments, documents_for
from worker.settings import Settings, get_settings
from worker.stages.document import Document
from worker.stages.pipeline import ORDER, STAGES

log = logging.getLogger("khabar.steps")

STEPS: tuple[str, ...] = (*ORDER, "store")
# A late duplicate of an earlier step must not pull a finished article back to "processing".
ACTIVE = ("queued", "processing")
PREVIOUS: dict[str, str | None] = {step: (STEPS[i - 1] if i else None) for i, step in enumerate(STEPS)}

# The only errors worth retrying: the database, the network or the broker may come back. Anything
# else (a bug, an input the code cannot handle, a constraint the data breaks) fails the same way
# every time, so it goes to the failures table at once; `khabar failures retry` re-drives it after
# the fix. A database's OperationalError covers lost connections, deadlocks and serialisation
# failures; its DataError and IntegrityError are deterministic.
TRANSIENT: tuple[type[BaseException], ...] = (
    sqlalchemy.exc.OperationalError,
    sqlalchemy.exc.InterfaceError,
    sqlalchemy.exc.DisconnectionError,
    sqlalchemy.exc.TimeoutError,  # no pooled connection free in time
    kombu.exceptions.OperationalError,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    ConnectionError,
    TimeoutError,
    socket.gaierror,
)


class RedeliveryLimit(RuntimeError):
    """A worker died in this step too many times: the article is set aside as poison."""


class InjectedFailure(RuntimeError):
    """Raised by the test hook ``KHABAR_TEST_FAIL_STAGE``."""


def _test_hooks(step: str, text: str, s: Settings) -> None:
    if s.test_pause_stage == step and s.test_pause_seconds and (s.test_pause_match or "") in text:
        log.warning("test hook: pausing %.1fs in %s", s.test_pause_seconds, step)
        time.sleep(s.test_pause_seconds)
    if s.test_fail_stage == step and "POISON" in text:
        raise InjectedFailure(f"test hook: {step} fails on poison articles")


def span(step: str, until: str | None = None) -> tuple[str, ...]:
    """The stages one task runs: from ``step`` up to ``until`` (the stage of the next task of its
    chain, excluded), or to the end when nothing follows."""
    start = STEPS.index(step)
    end = STEPS.index(until) if until in STEPS and STEPS.index(until) > start else len(STEPS)
    return STEPS[start:end]


def chain_heads(s: Settings) -> tuple[str, ...]:
    """The first stage of each task of a chain, from ``s.chain`` ("normalise+segment+ner,…")."""
    groups = [tuple(g.strip() for g in group.split("+")) for group in s.chain.split(",") if group.strip()]
    if tuple(x for g in groups for x in g) != STEPS:
        raise ValueError(f"KHABAR_CHAIN must list every step once, in order, grouped with + and ,: {STEPS}")
    return tuple(g[0] for g in groups)


def run_step(
    article_id: str,
    step: str,
    s: Settings | None = None,
    documents: Documents | None = None,
    stages: tuple[str, ...] | None = None,
) -> str:
    """Run ``stages`` (default: ``step`` alone) for one article, skipping those that already ran
    for the article's extractor version (a redelivered or repeated task).

    One transaction before the stages (the start is counted, so a worker dying in them is
    noticed), then one at the end that records every stage the task ran. Each stage is marked in
    the document cache as it starts, so a worker killed in the middle leaves the stage it died in
    named (the one a failure names); a redelivery runs the task again from its first stage, from
    the cached output of the task before. Without a cache, each stage is recorded in a
    transaction of its own as it ends. The document goes from stage to stage in memory and to the
    cache at the end, for the next task."""
    s = s or get_settings()
    documents = documents if documents is not None else documents_for(s)
    stages = stages or (step,)
    # One connection for the task: its transactions are the same, but each stage's record no
    # longer checks a connection out of the pool (a ping to Postgres each time).
    with held_session() as session:
        _relax(session, s)
        # The article row names the extractor version its results are produced under: new
        # articles take the setting, `khabar reprocess --version` moves them to another.
        # Asked about the stages before the task's too: those a cache miss runs again (below).
        begun = begin_step(session, article_id, STEPS[: STEPS.index(stages[-1]) + 1])
        todo = [x for x in stages if x not in begun.done]
        if not todo:
            log.info("article %s: %s already done (redelivery), skipping", article_id, "+".join(stages))
            if STEPS[-1] in stages:
                # The results are stored: make sure the status says so, whatever raced with it.
                set_status(session, article_id, "done", STEPS[-1])
            return article_id
        starts = count_start(session, article_id, ACTIVE)
        raw = article_document(session.get(Article, article_id)) if PREVIOUS[todo[0]] is None else None
        session.commit()
        if starts > s.max_redeliveries:
            died_in = _running(article_id, begun.version, todo, documents) or todo[0]
            raise _at(
                RedeliveryLimit(
                    f"article {article_id}: step {died_in} started {starts} times without finishing "
                    f"(limit {s.max_redeliveries}); a worker died on it each time"
                ),
                died_in,
            )
        began = utcnow()
        _run_stages(session, article_id, todo, begun, raw, s, documents)
    log.info(
        "article %s: %s done in %.0f ms",
        article_id,
        "+".join(todo),
        (utcnow() - began).total_seconds() * 1000,
    )
    return article_id


def _run_stages(
    session, article_id: str, todo: list[str], begun, raw, s: Settings, documents: Documents
) -> None:
    """The stages of a task after its start. Each stage is marked in the document cache as it
    starts (what a kill names), and all are recorded in the task's last transaction; without a
    cache to mark in, each is recorded in its own transaction as it ends."""
    version = begun.version
    # An article without a publication date resolves "أمس" against the day it arrived:
    # the same answer on every reprocessing, never the day the worker happens to run.
    config = s.stage_config(reference_date=begun.ingested_at.date().isoformat())
    eager = not documents.marks
    ran: list[tuple[str, datetime, datetime]] = []  # finished, not yet recorded
    doc, at = None, PREVIOUS[todo[0]]  # the document, and the stage whose output it is
    try:
        # The first stage is marked with the load of its input (the same round trip to Redis).
        marked = raw is None and not eager
        doc = raw or documents.load(article_id, version, PREVIOUS[todo[0]], todo[0] if marked else None)
        if doc is None:
            doc, rebuilt = _rebuild(article_id, todo[0], config)
            # They ran again here: a delivery killed before recording them leaves them recorded now.
            ran = [r for r in rebuilt if r[0] not in begun.done] if not eager else []
        for stage in todo:
            started = utcnow()
            if not eager and not (marked and stage == todo[0]):
                documents.mark(article_id, version, stage)
            try:
                _test_hooks(stage, doc.text, s)
                if stage != "store":
                    doc, at = STAGES[stage](doc, config), stage
            except Exception as exc:
                _at(exc, stage)
                raise
            if stage == todo[-1]:
                if stage != "store":
                    # Before the commit below: once the step is recorded, the next may look for it.
                    documents.save(article_id, version, stage, doc)
                _finish(session, article_id, stage, version, started, doc, s, ran, eager)
                session.commit()
            elif eager:
                _relax(session, s)
                if record_stage(session, article_id, stage, version, started):
                    ran.append((stage, started, started))  # recorded: only its name counts below
                session.commit()
            else:
                ran.append((stage, started, utcnow()))
        if todo[-1] == "store":
            documents.clear(article_id, version, ORDER)
    except Exception:
        # An exception is an orderly failure, counted by the retry policy; only starts that end
        # with the process dying (kill -9, OOM) count towards the redelivery limit. What finished
        # is kept for the retry: recorded, and its document cached.
        try:
            # First: what the failed transaction holds (the article row) must not block the reset.
            session.rollback()
            if doc is not None and at is not None and at != PREVIOUS[todo[0]]:
                documents.save(article_id, version, at, doc)
            with session_scope() as fresh:
                if not eager:
                    record_stages(fresh, article_id, version, ran)
                _reset_deliveries(fresh, article_id)
        except TRANSIENT:
            pass
        raise


def _relax(session, s: Settings) -> None:
    if s.relaxed_commits:
        commit_may_be_lost(session)


def _at(exc: BaseException, stage: str) -> BaseException:
    """Mark the stage an exception came from: a task runs several, its failure names this one."""
    exc.khabar_stage = stage  # type: ignore[attr-defined]
    return exc


def failed_stage(exc: BaseException, step: str) -> str:
    return getattr(exc, "khabar_stage", step)


def stage_in_progress(article_id: str, step: str) -> str:
    """The stage a task starting at ``step`` was in when it was killed (a hard time limit): the
    one it marked last, or else the first from ``step`` on not recorded for the article's version."""
    with session_scope() as session:
        begun = begin_step(session, article_id, STEPS[STEPS.index(step) :])
    s = get_settings()
    after = [h for h in chain_heads(s) if STEPS.index(h) > STEPS.index(step)]
    rest = [x for x in span(step, after[0] if after else None) if x not in begun.done]
    if not rest:  # every stage of its task recorded: the first not done after it, as before
        return next((x for x in STEPS[STEPS.index(step) :] if x not in begun.done), step)
    return _running(article_id, begun.version, rest, documents_for(s)) or step


def _running(article_id: str, version: str, todo: list[str], documents: Documents) -> str | None:
    """The stage of ``todo`` a task marked last (a delivery that died in it), else the first."""
    marked = documents.marked(article_id, version) if todo else None
    return marked if marked in todo else (todo[0] if todo else None)


def _finish(
    session,
    article_id: str,
    step: str,
    version: str,
    started,
    doc: Document,
    s: Settings,
    ran: list[tuple[str, datetime, datetime]],
    eager: bool = False,
) -> None:
    """The end of a task in one transaction: the runs of its stages, the results (store), the
    article's status, last stage, warnings and deliveries. ``ran``: the stages this task ran
    before the last, with their times, recorded here (``eager``: recorded as they ended)."""
    if step != "store":
        _relax(session, s)
    earlier = {r[0] for r in ran} if eager else record_stages(session, article_id, version, ran)
    segmented = "segment" in earlier
    summary = None
    if step == "store":
        summary = {
            "mentions": len({(m.start, m.end) for m in doc.mentions}),
            "events": len({(e.type, e.start) for e in doc.events}),
            "attributions": len({a.start for a in doc.attributions}),
        }
    recorded = record_stage(session, article_id, step, version, started, summary)
    # Warnings describe the results of this run's segmentation, not older ones.
    segmented = segmented or (recorded and step == "segment")
    warnings = {"warnings": [w for w in [_cap_warning(doc, s)] if w]} if segmented else {}
    if recorded and step == "store":
        saved = save_results(session, doc, version)
        if s.corpus:
            after_store(session, doc, version, saved)  # duplicates, entity merges, story events
        resolve_failures(session, article_id)
        end_step(session, article_id, step, "done", **warnings)
        stage_run_took(session, article_id, step, version, started)
    elif recorded or segmented:
        end_step(session, article_id, step, "processing", only_from=ACTIVE, **warnings)
    else:
        _reset_deliveries(session, article_id)  # recorded by another delivery meanwhile


def rebuild_document(article_id: str, s: Settings | None = None) -> Document:
    """An article's document as its last stage left it, computed again from the raw article (the
    intermediate documents are not kept): for work that needs it after the fact."""
    s = s or get_settings()
    with session_scope() as session:
        begun = begin_step(session, article_id, ())
    return _rebuild(article_id, "store", s.stage_config(reference_date=begun.ingested_at.date().isoformat()))[
        0
    ]


def _rebuild(article_id: str, before: str, config) -> tuple[Document, list[tuple[str, datetime, datetime]]]:
    """The input of stage ``before`` computed again from the raw article (the cache had none):
    the stages are pure, so it is the document the earlier steps made. With the stages run and
    their times."""
    with session_scope() as session:
        article = session.get(Article, article_id)
        if article is None:
            raise LookupError(f"article {article_id} not found")
        doc = article_document(article)
    log.info("article %s: no cached input for %s, running the stages before it again", article_id, before)
    ran = []
    for stage in ORDER[: ORDER.index(before) if before in ORDER else len(ORDER)]:
        started = utcnow()
        doc = STAGES[stage](doc, config)
        ran.append((stage, started, utcnow()))
    return doc, ran


def _cap_warning(doc, s: Settings) -> str | None:
    """The segment stage stops at the caps silently (a long article loses its tail, never a
    worker): say so on the article when it did, by comparing what it covered with the text."""
    covered = doc.sentences[-1].end if doc.sentences else 0
    rest = len(doc.text[covered:].strip())
    if len(doc.sentences) >= s.max_sentences and rest:
        return (
            f"text cut at {s.max_sentences} sentences (KHABAR_MAX_SENTENCES): "
            f"the last {rest} of {len(doc.text)} characters were not analysed"
        )
    if any(len(x.tokens) >= s.max_tokens_per_sentence and x.tokens[-1].end < x.end for x in doc.sentences):
        return f"sentences cut at {s.max_tokens_per_sentence} tokens (KHABAR_MAX_TOKENS_PER_SENTENCE)"
    return None


def _reset_deliveries(session, article_id: str) -> None:
    session.execute(update(Article).where(Article.id == article_id).values(deliveries=0))


def fail(
    article_id: str, step: str, exc: BaseException, s: Settings | None = None, attempts: int = 1
) -> None:
    """Record a step that failed for good after ``attempts`` tries; the article ends ``failed``.
    When even that write is impossible (the database is down), the failure goes to the spool file
    so it is not lost."""
    s = s or get_settings()
    log.error("article %s: %s failed: %s: %s", article_id, step, type(exc).__name__, str(exc)[:500])
    try:
        with session_scope() as session:
            record_failure(
                session,
                key=f"article:{article_id}:{step}",
                stage=step,
                error=exc,
                article_id=article_id,
                payload_ref=f"article:{article_id}",
                attempts=attempts,
            )
            set_status(session, article_id, "failed")
    except TRANSIENT as db_exc:
        spool(
            s,
            {
                "article_id": article_id,
                "stage": step,
                "error_class": type(exc).__name__,
                "error": str(exc)[:4000],
                "attempts": attempts,
                "spooled_because": str(db_exc)[:500],
            },
        )


def spool(s: Settings, record: dict) -> None:
    path = Path(s.spool_path)
    record = {**record, "at": utcnow().isoformat()}
    with path.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    log.critical("database unavailable: failure spooled to %s: %s", path, record)


def run_in_process(article_id: str, s: Settings | None = None, start: str = STEPS[0]) -> bool:
    """All steps for one article in this process (the embedded mode), the documents passed from
    step to step in memory. True when it ended done."""
    s = s or get_settings()
    try:
        run_step(article_id, start, s, MemoryDocuments(), stages=STEPS[STEPS.index(start) :])
    except Exception as exc:  # noqa: BLE001 - every failure is recorded, none is dropped
        fail(article_id, failed_stage(exc, start), exc, s)
        return False
    return True
