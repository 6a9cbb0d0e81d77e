"""The camel-tools BERT backend, loaded through camel-tools from a tiny random model made here (no
download): KHABAR_NER_BACKEND=camel + a CAMELTOOLS_DATA with a minimal catalogue."""

from __future__ import annotations

import json

import pytest

from worker.settings import get_settings
from worker.stages.document import Document
from worker.stages.ner import stage as ner_stage
from worker.stages.ner.camel import CamelDataMissing, CamelTagger, model_path
from worker.stages.text.segment import segment

LABELS = ["B-LOC", "B-ORG", "B-PERS", "B-MISC", "I-LOC", "I-ORG", "I-PERS", "I-MISC", "O"]
WORDS = ["وزير", "الخارجية", "الروسي", "سيرغي", "لافروف", "في", "نيويورك", "التقى", "##ب", "ب", "."]


def make_tiny_bert(folder) -> None:
    torch = pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    torch.manual_seed(0)
    folder.mkdir(parents=True)
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *WORDS, *"ابتثجحخدذرزسشصضطظعغفقكلمنهوي"]
    (folder / "vocab.txt").write_text("\n".join(dict.fromkeys(vocab)) + "\n", encoding="utf-8")
    config = transformers.BertConfig(
        vocab_size=len(dict.fromkeys(vocab)),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=512,
        num_labels=len(LABELS),
        id2label=dict(enumerate(LABELS)),
        label2id={label: i for i, label in enumerate(LABELS)},
    )
    transformers.BertForTokenClassification(config).save_pretrained(folder)
    transformers.BertTokenizer(str(folder / "vocab.txt"), do_lower_case=False).save_pretrained(folder)


@pytest.fixture
def camel_data(tmp_path, monkeypatch):
    data = tmp_path / "camel_data"
    make_tiny_bert(data / "data" / "ner" / "tiny")
    catalogue = {
        "version": "0.0-test",
        "packages": {},
        "components": {
            "NamedEntityRecognition": {"default": "tiny", "datasets": {"tiny": {"path": "ner/tiny"}}}
        },
    }
    (data / "catalogue.json").write_text(json.dumps(catalogue), encoding="utf-8")
    monkeypatch.setenv("CAMELTOOLS_DATA", str(data))
    monkeypatch.delenv("KHABAR_CAMEL_NER_MODEL", raising=False)
    get_settings.cache_clear()
    monkeypatch.setattr(ner_stage, "_TAGGERS", {})
    return data


def test_model_path_comes_from_the_catalogue(camel_data):
    assert model_path(None, get_settings().camel_data_dir) == camel_data / "data" / "ner" / "tiny"


def test_camel_backend_runs_the_ner_stage(camel_data, monkeypatch):
    monkeypatch.setenv("KHABAR_NER_BACKEND", "camel")
    get_settings.cache_clear()
    config = get_settings().stage_config()
    assert config.ner_backend == "camel"
    text = "وزير الخارجية الروسي سيرغي لافروف في نيويورك.\nالتقى بلافروف."
    doc = ner_stage.ner(segment(Document.from_article("t", None, text)), config)
    assert isinstance(ner_stage.get_tagger(config), CamelTagger)
    assert doc.stages[-1] == "ner"
    for m in doc.mentions:  # a random model tags at random: check the contract, not the names
        assert m.type in ("PERS", "ORG", "LOC", "MISC")
        assert doc.text[m.start : m.end] == m.text


def test_camel_tags_align_with_tokens(camel_data):
    tagger = CamelTagger.load(None, str(camel_data))
    sentences = [["وزير", "الخارجية", "\u200f", "لافروف"], [], ["في", "نيويورك", "."]]
    tags = tagger.tag_document(sentences)
    assert [len(t) for t in tags] == [4, 0, 3]
    assert all(t in LABELS for ts in tags for t in ts)


def test_missing_catalogue_is_a_clear_error_not_a_download(tmp_path, monkeypatch):
    monkeypatch.setenv("CAMELTOOLS_DATA", str(tmp_path / "empty"))
    monkeypatch.delenv("KHABAR_CAMEL_NER_MODEL", raising=False)
    get_settings.cache_clear()
    with pytest.raises(CamelDataMissing, match="catalogue"):
        CamelTagger.load(None, get_settings().camel_data_dir)


def test_explicit_model_path_setting(camel_data, monkeypatch):
    monkeypatch.setenv("KHABAR_CAMEL_NER_MODEL", str(camel_data / "nowhere"))
    get_settings.cache_clear()
    s = get_settings()
    with pytest.raises(CamelDataMissing, match="no BERT NER model"):
        model_path(s.camel_ner_model, s.camel_data_dir)
