"""The pure rules of Khabar across articles: which names are one entity, which articles are copies,
which event mentions report one happening. No services."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from datasketch import MinHash

from worker.corpus import duplicates as dup
from worker.corpus.copy_rule import SETTING, measure
from worker.corpus.entities import Name, merge_reason, variant_key
from worker.corpus.shingles import (
    NUM_PERM,
    SEED,
    article_text,
    article_words,
    common_subsequence,
    jaccard,
    mersenne_remainder,
    ordered_overlap,
    permutations,
    shingles,
    shingles_of,
    signature,
    words,
)
from worker.corpus.stories import Report, StoryView, best_story, codes_compatible, score
from worker.lang.ar.morphology import comparison_stem as stem

# Spelling variants of one name, and aliases: one entity.
SAME = [
    ("سيرغي لافروف", "سيرجي لافروف", "PERS", "غ/ج"),
    ("ليندسي جراهام", "ليندسي غراهام", "PERS", "غ/ج"),
    ("وزارة الخارجية الأمريكية", "وزارة الخارجية الأميركية", "ORG", "اميرك/امريك"),
    ("مصطفى الكاظمي", "مصطفي الكاظمي", "PERS", "ى/ي"),
    ("منظمة الصحة العالمية", "منظمه الصحه العالميه", "ORG", "ة/ه"),
    ("إسرائيل", "اسرائيل", "LOC", "hamza"),
    ("هيئة الأمم المتحدة", "هيئه الامم المتحده", "ORG", "hamza"),
    ("المؤتمر الوطني", "المءتمر الوطني", "ORG", "ؤ/ء"),
    ("القاهرة", "قاهرة", "LOC", "ال-"),
    ("علي عبد الله صالح", "علي عبدالله صالح", "PERS", "joined or apart"),
    ("عبدربه منصور هادي", "عبد ربه منصور هادي", "PERS", "joined or apart"),
    ("محمود عباس", "أبو مازن", "PERS", "alias"),
    ("الولايات المتحدة الأمريكية", "أمريكا", "LOC", "alias"),
    ("حلف شمال الأطلسي", "الناتو", "ORG", "alias"),
]

# Different entities that look alike: never merged.
APART = [
    (Name("رفيق الحريري", "PERS"), Name("سعد الحريري", "PERS")),  # one family name, two people
    (Name("بشار الأسد", "PERS"), Name("حافظ الأسد", "PERS")),
    (Name("الحريري", "PERS"), Name("سعد الحريري", "PERS")),  # a family name alone is not a person
    (Name("محمد بن سلمان", "PERS"), Name("محمد بن زايد", "PERS")),  # different Mohammeds
    (Name("محمد مرسي", "PERS"), Name("محمد بن سلمان", "PERS")),
    (Name("محمد", "PERS"), Name("محمد بن سلمان", "PERS")),
    (Name("محمد", "PERS"), Name("محمود", "PERS")),
    (Name("عمان", "LOC", "JOR"), Name("عُمان", "LOC", "OMN")),  # Amman is not Oman
    (Name("عمان", "LOC", "JOR"), Name("سلطنة عمان", "LOC", "OMN")),
    (Name("مصر", "LOC"), Name("مصر", "ORG")),  # another type
    (Name("سعيد", "PERS"), Name("سعد", "PERS")),
    (Name("محمد عبده", "PERS"), Name("محمد عبد الله", "PERS")),  # Abduh is no compound
]


@pytest.mark.parametrize(("a", "b", "type_", "why"), SAME, ids=[s[3] + ":" + s[1] for s in SAME])
def test_spelling_variants_and_aliases_are_one_entity(a, b, type_, why):
    found = merge_reason(Name(a, type_), Name(b, type_))
    assert found is not None, f"«{a}» and «{b}» should be one entity"
    rule, reason = found
    assert rule == ("alias" if why == "alias" else "spelling")
    assert a in reason and b in reason
    if ("/" in why and why not in ("ى/ي", "ة/ه")) or why == "joined or apart":
        assert why in reason  # the reason names the variant a reviewer can check
    assert variant_key(a) == variant_key(b)


@pytest.mark.parametrize(("a", "b"), APART, ids=[f"{a.name}|{b.name}" for a, b in APART])
def test_must_not_merge(a, b):
    assert merge_reason(a, b) is None and merge_reason(b, a) is None


def test_one_country_known_does_not_block_a_merge():
    assert merge_reason(Name("سيرغي لافروف", "PERS", "RUS"), Name("سيرجي لافروف", "PERS")) is not None


WIRE = (
    "استقبل ولي العهد في قصر السلام بجدة اليوم وزير الدولة لشؤون الدفاع بدولة قطر والوفد المرافق له، "
    "وجرى خلال الاستقبال استعراض روابط التعاون الثنائي بين البلدين الشقيقين وخصوصا في المجالات العسكرية، "
    "بالإضافة إلى عدد من المسائل ذات الاهتمام المشترك، وحضر الاستقبال عدد من المسؤولين في الوزارة."
)
# The same wire re-published: another headline, a dateline, two words changed, the last clause cut.
COPY = "واس - جدة: " + WIRE.replace("اليوم", "أمس").replace("وخصوصا", "وبخاصة").rsplit("،", 1)[0]
# One template, another happening: another guest, another city, other matters.
TEMPLATE = (
    "استقبل ولي العهد في قصر اليمامة بالرياض اليوم وزير خارجية جمهورية الصومال الفيدرالية والوفد المرافق له، "
    "وجرى خلال الاستقبال بحث المساعدات الإنسانية وإعادة الإعمار وجهود مكافحة الجفاف في القرن الأفريقي، "
    "وتطورات الأوضاع في المنطقة، وحضر الاستقبال سفير الصومال لدى المملكة."
)


def _seen(i: str, text: str, hours: float = 0) -> dup.Seen:
    when = datetime(2015, 8, 10, tzinfo=UTC) + timedelta(hours=hours)
    return dup.Seen(i, when, frozenset(shingles(text)))


def test_a_lightly_edited_copy_matches_and_a_template_of_another_happening_does_not():
    original, copy, other = _seen("a", WIRE), _seen("b", COPY, 5), _seen("c", TEMPLATE, 1)
    found = dup.matches(copy, [original, other])
    assert [c.id for c, _ in found] == ["a"]
    assert found[0][1] == pytest.approx(jaccard(original.shingles, copy.shingles))
    assert dup.matches(other, [original]) == []


def test_a_copy_outside_the_window_is_another_article():
    assert dup.matches(_seen("b", COPY, 24 * (dup.WINDOW_DAYS + 1)), [_seen("a", WIRE)]) == []


def test_the_first_article_of_a_group_is_the_earliest_whatever_the_order_of_arrival():
    items = [
        ("late-copy", datetime(2015, 8, 11, tzinfo=UTC), COPY),
        ("first", datetime(2015, 8, 10, tzinfo=UTC), "عاجل: " + WIRE),
        ("other", datetime(2015, 8, 10, tzinfo=UTC), TEMPLATE),
        ("copy-2", datetime(2015, 8, 12, tzinfo=UTC), WIRE),
    ]
    links = dup.scan(items)
    assert {a: d for a, (d, _) in links.items()} == {"late-copy": "first", "copy-2": "first"}
    assert all(0 < s <= 1 for _, s in links.values())


def test_short_notices_are_not_compared():
    assert (
        dup.scan([(str(i), datetime(2015, 8, 10, tzinfo=UTC), "توفي فلان رحمه الله") for i in range(3)]) == {}
    )


# A release, the same release edited in every sentence (another verb, a clitic or a preposition
# changed, a word inserted: most three-word shingles break, the words keep their order), and a
# report written separately from the same statement (its names, figures and a quotation, in
# sentences of its own).
RELEASE = (
    "أعلنت وزارة الصحة اليوم تسجيل ثلاث إصابات جديدة بفيروس كورونا في منطقة الرياض، وأوضح المتحدث الرسمي "
    "للوزارة الدكتور محمد العبدالعالي أن الحالات المسجلة تتلقى الرعاية الطبية اللازمة في المستشفيات، وأن فرق "
    "التقصي الوبائي تتابع المخالطين في المنازل والمدارس والأسواق. وأكد العبدالعالي أن الوزارة رفعت جاهزية "
    "المراكز الصحية في جميع المناطق، داعيا المواطنين والمقيمين إلى الالتزام بالإرشادات الوقائية ومراجعة أقرب "
    "مركز صحي عند ظهور الأعراض."
)
EDITED = (
    "أعلنت وزارة الصحة أمس تسجيل ثلاث حالات إصابة جديدة بفيروس كورونا بمنطقة الرياض، وبين المتحدث الرسمي "
    "باسم الوزارة الدكتور محمد العبدالعالي أن هذه الحالات تتلقى الرعاية الطبية اللازمة في المستشفيات، وأن فرق "
    "التقصي الوبائي تواصل متابعة المخالطين بالمنازل والمدارس والأسواق. وشدد العبدالعالي على أن الوزارة رفعت "
    "درجة جاهزية المراكز الصحية بجميع المناطق، داعيا المواطنين والمقيمين للالتزام بالإرشادات الوقائية "
    "ومراجعة أقرب مركز صحي حال ظهور الأعراض."
)
SEPARATE = (
    "في ظل مخاوف من عودة انتشار الفيروس، سجلت منطقة الرياض ثلاث إصابات جديدة بكورونا بحسب ما أعلنته وزارة "
    "الصحة اليوم. ونقلت وكالة الأنباء عن المتحدث الرسمي الدكتور محمد العبدالعالي قوله إن المصابين في حالة "
    "مستقرة وإن فرق التقصي الوبائي تتابع المخالطين. وكانت الوزارة قد دعت في وقت سابق المواطنين والمقيمين إلى "
    "الالتزام بالإرشادات الوقائية، فيما يرى مختصون أن الأسواق والمدارس أبرز أماكن العدوى مع عودة الطلاب بعد "
    "الإجازة، مطالبين بتشديد الرقابة على التجمعات."
)


def _with_body(i: str, text: str, hours: float = 0) -> dup.Seen:
    when = datetime(2015, 8, 10, tzinfo=UTC) + timedelta(hours=hours)
    return dup.Seen(i, when, frozenset(shingles(text)), tuple(words(text)))


def test_a_release_edited_in_every_sentence_is_a_copy_and_a_report_written_from_it_is_not():
    edited = measure(_with_body("a", RELEASE), _with_body("b", EDITED, 3), template=0)
    separate = measure(_with_body("a", RELEASE), _with_body("c", SEPARATE, 4), template=0)
    # the shingles tell neither apart from the other: both are far below both shingle thresholds
    for s in (edited, separate):
        assert s.jaccard < SETTING.jaccard and s.containment < SETTING.containment
    # the words of the edited copy are the release's in the release's order; the separate report's
    # shared names, figures and quotation stand in another order among words of its own
    assert edited.ordered >= SETTING.ordered > separate.ordered
    assert separate.ordered < 0.5
    # and the pipeline's scan (signatures, bands, screen, rule) links the copy only
    t0 = datetime(2015, 8, 10, tzinfo=UTC)
    links = dup.scan(
        [
            ("release", t0, RELEASE),
            ("edited", t0 + timedelta(hours=3), EDITED),
            ("separate", t0 + timedelta(hours=4), SEPARATE),
        ]
    )
    assert {a: d for a, (d, _) in links.items()} == {"edited": "release"}


def test_word_order_is_a_longest_common_subsequence_of_light_stems():
    # a proclitic with the article and an ending come off; numbers and short words stay
    assert stem("والمستشفيات") == stem("المستشفيات") == "مستشفي"
    assert stem("بالمنازل") == stem("المنازل") == "منازل"
    assert stem("2015") == "2015" and stem("في") == "في"
    assert common_subsequence("ABCBDAB", "BDCABA") == 4
    assert common_subsequence([], ["a"]) == 0
    rng = np.random.default_rng(3)
    for _ in range(50):
        a = list(rng.choice(list("abcde"), rng.integers(0, 30)))
        b = list(rng.choice(list("abcdef"), rng.integers(0, 60)))
        table = np.zeros((len(a) + 1, len(b) + 1), dtype=int)
        for i, x in enumerate(a):
            for j, z in enumerate(b):
                table[i + 1, j + 1] = table[i, j] + 1 if x == z else max(table[i, j + 1], table[i + 1, j])
        assert common_subsequence(a, b) == table[-1, -1]
    assert ordered_overlap(words(RELEASE), words(RELEASE)) == 1.0
    assert ordered_overlap(words(RELEASE), []) == 0.0


def test_article_text_joins_title_and_body():
    assert article_text("عنوان", "نص") == "عنوان\nنص" and article_text(None, None) == "\n"


def test_participant_codes_are_compatible_when_they_do_not_conflict():
    assert codes_compatible("USAGOV", "USA") and codes_compatible(None, "RUSMIL")
    assert codes_compatible("USAGOV", "USAGOV")
    assert not codes_compatible("USAGOV", "USAMIL") and not codes_compatible("USA", "RUS")


def _story(i=1, **kw) -> StoryView:
    base = {
        "type": "CONSULT",
        "day": "2015-08-10",
        "actor": "RUSGOV",
        "recipient": "USAGOV",
        "place_key": "جنيف",
    }
    return StoryView(i, **{**base, **kw})


def test_reports_of_one_happening_match_within_the_window_and_swapped_roles():
    r = Report("CONSULT", "2015-08-11", "USAGOV", "RUS", "جنيف")  # «Kerry met Lavrov», a day later
    assert score(r, _story()) == 3
    assert score(Report("CONSULT", "2015-08-12", "RUSGOV", None, None), _story()) == 1


@pytest.mark.parametrize(
    "r",
    [
        Report("ASSAULT", "2015-08-10", "RUSGOV", "USAGOV", "جنيف"),  # another type
        Report("CONSULT", "2015-08-20", "RUSGOV", "USAGOV", "جنيف"),  # outside the window
        Report("CONSULT", "2015-08-10", "RUSGOV", "USAGOV", "فيينا"),  # another place
        Report("CONSULT", "2015-08-10", "CHNGOV", "USAGOV", "جنيف"),  # another participant
        Report("CONSULT", "2015-08-10", None, None, None),  # nothing to agree on
    ],
)
def test_what_is_another_happening(r):
    assert score(r, _story()) is None


def test_the_story_agreeing_on_most_is_chosen():
    loose = _story(1, recipient=None, place_key=None)
    full = _story(2)
    r = Report("CONSULT", "2015-08-10", "RUSGOV", "USAGOV", "جنيف")
    assert best_story(r, [loose, full]) is full
    assert best_story(Report("FIGHT", "2015-08-10", None, None, None), [loose, full]) is None


def test_article_words_are_the_words_of_the_article_text_and_of_its_body():
    # index_article normalises the body once; the result must be the separate calls'
    title, body = "ﻻ عاجلٌ:\u00a0الوزيرة", "قال الوزير\u00a0إنّ الاجتماع ٣ أيام.\nوأضاف ـــ أن…"
    text_words, body_words = article_words(title, body)
    assert text_words == words(article_text(title, body))
    assert body_words == words(body)
    assert shingles_of(text_words) == shingles(article_text(title, body))
    assert article_words(None, None) == ([], [])


def test_permutations_are_datasketchs():
    for num_perm, seed in ((NUM_PERM, SEED), (16, 7)):
        theirs = MinHash(num_perm=num_perm, seed=seed).permutations
        assert theirs.dtype == np.uint64
        assert (permutations(num_perm, seed) == theirs).all()


def test_the_worker_does_not_import_datasketch_or_scipy():
    # SciPy, which datasketch imports, put a preloaded worker 43 MB higher (issue 10's <= 400 MB)
    code = (
        "import sys, worker.tasks, worker.batches, worker.stages.pipeline, worker.corpus.hook, "
        "worker.corpus.duplicates\n"
        "print(sorted(m for m in ('datasketch', 'scipy') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_signatures_drawn_with_shared_permutations_are_datasketchs():
    sh = shingles("قال وزير الخارجية في الرياض اليوم إن المملكة ترحب بالاتفاق الجديد")
    fresh = MinHash(num_perm=NUM_PERM, seed=SEED)
    fresh.update_batch([s.encode("utf-8") for s in sh])
    assert (signature(sh) == fresh.hashvalues.astype(np.uint64)).all()
    assert (signature(sh) == signature(set(sh))).all()
    empty = MinHash(num_perm=NUM_PERM, seed=SEED).hashvalues.astype(np.uint64)
    assert (signature(set()) == empty).all() and signature(set()).dtype == np.uint64
    many = shingles(" ".join(f"كلمة{i}" for i in range(400)))  # uint64 products that wrap around
    fresh = MinHash(num_perm=NUM_PERM, seed=SEED)
    fresh.update_batch([s.encode("utf-8") for s in many])
    assert (signature(many) == fresh.hashvalues.astype(np.uint64)).all()


def test_mersenne_remainder_is_numpys():
    prime = (1 << 61) - 1
    edges = [
        0,
        1,
        prime - 1,
        prime,
        prime + 1,
        2 * prime - 1,
        2 * prime,
        2 * prime + 1,
        (1 << 61) - 8,
        (1 << 62) - 1,
        (1 << 63) + prime - 3,
        (1 << 64) - 1,
        (7 << 61) + prime - 1,
        (7 << 61) + prime,
    ]
    rng = np.random.default_rng(5)
    x = np.concatenate([np.array(edges, dtype=np.uint64), rng.integers(0, 1 << 64, 5000, dtype=np.uint64)])
    expected = np.remainder(x, np.uint64(prime))
    assert (mersenne_remainder(x.copy().reshape(-1, 2)).ravel() == expected).all()
    assert (mersenne_remainder(np.zeros((0, 3), dtype=np.uint64))).shape == (0, 3)


# Two congratulation cables in one formula, written for this test: another head of state, another
# occasion and other wishes in every clause. Their words keep the formula's order (0.64) but they
# are two cables.
CABLE_A = (
    "بعث خادم الحرمين الشريفين برقية تهنئة إلى رئيس جمهورية مالي بمناسبة ذكرى استقلال بلاده، أعرب فيها "
    "عن أصدق التهاني وأطيب التمنيات بموفور الصحة والسعادة لفخامته، ولشعب مالي الشقيق المزيد من التقدم "
    "والازدهار. كما بعث ولي العهد برقية مماثلة."
)
CABLE_B = (
    "بعث خادم الحرمين الشريفين برقية تهنئة إلى ملك مملكة بلجيكا بمناسبة اليوم الوطني لبلاده، أعرب فيها "
    "عن أصدق التهاني وأطيب التمنيات بدوام الصحة والعافية لجلالته، ولشعب بلجيكا الصديق اطراد التقدم "
    "والرقي. كما بعث ولي العهد برقية مماثلة."
)


def test_two_notices_in_one_formula_are_not_linked_by_word_order():
    from dataclasses import replace

    from worker.corpus.copy_rule import is_copy

    notices = measure(_with_body("a", CABLE_A), _with_body("b", CABLE_B, 0.1), template=0)
    edited = measure(_with_body("a", RELEASE), _with_body("b", EDITED, 3), template=0)
    assert notices.jaccard < SETTING.jaccard and notices.containment < SETTING.containment
    # the order threshold fitted on the 260 labelled pairs (0.65) leaves the notices apart; the
    # one fitted on the first 200 (0.60) linked them
    assert 0.6 <= notices.ordered < SETTING.ordered
    assert not is_copy(notices) and is_copy(notices, replace(SETTING, ordered=0.6))
    assert is_copy(edited)
