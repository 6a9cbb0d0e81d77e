"""``khabar soak``: real articles through the real pipeline while workers are killed.

Real Postgres (a database it creates, or ``--database-url``), real Redis (a private queue on
``--broker-url``), real worker subprocesses; one worker is SIGKILLed and replaced every
``--kill-every`` finished articles. At the end it audits the database: accepted, done, failed (by
stage and reason), lost (accepted but neither done nor failed with a failure row: must be 0) and
duplicated rows (result rows beyond what the stage output holds: must be 0). The exit status is 1
when anything is lost or duplicated.

``audit`` is also used by the fault tests.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import zipfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import click

from worker.supervise import WorkerProcess

ROOT = Path(__file__).resolve().parents[2]


# --- the audit ----------------------------------------------------------------------------------


def audit(session, article_ids: list[str] | None = None) -> dict:
    """Where every article stands, and whether any result row is duplicated.

    lost: articles that are neither ``done`` nor ``failed`` with an open failure row.
    duplicated: result rows beyond the distinct items the store step counted in the document it
    wrote from (mentions by span, events by type and trigger start, attributions by start), plus
    ``stage_runs`` repeated for one (article, stage, version); missing: the opposite.
    """
    from sqlalchemy import func, select

    from db.models import Article, Attribution, Event, Failure, Mention, StageRun

    q = select(Article.id, Article.status, Article.extractor_version)
    if article_ids is not None:
        q = q.where(Article.id.in_(article_ids))
    articles = session.execute(q).all()
    ids = [a.id for a in articles]
    status = Counter(a.status for a in articles)
    open_failures = {
        f.article_id: f
        for f in session.scalars(
            select(Failure).where(Failure.resolved_at.is_(None), Failure.article_id.is_not(None))
        )
    }
    failed_by_reason = Counter(
        f"{open_failures[a.id].stage}: {open_failures[a.id].error_class}"
        for a in articles
        if a.status == "failed" and a.id in open_failures
    )
    lost = [
        a.id for a in articles if not (a.status == "done" or (a.status == "failed" and a.id in open_failures))
    ]

    def per_article(model, version_col) -> dict[str, int]:
        rows = session.execute(
            select(model.article_id, func.count())
            .join(Article, Article.id == model.article_id)
            .where(version_col == Article.extractor_version)
            .group_by(model.article_id)
        ).all()
        return dict(rows)

    mentions = per_article(Mention, Mention.extractor_version)
    events = per_article(Event, Event.extractor_version)
    attributions = per_article(Attribution, Attribution.extractor_version)
    outputs = dict(
        session.execute(
            select(StageRun.article_id, StageRun.output)
            .join(Article, Article.id == StageRun.article_id)
            .where(StageRun.stage == "store", StageRun.extractor_version == Article.extractor_version)
        ).all()
    )
    duplicated = missing = 0
    wanted = set(ids)
    for a in articles:
        if a.status != "done" or a.id not in wanted:
            continue
        counted = outputs.get(a.id) or {}
        expected = {k: counted.get(k, 0) for k in ("mentions", "events", "attributions")}
        actual = {
            "mentions": mentions.get(a.id, 0),
            "events": events.get(a.id, 0),
            "attributions": attributions.get(a.id, 0),
        }
        for k in expected:
            duplicated += max(0, actual[k] - expected[k])
            missing += max(0, expected[k] - actual[k])
    repeated_runs = session.scalar(
        select(func.count()).select_from(
            select(StageRun.article_id)
            .group_by(StageRun.article_id, StageRun.stage, StageRun.extractor_version)
            .having(func.count() > 1)
            .subquery()
        )
    )
    return {
        "articles": len(articles),
        "status": dict(status),
        "done": status.get("done", 0),
        "failed": sum(failed_by_reason.values()),
        "failed_by_reason": dict(failed_by_reason),
        "lost": len(lost),
        "lost_ids": lost[:20],
        "duplicated": duplicated + (repeated_runs or 0),
        "missing": missing,
    }


# --- reading the corpus -------------------------------------------------------------------------


def read_corpus(path: str, limit: int | None) -> Iterator:
    """SaudiNewsNet-style input: a folder of daily zips (or one zip, or a .json file) holding JSON
    arrays of {source, url, date_extracted, title, author, content}; read in name order."""
    from worker.messages import RawItem

    p = Path(path)
    files = sorted(p.iterdir()) if p.is_dir() else [p]
    n = 0
    for f in files:
        if f.suffix == ".zip":
            with zipfile.ZipFile(f) as z:
                members = [(f"{f.name}/{m}", z.read(m)) for m in sorted(z.namelist()) if m.endswith(".json")]
        elif f.suffix == ".json":
            members = [(f.name, f.read_bytes())]
        else:
            continue
        for name, data in members:
            for i, rec in enumerate(json.loads(data.decode("utf-8")), 1):
                if limit is not None and n >= limit:
                    return
                n += 1
                published = (rec.get("date_extracted") or "").replace(" ", "T") or None
                yield RawItem(
                    f"{name}#{i}",
                    {
                        "id": rec.get("url") or f"{name}#{i}",
                        "title": rec.get("title"),
                        "body": rec.get("content") or "",
                        "url": rec.get("url"),
                        "source": rec.get("source"),
                        "published_at": published,
                    },
                )


# --- workers ------------------------------------------------------------------------------------


# --- the command --------------------------------------------------------------------------------


@click.command()
@click.option(
    "--articles",
    "articles_path",
    required=True,
    type=click.Path(exists=True),
    help="Folder of daily zips of JSON arrays (SaudiNewsNet), a zip, or a .json file.",
)
@click.option(
    "--workers", default=2, show_default=True, help="Worker processes (each its own Celery worker)."
)
@click.option("--concurrency", default=1, show_default=True, help="Pool processes per worker.")
@click.option(
    "--kill-every",
    default=200,
    show_default=True,
    help="SIGKILL one worker (its whole process group) and start a new one every N articles' worth of "
    "steps (N × one stage run per stage); 0 never.",
)
@click.option("--limit", type=int, default=None, help="Only the first N articles.")
@click.option(
    "--database-url", default=None, help="Use this database (migrated); default: create one and drop it."
)
@click.option(
    "--admin-url",
    default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
    show_default=True,
    help="Postgres server where the soak database is created.",
)
@click.option(
    "--broker-url",
    default=None,
    help="Redis URL; default: a private redis-server on a free port. Not a shared Redis database: "
    "kombu's unacked-message sweep with this run's short visibility timeout covers every queue of it.",
)
@click.option(
    "--visibility-timeout",
    default=30,
    show_default=True,
    help="Seconds before a killed worker's message is redelivered; task time limits are set below it.",
)
@click.option(
    "--stall", default=180.0, show_default=True, help="Give up after this many seconds without progress."
)
@click.option(
    "--recover-every",
    default=0.0,
    show_default=True,
    help="Run `khabar recover --every S` beside the workers (0: no sweep), as production does.",
)
@click.option(
    "--recover-older-than",
    default=60.0,
    show_default=True,
    help="The sweep's --older-than: far below the backlog's wait, so a sweep that copied waiting "
    "articles would show.",
)
@click.option("--keep", is_flag=True, help="Keep the database it created (its URL is printed).")
def soak(
    articles_path: str,
    workers: int,
    concurrency: int,
    kill_every: int,
    limit: int | None,
    database_url: str | None,
    admin_url: str,
    broker_url: str | None,
    visibility_timeout: int,
    stall: float,
    recover_every: float,
    recover_older_than: float,
    keep: bool,
) -> None:
    """Feed ARTICLES through the real pipeline while killing workers; audit what came out.

    Prints progress, then accepted, done, failed (by stage and reason), lost and duplicated
    (both must be 0: the exit status is 1 otherwise) and articles per second.
    """
    from sqlalchemy import create_engine, func, select, text
    from sqlalchemy.engine import make_url

    from db.migrate import upgrade
    from db.models import Article, StageRun
    from db.session import reset_engines, session_scope
    from worker.settings import get_settings
    from worker.steps import STEPS

    run_id = uuid.uuid4().hex[:8]
    created_db = None
    if database_url is None:
        created_db = f"khabar_soak_{run_id}"
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{created_db}"'))
        admin.dispose()
        database_url = make_url(admin_url).set(database=created_db).render_as_string(hide_password=False)
    upgrade(database_url)
    private_redis = None
    if broker_url is None:
        private_redis, broker_url = _start_redis()
    queue = f"khabar-soak-{run_id}"
    overrides = {
        "KHABAR_DATABASE_URL": database_url,
        "KHABAR_BROKER_URL": broker_url,
        "KHABAR_QUEUE": queue,
        "KHABAR_VISIBILITY_TIMEOUT": str(visibility_timeout),
        "KHABAR_UNACKED_RESTORE_INTERVAL": str(max(1, visibility_timeout // 10)),
        "KHABAR_TASK_SOFT_TIME_LIMIT": str(max(2, visibility_timeout * 2 // 3)),
        "KHABAR_TASK_TIME_LIMIT": str(max(3, visibility_timeout * 5 // 6)),
        "KHABAR_RETRY_BACKOFF_MAX": str(max(1, visibility_timeout // 6)),
    }
    os.environ.update(overrides)
    get_settings.cache_clear()
    reset_engines()
    from worker.app import app, configure

    configure(app, get_settings())
    env = {k: v for k, v in os.environ.items() if not k.startswith("KHABAR_TEST_")}
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    log_dir = Path(tempfile.mkdtemp(prefix="khabar-soak-"))
    click.echo(f"soak {run_id}: database {make_url(database_url).database}, queue {queue}, logs {log_dir}")

    pool: list[WorkerProcess] = []
    started = 0

    def start_worker() -> None:
        nonlocal started
        pool.append(
            WorkerProcess(env, log_dir / f"worker{started}.log", concurrency, f"soak{started}", "WARNING")
        )
        started += 1

    for _ in range(workers):
        start_worker()
    sweeper = None
    if recover_every:
        sweeper = subprocess.Popen(
            [sys.executable, "-m", "worker.cli", "recover", "--every", str(recover_every),
             "--older-than", str(recover_older_than)],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=(log_dir / "recover.log").open("wb"),
        )  # fmt: skip

    from worker.producer import EnqueueReport, send, store_items

    report = EnqueueReport()
    producing = {"done": False, "read": 0, "error": None}

    def produce() -> None:
        try:
            batch = []
            for item in read_corpus(articles_path, limit):
                batch.append(item)
                producing["read"] += 1
                if len(batch) == 100:
                    send(store_items(batch, get_settings(), report), get_settings(), report)
                    batch = []
            if batch:
                send(store_items(batch, get_settings(), report), get_settings(), report)
        except Exception as exc:  # noqa: BLE001 - reported below
            producing["error"] = f"{type(exc).__name__}: {exc}"
        finally:
            producing["done"] = True

    t0 = time.monotonic()
    producer = threading.Thread(target=produce, name="soak-producer", daemon=True)
    producer.start()

    kills = 0
    steps_per_article = len(STEPS)
    next_kill = kill_every or None
    last_runs, last_change, last_print = -1, time.monotonic(), 0.0
    interrupted = False
    try:
        while True:
            time.sleep(1)
            with session_scope() as session:
                counts = dict(
                    session.execute(select(Article.status, func.count()).group_by(Article.status)).all()
                )
                runs = session.scalar(select(func.count()).select_from(StageRun)) or 0
            finished = counts.get("done", 0) + counts.get("failed", 0)
            accepted = len(report.accepted)
            now = time.monotonic()
            # Progress is counted in steps, which also moves while a worker is being restarted.
            if runs + finished != last_runs:
                last_runs, last_change = runs + finished, now
            if now - last_print >= 10:
                last_print = now
                click.echo(
                    f"[{now - t0:6.0f}s] read {producing['read']}, accepted {accepted}, steps run {runs}, "
                    f"done {counts.get('done', 0)}, failed {counts.get('failed', 0)}, "
                    f"in flight {accepted - finished}, kills {kills}, "
                    f"{runs / steps_per_article / (now - t0):.1f} articles/s (steps/{steps_per_article})",
                    err=True,
                )
            if next_kill is not None and runs >= next_kill * steps_per_article:
                victim = pool.pop(0)
                victim.kill()
                kills += 1
                click.echo(f"[{now - t0:6.0f}s] SIGKILL worker {victim.proc.pid}; starting another", err=True)
                start_worker()
                next_kill += kill_every
            if producing["done"] and finished >= accepted:
                break
            if now - last_change > stall:
                click.echo(f"no progress for {stall:.0f}s: stopping", err=True)
                break
    except KeyboardInterrupt:
        interrupted = True
    finally:
        elapsed = time.monotonic() - t0
        for w in pool:
            w.stop()
        if sweeper is not None:
            sweeper.terminate()
            sweeper.wait(30)
    if producing["error"]:
        click.echo(f"producer error: {producing['error']}", err=True)

    ids = [a for _, a in report.accepted]
    with session_scope() as session:
        result = audit(session, ids)
    click.echo("")
    click.echo(
        f"read {producing['read']}, accepted {len(ids)}, duplicates (same content) {len(report.duplicates)}, "
        f"invalid {len(report.invalid)}, not enqueued {len(report.not_enqueued)}"
    )
    click.echo(f"workers killed (SIGKILL) {kills}, started {started}, elapsed {elapsed:.0f}s")
    if sweeper is not None:
        sweeps = (log_dir / "recover.log").read_text(errors="replace").splitlines()
        resent = sum(int(m.group(1)) for m in map(re.compile(r"^re-sent (\d+) ").match, sweeps) if m)
        click.echo(f"recovery sweeps {sum(line.startswith('re-sent') for line in sweeps)}, re-sent {resent}")
    click.echo(f"done {result['done']}")
    click.echo(f"failed {result['failed']}")
    for reason, n in sorted(result["failed_by_reason"].items(), key=lambda kv: -kv[1]):
        click.echo(f"  {reason}: {n}")
    if report.invalid:
        for reason, n in Counter(r.split(" of ")[0] for _, r in report.invalid).most_common():
            click.echo(f"  refused at validation: {reason}: {n}")
    click.echo(
        f"lost {result['lost']}" + (f"  e.g. {', '.join(result['lost_ids'][:5])}" if result["lost"] else "")
    )
    click.echo(f"duplicated rows {result['duplicated']}  (missing rows {result['missing']})")
    click.echo(f"throughput {result['done'] / elapsed:.1f} articles/s")
    if created_db and not keep:
        reset_engines()
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{created_db}" WITH (FORCE)'))
        admin.dispose()
    elif created_db:
        click.echo(f"database kept: {database_url}")
    if private_redis is not None:
        private_redis.terminate()
        private_redis.wait(15)
    else:
        _drop_queue(broker_url, queue)
    if interrupted or result["lost"] or result["duplicated"] or report.not_enqueued:
        sys.exit(1)


def _start_redis() -> tuple[subprocess.Popen, str]:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    workdir = tempfile.mkdtemp(prefix="khabar-soak-redis-")
    proc = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--dir", workdir, "--appendonly", "yes"],
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return proc, f"redis://127.0.0.1:{port}/0"
        time.sleep(0.1)
    proc.kill()
    raise click.ClickException("redis-server did not start")


def _drop_queue(broker_url: str, queue: str) -> None:
    try:
        import redis

        r = redis.Redis.from_url(broker_url)
        r.delete(queue, f"{queue}.continue")
        r.delete(*[k for k in r.scan_iter(f"_kombu.binding.{queue}*")] or ["-"])
    except Exception:  # noqa: BLE001 - best effort
        pass
