"""The article message contract (SCHEMA.md §1) and the readers for the producer's input formats.

Validation is strict and its errors say what is wrong in words an operator can act on; a message
that fails is recorded (see producer.py), never silently dropped.
"""

from __future__ import annotations

import html
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from worker.stages.text.language import language_name
from worker.stages.text.normalise import content_hash, detect_language
from worker.webpage import PageError, decode_page, read_page


class InvalidArticle(ValueError):
    """A message that breaks the article contract. ``ref`` says where it came from."""

    def __init__(self, reason: str, ref: str = "", payload: str | None = None) -> None:
        super().__init__(f"{ref}: {reason}" if ref else reason)
        self.reason = reason
        self.ref = ref
        self.payload = payload


class ArticleMessage(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=False)

    id: str | None = None
    title: str | None = None
    body: str
    url: str | None = None
    source: str | None = None
    author: str | None = None
    published_at: datetime | None = None
    language: str | None = None
    format: str = "text"  # "text" or "html" (HTML is a declared input format)

    @field_validator("id", "url", "source", "author", "language", mode="before")
    @classmethod
    def _short_string(cls, v: Any) -> Any:
        if v is not None and not isinstance(v, str):
            raise ValueError("must be a string")
        if isinstance(v, str) and len(v) > 2000:
            raise ValueError("is longer than 2000 characters")
        return v

    @field_validator("id")
    @classmethod
    def _indexable(cls, v: str | None) -> str | None:
        # The producer's id is indexed: a btree entry holds at most 2,704 bytes, and an id that
        # overflows it would fail at the database instead of being refused here with a reason.
        if v is not None and len(v.encode("utf-8", "surrogatepass")) > 1000:
            raise ValueError("is longer than 1000 bytes")
        return v

    @field_validator("id", "title", "body", "url", "source", "author", "language", "format")
    @classmethod
    def _storable(cls, v: str | None) -> str | None:
        # Text no database can hold: refused here, or it would fail the whole batch later.
        if v is None:
            return v
        if "\x00" in v:
            raise ValueError("contains NUL characters (binary data?)")
        try:
            v.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise ValueError("holds unpaired surrogates (broken encoding)") from exc
        return v

    @field_validator("published_at")
    @classmethod
    def _aware(cls, v: datetime | None) -> datetime | None:
        # A naive time is taken as UTC so that comparisons and storage are unambiguous.
        return v.replace(tzinfo=UTC) if v is not None and v.tzinfo is None else v


