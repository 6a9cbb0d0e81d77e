"""Where an article's intermediate documents wait between the steps of its chain.

A step hands the next one its Document in the worker process's memory, where the next step mostly
runs, or through Redis (compressed JSON under a key with a TTL) while its hand-overs are taken
elsewhere; never through Postgres: the database keeps results, stage-run timings and delivery
bookkeeping, never the intermediate copies of every article. The cache is only a shortcut: a step
that finds no document (kept in another process, expired, evicted, Redis restarted without
persistence, or no Redis configured) rebuilds
it from the raw article by running the earlier pure stages again, which give the same document
every time. So no guarantee depends on Redis keeping anything, and `khabar reprocess` and
`failures retry` start from the raw article as before.
"""

from __future__ import annotations

import logging
import zlib
from collections import deque
from typing import Protocol

import orjson

from worker.settings import Settings
from worker.stages.document import Document

log = logging.getLogger("khabar.documents")


class Documents(Protocol):
    # Whether ``mark`` keeps the running stage where the worker's main process and a later
    # delivery can read it (a task then records its stages once, at its end).
    marks: bool
    # Set by the task layer: this process ends after the task it is running (it is recycled),
    # so nothing it keeps in its memory will be taken from there.
    leaving: bool

    def load(self, article_id: str, version: str, stage: str, running: str | None = None) -> Document | None:
        """The output of ``stage``; with ``running``, that stage is marked as well (``mark``)."""

    def mark(self, article_id: str, version: str, stage: str) -> None: ...

    def marked(self, article_id: str, version: str) -> str | None: ...

    def save(self, article_id: str, version: str, stage: str, doc: Document) -> None: ...

    def clear(self, article_id: str, version: str, stages: tuple[str, ...]) -> None: ...

    # A batch's hand-over: keys are (article id, version, stage); one round trip for them all.
    def load_many(self, keys: list[tuple[str, str, str]]) -> dict[str, Document]: ...

    # ``handover``: the documents the chain's next task of this batch reads (else kept for a retry).
    def save_many(self, items: list[tuple[str, str, str, Document]], handover: bool = False) -> None: ...

    def clear_many(self, articles: list[tuple[str, str]], stages: tuple[str, ...]) -> None: ...


# The key, in place of a stage name, under which the running stage is marked.
RUNNING = "running"

# After a hand-over taken elsewhere, a process writes its hand-overs to Redis again until this many
# in a row are taken by the chain's next task in the same process (see RedisDocuments). One taken
# elsewhere without a copy in Redis costs the process that took it the batch's earlier stages
# again, about fifteen times what not encoding it saved.
LOCAL_STREAK = 5


def encode(doc: Document) -> bytes:
    # orjson writes a document's JSON in about a seventh of the standard library's time (a
    # millisecond of every article's hand-over); it writes a NaN as null where json writes NaN,
    # and a document holds none (its floats are probabilities and scores of finite sums).
    # Level 1: a 25 KB document shrinks to about 7 KB in a fifth of a millisecond.
    return zlib.compress(orjson.dumps(doc.to_dict(token_rows=True)), 1)


def decode(raw: bytes) -> Document:
    return Document.from_dict(orjson.loads(zlib.decompress(raw)))


