"""The article message contract (SCHEMA.md §1) and the readers for the producer's input formats.

Validation is strict and its errors say what is wrong in words an operator can act on; a message
that fails is recorded (see producer.py), never silently dropped.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from worker.stages.text.normalise import content_hash, html_to_text


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
    published_at: datetime | None = None
    language: str | None = None
    format: str = "text"  # "text" or "html" (HTML is a declared input format)

    @field_validator("id", "url", "source", "language", mode="before")
    @classmethod
    def _short_string(cls, v: Any) -> Any:
        if v is not None and not isinstance(v, str):
            raise ValueError("must be a string")
        if isinstance(v, str) and len(v) > 2000:
            raise ValueError("is longer than 2000 characters")
        return v

    @field_validator("id", "title", "body", "url", "source", "language", "format")
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
            "title": self.title,
            "body": self.body,
            "published_at": self.message.published_at,
            "language": self.message.language,
            "status": "queued",
            "extractor_version": extractor_version,
        }


def _payload(raw: Any) -> str:
    return raw if isinstance(raw, str) else json.dumps(raw, ensure_ascii=False)[:4000]


def validate(raw: str | bytes | dict, ref: str = "", max_body_bytes: int = 1_000_000) -> ValidArticle:
    """Parse and validate one article message (a JSON text or an already decoded object)."""
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
        if len(raw.encode("utf-8", "surrogatepass")) > max_body_bytes * 2 + 100_000:
            raise InvalidArticle(
                f"message of {len(raw)} characters is far over the size limit", ref, raw[:500]
            )
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
    return prepare(msg, ref, max_body_bytes)


def prepare(msg: ArticleMessage, ref: str = "", max_body_bytes: int = 1_000_000) -> ValidArticle:
    body = msg.body
    size = len(body.encode("utf-8"))
    if size > max_body_bytes:
        raise InvalidArticle(f"body of {size} bytes is over the limit of {max_body_bytes}", ref, body[:500])
    if msg.format == "html":
        body = html_to_text(body)
    elif msg.format != "text":
        raise InvalidArticle(f"unknown format {msg.format!r} (expected 'text' or 'html')", ref, body[:500])
    # The text is stored exactly as sent: entity and event offsets index into it (SCHEMA.md §2).
    title = msg.title or ""
    if not body.strip():
        raise InvalidArticle("empty body", ref, msg.model_dump_json()[:500])
    return ValidArticle(msg, title, body, content_hash(title, body), ref)


@dataclass(frozen=True)
class RawItem:
    """One message as read from an input, before validation: where it came from, and the data."""

    ref: str
    data: str | bytes | dict


def read_path(path: str, stdin_bytes: bytes | None = None) -> Iterator[RawItem]:
    """Items of one input: ``.jsonl`` (one message a line), ``.json`` (one object or a list),
    ``.txt`` (first line headline, the rest body), ``.html`` (declared HTML), or ``-`` (stdin,
    read as JSONL)."""
    if path == "-":
        for n, line in enumerate((stdin_bytes or b"").splitlines(), 1):
            if line.strip():
                yield RawItem(f"<stdin>:{n}", line)
        return
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix not in (".jsonl", ".json", ".txt", ".html", ".htm"):
        raise InvalidArticle(
            f"unknown input type {suffix!r} (expected .jsonl, .json, .txt, .html or -)", path
        )
    data = p.read_bytes()
    if suffix == ".jsonl":
        for n, line in enumerate(data.splitlines(), 1):
            if line.strip():
                yield RawItem(f"{path}:{n}", line)
    elif suffix == ".json":
        try:
            obj = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            yield RawItem(f"{path}:1", data)  # validate() reports what is wrong
            return
        for n, item in enumerate(obj if isinstance(obj, list) else [obj], 1):
            yield RawItem(f"{path}#{n}", item)
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            yield RawItem(f"{path}:1", data)
            return
        title, _, body = text.partition("\n")
        item = {"id": p.stem, "title": title.strip(), "body": body}
        if suffix != ".txt":
            item = {"id": p.stem, "body": text, "format": "html"}
        yield RawItem(path, item)
