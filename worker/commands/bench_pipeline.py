"""``khabar bench pipeline``: the same articles in process and through the real pipeline, side by
side.

A benchmark, not a test: it prints figures and asserts nothing. In process, P forked processes run
the pure stages, each taking the next article not yet taken (no database, no broker); through the
pipeline, P worker processes (one Celery worker each, concurrency 1) take the same articles from a
private broker (a redis-server on a free port, or a private queue on RabbitMQ) into a throw-away
Postgres database. Both clocks start once every process is warm (models loaded), so the ratio is
of steady-state throughput, and the two runs of a round are timed back to back, the pipeline's
workers started before either. ``--redelivery`` also kills a worker with SIGKILL in the middle of
a step and measures how long the broker takes to hand the step to another worker.
"""

from __future__ import annotations

import multiprocessing
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import click

from worker.supervise import WorkerProcess

ROOT = Path(__file__).resolve().parents[2]
RESULT_TABLES = ("articles", "mentions", "events", "event_arguments", "attributions", "entities")
CLK_TCK = os.sysconf("SC_CLK_TCK")


# --- reading /proc: CPU and memory of a worker's process group -------------------------------


def group_pids(*pgids: int) -> list[int]:
    """The live processes of the process groups ``pgids`` (one read of every process's stat)."""
    wanted = set(pgids)
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) in wanted:  # field 5 of stat, counted after the command name
                out.append(int(entry))
    return out


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU of the processes, plus what their reaped children used (cutime/cstime of
    their parent): a recycled pool process is still counted."""
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += sum(int(x) for x in fields[11:15])  # utime, stime, cutime, cstime
    return ticks / CLK_TCK


def peak_rss_mb(pids: list[int]) -> float:
    """The largest resident set of one of the processes (VmHWM: its peak so far)."""
    peak = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]))
        except OSError:
            continue
    return peak / 1024


def core_wait_seconds(pid: int | str = "self") -> float | None:
    """How long a process has waited, runnable, for a core (``run_delay`` of /proc/PID/schedstat):
    the part of a run that another job on the machine, or more runnable processes than cores,
    took away. None where the kernel does not keep it."""
    try:
        return int(Path(f"/proc/{pid}/schedstat").read_text().split()[1]) / 1e9
    except (OSError, IndexError, ValueError):
        return None


def core_waits(pids: list[int]) -> dict[int, float]:
    """``core_wait_seconds`` of each of the processes, by pid."""
    out = {}
    for pid in pids:
        wait = core_wait_seconds(pid)
        if wait is not None:
            out[pid] = wait
    return out


def postgres_cpu_seconds(stack: Stack) -> dict[int, float]:
    """CPU seconds of each Postgres backend serving the stack's database, by pid: Postgres shares
    the cores with the workers, so its work per article counts against the pipeline too. Empty
    when the server is not on this machine (its processes are not in /proc)."""
    from sqlalchemy import text

    from db.session import session_scope

    with session_scope() as session:
        pids = session.scalars(
            text(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid()"
            )
        ).all()
    out = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        out[pid] = (int(fields[11]) + int(fields[12])) / CLK_TCK
    return out


# --- in process --------------------------------------------------------------------------------


def _in_process_worker(docs, barrier, results, next_doc) -> None:
    from worker.settings import get_settings
    from worker.stages.pipeline import ORDER, STAGES

    config = get_settings().stage_config()

    def run(doc):
        for name in ORDER:
            doc = STAGES[name](doc, config)

    if docs:
        run(docs[0])  # loads the models, untimed
    barrier.wait()
    cpu0, wait0 = time.process_time(), core_wait_seconds()
    done = 0
    while True:
        # The next article not taken, as a worker takes the next message: with a fixed share
        # each, a process on a core slower than the other's (a busy neighbour) finished last
        # and left its partner idle (the two were busy 82-98 % of the run).
        with next_doc.get_lock():
            i = next_doc.value
            next_doc.value += 1
        if i >= len(docs):
            break
        try:
            run(docs[i])
            done += 1
        except Exception:  # noqa: BLE001, S112 - an article the pipeline would fail: not counted
            continue
    wait1 = core_wait_seconds()
    waited = wait1 - wait0 if wait0 is not None and wait1 is not None else None
    results.put((done, time.process_time() - cpu0, waited))


def run_in_process(docs: list, processes: int) -> dict:
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(processes + 1)
    results = ctx.Queue()
    next_doc = ctx.Value("l", 0)
    procs = [
        ctx.Process(target=_in_process_worker, args=(docs, barrier, results, next_doc))
        for _ in range(processes)
    ]
    for p in procs:
        p.start()
    barrier.wait()
    t0 = time.monotonic()
    got = [results.get() for _ in procs]
    wall = time.monotonic() - t0
    for p in procs:
        p.join()
    done = sum(d for d, _, _ in got)
    waits = [w for _, _, w in got]
    return {
        "done": done,
        "wall": wall,
        "cpu": sum(c for _, c, _ in got),
        "core_wait": None if None in waits else sum(waits),
    }


# --- through the pipeline ----------------------------------------------------------------------


@dataclass
class PipelineRun:
    broker: str
    batch_size: int = 1
    done: int = 0
    failed: int = 0
    wall: float = 0.0
    cpu: float = 0.0
    postgres_cpu: float | None = None  # of the backends serving the workers, when on this machine
    peak_rss_mb: float = 0.0
    core_wait: float | None = None  # seconds the worker processes waited, runnable, for a core
    stage_ms: dict[str, tuple[float, float]] = field(default_factory=dict)
    table_bytes: dict[str, int] = field(default_factory=dict)
    redelivery_s: float | None = None

    @property
    def name(self) -> str:
        return f"{self.broker}, batch {self.batch_size}"


class Stack:
    """A throw-away database, a private broker and queue, and the environment of worker
    subprocesses pointed at them."""

    def __init__(
        self,
        broker: str,
        admin_url: str,
        amqp_url: str,
        visibility_timeout: int,
        label: str,
        batch_size: int = 1,
    ):
        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import make_url

        from db.migrate import upgrade
        from worker.commands.soak import _start_redis

        self.run_id = f"{label}_{uuid.uuid4().hex[:6]}"
        self.admin_url = admin_url
        self.database = f"khabar_bench_{self.run_id}"
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{self.database}"'))
        admin.dispose()
        self.database_url = (
            make_url(admin_url).set(database=self.database).render_as_string(hide_password=False)
        )
        upgrade(self.database_url)
        self.redis = None
        if broker == "redis":
            self.redis, self.broker_url = _start_redis()
        else:
            self.broker_url = amqp_url
        self.queue = f"khabar-bench-{self.run_id}"
        self.log_dir = Path(tempfile.mkdtemp(prefix="khabar-bench-"))
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("KHABAR_TEST_")}
        self.env.update(
            KHABAR_DATABASE_URL=self.database_url,
            KHABAR_BROKER_URL=self.broker_url,
            KHABAR_QUEUE=self.queue,
            KHABAR_VISIBILITY_TIMEOUT=str(visibility_timeout),
            KHABAR_UNACKED_RESTORE_INTERVAL=str(max(1, visibility_timeout // 10)),
            KHABAR_TASK_SOFT_TIME_LIMIT=str(max(2, visibility_timeout * 2 // 3)),
            KHABAR_TASK_TIME_LIMIT=str(max(3, visibility_timeout * 5 // 6)),
            KHABAR_RETRY_BACKOFF_MAX=str(max(1, visibility_timeout // 6)),
            KHABAR_BATCH_SIZE=str(batch_size),
            PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""),
        )
        self._use()
        self.workers: list[WorkerProcess] = []

    def _use(self) -> None:
        """Point this process (the producer) at the stack."""
        from db.session import reset_engines
        from worker.app import app, configure
        from worker.settings import get_settings

        os.environ.update({k: v for k, v in self.env.items() if k.startswith("KHABAR_")})
        get_settings.cache_clear()
        reset_engines()
        # Forget the pools made for the previous broker (Celery keeps them for the app's life).
        app._pool = None
        app.amqp._producer_pool = None
        configure(app, get_settings())

    def start_worker(self, **extra: str) -> WorkerProcess:
        n = len(self.workers)
        w = WorkerProcess({**self.env, **extra}, self.log_dir / f"worker{n}.log", 1, f"bench{n}", "INFO")
        self.workers.append(w)
        return w

    def counts(self) -> dict[str, int]:
        from sqlalchemy import func, select

        from db.models import Article
        from db.session import session_scope

        with session_scope() as session:
            return dict(session.execute(select(Article.status, func.count()).group_by(Article.status)).all())

    def last_finished(self) -> float | None:
        """When the last article was done or failed, as its worker recorded it (epoch seconds)."""
        from sqlalchemy import func, select

        from db.models import Article
        from db.session import session_scope

        with session_scope() as session:
            q = select(func.max(Article.updated_at)).where(Article.status.in_(("done", "failed")))
            last = session.scalar(q)
        return last.timestamp() if last is not None else None

    def remove(self) -> None:
        from sqlalchemy import create_engine, text

        from db.session import reset_engines

        for w in self.workers:
            w.stop()
        reset_engines()
        admin = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)'))
        admin.dispose()
        if self.redis is not None:
            self.redis.terminate()
            self.redis.wait(15)
        else:
            _delete_amqp_queues(self.broker_url, (self.queue, f"{self.queue}.continue"))


def _delete_amqp_queues(url: str, queues) -> None:
    from kombu import Connection

    try:
        with Connection(url) as conn:
            for q in queues:
                with conn.channel() as channel:
                    channel.queue_delete(q)
    except Exception:  # noqa: BLE001, S110 - best effort: a queue never declared is not there
        pass


def store(stack: Stack, items: list) -> list[str]:
    from worker.producer import EnqueueReport, store_items
    from worker.settings import get_settings

    report = EnqueueReport()
    return store_items(items, get_settings(), report)


def run_pipeline(
    stack: Stack, items: list, processes: int, stall: float, before_clock: Callable[[], None] | None = None
) -> PipelineRun:
    """The pipeline's timed run; ``before_clock`` runs once its workers are warm, just before the
    clock starts (the in-process run, so that the two are timed back to back)."""
    from worker.producer import EnqueueReport, send
    from worker.settings import get_settings

    run = PipelineRun(
        broker="rabbitmq" if stack.redis is None else "redis", batch_size=get_settings().batch_size
    )
    ids = store(stack, items)
    for _ in range(processes):
        stack.start_worker()
    for w in stack.workers:
        w.wait_ready()
    # Warm every worker (models load on the first article) before the clock starts.
    warm = ids[:processes]
    send(warm, get_settings(), EnqueueReport(), batch_size=1)  # one each: every worker warm
    _wait_finished(stack, len(warm), stall)
    if before_clock is not None:
        before_clock()
    groups = [w.proc.pid for w in stack.workers]  # each worker leads its process group
    pids = group_pids(*groups)
    cpu0 = cpu_seconds(pids)
    pg0 = postgres_cpu_seconds(stack)
    waits0 = core_waits(pids)
    waits_seen = dict(waits0)  # as last read: a recycled pool process keeps what it waited
    t0, t0_clock = time.monotonic(), time.time()
    send(ids[processes:], get_settings(), EnqueueReport(), taper=True)  # as `khabar ingest` sends a file
    peak = 0.0
    last_print = last_rss = t0
    # Each backend's CPU as last seen: a pool process that is recycled takes its connections
    # with it, and a backend gone by the end would otherwise not count at all.
    pg_seen = dict(pg0)

    def progress(counts: dict[str, int]) -> None:
        nonlocal peak, last_print, last_rss
        # Once a second, one read of every process's stat in /proc for all the workers (one each
        # for RSS and core waits cost 0.3 ms of this process's CPU an article, taken from the
        # cores the pipeline is measured on): VmHWM is a peak, so a look misses nothing of a live
        # process; a recycled one's last second is lost, and so is an ended backend's.
        if time.monotonic() - last_rss >= 1:
            last_rss = time.monotonic()
            pids = group_pids(*groups)
            peak = max(peak, peak_rss_mb(pids))
            pg_seen.update(postgres_cpu_seconds(stack))
            waits_seen.update(core_waits(pids))
        if time.monotonic() - last_print >= 10:
            last_print = time.monotonic()
            finished = counts.get("done", 0) + counts.get("failed", 0)
            click.echo(f"  [{last_print - t0:5.0f}s] {finished}/{len(ids)} finished", err=True)

    counts = _wait_finished(stack, len(ids), stall, progress)
    run.wall = time.monotonic() - t0
    # The end is when the last article was finished, as its worker recorded it, not when the
    # polling above (every 0.5 s) saw it: up to 7 % of a 300-article run otherwise.
    last = stack.last_finished()
    if last is not None and 0 < last - t0_clock < run.wall:
        run.wall = last - t0_clock
    pids = group_pids(*groups)
    run.cpu = cpu_seconds(pids) - cpu0
    pg_seen.update(postgres_cpu_seconds(stack))
    if pg_seen:  # empty: the server is not on this machine
        run.postgres_cpu = sum(c - pg0.get(pid, 0.0) for pid, c in pg_seen.items())
    run.peak_rss_mb = max(peak, peak_rss_mb(pids))
    waits_seen.update(core_waits(pids))
    if waits_seen:
        run.core_wait = sum(t - waits0.get(pid, 0.0) for pid, t in waits_seen.items())
    run.done = counts.get("done", 0) - len(warm)
    run.failed = counts.get("failed", 0)
    run.stage_ms = stage_percentiles(stack)
    run.table_bytes = table_bytes(stack)
    return run


def _wait_finished(stack: Stack, n: int, stall: float, tick=None) -> dict[str, int]:
    last, changed = -1, time.monotonic()
    while True:
        counts = stack.counts()
        finished = counts.get("done", 0) + counts.get("failed", 0)
        if tick is not None:
            tick(counts)
        if finished >= n:
            return counts
        if finished != last:
            last, changed = finished, time.monotonic()
        elif time.monotonic() - changed > stall:
            raise click.ClickException(
                f"no progress for {stall:.0f}s ({finished}/{n} finished); logs in {stack.log_dir}"
            )
        # Twice a second: each look is a query and a session in this process, CPU taken from the
        # workers being measured, and the end of a run is read from the articles, not from this.
        time.sleep(0.5)


def stage_percentiles(stack: Stack) -> dict[str, tuple[float, float]]:
    from sqlalchemy import select

    from db.models import StageRun
    from db.session import session_scope

    with session_scope() as session:
        rows = session.execute(select(StageRun.stage, StageRun.duration_ms)).all()
    by_stage: dict[str, list[float]] = {}
    for stage, ms in rows:
        by_stage.setdefault(stage, []).append(ms)
    out = {}
    for stage, v in by_stage.items():
        v.sort()
        out[stage] = (statistics.median(v), v[min(len(v) - 1, int(0.95 * len(v)))])
    return out


def table_bytes(stack: Stack) -> dict[str, int]:
    """Bytes on disk of each table (rows, TOAST and indexes), after a VACUUM so that what the
    figures show is what stays, not dead row versions awaiting autovacuum."""
    from sqlalchemy import create_engine, text

    engine = create_engine(stack.database_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text("VACUUM"))
            rows = conn.execute(
                text(
                    "SELECT c.relname, pg_total_relation_size(c.oid) FROM pg_class c "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname <> 'alembic_version'"
                )
            ).all()
    finally:
        engine.dispose()
    return dict(rows)


def measure_redelivery(stack: Stack, item, stall: float) -> float:
    """Seconds from a SIGKILL of the worker running a step to another worker starting it again."""
    from datetime import UTC, datetime

    from sqlalchemy import select

    from db.models import StageRun
    from db.session import session_scope
    from worker.producer import EnqueueReport, send
    from worker.settings import get_settings

    (article_id,) = store(stack, [item])
    victim = stack.start_worker(KHABAR_TEST_PAUSE_STAGE="ner", KHABAR_TEST_PAUSE_SECONDS="3600")
    victim.wait_ready()
    send([article_id], get_settings(), EnqueueReport())
    deadline = time.monotonic() + stall
    while b"pausing" not in victim.log_path.read_bytes():
        if time.monotonic() > deadline:
            raise click.ClickException(f"the worker never reached the ner step; logs in {stack.log_dir}")
        time.sleep(0.1)
    rescuer = stack.start_worker()
    rescuer.wait_ready()
    killed_at = datetime.now(UTC)
    victim.kill()
    stack.workers.remove(victim)
    while True:
        with session_scope() as session:
            started = session.scalar(
                select(StageRun.started_at).where(StageRun.article_id == article_id, StageRun.stage == "ner")
            )
        if started is not None:
            return (started - killed_at).total_seconds()
        if time.monotonic() > deadline + stall:
            raise click.ClickException(f"the killed worker's step never came back; logs in {stack.log_dir}")
        time.sleep(0.2)


# --- the command --------------------------------------------------------------------------------


def _load(paths: tuple[str, ...], limit: int):
    from worker.commands.bench_stages import _items
    from worker.messages import InvalidArticle, validate
    from worker.settings import get_settings
    from worker.stages.document import Document

    items, docs = [], []
    for item in _items(paths, limit or None):
        try:
            article = validate(item.data, item.ref, get_settings().max_body_bytes)
        except InvalidArticle:
            continue
        items.append(item)
        docs.append(Document.from_article(item.ref, article.title, article.body))
    return items, docs


def _mb(n: float) -> str:
    return f"{n / 1e6:,.1f} MB"


def report(n: int, processes: int, inproc: dict, runs: list[PipelineRun], visibility_timeout: int) -> None:
    ip_rate = inproc["done"] / inproc["wall"]
    click.echo(f"\n{n} articles, {processes} processes each way (one worker process = one Celery worker)")
    click.echo("| | articles/s | of in process | CPU s/article | CPU per article vs in process |")
    click.echo("|---|---:|---:|---:|---:|")
    ip_cpu = inproc["cpu"] / max(1, inproc["done"])
    click.echo(f"| in process | {ip_rate:.1f} | 100% | {ip_cpu:.3f} | 1.0× |")
    for r in runs:
        rate = r.done / r.wall if r.wall else 0.0
        cpu = r.cpu / max(1, r.done)
        click.echo(
            f"| pipeline ({r.name}) | {rate:.1f} | {rate / ip_rate:.0%} | {cpu:.3f} | {cpu / ip_cpu:.1f}× |"
        )
    for r in runs:
        if r.postgres_cpu is not None:
            # On a machine shared with other jobs the articles/s of either side moves with their
            # load; the CPU each way does not, and bounds the ratio on idle cores.
            both = (r.cpu + r.postgres_cpu) / max(1, r.done)
            click.echo(
                f"pipeline ({r.name}): Postgres {r.postgres_cpu / max(1, r.done):.3f} CPU s/article; "
                f"workers + Postgres {both:.3f} s = {both / ip_cpu:.1f}× in process, so at most "
                f"{ip_cpu / both:.0%} of in process on cores nothing else uses"
            )
    if inproc.get("core_wait") is not None and all(r.core_wait is not None for r in runs):
        # Time spent runnable without a core, over the CPU time used: near 0 on cores nothing else
        # uses. A pipeline's processes outnumber the cores (workers, Postgres, Redis) and wait a
        # little by design; another job on the machine shows on both sides.
        sides = [f"in process {inproc['core_wait'] / max(inproc['cpu'], 1e-9):.0%}"] + [
            f"pipeline ({r.name}) {r.core_wait / max(r.cpu, 1e-9):.0%}" for r in runs
        ]
        click.echo(f"waited for a core, over CPU time used: {', '.join(sides)}")
    for r in runs:
        click.echo(
            f"\npipeline ({r.name}): {r.done} done, {r.failed} failed, peak worker RSS {r.peak_rss_mb:.0f} MB"
        )
        click.echo("| step | p50 ms | p95 ms |")
        click.echo("|---|---:|---:|")
        for stage, (p50, p95) in r.stage_ms.items():
            click.echo(f"| {stage} | {p50:.1f} | {p95:.1f} |")
        done = max(1, r.done + processes)  # the warm-up articles are stored too
        total = sum(r.table_bytes.values())
        results = sum(r.table_bytes.get(t, 0) for t in RESULT_TABLES)
        click.echo(f"database: {_mb(total)} = {total / done / 1000:.1f} KB per done article")
        click.echo("| table | KB per article | share |")
        click.echo("|---|---:|---:|")
        for table, size in sorted(r.table_bytes.items(), key=lambda kv: -kv[1]):
            click.echo(f"| {table} | {size / done / 1000:.1f} | {size / max(1, total):.0%} |")
        click.echo(
            f"database bytes per article ÷ bytes of its row and results ({', '.join(RESULT_TABLES)}): "
            f"{total / max(1, results):.2f}×"
        )
        if r.redelivery_s is not None:
            why = (
                f"visibility timeout {visibility_timeout}s"
                if r.broker == "redis"
                else "AMQP returns it on disconnect"
            )
            click.echo(f"redelivery after kill -9 ({r.broker}): {r.redelivery_s:.1f}s ({why})")


@click.command("pipeline")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--limit", type=int, default=300, show_default=True, help="Articles (0: all).")
@click.option(
    "--processes", default=2, show_default=True, help="Processes each way (in process and workers)."
)
@click.option(
    "--broker",
    "brokers",
    type=click.Choice(["redis", "rabbitmq"]),
    multiple=True,
    default=("redis",),
    show_default=True,
    help="Broker(s) to run the pipeline on; repeat for both (side by side).",
)
@click.option(
    "--amqp-url",
    default="amqp://guest:guest@127.0.0.1:5672//",
    show_default=True,
    help="RabbitMQ for --broker rabbitmq (a private queue on it, deleted afterwards).",
)
@click.option(
    "--admin-url",
    default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
    show_default=True,
    help="Postgres server where the throw-away database is created (and dropped).",
)
@click.option(
    "--redelivery", is_flag=True, help="Also time the redelivery of a step after a worker's kill -9."
)
@click.option(
    "--visibility-timeout",
    default=30,
    show_default=True,
    help="Redis' visibility timeout for this run (seconds): the redelivery delay on Redis.",
)
@click.option(
    "--batch-size",
    "batch_sizes",
    type=click.IntRange(1, 100),
    multiple=True,
    help="Articles per chain (KHABAR_BATCH_SIZE); repeat for several runs side by side. Default: the setting.",
)
@click.option(
    "--rounds",
    type=click.IntRange(1, 20),
    default=1,
    show_default=True,
    help="Alternate in process and pipeline this many times and report the median ratio "
    "(this machine's speed drifts between runs).",
)
@click.option("--label", default="bench", show_default=True, help="Part of the database and queue names.")
@click.option(
    "--stall", default=180.0, show_default=True, help="Give up after this many seconds without progress."
)
def bench_pipeline(
    paths: tuple[str, ...],
    limit: int,
    processes: int,
    brokers: tuple[str, ...],
    amqp_url: str,
    admin_url: str,
    redelivery: bool,
    visibility_timeout: int,
    label: str,
    stall: float,
    batch_sizes: tuple[int, ...],
    rounds: int,
) -> None:
    """The same articles in process and through the real pipeline, side by side: articles/s each
    way and their ratio, CPU seconds per article, per-step p50/p95 (from stage runs), database
    bytes per article by table, peak worker RSS, and with --redelivery the delay before a killed
    worker's step runs again.

    PATHS: article message files (.jsonl…) or a SaudiNewsNet folder of daily zips.
    """
    items, docs = _load(paths, limit)
    if len(items) <= processes:
        raise click.ClickException(f"only {len(items)} valid articles: need more than --processes")
    from worker.settings import get_settings

    configs = [(b, n) for b in brokers for n in batch_sizes or (get_settings().batch_size,)]
    played: list[tuple[dict, list[PipelineRun]]] = []
    for k in range(rounds):
        of = f" (round {k + 1} of {rounds})" if rounds > 1 else ""
        inproc: dict = {}

        def in_process(of: str = of, inproc: dict = inproc) -> None:
            click.echo(f"in process: {len(docs)} articles on {processes} processes{of}…", err=True)
            inproc.update(run_in_process(docs, processes))

        # The in-process run and the first pipeline's are timed back to back, the pipeline's
        # workers started and warm before either: the speed of this machine's cores moves from
        # one ten seconds to the next, and the stack's start took about that long between them.
        # Their order alternates from round to round.
        first = k % 2 == 0
        runs = []
        for j, (broker, batch_size) in enumerate(configs):
            click.echo(
                f"pipeline on {broker}, batches of {batch_size}: {len(items)} articles on {processes} workers{of}…",
                err=True,
            )
            hook = in_process if j == 0 else None
            runs.append(
                _one_pipeline(
                    broker, batch_size, items, processes, stall, label, admin_url, amqp_url,
                    visibility_timeout, redelivery and k == rounds - 1,
                    before=hook if first else None, after=None if first else hook,
                )
            )  # fmt: skip
        played.append((inproc, runs))
    if rounds > 1:
        report_rounds(played)
    inproc, runs = played[_median_round(played)]
    for r, last in zip(runs, played[-1][1], strict=True):  # the redelivery is timed after the last round
        r.redelivery_s = last.redelivery_s
    report(len(items), processes, inproc, runs, visibility_timeout)
    sys.stdout.flush()


def _one_pipeline(
    broker,
    batch_size,
    items,
    processes,
    stall,
    label,
    admin_url,
    amqp_url,
    visibility_timeout,
    redelivery,
    before=None,
    after=None,
) -> PipelineRun:
    """``before`` and ``after``: run beside the timed run, just before its clock starts or just
    after it ends, the workers still up (idle)."""
    stack = Stack(broker, admin_url, amqp_url, visibility_timeout, label, batch_size)
    try:
        run = run_pipeline(stack, items, processes, stall, before)
        if after is not None:
            after()
        if redelivery:
            click.echo(f"redelivery after kill -9 on {broker}…", err=True)
            for w in stack.workers:
                w.stop()
            stack.workers.clear()
            probe = dict(items[0].data, title="redelivery probe", id="redelivery-probe")
            run.redelivery_s = measure_redelivery(stack, type(items[0])("redelivery-probe", probe), stall)
        return run
    finally:
        stack.remove()


def _ratios(inproc: dict, runs: list[PipelineRun]) -> list[float]:
    ip_rate = inproc["done"] / inproc["wall"]
    return [(r.done / r.wall if r.wall else 0.0) / ip_rate for r in runs]


def _median_round(played: list[tuple[dict, list[PipelineRun]]]) -> int:
    """The round whose first pipeline's ratio is the median (the lower one of an even count)."""
    order = sorted(range(len(played)), key=lambda k: _ratios(*played[k])[0])
    return order[(len(order) - 1) // 2]


def report_rounds(played: list[tuple[dict, list[PipelineRun]]]) -> None:
    """Each round's articles/s both ways and their ratio. On a shared machine the speed of its
    cores moves by a third from one minute to the next, so one in-process run against one
    pipeline run a minute later is as much that as it is the pipeline: rounds alternate them, and
    the median ratio is the figure."""
    runs0 = played[0][1]
    click.echo(
        f"\n{len(played)} rounds, each: in process and the pipeline timed back to back (in process first "
        "in odd rounds, second in even ones), the pipeline's workers warm for both"
    )
    click.echo(
        "| round | in process articles/s | " + " | ".join(f"pipeline ({r.name})" for r in runs0) + " |"
    )
    click.echo("|---:|---:|" + "---:|" * len(runs0))
    for k, (inproc, runs) in enumerate(played, 1):
        cells = [
            f"{r.done / r.wall if r.wall else 0.0:.1f} = {q:.0%}"
            for r, q in zip(runs, _ratios(inproc, runs), strict=True)
        ]
        click.echo(f"| {k} | {inproc['done'] / inproc['wall']:.1f} | " + " | ".join(cells) + " |")
    for j, r in enumerate(runs0):
        ratios = sorted(_ratios(*p)[j] for p in played)
        click.echo(
            f"pipeline ({r.name}) ÷ in process: median {statistics.median(ratios):.0%} "
            f"(from {ratios[0]:.0%} to {ratios[-1]:.0%}); the tables below are of the median round"
        )
