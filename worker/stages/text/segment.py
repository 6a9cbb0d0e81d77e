"""Sentences and tokens with character offsets into the original document text.

A sentence ends at ".", "؟", "?", "!" or a line break (ANNOTATION.md); a full stop between two
digits ("1.5") does not end one. Tokens are runs of word characters (Arabic letters with their
diacritics and tatweel, Latin letters, digits) or single punctuation marks; clitics stay attached,
as in ANERcorp, and are split later where a model needs it.
"""

from __future__ import annotations

import dataclasses
import re

from worker.lang.ar.normalise import normalise
from worker.stages.config import DEFAULT, StageConfig
from worker.stages.document import Document, Sentence, Token

_TOKEN = re.compile(r"[\w\u064B-\u065F\u0670\u0640]+|[^\w\s\u064B-\u065F\u0670\u200B-\u200F\uFEFF]")
_SENTENCE_END = re.compile(r"\n+|[!؟?]+|(?<!\d)\.+|\.+(?!\d)")


def tokenize(text: str, offset: int = 0) -> tuple[Token, ...]:
    return tuple(
        Token(m.group(), m.start() + offset, m.end() + offset, normalise(m.group()))
        for m in _TOKEN.finditer(text)
    )


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each non-blank sentence, trimmed of surrounding white space; the end
    includes the closing punctuation."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for m in _SENTENCE_END.finditer(text):
        end = m.start() if m.group().startswith("\n") else m.end()
        spans.append((pos, end))
        pos = m.end()
    spans.append((pos, len(text)))
    out = []
    for start, end in spans:
        chunk = text[start:end]
        stripped = chunk.strip()
        if stripped:
            lead = len(chunk) - len(chunk.lstrip())
            out.append((start + lead, start + lead + len(stripped)))
    return out


def segment(doc: Document, config: StageConfig = DEFAULT) -> Document:
    """Stage: split the text into sentences and tokens. Beyond the caps, the rest of the text is
    not segmented (and so not analysed): long articles lose their tail, never a worker."""
    sentences = []
    for start, end in sentence_spans(doc.text)[: config.max_sentences]:
        tokens = tokenize(doc.text[start:end], start)[: config.max_tokens_per_sentence]
        sentences.append(Sentence(start, end, tokens))
    return dataclasses.replace(doc, sentences=tuple(sentences), stages=(*doc.stages, "segment"))
