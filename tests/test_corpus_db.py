"""Khabar across articles on a real database (Postgres, and the demo's SQLite): copies linked to
their first article, entity merges listed and undone, one story per happening reported by several
outlets, and what `khabar entity`, `khabar stories` and the dyad/PLOVER exports show of them."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from db.corpus import ArticleDuplicate, EntityMerge, Story, StoryMember
from db.models import Entity
from db.session import session_scope
from db.store import add_article, result_entities, save_results, upsert_entities
from tests.khabar_cli import khabar
from worker.corpus.copy_rule import Seen
from worker.corpus.hook import after_store, after_store_many
from worker.corpus.shingles import band_keys
from worker.stages.document import Argument, Document
from worker.stages.document import Event as DocEvent
from worker.stages.document import Mention as DocMention

pytestmark = pytest.mark.db


@pytest.fixture(params=["postgres", "sqlite"])
def anydb(request) -> str:
    return request.getfixturevalue("db" if request.param == "postgres" else "sqlite_db")


LEAD = "التقى وزير الخارجية الروسي {lavrov} نظيره الأمريكي أنتوني بلينكن في جنيف {day}"
BODIES = {
    # three outlets, three texts of their own: independent reports of one meeting
    "tass": " وبحث الجانبان الأزمة الأوكرانية ومعاهدة الحد من الأسلحة الاستراتيجية في لقاء استمر ساعتين "
    "داخل مقر البعثة الروسية، وقال الوزير الروسي للصحفيين بعد اللقاء إن الحوار كان صريحا ومفيدا "
    "وإن موسكو مستعدة لمواصلة المشاورات على مستوى الخبراء خلال الأسابيع المقبلة.",
    "aljazeera": " في أول اجتماع بينهما منذ شهور، وناقش الوزيران ملفات خلافية عدة أبرزها الحرب في أوكرانيا "
    "والعقوبات الغربية، وأفاد مصدر دبلوماسي بأن الاجتماع انتهى دون اختراق يذكر لكنه فتح الباب أمام "
    "جولة جديدة من المحادثات في فيينا الشهر القادم بحسب ما نقلته وكالات الأنباء.",
    "alriyadh": " حيث تناول اللقاء العلاقات الثنائية المتوترة وقضايا الأمن الأوروبي، وأكد الوزير الأمريكي "
    "في مؤتمر صحفي عقب المباحثات أن واشنطن لن تقبل بأي تغيير للحدود بالقوة، داعيا نظيره إلى خفض "
    "التصعيد وسحب القوات من المناطق الحدودية على وجه السرعة.",
}


def _doc(
    article_id: str, text: str, published: str, source: str, lavrov: str, events: list[DocEvent]
) -> Document:
    start = text.index(lavrov)
    b = text.index("أنتوني بلينكن")
    mentions = (
        DocMention(lavrov, "PERS", start, start + len(lavrov), lavrov, country="RUS", sector="GOV"),
        DocMention("أنتوني بلينكن", "PERS", b, b + 13, "أنتوني بلينكن", country="USA", sector="GOV"),
        DocMention("جنيف", "LOC", text.index("جنيف"), text.index("جنيف") + 4, "جنيف", country="CHE"),
    )
    return Document(
        id=article_id,
        text=text,
        body=text,
        published_at=published,
        source=source,
        mentions=mentions,
        events=tuple(events),
    )


def _meeting(text: str, lavrov: str, swap: bool = False) -> DocEvent:
    a, r = (Argument("actor", lavrov, "PERS"), Argument("recipient", "أنتوني بلينكن", "PERS"))
    if swap:
        a, r = Argument("actor", "أنتوني بلينكن", "PERS"), Argument("recipient", lavrov, "PERS")
    k = text.index("التقى")
    return DocEvent("CONSULT", "التقى", k, k + 5, 0, mode="meet", arguments=(a, r), location="جنيف")


def store(article_id: str, source: str, published: str, text: str, lavrov: str, events=None) -> Document:
    doc = _doc(
        article_id,
        text,
        published,
        source,
        lavrov,
        events if events is not None else [_meeting(text, lavrov)],
    )
    when = datetime.fromisoformat(published).astimezone(UTC)
    with session_scope() as s:
        add_article(s, {
            "id": article_id, "content_hash": article_id.ljust(64, "0"), "source": source, "title": "",
            "body": text, "published_at": when, "status": "done", "extractor_version": "v1",
        })  # fmt: skip
    with session_scope() as s:
        save_results(s, doc, "v1")
        after_store(s, doc, "v1")
    return doc


def report(outlet: str, lavrov: str, day: str) -> str:
    return LEAD.format(lavrov=lavrov, day=day) + BODIES[outlet]


# The fourth outlet reprints the first report and adds a line of its own.
REPRINT = "عاجل: " + report("tass", "سيرغي لافروف", "أمس") + " واتفق لافروف مع نظيره البيلاروسي على التنسيق."


def _agreement(text: str) -> DocEvent:
    k = text.index("واتفق")
    return DocEvent("AGREE", "واتفق", k, k + 5, 1, arguments=(Argument("actor", "سيرغي لافروف", "PERS"),))


@pytest.fixture()
def happening(anydb) -> dict[str, Document]:
    """One meeting reported by three outlets (one with the roles the other way round, two spellings
    of Lavrov), a fourth outlet reprinting the first report, and another meeting the same day."""
    docs = {
        # stored out of order: the copy arrives before the article it copies
        "copy": store(
            "a-copy",
            "sabq",
            "2023-03-02T09:00:00+03:00",
            REPRINT,
            "سيرغي لافروف",
            events=[_meeting(REPRINT, "سيرغي لافروف"), _agreement(REPRINT)],
        ),
        "tass": store(
            "a-tass",
            "tass",
            "2023-03-01T18:00:00+03:00",
            report("tass", "سيرغي لافروف", "اليوم"),
            "سيرغي لافروف",
        ),
        "aljazeera": store(
            "a-jaz",
            "aljazeera",
            "2023-03-01T20:00:00+03:00",
            report("aljazeera", "سيرجي لافروف", "اليوم"),
            "سيرجي لافروف",
        ),
        "alriyadh": store(
            "a-riy",
            "alriyadh",
            "2023-03-02T07:00:00+03:00",
            report("alriyadh", "سيرجي لافروف", "أمس"),
            "سيرجي لافروف",
            events=[],
        ),
    }
    riy = docs["alriyadh"]
    with session_scope() as s:  # the third outlet reports it with the roles the other way round
        doc = Document(**{**riy.__dict__, "events": (_meeting(riy.text, "سيرجي لافروف", swap=True),)})
        save_results(s, doc, "v1")
        after_store(s, doc, "v1")
    docs["alriyadh"] = doc
    other = "التقى وزير الخارجية الصيني وانغ يي نظيره الأمريكي أنتوني بلينكن في بكين اليوم لبحث التجارة وتايوان والرسوم الجمركية"
    k, w = other.index("التقى"), other.index("وانغ يي")
    b = other.index("أنتوني بلينكن")
    chinese = Document(
        id="a-chn", text=other, body=other, published_at="2023-03-01T12:00:00+03:00", source="xinhua",
        mentions=(DocMention("وانغ يي", "PERS", w, w + 7, "وانغ يي", country="CHN", sector="GOV"),
                  DocMention("أنتوني بلينكن", "PERS", b, b + 13, "أنتوني بلينكن", country="USA", sector="GOV")),
        events=(DocEvent("CONSULT", "التقى", k, k + 5, 0, mode="meet", location="بكين",
                         arguments=(Argument("actor", "وانغ يي", "PERS"),
                                    Argument("recipient", "أنتوني بلينكن", "PERS"))),),
    )  # fmt: skip
    with session_scope() as s:
        add_article(s, {
            "id": "a-chn", "content_hash": "c" * 64, "source": "xinhua", "title": "", "body": other,
            "published_at": datetime(2023, 3, 1, 9, tzinfo=UTC), "status": "done", "extractor_version": "v1",
        })  # fmt: skip
    with session_scope() as s:
        save_results(s, chinese, "v1")
        after_store(s, chinese, "v1")
    docs["chinese"] = chinese
    return docs


def test_a_reprint_points_at_the_first_article_whatever_the_order_and_however_often(happening, anydb):
    with session_scope() as s:
        links = {d.article_id: (d.duplicate_of, d.similarity) for d in s.scalars(select(ArticleDuplicate))}
    assert set(links) == {"a-copy"} and links["a-copy"][0] == "a-tass"
    assert 0.4 <= links["a-copy"][1] <= 1
    for doc in happening.values():  # a re-delivered store step changes nothing
        with session_scope() as s:
            after_store(s, doc, "v1")
    with session_scope() as s:
        again = {d.article_id: (d.duplicate_of, d.similarity) for d in s.scalars(select(ArticleDuplicate))}
        assert again == links
        assert s.scalar(select(Story.id).where(Story.type == "CONSULT").order_by(Story.id)) is not None
        assert len(s.scalars(select(StoryMember)).all()) == 6


def test_one_story_per_happening_with_its_reports_outlets_and_first_report(happening, anydb):
    r = khabar("stories", "--json", db=anydb)
    assert r.returncode == 0, r.stderr
    stories = [json.loads(line) for line in r.stdout.splitlines()]
    assert len(stories) == 3
    # what the reprint adds of its own is a report, not a copy
    added = next(s for s in stories if s["event"] == "AGREE")
    assert (added["reports"], added["copies"], added["outlets"]) == (1, 0, ["sabq"])
    geneva = next(s for s in stories if s["location"] == "جنيف")
    assert geneva["event"] == "CONSULT" and geneva["date"] == "2023-03-01"
    assert geneva["reports"] == 3 and geneva["copies"] == 1  # the reprint is not another report
    assert sorted(geneva["outlets"]) == ["aljazeera", "alriyadh", "sabq", "tass"]
    assert geneva["firstReport"]["article_id"] == "a-tass"
    assert geneva["source"][0]["code"] == "RUS" and geneva["source"][0]["sector"] == "GOV"
    assert geneva["target"][0]["code"] == "USA" and geneva["mode"] == "meet"
    r = khabar("stories", "--actor", "CHN", db=anydb)
    assert r.returncode == 0 and r.stdout.count("[story") == 1 and "بكين" in r.stdout
    r = khabar("stories", "--type", "ASSAULT", "--since", "2023-03", db=anydb)
    assert r.returncode == 0 and "no stories match" in r.stderr


def test_dyad_and_plover_exports_count_happenings_not_reports(happening, anydb):
    r = khabar("export", "--format", "dyads", db=anydb)
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert list(rows[0]) == [
        "date",
        "actor_code",
        "recipient_code",
        "plover_type",
        "mode",
        "story_events",
        "reports",
    ]
    assert {(x["actor_code"], x["recipient_code"], x["story_events"], x["reports"]) for x in rows} == {
        ("RUSGOV", "USAGOV", "1", "3"),
        ("CHNGOV", "USAGOV", "1", "1"),
        ("RUSGOV", "", "1", "1"),
    }
    r = khabar("export", "--format", "plover", "--type", "CONSULT", "--since", "2023-03-01", db=anydb)
    records = [json.loads(line) for line in r.stdout.splitlines()]
    assert len(records) == 2 and all(x["id"].startswith("khabar-story-") for x in records)
    assert {"id", "date", "source", "target", "event", "eventText", "mode", "context", "language"} <= set(
        records[0]
    )


def test_spelling_variants_are_one_entity_that_can_be_unmerged(happening, anydb):
    with session_scope() as s:
        merges = s.scalars(select(EntityMerge)).all()
    assert [(m.rule, "غ/ج" in m.reason) for m in merges] == [("spelling", True)]
    r = khabar("entity", "سيرجي", "لافروف", "--json", db=anydb)
    assert r.returncode == 0, r.stderr
    shown = json.loads(r.stdout)
    assert shown["name"] == "سيرغي لافروف" and "سيرجي لافروف" in shown["aliases"]
    assert shown["actor_code"] == "RUSGOV" and shown["articles"] == 4
    assert shown["first_seen"].startswith("2023-03-01") and shown["last_seen"].startswith("2023-03-02")
    assert shown["co_participants"][0]["name"] == "أنتوني بلينكن"
    r = khabar("entity", "merges", db=anydb)
    assert r.returncode == 0 and "سيرجي لافروف" in r.stdout and "[spelling]" in r.stdout
    r = khabar("entity", "unmerge", "سيرجي لافروف", db=anydb)
    assert r.returncode == 0, r.stderr
    with session_scope() as s:  # the store step runs again: an undone merge is not made again
        after_store(s, happening["aljazeera"], "v1")
    assert khabar("entity", "merges", db=anydb).stdout.strip() == ""
    assert "(undone)" in khabar("entity", "merges", "--undone", db=anydb).stdout
    shown = json.loads(khabar("entity", "سيرغي لافروف", "--json", db=anydb).stdout)
    assert shown["articles"] == 2 and "سيرجي لافروف" not in shown["aliases"]
    r = khabar("entity", "لا أحد", db=anydb)
    assert r.returncode == 1 and "no entity named" in r.stderr


def test_a_batch_merges_spelling_variants_whichever_of_its_articles_comes_first(anydb):
    """A batch's entities are upserted in one statement, in name order (worker/batches.py), so
    the entity of a later article of the batch may have the smaller id: its variant in an earlier
    article still merges into it, and the batch's reports of one meeting are one story."""
    names = {"b-1": "سيرغي لافروف", "b-2": "سيرجي لافروف"}  # «سيرجي» sorts first: the smaller id
    docs = []
    for (article_id, lavrov), outlet in zip(names.items(), ["tass", "aljazeera"], strict=True):
        text = report(outlet, lavrov, "اليوم")
        docs.append(
            _doc(article_id, text, "2023-03-01T18:00:00+03:00", outlet, lavrov, [_meeting(text, lavrov)])
        )
        with session_scope() as s:
            add_article(s, {
                "id": article_id, "content_hash": article_id.ljust(64, "0"), "source": outlet, "title": "",
                "body": text, "published_at": datetime(2023, 3, 1, 15, tzinfo=UTC), "status": "done",
                "extractor_version": "v1",
            })  # fmt: skip
    with session_scope() as s:
        known = upsert_entities(s, sorted({n for d in docs for n in result_entities(d)}))
        saved = [save_results(s, d, "v1", known) for d in docs]
        after_store_many(s, [(d, "v1", x) for d, x in zip(docs, saved, strict=True)])
    with session_scope() as s:
        merges = [(s.get(Entity, m.entity_id).canonical, s.get(Entity, m.into_id).canonical, m.rule)
                  for m in s.scalars(select(EntityMerge))]  # fmt: skip
        assert merges == [("سيرغي لافروف", "سيرجي لافروف", "spelling")]
        assert len(s.scalars(select(Story)).all()) == 1
        assert len(s.scalars(select(StoryMember)).all()) == 2


