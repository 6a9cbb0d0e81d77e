"""Plain-JSON queue bridges: other systems push article messages (SCHEMA.md §1, plain JSON, no
Celery envelope) onto a Redis list or an AMQP queue (RabbitMQ); the bridge validates, stores and
enqueues each one.

Redis: the reliable-queue pattern. A message is moved atomically to a ``<list>:processing`` list
before it is handled and removed only after it is stored (or recorded as invalid), so a bridge
that dies mid-message loses nothing: the next bridge starts by handling what was left in
processing.

AMQP: one unacknowledged message at a time (prefetch 1), acknowledged only after it is stored or
recorded as invalid; the broker redelivers what a dead bridge held, and storing is idempotent on
the content hash, so a redelivered message is a duplicate, never a second article.
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


class _Tally:
    """What a bridge has handled, printed as it goes and at the end."""

    def __init__(self) -> None:
        self.handled = 0
        self.counts = {"stored": 0, "duplicates": 0, "refused": 0, "not enqueued": 0}

    def add(self, report) -> None:
        self.handled += 1
        self.counts["stored"] += len(report.accepted)
        self.counts["duplicates"] += len(report.duplicates)
        self.counts["refused"] += len(report.invalid)
        self.counts["not enqueued"] += len(report.not_enqueued)
        for ref, reason in report.invalid:
            click.echo(f"  refused {ref}: {reason}", err=True)
        if self.handled % 100 == 0:
            click.echo(f"{self.handled} messages", err=True)

    def finish(self, exit_code: bool = True) -> None:
        summary = ", ".join(f"{k} {v}" for k, v in self.counts.items())
        click.echo(f"bridged {self.handled} messages: {summary}", err=True)
        if self.counts["refused"]:
            click.echo("  (see `khabar failures list --stage validate --show-payload`)", err=True)
        if exit_code and (self.counts["refused"] or self.counts["not enqueued"]):
            sys.exit(1)


def handle_amqp_message(queue: str, message) -> object:
    """Store (or record as invalid) one AMQP message, then acknowledge it; its EnqueueReport.
    If storing fails (the database is down) the message is given back to the broker unacked."""
    from worker.messages import RawItem
    from worker.producer import enqueue

    raw = message.body if isinstance(message.body, bytes) else str(message.body).encode("utf-8")
    ref = f"amqp:{queue}#{hashlib.sha256(raw).hexdigest()[:12]}"
    try:
        report = enqueue([RawItem(ref, raw)])
    except BaseException:
        message.requeue()
        raise
    message.ack()
    return report


def _amqp_bridge(url: str, queue_name: str, tally: _Tally, stopping, max_messages: int | None) -> None:
    from kombu import Connection, Consumer, Queue

    from worker.settings import mask_url

    with Connection(url, connect_timeout=5) as conn:
        try:
            conn.ensure_connection(max_retries=2, interval_start=0.5)
        except Exception as exc:  # noqa: BLE001 - the transports raise several types
            raise click.ClickException(f"cannot reach the AMQP broker {mask_url(url)}: {exc}") from exc
        channel = conn.channel()
        channel.basic_qos(prefetch_size=0, prefetch_count=1, a_global=False)
        queue = Queue(queue_name, routing_key=queue_name, durable=True)
        click.echo(f"bridging AMQP queue {queue_name} → queue {get_settings().queue}", err=True)

        def on_message(message) -> None:
            tally.add(handle_amqp_message(queue_name, message))

        with Consumer(channel, queues=[queue], on_message=on_message, no_ack=False):
            while not stopping() and (max_messages is None or tally.handled < max_messages):
                try:
                    conn.drain_events(timeout=1)
                except TimeoutError:
                    continue
                except conn.connection_errors as exc:
                    tally.finish(exit_code=False)
                    raise click.ClickException(
                        f"lost the AMQP broker {mask_url(url)}: {exc} (restart the bridge: the message "
                        "it held is delivered again)"
                    ) from exc


@click.command()
@click.option("--redis-url", default=None, help="Redis holding the incoming list (default: the broker URL).")
@click.option("--list", "source", default="khabar:incoming", show_default=True, help="The list to read.")
@click.option(
    "--amqp", "amqp_url", default=None, help="Read an AMQP queue instead: amqp://user:pw@host:5672//"
)
@click.option(
    "--queue",
    "amqp_queue",
    default=None,
    help="The AMQP queue to read (with --amqp).  [default: khabar.incoming]",
)
@click.option(
    "--max-messages", type=int, default=None, help="Stop after this many messages (default: run forever)."
)
def bridge(
    redis_url: str | None, source: str, amqp_url: str | None, amqp_queue: str, max_messages: int | None
) -> None:
    """Feed Khabar from a Redis list or an AMQP queue of plain JSON article messages.

    Producers that cannot speak Celery `RPUSH khabar:incoming '{"body": "…"}'` (or publish to a
    RabbitMQ queue with --amqp); the bridge validates, stores and enqueues each message; invalid
    ones land in `khabar failures list`. A message is removed (acknowledged) only once stored or
    recorded. Stop with Ctrl-C or SIGTERM: the message in hand is finished first.
    """
    if amqp_queue and not amqp_url:
        raise click.UsageError(
            "--queue names an AMQP queue: give the broker with --amqp URL (a Redis list: --list)"
        )
    stopping = stop_on_signals()
    tally = _Tally()
    if amqp_url:
        _amqp_bridge(amqp_url, amqp_queue or "khabar.incoming", tally, stopping, max_messages)
    else:
        _redis_bridge(redis_url, source, tally, stopping, max_messages)
    tally.finish()


def stop_on_signals():
    """A function telling whether SIGTERM or Ctrl-C came: the loop finishes what it holds first."""
    stopped = []
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stopped.append(True))
    return lambda: bool(stopped)


def _redis_bridge(
    redis_url: str | None, source: str, tally: _Tally, stopping, max_messages: int | None
) -> None:
    import redis

    client = redis.Redis.from_url(redis_url or get_settings().broker_url)
    click.echo(f"bridging {source} → queue {get_settings().queue}", err=True)
    while not stopping() and (max_messages is None or tally.handled < max_messages):
        report = bridge_once(client, source)
        if report is not None:
            tally.add(report)
