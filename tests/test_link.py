"""Canonical entities within an article (mentions given by hand, no NER model needed)."""

from __future__ import annotations

from tests.test_events import doc_with
from worker.stages.link import link


def canon(d):
    return {(m.text, m.canonical, m.type) for m in link(d).mentions}


def test_short_form_takes_the_full_name():
    text = "التقى الوزير سامي الحسن بالسفير. وقال الحسن إن اللقاء مثمر."
    d = doc_with(text, [("سامي الحسن", "PERS")])
    got = canon(d)
    assert ("الحسن", "سامي الحسن", "PERS") in got  # propagated and linked to the full name


def test_labels_are_stripped_from_the_canonical():
    text = "وأعلن تنظيم داعش مسؤوليته عن الهجوم في قضاء البعاج."
    got = canon(doc_with(text, []))
    assert any(c == "داعش" and t == "ORG" for _, c, t in got)
    assert any(c == "البعاج" and t == "LOC" for _, c, t in got)


def test_nationality_adjectives_are_not_entities():
    text = "وقال الرئيس الروسي إن روسيا مستعدة."
    d = doc_with(text, [("الروسي", "LOC"), ("روسيا", "LOC")])
    assert {c for _, c, _ in canon(d)} == {"روسيا"}


def test_capital_for_its_state():
    text = "واشنطن تفرض عقوبات جديدة. وقالت الولايات المتحدة إن العقوبات تستهدف شركات."
    d = doc_with(text, [("واشنطن", "LOC"), ("الولايات المتحدة", "LOC")])
    assert {c for _, c, _ in canon(d)} == {"الولايات المتحدة"}


def test_stage_contract():
    d = link(doc_with("نص قصير عن عمان.", []))
    assert d.stages[-1] == "link"
