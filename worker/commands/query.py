"""Commands that read the database: show, articles, events, export, status."""

from __future__ import annotations

import bisect
import contextlib
import csv
import hashlib
import json
import sys
from collections import OrderedDict, defaultdict
from datetime import UTC, date, datetime, timedelta

import click

TYPE_NAMES = {"PERS": "people", "ORG": "organisations", "LOC": "places", "MISC": "other"}


def _args(event, role: str) -> list[str]:
    return [a.entity.canonical for a in event.arguments if a.role == role]


def event_id(event) -> str:
    """A stable id: a hash of the event's natural key (article, type, trigger position, extractor
    version), the same in every database that holds these results, unlike the row id."""
    key = f"{event.article_id}|{event.type}|{event.trigger_start}|{event.extractor_version}"
    return "ev" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


class SentenceTexts:
    """The sentence each event was found in, cut from its article's document text the way the
    segment stage cut it (sentences are not stored; spans are computed once per article). Only the
    last ``keep`` articles are kept: an export of millions of events must not hold every article
    text, and an article's events mostly come together."""

    def __init__(self, keep: int = 256) -> None:
        self._spans: OrderedDict[str, tuple[str, list[tuple[int, int]]]] = OrderedDict()
        self._keep = keep

    def __call__(self, event) -> str:
        from worker.stages.text.segment import sentence_spans

        article = event.article
        if article.id in self._spans:
            self._spans.move_to_end(article.id)
        else:
            text = f"{article.title}\n\n{article.body}" if article.title else article.body
            self._spans[article.id] = (text, sentence_spans(text))
            if len(self._spans) > self._keep:
                self._spans.popitem(last=False)
        text, spans = self._spans[article.id]
        k = bisect.bisect_right([s for s, _ in spans], event.trigger_start) - 1
        return text[spans[k][0] : spans[k][1]] if k >= 0 else ""


def event_record(event, sentence_text: SentenceTexts | None = None) -> dict:
    article = event.article
    return {
        "event_id": event_id(event),
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
        "sentence": (sentence_text or SentenceTexts())(event),
        "article_title": article.title,
        "url": article.url,
        "source": article.source,
        "published_at": iso_time(article.published_at),
    }


def iso_time(value) -> str | None:
    """A stored time as ISO 8601 in UTC with its offset. SQLite hands back naive datetimes for
    what Postgres returns as aware ones; both are UTC, so both print the same."""
    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC).isoformat()


def _event_line(members: list) -> str:
    """One happening's line: the first mention's type, trigger and modality, with the participants,
    place and date its mentions give, and the other mentions' triggers."""
    from worker.stages.events.happenings import participants

    head = members[0]
    actors, recipients = participants([(_args(e, "actor"), _args(e, "recipient")) for e in members])
    location = next((e.location for e in members if e.location), None)
    date = max((e.date for e in members if e.date), key=len, default=None)
    parts = [f"{head.type}{'/' + head.mode if head.mode else ''}", f"«{head.trigger_text}»"]
    if actors:
        parts.append("by " + "، ".join(actors))
    if recipients:
        parts.append("with/to " + "، ".join(recipients))
    if location:
        parts.append("in " + location)
    if date:
        parts.append("on " + date)
    if head.modality != "asserted":
        parts.append(f"({head.modality})")
    if head.refers_back:
        parts.append("(refers back)")
    if len(members) > 1:
        again = "، ".join(f"«{e.trigger_text}»" for e in members[1:])
        parts.append(f"(+{len(members) - 1} mention{'s' if len(members) > 2 else ''}: {again})")
    return "  ".join(parts)


def event_lines(events, every_mention: bool = False) -> list[str]:
    """One line per happening (its mentions together), or per mention with ``every_mention``."""
    groups: dict[tuple[str, int], list] = {}
    for e in events:
        head = e.happening_start if e.happening_start is not None and not every_mention else e.trigger_start
        groups.setdefault((e.type, head), []).append(e)
    return [_event_line(members) for members in groups.values()]


