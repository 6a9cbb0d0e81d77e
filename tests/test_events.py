"""Event typing, modality, arguments and dates on sentences written for these tests (no NER
model needed: mentions are given by hand)."""

from __future__ import annotations

import dataclasses

from worker.lang.ar.morphology import verb_forms
from worker.stages.document import Document, Mention
from worker.stages.events.stage import events
from worker.stages.events.triggers import find_triggers
from worker.stages.text.normalise import normalise
from worker.stages.text.segment import segment

PUB = "2023-07-07T12:00:00+03:00"


def doc_with(text: str, names: list[tuple[str, str]]) -> Document:
    doc = segment(normalise(Document.from_article("t", None, text, published_at=PUB)))
    mentions = []
    for name, typ in names:
        start = text.index(name)
        si = next(i for i, s in enumerate(doc.sentences) if s.start <= start < s.end)
        mentions.append(Mention(name, typ, start, start + len(name), name, si))
    return dataclasses.replace(doc, mentions=tuple(mentions), stages=(*doc.stages, "ner", "link"))


def types(text: str, names=()) -> list[str]:
    return [e.type for e in events(doc_with(text, list(names))).events]


def test_verb_forms_cover_inflections():
    forms = verb_forms("اتفق", "يتفق")
    assert {"اتفق", "اتفقت", "اتفقا", "اتفقوا", "يتفق", "تتفق", "يتفقون"} <= forms


def test_clitics_and_masdar_nouns():
    assert types("وأجرى الوزير محادثات مع نظيره.") == ["CONSULT"]
    assert types("وشنت الطائرات غاراتها على المدينة.") == ["ASSAULT"]
    assert types("وخرج المئات في مظاهرات حاشدة.") == ["PROTEST"]


def test_support_with_weapons_is_aid():
    (e,) = events(doc_with("وتدعم فرنسا مالي عبر تقديم الأسلحة.", [("فرنسا", "LOC"), ("مالي", "LOC")])).events
    assert e.type == "AID" and e.mode == "military" and e.actors == ["فرنسا"]


def test_figurative_attack_is_not_an_assault():
    assert "ASSAULT" not in types("شن الكاتب هجوماً إعلامياً على الوزارة.")
    assert "ASSAULT" not in types("وسجل اللاعب هدفاً بعد هجوم سريع في المباراة.")


def test_natural_hazards_that_strike_are_not_assaults():
    assert "ASSAULT" not in types("وانشغلت بسلسلة الزلازل التي ضربت أراضيها وراح ضحيتها مئة قتيل.")
    assert "ASSAULT" not in types("ضربت عاصفة قوية الساحل أمس وألحقت أضرارا بالمنازل.")
    assert "ASSAULT" in types("ضرب مسلحون القرية أمس وقتلوا خمسة أشخاص.")


def test_casualties_of_this_attack_restate_it():
    (e,) = events(doc_with("وقال شاهد إن خمسة مدنيين قتلوا في هذا الهجوم أمس.", [])).events
    assert e.type == "ASSAULT" and e.refers_back
    (e,) = events(doc_with("هاجم مسلحون القرية أمس وقتلوا خمسة مدنيين.", [])).events
    assert e.type == "ASSAULT" and not e.refers_back


def test_words_inside_names_are_not_triggers():
    assert types("قالت وزارة الداخلية إن الطقس معتدل.", [("وزارة الداخلية", "ORG")]) == []


def test_modality():
    def mod(text):
        return [e.modality for e in events(doc_with(text, [])).events]

    assert mod("لم يلتق الرئيس بالوفد.") == ["negated"]
    assert mod("وسيزور الوزير العاصمة.") == ["future"]
    assert mod("إذا هاجم المسلحون القرية فسيرد الجيش.")[0] == "conditional"


