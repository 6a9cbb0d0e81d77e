"""Unit tests of the text stages on the seed article: no services needed."""

from __future__ import annotations

import ast
import dataclasses
import json
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from worker.lang.ar.normalise import normalise as normalise_ar
from worker.stages.config import StageConfig
from worker.stages.document import Document
from worker.stages.pipeline import run_all
from worker.stages.text import segment as segment_module
from worker.stages.text.normalise import UnsupportedLanguage, detect_language, normalise
from worker.stages.text.segment import segment, sentence_spans

ROOT = Path(__file__).resolve().parent.parent
SEED = json.loads((ROOT / "seeds" / "000_seed_lavrov.jsonl").read_text(encoding="utf-8").splitlines()[0])


def seed_doc() -> Document:
    return Document.from_article(SEED["id"], SEED["title"], SEED["body"], published_at=SEED["published_at"])


def test_document_text_is_title_blank_line_body():
    doc = seed_doc()
    assert doc.text == SEED["title"] + "\n\n" + SEED["body"]
    assert Document.from_article("x", None, "نص").text == "نص"


def test_normalised_view_folds_forms_but_keeps_original():
    assert normalise_ar("أَنْتُونِي") == "انتوني"
    assert normalise_ar("إلى") == "الي"
    assert normalise_ar("الخارجيـــة") == "الخارجيه"
    assert normalise_ar("\u200fمصر\u200e") == "مصر"


PERSIAN = (
    "وزیر امور خارجه روسیه با مقامات سابق آمریکایی در نیویورک دیدار کرد و درباره جنگ اوکراین گفتگو کردند."
)
URDU = "روس کے وزیر خارجہ نے نیویارک میں سابق امریکی حکام سے ملاقات کی اور یوکرین کی جنگ پر بات چیت کی۔"
ENGLISH = "Former US officials held secret talks with the Russian foreign minister in New York in April."


def test_language_check():
    assert detect_language(SEED["body"]) == "ar"
    assert detect_language(ENGLISH) == "en"
    assert detect_language("12345 ...") == "und"
    with pytest.raises(UnsupportedLanguage, match="the text is English, not Arabic"):
        normalise(Document.from_article("en", "Talks", ENGLISH))


@pytest.mark.parametrize(("text", "code", "name"), [(PERSIAN, "fa", "Persian"), (URDU, "ur", "Urdu")])
def test_languages_written_in_arabic_script_are_not_arabic(text, code, name):
    """Counting Arabic-script letters let Persian and Urdu through as Arabic."""
    assert detect_language(text) == code
    with pytest.raises(UnsupportedLanguage, match=f"the text is {name}, not Arabic"):
        normalise(Document.from_article("x", "", text))


def test_unvocalised_arabic_without_hamzas_stays_arabic():
    """Short Arabic sentences spelled without hamzas («الى») look Persian to a character model;
    without the letters only Persian and Urdu use, they stay Arabic."""
    for text in (
        "فسرعان ما تسارعت الاحداث، وشهدنا انفجارات في اماكن ودول عديدة.",
        "عندها اطلق جنود الحاجز النار باتجاه ارجل المتظاهرين.",
    ):
        assert detect_language(text) == "ar"


def test_segment_offsets_point_at_the_text():
    doc = segment(normalise(seed_doc()))
    assert doc.stages == ("normalise", "segment")
    assert len(doc.sentences) == 21
    for s in doc.sentences:
        for t in s.tokens:
            assert doc.text[t.start : t.end] == t.text
            assert s.start <= t.start < t.end <= s.end
    first_body = doc.sentences[2]
    assert doc.text[first_body.start : first_body.end].startswith("أجرى مسؤولون")
    assert doc.text[first_body.start : first_body.end].endswith("في نيويورك.")
    words = [t.text for t in first_body.tokens]
    assert "لافروف" in words and "نيويورك" in words and "،" in words


def test_clitics_stay_attached_in_tokens_with_a_normalised_view():
    doc = segment(normalise(seed_doc()))
    tokens = [t for s in doc.sentences for t in s.tokens]
    lavrov_with_ba = [t for t in tokens if t.text == "لأوكرانيا"]
    assert lavrov_with_ba and lavrov_with_ba[0].norm == "لاوكرانيا"


def test_decimal_point_does_not_split_a_sentence():
    assert sentence_spans("تحولت إلى المسار 1.5 (شبه رسمي) أمس.") == [(0, 36)]
    assert len(sentence_spans("جملة أولى. جملة ثانية؟ ثالثة!\nرابعة")) == 4


def test_segment_caps_bound_pathological_input():
    text = "كلمة " * 5000 + "." + " جملة." * 5000
    doc = segment(
        normalise(Document.from_article("big", "", text)),
        StageConfig(max_sentences=10, max_tokens_per_sentence=50),
    )
    assert len(doc.sentences) == 10
    assert max(len(s.tokens) for s in doc.sentences) == 50