def test_articles_stored_before_the_corpus_tables_are_brought_in(sqlite_db):
    """`khabar duplicates scan` without a corpus does the store step's corpus work for done
    articles that have none (a database upgraded to these tables)."""
    from sqlalchemy import delete, func

    from db.corpus import ArticleBand, ArticleSignature, EntityKey

    assert khabar("demo", db=sqlite_db).returncode == 0

    def counts():
        with session_scope() as s:
            return [
                s.scalar(select(func.count()).select_from(m))
                for m in (Story, StoryMember, EntityKey, ArticleSignature)
            ]

    before = counts()
    assert all(before)
    with session_scope() as s:
        for model in (StoryMember, Story, EntityKey, ArticleBand, ArticleSignature):
            s.execute(delete(model))
    r = khabar("duplicates", "scan", db=sqlite_db)
    assert r.returncode == 0, r.stderr
    assert f"indexed {before[3]} articles" in r.stdout
    assert counts() == before


def test_a_backfill_can_leave_the_corpus_work_for_later(sqlite_db):
    """KHABAR_CORPUS=false: the store step writes the results only; `khabar duplicates scan`
    does the corpus work afterwards, the same as the store step would have."""
    from sqlalchemy import func

    from db.corpus import ArticleSignature

    def signatures():
        with session_scope() as s:
            return s.scalar(select(func.count()).select_from(ArticleSignature)), s.scalar(
                select(func.count()).select_from(Story)
            )

    assert khabar("demo", db=sqlite_db, KHABAR_CORPUS="false").returncode == 0
    assert signatures() == (0, 0)
    r = khabar("duplicates", "scan", db=sqlite_db)
    assert r.returncode == 0, r.stderr
    indexed, stories = signatures()
    assert indexed == 4 and stories > 0


