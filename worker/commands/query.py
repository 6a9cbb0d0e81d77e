"""Commands that read the database: show, events, export, status."""

from __future__ import annotations

import csv
import json
import sys
from collections import defaultdict

import click

TYPE_NAMES = {"PERS": "people", "ORG": "organisations", "LOC": "places", "MISC": "other"}


def _args(event, role: str) -> list[str]:
    return [a.entity.canonical for a in event.arguments if a.role == role]


def event_record(event) -> dict:
    return {
        "article_id": event.article_id,
        "type": event.type,
        "mode": event.mode,
        "trigger": event.trigger_text,
        "start": event.trigger_start,
        "end": event.trigger_end,
        "actors": _args(event, "actor"),
        "recipients": _args(event, "recipient"),
        "location": event.location,
        "date": event.date,
        "modality": event.modality,
        "refers_back": event.refers_back,
        "confidence": event.confidence,
        "extractor_version": event.extractor_version,
    }


def print_article(ref: str) -> bool:
    """A readable summary of one article: entities by type, events, attributions."""
    from db.session import session_scope
    from db.store import current_attributions, current_events, current_mentions, find_article, open_failures

    with session_scope() as session:
        article = find_article(session, ref)
        if article is None:
            click.echo(f"no article {ref!r}", err=True)
            return False
        click.echo(f"{article.id}  [{article.status}]  {article.title or article.body[:80]}")
        click.echo(
            f"  source {article.source or '-'}, published {article.published_at or '-'}, "
            f"external id {article.external_id or '-'}, extractor {article.extractor_version}"
        )
        by_type: dict[str, dict[str, int]] = defaultdict(dict)
        for m in current_mentions(session, article):
            names = by_type[m.entity.type]
            names[m.entity.canonical] = names.get(m.entity.canonical, 0) + 1
        for type_ in ("PERS", "ORG", "LOC", "MISC"):
            if by_type.get(type_):
                listed = "، ".join(f"{n} ×{c}" if c > 1 else n for n, c in by_type[type_].items())
                click.echo(f"  {TYPE_NAMES[type_]}: {listed}")
        for e in current_events(session, article):
            rec = event_record(e)
            parts = [f"{rec['type']}{'/' + rec['mode'] if rec['mode'] else ''}", f"«{rec['trigger']}»"]
            if rec["actors"]:
                parts.append("by " + "، ".join(rec["actors"]))
            if rec["recipients"]:
                parts.append("with/to " + "، ".join(rec["recipients"]))
            if rec["location"]:
                parts.append("in " + rec["location"])
            if rec["date"]:
                parts.append("on " + rec["date"])
            if rec["modality"] != "asserted":
                parts.append(f"({rec['modality']})")
            if e.refers_back:
                parts.append("(refers back)")
            click.echo("  event: " + "  ".join(parts))
        for a in current_attributions(session, article):
            who = a.source or ("unnamed source" if a.source_kind == "unnamed" else "?")
            via = f" citing {a.cited}" if a.cited else ""
            click.echo(f"  reported by: {who}{via} («{a.cue}»)")
        for f in open_failures(session, ref=article.id):
            click.echo(f"  failure: {f.stage}: {f.error_class}: {f.error[:200]} (attempts {f.attempts})")
    return True


@click.command()
@click.argument("ref")
def show(ref: str) -> None:
    """Show one article (by Khabar id or the producer's id): entities, events, attributions."""
    if not print_article(ref):
        sys.exit(1)


def _event_filters(f):
    f = click.option("--type", "type_", help="PLOVER type, e.g. CONSULT.")(f)
    f = click.option("--since", help="Earliest event date (YYYY, YYYY-MM or YYYY-MM-DD).")(f)
    f = click.option("--until", help="Latest event date (prefix, inclusive).")(f)
    f = click.option("--participant", help="An actor or recipient name (normalised match).")(f)
    f = click.option("--place", help="Event location (substring).")(f)
    return f


@click.command()
@_event_filters
@click.option("--limit", default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object a line.")
def events(type_, since, until, participant, place, limit: int, as_json: bool) -> None:
    """List events, newest first, filtered by type, date range, participant and place."""
    from db.session import session_scope
    from db.store import events_query

    with session_scope() as session:
        q = events_query(type_=type_, since=since, until=until, participant=participant, place=place)
        rows = session.scalars(q.limit(limit)).all()
        for e in rows:
            rec = event_record(e)
            if as_json:
                click.echo(json.dumps(rec, ensure_ascii=False))
            else:
                click.echo(
                    f"{rec['date'] or '----':10}  {rec['type']:9}  {rec['trigger']}  "
                    f"{'، '.join(rec['actors']) or '-'} → {'، '.join(rec['recipients']) or '-'}  "
                    f"@ {rec['location'] or '-'}  [{rec['article_id']}]"
                )
        if not rows and not as_json:
            click.echo("no events match", err=True)


@click.command()
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl", show_default=True)
@click.option(
    "--out", type=click.File("w", encoding="utf-8"), default="-", help="Output file (default stdout)."
)
@_event_filters
def export(fmt: str, out, type_, since, until, participant, place) -> None:
    """Export events (current extractor version) as JSONL or CSV."""
    from db.session import session_scope
    from db.store import events_query

    with session_scope() as session:
        q = events_query(type_=type_, since=since, until=until, participant=participant, place=place)
        writer = None
        for e in session.scalars(q).yield_per(500):
            rec = event_record(e)
            if fmt == "jsonl":
                out.write(json.dumps(rec, ensure_ascii=False) + "\n")
                continue
            if writer is None:
                writer = csv.DictWriter(out, fieldnames=list(rec))
                writer.writeheader()
            writer.writerow({k: "; ".join(v) if isinstance(v, list) else v for k, v in rec.items()})


def queue_depth() -> int | None:
    """Messages waiting on Khabar's queues (None when the broker cannot be reached)."""
    from worker.metrics import queue_depths

    depths = queue_depths()
    return None if depths is None else sum(depths.values())


@click.command()
@click.option("--json", "as_json", is_flag=True)
def status(as_json: bool) -> None:
    """Counts of articles by status, open failures by stage, and the queue depth."""
    from db.session import session_scope
    from db.store import open_failures, status_counts

    with session_scope() as session:
        counts = status_counts(session)
        failures: dict[str, int] = defaultdict(int)
        for f in open_failures(session):
            failures[f.stage] += 1
    depth = queue_depth()
    if as_json:
        click.echo(json.dumps({"articles": counts, "open_failures": failures, "queue_depth": depth}))
        return
    click.echo("articles: " + (", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "none"))
    click.echo("open failures: " + (", ".join(f"{k} {v}" for k, v in sorted(failures.items())) or "none"))
    click.echo(f"queue depth: {depth if depth is not None else 'unknown (broker unreachable)'}")
