"""The store step's multi-row writes on a real database (Postgres: one ``unnest`` statement a table;
SQLite: one statement with many parameter sets): the rows written, idempotency under redelivery,
and the ids handed to the corpus work in place of a read-back."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from db.corpus import EntityMerge, Story
from db.models import Attribution as AttributionRow
from db.models import Entity, Event, EventArgument, Mention
from db.session import session_scope
from db.store import add_article, insert_rows, save_results
from worker.corpus.stories import _update_stories
from worker.stages.document import Argument, Attribution, Document
from worker.stages.document import Event as DocEvent
from worker.stages.document import Mention as DocMention

pytestmark = pytest.mark.db


@pytest.fixture(params=["postgres", "sqlite"])
def anydb(request) -> str:
    return request.getfixturevalue("db" if request.param == "postgres" else "sqlite_db")


def _article(article_id: str) -> None:
    with session_scope() as s:
        add_article(s, {
            "id": article_id, "content_hash": article_id.ljust(64, "0"), "title": "", "body": "x" * 80,
            "status": "done", "extractor_version": "1",
        })  # fmt: skip


def _doc(article_id: str) -> Document:
    return Document.from_article(
        article_id, "", "x" * 80,
        mentions=(
            DocMention("لافروف", "PERS", 0, 6, "سيرغي لافروف", country="RUS", sector="GOV"),
            DocMention("نيويورك", "LOC", 20, 27, "نيويورك", geonames_id=5128581, latitude=40.7, longitude=-74.0),
            DocMention("أوكرانيا", "LOC", 40, 48, "أوكرانيا"),
        ),
        events=(
            DocEvent("CONSULT", "محادثات", 30, 37, 0, mode="meet", date="2023-04", location="نيويورك",
                     arguments=(Argument("actor", "سيرغي لافروف", "PERS", 0, 6),
                                Argument("recipient", "أنطونيو غوتيريش"),  # no mention, no type, no span
                                Argument("location", "نيويورك", "LOC", 20, 27))),
            DocEvent("ATTACK", "قصف", 50, 53, 1, refers_back=True, modality="reported", happening=None),
        ),
        attributions=(Attribution("قال", 60, 63, 1, source="لافروف", content_start=64, content_end=70),
                      Attribution("أفادت", 70, 75, 1, source_kind="unnamed")),
    )  # fmt: skip


def _rows(article_id: str):
    with session_scope() as s:
        mentions = s.execute(
            select(Mention.start, Mention.end, Mention.text, Mention.country, Mention.sector,
                   Mention.geonames_id, Mention.latitude, Entity.canonical)
            .join(Entity, Entity.id == Mention.entity_id).where(Mention.article_id == article_id)
            .order_by(Mention.start)
        ).all()  # fmt: skip
        events = s.execute(
            select(Event.id, Event.type, Event.trigger_start, Event.modality, Event.refers_back, Event.date)
            .where(Event.article_id == article_id).order_by(Event.trigger_start)
        ).all()  # fmt: skip
        arguments = s.execute(
            select(EventArgument.event_id, EventArgument.role, EventArgument.start, Entity.type, Entity.canonical)
            .join(Entity).join(Event).where(Event.article_id == article_id).order_by(EventArgument.role)
        ).all()  # fmt: skip
        attributions = s.execute(
            select(AttributionRow.start, AttributionRow.source, AttributionRow.source_kind, AttributionRow.content_end)
            .where(AttributionRow.article_id == article_id).order_by(AttributionRow.start)
        ).all()  # fmt: skip
        entities = dict(s.execute(select(Entity.canonical, Entity.id)).all())
    return mentions, events, arguments, attributions, entities


def test_results_are_written_whole_and_a_second_store_changes_nothing(anydb):
    _article("a1")
    with session_scope() as s:
        first = save_results(s, _doc("a1"), "1")
    rows = _rows("a1")
    mentions, events, arguments, attributions, entities = rows
    assert [(m[0], m[3], m[5], m[7]) for m in mentions] == [
        (0, "RUS", None, "سيرغي لافروف"), (20, None, 5128581, "نيويورك"), (40, None, None, "أوكرانيا"),
    ]  # fmt: skip
    assert [(e[1], e[3], e[4]) for e in events] == [
        ("CONSULT", "asserted", False),
        ("ATTACK", "reported", True),
    ]
    assert [(a[1], a[2], a[3]) for a in arguments] == [
        ("actor", 0, "PERS"), ("location", 20, "LOC"), ("recipient", None, "MISC"),
    ]  # fmt: skip
    assert attributions == [(60, "لافروف", "named", 70), (70, None, "unnamed", None)]
    # the ids handed on are the stored ones
    assert first.events == {(e[1], e[2]): e[0] for e in events}
    # Postgres knows from the insert that every event is new; SQLite reads them back
    assert first.new_events == anydb.startswith("postgresql")
    assert {name: first.entities[(t, name)] for t, name in first.entities} == {
        n: entities[n] for _, n in first.entities
    }
    with session_scope() as s:  # redelivered: the same rows, and the same ids handed on
        again = save_results(s, _doc("a1"), "1")
    assert _rows("a1") == rows
    assert (again.events, again.entities, again.new_events) == (first.events, first.entities, False)


def test_a_second_article_gets_the_ids_of_entities_stored_before(anydb):
    _article("a1")
    _article("a2")
    with session_scope() as s:
        first = save_results(s, _doc("a1"), "1")
    with session_scope() as s:
        second = save_results(s, _doc("a2"), "1")
    assert second.entities == first.entities
    assert second.new_events == anydb.startswith("postgresql")
    assert set(second.events.values()).isdisjoint(first.events.values())
    with session_scope() as s:
        assert s.scalar(select(Entity.id).order_by(Entity.id.desc()).limit(1)) == max(first.entities.values())


def test_a_bulk_insert_fills_the_python_side_defaults(anydb):
    _article("a1")
    with session_scope() as s:
        ids = save_results(s, _doc("a1"), "1").entities
        a, b = sorted(ids.values())[:2]
        insert_rows(
            s, EntityMerge, [{"entity_id": b, "into_id": a, "rule": "alias", "reason": "r"}], ["entity_id"]
        )
    with session_scope() as s:
        (merge,) = s.scalars(select(EntityMerge)).all()
        assert merge.merged_at is not None and merge.undone_at is None


def test_stories_learn_only_what_they_lacked_in_one_update(anydb):
    with session_scope() as s:
        s.add_all(
            [Story(id=1, type="CONSULT", date="2023-04-02", actor="RUSGOV"), Story(id=2, type="ATTACK")]
        )
    with session_scope() as s:
        _update_stories(
            s, {1: {"date": "2023-04-01", "place": "جنيف", "place_key": "جنيف"}, 2: {"recipient": "UKR"}}
        )
    with session_scope() as s:
        got = s.execute(
            select(Story.id, Story.date, Story.actor, Story.recipient, Story.place).order_by(Story.id)
        ).all()
    assert got == [(1, "2023-04-01", "RUSGOV", None, "جنيف"), (2, None, None, "UKR", None)]


def test_stage_runs_are_recorded_once_with_their_output_or_none(anydb):
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import event, func

    from db.models import StageRun
    from db.session import get_engine
    from db.store import record_stage_runs

    _article("r1")
    _article("r2")
    t0 = datetime(2026, 12, 1, 10, tzinfo=UTC)
    t1 = t0 + timedelta(milliseconds=250)
    statements = []

    def seen(_conn, _cursor, statement, *_rest) -> None:
        statements.append(statement)

    event.listen(get_engine(), "before_cursor_execute", seen)
    try:
        with session_scope() as s:
            first = record_stage_runs(s, [("r1", "ner", "1", t0, t1, None), ("r2", "ner", "1", t0, t1, None)])
            again = record_stage_runs(
                s,
                [
                    ("r1", "ner", "1", t0, t1, None),
                    ("r1", "store", "1", t0, t1, {"mentions": 2, "events": 1}),
                    ("r2", "store", "1", t0, t1, None),
                ],
            )
    finally:
        event.remove(get_engine(), "before_cursor_execute", seen)
    assert first == {("r1", "ner"), ("r2", "ner")}
    assert again == {("r1", "store"), ("r2", "store")}  # r1's ner was there
    with session_scope() as s:
        rows = {(r.article_id, r.stage): r for r in s.scalars(select(StageRun))}
        assert rows["r1", "store"].output == {"mentions": 2, "events": 1}
        assert rows["r2", "store"].output is None  # SQL NULL, not a JSON null
        assert s.scalar(select(func.count()).select_from(StageRun).where(StageRun.output.is_(None))) == 3
        assert rows["r1", "ner"].duration_ms == 250.0
    if anydb.startswith("postgresql"):  # (SQLite: one statement with many parameter sets)
        # one statement text for two rows and for three: compiled once, not once per count
        inserts = [x for x in statements if "INSERT INTO stage_runs" in x]
        assert len(inserts) == 2 and inserts[0] == inserts[1]


def test_a_batch_begins_in_the_order_of_its_message_not_of_the_rows(anydb):
    """A batch's articles are stored, and their events matched to stories, in the order
    ``begin_steps`` gives: the message's, whatever order the database returns its rows in (stories
    are matched greedily, so another order makes other stories)."""
    from db.store import begin_steps

    for i in range(1, 7):
        _article(f"b-{i}")
    asked = ["b-4", "b-1", "b-6", "missing", "b-2", "b-5", "b-3"]
    with session_scope() as s:
        begun = begin_steps(s, asked, ["normalise"])
    assert list(begun) == [a for a in asked if a != "missing"]