WIRE = (
    "أفادت مصادر محلية بأن انفجارا عنيفا هز السوق الرئيسية في المدينة صباح اليوم وأسفر عن أضرار "
    "كبيرة في المحلات التجارية المجاورة، وهرعت فرق الإسعاف إلى المكان لنقل المصابين إلى المستشفيات."
)
OTHER = (
    "شهدت العاصمة مواجهات مسلحة بين مجموعتين في حي بعيد عن السوق، واستمرت الاشتباكات عدة ساعات "
    "قبل أن تتدخل قوات الأمن وتفرض طوقا حول المنطقة وتعتقل عددا من المشاركين فيها."
)


def _bare(article_id: str, source: str, text: str, trigger: str, hour: int = 7) -> Document:
    """An article with one asserted event that names no participant and no place."""
    k = text.index(trigger)
    doc = Document(
        id=article_id, text=text, body=text, published_at=f"2023-05-01T{hour:02d}:00:00+00:00", source=source,
        events=(DocEvent("ASSAULT", trigger, k, k + len(trigger), 0),),
    )  # fmt: skip
    with session_scope() as s:
        add_article(s, {
            "id": article_id, "content_hash": article_id.ljust(64, "0"), "source": source, "title": "",
            "body": text, "published_at": datetime(2023, 5, 1, hour, tzinfo=UTC), "status": "done",
            "extractor_version": "v1",
        })  # fmt: skip
    with session_scope() as s:
        save_results(s, doc, "v1")
        after_store(s, doc, "v1")
    return doc


