"""`khabar stories`: story events — one happening with every report of it across articles and
outlets (worker/corpus/stories.py)."""

from __future__ import annotations

import json

import click

from worker.commands.query import _date_bound, _event_type


@click.command()
@click.option("--since", callback=_date_bound, help="Earliest story date (YYYY, YYYY-MM or YYYY-MM-DD).")
@click.option("--until", callback=_date_bound, help="Latest story date (inclusive, same forms).")
@click.option("--type", "type_", callback=_event_type, help="PLOVER type, e.g. CONSULT.")
@click.option("--actor", help="Actor code of either participant: a country (RUS) or country+sector (RUSGOV).")
@click.option(
    "--min-reports", type=int, default=1, show_default=True, help="Only stories with this many reports."
)
@click.option("--limit", type=int, default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object a line.")
def stories(
    since: str | None,
    until: str | None,
    type_: str | None,
    actor: str | None,
    min_reports: int,
    limit: int,
    as_json: bool,
) -> None:
    """Story events, newest first: each happening once, with its number of reports (copies of an
    article are not counted again), its outlets and its first report."""
    from db.session import session_scope
    from worker.corpus.story_queries import iter_summaries, plover_record, stories_query

    shown = 0
    with session_scope() as session:
        for s in iter_summaries(session, stories_query(type_=type_, since=since, until=until, actor=actor)):
            if s.reports + s.copies < min_reports:
                continue
            if as_json:
                click.echo(json.dumps(plover_record(s), ensure_ascii=False))
            else:
                first = s.first_report or {}
                click.echo(
                    f"{s.date or '----------'}  {s.type:9} {s.actor or '-'} → {s.recipient or '-'}"
                    f"  @ {s.place or '-'}  reports {s.reports}"
                    + (f" (+{s.copies} copies)" if s.copies else "")
                    + f", outlets {len(s.outlets)}: {', '.join(s.outlets)}"
                    + f"  first: {first.get('source') or '-'} {first.get('article_id')}  [story {s.id}]"
                )
            shown += 1
            if shown >= limit:
                break
    if not shown and not as_json:
        click.echo("no stories match", err=True)
