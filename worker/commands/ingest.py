"""Commands that bring articles in: enqueue, worker, extract, demo."""

from __future__ import annotations

import json
import sys
import time
from datetime import datetime
from pathlib import Path

import click

from worker.settings import get_settings

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def _print_report(report, out_err: bool = False) -> None:
    click.echo(
        f"accepted {len(report.accepted)}, duplicates {len(report.duplicates)}, "
        f"invalid {len(report.invalid)}, not enqueued {len(report.not_enqueued)}"
        + (f", unreadable {len(report.unreadable)}" if report.unreadable else ""),
        err=out_err,
    )
    for path, reason in report.unreadable:
        click.echo(f"  unreadable  {path}: {reason}", err=True)
    for ref, reason in report.invalid:
        click.echo(f"  invalid  {ref}: {reason}", err=True)
    for article_id, error in report.not_enqueued:
        click.echo(f"  not enqueued {article_id}: {error}", err=True)
    if report.not_enqueued:
        click.echo(
            "  (these are stored and queued; re-send them with `khabar failures retry --stage enqueue`)",
            err=True,
        )


def read_inputs(paths: tuple[str, ...], report=None, defaults: dict[str, str] | None = None):
    """The items of every path (folders expanded). With a ``report``, a path that cannot be read
    or holds nothing is listed in it and the other paths still go in; without one it is an error."""
    from worker.messages import InvalidArticle, input_files, read_path

    stdin = sys.stdin.buffer.read() if "-" in paths else None
    for given in paths:
        files = input_files(given)
        if not files and report is not None:
            report.unreadable.append((given, "folder holds no .jsonl, .ndjson, .json, .txt or .html file"))
        for path in files:
            n = 0
            try:
                for item in read_path(path, stdin, defaults):
                    n += 1
                    yield item
            except (InvalidArticle, OSError) as exc:
                reason = exc.reason if isinstance(exc, InvalidArticle) else (exc.strerror or str(exc))
                if report is None:
                    raise click.BadParameter(f"{path}: {reason}", param_hint="PATH") from exc
                report.unreadable.append((path, reason))
                continue
            if n == 0 and report is not None:
                report.unreadable.append((path, "no articles in it (empty input)"))


def wait_for(article_ids: list[str], timeout: float, show_progress: bool = True) -> dict[str, int]:
    """Poll the database until every article is done or failed; a progress bar on stderr
    (only on a terminal: a log file gets no half-drawn lines)."""
    from sqlalchemy import func, select

    from db.models import Article
    from db.session import session_scope

    deadline = time.monotonic() + timeout
    total = len(article_ids)
    finished = 0
    with click.progressbar(
        length=total,
        label="processing",
        file=sys.stderr,
        show_pos=True,
        hidden=not show_progress or not sys.stderr.isatty(),
    ) as bar:
        while True:
            with session_scope() as session:
                counts = dict(
                    session.execute(
                        select(Article.status, func.count())
                        .where(Article.id.in_(article_ids))
                        .group_by(Article.status)
                    ).all()
                )
            now_finished = counts.get("done", 0) + counts.get("failed", 0)
            bar.update(now_finished - finished)
            finished = now_finished
            if finished >= total or time.monotonic() > deadline:
                return counts
            time.sleep(0.5)


def _print_failed(accepted: list[tuple[str, str]]) -> None:
    """Why each failed article failed, with the input it came from: `--wait` said only how many."""
    from db.session import session_scope
    from db.store import open_failures

    with session_scope() as session:
        for ref, article_id in accepted:
            for f in open_failures(session, ref=article_id):
                click.echo(f"  failed  {ref} ({article_id}): {f.stage}: {f.error[:300]}", err=True)


def _timed_out(counts: dict[str, int], timeout: float) -> str:
    waiting = counts.get("queued", 0) + counts.get("processing", 0)
    line = f"timed out after {timeout:g}s: {waiting} article(s) not finished"
    if not counts.get("processing") and not counts.get("done") and not counts.get("failed"):
        queue = get_settings().queue
        line += f"; no worker seems to be consuming queue {queue!r} (start one with `khabar worker`)"
    return line


