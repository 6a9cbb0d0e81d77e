"""`khabar export --format dyads|plover`: story events for event-data users (see README,
"Exports for event-data users")."""

from __future__ import annotations

import csv
import json

import click

DYAD_COLUMNS = ["date", "actor_code", "recipient_code", "plover_type", "mode", "story_events", "reports"]


def write_stories(
    fh, fmt: str, type_=None, since=None, until=None, participant=None, place=None, **_
) -> None:
    """Write the story events of the filters as dyad counts (CSV) or PLOVER records (JSONL). The
    mention-level filters (participant, place, modality, confidence) do not apply to stories."""
    from db.session import session_scope
    from worker.corpus.story_queries import dyad_rows, iter_summaries, plover_record, stories_query

    if participant or place:
        raise click.UsageError(
            "--participant and --place filter event mentions; story exports take --type, --since, --until"
        )
    with session_scope() as session:
        items = iter_summaries(session, stories_query(type_=type_, since=since, until=until))
        if fmt == "dyads":
            writer = csv.DictWriter(fh, fieldnames=DYAD_COLUMNS)
            writer.writeheader()
            writer.writerows(dyad_rows(items))
            return
        for s in items:
            fh.write(json.dumps(plover_record(s), ensure_ascii=False) + "\n")
