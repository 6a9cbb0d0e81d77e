"""Operator commands: failures (list, retry, resolve, dismiss, import-spool), reprocess, db."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from worker.settings import get_settings


@click.group()
def failures() -> None:
    """Inspect and re-drive work that failed (Khabar's dead-letter table)."""


@failures.command("list")
@click.option("--stage", help="Only failures of this stage (validate, enqueue, normalise, …).")
@click.option("--json", "as_json", is_flag=True)
@click.option("--show-payload", is_flag=True, help="Also print the (truncated) input that failed.")
@click.option(
    "--limit",
    default=100,
    show_default=True,
    type=click.IntRange(min=0),
    help="Show the oldest N open failures (0: every one); the rest are counted.",
)
def failures_list(stage: str | None, as_json: bool, show_payload: bool, limit: int) -> None:
    """Open failures, oldest first: stage, error, attempts, what to retry."""
    from db.session import session_scope
    from db.store import open_failure_counts, open_failures

    with session_scope() as session:
        rows = open_failures(session, stage=stage, limit=limit or None, with_payload=show_payload)
        for f in rows:
            rec = {
                "id": f.id,
                "stage": f.stage,
                "article_id": f.article_id,
                "error_class": f.error_class,
                "error": f.error,
                "payload_ref": f.payload_ref,
                "attempts": f.attempts,
                "first_at": f.first_at.isoformat(),
                "last_at": f.last_at.isoformat(),
            }
            if show_payload:
                rec["payload"] = f.payload
            if as_json:
                click.echo(json.dumps(rec, ensure_ascii=False))
            else:
                target = f.article_id or f.payload_ref
                click.echo(
                    f"#{f.id} {f.stage:9} {target}  {f.error_class}: {f.error[:160]}  (attempts {f.attempts})"
                )
                if show_payload:
                    click.echo(f"    payload: {f.payload if f.payload is not None else '(none kept)'}")
        if not rows and not as_json:
            click.echo("no open failures")
        if limit and len(rows) == limit:
            counts = open_failure_counts(session)
            more = (counts.get(stage, 0) if stage else sum(counts.values())) - limit
            if more > 0:
                click.echo(f"… and {more} more open failure(s): --limit 0 lists every one", err=True)


@failures.command("retry")
@click.option("--stage", help="Only failures of this stage.")
@click.option("--id", "ref", help="Only this failure id or article id.")
@click.option("--in-process", is_flag=True, help="Run the steps here instead of sending them to workers.")
def failures_retry(stage: str | None, ref: str | None, in_process: bool) -> None:
    """Re-drive failed articles from the step that failed (enqueue failures: from the start).

    Input that failed validation cannot be retried as it is: fix it and enqueue it again.
    """
    from sqlalchemy import update

    from db.models import Article
    from db.session import session_scope
    from db.store import open_failures
    from worker.producer import EnqueueReport, send
    from worker.steps import STEPS, run_in_process

    s = get_settings()
    with session_scope() as session:
        targets = [(f.article_id, f.stage) for f in open_failures(session, stage=stage, ref=ref)]
    skipped = [t for t in targets if t[0] is None]
    targets = list(dict.fromkeys(t for t in targets if t[0] is not None))
    for article_id, _ in targets:
        with session_scope() as session:
            session.execute(
                update(Article).where(Article.id == article_id).values(status="queued", deliveries=0)
            )
    report = EnqueueReport()
    done = 0
    for article_id, failed_stage in targets:
        start = failed_stage if failed_stage in STEPS else STEPS[0]
        if in_process:
            done += run_in_process(article_id, s, start=start)
        else:
            send([article_id], s, report, start=start)
    click.echo(f"re-driven {len(targets)} article(s)" + (f", {done} done" if in_process else ""))
    if skipped:
        click.echo(
            f"{len(skipped)} input failure(s) need corrected input: see `khabar failures list --stage validate`"
        )
    if report.not_enqueued:
        for article_id, error in report.not_enqueued:
            click.echo(f"  not enqueued {article_id}: {error}", err=True)
        sys.exit(1)


def _close(resolution: str, ids: tuple[int, ...], refs: tuple[str, ...], stage: str | None, everything: bool):
    from db.models import Failure
    from db.session import session_scope
    from db.store import close_failures, find_article, open_failures

    if not (ids or refs or stage or everything):
        raise click.UsageError("say which failures: IDs, --ref, --stage, or --all")
    with session_scope() as session:
        rows: list[Failure] = list(open_failures(session, stage=stage))
        if ids or refs:
            articles = {a.id for a in (find_article(session, r) for r in refs) if a is not None}
            # A reference is what `failures list` shows: an article (Khabar or producer id), or
            # the input (file, file:line, redis:list#hash) that failed validation.
            rows = [
                f
                for f in rows
                if f.id in ids or f.article_id in articles or any(_names(r, f.payload_ref) for r in refs)
            ]
        closed = close_failures(session, [f.id for f in rows], resolution)
    if not closed:
        click.echo("no open failure matches", err=True)
        sys.exit(1)
    click.echo(f"{resolution} {closed} failure(s)")


def _names(ref: str, payload_ref: str | None) -> bool:
    """A reference names an input itself or a whole file / list: f.jsonl names f.jsonl:3,
    f.json names f.json#2, redis:khabar:incoming names redis:khabar:incoming#<hash>."""
    return bool(payload_ref) and (payload_ref == ref or payload_ref.startswith((ref + ":", ref + "#")))


def _close_options(f):
    f = click.argument("ids", nargs=-1, type=int)(f)
    f = click.option(
        "--ref", "refs", multiple=True, help="An article id, producer id, file, file:line or redis ref."
    )(f)
    f = click.option("--stage", help="Every open failure of this stage.")(f)
    return click.option("--all", "everything", is_flag=True, help="Every open failure.")(f)


@failures.command("resolve")
@_close_options
def failures_resolve(ids, refs, stage, everything) -> None:
    """Close failures that have been dealt with (e.g. the input was corrected and sent again).

    IDs are the numbers `failures list` shows. Closed failures leave `failures list`, `status` and
    khabar_open_failures; one that happens again is opened again.
    """
    _close("resolved", ids, refs, stage, everything)


@failures.command("dismiss")
@_close_options
def failures_dismiss(ids, refs, stage, everything) -> None:
    """Close failures that will not be dealt with (e.g. junk input). Selected as for resolve."""
    _close("dismissed", ids, refs, stage, everything)


@failures.command("import-spool")
@click.argument("path", required=False)
def failures_import_spool(path: str | None) -> None:
    """Move failures spooled to a file while the database was down into the failures table."""
    from db.session import session_scope
    from db.store import record_failure, set_status

    spool = Path(path or get_settings().spool_path)
    if not spool.exists():
        click.echo(f"no spool file at {spool}")
        return
    records = [json.loads(line) for line in spool.read_text(encoding="utf-8").splitlines() if line.strip()]
    with session_scope() as session:
        for r in records:
            record_failure(
                session,
                key=f"article:{r['article_id']}:{r['stage']}",
                stage=r["stage"],
                error=f"{r['error_class']}: {r['error']}",
                article_id=r["article_id"],
                payload_ref=f"article:{r['article_id']}",
                attempts=r.get("attempts", 1),
            )
            set_status(session, r["article_id"], "failed")
    spool.rename(spool.with_suffix(spool.suffix + ".imported"))
    click.echo(f"imported {len(records)} failure(s)")


# Articles claimed and sent per transaction by `reprocess`.
REPROCESS_BATCH = 1000


@click.command()
@click.option("--version", "version", required=True, help="The extractor version label for the new results.")
@click.option(
    "--id",
    "ids",
    multiple=True,
    help="Only these articles, by Khabar or producer id (repeatable); default all done/failed.",
)
@click.option("--in-process", is_flag=True, help="Run the steps here instead of sending them to workers.")
def reprocess(version: str, ids: tuple[str, ...], in_process: bool) -> None:
    """Run the pipeline again for articles, with results stored under VERSION.

    Results of earlier versions stay in the database (queryable by their extractor_version);
    `show`, `events` and `export` read each article's current version.
    """
    from db.session import session_scope
    from db.store import claim_for_reprocess, find_article
    from worker.producer import EnqueueReport, send
    from worker.steps import run_in_process

    s = get_settings()
    unknown: list[str] = []
    only: list[str] = []
    if ids:
        with session_scope() as session:
            # Like `show`: an id is Khabar's or the producer's.
            found = {ref: find_article(session, ref) for ref in ids}
        unknown = [ref for ref, a in found.items() if a is None]
        only = [a.id for a in found.values() if a is not None]
    for ref in unknown:
        click.echo(f"no article {ref!r} (neither a Khabar id nor a producer id)", err=True)
    report = EnqueueReport()
    claimed = done = 0
    after = ""
    while only or not ids:
        with session_scope() as session:
            batch = claim_for_reprocess(session, version, after, REPROCESS_BATCH, only)
        if not batch:
            break
        after = batch[-1]
        claimed += len(batch)
        if in_process:
            with click.progressbar(
                batch, label="reprocessing", file=sys.stderr, hidden=not sys.stderr.isatty()
            ) as bar:
                done += sum(run_in_process(a, s) for a in bar)
        else:
            send(batch, s, report)
    if not claimed:
        click.echo(
            f"nothing to reprocess: no {'such ' if ids else 'done or failed '}article is on another version than {version}"
        )
    elif in_process:
        click.echo(f"reprocessed {claimed} article(s) as {version}: {done} done")
    else:
        click.echo(f"sent {claimed - len(report.not_enqueued)} article(s) for reprocessing as {version}")
    if report.not_enqueued or unknown:
        sys.exit(1)


@click.group()
def db() -> None:
    """Database schema (Alembic)."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True)
def db_upgrade(revision: str) -> None:
    """Create or migrate the schema of KHABAR_DATABASE_URL."""
    from db.migrate import upgrade

    upgrade(get_settings().database_url, revision)
    click.echo("database at " + revision)


@db.command("check")
def db_check() -> None:
    """Fail when the models and the migrations disagree."""
    from db.migrate import check

    check(get_settings().database_url)
    click.echo("models and migrations agree")


@click.command()
@click.option(
    "--older-than",
    default=600.0,
    show_default=True,
    help="Seconds without progress before an article counts as stalled.",
)
@click.option("--every", type=float, default=None, help="Keep running, sweeping every this many seconds.")
@click.option(
    "--limit", default=10_000, show_default=True, help="Most stalled articles looked at in one sweep."
)
def recover(older_than: float, every: float | None, limit: int) -> None:
    """Re-send articles whose message the broker lost: still queued or processing, no progress
    for a while, and no message for them waiting in the broker or held by a worker.

    The database, not the broker, is the record of what was accepted. A message can still vanish
    in the broker (Redis killed between handing a message to a worker and recording it as
    unacknowledged); this sweep re-drives such articles from their first step not done. An
    article merely waiting behind a backlog is left alone: its message is still in the broker.
    """
    import time

    from worker.recovery import sweep

    while True:
        report = sweep(older_than, limit=limit)
        for article_id, error in report.not_sent:
            click.echo(f"  not re-sent {article_id}: {error}", err=True)
        click.echo(
            f"re-sent {len(report.resent)} stalled article(s); {report.waiting} of {report.stalled} "
            "stalled still have a message in the broker"
            + ("; broker unreadable, nothing re-sent" if report.broker_unreadable else ""),
            err=True,
        )
        if every is None:
            if report.not_sent:
                sys.exit(1)
            return
        time.sleep(every)
