"""One task's stages for a batch of articles (``KHABAR_BATCH_SIZE`` > 1): a Celery message, the
transactions and the Redis round trips are paid once a batch instead of once an article, while
every article keeps its own outcome.

The same bookkeeping as ``steps.run_step``, batched: one first transaction (which stages already
ran, the starts counted, the raw articles read), the cached inputs in one MGET, the stages article
by article, the outputs in one Redis pipeline, one last transaction (the stage runs in one insert,
the statuses in one update per outcome, the results and corpus work of the batch in one SAVEPOINT,
or of each article in one of its own once one of them failed). An article whose stage or result
writes fail deterministically is recorded on its own (failures table, status failed) and the
others commit; a transient error (database, network,
broker) retries the whole batch, which is idempotent like any redelivery.

A worker that dies with a batch (kill -9, OOM, the hard time limit) is answered by splitting the
batch: its next delivery sends each unfinished article as a chain of its own, from the same step,
so the per-article poison limit (``KHABAR_MAX_REDELIVERIES``) isolates the article that kills
workers and the others go on. Stages are not marked in Redis as they start (what names the stage
a single article's worker died in): a batch that dies is split before anything is blamed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from db.models import utcnow
from db.session import held_session, session_scope
from db.store import (
    KEEP_WARNINGS,
    article_documents,
    begin_steps,
    count_starts,
    end_steps,
    record_stage_runs,
    reset_deliveries,
    resolve_failures_of,
    result_entities,
    save_results,
    save_results_many,
    stage_runs_took,
    uncount_starts,
    unrecord_stage,
    upsert_entities,
)
from worker.corpus.hook import after_store, after_store_many
from worker.documents import Documents, documents_for
from worker.settings import Settings, get_settings
from worker.stages.document import Document
from worker.stages.pipeline import ORDER, STAGES
from worker.steps import (
    ACTIVE,
    PREVIOUS,
    STEPS,
    TRANSIENT,
    _at,
    _cap_warning,
    _rebuild,
    _relax,
    _test_hooks,
    failed_stage,
)

log = logging.getLogger("khabar.batches")


@dataclass
class Outcome:
    """What a batch task did: the articles that went through its stages (now or before), those
    that failed for good (article, stage, exception: the caller records them), and those to be
    sent as chains of their own (a delivery of this batch died)."""

    done: list[str] = field(default_factory=list)
    failed: list[tuple[str, str, BaseException]] = field(default_factory=list)
    split: list[str] = field(default_factory=list)


@dataclass
class _Article:
    id: str
    version: str
    todo: list[str]
    doc: Document | None = None
    at: str | None = None  # the stage whose output ``doc`` is
    ran: list[tuple[str, datetime, datetime]] = field(default_factory=list)
    error: BaseException | None = None
    stored: tuple[datetime, datetime] | None = None  # the store stage's start and end


def run_batch(
    article_ids: list[str],
    step: str,
    s: Settings | None = None,
    documents: Documents | None = None,
    stages: tuple[str, ...] | None = None,
) -> Outcome:
    """Run ``stages`` (default: ``step`` alone) for every article of the batch, skipping what
    already ran for each article's extractor version, and articles that failed in an earlier
    task of the batch's chain."""
    s = s or get_settings()
    documents = documents if documents is not None else documents_for(s)
    stages = stages or (step,)
    out = Outcome()
    with held_session() as session:
        _relax(session, s)
        begun = begin_steps(session, article_ids, STEPS[: STEPS.index(stages[-1]) + 1])
        for missing in (a for a in article_ids if a not in begun):  # deleted since: nothing to record it on
            log.warning("article %s not found: left out of its batch", missing)
        work: list[_Article] = []
        before = PREVIOUS[stages[0]]
        for a, b in begun.items():
            # Failed (recorded already), or its earlier stages not done: failed in an earlier task
            # of this chain, or split from this batch into a chain of its own. Not ours to run.
            if b.status == "failed" or (before is not None and before not in b.done):
                continue
            todo = [x for x in stages if x not in b.done]
            if todo:
                work.append(_Article(a, b.version, todo, at=PREVIOUS[todo[0]]))
            else:
                out.done.append(a)
        if out.done:
            log.info("%d articles: %s already done (redelivery), skipping", len(out.done), "+".join(stages))
            if STEPS[-1] in stages:  # the results are stored: make sure the status says so
                end_steps(session, out.done, STEPS[-1], "done")
        if not work:
            session.commit()
            return out
        starts = count_starts(session, [w.id for w in work], ACTIVE)
        if any(n > 1 for n in starts.values()):
            # A delivery of this batch started them and never finished: its worker died (or a
            # copy of the message runs now). Each goes on alone, where the poison limit applies.
            uncount_starts(session, [w.id for w in work])
            session.commit()
            out.split = [w.id for w in work]
            return out
        raw = article_documents(session, [w.id for w in work if w.at is None])
        session.commit()
        try:
            _run_stages(work, raw, {a: b.ingested_at for a, b in begun.items()}, documents, s)
            storing = stages[-1] == "store"
            # Before the commit below: once a step is recorded, the next may look for its output.
            # What an article that failed got to is kept too, for its retry.
            documents.save_many(
                [_cached(w) for w in work if _progressed(w) and not (storing and w.error is None)],
                handover=not storing,
            )
            known = _entities_first(session, work, s) if storing else None
            _finish(session, work, stages, s, known)
            session.commit()
            documents.save_many(
                [_cached(w) for w in work if storing and w.error is not None and _progressed(w)]
            )
        except Exception:
            # Transient (the whole batch is retried) or a bug of this code: what ran is lost, and
            # the starts are taken back (only a worker's death counts towards the poison limit).
            try:
                session.rollback()
                with session_scope() as fresh:
                    reset_deliveries(fresh, [w.id for w in work])
            except TRANSIENT:
                pass
            raise
    if stages[-1] == "store":
        documents.clear_many([(w.id, w.version) for w in work if w.error is None], ORDER)
    out.done += [w.id for w in work if w.error is None]
    out.failed += [(w.id, failed_stage(w.error, w.todo[0]), w.error) for w in work if w.error is not None]
    return out