def print_article(ref: str, every_mention: bool = False) -> bool:
    """A readable summary of one article: entities by type, events (one line per happening, or
    per mention), attributions."""
    from db.session import session_scope
    from db.store import current_attributions, current_events, current_mentions, find_article, open_failures

    with session_scope() as session:
        article = find_article(session, ref)
        if article is None:
            click.echo(f"no article {ref!r}", err=True)
            return False
        click.echo(f"{article.id}  [{article.status}]  {article.title or article.body[:80]}")
        click.echo(
            f"  source {article.source or '-'}"
            + (f", by {article.author}" if article.author else "")
            + f", published {iso_time(article.published_at) or '-'}, "
            f"external id {article.external_id or '-'}, extractor {article.extractor_version}"
        )
        by_type: dict[str, dict[str, int]] = defaultdict(dict)
        points: dict[str, str] = {}
        for m in current_mentions(session, article):
            names = by_type[m.entity.type]
            names[m.entity.canonical] = names.get(m.entity.canonical, 0) + 1
            if m.latitude is not None:
                points[m.entity.canonical] = f" ({m.latitude:.2f}, {m.longitude:.2f})"
        for type_ in ("PERS", "ORG", "LOC", "MISC"):
            if by_type.get(type_):
                listed = "، ".join(
                    (f"{n} ×{c}" if c > 1 else n) + points.get(n, "") for n, c in by_type[type_].items()
                )
                click.echo(f"  {TYPE_NAMES[type_]}: {listed}")
        for line in event_lines(current_events(session, article), every_mention):
            click.echo("  event: " + line)
        for warning in article.warnings or ():
            click.echo(f"  warning: {warning}")
        # A long article can attribute hundreds of sentences to the same source: one line each.
        reports: dict[str, list[str]] = {}
        for a in current_attributions(session, article):
            who = a.source or ("unnamed source" if a.source_kind == "unnamed" else "?")
            via = f" citing {a.cited}" if a.cited else ""
            reports.setdefault(f"{who}{via}", []).append(a.cue)
        for who, cues in reports.items():
            times = f" ×{len(cues)}" if len(cues) > 1 else ""
            click.echo(f"  reported by: {who} («{'، '.join(dict.fromkeys(cues))}»){times}")
        for f in open_failures(session, ref=article.id):
            click.echo(f"  failure: {f.stage}: {f.error_class}: {f.error[:200]} (attempts {f.attempts})")
    return True


@click.command()
@click.argument("ref")
@click.option(
    "--mentions", "every_mention", is_flag=True, help="One line per event mention, not per happening."
)
def show(ref: str, every_mention: bool) -> None:
    """Show one article (by Khabar id or the producer's id): entities, events (one line per
    happening, with what all its mentions say), attributions."""
    if not print_article(ref, every_mention):
        sys.exit(1)


def _date_bound(ctx, param, value: str | None) -> str | None:
    """YYYY, YYYY-M or YYYY-M-D, zero-padded: event dates are ISO strings of that precision, so
    padded bounds compare as dates (an unpadded "2015-7-1" sorted after "2015-12")."""
    if value is None:
        return None
    parts = value.strip().split("-")
    try:
        numbers = [int(p) for p in parts]
        if len(parts[0]) != 4 or not 1 <= len(numbers) <= 3:
            raise ValueError
        date(*(numbers + [1, 1])[:3])  # month 13 or day 32 is no date either
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date: use YYYY, YYYY-MM or YYYY-MM-DD") from None
    return "-".join([parts[0], *(f"{n:02d}" for n in numbers[1:])])


def _event_type(ctx, param, value: str | None) -> str | None:
    from worker.stages.document import PLOVER_TYPES

    if value is not None and value.upper() not in PLOVER_TYPES:
        raise click.BadParameter(f"unknown event type {value!r}; the types are: {' '.join(PLOVER_TYPES)}")
    return value.upper() if value else None


def _event_filters(f):
    f = click.option("--type", "type_", callback=_event_type, help="PLOVER type, e.g. CONSULT.")(f)
    f = click.option(
        "--since", callback=_date_bound, help="Earliest event date (YYYY, YYYY-MM or YYYY-MM-DD)."
    )(f)
    f = click.option("--until", callback=_date_bound, help="Latest event date (inclusive, same forms).")(f)
    f = click.option("--participant", help="An actor or recipient name (normalised match).")(f)
    f = click.option("--place", help="Event location (substring).")(f)
    f = click.option(
        "--omit-modal", is_flag=True, help="Leave out negated, future, hypothetical and conditional events."
    )(f)
    f = click.option(
        "--omit-refers-back",
        is_flag=True,
        help="Leave out mentions that only refer back to a happening reported elsewhere.",
    )(f)
    f = click.option(
        "--happenings",
        is_flag=True,
        help="One event per happening: only the first mention of each (later ones report it again).",
    )(f)
    f = click.option("--min-confidence", type=click.FloatRange(0, 1), help="Only events at least this sure.")(
        f
    )
    return f