def test_a_reprint_joins_the_story_of_its_first_article_even_with_nothing_to_agree_on(anydb):
    # the reprint arrives first, with a dateline of its own; an unrelated clash the same day with
    # no participant or place either stays a story of its own
    _bare("b-copy", "sabq", "الرياض - واس: " + WIRE, "انفجارا", hour=9)
    _bare("b-first", "spa", WIRE, "انفجارا")
    _bare("b-other", "okaz", OTHER, "مواجهات")
    with session_scope() as s:
        story_of = dict(s.execute(select(StoryMember.article_id, StoryMember.story_id)).all())
        linked = dict(s.execute(select(ArticleDuplicate.article_id, ArticleDuplicate.duplicate_of)).all())
    assert linked == {"b-copy": "b-first"}
    assert story_of["b-copy"] == story_of["b-first"] != story_of["b-other"]


def _plain(article_id: str, source: str, title: str, body: str, when: datetime) -> str | None:
    """An article indexed for copies alone (no stages): what the article it copies is, if any."""
    from worker.corpus.duplicates import index_article

    with session_scope() as s:
        add_article(s, {
            "id": article_id, "content_hash": article_id.ljust(64, "0"), "source": source, "title": title,
            "body": body, "published_at": when, "status": "done", "extractor_version": "v1",
        })  # fmt: skip
    with session_scope() as s:
        return index_article(s, article_id)