def test_document_round_trips_through_json():
    doc = segment(normalise(seed_doc()))
    assert Document.from_dict(json.loads(json.dumps(doc.to_dict()))) == doc
    full = run_all(seed_doc())
    assert full.mentions and full.events and full.events[0].arguments and full.attributions
    assert Document.from_dict(json.loads(json.dumps(full.to_dict()))) == full
    assert json.dumps(full.to_dict()) == json.dumps(dataclasses.asdict(full))  # the JSON asdict gives


FORBIDDEN = {"celery", "kombu", "redis", "sqlalchemy", "db", "psycopg"}


def test_stages_are_pure():
    """Nothing under worker/stages/ imports the queue or the database (ARCHITECTURE.md)."""
    offenders = []
    for path in (ROOT / "worker" / "stages").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in FORBIDDEN]
    assert offenders == []


def test_settings_warn_about_a_visibility_timeout_below_the_limits():
    from worker.settings import Settings

    assert Settings().warnings() == []
    warnings = Settings(visibility_timeout=60, task_time_limit=180, retry_backoff_max=60).warnings()
    assert len(warnings) == 2 and "redeliver" in warnings[0]
    with pytest.raises(ValueError, match="must not exceed"):
        Settings(task_soft_time_limit=300, task_time_limit=180)


_AT_A_TIME = """
import json, sys
from freezegun import freeze_time
with freeze_time(sys.argv[1]):
    from worker.stages.config import StageConfig
    from worker.stages.document import Document
    from worker.stages.pipeline import run_all
    doc = Document.from_article("undated", "", sys.argv[2])
    out = [run_all(doc).to_dict(), run_all(doc, config=StageConfig(reference_date="2015-07-21")).to_dict()]
print(json.dumps(out, ensure_ascii=False))
"""


def test_stages_give_the_same_output_at_any_time():
    """No stage reads the clock: an article without a publication date gives the same output on
    any day, and its relative dates resolve against the reference date the pipeline passes. Each
    day runs in a fresh interpreter whose clock freezegun sets (in this one, other tests' imports,
    such as transformers' lazy modules, do not survive freezegun's scan of every module)."""
    import subprocess
    import sys

    body = "قصفت طائرات حربية أمس مواقع في مدينة حلب، وقتل 12 شخصا. والتقى وزير الخارجية نظيره يوم الاثنين."
    runs = [
        subprocess.run(
            [sys.executable, "-c", _AT_A_TIME, day, body],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        ).stdout
        for day in ("2015-07-21", "2031-02-03")
    ]
    assert runs[0] == runs[1]
    unresolved, resolved = (Document.from_dict(d) for d in json.loads(runs[0]))
    assert {e.date for e in unresolved.events} == {None}
    assert "2015-07-20" in {e.date for e in resolved.events}


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("الرياض (أ.ف.ب) - قال الوزير إن الاجتماع كان مثمرا. وأضاف أنه سيزور القاهرة.", 2),
        ("واشنطن (د.ب.أ): أعلنت الولايات المتحدة العقوبات. وقال د. محمد إنها قاسية.", 2),
        ("نشرت وكالة الأنباء البيان على www.spa.gov.sa وعلى http://example.com/a.html?x=1 أمس. ثم أضافت.", 2),
        ("للتواصل: info@example.org. انتهى.", 2),
        ("بلغ النمو 1.5 في المئة. وهذا جيد!", 2),
    ],
)
def test_sentences_survive_agency_credits_abbreviations_and_addresses(text, sentences):
    """«(أ.ف.ب)», «د.», URLs and mail addresses are not sentence ends: the lead stays whole."""
    spans = sentence_spans(text)
    assert len(spans) == sentences, [text[s:e] for s, e in spans]
    assert text[spans[0][0] : spans[0][1]].endswith(".")


@given(st.text(alphabet="ab5٣. \n؟!?", max_size=30))
def test_sentence_ends_are_the_plain_alternation_s(text):
    # the stage's pattern leads with a lookahead for speed: the same ends as without it
    plain = re.compile(r"\n+|[!؟?]+|(?<!\d)\.+|\.+(?!\d)")
    assert [m.span() for m in segment_module._SENTENCE_END.finditer(text)] == [
        m.span() for m in plain.finditer(text)
    ]


@given(st.text(alphabet="wW.:/@ahtps5-_ ب", max_size=30))
def test_a_text_without_what_every_address_holds_has_no_address(text):
    assert segment_module._MAY_ADDRESS.search(text) or not list(segment_module._ADDRESS.finditer(text))


def test_evolve_is_dataclasses_replace_for_the_flat_values():
    from worker.stages.document import Argument, Event, Mention, evolve

    m = Mention("بلافروف", "PERS", 1, 7, "لافروف", 2, 0.91)
    e = Event("CONSULT", "زار", 0, 3, 0, arguments=(Argument("actor", "لافروف", "PERS", 1, 7),))
    for obj, changes in ((m, {"country": "RUS", "sector": "GOV"}), (m, {}), (e, {"happening": 0})):
        got, want = evolve(obj, **changes), dataclasses.replace(obj, **changes)
        assert got == want and repr(got) == repr(want) and vars(got) == vars(want) and got is not obj
    assert m.country is None  # the original is left as it was
    with pytest.raises(TypeError):
        evolve(m, nation="RUS")
