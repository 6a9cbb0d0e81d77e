"""Attribution on sentences written for these tests."""

from __future__ import annotations

from tests.test_events import doc_with
from worker.stages.events.attribution import find_attributions


def test_named_source_citing_officials():
    text = "وحسب ما نقلت شبكة “Sky News” عن ثلاثة مسؤولين فإن الاجتماع جرى أمس."
    d = doc_with(text, [("Sky News", "ORG")])
    (a,) = find_attributions(d)
    assert a.source == "Sky News" and a.source_kind == "named"
    assert a.cited and "مسؤولين" in a.cited
    assert "الاجتماع" in text[a.content_start : a.content_end]


def test_unnamed_sources_and_reported_content():
    text = "وقال مصدران، إن المفاوضات توقفت."
    (a,) = find_attributions(doc_with(text, []))
    assert a.source_kind == "unnamed" and a.source == "مصدران"
    assert text[a.content_start : a.content_end].startswith("المفاوضات")


def test_named_speaker():
    text = "وأكد سامي الحسن أن الحكومة ستدعم المزارعين."
    (a,) = find_attributions(doc_with(text, [("سامي الحسن", "PERS")]))
    assert a.source == "سامي الحسن" and a.cue == "وأكد"