def _offset_minutes(when: datetime | None) -> int | None:
    offset = when.utcoffset() if when is not None else None
    return None if offset is None else int(offset.total_seconds() // 60)


@dataclass(frozen=True)
class ValidArticle:
    """A validated, cleaned article ready to be stored."""

    message: ArticleMessage
    title: str
    body: str
    content_hash: str
    ref: str

    def row(self, extractor_version: str) -> dict[str, Any]:
        return {
            "id": "a" + self.content_hash[:23],
            "external_id": self.message.id,
            "content_hash": self.content_hash,
            "url": self.message.url,
            "source": self.message.source,
            "author": self.message.author,
            "title": self.title,
            "body": self.body,
            # In UTC: SQLite keeps no offset, and would keep 12:00+03:00 as 12:00 (as if UTC).
            "published_at": self.message.published_at.astimezone(UTC) if self.message.published_at else None,
            "published_offset": _offset_minutes(self.message.published_at),
            "language": self.message.language,
            "status": "queued",
            "extractor_version": extractor_version,
        }


def _payload(raw: Any) -> str:
    return raw if isinstance(raw, str) else json.dumps(raw, ensure_ascii=False)[:4000]


def validate(
    raw: str | bytes | dict,
    ref: str = "",
    max_body_bytes: int = 1_000_000,
    fallback: dict[str, str] | None = None,
) -> ValidArticle:
    """Parse and validate one article message (a JSON text or an already decoded object);
    ``fallback`` fills fields that neither the message nor its page give (see prepare)."""
    if isinstance(raw, bytes):
        if b"\x00" in raw[:8192]:
            raise InvalidArticle("binary payload (NUL bytes), expected UTF-8 JSON", ref, repr(raw[:200]))
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidArticle(
                f"not UTF-8 ({exc.reason} at byte {exc.start})", ref, repr(raw[:200])
            ) from exc
    if isinstance(raw, str):
        size = len(raw.encode("utf-8", "surrogatepass"))
        if size > max_body_bytes * 2 + 100_000:
            raise InvalidArticle(_too_large("message", size, max_body_bytes), ref, raw[:500])
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise InvalidArticle(f"malformed JSON: {exc.msg} (column {exc.colno})", ref, raw) from exc
    else:
        data = raw
    if not isinstance(data, dict):
        raise InvalidArticle(f"expected a JSON object, got {type(data).__name__}", ref, _payload(data))
    try:
        msg = ArticleMessage.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "message"
        reason = (
            "missing required field 'body'"
            if first["type"] == "missing" and field == "body"
            else (f"field '{field}': {first['msg']}")
        )
        raise InvalidArticle(reason, ref, _payload(data)) from exc
    return prepare(msg, ref, max_body_bytes, fallback)


def _too_large(what: str, size: int, limit: int) -> str:
    # One wording for both size checks, naming the setting that moves the limit.
    return f"{what} too large: {size:,} bytes, the limit is {limit:,} (KHABAR_MAX_BODY_BYTES)"


def prepare(
    msg: ArticleMessage,
    ref: str = "",
    max_body_bytes: int = 1_000_000,
    fallback: dict[str, str] | None = None,
) -> ValidArticle:
    """Check and clean a message. An HTML body is reduced to the page's article text, and what
    the page says about it (title, date, author, site, canonical URL) fills the fields the message
    left empty; ``fallback`` (a command's --published-at, --source) fills what is still empty."""
    body = msg.body
    size = len(body.encode("utf-8"))
    if size > max_body_bytes:
        raise InvalidArticle(_too_large("body", size, max_body_bytes), ref, body[:500])
    if msg.format == "html":
        page = read_page(body, msg.url)
        msg, body = _filled(msg, page.metadata()), page.text
    elif msg.format != "text":
        raise InvalidArticle(f"unknown format {msg.format!r} (expected 'text' or 'html')", ref, body[:500])
    msg = _filled(msg, fallback or {})
    # Headlines are often copied out of HTML with their entities (&quot;): a title is display
    # text, not an offset base of its own, so it is unescaped before the document text is built.
    title = html.unescape(msg.title or "").strip()
    if msg.format == "html":
        body = _without_headline(body, title)
    # The body is stored exactly as sent: entity and event offsets index into it (SCHEMA.md §2).
    if not body.strip():
        raise InvalidArticle("empty body", ref, msg.model_dump_json()[:500])
    if msg.format == "html":
        _check_page_language(title, body, msg, ref)
    return ValidArticle(msg, title, body, content_hash(title, body), ref)


def _filled(msg: ArticleMessage, values: dict[str, str]) -> ArticleMessage:
    """``msg`` with its empty fields taken from ``values`` (the message wins where both have
    one); a value the contract would refuse (a date that is no date) is left out, not fatal."""
    updates = {k: v for k, v in values.items() if v and not getattr(msg, k, None)}
    if not updates:
        return msg
    data = msg.model_dump()
    try:
        return ArticleMessage.model_validate({**data, **updates})
    except ValidationError as exc:
        bad = {str(e["loc"][0]) for e in exc.errors() if e["loc"]}
        return ArticleMessage.model_validate({**data, **{k: v for k, v in updates.items() if k not in bad}})


def _without_headline(body: str, title: str) -> str:
    # A page's headline (an <h1> repeating the title) would otherwise be read twice, once as the
    # title and once as the body's first line.
    lines = body.split("\n")
    while title and len(lines) > 1 and lines[0].strip() == title:
        lines.pop(0)
    return "\n".join(lines)


def _check_page_language(title: str, body: str, msg: ArticleMessage, ref: str) -> None:
    """A page whose article is not Arabic is refused here, with the reason: the wrong edition of
    a site, an error page or a consent wall, not news for Khabar."""
    language = detect_language(f"{title}\n{body}")
    if language != "ar":
        where = f" ({msg.url})" if msg.url else ""
        raise InvalidArticle(
            f"the page{where} holds no Arabic article: its text is {language_name(language)}, not Arabic",
            ref,
            f"{title}\n{body}"[:1000],
        )


@dataclass(frozen=True)
class RawItem:
    """One message as read from an input, before validation: where it came from, and the data
    (or, for an input that cannot hold a message at all, the reason)."""

    ref: str
    data: str | bytes | dict
    error: str | None = None
    # Fields to fill where neither the message nor its page says (a command's --source).
    fallback: dict[str, str] | None = None


SUFFIXES = (".jsonl", ".ndjson", ".json", ".txt", ".html", ".htm")


def input_files(path: str) -> list[str]:
    """The input files a path names: itself, or the files with a known suffix under a folder
    (sorted, so a folder is read in the same order every time)."""
    if path != "-" and os.path.isdir(path):
        return sorted(str(p) for p in Path(path).rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
    return [path]


def read_path(
    path: str, stdin_bytes: bytes | None = None, defaults: dict[str, str] | None = None
) -> Iterator[RawItem]:
    """Items of one input file: ``.jsonl``/``.ndjson`` (one message a line), ``.json`` (one
    object or a list), ``.txt`` (first line headline, the rest body), ``.html`` (declared HTML,
    with its title, date and canonical URL), or ``-`` (stdin, read as JSONL).

    A ``.txt`` or ``.html`` file's id is its path as given: two ``article.txt`` in different
    folders stay two articles. ``defaults`` (published_at, source) fill in what such a file
    cannot say itself."""
    if path == "-":
        yield from _lines("<stdin>", stdin_bytes or b"")
        return
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix not in SUFFIXES:
        raise InvalidArticle(
            f"unknown input type {suffix!r} (expected .jsonl, .ndjson, .json, .txt, .html, a folder or -)",
            path,
        )
    data = p.read_bytes()
    if suffix in (".jsonl", ".ndjson"):
        yield from _lines(path, data)
        return
    if suffix == ".json":
        try:
            obj = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            yield RawItem(f"{path}:1", data)  # validate() reports what is wrong
            return
        for n, item in enumerate(obj if isinstance(obj, list) else [obj], 1):
            yield RawItem(f"{path}#{n}", item)
        return
    if suffix == ".txt":
        text = _text_file(path, data, "text")
        if isinstance(text, RawItem):
            yield text
            return
        title, _, body = text.partition("\n")
        item: dict[str, Any] = {"title": title.strip(), "body": body}
        for key, value in (defaults or {}).items():
            if value and not item.get(key):
                item[key] = value
        yield RawItem(path, {"id": os.path.normpath(path), **item})
        return
    # A page: its bytes decoded whatever its <meta charset> claims; its own metadata goes before
    # the command's defaults (prepare() reads both).
    try:
        markup = decode_page(data)
    except PageError as exc:
        yield RawItem(path, repr(data[:200]), error=str(exc))
        return
    fallback = {k: v for k, v in (defaults or {}).items() if v}
    yield RawItem(path, {"id": os.path.normpath(path), "body": markup, "format": "html"}, fallback=fallback)


def _binary_reason(data: bytes, kind: str) -> str | None:
    """Why a file cannot be read as UTF-8 text at all (one reason for the whole file)."""
    if b"\x00" in data:
        return f"not a {kind} file: binary data (NUL bytes); expected UTF-8 text"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return f"not a {kind} file: not UTF-8 ({exc.reason} at byte {exc.start})"
    return None


def _text_file(path: str, data: bytes, kind: str) -> str | RawItem:
    reason = _binary_reason(data, kind)
    if reason:
        return RawItem(path, repr(data[:200]), error=reason)
    return data.decode("utf-8")


def _lines(name: str, data: bytes) -> Iterator[RawItem]:
    # A binary or mis-encoded file is one bad input, not one failure per accidental line break.
    reason = _binary_reason(data, "JSON lines")
    if reason:
        yield RawItem(name, repr(data[:200]), error=reason)
        return
    for n, line in enumerate(data.splitlines(), 1):
        if line.strip():
            yield RawItem(f"{name}:{n}", line)