def test_a_roundup_and_a_text_printed_day_after_day_are_not_copies(anydb):
    from datetime import timedelta

    t0 = datetime(2023, 6, 1, 8, tzinfo=UTC)
    # a wire, its trimmed reprint under another headline, and a roundup holding it whole after an
    # item of its own (word orders reversed or thinned: other texts)
    other = " ".join(OTHER.split()[::-1])
    assert _plain("w-first", "spa", "خبر", f"{WIRE} {other}", t0) is None
    assert _plain("w-trimmed", "sabq", "عنوان آخر تماما", WIRE, t0 + timedelta(hours=3)) == "w-first"
    roundup = f"{OTHER} {WIRE} " + " ".join(WIRE.split()[::-1]) + " " + " ".join(OTHER.split()[::2])
    assert _plain("w-roundup", "okaz", "موجز", roundup, t0 + timedelta(hours=5)) is None
    # one outlet's notice in the same words every day: a reprint while no print is more than three
    # days old, boilerplate once more than three are
    notice = (
        "تعلن إدارة المرور عن إغلاق الطريق الدائري الشرقي في الاتجاهين من الساعة العاشرة مساء حتى السادسة "
        "صباحا لأعمال الصيانة وتدعو قائدي المركبات إلى استخدام الطرق البديلة والالتزام بالتعليمات"
    )
    got = [_plain(f"n{d}", "alweeam", "تنبيه", notice, t0 + timedelta(days=20 + d)) for d in range(9)]
    assert got[:7] == [None] + ["n0"] * 6 and got[7:] == [None, None]