@click.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--wait", is_flag=True, help="Follow progress until every accepted article is done or failed.")
@click.option("--timeout", default=600.0, show_default=True, help="Seconds --wait waits at most.")
@click.option("--ids", is_flag=True, help="Print the id of every article stored (ID<TAB>input) on stdout.")
@click.option(
    "--published-at",
    type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"]),
    help="Publication time of .txt/.html inputs that do not give one (relative dates resolve against it).",
)
@click.option("--source", help="Outlet name for .txt/.html inputs that do not give one.")
def enqueue(
    paths: tuple[str, ...], wait: bool, timeout: float, ids: bool, published_at, source: str | None
) -> None:
    """Validate, store and enqueue articles from PATHS.

    PATHS are .jsonl/.ndjson files (one article message a line, see README), .json files (one
    object or a list), .txt files (first line the headline, the rest the body), .html files (title,
    article:published_time and canonical URL taken from the page), folders of these, or - for
    JSONL on stdin. A .txt or .html file's id is its path as given. Invalid messages are reported
    with file and line and recorded in `khabar failures list`; a path that is missing or empty is
    reported and the others still go in; the exit status is then 1. Duplicates (same content) are
    stored once.
    """
    from worker.producer import EnqueueReport
    from worker.producer import enqueue as do_enqueue

    defaults = {"published_at": published_at.isoformat() if published_at else "", "source": source or ""}
    report = EnqueueReport()
    report = do_enqueue(read_inputs(paths, report, defaults), report=report)
    _print_report(report, out_err=ids)
    if ids:
        for ref, article_id in [*report.accepted, *report.duplicates]:
            click.echo(f"{article_id}\t{ref}")
    if wait and report.accepted:
        article_ids = [article_id for _, article_id in report.accepted]
        counts = wait_for(article_ids, timeout)
        click.echo("  ".join(f"{k} {v}" for k, v in sorted(counts.items())), err=ids)
        if counts.get("done", 0) + counts.get("failed", 0) < len(article_ids):
            click.echo(_timed_out(counts, timeout), err=True)
            sys.exit(1)
        if counts.get("failed"):
            _print_failed(report.accepted)
            sys.exit(1)
    if not report.ok:
        sys.exit(1)


def _check_schema(url: str) -> None:
    """A worker on an unmigrated database would fail every article: refuse to start. A database
    that cannot be reached yet is only warned about (tasks retry until it is back)."""
    import sqlalchemy.exc

    from db.migrate import schema_behind
    from worker.settings import mask_url

    try:
        problem = schema_behind(url)
    except sqlalchemy.exc.OperationalError as exc:
        click.echo(
            f"warning: cannot reach the database {mask_url(url)} yet: {str(exc.orig).strip()}", err=True
        )
        return
    if problem:
        raise click.ClickException(f"refusing to start: {mask_url(url)}: {problem}")


@click.command(context_settings={"ignore_unknown_options": True})
@click.option("--concurrency", "-c", default=None, type=int, help="Worker processes (default: CPU count).")
@click.option("--loglevel", default="INFO", show_default=True)
@click.argument("celery_args", nargs=-1, type=click.UNPROCESSED)
def worker(concurrency: int | None, loglevel: str, celery_args: tuple[str, ...]) -> None:
    """Start a Celery worker for Khabar's queues, with task events on (for Flower).

    Same as `celery -A worker.app worker -Q <KHABAR_QUEUE>.continue,<KHABAR_QUEUE> -E`: the later
    steps of articles in progress are served before new articles. Extra arguments go to Celery.
    """
    from worker.settings import mask_url

    s = get_settings()
    refusal = s.worker_refusal()
    if refusal and not s.allow_sqlite_worker:
        raise click.ClickException(refusal)
    _check_schema(s.database_url)
    # Named at start-up: a worker on the wrong database looked healthy while articles piled up.
    click.echo(
        f"khabar worker: database {mask_url(s.database_url)}, broker {mask_url(s.broker_url)}, "
        f"queues {', '.join(s.worker_queues)}",
        err=True,
    )
    from worker.app import app

    argv = ["worker", "-Q", ",".join(get_settings().worker_queues), "-E", f"--loglevel={loglevel}"]
    if concurrency:
        argv.append(f"--concurrency={concurrency}")
    app.worker_main([*argv, *celery_args])


