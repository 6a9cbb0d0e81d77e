"""The numpy CRF (worker/stages/ner/crf.py, scorer.py) against python-crfsuite, its reference:
the same Viterbi tags and the same marginals (to float rounding) for a CRF trained here, and a
token's scores from the cached per-word pieces are the sums of its features' weights."""

from __future__ import annotations

import gc
import random

import numpy as np
import pycrfsuite
import pytest

from tests.test_ner_features import GAZ, LEX, SENTENCES
from worker.stages.ner.crf import Crf
from worker.stages.ner.features import FeatureExtractor
from worker.stages.ner.lexicons import Lexicons
from worker.stages.ner.model import NerModel
from worker.stages.ner.scorer import Scorer

LABELS = ("O", "B-PERS", "I-PERS", "B-LOC", "I-LOC")
# the pads' gazetteer entries, the edges of sentences of one and two words, and words holding the
# pair separator "|" ("w-1w=a|b|c" is both the pair ("a", "b|c") and ("a|b", "c")) or "="
GAZ_PADS = {**GAZ, "<s>": "MISC", "</s>": "ORG"}
MORE = [
    *SENTENCES,
    ["بغداد"],
    ["سيرغي", "لافروف"],
    [],
    ["a", "b|c"],
    ["a|b", "c"],
    ["|", "|", "x|"],
    ["a", "b", "c"],
    ["=", "a=b", "=|"],
]


def _random_sequences(rng: random.Random, n: int) -> list[tuple[list[list[str]], list[str]]]:
    """Sentences of string features whose labels depend on them and on the previous label."""
    out = []
    for _ in range(n):
        feats, tags = [], []
        for _ in range(rng.randint(1, 12)):
            word = rng.randrange(30)
            prev = tags[-1] if tags else "O"
            if word < 8:
                tag = ("I-" if prev[2:] == "PERS" else "B-") + "PERS"
            elif word < 14:
                tag = ("I-" if prev[2:] == "LOC" and rng.random() < 0.7 else "B-") + "LOC"
            else:
                tag = "O" if rng.random() < 0.9 else rng.choice(LABELS)
            feats.append(["b", f"w={word}", f"m={word % 5}", f"r={rng.randrange(4)}"])
            tags.append(tag)
        out.append((feats, tags))
    return out


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> bytes:
    rng = random.Random(3)
    trainer = pycrfsuite.Trainer(verbose=False)
    for feats, tags in _random_sequences(rng, 300):
        trainer.append(feats, tags)
    trainer.set_params({"c1": 0.01, "c2": 0.01, "max_iterations": 60, "feature.possible_transitions": True})
    path = tmp_path_factory.mktemp("crf") / "tiny.crfsuite"
    trainer.train(str(path))
    return path.read_bytes()


def _batch(crf: Crf, sentences: list[list[list[str]]]) -> tuple[np.ndarray, np.ndarray, list[int]]:
    order = sorted(range(len(sentences)), key=lambda k: -len(sentences[k]))
    lengths = np.array([len(sentences[k]) for k in order])
    emissions = np.zeros((len(order), lengths[0], len(crf.labels)))
    for r, k in enumerate(order):
        for i, item in enumerate(sentences[k]):
            emissions[r, i] = crf.score(item)
    return emissions, lengths, order


def test_tags_and_marginals_are_crfsuites(tiny):
    crf = Crf.read(tiny)
    tagger = pycrfsuite.Tagger()
    tagger.open_inmemory(tiny)
    assert crf.labels == tuple(tagger.labels())
    rng = random.Random(11)
    sentences = [feats for feats, _ in _random_sequences(rng, 40)]
    # features the model has never seen add nothing; a feature given twice counts twice
    sentences += [[["b", "w=3", "new=1"], ["w=3", "w=3", "b"], ["nothing"]], [["b"]], [["b", "w=9"]] * 17]
    emissions, lengths, order = _batch(crf, sentences)
    tags = crf.viterbi(emissions, lengths)
    marginals = crf.marginals(emissions, lengths)
    wrong_tags = 0
    for r, k in enumerate(order):
        tagger.set(sentences[k])
        want = tagger.tag()
        got = [crf.labels[j] for j in tags[r, : lengths[r]]]
        wrong_tags += got != want
        for i in range(lengths[r]):
            for j, label in enumerate(crf.labels):
                assert marginals[r, i, j] == pytest.approx(tagger.marginal(label, i), abs=1e-12)
    assert wrong_tags == 0
    # the tags are not all one label (the test would not see a wrong transition otherwise)
    assert len({crf.labels[j] for r in range(len(order)) for j in tags[r, : lengths[r]]}) >= 4


def test_sentences_must_come_longest_first(tiny):
    crf = Crf.read(tiny)
    with pytest.raises(ValueError):
        crf.viterbi(np.zeros((2, 3, len(crf.labels))), np.array([1, 3]))


def _random_crf(known: list[str], rng: random.Random) -> Crf:
    state = np.array([[0.0] * len(LABELS)] + [[rng.uniform(-1, 1) for _ in LABELS] for _ in known])
    trans = np.array([[rng.uniform(-1, 1) for _ in LABELS] for _ in LABELS])
    return Crf(LABELS, {f: k for k, f in enumerate(known, start=1)}, state, trans)


