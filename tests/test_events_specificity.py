"""A violent or protest mention counts as a report only when it gives particulars of one
happening (sentences written for these tests)."""

from __future__ import annotations

from tests.test_events import doc_with
from worker.stages.events.stage import events


def reported(text: str, etype: str, names=()) -> bool:
    evs = [e for e in events(doc_with(text, list(names))).events if e.type == etype]
    return any(e.modality == "asserted" and not e.refers_back for e in evs)


def test_specific_attack_is_reported():
    assert reported(
        "وقال مصدر في الشرطة إن خمسة أشخاص قتلوا أمس في انفجار سيارة مفخخة في سوق المدينة.", "ASSAULT"
    )
    assert reported("اغتال مسلحون مجهولون ضابطا في الشرطة صباح أمس قرب منزله.", "ASSAULT")


def test_background_and_generic_attacks_are_not_reports():
    # a plot answered by arrests
    assert not reported("واعتقلت الشرطة المتهمين بالتخطيط لتنفيذ هجوم على المطار.", "ASSAULT")
    # the attack is only the object of a condemnation
    assert not reported("وأدانت الحكومة الهجوم الذي وقع الشهر الماضي.", "ASSAULT")
    # habitual, generic
    assert not reported("الهجمات تهدد استقرار المنطقة.", "ASSAULT")
    # a question
    assert not reported("هل يمكن أن يتوقف القتل؟", "ASSAULT")


def test_protesters_alone_are_not_a_protest_event():
    assert not reported("واستخدمت الشرطة العصي في محاولة للسيطرة على المتظاهرين.", "PROTEST")
    assert reported("وتظاهر أمس مئات الطلاب أمام مقر البرلمان احتجاجا على القانون الجديد.", "PROTEST")
    assert reported(
        "وتجمع عشرات الناشطين في وسط المدينة رافعين لافتات تطالب بالإفراج عن المعتقلين.", "PROTEST"
    )


def test_what_known_protesters_do_next_continues_the_reported_protest():
    assert reported("وتظاهر مئات الطلاب أمس في ساحة الجامعة احتجاجا على رفع الرسوم.", "PROTEST")
    # the protesters the article already spoke of chant and march
    assert not reported("وردد المتظاهرون هتافات ضد الوزير ثم هتف المتظاهرون بسقوط الحكومة.", "PROTEST")
    assert not reported("وسار المحتجون في الشارع الرئيسي للمدينة أمس.", "PROTEST")
    # the protest named again by a definite noun
    assert not reported("وانتهت المظاهرة في ساحة البلدية مساء أمس.", "PROTEST")
    # a clause describing a crowd in a report of something else
    assert not reported("وأطلقت الشرطة النار على طلاب يحتجون على الرسوم أمس في المدينة.", "PROTEST")
    # a purpose, not a reference
    assert reported("واحتشد مئات العمال أمس أمام المصنع للاحتجاج على الأجور.", "PROTEST")


def test_dawn_is_not_a_detonation_and_rockets_fired_are_an_attack():
    assert not any(
        e.type == "ASSAULT"
        for e in events(doc_with("واعتقلت الشرطة فجر أمس ثلاثة شبان في القرية.", [])).events
    )
    assert reported("وأطلقت طائرة حربية بدون طيار صاروخا على سيارة في البلدة أمس فقتل شخصان.", "ASSAULT")


def test_specificity_thresholds_come_from_the_config():
    """`khabar quality gsr` cross-validates the thresholds by passing them in the stage config."""
    from worker.stages.config import StageConfig
    from worker.stages.document import Document
    from worker.stages.pipeline import run_all

    body = "قتل 12 شخصا أمس في انفجار سيارة مفخخة في مدينة بعقوبة شمال بغداد."
    config = StageConfig(reference_date="2015-07-21")
    shipped = run_all(Document.from_article("a", "", body), config=config)
    assert any(e.type == "ASSAULT" and not e.refers_back for e in shipped.events)
    strict = run_all(
        Document.from_article("a", "", body),
        config=StageConfig(reference_date="2015-07-21", specificity=(("ASSAULT", 99),)),
    )
    assert all(e.refers_back for e in strict.events if e.type == "ASSAULT")
