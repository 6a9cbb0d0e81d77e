"""Stage: named entities (PERS, ORG, LOC, MISC) as ``Mention``s with offsets into the document text.

Two backends behind one interface, chosen by ``KHABAR_NER_BACKEND`` (see ``backend_name``):

- ``shipped`` (default): the shipped model in worker/resources/ner/ (ner_model.py), trained here on
  ANERcorp with ``khabar train-ner``;
- ``camel``: camel-tools' BERT ``NERecognizer`` with the user's own ``CAMELTOOLS_DATA`` (ner_camel.py).

A tagger is loaded once per process and per backend (Celery workers call ``ner`` per article).
Mentions start after an attached proclitic where it can be split off ("بلافروف" → the mention
"لافروف"), and ``canonical`` is the name without it (ner_clitics.py).
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Sequence
from typing import Protocol

from worker.settings import get_settings
from worker.stages.document import Document, Mention
from worker.stages.ner_clitics import split_proclitic
from worker.stages.ner_features import fold
from worker.stages.ner_model import NerModel, bio_spans

BACKENDS = ("shipped", "camel")


class Tagger(Protocol):
    names: dict[str, int]  # folded word → times seen inside names (for clitic decisions)
    common: frozenset[str]  # frequent words that are seldom names

    def tag(self, tokens: Sequence[str]) -> list[str]: ...

    def tag_document(self, sentences: Sequence[Sequence[str]]) -> list[list[str]]: ...

    def tag_document_with_marginals(
        self, sentences: Sequence[Sequence[str]]
    ) -> tuple[list[list[str]], list[list[float]]]: ...


def backend_name() -> str:
    """The NER backend this process uses: ``KHABAR_NER_BACKEND`` (``shipped`` when unset)."""
    name = get_settings().ner_backend.strip().lower() or "shipped"
    if name not in BACKENDS:
        raise ValueError(
            f"KHABAR_NER_BACKEND={name!r} is not a NER backend; choose one of {', '.join(BACKENDS)}"
        )
    return name


_TAGGERS: dict[str, Tagger] = {}
_LOCK = threading.Lock()


def get_tagger(backend: str | None = None) -> Tagger:
    """The process-wide tagger of ``backend`` (default: ``backend_name()``), loaded on first use."""
    name = backend or backend_name()
    tagger = _TAGGERS.get(name)
    if tagger is None:
        with _LOCK:
            tagger = _TAGGERS.get(name)
            if tagger is None:
                if name == "camel":
                    from worker.stages.ner_camel import CamelTagger

                    tagger = CamelTagger.load()
                else:
                    tagger = NerModel.load()
                _TAGGERS[name] = tagger
    return tagger


def ner(doc: Document) -> Document:
    """Stage: tag each sentence's tokens and turn the BIO spans into mentions."""
    tagger = get_tagger()
    context = {fold(t.text) for s in doc.sentences for t in s.tokens}
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
