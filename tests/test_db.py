"""Database tests on a real Postgres database created for the run (see conftest.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select, text

from db.migrate import check, upgrade
from db.models import Article, Entity, Event, EventArgument, Failure, Mention, StageRun
from db.session import get_engine, session_scope
from db.store import add_article, record_failure, record_stage, save_results
from tests.conftest import TWO_TASK_CHAIN
from worker.documents import MemoryDocuments
from worker.messages import InvalidArticle, validate
from worker.stages.document import Argument, Attribution, Document
from worker.stages.document import Event as DocEvent
from worker.stages.document import Mention as DocMention
from worker.steps import STEPS, run_in_process, run_step

pytestmark = pytest.mark.db
ROOT = Path(__file__).resolve().parent.parent
SEED_LINE = (ROOT / "seeds" / "000_seed_lavrov.jsonl").read_text(encoding="utf-8").splitlines()[0]


def count(model) -> int:
    with session_scope() as s:
        return s.scalar(select(func.count()).select_from(model))


def store_seed() -> str:
    with session_scope() as s:
        article_id, created = add_article(s, validate(SEED_LINE).row("1"))
    assert created
    return article_id


def test_migration_creates_every_table_and_matches_the_models(db):
    names = set(inspect(get_engine()).get_table_names())
    assert {
        "articles",
        "entities",
        "mentions",
        "events",
        "event_arguments",
        "stage_runs",
        "failures",
    } <= names
    check(db)  # raises on drift between models and migrations


def test_migration_runs_on_an_empty_database_and_sqlite(tmp_path, pg_url):
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    admin = create_engine(make_url(pg_url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    name = make_url(pg_url).database + "_empty"
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = make_url(pg_url).set(database=name).render_as_string(hide_password=False)
        upgrade(url)
        check(url)
        engine = create_engine(url)
        assert "failures" in inspect(engine).get_table_names()
        engine.dispose()
    finally:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()
    sqlite_url = f"sqlite:///{tmp_path / 'k.db'}"
    upgrade(sqlite_url)
    check(sqlite_url)


def test_same_article_twice_is_one_row(db):
    first = store_seed()
    with session_scope() as s:
        again, created = add_article(s, validate(SEED_LINE).row("1"))
    assert (again, created) == (first, False)
    assert count(Article) == 1


def test_stage_recorded_once(db):
    article_id = store_seed()
    from db.models import utcnow

    with session_scope() as s:
        assert record_stage(s, article_id, "normalise", "1", utcnow())
    with session_scope() as s:
        assert not record_stage(s, article_id, "normalise", "1", utcnow())
    assert count(StageRun) == 1


def test_results_written_twice_leave_the_same_rows(db):
    article_id = store_seed()
    doc = Document.from_article(
        article_id,
        "",
        "x" * 50,
        mentions=(
            DocMention("لافروف", "PERS", 0, 6, "سيرغي لافروف"),
            DocMention("بلافروف", "PERS", 11, 17, "سيرغي لافروف"),
            DocMention("نيويورك", "LOC", 20, 27, "نيويورك"),
        ),
        events=(
            DocEvent(
                "CONSULT",
                "محادثات",
                30,
                37,
                0,
                mode="meet",
                date="2023-04",
                location="نيويورك",
                arguments=(
                    Argument("recipient", "سيرغي لافروف", "PERS", 0, 6),
                    Argument("location", "نيويورك", "LOC", 20, 27),
                ),
            ),
        ),
    )
    for _ in range(2):
        with session_scope() as s:
            save_results(s, doc, "1")
    assert (count(Mention), count(Entity), count(Event), count(EventArgument)) == (3, 2, 1, 2)


def test_failure_reported_twice_is_one_row_with_two_attempts(db):
    for _ in range(2):
        with session_scope() as s:
            record_failure(s, key="article:x:ner", stage="ner", error=RuntimeError("boom"), article_id="x")
    with session_scope() as s:
        (f,) = s.scalars(select(Failure)).all()
        assert (f.attempts, f.error_class, f.error) == (2, "RuntimeError", "boom")


def test_steps_in_process_on_postgres_then_rerun_changes_nothing(db):
    article_id = store_seed()
    assert run_in_process(article_id)
    snapshot = table_snapshot()
    for step in STEPS:  # a redelivered or hand-re-run stage
        run_step(article_id, step)
    assert table_snapshot() == snapshot
    with session_scope() as s:
        article = s.get(Article, article_id)
        assert (article.status, article.stage) == ("done", "store")
        names = set(s.scalars(select(Entity.canonical)))
    assert {"سيرغي لافروف", "نيويورك", "أوكرانيا"} <= names


def test_steps_with_no_cached_document_rebuild_it_and_store_the_same_results(db):
    """A step whose input is not in the cache (expired, Redis restarted, no cache at all) runs
    the earlier stages again from the raw article: the same rows as the in-process run, and no
    intermediate document left in Postgres."""
    from sqlalchemy import update

    from db.models import Attribution as AttributionRow
    from worker.documents import NoDocuments

    first = store_seed()
    assert run_in_process(first)
    expected = table_snapshot()
    with session_scope() as s:
        s.execute(
            text("TRUNCATE mentions, events, event_arguments, attributions, entities, stage_runs CASCADE")
        )
        s.execute(update(Article).values(status="queued", stage=None))
    for step in STEPS:
        run_step(first, step, documents=NoDocuments())
    assert _without_ids(table_snapshot()) == _without_ids(expected)
    with session_scope() as s:
        outputs = dict(s.execute(select(StageRun.stage, StageRun.output)).all())
    assert set(outputs) == set(STEPS)
    assert {k: v for k, v in outputs.items() if v is not None} == {
        "store": {"mentions": count(Mention), "events": count(Event), "attributions": count(AttributionRow)}
    }
    # Work after the fact (the corpus backfill) gets the last stage's document the same way.
    from worker.steps import rebuild_document

    doc = rebuild_document(first)
    assert (len({(m.start, m.end) for m in doc.mentions}), len(doc.events)) == (count(Mention), count(Event))


def test_a_task_records_its_stages_at_its_end_and_a_failure_keeps_what_finished(db):
    """With a cache to mark the running stage in, a task records the stages it ran in its last
    transaction, each with its own times; a stage that raises still leaves the ones before it
    recorded and their document cached, so a retry goes on from the failed stage."""
    from worker.settings import get_settings
    from worker.steps import InjectedFailure

    first = store_seed()
    documents = MemoryDocuments()
    run_step(first, "normalise", documents=documents, stages=("normalise", "segment", "ner"))
    with session_scope() as s:
        runs = {r.stage: r for r in s.scalars(select(StageRun).where(StageRun.article_id == first))}
        version = s.get(Article, first).extractor_version
    assert set(runs) == {"normalise", "segment", "ner"}
    assert runs["normalise"].finished_at <= runs["segment"].started_at <= runs["ner"].started_at
    assert documents.load(first, version, "ner") is not None

    with session_scope() as s:
        poison, _ = add_article(s, validate(json.dumps({"body": "قال الوزير POISON في بيان"})).row("1"))
    failing = get_settings().model_copy(update={"test_fail_stage": "ner"})
    with pytest.raises(InjectedFailure) as raised:
        run_step(poison, "normalise", failing, documents, stages=("normalise", "segment", "ner"))
    assert raised.value.khabar_stage == "ner"
    with session_scope() as s:
        assert set(s.scalars(select(StageRun.stage).where(StageRun.article_id == poison))) == {
            "normalise",
            "segment",
        }
    assert documents.load(poison, version, "segment") is not None


def test_a_kill_is_named_by_the_stage_the_task_marked_last(db, monkeypatch):
    """A worker killed in a stage records nothing of its task: the stage it died in is the one
    it marked as it started. A marker from another task (not of this span) is not believed."""
    from worker import steps
    from worker.settings import get_settings
    from worker.steps import RedeliveryLimit, stage_in_progress

    # a chain of two tasks (the default is one), so that a stage can belong to another task
    monkeypatch.setenv("KHABAR_CHAIN", TWO_TASK_CHAIN)
    get_settings.cache_clear()
    article_id = store_seed()
    with session_scope() as s:
        version = s.get(Article, article_id).extractor_version
    documents = MemoryDocuments()
    monkeypatch.setattr(steps, "documents_for", lambda _s: documents)
    documents.mark(article_id, version, "segment")
    assert stage_in_progress(article_id, "normalise") == "segment"  # the hard time limit's case
    capped = get_settings().model_copy(update={"max_redeliveries": 0})
    with pytest.raises(RedeliveryLimit) as raised:
        run_step(article_id, "normalise", capped, documents, stages=("normalise", "segment", "ner"))
    assert raised.value.khabar_stage == "segment"
    documents.mark(article_id, version, "events")
    assert stage_in_progress(article_id, "normalise") == "normalise"
    with pytest.raises(RedeliveryLimit) as raised:
        run_step(article_id, "normalise", capped, documents, stages=("normalise", "segment", "ner"))
    assert raised.value.khabar_stage == "normalise"


def _without_ids(snapshot: str) -> list:
    """Rows compared by content: ids differ once tables are truncated and written again."""
    return {
        table: sorted(
            json.dumps({k: v for k, v in r.items() if not k.endswith("id")}, sort_keys=True) for r in rows
        )
        for table, rows in json.loads(snapshot).items()
    }


def table_snapshot() -> str:
    out = {}
    with get_engine().connect() as c:
        for table in ("mentions", "events", "event_arguments", "entities", "stage_runs", "attributions"):
            rows = c.execute(text(f"SELECT * FROM {table} ORDER BY id")).mappings().all()
            out[table] = [
                {k: v for k, v in r.items() if k not in ("started_at", "finished_at", "duration_ms")}
                for r in rows
            ]
    return json.dumps(out, default=str, sort_keys=True)


def test_event_filters_by_type_date_participant_and_place(db):
    from db.store import events_query, iter_events

    article_id = store_seed()
    lavrov, blinken = (
        Argument("actor", "سيرغي لافروف", "PERS"),
        Argument("recipient", "أنتوني بلينكن", "PERS"),
    )
    doc = Document.from_article(
        article_id,
        "",
        "x",
        events=(
            DocEvent(
                "CONSULT",
                "محادثات",
                10,
                17,
                0,
                date="2023-04",
                location="نيويورك",
                arguments=(Argument("recipient", "سيرغي لافروف", "PERS"),),
            ),
            DocEvent(
                "ASSAULT",
                "حرباً",
                30,
                35,
                1,
                date="2022-02",
                arguments=(Argument("actor", "روسيا", "LOC"), Argument("recipient", "أوكرانيا", "LOC")),
            ),
            DocEvent("CONSULT", "لقاء", 50, 54, 2, date="2023-03", arguments=(lavrov, blinken)),
            DocEvent(  # Blinken as actor and recipient: one event, not two
                "COERCE",
                "عقوبات",
                40,
                47,
                2,
                date="2023-01",
                arguments=(Argument("actor", "أنتوني بلينكن", "PERS"), blinken),
            ),
            DocEvent("AID", "تقديم", 60, 65, 3),
            DocEvent("AID", "مساعدات", 70, 78, 3),
            DocEvent("PROTEST", "تظاهرة", 80, 86, 4, date="2023-01"),  # a tie on a date
        ),
    )
    with session_scope() as s:
        save_results(s, doc, "1")

    def found(**filters) -> list[tuple[str, str | None]]:
        with session_scope() as s:
            rows = [(e.type, e.date) for e in s.scalars(events_query(**filters))]
            # A page (what `khabar events --limit N` asks): the same events, the first N of them.
            for n in (1, 2, 50):
                page = events_query(**filters, limit=n).limit(n)
                assert [(e.type, e.date) for e in s.scalars(page)] == rows[:n], (filters, n)
            # What `export` reads: keyset pages, ties on a date and the undated across page ends.
            for batch in (1, 2, 3):
                assert [(e.type, e.date) for e in iter_events(s, batch, **filters)] == rows, (filters, batch)
            return rows

    assert found() == [
        ("CONSULT", "2023-04"),
        ("CONSULT", "2023-03"),
        ("COERCE", "2023-01"),
        ("PROTEST", "2023-01"),
        ("ASSAULT", "2022-02"),
        ("AID", None),
        ("AID", None),
    ]
    assert found(type_="consult") == [("CONSULT", "2023-04"), ("CONSULT", "2023-03")]
    assert found(since="2023-03") == [("CONSULT", "2023-04"), ("CONSULT", "2023-03")]
    assert found(until="2023-01") == [("COERCE", "2023-01"), ("PROTEST", "2023-01"), ("ASSAULT", "2022-02")]
    assert found(until="2022") == [("ASSAULT", "2022-02")]
    assert found(since="2023-03-01", until="2023-03") == [("CONSULT", "2023-03")]
    assert found(participant="بلينكن") == [("CONSULT", "2023-03"), ("COERCE", "2023-01")]
    assert found(participant="بلينكن", type_="COERCE") == [("COERCE", "2023-01")]
    # Every filter is applied before a participant's page is cut, not after it.
    assert found(participant="بلينكن", min_confidence=0.5, omit_refers_back=True, asserted_only=True) == [
        ("CONSULT", "2023-03"),
        ("COERCE", "2023-01"),
    ]
    assert found(participant="بلينكن", min_confidence=0.9) == []
    assert found(participant="لافروف") == [("CONSULT", "2023-04"), ("CONSULT", "2023-03")]
    assert found(participant="سيرغى لافروف") == found(participant="لافروف")  # normalised match
    assert found(place="نيويورك") == [("CONSULT", "2023-04")]
    assert found(participant="no such person") == []


def test_a_sweep_never_overwrites_done_and_a_redelivered_store_repairs_the_status(db):
    from db.store import set_status

    article_id = store_seed()
    assert run_in_process(article_id)
    with session_scope() as s:
        assert not set_status(s, article_id, "queued", only_from=("queued", "processing"))
        assert s.get(Article, article_id).status == "done"
        set_status(s, article_id, "queued")  # as a sweep that raced with the last step would have
    run_step(article_id, "store")  # the re-sent step finds its work done ...
    with session_scope() as s:
        assert s.get(Article, article_id).status == "done"  # ... and says so


def test_failures_spooled_while_the_database_was_down_are_imported(db, tmp_path):
    from click.testing import CliRunner

    from worker.cli import cli

    article_id = store_seed()
    spool = tmp_path / "spool.jsonl"
    record = {"article_id": article_id, "stage": "ner", "error_class": "OperationalError", "error": "down",
              "attempts": 3, "spooled_because": "connection refused"}  # fmt: skip
    spool.write_text(json.dumps(record) + "\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["failures", "import-spool", str(spool)])
    assert result.exit_code == 0 and "imported 1 failure(s)" in result.output
    with session_scope() as s:
        (f,) = s.scalars(select(Failure)).all()
        assert (f.article_id, f.stage, f.attempts) == (article_id, "ner", 3)
        assert f.error == "OperationalError: down"
        assert s.get(Article, article_id).status == "failed"
    assert not spool.exists() and (tmp_path / "spool.jsonl.imported").exists()


def test_long_names_quotes_and_producer_fields_never_fail_an_article_on_postgres(db):
    """An Arabic article quoting English made a 469-character "organisation", and the store step
    failed with StringDataRightTruncation on Postgres (SQLite accepts anything). Whatever the
    stages extract, and whatever the producer sends within its limits, is stored."""
    from db.store import NAME_LIMIT

    quoted = ("the Council on Foreign Relations, a think tank in New York, said that " * 7)[:469]
    huge = "ب" * 5000  # beyond what a btree index entry can hold
    row = validate(
        json.dumps({"id": "i" * 400, "source": "s" * 1500, "language": "ar-SA-x-news", "body": "نص " * 50})
    ).row("1")
    with session_scope() as s:
        article_id, created = add_article(s, row)
    assert created
    doc = Document.from_article(
        article_id,
        "",
        "x",
        mentions=(
            DocMention(quoted, "ORG", 0, 469, quoted),
            DocMention(huge, "MISC", 500, 5500, huge),
        ),
        events=(
            DocEvent(
                "CONSULT",
                quoted,
                0,
                469,
                0,
                location=huge,
                arguments=(Argument("actor", quoted, "ORG"), Argument("location", huge, "LOC")),
            ),
        ),
        attributions=(Attribution(quoted[:150], 0, 150, 0, source=quoted, cited=huge),),
    )
    for _ in range(2):
        with session_scope() as s:
            save_results(s, doc, "1")
    assert (count(Mention), count(Event), count(EventArgument)) == (2, 1, 2)
    with session_scope() as s:
        names = sorted((e.type, e.canonical) for e in s.scalars(select(Entity)))
        assert s.scalar(select(Event.trigger_text)) == quoted and s.scalar(select(Event.location)) == huge
        assert s.scalar(select(Mention.text).where(Mention.start == 500)) == huge
    # The name beyond what an index entry holds is clipped, as a MISC mention and a LOC argument.
    assert names == [("LOC", huge[:NAME_LIMIT]), ("MISC", huge[:NAME_LIMIT]), ("ORG", quoted)]

    # The producer's id is indexed: one too long for an index entry is refused with a reason.
    with pytest.raises(InvalidArticle, match="field 'id': .*longer than 1000 bytes"):
        validate(json.dumps({"id": "ي" * 1500, "body": "نص"}))

    # A failure whose reference is a deep path still gets its one row.
    for _ in range(2):
        with session_scope() as s:
            record_failure(s, key="input:" + "d/" * 600 + "f.jsonl:1:abc", stage="validate", error="bad")
    with session_scope() as s:
        assert s.scalar(select(Failure.attempts)) == 2


def test_a_store_step_with_a_long_name_ends_done_on_postgres(db):
    """The same through the store step itself: the article ends done, with no failure."""

    article_id = store_seed()
    quoted = "International Crisis Group " * 20
    doc = Document.from_article(
        article_id, "", "x", mentions=(DocMention(quoted, "ORG", 0, len(quoted), quoted),)
    )
    documents = MemoryDocuments()  # the events step's output, as the cache would hand it over
    documents.save(article_id, "1", "events", doc)
    run_step(article_id, "store", documents=documents)
    with session_scope() as s:
        assert s.get(Article, article_id).status == "done"
        assert s.scalar(select(func.count()).select_from(Failure)) == 0


def test_reprocess_claims_articles_in_keyset_batches(db):
    """`reprocess` moves articles to the new version a batch at a time (it used to build one IN
    list of every article id): each article once, in id order, the pending ones left alone."""
    from db.store import claim_for_reprocess

    ids = []
    for i in range(5):
        with session_scope() as s:
            ids.append(add_article(s, validate(json.dumps({"body": f"نص رقم {i}"})).row("1"))[0])
    with session_scope() as s:
        s.execute(Article.__table__.update().values(status="done"))
        s.execute(Article.__table__.update().where(Article.id == ids[0]).values(status="processing"))
    batches, after = [], ""
    while True:
        with session_scope() as s:
            batch = claim_for_reprocess(s, "2", after, 2)
        if not batch:
            break
        batches.append(batch)
        after = batch[-1]
    assert [len(b) for b in batches] == [2, 2]
    assert sorted(a for b in batches for a in b) == sorted(ids[1:])
    with session_scope() as s:
        rows = dict(s.execute(select(Article.id, Article.extractor_version)).all())
        assert rows[ids[0]] == "1" and {rows[a] for a in ids[1:]} == {"2"}
        assert {s.get(Article, a).status for a in ids[1:]} == {"queued"}
    with session_scope() as s:
        assert claim_for_reprocess(s, "3", "", 10, ids=[ids[0]]) == [ids[0]]


def test_status_counts_are_exact_for_the_few_and_estimated_for_done_at_scale(db):
    """Counting every article is a scan of them all (a second at ten million): above a threshold
    `done` is the planner's estimate; the statuses that alert (queued, processing, failed) stay
    exact."""
    from db.store import status_counts

    with session_scope() as s:
        for i in range(5):
            add_article(s, validate(json.dumps({"body": f"نص رقم {i}"})).row("1"))
        s.execute(Article.__table__.update().values(status="done"))
        s.execute(
            Article.__table__.update()
            .where(Article.id == s.scalar(select(func.min(Article.id))))
            .values(status="failed")
        )
    with session_scope() as s:
        s.execute(text("ANALYZE articles"))  # what autovacuum does, for the estimate
        exact = status_counts(s)
        estimated = status_counts(s, exact_below=1)
    assert (exact, exact.approximate) == ({"done": 4, "failed": 1}, frozenset())
    assert (estimated, estimated.approximate) == ({"done": 4, "failed": 1}, frozenset({"done"}))


def test_a_query_planned_each_time_raises_a_lost_server_as_a_transient_error(db):
    """The band look-up runs on psycopg's cursor (to plan each time): a server that cuts the
    connection mid-task must raise what every other query raises then, an error a task retries,
    and the next unit of work gets a live connection."""
    from db.session import held_session, rows_planned_each_time
    from tests.conftest import _admin_engine
    from worker.steps import TRANSIENT

    raised = []
    with pytest.raises(TRANSIENT), held_session() as session:
        pid = session.execute(text("SELECT pg_backend_pid()")).scalar()
        with _admin_engine().connect() as admin:
            admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        try:
            rows_planned_each_time(session, "SELECT 1 WHERE 1 = %(one)s", {"one": 1})
        except BaseException as exc:  # what the caller sees, before the rollback on the way out
            raised.append(exc)
            raise
    assert isinstance(raised[0], TRANSIENT), repr(raised[0])
    with held_session() as session:
        assert rows_planned_each_time(session, "SELECT 1 WHERE 1 = %(one)s", {"one": 1}) == [(1,)]
