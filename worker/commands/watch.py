"""khabar watch: poll RSS/Atom feeds and enqueue their new items (worker/feeds.py)."""

from __future__ import annotations

import sys
import time

import click


@click.command()
@click.argument("feeds", nargs=-1, required=True)
@click.option("--every", type=float, default=300, show_default=True, help="Seconds between polls of a feed.")
@click.option(
    "--max-backoff",
    type=float,
    default=3600,
    show_default=True,
    help="Longest wait before retrying a failing feed.",
)
@click.option("--rounds", type=int, default=None, help="Stop after this many rounds (default: run forever).")
def watch(feeds: tuple[str, ...], every: float, max_backoff: float, rounds: int | None) -> None:
    """Poll RSS/Atom FEEDS (URLs or files) and enqueue each new item once.

    Conditional GET (ETag / Last-Modified) spares unchanged feeds; an item whose feed holds only a
    summary gets its page fetched; a failing feed is retried after twice the wait each time (at
    most --max-backoff). What was seen is kept in the database: a restart enqueues nothing twice.
    Stop with Ctrl-C or SIGTERM.
    """
    from worker.commands.bridge import stop_on_signals
    from worker.feeds import poll

    stopping = stop_on_signals()
    totals = {"enqueued": 0, "refused": 0, "not modified": 0, "failed polls": 0}
    done = 0
    while not stopping() and (rounds is None or done < rounds):
        waits = []
        for url in feeds:
            r = poll(url, every, max_backoff)
            waits.append(r.retry_in or every)
            _report(r, totals, first_round=done == 0)
        done += 1
        if rounds is not None and done >= rounds:
            break
        # Until the next feed is due, waking to notice a stop.
        deadline = time.monotonic() + max(0.1, min(waits))
        while not stopping() and (left := deadline - time.monotonic()) > 0:
            time.sleep(min(0.2, left))
    click.echo("watched: " + ", ".join(f"{k} {v}" for k, v in totals.items()), err=True)
    if totals["refused"]:
        click.echo("  (see `khabar failures list --stage validate --show-payload`)", err=True)
        sys.exit(1)


def _report(r, totals: dict[str, int], first_round: bool) -> None:
    if r.status == "waiting":
        # A restart keeps each feed's interval and back-off (they are in the database).
        if first_round:
            click.echo(f"{r.url}: next poll in {r.retry_in:.0f} s", err=True)
        return
    if r.status == "failed":
        totals["failed polls"] += 1
        click.echo(f"{r.url}: failed: {r.error}; next try in {r.retry_in:.0f} s", err=True)
        return
    if r.status == "not modified":
        totals["not modified"] += 1
        click.echo(f"{r.url}: not modified", err=True)
        return
    totals["enqueued"] += len(r.enqueued)
    totals["refused"] += len(r.refused)
    click.echo(f"{r.url}: {len(r.enqueued)} new", err=True)
    for ref, reason in r.refused:
        click.echo(f"  refused {ref}: {reason}", err=True)
    for item, reason in r.skipped:
        click.echo(f"  skipped {item} (tried again next poll): {reason}", err=True)