class RedisDocuments:
    """Documents in Redis for ``ttl`` seconds. Every Redis error is a miss (the step rebuilds the
    document) or a skipped write (the next step rebuilds it), never a failed step.

    The documents of the last save are also kept in this process, until the next save: the next
    task of a chain mostly runs in the process that sent it (a worker serves the continue queue
    first), and then takes them from there, without the MGET and the decoding (about 3 ms an
    article). A hit is what the MGET would have read, or what the step would have rebuilt (the
    key names the article, its extractor version and the stage; the stages are pure); when the
    documents are sent to Redis, only what Redis acknowledged is kept.

    Under load that is every time: the process that sends the next task is the one free when it
    arrives. So a process keeps its hand-overs here only, without encoding them (about a
    millisecond an article) or sending them to Redis, as long as none of its last
    ``LOCAL_STREAK`` was taken elsewhere. One that was (another process ran the next task, found
    nothing in Redis and ran the earlier stages again from the raw article) sends the next ones
    through Redis until ``LOCAL_STREAK`` in a row are taken here. What a failed article got to
    (kept for its retry) always goes to Redis, and so do the hand-overs of a process's last task
    before it is recycled (``leaving``): kept here, they left with it, and the next task ran the
    batch's earlier stages again (16-25 articles each time, about every 250 articles)."""

    marks = True
    leaving = False

    def __init__(self, url: str, ttl: int) -> None:
        import redis

        self.ttl = ttl
        self.errors = (redis.RedisError, OSError)
        self.client = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=2)
        self.recent: dict[str, Document] = {}
        # whether each of the last hand-overs was taken here; whether the one kept now is, so far
        self.outcomes: deque[bool] = deque(maxlen=LOCAL_STREAK)
        self.handed = self.taken = False

    def _keep(self, items: list[tuple[str, str, str, Document]]) -> None:
        self.recent = {self.key(a, v, s): doc for a, v, s, doc in items}

    def _recent(self, key: str) -> Document | None:
        doc = self.recent.pop(key, None)
        if doc is not None:
            self.taken = True
        return doc

    def local(self) -> bool:
        """Whether hand-overs stay in this process: none of the last ``LOCAL_STREAK`` (as many as
        there were) was taken elsewhere."""
        return all(self.outcomes)

    def _settle(self) -> None:
        """Record what became of the hand-over kept here before a new one replaces it."""
        if self.handed:
            self.outcomes.append(self.taken)
        self.handed = self.taken = False

    @staticmethod
    def key(article_id: str, version: str, stage: str) -> str:
        return f"khabar:doc:{version}:{article_id}:{stage}"

    def load(self, article_id: str, version: str, stage: str, running: str | None = None) -> Document | None:
        kept = self._recent(self.key(article_id, version, stage))
        if kept is not None:
            if running is not None:
                self.mark(article_id, version, running)
            return kept
        try:
            if running is None:
                raw = self.client.get(self.key(article_id, version, stage))
            else:  # one round trip for both
                pipe = self.client.pipeline(transaction=False)
                pipe.set(self.key(article_id, version, RUNNING), running, ex=self.ttl)
                pipe.get(self.key(article_id, version, stage))
                raw = pipe.execute()[1]
        except self.errors as exc:
            log.warning(
                "article %s: document cache unavailable (%s): rebuilding the %s output",
                article_id,
                exc,
                stage,
            )
            return None
        return decode(raw) if raw is not None else None

    def save(self, article_id: str, version: str, stage: str, doc: Document) -> None:
        self.recent = {}
        try:
            self.client.set(self.key(article_id, version, stage), encode(doc), ex=self.ttl)
            self._keep([(article_id, version, stage, doc)])
        except self.errors as exc:
            log.warning(
                "article %s: document cache unavailable (%s): the next step rebuilds it", article_id, exc
            )

    def mark(self, article_id: str, version: str, stage: str) -> None:
        """The stage an article's task is running now: what a kill or a hard time limit names."""
        try:
            self.client.set(self.key(article_id, version, RUNNING), stage, ex=self.ttl)
        except self.errors as exc:  # the failure then names the task's first stage not done
            log.warning(
                "article %s: document cache unavailable (%s): running stage not marked", article_id, exc
            )

    def marked(self, article_id: str, version: str) -> str | None:
        try:
            raw = self.client.get(self.key(article_id, version, RUNNING))
        except self.errors:
            return None
        return raw.decode() if raw is not None else None

    def clear(self, article_id: str, version: str, stages: tuple[str, ...]) -> None:
        for stage in stages:
            self.recent.pop(self.key(article_id, version, stage), None)
        try:
            self.client.delete(*(self.key(article_id, version, s) for s in (*stages, RUNNING)))
        except self.errors as exc:  # the TTL removes them anyway
            log.warning("article %s: document cache unavailable (%s): left to expire", article_id, exc)

    def load_many(self, keys: list[tuple[str, str, str]]) -> dict[str, Document]:
        found = {}
        for k in keys:
            kept = self._recent(self.key(*k))
            if kept is not None:
                found[k[0]] = kept
        keys = [k for k in keys if k[0] not in found]
        if not keys:
            return found
        try:
            raws = self.client.mget([self.key(*k) for k in keys])
        except self.errors as exc:
            log.warning("document cache unavailable (%s): rebuilding %d documents", exc, len(keys))
            return found
        return found | {k[0]: decode(raw) for k, raw in zip(keys, raws, strict=True) if raw is not None}

    def save_many(self, items: list[tuple[str, str, str, Document]], handover: bool = False) -> None:
        if not items:  # (a batch task saves twice: before its commit, and what failed after it)
            return
        if handover:
            self._settle()
            self.recent = {}
            if self.local() and not self.leaving:
                self._keep(items)
                self.handed = True
                return
        try:
            pipe = self.client.pipeline(transaction=False)
            for article_id, version, stage, doc in items:
                pipe.set(self.key(article_id, version, stage), encode(doc), ex=self.ttl)
            pipe.execute()
            if handover:
                self._keep(items)
                self.handed = True
        except self.errors as exc:
            log.warning(
                "document cache unavailable (%s): the next step rebuilds %d documents", exc, len(items)
            )

    def clear_many(self, articles: list[tuple[str, str]], stages: tuple[str, ...]) -> None:
        for a, v in articles:
            for stage in stages:
                self.recent.pop(self.key(a, v, stage), None)
        if not articles:
            return
        try:
            self.client.delete(*(self.key(a, v, s) for a, v in articles for s in (*stages, RUNNING)))
        except self.errors as exc:  # the TTL removes them anyway
            log.warning("document cache unavailable (%s): %d documents left to expire", exc, len(articles))


