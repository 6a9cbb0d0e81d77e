"""The outside word lists of the NER model: reading wordfreq's and arabnamer's formats, the shipped
folded copies, the features they give, and ``train-ner`` building a model that carries them."""

from __future__ import annotations

import gzip
import hashlib
import json
import pickle
import subprocess
import sys
from pathlib import Path

import msgpack
import pytest
from click.testing import CliRunner

from worker.commands.ner import train_ner
from worker.stages.ner import lexicons as ner_lexicons
from worker.stages.ner.features import sentence_features
from worker.stages.ner.lexicons import Lexicons
from worker.stages.ner.model import NerModel, default_model_dir
from worker.training.lexicon_sources import read_person_names, read_wordfreq


def _wordfreq_file(path, buckets: dict[int, list[str]]) -> None:
    """A list in wordfreq's format: a header, then the words at each centibel."""
    rows = [[] for _ in range(max(buckets) + 1)]
    for cb, words in buckets.items():
        rows[cb] = words
    path.write_bytes(gzip.compress(msgpack.packb([{"format": "cB", "version": 1}, *rows])))


def test_wordfreq_list_is_folded_and_keeps_arabic_words_only(tmp_path):
    path = tmp_path / "large_ar.msgpack.gz"
    _wordfreq_file(path, {2: ["قال", "love"], 5: ["الحكومة"], 7: ["الحكومه", "أوباما", "x1"]})
    freq = read_wordfreq(path)
    assert freq == {"قال": 2, "الحكومه": 5, "اوباما": 7}  # the commoner spelling wins a fold clash


def test_wordfreq_rejects_another_format(tmp_path):
    path = tmp_path / "other.msgpack.gz"
    path.write_bytes(gzip.compress(msgpack.packb([["a", "b"]])))
    with pytest.raises(ValueError, match="wordfreq"):
        read_wordfreq(path)


def test_person_names_from_json_object_list_or_lines(tmp_path):
    obj = tmp_path / "names.json"
    obj.write_text(json.dumps({"lavrov": "لافروف", "sergey": "سيرغي", "x": "A"}), encoding="utf-8")
    lst = tmp_path / "names_list.json"
    lst.write_text(json.dumps(["أنطوني بلينكن"]), encoding="utf-8")
    txt = tmp_path / "names.txt"
    txt.write_text("إيمانويل ماكرون\n\n", encoding="utf-8")
    assert read_person_names(obj) == {"لافروف", "سيرغي"}
    assert read_person_names(lst) == {"انطوني", "بلينكن"}
    assert read_person_names(txt) == {"ايمانويل", "ماكرون"}


def test_lexicons_round_trip_and_zipf_buckets(tmp_path):
    lex = Lexicons({"قال": 250, "لافروف": 510, "نادر": 830}, frozenset({"لافروف"}))
    ner_lexicons.write(tmp_path, lex)
    again = ner_lexicons.read(tmp_path)
    assert again == lex
    assert again.zipf_bucket("قال") == "6.0"  # 9 - 2.51
    assert again.zipf_bucket("لافروف") == "3.5"  # 9 - 5.11
    assert again.zipf_bucket("نادر") == "0"
    assert again.zipf_bucket("غائب") == "none"
    assert ner_lexicons.read(tmp_path / "missing") == Lexicons()


def test_features_from_the_lexicons():
    lex = Lexicons(
        {"حكومه": 400, "الحكومه": 330, "حكومتها": 520, "لافروف": 520},
        frozenset({"لافروف", "سيرغي"}),
    )
    noun, name = sentence_features(["حكومه", "سيرغي", "لافروف"], None, lex)[0::2]
    assert "art=1" in noun and "sfها=n" in noun  # (400 - 330) // 50; "حكومهها" is not listed
    assert "art=never" in name and "pw" in name and "pn-1" in name
    assert "zw=3.5" in name
    blank = sentence_features(["سيرغي", "لافروف"])[1]
    assert "pw" not in blank and "zw=none" in blank and "art=nobase" in blank


def test_the_shipped_model_carries_its_lexicons():
    model = NerModel.load()
    assert len(model.lex.freq) > 100_000
    assert len(model.lex.names) > 5_000
    assert len(model.lex.clusters) > 50_000 and len(model.lex.name_list) > 10_000
    meta = json.loads((default_model_dir() / "meta.json").read_text(encoding="utf-8"))
    sources = meta["outside_lexicons_sha256"]
    assert {"large_ar.msgpack.gz", "dict_FINAL.json", "clusters.tsv.gz"} <= set(sources)
    # the clusters shipped are the ones the model was trained with
    shipped = hashlib.sha256((default_model_dir() / "clusters.tsv.gz").read_bytes()).hexdigest()
    assert sources["clusters.tsv.gz"] == shipped