@click.command()
@click.option(
    "--omit-modal", is_flag=True, help="Leave out negated, future, hypothetical and conditional events."
)
@click.option(
    "--omit-refers-back",
    is_flag=True,
    help="Leave out mentions that only refer back to (or give as background) a happening reported "
    "elsewhere: only new, specific reports remain (the GSR sentence-detection policy).",
)
@click.option(
    "--reference-date",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help='The day relative dates ("أمس") of articles without published_at resolve against '
    "[default: today, so give it for output that does not change from day to day].",
)
def extract(omit_modal: bool, omit_refers_back: bool, reference_date) -> None:
    """Read article messages (JSONL) on stdin, write extraction results (SCHEMA.md §3) on stdout.

    Runs every stage in this process: no broker, no database. One output line per input line, in
    order; a line that cannot be processed gives {"id", "error"} and the exit status 1.
    """
    from worker.messages import InvalidArticle, validate
    from worker.stages.document import Document
    from worker.stages.output import to_output
    from worker.stages.pipeline import run_all
    from worker.stages.text.normalise import BrokenText, UnsupportedLanguage

    s = get_settings()
    day = (reference_date or datetime.now()).date().isoformat()
    config = s.stage_config(reference_date=day)
    errors = 0
    for n, line in enumerate(sys.stdin.buffer, 1):
        if not line.strip():
            continue
        article_id = None
        try:
            article = validate(line, f"<stdin>:{n}", s.max_body_bytes)
            msg = article.message
            article_id = msg.id or "a" + article.content_hash[:23]
            doc = Document.from_article(
                article_id,
                article.title,
                article.body,
                published_at=msg.published_at.isoformat() if msg.published_at else None,
                source=msg.source,
                url=msg.url,
                content_hash=article.content_hash,
            )
            out = to_output(
                run_all(doc, config=config),
                include_modal=not omit_modal,
                include_refers_back=not omit_refers_back,
            )
        except (InvalidArticle, UnsupportedLanguage, BrokenText) as exc:
            errors += 1
            click.echo(f"line {n}: {exc}", err=True)
            out = {"id": article_id, "error": str(exc), "entities": [], "events": []}
        sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
    sys.stdout.flush()
    if errors:
        sys.exit(1)


def in_process(ids, settings, report) -> None:
    """The producer's dispatch for the embedded mode: every step of each article in this process."""
    from worker.steps import run_in_process

    with click.progressbar(ids, label="extracting", file=sys.stderr, hidden=not sys.stderr.isatty()) as bar:
        for article_id in bar:
            run_in_process(article_id, settings)


@click.command()
@click.option(
    "--seeds",
    "seeds_dir",
    type=click.Path(exists=True, file_okay=False),
    default=str(SEEDS),
    show_default=True,
    help="Folder of sample articles (.txt, .json, .jsonl).",
)
def demo(seeds_dir: str) -> None:
    """Process the sample articles in this process and print what Khabar found.

    The embedded default: the database is KHABAR_DATABASE_URL (a SQLite file, khabar.db, unless
    set), created and migrated if needed; no broker, no Postgres, no worker.
    """
    from db.migrate import upgrade
    from worker.commands.query import print_article
    from worker.producer import enqueue as do_enqueue

    s = get_settings()
    upgrade(s.database_url)
    paths = sorted(str(p) for p in Path(seeds_dir).iterdir() if p.suffix in (".txt", ".json", ".jsonl"))
    report = do_enqueue(read_inputs(tuple(paths)), s, dispatch=in_process)
    _print_report(report)
    for _, article_id in [*report.accepted, *report.duplicates]:
        click.echo("")
        print_article(article_id)
