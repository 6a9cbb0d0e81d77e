"""Sentences and tokens with character offsets into the original document text.

A sentence ends at ".", "؟", "?", "!" or a line break (ANNOTATION.md); a full stop does not end
one between two digits ("1.5"), after a one-letter abbreviation (the agency credit «(أ.ف.ب)»,
«د. محمد», "U.S."), or inside a web or mail address ("www.spa.gov.sa", "http://x.com/a?b=1"). Tokens are runs of word characters (Arabic letters with their
diacritics and tatweel, Latin letters, digits) or single punctuation marks; clitics stay attached,
as in ANERcorp, and are split later where a model needs it.
"""

from __future__ import annotations

import dataclasses
import re

from worker.stages.config import DEFAULT, StageConfig
from worker.stages.document import Document, Sentence, Token

_TOKEN = re.compile(r"[\w\u064B-\u065F\u0670\u0640]+|[^\w\s\u064B-\u065F\u0670\u200B-\u200F\uFEFF]")
# (the lookahead first: every end starts with one of these, and the engine then skips the other
# characters fast instead of trying each alternative there)
_SENTENCE_END = re.compile(r"(?=[\n!؟?.])(?:\n+|[!؟?]+|(?<!\d)\.+|\.+(?!\d))")
# A letter standing alone before a full stop: an abbreviation («أ.ف.ب», «د.», "U.S.").
_ONE_LETTER_BEFORE = re.compile(r"(?:^|[\s(«\"'./\-])[^\W\d_]$")
# Web and mail addresses: their dots and question marks end no sentence.
_ADDRESS = re.compile(
    r"(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|\b[\w-]+(?:\.[a-z]{2,})+\b", re.ASCII | re.I
)
# What every address holds: a text without any has none (most articles; one fast search)
_MAY_ADDRESS = re.compile(r"www\.|://|@|\.[a-z]", re.ASCII | re.I)


def tokenize(text: str, offset: int = 0) -> tuple[Token, ...]:
    out = []
    new = Token.of_word
    for m in _TOKEN.finditer(text):  # a loop, not a generator: a quarter of a million tokens per 300 articles
        start, end = m.span()
        out.append(new(m.group(), start + offset, end + offset))
    return tuple(out)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each non-blank sentence, trimmed of surrounding white space; the end
    includes the closing punctuation."""
    spans: list[tuple[int, int]] = []
    pos = 0
    addresses = [a.span() for a in _ADDRESS.finditer(text)] if _MAY_ADDRESS.search(text) else []
    for m in _SENTENCE_END.finditer(text):
        if _not_an_end(text, m, addresses):
            continue
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


def _not_an_end(text: str, m: re.Match, addresses: list[tuple[int, int]]) -> bool:
    """A full stop of an abbreviation, or a mark inside a web or mail address."""
    mark = m.group()
    if mark.startswith("\n"):
        return False
    if any(s <= m.start() < e - 1 for s, e in addresses):
        return True
    return mark == "." and bool(_ONE_LETTER_BEFORE.search(text, max(0, m.start() - 3), m.start()))


def segment(doc: Document, config: StageConfig = DEFAULT) -> Document:
    """Stage: split the text into sentences and tokens. Beyond the caps, the rest of the text is
    not segmented (and so not analysed): long articles lose their tail, never a worker."""
    sentences = []
    for start, end in sentence_spans(doc.text)[: config.max_sentences]:
        tokens = tokenize(doc.text[start:end], start)[: config.max_tokens_per_sentence]
        sentences.append(Sentence(start, end, tokens))
    return dataclasses.replace(doc, sentences=tuple(sentences), stages=(*doc.stages, "segment"))
