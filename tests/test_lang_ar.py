"""The one home of Khabar's Arabic (worker/lang/ar): every list is data there, in normalised form,
used, and without repeats; no Arabic word list is left in Python code elsewhere."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from worker.lang.ar import LexiconError, groups, rows, table, words
from worker.lang.ar.normalise import fold, normalise

ROOT = Path(__file__).resolve().parent.parent
LANG = ROOT / "worker" / "lang" / "ar"
FILES = sorted(LANG.rglob("*.tsv"))
NAMES = [str(p.relative_to(LANG).with_suffix("")) for p in FILES]
ARABIC = re.compile("[\u0621-\u064a]")
# Columns that hold words, by file (default: the first); the others hold numbers, types or modes.
WORD_COLUMNS = {"names/nationalities": (0, 1), "events/triggers": (3, 4)}


def _words_of(name: str, row: tuple[str, ...]) -> list[str]:
    out = []
    for col in WORD_COLUMNS.get(name, (0,)):
        if col < len(row):
            cell = row[col].split(":", 1)[-1] if name == "events/triggers" else row[col]
            out += [w for part in re.split(r"[,|/]", cell) for w in part.split() if w != "-"]
    return out


def test_there_are_lists():
    assert len(FILES) > 40


@pytest.mark.parametrize("name", NAMES)
def test_entries_are_normalised_and_commented(name):
    path = LANG / f"{name}.tsv"
    head = path.read_text(encoding="utf-8").splitlines()[0]
    assert head.startswith("#"), f"{name}.tsv must start with a comment saying what the list is for"
    bad = [w for row in rows(name) for w in _words_of(name, row) if normalise(w) != w]
    assert bad == [], f"{name}.tsv: entries not in normalised form (they can never match): {bad[:10]}"


@pytest.mark.parametrize("name", NAMES)
def test_no_entry_is_repeated(name):
    key_cols = 4 if name == "events/triggers" else 1
    seen, repeated = set(), []
    for row in rows(name):
        key = row[:key_cols]
        if key in seen:
            repeated.append(key)
        seen.add(key)
    assert repeated == [], f"{name}.tsv repeats {repeated[:10]}"


def _python_sources() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "worker").rglob("*.py"))


def test_every_file_is_used():
    code = _python_sources()
    unused = [n for n in NAMES if f'"{n}"' not in code and f"'{n}'" not in code]
    assert unused == [], f"lists no code reads (delete them or use them): {unused}"


def test_no_arabic_word_list_in_code_outside_lang():
    """Sets, lists, tuples and dicts of three or more Arabic strings belong in worker/lang/ar
    (examples in docstrings and tests are fine)."""
    found = []
    for path in (ROOT / "worker").rglob("*.py"):
        if LANG in path.parents:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.Set, ast.List, ast.Tuple, ast.Dict)):
                items = node.keys if isinstance(node, ast.Dict) else node.elts
                n = sum(
                    1
                    for e in items
                    if isinstance(e, ast.Constant) and isinstance(e.value, str) and ARABIC.search(e.value)
                )
                if n >= 3:
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert found == []


def test_loaders_say_what_is_wrong():
    with pytest.raises(LexiconError, match="no Arabic lexicon"):
        words("no/such/list")
    with pytest.raises(LexiconError, match="int value"):
        table("link/org_labels", int)
    with pytest.raises(LexiconError, match="group"):
        groups("link/org_labels")


def test_one_normaliser_with_offsets():
    text = "أَعلنَ ﻻ إلى ٢٠١٥ NBC مسؤولـــون\u200f"
    f = fold(text)
    assert f.text == normalise(text) == "اعلن لا الي 2015 nbc مسؤولون"
    s, e = f.span(f.text.index("مسؤولون"), len(f.text))
    assert text[s:e].startswith("مسؤول")


def test_normalise_is_the_same_for_remembered_and_long_texts():
    word = "أَعلنَ"
    long_text = " ".join([word] * 20)  # past the length whose forms are remembered
    assert normalise(word) == normalise(word) == "اعلن"
    assert normalise(long_text) == " ".join(["اعلن"] * 20) == fold(long_text).text


def test_token_clitic_analysis_is_computed_once_and_not_serialised():
    from worker.lang.ar.morphology import without_conjunction, without_proclitic
    from worker.stages.document import Document, Token

    tok = Token("وبالعراق", 0, 8, normalise("وبالعراق"))
    assert (tok.stem, tok.clitic_len) == without_proclitic(tok.norm) == ("العراق", 2)
    assert tok.bare == without_conjunction(tok.norm)
    assert tok == Token("وبالعراق", 0, 8, normalise("وبالعراق"))  # cached values are no fields
    from worker.stages.text.segment import segment

    doc = segment(Document.from_article("a", None, "وصل وبالعراق"))
    assert [t.stem for s in doc.sentences for t in s.tokens] == ["وصل", "العراق"]
    tokens = [t for s in doc.to_dict()["sentences"] for t in s["tokens"]]
    assert [sorted(t) for t in tokens] == [["end", "norm", "start", "text"]] * 2
    assert Document.from_dict(doc.to_dict()) == doc


def test_a_token_made_with_its_analysis_is_the_token_computed_on_first_use():
    from worker.stages.document import Token

    for word in ("وبالعراق", "للعراق", "وأكد", "في", "أَعلنَ", "2015"):
        made, lazy = Token.of_word(word, 3, 3 + len(word)), Token(word, 3, 3 + len(word), normalise(word))
        assert made == lazy and repr(made) == repr(lazy) and hash(made) == hash(lazy)
        assert (made.bare, made.stem, made.clitic_len) == (lazy.bare, lazy.stem, lazy.clitic_len)
        assert vars(made) == vars(lazy)  # the same values, and no others


@given(
    st.text(
        alphabet=st.sampled_from("اأإآٱىةيه٣۴٫ﻻﷺ\u064b\u0651\u0640\u200bAbc ،.\ufeff\U0001f600"), max_size=60
    )
)
def test_the_changed_characters_are_replaced_as_translate_does(text):
    from worker.lang.ar.normalise import _TABLE, _translate

    assert _translate(text) == text.translate(_TABLE)
