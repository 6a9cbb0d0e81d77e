"""Web pages as articles: the bytes decoded, the main text without boilerplate, the metadata.

trafilatura finds the article's own text in a page (navigation, related links, comments, share
buttons and cookie banners stay out) and its title, author, date and site name; the page's head
gives the exact publication time and the canonical address. Nothing here fetches anything: a
page is markup already in hand (trafilatura is only ever given a string, never a URL).
"""

from __future__ import annotations

import codecs
import json
import logging
import re
from dataclasses import dataclass
from datetime import datetime
from html.parser import HTMLParser
from typing import Any

from worker.stages.text.normalise import html_to_text

# trafilatura logs an ERROR for markup it cannot parse into a tree (an empty page, a bare
# fragment); read_page falls back to the visible text then, so it is no error of Khabar's.
logging.getLogger("trafilatura").setLevel(logging.CRITICAL)


class PageError(ValueError):
    """A page that cannot be read as text (binary data, an encoding nothing decodes)."""


@dataclass(frozen=True)
class Page:
    """What a page says about its article; None where it says nothing."""

    text: str
    title: str | None = None
    published_at: str | None = None  # ISO 8601, a day or a time with its offset
    author: str | None = None
    source: str | None = None  # the site's name
    url: str | None = None  # canonical address

    def metadata(self) -> dict[str, str]:
        """The article message fields the page fills (SCHEMA.md §1 names)."""
        fields = {
            "title": self.title,
            "published_at": self.published_at,
            "author": self.author,
            "source": self.source,
            "url": self.url,
        }
        return {k: v for k, v in fields.items() if v}


# ---------------------------------------------------------------------------------------- bytes

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)


def declared_charset(data: bytes) -> str | None:
    """The charset a page declares in its first 4 KB (``<meta charset>`` or http-equiv)."""
    m = _META_CHARSET.search(data[:4096])
    return m.group(1).decode("ascii") if m else None


def _codec(name: str | None) -> str | None:
    try:
        return codecs.lookup(name).name if name else None
    except LookupError:
        return None


def decode_page(data: bytes, header_charset: str | None = None) -> str:
    """A page's text from its bytes. The bytes decide, not what the page claims: pages are
    often re-encoded by a CMS or a proxy and keep a ``<meta charset>`` that is no longer true.
    A byte-order mark, then valid UTF-8, then the charset of the HTTP header or the page's own
    declaration when the bytes decode with it, then a detection over the bytes."""
    if b"\x00" in data[:8192] and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise PageError("not a web page: binary data (NUL bytes)")
    for bom, name in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return data.decode(name, "replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    for name in (_codec(header_charset), _codec(declared_charset(data))):
        if name and name != "utf-8":
            try:
                return data.decode(name)
            except UnicodeDecodeError:
                continue
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise PageError(
            f"not a web page: the bytes are in no known encoding (declared {declared_charset(data) or 'none'})"
        )
    return str(best)


# ------------------------------------------------------------------------------------- metadata


class _Head(HTMLParser):
    """The article's own metadata where a page states it exactly: Open Graph / article tags and
    JSON-LD (publication time with its offset), the canonical link, the <title>."""

    _META = {
        "og:title": "title",
        "twitter:title": "title",
        "article:published_time": "published_at",
        "og:article:published_time": "published_at",
        "datepublished": "published_at",
        "date": "published_at",
        "og:url": "url",
        "og:site_name": "source",
    }

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: dict[str, str] = {}
        self.page_title = ""
        self._capture: str | None = None  # "title" or "ld"
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = {k.lower(): (v or "").strip() for k, v in attrs}
        if tag == "meta":
            field = self._META.get((a.get("property") or a.get("name") or a.get("itemprop") or "").lower())
            if field and a.get("content"):
                self.found.setdefault(field, a["content"])
        elif tag == "link" and "canonical" in a.get("rel", "").lower().split() and a.get("href"):
            self.found["url"] = a["href"]  # the canonical link wins over og:url
        elif tag == "title" and not self.page_title:
            self._capture, self._text = "title", []
        elif tag == "script" and a.get("type", "").lower() == "application/ld+json":
            self._capture, self._text = "ld", []

    def handle_endtag(self, tag: str) -> None:
        if self._capture == "title" and tag == "title":
            self.page_title = " ".join("".join(self._text).split())
        elif self._capture == "ld" and tag == "script":
            published = _ld_published("".join(self._text))
            if published:
                self.found.setdefault("published_at", published)
        else:
            return
        self._capture = None

    def handle_data(self, data: str) -> None:
        if self._capture:
            self._text.append(data)


def _ld_published(text: str) -> str | None:
    """datePublished of the first JSON-LD object that has one (also inside @graph)."""
    try:
        data: Any = json.loads(text)
    except ValueError:
        return None
    stack = [data]
    while stack:
        item = stack.pop(0)
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            if isinstance(item.get("datePublished"), str):
                return item["datePublished"]
            stack.extend(v for k, v in item.items() if k == "@graph")
    return None


def _valid_time(value: str | None) -> str | None:
    # A date the page gets wrong must not cost the article: it is dropped, not refused.
    try:
        return value if value and datetime.fromisoformat(value) else None
    except ValueError:
        return None


def head_metadata(markup: str) -> dict[str, str]:
    """title, published_at, url and source as the page's head states them."""
    parser = _Head()
    parser.feed(markup)
    parser.close()
    found = dict(parser.found)
    if not _valid_time(found.get("published_at")):
        found.pop("published_at", None)
    if parser.page_title and "title" not in found:
        found["title"] = parser.page_title
    return found


# ----------------------------------------------------------------------------------------- page


def read_page(markup: str, url: str | None = None) -> Page:
    """The article of a page: main text and metadata. A page (or a fragment of one) in which
    trafilatura finds no main text gives its visible text instead."""
    import trafilatura

    head = head_metadata(markup)
    doc = trafilatura.bare_extraction(
        markup,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_images=False,
        include_tables=True,
        # Only dates the page's markup states; a date found in running text could be any date
        # the article mentions, and relative dates resolve against this one.
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    if doc is None:
        return Page(text=_tidy(html_to_text(markup)), **head)
    return Page(
        text=_tidy(doc.text or html_to_text(markup)),
        title=doc.title or head.get("title"),
        # The head's exact time (with its offset) beats trafilatura's day.
        published_at=head.get("published_at") or _valid_time(doc.date),
        author=doc.author or None,
        source=head.get("source") or doc.sitename or None,
        url=head.get("url") or doc.url or None,
    )


def _tidy(text: str) -> str:
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)