def _store_filters(
    type_, since, until, participant, place, omit_modal, omit_refers_back, min_confidence, happenings
) -> dict:
    """The CLI's event filters under the names ``db.store.events_query`` takes."""
    return {
        "type_": type_,
        "since": since,
        "until": until,
        "participant": participant,
        "place": place,
        "asserted_only": omit_modal,
        "omit_refers_back": omit_refers_back,
        "min_confidence": min_confidence,
        "happenings_only": happenings,
    }


def events_page(session, limit: int, **filters):
    """The statement behind `khabar events` (and the window's event list): the newest ``limit``
    events that pass the CLI's filters."""
    from db.store import events_query, has_lateral

    q = events_query(**_store_filters(**filters), limit=limit, lateral=has_lateral(session))
    return q.limit(limit)


@click.command()
@_event_filters
@click.option("--limit", default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object a line.")
def events(limit: int, as_json: bool, **filters) -> None:
    """List events, newest first, filtered by type, date range, participant, place, modality and
    confidence."""
    from db.session import session_scope

    with session_scope() as session:
        rows = session.scalars(events_page(session, limit, **filters)).all()
        sentence = SentenceTexts()
        for e in rows:
            rec = event_record(e, sentence)
            if as_json:
                click.echo(json.dumps(rec, ensure_ascii=False))
            else:
                click.echo(
                    f"{rec['date'] or '----':10}  {rec['type']:9}  {rec['trigger']}  "
                    f"{'، '.join(rec['actors']) or '-'} → {'، '.join(rec['recipients']) or '-'}  "
                    f"@ {rec['location'] or '-'}  [{rec['article_id']} {rec['event_id']}]"
                )
        if not rows and not as_json:
            click.echo("no events match", err=True)


# Spreadsheet columns: who/what/where/when first, then the article; offsets only on request.
CSV_COLUMNS = [
    "event_id", "date", "type", "mode", "trigger", "actors", "recipients", "location", "modality",
    "refers_back", "confidence", "sentence", "article_id", "article_title", "url", "source",
    "published_at", "extractor_version",
]  # fmt: skip


def _csv_value(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "; ".join(value)
    return value


@click.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "csv", "dyads", "plover"]),
    default="jsonl",
    show_default=True,
    help="jsonl/csv: one row per event mention; dyads: CSV of story events counted by date, actor code, "
    "recipient code, PLOVER type and mode; plover: one PLOVER JSON record per story event.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, allow_dash=True),
    default="-",
    help="Output file (default stdout).",
)
@click.option(
    "--excel", is_flag=True, help="CSV for spreadsheets: UTF-8 with a byte-order mark, CRLF line ends."
)
@click.option("--offsets", is_flag=True, help="Add the trigger's character offsets (start, end) to CSV.")
@_event_filters
def export(fmt: str, out: str, excel: bool, offsets: bool, **filters) -> None:
    """Export events (current extractor version) as JSONL or CSV, with the sentence and the
    article each came from; or story events (each happening once) as dyads or PLOVER records."""
    from db.session import session_scope
    from db.store import iter_events

    if excel and fmt not in ("dyads", "plover"):
        fmt = "csv"
    columns = CSV_COLUMNS + (["start", "end"] if offsets else [])
    encoding = "utf-8-sig" if excel else "utf-8"
    # newline="": the csv module writes its own line ends (CRLF, what spreadsheets expect).
    newline = "" if fmt in ("csv", "dyads") else None
    if out == "-" and hasattr(sys.stdout, "reconfigure"):  # not a test runner's capture
        sys.stdout.reconfigure(encoding=encoding, newline=newline)
    target = (
        contextlib.nullcontext(sys.stdout)
        if out == "-"
        else open(out, "w", encoding=encoding, newline=newline)
    )
    with target as fh:
        if fmt in ("dyads", "plover"):
            from worker.commands.story_export import write_stories

            write_stories(fh, fmt, **filters)
            return
        writer = csv.DictWriter(fh, fieldnames=columns, extrasaction="ignore") if fmt == "csv" else None
        if writer:
            writer.writeheader()
        with session_scope() as session:
            sentence = SentenceTexts()
            for e in iter_events(session, **_store_filters(**filters)):
                rec = event_record(e, sentence)
                if writer:
                    writer.writerow({k: _csv_value(v) for k, v in rec.items()})
                else:
                    fh.write(json.dumps(rec, ensure_ascii=False) + "\n")


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
    from db.store import open_failure_counts, status_counts

    with session_scope() as session:
        counts = status_counts(session)
        failures = open_failure_counts(session)  # counted in the database, not loaded row by row
    depth = queue_depth()
    if as_json:
        click.echo(json.dumps({"articles": counts, "open_failures": failures, "queue_depth": depth}))
        return
    click.echo(
        "articles: "
        + (
            ", ".join(f"{k} {'≈' * (k in counts.approximate)}{v}" for k, v in sorted(counts.items()))
            or "none"
        )
    )
    click.echo("open failures: " + (", ".join(f"{k} {v}" for k, v in sorted(failures.items())) or "none"))
    click.echo(f"queue depth: {depth if depth is not None else 'unknown (broker unreachable)'}")