# words computed with the model: folded forms (the text spells some of them otherwise: «المتحدة»),
# one that is not folded (left out), and words the documents do not have
KNOWN = ("زار", "المتحده", "بغداد", "والولايات", "أمس", "امس", "في", "|")
# the tags of the nearest labelled words of a few words (training/neighbours.py)
NEAR = {"بغداد": "LOC 0.9 0.95", "زار": "O 0.7 0.1", "لافروف": "PERS 0.8 0.9"}


@pytest.mark.parametrize("lex", [LEX, Lexicons()], ids=["lexicons", "none"])
@pytest.mark.parametrize("share", [1.0, 0.5, 0.1])
@pytest.mark.parametrize("cache_size", [1 << 16, 4], ids=["cache", "evicting"])
@pytest.mark.parametrize("near", [None, NEAR], ids=["", "neighbours"])
@pytest.mark.parametrize("known", [(), KNOWN], ids=["", "known"])
def test_scores_are_the_sums_of_the_features_weights(lex, share, cache_size, near, known):
    extractor = FeatureExtractor(GAZ_PADS, lex, neighbours=near)
    every = sorted({f for s in MORE for token in extractor.sentence(s) for f in token})
    rng = random.Random(5)
    crf = _random_crf([f for f in every if rng.random() < share], rng)
    scorer = Scorer(extractor, crf, cache_size=cache_size, known=known)
    # documents of several sentences, the same words in several of them and again later
    for doc in (MORE, MORE[::-1], MORE[2:5], [MORE[0]]):
        scores = scorer.document(doc)
        for k, toks in enumerate(doc):
            want = [crf.score(item).tolist() for item in extractor.sentence(toks)]
            if not toks:
                assert k not in scores.order
                continue
            assert np.allclose(scores.sentence(k), want, rtol=0, atol=1e-12), toks


def test_a_token_whose_folded_form_is_known_is_not_computed_again(monkeypatch):
    extractor = FeatureExtractor(GAZ_PADS, LEX)
    crf = _random_crf(["b", "w=بغداد"], random.Random(2))
    # known words take slots of the cache (three quarters at most): 7 here, 7 left for the others
    scorer = Scorer(extractor, crf, cache_size=14, known=KNOWN)
    assert "أمس" not in scorer._known and {"امس", "المتحده", "بغداد"} <= set(scorer._known)
    assert len(Scorer(extractor, crf, cache_size=4, known=KNOWN)._known) == 3
    computed = []
    facts = extractor.facts
    monkeypatch.setattr(extractor, "facts", lambda t, folded=None: computed.append(t) or facts(t, folded))
    others = ["لافروف", "سيرغي", "وزير", "الخارجية", "اليوم", "وصل", "قال", "اجتماع", "مع", "نظيره"]
    docs = [["بغداد", "المتحدة", *others[:4]], ["أمس", "في", *others[4:7]], ["زار", *others[7:]]]
    for doc in docs * 2:
        scorer.document([doc])
    # the other words, some of them again (seven slots: they evict each other, never the known)
    assert set(computed) == set(others) and len(computed) > len(others)


def test_a_word_pair_is_scored_only_for_its_own_split():
    extractor = FeatureExtractor(GAZ_PADS, Lexicons())
    crf = _random_crf(["w-1w=a|b|c"], random.Random(1))
    scores = Scorer(extractor, crf).document([["a", "b|c"], ["a|b", "c"], ["a", "b", "c"], ["a|b|c"]])
    want = crf.state[1].tolist()
    emissions = {k: scores.sentence(k).tolist() for k in range(4)}
    zero = [0.0] * len(LABELS)
    assert emissions == {0: [zero, want], 1: [zero, want], 2: [zero] * 3, 3: [zero]}


@pytest.mark.parametrize("batch", [128, 3])
def test_the_shipped_model_tags_as_crfsuite_does(batch, monkeypatch):
    from worker.stages.ner import scorer

    # a long document's sentences go in batches of similar length
    monkeypatch.setattr(scorer, "BATCH", batch)
    model = NerModel.load()
    if model._scorer is None:
        pytest.skip("the shipped model is tagged by pycrfsuite (two passes)")
    tagger = model._tagger
    # one document: consistency pass off, to compare the CRF alone
    scores = model._scorer.document(MORE)
    tags = scores.tags()
    probs = scores.entity_marginals(tags)
    for toks, ts, ps in zip(MORE, tags, probs, strict=True):
        features = model._features.sentence(toks)
        tagger.set(features)
        assert ts == (tagger.tag() if toks else [])
        assert ps == pytest.approx([None if t == "O" else tagger.marginal(t, i) for i, t in enumerate(ts)])


def test_cached_word_views_drop_out_of_the_collectors_scans():
    # tens of thousands of views stay cached: tracked ones made every full collection longer
    model = NerModel.load()
    if model._scorer is None:
        pytest.skip("the shipped model is tagged by pycrfsuite (two passes)")
    gc.collect()
    model._scorer.document(MORE)
    gc.collect()
    gc.collect()
    views = [model._scorer._views[t] for s in MORE for t in s]
    assert views and not any(gc.is_tracked(v) for v in views)
