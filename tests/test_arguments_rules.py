"""The argument rules one by one (sentences written for these tests), and the house rules for
their code: word lists as data, small functions."""

from __future__ import annotations

import ast
import re
from importlib import resources
from pathlib import Path

import pytest

from tests.test_events import doc_with
from worker.lang.ar import rows
from worker.lang.ar.normalise import normalise
from worker.stages.events import arguments as roles
from worker.stages.events import arguments_participants as parts
from worker.stages.events.triggers import Trigger

MODULES = (roles, parts)
ARABIC = re.compile(r"[\u0600-\u06FF]")


def participants_of(text: str, names, si: int = 0):
    doc = doc_with(text, names)
    return doc, parts.participants(doc, si, parts.state_names(doc), parts.title_index(doc))


def by_name(ps):
    return {p.name: p for p in ps}


# --- the preposition of a participant ---


def test_place_label_counts_as_fi():
    _, ps = participants_of("قصفت الطائرات مواقع بريف دمشق.", [("دمشق", "LOC")])
    assert by_name(ps)["دمشق"].prep == "في"


def test_min_qibal_marks_the_agent():
    _, ps = participants_of("اعتقل الناشط من قبل الشرطة.", [("الشرطة", "ORG")])
    assert by_name(ps)["الشرطة"].prep == "من قبل"


def test_attached_and_conjoined_prepositions():
    _, ps = participants_of(
        "التقى مارتان بدوران ومع بيار.", [("مارتان", "PERS"), ("دوران", "PERS"), ("بيار", "PERS")]
    )
    got = by_name(ps)
    assert (got["مارتان"].prep, got["دوران"].prep, got["بيار"].prep) == ("", "ب", "مع")


def test_preposition_through_a_title():
    _, ps = participants_of(
        "أجرى الوفد محادثات مع وزير الخارجية الكندي جان مارتان.", [("جان مارتان", "PERS")]
    )
    assert by_name(ps)["جان مارتان"].prep == "مع"


def test_look_back_stops_at_a_trigger_token():
    text = "أجرى الوفد محادثات مع وزير الخارجية الكندي جان مارتان."
    doc = doc_with(text, [("جان مارتان", "PERS")])
    k = next(i for i, t in enumerate(doc.sentences[0].tokens) if t.text == "الخارجية")
    ps = parts.participants(doc, 0, {}, {}, {k})
    assert by_name(ps)["جان مارتان"].prep == ""


# --- adjectives and titles ---


def test_nationality_adjective_stands_for_a_named_state():
    text = "زار الوفد روسيا. وندد البرلمان بالغزو الروسي."
    _, ps = participants_of(text, [("روسيا", "LOC")], si=1)
    assert [(p.name, p.source) for p in ps] == [("روسيا", "adjective")]


def test_plural_nationality_adjective_is_a_group():
    text = "زار الوفد روسيا. وقال مسؤولون روسيون إن القرار خاطئ."
    _, ps = participants_of(text, [("روسيا", "LOC")], si=1)
    assert ps == []


def test_title_without_a_name_is_the_titled_person():
    text = "وقال وزير الخارجية الكندي جان مارتان إن بلاده مستعدة. والتقى وزير الخارجية الكندي نظيره أمس."
    doc, ps = participants_of(text, [("جان مارتان", "PERS")], si=1)
    assert parts.title_index(doc)["جان مارتان"] >= {"الخارجيه", "الكندي"}
    assert [(p.name, p.source) for p in ps] == [("جان مارتان", "title")]


# --- the clause ---


def test_a_comma_right_before_the_trigger_keeps_a_fronted_place():
    doc = doc_with("وفي أوتاوا، التقى مارتان دوران.", [])
    sent = doc.sentences[0]
    k = next(i for i, t in enumerate(sent.tokens) if t.text == "التقى")
    assert roles.clause_bounds(sent, k, k)[0] == 0


def test_a_complementiser_opens_the_clause():
    doc = doc_with("وقال مارتان إن دوران هاجم القرار.", [])
    sent = doc.sentences[0]
    k = next(i for i, t in enumerate(sent.tokens) if t.text == "هاجم")
    lo, _ = roles.clause_bounds(sent, k, k)
    assert sent.tokens[lo].text == "دوران"


# --- roles ---