def _progressed(w: _Article) -> bool:
    return w.doc is not None and w.at is not None and w.at != PREVIOUS[w.todo[0]]


def _cached(w: _Article) -> tuple[str, str, str, Document]:
    return (w.id, w.version, w.at, w.doc)


def _run_stages(
    work: list[_Article], raw: dict[str, Document], ingested: dict[str, datetime], documents: Documents, s
) -> None:
    """Every article's stages, its input from the raw article or the cache (one MGET), else
    rebuilt. A deterministic error ends that article only; a transient one the batch."""
    cached = documents.load_many([(w.id, w.version, w.at) for w in work if w.at is not None])
    for w in work:
        config = s.stage_config(reference_date=ingested[w.id].date().isoformat())
        try:
            w.doc = raw.get(w.id) or cached.get(w.id)
            if w.doc is None:
                w.doc, rebuilt = _rebuild(w.id, w.todo[0], config)
                w.ran = list(rebuilt)
            for stage in w.todo:
                started = utcnow()
                try:
                    _test_hooks(stage, w.doc.text, s)
                    if stage != "store":
                        w.doc, w.at = STAGES[stage](w.doc, config), stage
                except Exception as exc:
                    _at(exc, stage)
                    raise
                if stage != "store":
                    w.ran.append((stage, started, utcnow()))
        except TRANSIENT:
            raise
        except Exception as exc:  # noqa: BLE001 - recorded for this article alone
            w.error = exc  # logged when the task records it (steps.fail)


def _entities_first(session, work: list[_Article], s: Settings) -> dict[tuple[str, str], int] | None:
    """The entities of the batch's results, inserted in a short transaction of their own before
    the results' (in one statement, in one order: no deadlock between batches). In the results'
    transaction, a name new to two batches being stored at once made the second wait until the
    first had written all its results and corpus work (up to 160 ms a batch, 3 % of the pipeline's
    time on two workers). An entity left without mentions when the results then fail is a name,
    found again when they are retried. None when the insert fails deterministically: each
    article then inserts its own, in its savepoint."""
    names = sorted({n for w in work if w.error is None for n in result_entities(w.doc)})
    if not names:
        return None
    try:
        _relax(session, s)  # the results' commit, which waits for the disk, makes this one durable
        known = upsert_entities(session, names)
        session.commit()
        return known
    except TRANSIENT:
        raise
    except Exception:  # noqa: BLE001 - each article then upserts its own, in its savepoint
        session.rollback()
        log.exception("batch entity upsert failed: each article upserts its own")
        return None


