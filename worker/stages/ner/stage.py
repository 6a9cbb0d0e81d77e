"""Stage: named entities (PERS, ORG, LOC, MISC) as ``Mention``s with offsets into the document text.

Two backends behind one interface, chosen by ``StageConfig.ner_backend`` (``KHABAR_NER_BACKEND``):

- ``shipped`` (default): the shipped model in worker/resources/ner/ (ner_model.py), trained here on
  ANERcorp with ``khabar train-ner``;
- ``camel``: camel-tools' BERT ``NERecognizer`` with the user's own ``CAMELTOOLS_DATA`` (ner_camel.py).

A tagger is loaded once per process and per backend (Celery workers call ``ner`` per article).
Mentions start after an attached proclitic where it can be split off ("بلافروف" → the mention
"لافروف"), and ``canonical`` is the name without it (ner_clitics.py).
"""

from __future__ import annotations

import dataclasses
import gc
import threading
from collections.abc import Sequence
from typing import Protocol

from worker.stages.config import DEFAULT, NER_BACKENDS, StageConfig
from worker.stages.document import Document, Mention
from worker.stages.ner.clitics import split_proclitic
from worker.stages.ner.model import NerModel, bio_spans

BACKENDS = NER_BACKENDS


class Tagger(Protocol):
    names: dict[str, int]  # folded word → times seen inside names (for clitic decisions)
    common: frozenset[str]  # frequent words that are seldom names

    def tag(self, tokens: Sequence[str]) -> list[str]: ...

    def tag_document(self, sentences: Sequence[Sequence[str]]) -> list[list[str]]: ...

    def tag_document_with_marginals(
        self, sentences: Sequence[Sequence[str]]
    ) -> tuple[list[list[str]], list[list[float | None]]]: ...


_TAGGERS: dict[object, Tagger] = {}
_LOCK = threading.Lock()


def get_tagger(config: StageConfig = DEFAULT) -> Tagger:
    """The process-wide tagger of the config's backend (and model), loaded on first use."""
    name = config.ner_backend
    key = (name, config.camel_ner_model, config.camel_data_dir) if name == "camel" else name
    tagger = _TAGGERS.get(key)
    if tagger is None:
        with _LOCK:
            tagger = _TAGGERS.get(key)
            if tagger is None:
                if name == "camel":
                    from worker.stages.ner.camel import CamelTagger

                    tagger = CamelTagger.load(config.camel_ner_model, config.camel_data_dir)
                else:
                    tagger = NerModel.load()
                _TAGGERS[key] = tagger
                # The model's millions of objects live as long as the process: out of the cyclic
                # collector's scans, each full collection costs a fourth of what it did (a
                # twentieth of the pipeline's CPU on SaudiNewsNet went to them). A collection
                # first stops tracking the model's tuples and dicts of strings, which a frozen
                # object never is again: a cached word view that holds one stays tracked too.
                gc.collect()
                gc.freeze()
    return tagger


def ner(doc: Document, config: StageConfig = DEFAULT) -> Document:
    """Stage: tag each sentence's tokens and turn the BIO spans into mentions."""
    tagger = get_tagger(config)
    # fold(t.text), which segment already computed (fold is normalise, or the word if that is empty)
    context = {t.norm or t.text for s in doc.sentences for t in s.tokens}
    mentions: list[Mention] = []
    all_tags, all_marginals = tagger.tag_document_with_marginals(
        [[t.text for t in s.tokens] for s in doc.sentences]
    )
    for si, (sentence, tags, marginals) in enumerate(
        zip(doc.sentences, all_tags, all_marginals, strict=True)
    ):
        tokens = sentence.tokens
        for a, b, typ in bio_spans(tags):
            first = tokens[a]
            split = split_proclitic(first.text, tagger.names, context, tagger.common)
            start = first.start + split.prefix_len
            end = tokens[b - 1].end
            canonical = " ".join([split.stem, *(t.text for t in tokens[a + 1 : b])])
            score = sum(marginals[a:b]) / (b - a)
            mentions.append(Mention(doc.text[start:end], typ, start, end, canonical, si, round(score, 4)))
    return dataclasses.replace(doc, mentions=tuple(mentions), stages=(*doc.stages, "ner"))