def test_a_digest_that_turns_to_another_item_after_the_shared_text_is_no_copy(anydb):
    from datetime import timedelta

    t0 = datetime(2023, 7, 1, 8, tzinfo=UTC)
    assert _plain("d-wire", "spa", "خبر", WIRE, t0) is None
    # a paper prints the wire whole, then its own news after «ومن جهة أخرى»: a digest, not a copy
    digest = f"{WIRE}\nومن جهة أخرى، " + " ".join(OTHER.split()[::-1])
    assert _plain("d-digest", "okaz", "موجز الأخبار", digest, t0 + timedelta(hours=2)) is None
    # the same wire printed whole by another paper is one
    assert _plain("d-reprint", "sabq", "عنوان آخر", WIRE, t0 + timedelta(hours=3)) == "d-wire"


NOTICE = (
    "يعلن مركز الأرصاد عن توقع هطول أمطار رعدية غزيرة على المرتفعات الجنوبية الغربية مع رياح نشطة مثيرة "
    "للأتربة والغبار تحد من مدى الرؤية الأفقية على الطرق السريعة ويهيب بالجميع أخذ الحيطة والحذر"
)


@pytest.mark.parametrize("older_prints", [2, 3, 12])
def test_more_older_holders_than_are_read_leave_the_template_decision_unchanged(anydb, older_prints):
    """The look-up reads at most OLDER_HOLDERS older holders of a band: with more, or a few, older
    prints of a text, the pipeline links what the uncapped in-memory scan links."""
    from datetime import timedelta

    from db.corpus import ArticleBand
    from worker.corpus.duplicates import OLDER_HOLDERS, _holders, scan
    from worker.corpus.shingles import article_text

    t0 = datetime(2023, 1, 1, 8, tzinfo=UTC)
    # the older prints within the template horizon, every one older than the window
    items = [(f"old{d}", t0 + timedelta(days=d)) for d in range(older_prints)]
    items += [("pair-a", t0 + timedelta(days=30)), ("pair-b", t0 + timedelta(days=30, hours=2))]
    got = {i: _plain(i, "spa", "تنبيه", NOTICE, when) for i, when in items}
    expected = scan([(i, when, article_text("تنبيه", NOTICE), NOTICE) for i, when in items])
    with session_scope() as s:
        links = dict(s.execute(select(ArticleDuplicate.article_id, ArticleDuplicate.duplicate_of)).all())
        keys = s.scalars(select(ArticleBand.key).where(ArticleBand.article_id == "pair-b")).all()
        older = [r for r in _holders(s, keys, items[-1][1]) if r[1].startswith("old")]
    assert {a: d for a, (d, _) in expected.items()} == links
    # up to three older prints the pair is a reprint; beyond, a template (here 12, read as 7)
    assert got["pair-b"] == ("pair-a" if older_prints <= 3 else None)
    assert len(older) == len(keys) * min(older_prints, OLDER_HOLDERS)


