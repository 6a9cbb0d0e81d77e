"""The NER features of a word that depend on the word alone are computed once per distinct word
(FeatureExtractor's cache); the features, and so the tags, are the same as without the cache.
And the O bias shift of a trained CRF (recall for precision)."""

from __future__ import annotations

import pycrfsuite
import pytest

from worker.stages.ner.features import FeatureExtractor, sentence_features
from worker.stages.ner.letters import LetterModel
from worker.stages.ner.lexicons import Lexicons
from worker.training.ner import _train_bytes, shift_label_bias

LEX = Lexicons.with_name_list(
    {"الولايات المتحده": "LOC", "بغداد": "LOC", "سيرغي لافروف": "PERS"},
    freq={"بغداد": 500, "زار": 300, "الزار": 900, "زارها": 800, "وزير": 200},
    names=frozenset({"سيرغي", "لافروف"}),
    clusters={"بغداد": ("1", "7", "30"), "زار": ("0", "2", "5"), "لافروف": ("3", "9", "41")},
    wd_names=frozenset({"لافروف"}),
    letters=LetterModel.build(["سيرغي", "لافروف", "جونسون"], ["زار", "وزير", "خارجيه", "ولايات", "متحده"]),
)
GAZ = {"بغداد": "LOC", "لافروف": "PERS", "خارجيه": "ORG"}
# the same words in other places and other neighbours, with clitics and the article on them
SENTENCES = [
    ["زار", "سيرغي", "لافروف", "بغداد", "والولايات", "المتحدة"],
    ["بغداد", "زار", "لافروف"],
    ["وبلافروف", "وزير", "الخارجية", "في", "بغداد", "،", "وبغداد"],
    ["لافروف"],
    ["زار", "سيرغي", "لافروف", "بغداد", "والولايات", "المتحدة"],
    ["للولايات", "المتحدة", "123", "Reuters"],
]


def test_cached_features_are_those_computed_afresh_for_every_token():
    cached = FeatureExtractor(GAZ, LEX)
    got = [cached.sentence(s) for s in SENTENCES]
    afresh = [FeatureExtractor(GAZ, LEX, cache_size=0).sentence(s) for s in SENTENCES]
    assert got == afresh == [sentence_features(s, GAZ, LEX) for s in SENTENCES]
    # and the neighbours' parts come from the neighbours, not from the cached word
    assert "pn-1" in got[0][2] and "pn-1" not in got[1][2]
    assert "g-1=LOC" in got[1][1] and "g-1=LOC" not in got[0][0]
    assert "k+1=9" in got[1][1] and "k+1=9" not in got[0][0]


def test_each_distinct_word_is_computed_once():
    extractor = FeatureExtractor(GAZ, LEX)
    for s in SENTENCES:
        extractor.sentence(s)
    info = extractor._word.cache_info()
    distinct = {t for s in SENTENCES for t in s}
    assert info.misses == len(distinct)
    assert info.hits == sum(map(len, SENTENCES)) - len(distinct)


def test_the_cache_is_bounded():
    extractor = FeatureExtractor(GAZ, LEX, cache_size=4)
    first = [extractor.sentence(s) for s in SENTENCES]
    assert extractor._word.cache_info().currsize == 4
    assert [extractor.sentence(s) for s in SENTENCES] == first


def _toy_model() -> bytes:
    sentences = [
        (["قال", "سيرغي", "لافروف", "في", "موسكو"], ["O", "B-PERS", "I-PERS", "O", "B-LOC"]),
        (["زار", "بلينكن", "بغداد", "أمس"], ["O", "B-PERS", "B-LOC", "O"]),
        (["أعلنت", "الأمم", "المتحدة", "ذلك"], ["O", "B-ORG", "I-ORG", "O"]),
    ] * 3
    extractor = FeatureExtractor()
    return _train_bytes([extractor.sentence(t) for t, _ in sentences], [g for _, g in sentences], None)


def test_the_o_bias_shift_moves_one_weight_of_the_crf():
    model = _toy_model()
    shifted = shift_label_bias(model, "O", -0.75)
    assert len(shifted) == len(model) and shift_label_bias(model, "O", 0.0) == model

    def weights(m: bytes) -> dict:
        tagger = pycrfsuite.Tagger()
        tagger.open_inmemory(m)
        return tagger.info().state_features

    before, after = weights(model), weights(shifted)
    assert after[("b", "O")] == pytest.approx(before[("b", "O")] - 0.75)
    assert {k: v for k, v in after.items() if k != ("b", "O")} == {
        k: v for k, v in before.items() if k != ("b", "O")
    }
    # far enough below, O is never the best tag
    tagger = pycrfsuite.Tagger()
    tagger.open_inmemory(shift_label_bias(model, "O", -100.0))
    assert "O" not in tagger.tag(FeatureExtractor().sentence(["قال", "في", "ذلك"]))
    with pytest.raises(ValueError):
        shift_label_bias(model, "B-EVENT", -1.0)
