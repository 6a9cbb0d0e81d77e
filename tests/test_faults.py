"""Fault tests with real processes: workers killed, Redis and Postgres stopped and restarted, poison
articles, a broker that is down at enqueue, time limits, duplicate deliveries.

Everything runs against a PRIVATE redis-server and a PRIVATE Postgres cluster (tests/fault_servers.py)
on free ports: the machine's shared services are never stopped. Worker settings are short so that
each test is bounded: a visibility timeout of a few seconds (a killed worker's message comes back
after it), retries with a 1-2 s backoff cap, a per-test alarm.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from db.models import Article, Failure, Mention, StageRun
from db.session import get_engine, session_scope
from tests.conftest import ROOT, WorkerProcess, reset_settings, wait_until
from tests.fault_servers import PrivatePostgres, PrivateRedis
from worker.commands.soak import audit
from worker.steps import STEPS

pytestmark = pytest.mark.fault

TABLES = "event_arguments, events, mentions, attributions, stage_runs, failures, entities, articles"
VISIBILITY_TIMEOUT = 5
QUEUE = f"khabar-faults-{uuid.uuid4().hex[:6]}"
PER_TEST_SECONDS = 150


@pytest.fixture(scope="module")
def servers():
    redis = PrivateRedis().start()
    pg = PrivatePostgres().start()
    try:
        url = pg.create_database("khabar_faults")
        from db.migrate import upgrade

        upgrade(url)
        yield redis, pg, url
    finally:
        from db.session import reset_engines

        reset_engines()
        redis.remove()
        pg.remove()


class Stack:
    """The private servers, the environment of worker subprocesses, and the workers started."""

    def __init__(self, redis: PrivateRedis, pg: PrivatePostgres, url: str, tmp: Path) -> None:
        self.redis, self.pg, self.url, self.tmp = redis, pg, url, tmp
        self.workers: list[WorkerProcess] = []
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("KHABAR_TEST_")}
        self.env.update(
            KHABAR_DATABASE_URL=url,
            KHABAR_BROKER_URL=redis.url,
            KHABAR_QUEUE=QUEUE,
            KHABAR_VISIBILITY_TIMEOUT=str(VISIBILITY_TIMEOUT),
            KHABAR_UNACKED_RESTORE_INTERVAL="1",
            KHABAR_UNACKED_MUTEX_EXPIRE="5",
            KHABAR_MAX_RETRIES="3",
            KHABAR_RETRY_BACKOFF_MAX="1",
            KHABAR_MAX_REDELIVERIES="3",
            KHABAR_PUBLISH_RETRIES="30",
            KHABAR_SPOOL_PATH=str(tmp / "spool.jsonl"),
            PYTHONPATH=str(ROOT),
        )

    def start_worker(self, concurrency: int = 1, wait: bool = True, **extra: str) -> WorkerProcess:
        w = WorkerProcess({**self.env, **extra}, self.tmp / f"worker{len(self.workers)}.log", concurrency)
        self.workers.append(w)
        if wait:
            w.wait_ready(90)
        return w

    def khabar(self, *args: str, timeout: float = 120, **extra: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "worker.cli", *args],
            cwd=ROOT,
            env={**self.env, **extra},
            capture_output=True,
            timeout=timeout,
        )

    def enqueue(self, articles: list[dict]) -> list[str]:
        """Store and send through the producer API (in this process); returns the article ids."""
        from worker.messages import RawItem
        from worker.producer import enqueue

        report = enqueue([RawItem(f"test#{i}", a) for i, a in enumerate(articles)])
        assert not report.invalid and not report.not_enqueued, report
        return [article_id for _, article_id in report.accepted]

    def statuses(self, ids: list[str]) -> dict[str, str]:
        with session_scope() as s:
            return dict(s.execute(select(Article.id, Article.status).where(Article.id.in_(ids))).all())

    def wait_finished(self, ids: list[str], timeout: float) -> dict[str, str]:
        def finished():
            st = self.statuses(ids)
            return st if all(v in ("done", "failed") for v in st.values()) else None

        return wait_until(finished, timeout, interval=0.5, message=f"{len(ids)} article(s) done or failed")

    def logs(self) -> str:
        return "".join(w.log_path.read_text(errors="replace") for w in self.workers)


@pytest.fixture()
def stack(servers, tmp_path):
    redis, pg, url = servers
    saved = {k: v for k, v in os.environ.items() if k.startswith("KHABAR_")}
    st = Stack(redis, pg, url, tmp_path)
    reset_settings(**{k: v for k, v in st.env.items() if k.startswith("KHABAR_")})
    with get_engine().begin() as conn:
        conn.execute(text(f"TRUNCATE {TABLES} RESTART IDENTITY CASCADE"))
    import redis as redis_lib

    redis_lib.Redis.from_url(redis.url).flushdb()

    def on_alarm(_sig, _frame):
        raise TimeoutError(f"fault test over its {PER_TEST_SECONDS}s budget")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(PER_TEST_SECONDS)
    try:
        yield st
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
        for w in st.workers:
            w.stop()
        if redis.proc is None:  # a test left it stopped
            redis.start()
        if not (pg.data / "postmaster.pid").exists():
            pg.start()
        for k in [k for k in os.environ if k.startswith("KHABAR_")]:
            del os.environ[k]
        reset_settings(**saved)


def article(i: int, tag: str = "", extra: str = "") -> dict:
    return {
        "id": f"{tag}{i}",
        "title": f"خبر رقم {i} {tag}",
        "body": f"التقى وزير الخارجية السعودي نظيره المصري في القاهرة يوم {i} لبحث العلاقات الثنائية. {extra}",
    }


def assert_clean(ids: list[str]) -> dict:
    """Every article done, no open failure, no duplicated or missing row, one run of each step each."""
    with session_scope() as s:
        result = audit(s, ids)
        runs = s.scalar(select(func.count()).select_from(StageRun).where(StageRun.article_id.in_(ids)))
        open_failures = s.scalars(select(Failure).where(Failure.resolved_at.is_(None))).all()
        deliveries = s.scalars(select(Article.deliveries).where(Article.id.in_(ids))).all()
    assert result["done"] == len(ids), result
    assert (result["lost"], result["duplicated"], result["missing"]) == (0, 0, 0), result
    assert runs == len(STEPS) * len(ids)
    assert not open_failures, [(f.stage, f.error_class, f.error) for f in open_failures]
    assert set(deliveries) == {0}
    return result


def unacked(stack: Stack) -> int:
    import redis as redis_lib

    return redis_lib.Redis.from_url(stack.redis.url).hlen("unacked")


# --- a worker killed ------------------------------------------------------------------------------


def test_worker_killed_mid_chain_message_comes_back_after_visibility_timeout(stack):
    """kill -9 of the whole worker (main process and pool): nobody is left to requeue the
    message. It sits in Redis' ``unacked`` hash until the visibility timeout; then a new worker's
    sweep restores it and the chain goes on from the step that was running."""
    w = stack.start_worker(KHABAR_TEST_PAUSE_STAGE="ner", KHABAR_TEST_PAUSE_SECONDS="60")
    ids = stack.enqueue([article(1, "kill")])
    wait_until(lambda: "test hook: pausing" in w.log_path.read_text(), 60, message="worker in ner")
    w.kill()
    killed_at = time.monotonic()
    assert stack.statuses(ids) == {ids[0]: "processing"}
    assert unacked(stack) == 1  # the message is not lost: it waits in Redis, unacknowledged
    stack.start_worker()
    stack.wait_finished(ids, 60)
    waited = time.monotonic() - killed_at
    assert waited >= VISIBILITY_TIMEOUT - 0.5, f"redelivered after {waited:.1f}s"
    assert_clean(ids)
    assert unacked(stack) == 0


def _pool_children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def test_pool_child_killed_is_requeued_at_once_and_a_poison_message_is_capped(stack):
    """kill -9 of the pool process only: the main worker sees WorkerLostError and, with
    task_reject_on_worker_lost, requeues the message at once. An article that kills its worker
    every time is set aside after KHABAR_MAX_REDELIVERIES starts (RedeliveryLimit), instead of
    looping forever; an article behind it is done."""
    w = stack.start_worker(
        KHABAR_TEST_PAUSE_STAGE="segment", KHABAR_TEST_PAUSE_SECONDS="30", KHABAR_MAX_REDELIVERIES="2"
    )
    (killer,) = stack.enqueue([article(1, "killer")])
    for n in range(1, 3):
        wait_until(
            lambda n=n: w.log_path.read_text().count("test hook: pausing") >= n, 60, message=f"start {n}"
        )
        for child in _pool_children(w.proc.pid):
            os.kill(child, signal.SIGKILL)
    stack.wait_finished([killer], 60)
    assert stack.statuses([killer]) == {killer: "failed"}
    with session_scope() as s:
        (f,) = s.scalars(select(Failure)).all()
    assert (f.article_id, f.stage, f.error_class) == (killer, "segment", "RedeliveryLimit")
    assert "WorkerLostError" in stack.logs()
    # Well under the visibility timeout each time: the requeue came from the reject, not the sweep.
    assert w.log_path.read_text().count("test hook: pausing") == 2


# --- broker and database outages ----------------------------------------------------------------


def steps_done(step: str) -> int:
    """Stage runs of ``step`` so far. One FIFO queue runs every article's first steps before any
    last step, so a fault is injected by stage runs, not by articles done."""
    with session_scope() as s:
        return s.scalar(select(func.count()).select_from(StageRun).where(StageRun.stage == step))


def broker_loss_seen(stack: Stack) -> bool:
    """Every worker has noticed the broker is gone (or died of it, see below)."""
    return all(
        w.proc.poll() is not None or "Connection to broker lost" in w.log_path.read_text(errors="replace")
        for w in stack.workers
    )


def test_redis_stopped_and_restarted_during_a_run(stack):
    """Redis is killed (SIGKILL; append-only, fsync always) while articles are in flight and
    restarted once the workers have noticed: every article ends done, no duplicate rows.

    The outage cannot miss the batch on a fast machine: it starts while the first article is held
    in its link step, and each of the 16 holds 0.5 s there, two at a time."""
    hooks = {"KHABAR_TEST_PAUSE_STAGE": "link", "KHABAR_TEST_PAUSE_SECONDS": "0.5"}
    w = stack.start_worker(concurrency=2, **hooks)
    ids = stack.enqueue([article(i, "redis") for i in range(16)])
    wait_until(lambda: "test hook: pausing" in w.log_path.read_text(), 60, interval=0.05, message="in link")
    stack.redis.stop(kill=True)
    assert steps_done("link") < len(ids), "batch ended before the outage"
    wait_until(lambda: broker_loss_seen(stack), 60, message="the worker noticing the outage")
    stack.redis.start()

    # A Celery worker sometimes exits when its broker vanishes (a kombu race while restoring
    # unacknowledged messages: "Unrecoverable error: AttributeError ... 'hostname'"). In production
    # its supervisor starts it again (compose: restart: unless-stopped); do the same here. What it
    # held is still in Redis and comes back after the visibility timeout.
    # And Redis itself can lose a message when it is killed between handing it to a worker (BRPOP)
    # and the worker recording it as unacknowledged: the recovery sweep, run beside the workers
    # as in production, re-drives articles that stall.
    sweeper = subprocess.Popen(
        [sys.executable, "-m", "worker.cli", "recover", "--older-than", "8", "--every", "2"],
        cwd=ROOT, env=stack.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip

    def finished_with_supervision():
        if all(w.proc.poll() is not None for w in stack.workers):
            stack.start_worker(concurrency=2, **hooks)
        return all(v in ("done", "failed") for v in stack.statuses(ids).values())

    try:
        wait_until(finished_with_supervision, 110, interval=0.5, message="16 articles done or failed")
    except TimeoutError as exc:
        sweeper.kill()
        import redis as redis_lib

        r = redis_lib.Redis.from_url(stack.redis.url)
        state = {k.decode(): r.type(k).decode() for k in r.keys("*")}
        raise TimeoutError(
            f"{exc}; statuses {sorted(stack.statuses(ids).values())}; redis keys {state}; "
            f"unacked {r.hlen('unacked')}, mutex ttl {r.ttl('unacked_mutex')}"
        ) from exc
    sweeper.terminate()
    sweeper.wait(10)
    assert_clean(ids)


def test_lost_broker_messages_are_re_driven_by_the_recovery_sweep(stack):
    """Messages gone from the broker (deleted here, as a crash of Redis at the wrong moment would):
    the articles stay queued in the database, `khabar recover` re-sends them from the first step
    not done, and they end done with no duplicate rows."""
    ids = stack.enqueue([article(i, "lost") for i in range(3)])
    import redis as redis_lib

    assert redis_lib.Redis.from_url(stack.redis.url).delete(QUEUE) == 1  # every message gone
    fresh = stack.khabar("recover", "--older-than", "3600")
    assert fresh.returncode == 0 and b"re-sent 0 stalled" in fresh.stderr  # not stalled yet
    # Stalled for any time at all: only the broker's answer (no message) makes them lost.
    r = stack.khabar("recover", "--older-than", "0")
    assert r.returncode == 0 and b"re-sent 3 stalled" in r.stderr, r.stderr
    stack.start_worker()
    stack.wait_finished(ids, 60)
    assert_clean(ids)


def test_postgres_refusing_connections_tasks_retry_then_complete(stack):
    """The database stops (fast shutdown: connections cut, new ones refused) in the middle of a
    batch, and starts again once tasks have met the outage and retried: they retry with backoff
    and jitter, then complete; nothing lost."""
    stack.start_worker(
        concurrency=2,
        KHABAR_MAX_RETRIES="12",
        KHABAR_RETRY_BACKOFF_MAX="2",
        KHABAR_VISIBILITY_TIMEOUT="15",
        KHABAR_TEST_PAUSE_STAGE="segment",
        KHABAR_TEST_PAUSE_SECONDS="2.0",
    )
    ids = stack.enqueue([article(i, "pg") for i in range(16)])  # ≥ 16 s of work for 2 processes

    # One FIFO queue runs every article's first steps before any last step, so wait on stage
    # runs, not on articles done: stop the database while most segment steps are still to come.
    wait_until(lambda: steps_done("segment") >= 2, 60, message="2 segment steps done")
    from db.session import reset_engines

    reset_engines()
    assert steps_done("segment") < len(ids), "batch ended before the outage"
    stack.pg.stop()
    wait_until(lambda: stack.logs().count("Retry in") >= 2, 60, message="two retries against the outage")
    stack.pg.start()
    stack.wait_finished(ids, 110)
    assert_clean(ids)
    assert not (stack.tmp / "spool.jsonl").exists()


def test_broker_down_at_enqueue_lists_articles_then_failures_retry_sends_them(stack):
    stack.redis.stop()
    path = stack.tmp / "batch.jsonl"
    path.write_text("\n".join(json.dumps(article(i, "nb"), ensure_ascii=False) for i in range(3)) + "\n")
    r = stack.khabar("enqueue", str(path))
    err = r.stderr.decode()
    assert r.returncode == 1, err
    assert "accepted 3" in r.stdout.decode() and "not enqueued 3" in r.stdout.decode()
    with session_scope() as s:
        ids = list(s.scalars(select(Article.id)))
        stages = s.scalars(select(Failure.stage)).all()
    assert len(ids) == 3 and all(f"not enqueued {a}" in err for a in ids)
    assert stages == ["enqueue"] * 3
    assert set(stack.statuses(ids).values()) == {"queued"}

    stack.redis.start()
    stack.start_worker()
    r = stack.khabar("failures", "retry", "--stage", "enqueue")
    assert r.returncode == 0, r.stderr.decode()
    assert "re-driven 3 article(s)" in r.stdout.decode()
    stack.wait_finished(ids, 60)
    assert_clean(ids)


# --- bad articles ---------------------------------------------------------------------------------


def test_poison_article_lands_in_failures_at_once_the_others_are_done_and_retry_redrives_it(stack):
    """A deterministic error (a bug, an input the code cannot handle) is not retried: it fails the
    same way every time. It lands in failures after one attempt; only transient errors (database,
    network, broker) are retried."""
    w = stack.start_worker(KHABAR_TEST_FAIL_STAGE="ner", KHABAR_MAX_RETRIES="2")
    batch = [article(i, "batch") for i in range(4)]
    batch.insert(2, article(9, "poison", extra="POISON"))
    ids = stack.enqueue(batch)
    poison = ids[2]
    statuses = stack.wait_finished(ids, 60)
    assert statuses.pop(poison) == "failed"
    assert set(statuses.values()) == {"done"}
    with session_scope() as s:
        (f,) = s.scalars(select(Failure)).all()
    assert (f.article_id, f.stage, f.error_class, f.attempts) == (poison, "ner", "InjectedFailure", 1)
    assert f.first_at <= f.last_at and "poison" in f.error
    assert "Retry in" not in stack.logs()
    listed = stack.khabar("failures", "list").stdout.decode()
    assert poison in listed and "InjectedFailure" in listed
    status = stack.khabar("status").stdout.decode()
    assert "done 4" in status and "failed 1" in status and "ner 1" in status
    assert "queue depth" in status

    # The cause is fixed (a worker without the fault): re-drive by stage and id.
    w.stop()
    stack.start_worker()
    r = stack.khabar("failures", "retry", "--stage", "ner", "--id", poison)
    assert r.returncode == 0 and "re-driven 1" in r.stdout.decode(), r.stderr.decode()
    stack.wait_finished([poison], 60)
    assert_clean(ids)


def test_soft_and_hard_time_limits_record_failures(stack):
    """The soft limit raises inside the task (recorded, chain stopped); the hard limit kills the
    pool process, and Celery calls on_failure in the main process (recorded too, not lost)."""
    soft = stack.start_worker(
        KHABAR_TEST_PAUSE_STAGE="segment",
        KHABAR_TEST_PAUSE_SECONDS="20",
        KHABAR_TASK_SOFT_TIME_LIMIT="1",
        KHABAR_TASK_TIME_LIMIT="10",
    )
    (slow1,) = stack.enqueue([article(1, "slow")])
    stack.wait_finished([slow1], 40)
    soft.stop()
    stack.start_worker(
        KHABAR_TEST_PAUSE_STAGE="segment",
        KHABAR_TEST_PAUSE_SECONDS="20",
        KHABAR_TASK_SOFT_TIME_LIMIT="0",
        KHABAR_TASK_TIME_LIMIT="2",
    )
    (slow2,) = stack.enqueue([article(2, "slow")])
    stack.wait_finished([slow2], 40)
    with session_scope() as s:
        failures = {f.article_id: (f.stage, f.error_class) for f in s.scalars(select(Failure))}
    assert failures == {
        slow1: ("segment", "SoftTimeLimitExceeded"),
        slow2: ("segment", "TimeLimitExceeded"),
    }
    assert set(stack.statuses([slow1, slow2]).values()) == {"failed"}


# --- duplicates and re-runs -----------------------------------------------------------------------


def snapshot() -> str:
    out = {}
    with get_engine().connect() as c:
        for table in ("mentions", "events", "event_arguments", "entities", "attributions", "stage_runs"):
            rows = c.execute(text(f"SELECT * FROM {table} ORDER BY 1")).mappings().all()
            out[table] = [
                {k: v for k, v in r.items() if k not in ("id", "started_at", "finished_at", "duration_ms")}
                for r in rows
            ]
    return json.dumps(out, default=str, sort_keys=True)


def test_same_message_twice_and_stages_rerun_by_hand_leave_identical_rows(stack):
    from worker.steps import STEPS, run_step
    from worker.tasks import TASKS, build_chain

    stack.start_worker(concurrency=2)
    ids = stack.enqueue([article(i, "dup") for i in range(3)])
    stack.wait_finished(ids, 60)
    before = snapshot()
    assert json.loads(before)["mentions"], "the articles should have entity mentions"

    # Redeliveries: whole chains again, and single steps, for every article.
    for a in ids:
        build_chain(a).apply_async()
        TASKS["store"].si(a).apply_async()
    (marker,) = stack.enqueue([article(99, "marker")])  # behind the duplicates on the queue
    stack.wait_finished([marker], 60)
    wait_until(lambda: unacked(stack) == 0, 30, message="duplicates consumed")

    # By hand: every step again, then the last two with their stage_runs removed (a real re-run
    # of the result writes, not the stage_runs no-op).
    for a in ids:
        for step in STEPS:
            run_step(a, step)
    with session_scope() as s:
        s.execute(
            StageRun.__table__.delete().where(
                StageRun.article_id.in_(ids), StageRun.stage.in_(("events", "store"))
            )
        )
    for a in ids:
        run_step(a, "events")
        run_step(a, "store")

    after = json.loads(snapshot())
    marker_rows = {t: [r for r in rows if r.get("article_id") == marker] for t, rows in after.items()}
    after = {t: [r for r in rows if r not in marker_rows[t]] for t, rows in after.items()}
    before = json.loads(before)
    for table in ("mentions", "events", "attributions", "entities"):
        assert (
            after[table] == before[table]
            or table == "entities"
            and set(map(str, before[table])) <= set(map(str, after[table]))
        ), table
    assert len(after["event_arguments"]) - len(before["event_arguments"]) == _marker_arguments(marker)
    assert_clean([*ids, marker])


def _marker_arguments(marker: str) -> int:
    with session_scope() as s:
        return s.scalar(
            text(
                "SELECT count(*) FROM event_arguments a JOIN events e ON e.id = a.event_id WHERE e.article_id = :a"
            ),
            {"a": marker},
        )


def test_reprocess_with_a_new_version_keeps_the_old_results(stack):
    from db.store import current_mentions

    stack.start_worker()
    ids = stack.enqueue([article(1, "v")])
    stack.wait_finished(ids, 60)
    with session_scope() as s:
        old = s.scalar(select(func.count()).select_from(Mention).where(Mention.extractor_version == "0.1.0"))
    r = stack.khabar("reprocess", "--version", "0.2.0", "--id", ids[0])
    assert r.returncode == 0, r.stderr.decode()
    wait_until(
        lambda: stack.statuses(ids)[ids[0]] == "done" and _version(ids[0]) == "0.2.0", 60, message="v2"
    )
    stack.wait_finished(ids, 60)
    with session_scope() as s:
        by_version = dict(
            s.execute(
                select(Mention.extractor_version, func.count()).group_by(Mention.extractor_version)
            ).all()
        )
        current = current_mentions(s, s.get(Article, ids[0]))
    assert by_version == {"0.1.0": old, "0.2.0": old}
    assert {m.extractor_version for m in current} == {"0.2.0"}


def _version(article_id: str) -> str:
    with session_scope() as s:
        return s.scalar(select(Article.extractor_version).where(Article.id == article_id))