def _period(bound: str) -> tuple[datetime, datetime]:
    """The first instant of a YYYY / YYYY-MM / YYYY-MM-DD bound, and the first one after it."""
    y, m, d = ([int(p) for p in bound.split("-")] + [1, 1])[:3]
    start = datetime(y, m, d, tzinfo=UTC)
    parts = bound.count("-")
    if parts == 0:
        end = start.replace(year=y + 1)
    elif parts == 1:
        end = start.replace(year=y + m // 12, month=m % 12 + 1)
    else:
        end = start + timedelta(days=1)
    return start, end


def articles_query(status=None, source=None, since=None, until=None, search=None):
    """Articles by status, source (exact), publication date bounds (checked by ``_date_bound``)
    and title words, newest first."""
    from sqlalchemy import select

    from db.models import Article

    q = select(Article)
    if status:
        q = q.where(Article.status == status)
    if source:
        q = q.where(Article.source == source)
    if since:
        q = q.where(Article.published_at >= _period(since)[0])
    if until:
        q = q.where(Article.published_at < _period(until)[1])
    for word in (search or "").split():
        q = q.where(Article.title.contains(word))
    return q.order_by(Article.published_at.desc().nulls_last(), Article.ingested_at.desc())


@click.command()
@click.option("--status", type=click.Choice(["queued", "processing", "done", "failed"]))
@click.option("--source", help="Outlet name (exact).")
@click.option("--since", callback=_date_bound, help="Published on or after (YYYY, YYYY-MM or YYYY-MM-DD).")
@click.option("--until", callback=_date_bound, help="Published on or before (inclusive, same forms).")
@click.option("--search", help="Words that must all appear in the title.")
@click.option("--limit", default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object a line.")
def articles(status, source, since, until, search, limit: int, as_json: bool) -> None:
    """List articles with their ids, newest first: by status, source, publication date and title
    words. The ids are what `show`, `reprocess --id` and `failures resolve --ref` take."""
    from sqlalchemy import func, select

    from db.models import Article
    from db.session import session_scope

    q = articles_query(status, source, since, until, search).limit(limit)
    with session_scope() as session:
        rows = session.scalars(q).all()
        total = session.scalar(select(func.count()).select_from(Article))
        for a in rows:
            rec = {
                "id": a.id,
                "external_id": a.external_id,
                "status": a.status,
                "published_at": iso_time(a.published_at),
                "source": a.source,
                "url": a.url,
                "title": a.title,
                "warnings": a.warnings or [],
            }
            if as_json:
                click.echo(json.dumps(rec, ensure_ascii=False))
            else:
                published = (rec["published_at"] or "-")[:10]
                click.echo(
                    f"{a.id}  {a.status:10} {published:10}  {a.source or '-'}  "
                    f"{a.external_id or '-'}  {a.title or a.body[:60]}"
                )
    if not rows and not as_json:
        click.echo(f"no articles match (of {total} stored)", err=True)
