"""RSS/Atom feeds as a way in: poll with conditional GET, enqueue each new item once, back off a
failing feed. The state (validators, failures, items seen) is in the database, so a restarted
watcher enqueues nothing twice.

An item whose feed holds its whole text (content:encoded, Atom content) becomes a message of that
text; an item with only a summary gets its page fetched, and the page goes in as HTML (main text
and metadata through trafilatura, worker/webpage.py).
"""

from __future__ import annotations

import email.utils
import hashlib
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import Message
from pathlib import Path
from typing import Any

from sqlalchemy import select

from db.models import Feed, FeedItem
from db.session import session_scope
from worker.messages import RawItem
from worker.producer import EnqueueReport, enqueue
from worker.webpage import PageError, decode_page

log = logging.getLogger("khabar.feeds")

USER_AGENT = "khabar-watch/0.1"
MAX_BYTES = 10_000_000


class FetchError(Exception):
    """A feed or page that could not be fetched: the reason in one line."""


@dataclass
class Fetched:
    status: int  # 200 or 304
    body: bytes = b""
    charset: str | None = None
    etag: str | None = None
    last_modified: str | None = None


def fetch(
    url: str, etag: str | None = None, last_modified: str | None = None, timeout: float = 20
) -> Fetched:
    """GET ``url`` (http, https or a local file), conditional on the validators given."""
    if "://" not in url:
        path = Path(url)
        try:
            return Fetched(200, path.read_bytes())
        except OSError as exc:
            raise FetchError(f"cannot read {url}: {exc.strerror or exc}") from exc
    if not url.startswith(("http://", "https://", "file://")):
        raise FetchError(f"unsupported address {url!r} (expected http, https, file or a path)")
    headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "identity"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - the user's feeds
            body = response.read(MAX_BYTES + 1)
            info: Message = response.headers
    except urllib.error.HTTPError as exc:
        if exc.code == 304:
            return Fetched(304, etag=etag, last_modified=last_modified)
        raise FetchError(f"HTTP {exc.code} {exc.reason} from {url}") from exc
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise FetchError(f"cannot fetch {url}: {reason}") from exc
    if len(body) > MAX_BYTES:
        raise FetchError(f"{url} is larger than {MAX_BYTES:,} bytes")
    return Fetched(200, body, info.get_content_charset(), info.get("ETag"), info.get("Last-Modified"))


@dataclass
class PollResult:
    url: str
    status: str  # "new", "not modified", "failed", "waiting"
    enqueued: list[str] = field(default_factory=list)  # article ids
    refused: list[tuple[str, str]] = field(default_factory=list)  # (ref, reason)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (item, reason): tried again later
    error: str | None = None
    retry_in: float | None = None


def _feed(session, url: str) -> Feed:
    feed = session.scalar(select(Feed).where(Feed.url == url))
    if feed is None:
        feed = Feed(url=url, polls=0, not_modified=0, failures_in_a_row=0)
        session.add(feed)
        session.flush()
    return feed


def _aware(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


def poll(url: str, every: float, max_backoff: float, now: datetime | None = None) -> PollResult:
    """Poll one feed if it is due: fetch (conditionally), enqueue its new items, record the state."""
    now = now or datetime.now(UTC)
    with session_scope() as session:
        feed = _feed(session, url)
        due = _aware(feed.next_poll_at)
        if due is not None and due > now:
            return PollResult(url, "waiting", retry_in=(due - now).total_seconds())
        etag, last_modified = feed.etag, feed.last_modified
    try:
        fetched = fetch(url, etag, last_modified)
        result = PollResult(url, "not modified") if fetched.status == 304 else _items(url, fetched)
    except FetchError as exc:
        result = PollResult(url, "failed", error=str(exc))
    with session_scope() as session:
        feed = _feed(session, url)
        feed.polls += 1
        if result.status == "failed":
            feed.failures_in_a_row += 1
            feed.last_error = result.error
            result.retry_in = min(every * 2**feed.failures_in_a_row, max_backoff)
        else:
            feed.failures_in_a_row = 0
            feed.last_error = None
            result.retry_in = every
            if result.status == "not modified":
                feed.not_modified += 1
            else:
                feed.etag, feed.last_modified = fetched.etag, fetched.last_modified
        feed.next_poll_at = now + timedelta(seconds=result.retry_in)
    return result


def _items(url: str, fetched: Fetched) -> PollResult:
    import feedparser

    parsed = feedparser.parse(fetched.body, response_headers={"content-type": "application/xml"})
    if not parsed.entries and (parsed.bozo or not parsed.get("version")):
        why = parsed.get("bozo_exception") or "no feed format recognised"
        raise FetchError(f"{url} is not an RSS or Atom feed: {why}")
    result = PollResult(url, "new")
    source = (parsed.feed.get("title") or "").strip() or None
    with session_scope() as session:
        feed_id = _feed(session, url).id
        seen = set(session.scalars(select(FeedItem.key).where(FeedItem.feed_id == feed_id)))
    for entry in parsed.entries:
        key = entry.get("id") or entry.get("link")
        if not key or key in seen:
            continue
        try:
            message = item_message(entry, source)
        except FetchError as exc:
            result.skipped.append((key, str(exc)))  # not recorded: tried again at the next poll
            continue
        ref = f"feed:{url}#{hashlib.sha256(key.encode()).hexdigest()[:12]}"
        report = enqueue([RawItem(ref, message)], report=EnqueueReport())
        article_id = next((a for _, a in report.accepted + report.duplicates), None)
        result.enqueued.extend(a for _, a in report.accepted)
        result.refused.extend(report.invalid)
        with session_scope() as session:
            session.add(FeedItem(feed_id=feed_id, key=key, article_id=article_id))
        seen.add(key)
    return result


def _published(entry: Any) -> str | None:
    """The item's time with the offset the feed gave (relative dates resolve on the outlet's own
    day); feedparser's parsed form keeps only UTC, so it is the last resort."""
    for raw in (entry.get("published"), entry.get("updated")):
        if not raw:
            continue
        try:
            return email.utils.parsedate_to_datetime(raw).isoformat()  # RSS: RFC 822
        except (TypeError, ValueError):
            pass
        try:
            return datetime.fromisoformat(raw.replace("Z", "+00:00")).isoformat()  # Atom: RFC 3339
        except ValueError:
            pass
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    return datetime(*parsed[:6], tzinfo=UTC).isoformat() if parsed else None


def item_message(entry: Any, source: str | None) -> dict[str, Any]:
    """The article message of a feed item: its full content when the feed has it, else its page."""
    message: dict[str, Any] = {
        "id": entry.get("id") or entry.get("link"),
        "title": entry.get("title"),
        "url": entry.get("link"),
        "source": source,
        "published_at": _published(entry),
        "author": entry.get("author"),
    }
    contents = [c for c in entry.get("content", []) if (c.get("value") or "").strip()]
    if contents:
        content = contents[0]
        html = "html" in (content.get("type") or "")
        message.update(body=content["value"], format="html" if html else "text")
    elif entry.get("link"):
        page = fetch(entry["link"])
        try:
            markup = decode_page(page.body, page.charset)
        except PageError as exc:
            raise FetchError(f"{entry['link']}: {exc}") from exc
        message.update(body=markup, format="html")
    else:
        message.update(body=entry.get("summary") or "", format="html")
    return {k: v for k, v in message.items() if v is not None}
