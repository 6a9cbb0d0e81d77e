"""One event per happening within an article (issue 11, item 4): re-mentions join the happening
they report, distinct happenings stay apart, and the grouping is stored and shown."""

from __future__ import annotations

import dataclasses

import pytest

from worker.stages.document import Argument, Document, Event
from worker.stages.events.happenings import group, happenings, participants, summaries


def ev(type_, trigger, sentence, *, actors=(), recipients=(), date=None, location=None, refers_back=False):
    args = tuple(Argument("actor", a) for a in actors) + tuple(Argument("recipient", r) for r in recipients)
    return Event(type_, trigger, sentence * 100, sentence * 100 + len(trigger), sentence, arguments=args,
                 date=date, location=location, refers_back=refers_back)  # fmt: skip


def test_a_definite_noun_reports_the_happening_again_an_indefinite_one_is_new():
    events = (
        ev("CONSULT", "محادثات", 1, recipients=["سيرغي لافروف"], location="نيويورك"),
        ev("CONSULT", "اللقاء", 2, date="2023-04"),  # «اللقاء جرى في أبريل»: the talks again
        ev("CONSULT", "لقاء", 3, actors=["سيرغي لافروف"], recipients=["أنتوني بلينكن"], date="2023-03"),
        ev("CONSULT", "واللقاء", 4, location="نيودلهي"),  # the latest meeting: the encounter with Blinken
    )
    assert group(events, title_sentences=0) == [0, 0, 2, 2]


@pytest.mark.parametrize(
    "again",
    [
        ev("ASSAULT", "القصف", 2, location="إدلب"),  # another place
        ev("ASSAULT", "الهجوم", 2, date="2015-07"),  # another month
        ev("ASSAULT", "الغارة", 2, actors=["روسيا"]),  # a doer the first strike did not have
        ev("PROTEST", "التظاهرات", 2),  # another type
    ],
)
def test_details_that_contradict_keep_happenings_apart(again):
    first = ev("ASSAULT", "قصفت", 1, actors=["النظام"], location="حلب", date="2015-08-10")
    assert group((first, again), 0) == [0, 1]
    agreeing = ev("ASSAULT", "القصف", 2, location="حلب", date="2015-08")
    assert group((first, agreeing), 0) == [0, 0]


def test_a_re_mention_may_add_who_else_took_part_and_a_state_s_body_stands_for_it():
    events = (
        ev("SANCTION", "فرضت", 1, actors=["الولايات المتحدة"], recipients=["سوريا"]),
        ev("SANCTION", "العقوبات", 2, actors=["وزارة الخزانة الأمريكية"]),
        ev("CONSULT", "اجتمع", 3, actors=["هادي"]),
        ev("CONSULT", "الاجتماع", 4, recipients=["بحاح"]),  # «وحضر الاجتماع بحاح»
    )
    states = {"الولايات المتحدة": "USA", "وزارة الخزانة الأمريكية": "USA", "سوريا": "SYR"}
    assert group(events, 0, states) == [0, 0, 2, 2]
    assert group(events, 0) == [0, 1, 2, 2]  # without codes the Treasury is a stranger


def test_the_lead_restates_the_headline_and_what_the_events_stage_kept_apart_stays_apart():
    events = (
        ev("ASSAULT", "هجوم", 0, actors=["داعش"]),  # the headline
        ev("ASSAULT", "شن", 1, actors=["داعش"], location="الرمادي"),  # the lead
        ev("ASSAULT", "قصف", 1, actors=["داعش"]),  # another happening the events stage found there
        ev("ASSAULT", "هاجم", 2, actors=["داعش"], location="الفلوجة"),  # a second attack
    )
    assert group(events, title_sentences=1) == [0, 0, 2, 3]
    assert group(events, title_sentences=0) == [0, 1, 2, 3]  # no headline: every verb is news


def test_a_happening_takes_the_first_participants_and_the_most_precise_date():
    assert participants([([], ["لافروف"]), (["لافروف"], []), ([], ["هاس", "لافروف"])]) == (
        ["لافروف"],
        ["هاس"],
    )
    doc = Document(
        id="a",
        text="",
        events=(
            ev("CONSULT", "محادثات", 1, recipients=["لافروف"], location="نيويورك"),
            ev("CONSULT", "اللقاء", 2, date="2023-04"),
            ev("CONSULT", "الاجتماع", 3, recipients=["هاس"]),
        ),
    )
    doc = happenings(doc)
    assert [e.happening for e in doc.events] == [0, 0, 0]
    assert summaries(doc.events) == [
        {"id": "h0", "type": "CONSULT", "mentions": 3, "actors": [], "recipients": ["لافروف"],
         "location": "نيويورك", "date": "2023-04", "modality": "asserted"},
    ]  # fmt: skip


@pytest.mark.db
def test_the_grouping_is_stored_and_events_can_list_one_line_per_happening(db):
    from db.session import session_scope
    from db.store import add_article, events_query, save_results

    doc = happenings(
        Document(
            id="a1",
            text="x",
            events=(
                ev("CONSULT", "محادثات", 1, recipients=["لافروف"]),
                ev("CONSULT", "اللقاء", 2, date="2023-04"),
                ev("ASSAULT", "هجوم", 3),
            ),
        )
    )
    with session_scope() as s:
        aid, _ = add_article(s, {"id": "a1", "content_hash": "h1", "body": "x", "extractor_version": "v"})
        save_results(s, dataclasses.replace(doc, id=aid), "v")
    with session_scope() as s:
        every = sorted((e.trigger_text, e.happening_start) for e in s.scalars(events_query()))
        assert every == [("اللقاء", 100), ("محادثات", 100), ("هجوم", 300)]
        heads = sorted(e.trigger_text for e in s.scalars(events_query(happenings_only=True)))
        assert heads == ["محادثات", "هجوم"]
