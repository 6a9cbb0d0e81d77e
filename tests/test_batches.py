"""``worker.batches.run_batch`` in this process on the test Postgres: a batch's last transaction
keeps each article's result writes in a savepoint of its own, and a second run changes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

import worker.batches
from db.models import Article, Mention, StageRun
from db.session import session_scope
from worker.batches import run_batch
from worker.documents import MemoryDocuments
from worker.messages import RawItem
from worker.producer import EnqueueReport, store_items
from worker.settings import get_settings
from worker.steps import STEPS


def _store(n: int) -> list[str]:
    items = [
        RawItem(
            f"t#{i}",
            {
                "id": f"batch-{i}",
                "title": f"خبر {i}",
                "body": f"التقى وزير الخارجية السعودي نظيره المصري في القاهرة يوم {i} لبحث العلاقات.",
            },
        )
        for i in range(n)
    ]
    return store_items(items, get_settings(), EnqueueReport())


def _counts(ids: list[str]) -> dict[str, tuple[str, int, int]]:
    with session_scope() as s:
        status = dict(s.execute(select(Article.id, Article.status).where(Article.id.in_(ids))).all())
        runs = dict(
            s.execute(
                select(StageRun.article_id, func.count())
                .where(StageRun.article_id.in_(ids))
                .group_by(StageRun.article_id)
            ).all()
        )
        mentions = dict(
            s.execute(
                select(Mention.article_id, func.count())
                .where(Mention.article_id.in_(ids))
                .group_by(Mention.article_id)
            ).all()
        )
    return {a: (status[a], runs.get(a, 0), mentions.get(a, 0)) for a in ids}


@pytest.mark.db
def test_a_failing_result_write_rolls_back_that_article_alone(db, monkeypatch):
    ids = _store(3)
    bad = ids[1]
    save, save_many = worker.batches.save_results, worker.batches.save_results_many

    def failing(session, doc, version, entities=None):
        saved = save(session, doc, version, entities)  # rows written, then the failure: all undone
        if doc.id == bad:
            raise ValueError("a result the database refuses")
        return saved

    def failing_many(session, docs, entities=None):  # the whole batch's write, then the failure
        saved = save_many(session, docs, entities)
        if any(doc.id == bad for doc, _ in docs):
            raise ValueError("a result the database refuses")
        return saved

    monkeypatch.setattr(worker.batches, "save_results", failing)
    monkeypatch.setattr(worker.batches, "save_results_many", failing_many)
    out = run_batch(ids, STEPS[0], documents=MemoryDocuments(), stages=STEPS)
    assert sorted(out.done) == sorted(a for a in ids if a != bad) and not out.split
    assert [(a, stage, type(e).__name__) for a, stage, e in out.failed] == [(bad, "store", "ValueError")]
    counts = _counts(ids)
    assert counts[bad][1:] == (len(STEPS) - 1, 0)  # every stage recorded but store; no results
    for a in ids:
        if a != bad:
            assert counts[a][0] == "done" and counts[a][1] == len(STEPS) and counts[a][2] > 0

    # Fixed: the batch again does only what is missing, and the others are left as they were.
    monkeypatch.setattr(worker.batches, "save_results", save)
    monkeypatch.setattr(worker.batches, "save_results_many", save_many)
    out = run_batch(ids, "store", documents=MemoryDocuments(), stages=("store",))
    assert not out.failed and sorted(out.done) == sorted(ids)
    again = _counts(ids)
    assert again[bad][0] == "done" and again[bad][1] == len(STEPS) and again[bad][2] > 0
    assert {a: c for a, c in again.items() if a != bad} == {a: c for a, c in counts.items() if a != bad}


@pytest.mark.db
def test_a_redelivered_batch_is_split_before_any_stage_runs(db):
    ids = _store(2)
    with session_scope() as s:  # a delivery that started them and died
        s.execute(
            Article.__table__.update().where(Article.id.in_(ids)).values(deliveries=1, status="processing")
        )
    out = run_batch(ids, STEPS[0], documents=MemoryDocuments(), stages=STEPS[:3])
    assert sorted(out.split) == sorted(ids) and not out.done and not out.failed
    with session_scope() as s:
        assert set(s.scalars(select(Article.deliveries).where(Article.id.in_(ids)))) == {1}
        assert not s.scalar(select(func.count()).select_from(StageRun))


@pytest.mark.parametrize("size", [1, 3])
def test_send_groups_ids_into_chains_of_the_batch_size(size):
    from worker.producer import batches

    assert [len(b) for b in batches([f"a{i}" for i in range(7)], size)] == (
        [1] * 7 if size == 1 else [3, 3, 1]
    )


def test_a_batch_gets_the_time_limits_of_its_articles_together():
    from celery.contrib.testing.mocks import TaskMessage

    from worker.tasks import TASKS

    task = TASKS["normalise"]
    hard, soft = task.time_limit, task.soft_time_limit

    def limits(args):
        # as build_chain sends them: no limits in the message, the worker's own apply
        return task.Request(
            TaskMessage(task.name, id="t", args=args, timelimit=[None, None]), app=task.app, task=task
        )

    assert tuple(limits((["a", "b", "c"],)).time_limits) == (3 * hard, 3 * soft)
    assert tuple(limits(("a",)).time_limits) == (None, None)  # the worker's limits, as before batches


def test_the_document_cache_stores_tokens_as_rows_and_still_reads_dicts():
    import json
    import zlib

    from worker.documents import decode, encode
    from worker.settings import Settings
    from worker.stages.document import Document
    from worker.stages.pipeline import STAGES

    doc = Document.from_article("a1", "خبر", "التقى وزير الخارجية السعودي نظيره المصري في القاهرة.")
    config = Settings().stage_config()
    for stage in ("normalise", "segment", "ner"):
        doc = STAGES[stage](doc, config)
    raw = encode(doc)
    assert decode(raw) == doc
    assert isinstance(json.loads(zlib.decompress(raw))["sentences"][0]["tokens"][0], list)
    older = zlib.compress(json.dumps(doc.to_dict(), ensure_ascii=False).encode())  # a cache written before
    assert decode(older) == doc
    rows = zlib.compress(json.dumps(doc.to_dict(token_rows=True), ensure_ascii=False).encode())  # by json
    assert decode(rows) == doc
    assert Document.from_dict(doc.to_dict(token_rows=True)) == doc  # rows as tuples, without JSON


@pytest.mark.db
def test_the_second_task_of_a_batch_in_the_same_process_reads_no_document_from_redis(db):
    from tests.conftest import REDIS_URL
    from worker.documents import RedisDocuments

    ids = _store(3)
    documents = RedisDocuments(REDIS_URL, 60)
    first = run_batch(ids, STEPS[0], documents=documents, stages=STEPS[:3])
    assert sorted(first.done) == sorted(ids)
    reads = []
    documents.client.mget = lambda keys: reads.append(keys) or [None] * len(keys)
    second = run_batch(ids, STEPS[3], documents=documents, stages=STEPS[3:])
    assert sorted(second.done) == sorted(ids) and not second.failed and reads == []
    assert all(c[0] == "done" and c[1] == len(STEPS) for c in _counts(ids).values())


@pytest.mark.db
def test_a_hand_over_kept_in_its_process_is_rebuilt_where_another_process_runs_the_next_task(db):
    from sqlalchemy import func, select

    from db.models import Mention
    from db.session import session_scope
    from tests.conftest import REDIS_URL
    from worker.documents import RedisDocuments

    ids = _store(3)
    sender = RedisDocuments(REDIS_URL, 60)
    assert sender.local()  # a new process: its hand-overs stay in it until one is taken elsewhere
    first = run_batch(ids, STEPS[0], documents=sender, stages=STEPS[:3])
    assert sorted(first.done) == sorted(ids)
    version = get_settings().extractor_version
    assert not any(sender.client.exists(sender.key(a, version, STEPS[2])) for a in ids)  # nothing sent
    second = run_batch(ids, STEPS[3], documents=RedisDocuments(REDIS_URL, 60), stages=STEPS[3:])
    assert sorted(second.done) == sorted(ids) and not second.failed
    assert all(c[0] == "done" and c[1] == len(STEPS) for c in _counts(ids).values())
    with session_scope() as session:  # the stages before ran again there, from the raw articles
        assert (
            session.scalar(select(func.count()).select_from(Mention).where(Mention.article_id.in_(ids))) > 0
        )


@pytest.mark.db
def test_a_batch_stores_its_articles_in_one_savepoint_when_none_fails(db):
    from sqlalchemy import event

    from db.session import get_engine

    ids = _store(4)
    run_batch(ids, STEPS[0], documents=MemoryDocuments(), stages=STEPS[:-1])
    savepoints = []

    def seen(_conn, _cursor, statement, *_rest) -> None:
        if statement.startswith("SAVEPOINT"):
            savepoints.append(statement)

    event.listen(get_engine(), "before_cursor_execute", seen)
    try:
        out = run_batch(ids, "store", documents=MemoryDocuments(), stages=("store",))
    finally:
        event.remove(get_engine(), "before_cursor_execute", seen)
    assert sorted(out.done) == sorted(ids) and not out.failed
    assert len(savepoints) == 1  # the batch's results: not one per article
    assert all(c[0] == "done" and c[1] == len(STEPS) and c[2] > 0 for c in _counts(ids).values())


@pytest.mark.db
def test_a_batch_commits_its_entities_before_its_results(db, monkeypatch):
    # Another worker storing a batch with one of these names must not wait for this batch's whole
    # results transaction: the names are committed (seen by another connection) before it starts.
    from db.models import Entity
    from db.session import get_engine

    ids = _store(3)
    run_batch(ids, STEPS[0], documents=MemoryDocuments(), stages=STEPS[:-1])
    seen_elsewhere: list[set[str]] = []
    store = worker.batches._store

    def spying(session, claimed, s, known):
        with get_engine().connect() as other:
            seen_elsewhere.append(set(other.scalars(select(Entity.canonical))))
        return store(session, claimed, s, known)

    monkeypatch.setattr(worker.batches, "_store", spying)
    out = run_batch(ids, "store", documents=MemoryDocuments(), stages=("store",))
    assert sorted(out.done) == sorted(ids) and not out.failed
    with session_scope() as session:
        stored = set(
            session.scalars(
                select(Entity.canonical)
                .join(Mention, Mention.entity_id == Entity.id)
                .where(Mention.article_id.in_(ids))
            )
        )
    assert len(seen_elsewhere) == 1 and stored and stored <= seen_elsewhere[0]