def test_train_ner_builds_a_model_with_its_lexicons(tmp_path):
    sentences = [
        [("قال", "O"), ("سيرغي", "B-PERS"), ("لافروف", "I-PERS"), ("في", "O"), ("موسكو", "B-LOC")],
        [("زار", "O"), ("بلينكن", "B-PERS"), ("بغداد", "B-LOC"), ("أمس", "O")],
        [("أعلنت", "O"), ("الأمم", "B-ORG"), ("المتحدة", "I-ORG"), ("ذلك", "O")],
    ] * 4
    train = tmp_path / "train.txt"
    train.write_text(
        "\n\n".join("\n".join(f"{t} {g}" for t, g in s) for s in sentences) + "\n", encoding="utf-8"
    )
    freq = tmp_path / "large_ar.msgpack.gz"
    _wordfreq_file(freq, {200: ["قال", "في"], 400: ["موسكو"], 600: ["لافروف"]})
    names = tmp_path / "names.json"
    names.write_text(json.dumps({"lavrov": "لافروف", "blinken": "بلينكن"}), encoding="utf-8")
    out = tmp_path / "model"
    args = ["--train", str(train), "--out", str(out), "--dev-fraction", "0", "--single-pass"]
    result = CliRunner().invoke(train_ner, [*args, "--word-freq", str(freq), "--person-names", str(names)])
    assert result.exit_code == 0, result.output
    assert "4 word frequencies, 2 name parts" in result.output
    model = NerModel.load(out)
    assert model.lex == Lexicons(
        {"قال": 200, "في": 200, "موسكو": 400, "لافروف": 600}, frozenset({"لافروف", "بلينكن"})
    )
    assert model.tag(["قال", "سيرغي", "لافروف", "في", "موسكو"]) == ["O", "B-PERS", "I-PERS", "O", "B-LOC"]
    meta = json.loads((out / "meta.json").read_text(encoding="utf-8"))
    assert set(meta["outside_lexicons_sha256"]) == {"large_ar.msgpack.gz", "names.json"}


def test_train_ner_refuses_a_word_list_in_another_format(tmp_path):
    train = tmp_path / "train.txt"
    train.write_text("قال O\nلافروف B-PERS\n", encoding="utf-8")
    bad = tmp_path / "large_ar.msgpack.gz"
    bad.write_text("not a wordfreq list", encoding="utf-8")
    args = ["--train", str(train), "--out", str(tmp_path / "m"), "--word-freq", str(bad)]
    result = CliRunner().invoke(train_ner, args)
    assert result.exit_code == 1 and "Error:" in result.output
    assert isinstance(result.exception, SystemExit)  # a message, not a traceback
    assert not (tmp_path / "m").exists()


def test_words_of_the_same_clusters_share_one_tuple(tmp_path):
    path = tmp_path / "clusters.tsv.gz"
    path.write_bytes(gzip.compress("بغداد\t1 7 30\nدمشق\t1 7 30\nزار\t0 2 5\n".encode()))
    clusters = ner_lexicons.read_clusters(path)
    assert clusters == {"بغداد": ("1", "7", "30"), "دمشق": ("1", "7", "30"), "زار": ("0", "2", "5")}
    assert clusters["بغداد"] is clusters["دمشق"]


def test_word_frequencies_answer_as_the_dict_they_replace():
    # A word listed twice (two lines of the file): the later frequency, the first position.
    text = "120\tقال في\n300\tلافروف قال\n830\tنادر\n"
    as_dict: dict[str, int] = {}
    for line in text.splitlines():
        cb, _, words = line.partition("\t")
        as_dict.update(dict.fromkeys(words.split(), int(cb)))
    freq = ner_lexicons.WordFrequencies(gzip.compress(text.encode("utf-8")))
    assert list(freq) == list(as_dict) == ["قال", "في", "لافروف", "نادر"]
    assert len(freq) == 4 and freq == as_dict
    assert freq.get("قال") == 300 and freq["في"] == 120 and "نادر" in freq
    assert freq.get("غائب") is None and freq.get("غائب", -1) == -1 and "غائب" not in freq
    with pytest.raises(KeyError):
        freq["غائب"]
    # unpickled in another process (another string hash seed), it is built again from its file
    script = (
        "import pickle, sys; freq = pickle.loads(sys.stdin.buffer.read()); "
        "print(freq.get('قال'), freq.get('نادر'), freq.get('غائب'), list(freq) == ['قال', 'في', 'لافروف', 'نادر'])"
    )
    other = subprocess.run(
        [sys.executable, "-c", script],
        input=pickle.dumps(freq),
        capture_output=True,
        env={"PYTHONHASHSEED": "123"},
        cwd=Path(__file__).resolve().parents[1],
    )
    assert other.stdout.decode().split() == ["300", "830", "None", "True"], other.stderr.decode()
    empty = ner_lexicons.WordFrequencies()
    assert len(empty) == 0 and list(empty) == [] and empty.get("قال") is None
