"""When one article copies another (worker/corpus/copy_rule.py): where the shared text begins, the
template count, the rule, and its fitting and cross-validation. Constructed texts; no services."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from worker.corpus import copy_rule as rule
from worker.corpus import duplicates as dup
from worker.corpus.shingles import lead_offset, shingles, tail_offset, turns, words

T0 = datetime(2015, 8, 10, tzinfo=UTC)
ITEM = (
    "أعلنت وزارة الصحة اليوم تسجيل ثلاث إصابات جديدة بالفيروس في منطقة الرياض وأوضحت أن الحالات تتلقى "
    "الرعاية اللازمة في المستشفيات وأن فرق التقصي تتابع المخالطين في المنازل والمدارس والأسواق"
)
MORE = (
    "وأضافت الوزارة أن الفرق الميدانية زارت خلال الأسبوع الماضي أكثر من مئتي منزل وأن نتائج الفحوص "
    "ستعلن تباعا داعية المواطنين إلى الالتزام بالإرشادات الصحية ومراجعة المراكز عند ظهور الأعراض"
)
OPENING = (
    "افتتح أمير المنطقة مساء أمس مهرجان الصيف بحضور عدد من المسؤولين والأهالي وتضمن الحفل عروضا "
    "شعبية ومسرحية للأطفال والعائلات في الحديقة العامة وسط المدينة وسط إقبال كبير من الزوار والمصطافين"
)

LATER = (
    "وبينت الوزارة في بيانها أن مختبراتها المرجعية أكملت تحليل العينات التي جمعت من المستشفيات الثلاثة "
    "وأن التحاليل لم تظهر أي سلالة جديدة وأنها رفعت جاهزية غرف العزل وزودت المراكز بأجهزة الفحص السريع"
)
OTHER = (
    "وفي شأن آخر اختتم المنتخب الوطني لكرة القدم معسكره التدريبي في النمسا بمباراة ودية فاز فيها على "
    "نظيره التركي بهدفين نظيفين سجلهما المهاجمان في الشوط الثاني بعد تمريرتين من لاعب الوسط الجديد"
)


def _seen(i: str, body: str, hours: float = 0, keys: frozenset[int] = frozenset()) -> rule.Seen:
    return rule.Seen(
        i, T0 + timedelta(hours=hours), frozenset(shingles(body)), tuple(words(body)), keys, turns(body)
    )


def test_the_lead_offset_is_where_the_first_shared_passage_begins():
    item = frozenset(shingles(ITEM))
    assert lead_offset(words(ITEM + " " + MORE), item) == 0
    assert lead_offset(words(OPENING + " " + ITEM), item) == len(words(OPENING))
    # a stray shared phrase shorter than a passage is not where the shared text begins
    assert lead_offset(words("أعلنت وزارة الصحة " + OPENING), item) == len(words(OPENING)) + 3


def test_a_trimmed_reprint_is_a_copy_and_a_roundup_holding_the_item_is_not():
    # the longer article holds the item whole and as much else in both cases
    reprint = rule.measure(_seen("short", ITEM), _seen("long", f"{ITEM} {MORE} {LATER}", 3), template=0)
    roundup = rule.measure(_seen("short", ITEM), _seen("long", f"{OPENING} {ITEM} {OTHER}", 3), template=0)
    assert reprint.containment == roundup.containment == 1.0
    assert reprint.jaccard < rule.SETTING.jaccard and roundup.jaccard < rule.SETTING.jaccard
    assert reprint.lead == 0 and roundup.lead == len(words(OPENING))
    assert rule.is_copy(reprint) and not rule.is_copy(roundup)


def test_a_report_that_turns_to_another_item_after_the_shared_text_is_no_copy():
    item = frozenset(shingles(ITEM))
    assert tail_offset(words(f"{ITEM} {OTHER}"), item) == len(words(ITEM))
    assert tail_offset(words(OPENING), item) == 0
    # a paragraph or sentence that opens with a turn, with or without «و»; not inside a quotation
    assert turns(f"{ITEM}\n{OTHER}") == (len(words(ITEM)),)
    assert turns(f"{ITEM}. من جهة أخرى، {OPENING}") == (len(words(ITEM)),)
    assert turns(f"{ITEM}\nوإلى ذلك {OPENING}") == (len(words(ITEM)),)
    assert turns(f'{ITEM}\nوتابع "ومن ناحية أخرى فإن {OPENING}"') == ()
    # the longer prints the item whole, then turns to news of its own (after or before it)
    digest = rule.measure(_seen("short", ITEM), _seen("long", f"{ITEM} {MORE}\n{OTHER}", 3), template=0)
    before = rule.measure(_seen("short", ITEM), _seen("long", f"{OTHER}\nمن جهة أخرى {ITEM}", 3), template=0)
    reprint = rule.measure(_seen("short", ITEM), _seen("long", f"{ITEM}\n{MORE}\n{LATER}", 3), template=0)
    assert digest.turned and before.turned and not reprint.turned
    assert digest.containment == before.containment == reprint.containment == 1.0
    assert not rule.is_copy(digest) and not rule.is_copy(before) and rule.is_copy(reprint)
    # a turn that both print is part of the shared text: the copy of a digest is a copy
    whole = f"{ITEM}\n{OTHER}"
    assert not rule.measure(_seen("a", whole), _seen("b", f"{whole} {MORE}", 3), template=0).turned


def test_shared_text_printed_on_earlier_days_is_a_template():
    older = [T0 - timedelta(days=d) for d in (4, 5, 6, 8, 9)]
    assert rule.template_count({1, 2, 3}, T0, {1: older, 2: older[:1], 3: older + [T0]}) == 5
    assert rule.template_count({1}, T0, {1: [T0 - timedelta(days=1)]}) == 0  # a reprint of yesterday
    assert rule.template_count(set(), T0, {}) == 0
    copy = rule.measure(_seen("a", ITEM), _seen("b", ITEM, 2), template=0)
    assert rule.is_copy(copy)
    assert not rule.is_copy(rule.Signals(**{**copy.__dict__, "template": 5}))
    assert not rule.is_copy(rule.Signals(**{**copy.__dict__, "banded": False}))
    assert not rule.is_copy(rule.Signals(**{**copy.__dict__, "days": rule.SETTING.window_days + 1}))


def test_the_matcher_asks_for_the_template_count_of_each_pair():
    asked = []

    def template(a, b):
        asked.append((a.id, b.id))
        return 10.0

    me, other = _seen("b", ITEM, 5), _seen("a", ITEM)
    assert dup.matches(me, [other], template) == [] and asked == [("b", "a")]
    assert [c.id for c, _ in dup.matches(me, [other], lambda a, b: 0.0)] == ["a"]


def test_a_scan_leaves_a_text_printed_day_after_day_apart():
    # one outlet's daily notice in the same words: while no print is more than three days old it
    # reads as a reprint; once more than three prints are, it is boilerplate and links nothing
    days = [(f"d{n}", T0 + timedelta(days=n), ITEM) for n in range(12)]
    links = dup.scan(days)
    assert set(links) == {f"d{n}" for n in range(1, 7)}
    # the same text printed twice on one day, with no history, is a copy
    assert set(dup.scan([("x", T0, ITEM), ("y", T0 + timedelta(hours=2), ITEM)])) == {"y"}


def _rows():
    copies = [rule.Signals(0.5 + i / 100, 0.9, 0, 0.5, 0) for i in range(20)]
    trimmed = [rule.Signals(0.2, 0.8 + i / 100, 1, 0.5, 0) for i in range(10)]
    roundups = [rule.Signals(0.2, 0.8 + i / 100, 300, 0.5, 0) for i in range(10)]
    templates = [rule.Signals(0.6, 0.8, 0, 2.0, 20 + i) for i in range(10)]
    strangers = [rule.Signals(0.05, 0.1, 500, 1.0, 0) for _ in range(20)]
    return [(s, True) for s in copies + trimmed] + [(s, False) for s in roundups + templates + strangers]


def test_the_fit_separates_what_the_signals_separate_and_held_out_figures_say_so():
    rows = _rows()
    setting = rule.fit(rows)
    s = rule.score(rows, setting)
    assert (s.precision, s.recall) == (1.0, 1.0)
    assert setting.lead_words < 300 and setting.template_articles < 20
    cv = rule.cross_validated(rows, folds=5, repeats=2)
    assert cv.precision == 1.0 and cv.recall == 1.0 and cv.found == 2 * 30
    # without the two signals the same pairs cannot all be told apart
    inf = float("inf")
    shingles_only = [g for g in rule.GRID if g.lead_words == inf and g.template_articles == inf]
    best = rule.score(rows, rule.fit(rows, grid=shingles_only))
    assert best.precision < 1.0 or best.recall < 1.0


def test_held_out_figures_by_part_add_up_to_the_pooled_ones_and_count_each_part_alone():
    rows = _rows()
    # a hard pair of each kind that no setting gets right: a copy that looks like a stranger and a
    # stranger that looks like a copy, both in the part "hard"
    rows += [(rule.Signals(0.05, 0.1, 500, 1.0, 0), True), (rule.Signals(0.9, 0.95, 0, 1.0, 0), False)]
    parts = ["random" if i % 2 else "hard" for i in range(len(rows) - 2)] + ["hard", "hard"]
    by_part = rule.cross_validated_parts(rows, parts, folds=4, repeats=2)
    pooled = rule.cross_validated(rows, folds=4, repeats=2)
    assert set(by_part) == {"random", "hard"}
    for f in ("found", "wrong", "missed"):
        assert sum(getattr(x, f) for x in by_part.values()) == getattr(pooled, f)
    # every pair is held out once a repeat
    copies = sum(c for _, c in rows)
    assert pooled.found + pooled.missed == 2 * copies
    assert by_part["random"].found + by_part["random"].missed == 2 * sum(
        c for (_, c), p in zip(rows, parts, strict=True) if p == "random"
    )
    # the two impossible pairs are in "hard": "random" keeps its own figures
    assert by_part["hard"].missed >= 2 and by_part["hard"].wrong >= 2
    assert by_part["random"].precision > by_part["hard"].precision


def test_a_group_is_joined_through_its_first_article_not_through_any_member():
    # a release, a report that prints it whole and then another text, and a copy of that other text
    # alone: the last copies the report, not the release, and is no copy of the group's first
    links = dup.scan(
        [
            ("release", T0, ITEM),
            ("report", T0 + timedelta(hours=2), f"{ITEM} {OTHER}"),
            ("other", T0 + timedelta(hours=4), OTHER),
        ]
    )
    assert {a: d for a, (d, _) in links.items()} == {"report": "release"}
    # the release copied by a later article still joins its group
    links = dup.scan(
        [
            ("release", T0, ITEM),
            ("report", T0 + timedelta(hours=2), f"{ITEM} {OTHER}"),
            ("reprint", T0 + timedelta(hours=4), f"واس - {ITEM}"),
        ]
    )
    assert {a: d for a, (d, _) in links.items()} == {"report": "release", "reprint": "release"}