class _Many:
    """The batch calls made of the single ones (no round trips to save)."""

    leaving = False

    def load_many(self, keys: list[tuple[str, str, str]]) -> dict[str, Document]:
        found = {k[0]: self.load(*k) for k in keys}
        return {a: d for a, d in found.items() if d is not None}

    def save_many(self, items: list[tuple[str, str, str, Document]], handover: bool = False) -> None:
        for article_id, version, stage, doc in items:
            self.save(article_id, version, stage, doc)

    def clear_many(self, articles: list[tuple[str, str]], stages: tuple[str, ...]) -> None:
        for article_id, version in articles:
            self.clear(article_id, version, stages)


class MemoryDocuments(_Many):
    """The in-process runner's: the documents of the article it is running, in a dict."""

    marks = True

    def __init__(self) -> None:
        self.docs: dict[tuple[str, str, str], Document] = {}
        self.running: dict[tuple[str, str], str] = {}

    def mark(self, article_id: str, version: str, stage: str) -> None:
        self.running[(article_id, version)] = stage

    def marked(self, article_id: str, version: str) -> str | None:
        return self.running.get((article_id, version))

    def load(self, article_id: str, version: str, stage: str, running: str | None = None) -> Document | None:
        if running is not None:
            self.mark(article_id, version, running)
        return self.docs.get((article_id, version, stage))

    def save(self, article_id: str, version: str, stage: str, doc: Document) -> None:
        self.docs[(article_id, version, stage)] = doc

    def clear(self, article_id: str, version: str, stages: tuple[str, ...]) -> None:
        for stage in stages:
            self.docs.pop((article_id, version, stage), None)
        self.running.pop((article_id, version), None)


class NoDocuments(_Many):
    """No cache configured: every step rebuilds its input from the raw article, and records each
    stage as it ends (nowhere to mark the running one)."""

    marks = False

    def mark(self, article_id: str, version: str, stage: str) -> None:
        pass

    def marked(self, article_id: str, version: str) -> str | None:
        return None

    def load(self, article_id: str, version: str, stage: str, running: str | None = None) -> Document | None:
        return None

    def save(self, article_id: str, version: str, stage: str, doc: Document) -> None:
        pass

    def clear(self, article_id: str, version: str, stages: tuple[str, ...]) -> None:
        pass


_cache: dict[tuple[str | None, int], Documents] = {}


def documents_for(s: Settings) -> Documents:
    """This process's document cache for these settings (made after fork: see ``reset``)."""
    url = s.document_cache
    key = (url, s.document_ttl)
    if key not in _cache:
        _cache[key] = RedisDocuments(url, s.document_ttl) if url else NoDocuments()
    return _cache[key]


def reset() -> None:
    """Forget the clients (a forked worker process must not share its parent's sockets)."""
    _cache.clear()