def test_the_band_look_up_is_planned_for_its_own_values_every_time(db):
    """psycopg prepares a statement run five times, and Postgres may then keep a generic plan made
    when the band table was nearly empty (a sequential scan). The look-up is never prepared."""
    from sqlalchemy import text

    from worker.corpus.duplicates import _holders_of
    from worker.corpus.shingles import signature

    sig = signature({"كلمة أولى ثانية", "ثالثة رابعة خامسة"})
    me = Seen("a-look-up", datetime(2023, 1, 1, tzinfo=UTC), frozenset(), (), frozenset(band_keys(sig)))
    with session_scope() as s:
        for _ in range(8):
            assert _holders_of(s, [me]) == {}
        prepared = s.scalar(
            text("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE '%FROM article_bands b%'")
        )
    assert prepared == 0


def test_a_variant_key_shared_by_two_types_merges_within_each_type_only(anydb):
    from worker.corpus.entities import Name, link_entities, variant_key

    assert variant_key("سيرغي لافروف") == variant_key("سيرجي لافروف")
    names = [("PERS", "سيرغي لافروف"), ("ORG", "سيرجي لافروف"), ("PERS", "سيرجي لافروف")]
    with session_scope() as s:
        ids = upsert_entities(s, names)
        countries = ["RUS", None, "RUS"]
        link_entities(s, [(ids[(t, n)], Name(n, t, c)) for (t, n), c in zip(names, countries, strict=True)])
    with session_scope() as s:
        merges = [(s.get(Entity, m.entity_id).type, s.get(Entity, m.into_id).type, m.rule)
                  for m in s.scalars(select(EntityMerge))]  # fmt: skip
    assert merges == [("PERS", "PERS", "spelling")]


def test_rekey_brings_keys_stored_by_an_earlier_version_up_to_date_and_merges(anydb):
    from db.corpus import EntityKey
    from worker.corpus.entities import Name, link_entities, variant_key

    old, new, other = "علي عبد الله صالح", "علي عبدالله صالح", "محمد عبده"
    names = [("PERS", old), ("PERS", new), ("PERS", other)]
    with session_scope() as s:
        ids = upsert_entities(s, names)
        link_entities(s, [(ids[("PERS", n)], Name(n, "PERS", "YEM")) for _, n in names])
        # as an earlier version keyed it, before compounds were joined: «الله» lost its article
        s.execute(
            EntityKey.__table__.update()
            .where(EntityKey.entity_id == ids[("PERS", old)])
            .values(key=variant_key(old).replace("عبدله", "عبد له"))
        )
        s.query(EntityMerge).delete()
    r = khabar("entity", "rekey", db=anydb)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "1 entity keys changed, 1 entities merged"
    with session_scope() as s:
        merges = [(m.entity_id, m.into_id, m.rule) for m in s.scalars(select(EntityMerge))]
        keys = dict(s.execute(select(EntityKey.entity_id, EntityKey.key)).all())
    assert merges == [(ids[("PERS", new)], ids[("PERS", old)], "spelling")]
    assert keys[ids[("PERS", old)]] == keys[ids[("PERS", new)]] != keys[ids[("PERS", other)]]
    again = khabar("entity", "rekey", db=anydb)
    assert again.stdout.strip() == "0 entity keys changed, 0 entities merged"