def _finish(
    session, work: list[_Article], stages: tuple[str, ...], s: Settings, known: dict | None = None
) -> None:
    """The batch's last transaction: stage runs, results (each article in a savepoint), statuses.
    ``known``: the ids of the results' entities (``_entities_first``)."""
    storing = stages[-1] == "store"
    if not storing:
        _relax(session, s)
    runs = [(w.id, stage, w.version, t0, t1, None) for w in work for stage, t0, t1 in w.ran]
    ok = [w for w in work if w.error is None]
    if storing:
        now = utcnow()
        runs += [(w.id, "store", w.version, now, now, _summary(w.doc)) for w in ok]
    recorded = record_stage_runs(session, runs)
    if storing:
        claimed = [w for w in ok if (w.id, "store") in recorded]
        _store(session, claimed, s, known)
        stored = [w for w in claimed if w.error is None]
        ids = [w.id for w in stored]
        resolve_failures_of(session, ids)
        for warnings, done in _by_warnings(stored, recorded, s).items():
            end_steps(session, done, "store", "done", warnings=_warnings(warnings))
        stage_runs_took(session, [(w.id, "store", w.version, *w.stored) for w in stored])
        # Recorded by another delivery meanwhile, or failed: only their deliveries reset.
        reset_deliveries(session, [w.id for w in work if w not in stored])
        return
    moving = [w for w in work if w.error is None and any(a == w.id for a, _ in recorded)]
    for key, ids in _by_warnings(moving, recorded, s).items():
        end_steps(session, ids, stages[-1], "processing", only_from=ACTIVE, warnings=_warnings(key))
    reset_deliveries(session, [w.id for w in work if w not in moving])


def _by_warnings(work, recorded, s: Settings) -> dict[tuple[str | None] | None, list[str]]:
    """Article ids grouped by the warnings to set on them: those whose segmentation this task
    recorded by its cap warning (warnings describe this run's segmentation, not older ones),
    the others under None (left as they are)."""
    out: dict[tuple[str | None] | None, list[str]] = {}
    for w in work:
        segmented = (w.id, "segment") in recorded
        out.setdefault((_cap_warning(w.doc, s),) if segmented else None, []).append(w.id)
    return out


def _warnings(key: tuple[str | None] | None):
    return KEEP_WARNINGS if key is None else [x for x in key if x]


def _store(session, claimed: list[_Article], s: Settings, known: dict | None) -> None:
    """Results and corpus work of the claimed articles, all in one savepoint; when one fails
    deterministically, each again in a savepoint of its own: the one that fails is rolled back
    (its store run too) and recorded by the caller."""
    if len(claimed) > 1:
        # First the whole batch in one savepoint, its corpus work in a few statements for all its
        # articles; only when an article fails is it undone and done again article by article,
        # in the same order.
        try:
            with session.begin_nested():
                started = utcnow()
                saved = save_results_many(session, [(w.doc, w.version) for w in claimed], known)
                if s.corpus:
                    after_store_many(
                        session, [(w.doc, w.version, x) for w, x in zip(claimed, saved, strict=True)]
                    )
                share = (utcnow() - started) / len(claimed)  # each article's share of the step
                for w in claimed:
                    w.stored = (started, started + share)
            return
        except TRANSIENT:
            raise
        except Exception:  # noqa: BLE001 - the article that fails is found below
            log.info("a result write failed in a batch of %d: each article again on its own", len(claimed))
            for w in claimed:
                w.stored = None
    for w in claimed:
        started = utcnow()
        try:
            with session.begin_nested():
                _store_one(session, w, known, s)
            w.stored = (started, utcnow())
        except TRANSIENT:
            raise
        except Exception as exc:  # noqa: BLE001 - recorded for this article alone
            w.error = _at(exc, "store")
            unrecord_stage(session, w.id, "store", w.version)


def _store_one(session, w: _Article, known, s: Settings) -> None:
    saved = save_results(session, w.doc, w.version, known)
    if s.corpus:
        after_store(session, w.doc, w.version, saved)


def _summary(doc: Document) -> dict[str, int]:
    return {
        "mentions": len({(m.start, m.end) for m in doc.mentions}),
        "events": len({(e.type, e.start) for e in doc.events}),
        "attributions": len({a.start for a in doc.attributions}),
    }
