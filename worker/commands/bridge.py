"""A plain-JSON queue bridge: other systems push article messages (SCHEMA.md §1, plain JSON, no
Celery envelope) onto a Redis list; the bridge validates, stores and enqueues each one.

Reliable-queue pattern: a message is moved atomically to a ``<list>:processing`` list before it is
handled and removed only after it is stored (or recorded as invalid), so a bridge that dies
mid-message loses nothing: the next bridge starts by handling what was left in processing.
"""

from __future__ import annotations

import hashlib
import logging
import signal
import sys

import click

from worker.settings import get_settings

log = logging.getLogger("khabar.bridge")


def bridge_once(client, source: str, timeout: float = 1.0):
    """Handle one message from ``source`` (waiting up to ``timeout`` s): its EnqueueReport, or
    None when none came."""
    from worker.messages import RawItem
    from worker.producer import enqueue

    processing = source + ":processing"
    raw = client.lmove(processing, processing, "LEFT", "RIGHT") if client.llen(processing) else None
    if raw is None:
        raw = client.blmove(source, processing, timeout, "LEFT", "RIGHT")
    if raw is None:
        return None
    # Named by list and content hash: a position in a list shifts as it is consumed, the hash
    # finds the message again in the producer's own logs.
    ref = f"redis:{source}#{hashlib.sha256(raw).hexdigest()[:12]}"
    report = enqueue([RawItem(ref, raw)])
    for ref, reason in report.invalid:
        log.info("refused message %s: %s", ref, reason)  # the command prints it
    client.lrem(processing, 1, raw)
    return report


@click.command()
@click.option("--redis-url", default=None, help="Redis holding the incoming list (default: the broker URL).")
@click.option("--list", "source", default="khabar:incoming", show_default=True, help="The list to read.")
@click.option(
    "--max-messages", type=int, default=None, help="Stop after this many messages (default: run forever)."
)
def bridge(redis_url: str | None, source: str, max_messages: int | None) -> None:
    """Feed Khabar from a Redis list of plain JSON article messages.

    Producers that cannot speak Celery `RPUSH khabar:incoming '{"body": "…"}'`; the bridge
    validates, stores and enqueues each message; invalid ones land in `khabar failures list`.
    Stop with Ctrl-C or SIGTERM: the message in hand is finished first.
    """
    import redis

    client = redis.Redis.from_url(redis_url or get_settings().broker_url)
    stopping = False

    def stop(*_):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    handled = 0
    counts = {"stored": 0, "duplicates": 0, "refused": 0, "not enqueued": 0}
    click.echo(f"bridging {source} → queue {get_settings().queue}", err=True)
    while not stopping and (max_messages is None or handled < max_messages):
        report = bridge_once(client, source)
        if report is None:
            continue
        handled += 1
        counts["stored"] += len(report.accepted)
        counts["duplicates"] += len(report.duplicates)
        counts["refused"] += len(report.invalid)
        counts["not enqueued"] += len(report.not_enqueued)
        for ref, reason in report.invalid:
            click.echo(f"  refused {ref}: {reason}", err=True)
        if handled % 100 == 0:
            click.echo(f"{handled} messages", err=True)
    click.echo(f"bridged {handled} messages: " + ", ".join(f"{k} {v}" for k, v in counts.items()), err=True)
    if counts["refused"]:
        click.echo("  (see `khabar failures list --stage validate --show-payload`)", err=True)
    if counts["refused"] or counts["not enqueued"]:
        sys.exit(1)