def test_arguments_vso_and_between():
    d = doc_with(
        "التقى سامي الحسن في عمّان مع خالد يوسف أمس.",
        [("سامي الحسن", "PERS"), ("عمّان", "LOC"), ("خالد يوسف", "PERS")],
    )
    (e,) = events(d).events
    assert e.actors == ["سامي الحسن"] and e.recipients == ["خالد يوسف"]
    assert e.location == "عمّان" and e.date == "2023-07-06"
    d = doc_with(
        "جرى لقاء بين سامي الحسن وخالد يوسف في مارس/ آذار الماضي.",
        [("سامي الحسن", "PERS"), ("خالد يوسف", "PERS")],
    )
    (e,) = events(d).events
    assert e.actors == ["سامي الحسن"] and e.recipients == ["خالد يوسف"] and e.date == "2023-03"


def test_nationality_adjective_gives_the_state():
    d = doc_with("وتحدث عن روسيا ثم عن الغزو الروسي لأوكرانيا.", [("روسيا", "LOC"), ("أوكرانيا", "LOC")])
    ev = [e for e in events(d).events if e.type == "ASSAULT"]
    assert ev and ev[0].actors == ["روسيا"] and ev[0].recipients == ["أوكرانيا"]


def test_one_event_per_happening():
    assert types("قتل خمسة أشخاص في انفجار سيارة مفخخة في السوق.") == ["ASSAULT"]
    assert types("استمرت الاشتباكات في المدينة، فيما قصفت الطائرات القرية.") == ["ASSAULT", "ASSAULT"]


def test_stage_contract():
    d = events(doc_with("وقّعت الشركتان اتفاقية تعاون.", []))
    assert d.stages[-1] == "events" and d.events[0].type == "AGREE"


def test_triggers_are_spans_of_the_text():
    d = doc_with("وتظاهر الآلاف أمام البرلمان.", [])
    (t,) = find_triggers(d.sentences[0].tokens, d.text)
    assert d.text[t.start : t.end] == t.text == "وتظاهر"


def test_cooperation_named_by_a_document_is_the_signing_not_a_cooperation():
    # the signing is the event; "تعاون" only says what the document is about
    assert types("ووقع البلدان أمس اتفاقية تعاون في مجال الطاقة.") == ["AGREE"]
    assert "COOPERATE" not in types("وتبادل الوزيران بروتوكولا للتعاون العلمي.")
    # cooperation as the event itself stays
    assert types("وأكد الوزير أن البلدين يتعاونان في مكافحة الإرهاب.") == ["COOPERATE"]


def test_war_crimes_name_a_legal_category_not_a_war():
    # violence elsewhere in the sentence keeps «حرب» from being dropped as a weak word alone
    for text in (
        "واتهمت المنظمة الميليشيات بارتكاب جرائم حرب بعد مقتل عشرات المدنيين.",
        "ونفى أن تكون قواته ارتكبت جرائم حرب في المدينة التي قصفها الجيش.",
    ):
        evs = events(doc_with(text, [])).events
        assert "ASSAULT" in [e.type for e in evs]
        assert not [e for e in evs if e.type == "ASSAULT" and "حرب" in e.trigger]


def test_a_meeting_of_teams_is_a_match_not_a_consultation():
    assert "CONSULT" not in types(
        "ويخوض الفريق اليوم ثاني لقاءاته الودية أمام أحد الأندية بعدما خسر مباراته الأولى."
    )
    assert "CONSULT" not in types("ويلتقي المنتخب مع نظيره الياباني في المباراة النهائية.")
    # a club's officials still meet
    assert "CONSULT" in types("وعقد رئيس النادي لقاء مع وزير الرياضة لبحث دعم الفريق.")
    assert types("والتقى وزير الخارجية نظيره الفرنسي في باريس.") == ["CONSULT"]


def test_air_support_is_military_aid():
    for text in ("وتقدمت القوات بدعم جوي من التحالف.", "واستفاد المقاتلون من دعم مقاتلات التحالف."):
        evs = events(doc_with(text, [])).events
        assert [(e.type, e.mode) for e in evs if e.type in ("AID", "SUPPORT")] == [("AID", "military")]
    # backing in words stays SUPPORT
    assert "SUPPORT" in types("وأعلن الحزب دعمه للحكومة الجديدة.")
