"""Stage: language check and content hash; HTML to text for the producer.

The document text itself is never rewritten (offsets point into what the author wrote); the
normalised view (worker.lang.ar.normalise) is what lexicons and models compare against.
"""

from __future__ import annotations

import dataclasses
import hashlib
import html
from html.parser import HTMLParser

from worker.lang.ar.normalise import normalise as normalise_text
from worker.stages.config import DEFAULT, StageConfig
from worker.stages.document import Document
from worker.stages.text.language import identify, language_name


class UnsupportedLanguage(ValueError):
    """The text is not Arabic: Khabar's extractors would only produce noise on it."""


class BrokenText(ValueError):
    """The text holds code points no encoder accepts (unpaired surrogates): it was decoded wrongly."""


def detect_language(text: str, threshold: float = 0.5) -> str:
    """The language of ``text``: "ar", another ISO 639-1 code, or "und" (no letters). See
    language.py."""
    return identify(text, threshold)[0]


def content_hash(title: str | None, body: str) -> str:
    """Stable hash of an article's content, insensitive to diacritics, tatweel and spacing, so a
    re-sent copy of the same article is recognised as a duplicate."""
    canon = " ".join(normalise_text(f"{title or ''}\n{body}").split())
    return hashlib.sha256(canon.encode("utf-8", "surrogatepass")).hexdigest()


class _TextExtractor(HTMLParser):
    """Collects visible text; drops script/style. HTMLParser never resolves external entities
    or fetches anything, which is why it is used rather than an XML parser."""

    _SKIP = {"script", "style", "noscript", "template"}
    _BLOCK = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "section", "article"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in self._SKIP:
            self._skipping += 1
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP and self._skipping:
            self._skipping -= 1
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    parser = _TextExtractor()
    parser.feed(markup)
    parser.close()
    text = html.unescape("".join(parser.parts))
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def normalise(doc: Document, config: StageConfig = DEFAULT) -> Document:
    """Stage: language check and content hash. Raises UnsupportedLanguage for non-Arabic text
    and BrokenText for text with unpaired surrogates (the producer refuses both earlier)."""
    try:
        doc.text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise BrokenText(f"article {doc.id}: text holds an unpaired surrogate at {exc.start}") from exc
    language = detect_language(doc.text)
    if language != "ar":
        raise UnsupportedLanguage(
            f"article {doc.id}: the text is {language_name(language)}, not Arabic "
            f"(language {language!r}; Khabar reads Arabic news only)"
        )
    return dataclasses.replace(
        doc,
        language=language,
        content_hash=doc.content_hash or content_hash(doc.title, doc.body),
        stages=(*doc.stages, "normalise"),
    )
