"""The ner stage: clitic stripping, offsets pointing at the name, the shipped model end to end,
and ``tag --conll`` keeping tokens and blank lines."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from worker.commands.ner import tag
from worker.commands.readme import replace_section
from worker.settings import get_settings
from worker.stages.config import StageConfig
from worker.stages.document import Document
from worker.stages.ner import stage as ner_stage
from worker.stages.ner.clitics import split_proclitic
from worker.stages.ner.model import NerModel, bio_spans
from worker.stages.text.segment import segment

LEXICON = {"لبنان": 40, "بغداد": 20, "فرنسا": 30, "العراق": 50, "لافروف": 1, "بان": 3, "كاليفورنيا": 2}


@pytest.mark.parametrize(
    ("word", "prefix_len", "stem"),
    [
        ("ولبنان", 1, "لبنان"),
        ("لبنان", 0, "لبنان"),
        ("بلافروف", 1, "لافروف"),
        ("بِلافروف", 2, "لافروف"),  # a diacritic on the clitic goes with it
        ("وبغداد", 1, "بغداد"),
        ("بغداد", 0, "بغداد"),
        ("فرنسا", 0, "فرنسا"),
        ("والعراق", 1, "العراق"),
        ("للعراق", 0, "العراق"),  # لل → ال: not a substring, the mention keeps the token
        ("وللعراق", 1, "العراق"),
        ("كالعراق", 1, "العراق"),
        ("بلينكن", 0, "بلينكن"),  # unknown remainder: left whole
        ("بان", 0, "بان"),  # "ان" is a common word, not a name
        ("كاليفورنيا", 0, "كاليفورنيا"),  # a known name is not clitic + article
        ("بالفلوجة", 1, "الفلوجة"),  # an unknown word is
    ],
)
def test_split_proclitic(word, prefix_len, stem):
    split = split_proclitic(word, LEXICON, common={"ان", "وفي"})
    assert (split.prefix_len, split.stem) == (prefix_len, stem)


def test_article_context_decides_unknown_names():
    assert split_proclitic("بلينكن", {}, context={"لينكن"}).stem == "لينكن"
    assert split_proclitic("بلينكن", {}, context={"بلينكن"}).stem == "بلينكن"


def test_bio_spans_follow_conlleval():
    assert bio_spans(["B-PERS", "I-PERS", "O", "I-LOC", "B-ORG", "I-LOC"]) == [
        (0, 2, "PERS"),
        (3, 4, "LOC"),
        (4, 5, "ORG"),
        (5, 6, "LOC"),
    ]


class FakeTagger:
    """Tags given words as given types, so offsets are checked apart from what a model learnt."""

    def __init__(self, tags: dict[str, str], names=None):
        self.tags, self.names, self.common = tags, names or {}, frozenset({"ان", "وفي"})

    def tag_document_with_marginals(self, sentences):
        tags = []
        for toks in sentences:
            out = []
            for tok in toks:
                t = self.tags.get(tok, "O")
                out.append(t if t == "O" else ("I-" if out and out[-1] != "O" else "B-") + t)
            tags.append(out)
        return tags, [[0.9] * len(t) for t in tags]


def run(text: str, tagger, monkeypatch) -> Document:
    monkeypatch.setattr(ner_stage, "get_tagger", lambda config=None: tagger)
    return ner_stage.ner(segment(Document.from_article("t", None, text)))


def test_mention_offsets_cover_the_name_without_its_clitic(monkeypatch):
    text = "وزير الخارجية الروسي سيرغي لافروف.\nوالتقى هاس بلافروف في نيويورك وللعراق"
    tagger = FakeTagger({"سيرغي": "PERS", "لافروف": "PERS", "بلافروف": "PERS", "وللعراق": "LOC"}, LEXICON)
    doc = run(text, tagger, monkeypatch)
    got = [(m.text, m.canonical, m.type, m.sentence) for m in doc.mentions]
    assert got == [
        ("سيرغي لافروف", "سيرغي لافروف", "PERS", 0),
        ("لافروف", "لافروف", "PERS", 1),
        ("للعراق", "العراق", "LOC", 1),
    ]
    for m in doc.mentions:
        assert doc.text[m.start : m.end] == m.text
        assert m.score == pytest.approx(0.9)
    assert doc.stages[-1] == "ner"


def test_shipped_model_on_the_seed_sentence():
    ner_stage._TAGGERS.clear()
    text = "أجرى مسؤولون أمريكيون سابقون محادثات سرية مع وزير الخارجية الروسي سيرغي لافروف في نيويورك."
    doc = ner_stage.ner(segment(Document.from_article("seed", None, text)))
    found = {(m.text, m.type) for m in doc.mentions}
    assert ("سيرغي لافروف", "PERS") in found
    assert ("نيويورك", "LOC") in found
    for m in doc.mentions:
        assert doc.text[m.start : m.end] == m.text
        assert 0.0 <= m.score <= 1.0


def test_backend_setting(monkeypatch):
    monkeypatch.delenv("KHABAR_NER_BACKEND", raising=False)
    get_settings.cache_clear()
    assert get_settings().stage_config().ner_backend == "shipped"
    monkeypatch.setenv("KHABAR_NER_BACKEND", "bert")
    get_settings.cache_clear()
    with pytest.raises(ValueError, match="KHABAR_NER_BACKEND"):
        get_settings().stage_config()


def test_model_loads_once_per_process():
    ner_stage._TAGGERS.clear()
    assert ner_stage.get_tagger(StageConfig()) is ner_stage.get_tagger(StageConfig())
    assert isinstance(ner_stage.get_tagger(StageConfig()), NerModel)


def test_tag_conll_round_trip_keeps_tokens_and_blank_lines():
    conll = "وزير O\nالخارجية O\nسيرغي B-PERS\nلافروف I-PERS\n\n\nالتقى\nبلافروف\nفي\nنيويورك\n\n.\n"
    result = CliRunner().invoke(tag, ["--conll"], input=conll)
    assert result.exit_code == 0, result.output
    out_lines = result.output.split("\n")
    in_lines = conll.split("\n")
    assert len(out_lines) == len(in_lines)
    for a, b in zip(in_lines, out_lines, strict=True):
        if not a.strip():
            assert b == ""
            continue
        token, label = b.split("\t")
        assert token == a.split()[0]
        assert label == "O" or label[:2] in ("B-", "I-") and label[2:] in ("PERS", "LOC", "ORG", "MISC")


def test_readme_markers_replace_only_between_them():
    readme = "intro\n<!-- quality:ner -->\nold\n<!-- /quality:ner -->\nrest\n"
    assert replace_section(readme, "ner", "| new |") == (
        "intro\n<!-- quality:ner -->\n| new |\n<!-- /quality:ner -->\nrest\n"
    )


def test_marginals_are_those_of_the_final_tags(monkeypatch):
    """Every marginal is that of the tag returned, also in a sentence whose tags the consistency
    pass changed."""
    from worker.stages.ner import consistency

    model = NerModel.load()
    if not model.meta.get("consistency_window") or model._tagger2 is not None:
        pytest.skip("the shipped model has no single-pass consistency step")
    sentences = [
        ["قال", "وزير", "الخارجية", "الروسي", "سيرغي", "لافروف"],
        ["وصل", "لافروف", "إلى", "نيويورك", "أمس"],
        ["والتقى", "نظيره", "في", "المدينة"],
    ]
    # a consistency pass that retypes the middle sentence, which is no longer the one loaded
    monkeypatch.setattr(
        consistency, "propagate", lambda s, t, window, stems=None: [t[0], ["B-LOC"] * len(t[1]), t[2]]
    )
    tags, marginals = model.tag_document_with_marginals(sentences)
    assert tags[1] == ["B-LOC"] * 5
    tagger = model._tagger
    for toks, ts, got in zip(sentences, tags, marginals, strict=True):
        tagger.set(model._features.sentence(toks))
        # (scored in numpy, worker/stages/ner/scorer.py: equal to float rounding)
        assert got == pytest.approx([None if t == "O" else tagger.marginal(t, i) for i, t in enumerate(ts)])
