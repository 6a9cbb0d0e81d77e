"""Participants behind titles and genitive heads (sentences written for these tests)."""

from __future__ import annotations

from tests.test_events import doc_with
from worker.stages.config import DEFAULT, StageConfig
from worker.stages.events.stage import events

# the rules' own place (the place model, learned, is tested in test_places.py)
RULES_PLACE = StageConfig(places_model="off")


def first(text: str, etype: str, names, config: StageConfig = DEFAULT):
    return next(e for e in events(doc_with(text, names), config).events if e.type == etype)


def test_preposition_before_a_title_governs_the_name():
    e = first(
        "أجرى مسؤولون سابقون محادثات مع وزير الخارجية الكندي جان مارتان في أوتاوا.",
        "CONSULT",
        [("جان مارتان", "PERS"), ("أوتاوا", "LOC")],
    )
    assert e.recipients == ["جان مارتان"] and e.location == "أوتاوا"


def test_between_a_name_and_a_titled_name():
    e = first(
        "وجرى لقاء قصير بين مارتان ووزير الخارجية الفرنسي بيار دوران.",
        "CONSULT",
        [("مارتان", "PERS"), ("بيار دوران", "PERS")],
    )
    assert e.actors == ["مارتان"] and e.recipients == ["بيار دوران"]


def test_generic_subject_leaves_the_name_as_object():
    e = first("واتهم آخرون سعيد الخالدي بالفساد.", "ACCUSE", [("سعيد الخالدي", "PERS")])
    assert e.actors == [] and e.recipients == ["سعيد الخالدي"]


def test_a_name_inside_a_prepositional_phrase_is_not_the_subject():
    e = first(
        "وكانت لجنة الرقابة قد فرضت العام الماضي حظرا على سفر سليم حداد قائد حرس الحدود.",
        "SANCTION",
        [("لجنة الرقابة", "ORG"), ("سليم حداد", "PERS"), ("حرس الحدود", "ORG")],
    )
    assert e.actors == ["لجنة الرقابة"] and "سليم حداد" in e.recipients


def test_the_place_that_hosts_the_meeting_is_its_location():
    e = first(
        "وشهدت العاصمة الكندية أوتاوا السبت الاجتماع الثالث للجنة المشتركة برئاسة جان مارتان.",
        "CONSULT",
        [("أوتاوا", "LOC"), ("جان مارتان", "PERS")],
    )
    assert e.location == "أوتاوا" and "أوتاوا" not in e.actors
    e = first("وقالت أوتاوا إن الاجتماع الثالث للجنة عقد أمس.", "CONSULT", [("أوتاوا", "LOC")], RULES_PLACE)
    assert e.location is None


def test_other_forms_of_a_groups_nisba_name_stand_for_the_group():
    from worker.stages.events.arguments_participants import group_names, participants

    text = (
        "وقصفت طائرات التحالف مواقع الحوثيين أمس. وحمل الحوثيون الأمم المتحدة المسؤولية. "
        "وارتكبت الميليشيات الحوثية مجزرة."
    )
    doc = doc_with(text, [("الحوثيين", "ORG"), ("الأمم المتحدة", "ORG")])
    assert group_names(doc) == {"حوث": "الحوثيين"}
    for si in (1, 2):
        parts = participants(doc, si, {}, {})
        assert "الحوثيين" in [p.name for p in parts]
    # a nationality names a state (state_names), not a group
    doc = doc_with("والتقى الوزير الأمريكيين في واشنطن.", [("الأمريكيين", "ORG")])
    assert group_names(doc) == {}


def _titled(text: str, names: list[tuple[str, str]], si: int, trigger_word: str) -> list[str]:
    from worker.stages.events.arguments_participants import participants, state_names, title_index

    doc = doc_with(text, names)
    toks = doc.sentences[si].tokens
    stops = {k for k, t in enumerate(toks) if t.text == trigger_word}
    parts = participants(doc, si, state_names(doc), title_index(doc), stops)
    return [p.name for p in parts if p.source == "title"]


def test_a_headline_title_stops_at_the_trigger():
    # without the stop the title runs on into the verb and the second title, and ties
    text = (
        "ولي العهد يلتقي رئيس الوزراء\n\n"
        "واستقبل سلمان بن حمد ولي العهد ضيوفه أمس. وحضر اللقاء خليفة بن سلمان رئيس الوزراء."
    )
    names = [("سلمان بن حمد", "PERS"), ("خليفة بن سلمان", "PERS")]
    assert _titled(text, names, 0, "يلتقي") == ["سلمان بن حمد", "خليفة بن سلمان"]


def test_a_title_head_after_a_head_completes_the_title():
    # «الرئيس اليمني» inside «نائب الرئيس اليمني» is not the president; the state's name and its
    # adjective compare equal, so the vice-president's own title («نائب رئيس اليمن») wins
    text = (
        "نائب الرئيس اليمني يزور عدن\n\n"
        "ووصل خالد بحاح نائب رئيس اليمن إلى عدن أمس. وكان الرئيس اليمني عبد ربه هادي قد عاد إليها."
    )
    names = [("خالد بحاح", "PERS"), ("عبد ربه هادي", "PERS"), ("عدن", "LOC")]
    assert _titled(text, names, 0, "يزور") == ["خالد بحاح"]
    # a tie on the whole title is not broken by the head inside it («الرئيس اليمني»)
    text = (
        "نائب الرئيس اليمني يزور عدن\n\n"
        "ووصل خالد بحاح نائب رئيس الحكومة إلى عدن أمس. وكان الرئيس اليمني عبد ربه هادي قد عاد إليها."
    )
    assert "عبد ربه هادي" not in _titled(text, names, 0, "يزور")


def test_the_definite_dual_of_a_place_label_names_the_two_places_again():
    from worker.stages.events.arguments_participants import participants

    text = (
        "تخوض الفصائل معارك للسيطرة على بلدتي الفوعة وكفرية بريف إدلب. "
        "وأوضحت المصادر أن قوات النظام استهدفت البلدتين بأكثر من 1400 قذيفة."
    )
    doc = doc_with(text, [("الفوعة", "LOC"), ("كفرية", "LOC"), ("إدلب", "LOC")])
    parts = participants(doc, 1, {}, {})
    assert sorted(p.name for p in parts if p.source == "reference") == ["الفوعة", "كفرية"]
    # no construct dual named two places before: the dual names nothing
    doc = doc_with("وقالت المصادر إن القوات قصفت المدينتين أمس.", [])
    assert [p for p in participants(doc, 0, {}, {}) if p.source == "reference"] == []