def trigger_at(doc, text: str, kind: str, mode=None, lemma: str = "") -> Trigger:
    k = next(i for i, t in enumerate(doc.sentences[0].tokens) if t.text == text)
    tok = doc.sentences[0].tokens[k]
    return Trigger("X", mode, tok.start, tok.end, tok.text, k, k, kind, lemma or tok.norm, False)


def roles_of(text: str, names, trig_word: str, etype: str, kind: str = "v", mode=None, lemma: str = ""):
    doc, ps = participants_of(text, names)
    args, location = roles.arguments(doc, 0, trigger_at(doc, trig_word, kind, mode, lemma), etype, ps)
    return {(a.role, a.name) for a in args}, location


def test_verb_subject_and_object():
    got, _ = roles_of("اتهمت كندا فرنسا بالتقصير.", [("كندا", "LOC"), ("فرنسا", "LOC")], "اتهمت", "ACCUSE")
    assert got == {("actor", "كندا"), ("recipient", "فرنسا")}


def test_between_a_and_b():
    got, _ = roles_of(
        "وجرت محادثات بين مارتان ودوران.", [("مارتان", "PERS"), ("دوران", "PERS")], "محادثات", "CONSULT", "n"
    )
    assert got == {("actor", "مارتان"), ("recipient", "دوران")}


def test_coordination_joins_neighbours_only():
    # "و" on the title before the name coordinates it ("ووزير …"), within COORDINATION_GAP tokens
    names = [("مارتان", "PERS"), ("دوران", "PERS"), ("بيار", "PERS")]
    got, _ = roles_of("التقى مارتان مع دوران ووزير الدفاع بيار.", names, "التقى", "CONSULT")
    assert ("recipient", "بيار") in got
    got, _ = roles_of("التقى مارتان مع دوران ووزير الخارجية الفرنسي بيار.", names, "التقى", "CONSULT")
    assert ("recipient", "بيار") not in got


def test_an_is_a_recipient_only_of_a_concession():
    names = [("مارتان", "PERS"), ("دوران", "PERS")]
    got, _ = roles_of("تحدث مارتان عن دوران.", names, "تحدث", "CONSULT")
    assert got == {("actor", "مارتان")}
    got, _ = roles_of("تنازل مارتان عن دوران.", names, "تنازل", "CONCEDE")
    assert got == {("actor", "مارتان"), ("recipient", "دوران")}


def test_the_genitive_of_harm_done_is_the_victim():
    names = [("مارتان", "PERS")]
    got, _ = roles_of("أعلن الجيش مقتل مارتان.", names, "مقتل", "ASSAULT", "n", lemma="مقتل")
    assert got == {("recipient", "مارتان")}
    got, _ = roles_of("أعلن الجيش زيارة مارتان.", names, "زيارة", "CONSULT", "n")
    assert got == {("actor", "مارتان")}


def test_a_visited_place_is_the_location():
    got, location = roles_of(
        "زار مارتان أوتاوا.", [("مارتان", "PERS"), ("أوتاوا", "LOC")], "زار", "CONSULT", mode="visit"
    )
    assert got == {("actor", "مارتان"), ("location", "أوتاوا")} and location == "أوتاوا"


def test_a_generic_subject_takes_the_actor_slot():
    got, _ = roles_of("واتهم ناشطون مارتان بالفساد.", [("مارتان", "PERS")], "واتهم", "ACCUSE")
    assert got == {("recipient", "مارتان")}


# --- the house rules for the code ---


def _tsv_names() -> list[str]:
    folder = resources.files("worker.lang.ar").joinpath("arguments")
    return sorted(p.name[: -len(".tsv")] for p in folder.iterdir() if p.name.endswith(".tsv"))


@pytest.mark.parametrize("name", _tsv_names())
def test_argument_lists_are_normalised_unique_and_read(name):
    entries = [r[0] for r in rows(f"arguments/{name}")]
    assert entries and all(normalise(e) == e for e in entries)
    assert len(entries) == len(set(entries))
    code = "".join(Path(m.__file__).read_text(encoding="utf-8") for m in MODULES)
    assert f'"arguments/{name}"' in code


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_no_arabic_word_list_in_code(module):
    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Tuple | ast.List | ast.Set):
            for elt in node.elts:
                assert not (
                    isinstance(elt, ast.Constant) and isinstance(elt.value, str) and ARABIC.search(elt.value)
                ), f"{module.__name__} line {node.lineno}: Arabic words belong in worker/lang/ar/arguments"
