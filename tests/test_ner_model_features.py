"""The tagger's features restricted to those its model knows are ``FeatureExtractor.sentence``
with the others left out, in the same order (CRFsuite sums the weights in item order)."""

from __future__ import annotations

import gc
import random

from tests.test_ner_features import GAZ, LEX, SENTENCES
from worker.stages.ner.features import FeatureExtractor
from worker.stages.ner.lexicons import Lexicons
from worker.stages.ner.model import NerModel
from worker.stages.ner.model_features import ModelFeatures, model_attributes

# the pads' gazetteer entries and the edges of sentences of one and two words too
GAZ_PADS = {**GAZ, "<s>": "MISC", "</s>": "ORG"}
MORE = [*SENTENCES, ["بغداد"], ["سيرغي", "لافروف"], []]


def _all_features(extractor, sentences):
    return {f for s in sentences for token in extractor.sentence(s) for f in token}


def _check(extractor, known):
    fast = ModelFeatures(extractor, known)
    for s in MORE:
        want = [[f for f in token if f in known] for token in extractor.sentence(s)]
        assert [[f.decode() for f in token] for token in fast.sentence(s)] == want


def test_with_every_feature_known_the_features_are_the_same():
    for lex in (LEX, Lexicons()):
        extractor = FeatureExtractor(GAZ_PADS, lex)
        _check(extractor, _all_features(extractor, MORE))


def test_unknown_features_are_left_out_and_the_rest_keep_their_order():
    extractor = FeatureExtractor(GAZ_PADS, LEX)
    every = sorted(_all_features(extractor, MORE))
    rng = random.Random(7)
    for share in (0.2, 0.5, 0.9):
        _check(extractor, {f for f in every if rng.random() < share})


def test_the_shipped_model_tags_the_same_with_either_features():
    model = NerModel.load()
    known = model_attributes(model._tagger)
    assert "b" in known and len(known) > 1000
    fast = ModelFeatures(model._features, known)
    tagger = model._tagger
    for s in MORE:
        if s:
            assert tagger.tag(fast.sentence(s)) == tagger.tag(model._features.sentence(s))


def test_words_holding_the_pair_separator_find_exactly_their_pair_features():
    # "w-1w=a|b|c" is both the pair ("a", "b|c") and ("a|b", "c"): only the pair it is found for;
    # words holding "=" (after which a feature's value starts) too
    extractor = FeatureExtractor(GAZ_PADS, LEX)
    sentences = [["a", "b|c"], ["a|b", "c"], ["|", "|", "x|"], ["a", "b", "c"], ["=", "a=b", "=|"]]
    every = sorted({f for s in sentences for token in extractor.sentence(s) for f in token})
    fast_all = ModelFeatures(extractor, every)
    for s in sentences:
        want = extractor.sentence(s)
        assert [[f.decode() for f in token] for token in fast_all.sentence(s)] == want
    fast = ModelFeatures(extractor, {"w-1w=a|b|c"})
    assert [[f.decode() for f in t] for s in sentences for t in fast.sentence(s)] == [
        *([[], ["w-1w=a|b|c"]] * 2),
        *([[]] * 9),
    ]


def test_the_stems_read_off_the_views_are_those_of_stems_of():
    from worker.stages.ner.features import stems_of

    fast = ModelFeatures(FeatureExtractor(GAZ_PADS, LEX), set())
    for s in MORE:
        assert fast.stems(s) == stems_of(s)


def test_cached_word_views_drop_out_of_the_collectors_scans():
    # a view holding a dict or another container stays tracked, and tens of thousands of cached
    # views made every full collection of a worker tens of milliseconds longer
    extractor = FeatureExtractor(GAZ_PADS, LEX)
    fast = ModelFeatures(extractor, _all_features(extractor, MORE))
    gc.collect()  # the model's own tuples first, as get_tagger does before freezing them
    for s in MORE:
        fast.sentence(s)
    # (a tuple is untracked once its items are, and one collection may check it before them)
    gc.collect()
    gc.collect()
    views = [fast._view(t) for s in MORE for t in s]
    assert views and not any(gc.is_tracked(v) for v in views)
