"""The letter model (worker/stages/ner/letters.py): words spelt like transliterated names against
common Arabic words, its file, its training inputs and its feature."""

from __future__ import annotations

import gzip

import pytest
from click.testing import CliRunner

from tests.test_ner_lexicons import _wordfreq_file
from worker.commands.ner import train_ner
from worker.stages.ner import lexicons as ner_lexicons
from worker.stages.ner.features import sentence_features
from worker.stages.ner.letters import LetterModel, trigrams
from worker.stages.ner.lexicons import Lexicons
from worker.stages.ner.model import NerModel
from worker.training.lexicon_sources import letter_model

# transliterated names and common words, folded (no hamza on alef, final ه for ة)
NAMES = [
    "جورج",
    "فرانسوا",
    "بوريس",
    "جونسون",
    "كريستوفر",
    "دوغلاس",
    "فيكتوريا",
    "ستيفن",
    "مونتغمري",
    "روبرتو",
]
WORDS = ["كتاب", "مدرسه", "يعمل", "قال", "حكومه", "وزاره", "مسؤول", "اجتماع", "يعملون", "كتب", "مجلس", "عمل"]


def test_a_word_spelt_like_the_names_scores_above_a_common_word():
    model = LetterModel.build(NAMES, WORDS)
    foreign, arabic = model.bucket("فرانكو"), model.bucket("معلم")
    assert int(foreign) > 0 > int(arabic)
    assert model.bucket("جورج") == "3" and model.bucket("يعملون") == "-3"  # the steps stop at ±3


def test_short_words_and_words_of_other_characters_have_no_value():
    model = LetterModel.build(NAMES, WORDS)
    assert model.bucket("في") is None and model.bucket("123") is None and model.bucket("ab1") is None
    assert model.bucket("abc") is not None  # letters of any script: its trigrams are all unseen


def test_trigrams_mark_where_a_word_starts_and_ends():
    assert trigrams("جون") == ["^^ج", "^جو", "جون", "ون$"]


def test_the_model_survives_its_file(tmp_path):
    model = LetterModel.build(NAMES, WORDS)
    lex = Lexicons({"قال": 200}, letters=model)
    ner_lexicons.write(tmp_path, lex)
    again = ner_lexicons.read(tmp_path)
    assert again == lex and again.letters.bucket("فرانكو") == model.bucket("فرانكو")
    first = (tmp_path / "letters.tsv.gz").read_bytes()
    ner_lexicons.write(tmp_path, again)
    assert (tmp_path / "letters.tsv.gz").read_bytes() == first  # byte-identical
    ner_lexicons.write(tmp_path, Lexicons({"قال": 200}))
    assert not (tmp_path / "letters.tsv.gz").exists() and ner_lexicons.read(tmp_path).letters is None


def test_a_damaged_letters_file_is_named_with_its_line():
    with pytest.raises(ValueError, match="letters.tsv.gz line 2: expected trigram"):
        LetterModel.from_lines(["^^ج\t3\t1", "^جو\t3"])


def test_the_common_side_takes_the_commonest_words_that_are_no_names(monkeypatch):
    monkeypatch.setattr("worker.training.lexicon_sources.COMMON_WORDS", 2)
    freq = {"الكتاب": 300, "جورج": 100, "قال": 200, "نادر": 900}
    model = letter_model(frozenset({"جورج"}), freq)
    # the names' side: جورج; the words': قال and the stem of الكتاب (the rarest left out)
    assert model == LetterModel.build(["جورج"], ["قال", "كتاب"])


def test_the_feature_is_the_stems_step():
    lex = Lexicons(letters=LetterModel.build(NAMES, WORDS))
    feats = sentence_features(["فرانكو", "والكتاب", "في"], None, lex)
    assert f"tl={lex.letters.bucket('فرانكو')}" in feats[0]
    assert f"tl={lex.letters.bucket('كتاب')}" in feats[1]  # the stem's, without «وال»
    assert int(lex.letters.bucket("كتاب")) < 0 < int(lex.letters.bucket("فرانكو"))
    assert not any(f.startswith("tl=") for f in feats[2])
    assert not any(f.startswith("tl=") for f in sentence_features(["قال"])[0])  # no model, no feature


def test_train_ner_builds_the_letter_model_beside_the_model(tmp_path):
    sentences = [[("قال", "O"), ("جورج", "B-PERS"), ("في", "O"), ("موسكو", "B-LOC")]] * 6
    train = tmp_path / "train.txt"
    train.write_text(
        "\n\n".join("\n".join(f"{t} {g}" for t, g in s) for s in sentences) + "\n", encoding="utf-8"
    )
    freq = tmp_path / "large_ar.msgpack.gz"
    _wordfreq_file(freq, {200: ["قال", "في", "كتاب"], 400: ["موسكو"]})
    names = tmp_path / "wd_arabic_80.gz"
    with gzip.open(names, "wt", encoding="utf-8") as fh:
        fh.write("george\tج و ر ج\t3\nboris\tب و ر ي س\t1\n")
    out = tmp_path / "model"
    args = ["--train", str(train), "--out", str(out), "--dev-fraction", "0", "--single-pass"]
    result = CliRunner().invoke(
        train_ner, [*args, "--word-freq", str(freq), "--transliterations", str(names)]
    )
    assert result.exit_code == 0, result.output
    model = NerModel.load(out)
    assert model.lex.letters == LetterModel.build(["بوريس", "جورج"], ["في", "قال", "كتاب", "موسكو"])
    alone = CliRunner().invoke(train_ner, [*args, "--transliterations", str(names)])
    assert alone.exit_code == 1 and "--word-freq" in alone.output  # the common side is missing
