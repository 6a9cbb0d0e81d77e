"""The recovery sweep (``khabar recover``): re-send the chains the broker has really lost, and only
those.

An article that is queued or processing and has not moved for a while is either lost (Redis killed
between handing its message to a worker and recording it as unacknowledged; a worker gone with a
message it could not return) or merely waiting behind a backlog. Re-sending the waiting ones would
copy the backlog at every sweep, so the sweep asks the broker: on Redis it reads every message
waiting on Khabar's queues and every message held unacknowledged by a worker (it comes back after
the visibility timeout), and re-sends only the stalled articles found in neither. A broker whose
queues cannot be read (AMQP) is only trusted when its queues are empty.
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta

from worker.settings import Settings, get_settings

log = logging.getLogger("khabar.recovery")

# kombu's Redis transport: a queue is one list per priority step; unacknowledged messages are a
# hash of delivery tag -> [message, exchange, routing key].
PRIORITY_SEP = "\x06\x16"
PRIORITY_STEPS = (0, 3, 6, 9)
UNACKED = "unacked"
# Messages read per LRANGE: a long backlog is read in slices, never blocking Redis for long.
SLICE = 5000


def _article_id(raw: bytes | str) -> str | None:
    """The (first) article id a Khabar task message carries, or None for anything else."""
    ids = _article_ids(raw)
    return ids[0] if ids else None


def _article_ids(raw: bytes | str) -> list[str]:
    """The article ids a Khabar task message carries (its first argument: one id, or the list of
    a batch), or none for anything else on the queue."""
    try:
        message = json.loads(raw)
        if isinstance(message, list):  # an unacked entry: [message, exchange, routing key]
            message = message[0]
        if not str(message.get("headers", {}).get("task", "")).startswith("khabar."):
            return []
        body = message["body"]
        if message.get("properties", {}).get("body_encoding") == "base64":
            body = base64.b64decode(body)
        args = json.loads(body)[0]  # protocol 2: [args, kwargs, embed]
        if not args:
            return []
        return [str(a) for a in args[0]] if isinstance(args[0], list) else [str(args[0])]
    except (ValueError, KeyError, IndexError, TypeError, AttributeError):
        return []


def _queue_keys(queues: Iterable[str]) -> Iterator[str]:
    for queue in queues:
        for pri in PRIORITY_STEPS:
            yield f"{queue}{PRIORITY_SEP}{pri}" if pri else queue


def _list_ids(client, key: str) -> set[str]:
    # Read from the head, where new messages are pushed: a push shifts what is left to read one
    # place on (read twice, harmless) and a pop takes from the tail, so no message that stays is
    # skipped.
    out: set[str] = set()
    start = 0
    while True:
        chunk = client.lrange(key, start, start + SLICE - 1)
        for raw in chunk:
            out.update(_article_ids(raw))
        if len(chunk) < SLICE:
            return out
        start += SLICE


def _unacked_ids(client) -> set[str]:
    return {a for raw in client.hvals(UNACKED) for a in _article_ids(raw)}


def waiting_in_broker(s: Settings) -> set[str] | None:
    """Ids of the articles with a message in the broker (waiting on a queue or held by a worker);
    None when the broker cannot be read message by message."""
    if not s.broker_url.startswith(("redis://", "rediss://", "unix://")):
        return None
    import redis

    client = redis.Redis.from_url(s.broker_url)
    try:
        # Unacked, then the lists, then unacked again: a message restored from unacked to a list,
        # or taken from a list by a worker, while they are read is seen on one side or the other.
        ids = _unacked_ids(client)
        for key in _queue_keys(s.worker_queues):
            ids |= _list_ids(client, key)
        return ids | _unacked_ids(client)
    finally:
        client.close()


@dataclass
class SweepReport:
    stalled: int = 0  # in flight in the database and unmoved for longer than the threshold
    waiting: int = 0  # of those, still waiting in the broker: left alone
    resent: list[str] = field(default_factory=list)
    not_sent: list[tuple[str, str]] = field(default_factory=list)
    broker_unreadable: bool = False  # the broker could not be read: nothing was re-sent


def sweep(older_than: float, s: Settings | None = None, limit: int = 10_000) -> SweepReport:
    """One pass: find up to ``limit`` stalled articles, re-send those the broker does not hold
    from their first step not done."""
    from db.models import utcnow
    from db.session import session_scope
    from db.store import requeue_stalled, stalled_articles
    from worker.metrics import queue_depths
    from worker.producer import EnqueueReport, send
    from worker.steps import STEPS

    s = s or get_settings()
    report = SweepReport()
    cutoff = utcnow() - timedelta(seconds=older_than)
    # The database first, the broker after: a message seen missing was missing after the article
    # last moved.
    with session_scope() as session:
        candidates = stalled_articles(session, cutoff, STEPS, limit=limit)
    report.stalled = len(candidates)
    if not candidates:
        return report
    held = waiting_in_broker(s)
    if held is None:
        depths = queue_depths()
        if depths is None or any(depths.values()):
            # Unreadable, or messages are waiting: any stalled article may be among them.
            report.broker_unreadable = depths is None
            report.waiting = len(candidates)
            return report
        held = set()
    lost = [(a, step) for a, step in candidates if a not in held]
    report.waiting = len(candidates) - len(lost)
    if not lost:
        return report
    with session_scope() as session:
        # Compare-and-set: an article a worker took up or finished meanwhile is left alone.
        claimed = set(requeue_stalled(session, [a for a, _ in lost], cutoff))
    sending = EnqueueReport()
    for step in STEPS:
        ids = [a for a, first in lost if first == step and a in claimed]
        if ids:
            send(ids, s, sending, start=step)
    failed = {a for a, _ in sending.not_enqueued}
    report.resent = [a for a, _ in lost if a in claimed and a not in failed]
    report.not_sent = sending.not_enqueued
    for article_id in report.resent:
        log.warning("article %s: no message in the broker, chain re-sent", article_id)
    return report
