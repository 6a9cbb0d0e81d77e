"""The whole path for real: the `khabar` CLI enqueues into Redis, a Celery worker subprocess runs
the chain, results land in Postgres."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest
from sqlalchemy import func, select

from db.models import Article, Entity, Event, Failure, StageRun
from db.session import session_scope
from tests.conftest import ROOT, TWO_TASK_CHAIN, wait_until
from tests.test_db import table_snapshot
from worker.steps import STEPS

pytestmark = pytest.mark.pipeline
SEEDS = sorted(str(p) for p in (ROOT / "seeds").glob("*.jsonl"))


def khabar(env, *args, stdin: bytes | None = None, timeout: float = 240):
    return subprocess.run(
        [sys.executable, "-m", "worker.cli", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        timeout=timeout,
    )


def scalar(q):
    with session_scope() as s:
        return s.scalar(q)


def test_articles_flow_through_a_real_worker(start_worker, worker_env, tmp_path):
    start_worker(concurrency=2)
    r = khabar(worker_env, "enqueue", *SEEDS, "--wait", "--timeout", "180")
    out = r.stdout.decode()
    assert r.returncode == 0, out + r.stderr.decode()
    assert "accepted 4, duplicates 0, invalid 0" in out
    assert "done 4" in out
    assert scalar(select(func.count()).select_from(Article).where(Article.status == "done")) == 4
    assert scalar(select(func.count()).select_from(StageRun)) == 4 * len(STEPS)
    with session_scope() as s:
        names = set(s.scalars(select(Entity.canonical)))
        seed = s.scalars(select(Article).where(Article.external_id == "seed-000")).one()
        seed_events = s.scalars(select(Event.type).where(Event.article_id == seed.id)).all()
    assert {"سيرغي لافروف", "نيويورك", "أوكرانيا"} <= names
    assert "CONSULT" in seed_events
    assert no_intermediate_state(worker_env)

    # The same messages again: stored once, nothing re-run.
    before = table_snapshot()
    r = khabar(worker_env, "enqueue", *SEEDS)
    assert r.returncode == 0 and "accepted 0, duplicates 4" in r.stdout.decode()

    # The same chain delivered twice more (a redelivery): every step is a no-op.
    from worker.tasks import build_chain

    for _ in range(2):
        build_chain(seed.id).apply_async()
    # A fresh article behind them on the queue: when it is done, the duplicates have been consumed.
    late = tmp_path / "late.jsonl"
    late.write_text(
        json.dumps({"id": "late", "body": "زار وزير الخارجية القطري بغداد أمس."}, ensure_ascii=False)
    )
    r = khabar(worker_env, "enqueue", str(late), "--wait", "--timeout", "120")
    assert r.returncode == 0, r.stderr.decode()
    wait_until(lambda: redis_queue_empty(worker_env), 30, message="queue drained")
    before, after = json.loads(before), json.loads(table_snapshot())
    with session_scope() as s:
        late_id = s.scalars(select(Article.id).where(Article.external_id == "late")).one()
    late_events = {e["id"] for e in after["events"] if e["article_id"] == late_id}
    late_entities = {m["entity_id"] for m in after["mentions"] if m["article_id"] == late_id} | {
        a["entity_id"] for a in after["event_arguments"] if a["event_id"] in late_events
    }
    for table, rows in after.items():
        new = [r for r in rows if r not in before[table]]
        assert all(r in rows for r in before[table]), f"{table}: rows changed"
        assert all(
            r.get("article_id") == late_id or r.get("event_id") in late_events or r["id"] in late_entities
            for r in new
        ), f"{table}: the duplicate deliveries added rows"


def no_intermediate_state(env) -> bool:
    """Done articles keep no intermediate document: in Postgres, stage runs hold timings and the
    store step's counts only; in the document cache, nothing under their ids."""
    from tests.conftest import redis_client

    with session_scope() as s:
        ids = set(s.scalars(select(Article.id).where(Article.status == "done")))
        outputs = s.execute(select(StageRun.stage, StageRun.output).where(StageRun.output.is_not(None))).all()
    assert ids and {stage for stage, _ in outputs} == {"store"}
    assert all(set(out) == {"mentions", "events", "attributions"} for _, out in outputs)
    cached = {
        k.decode().split(":")[3]
        for k in redis_client(env["KHABAR_DOCUMENT_CACHE_URL"]).scan_iter("khabar:doc:*")
    }
    return not (cached & ids)


def redis_queue_empty(env) -> bool:
    from tests.conftest import redis_client

    r = redis_client()
    return all(r.llen(q) == 0 for q in (env["KHABAR_QUEUE"], env["KHABAR_QUEUE"] + ".continue"))


def test_articles_in_progress_finish_before_new_ones_start(start_worker, worker_env, tmp_path):
    # One chain per article (with batches, the same holds of batches: test_faults_batches.py).
    worker_env["KHABAR_BATCH_SIZE"] = "1"
    # Queued while no worker runs, so that all first steps are waiting when the worker starts.
    batch = tmp_path / "batch.jsonl"
    batch.write_text(
        "\n".join(
            json.dumps({"id": f"b{i}", "body": f"زار وزير الخارجية القطري بغداد أمس في الزيارة رقم {i}."})
            for i in range(4)
        ),
        encoding="utf-8",
    )
    r = khabar(worker_env, "enqueue", str(batch))
    assert r.returncode == 0 and "accepted 4" in r.stdout.decode(), r.stderr.decode()
    start_worker(concurrency=1)
    done = select(func.count()).select_from(Article).where(Article.status == "done")
    wait_until(lambda: scalar(done) == 4, 120, message="4 articles done")
    with session_scope() as s:
        runs = s.execute(
            select(Article.external_id, StageRun.stage, StageRun.started_at, StageRun.finished_at)
            .join(StageRun, StageRun.article_id == Article.id)
            .order_by(StageRun.started_at)
        ).all()
    # One worker process: each article runs its whole chain before the next article's first step.
    order = [ext for ext, *_ in runs]
    assert order == sorted(order, key=lambda ext: order.index(ext)), order
    assert len(order) == 4 * len(STEPS)
    assert [order[k] for k in range(0, len(order), len(STEPS))] == [f"b{i}" for i in range(4)]


def test_bad_line_is_reported_recorded_and_the_rest_processed(start_worker, worker_env, tmp_path):
    start_worker()
    path = tmp_path / "batch.jsonl"
    good = [
        {"id": f"g{i}", "body": f"التقى الرئيس المصري نظيره الفرنسي في القاهرة اليوم رقم {i}."}
        for i in range(2)
    ]
    lines = [
        json.dumps(good[0], ensure_ascii=False),
        '{"id": "broken", "body": ',
        json.dumps(good[1], ensure_ascii=False),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    r = khabar(worker_env, "enqueue", str(path), "--wait", "--timeout", "120")
    assert r.returncode == 1
    assert f"{path}:2: malformed JSON" in r.stderr.decode()
    assert "accepted 2" in r.stdout.decode()
    assert scalar(select(func.count()).select_from(Article).where(Article.status == "done")) == 2
    with session_scope() as s:
        (failure,) = s.scalars(select(Failure)).all()
    assert (failure.stage, failure.payload_ref) == ("validate", f"{path}:2")
    assert failure.payload == '{"id": "broken", "body": '
    listed = khabar(worker_env, "failures", "list")
    assert f"{path}:2" in listed.stdout.decode()


def test_non_arabic_article_fails_visibly(start_worker, worker_env, tmp_path):
    start_worker()
    path = tmp_path / "en.jsonl"
    path.write_text(json.dumps({"id": "en", "body": "The talks were held in New York last April."}) + "\n")
    r = khabar(worker_env, "enqueue", str(path), "--wait", "--timeout", "120")
    assert r.returncode == 1  # --wait reports failed articles, and why
    assert f"failed  {path}:1 (" in r.stderr.decode() and "normalise: " in r.stderr.decode()
    with session_scope() as s:
        article = s.scalars(select(Article)).one()
        failure = s.scalars(select(Failure)).one()
    assert article.status == "failed"
    assert (failure.stage, failure.error_class) == ("normalise", "UnsupportedLanguage")
    status = khabar(worker_env, "status")
    assert "failed 1" in status.stdout.decode() and "normalise 1" in status.stdout.decode()


@pytest.mark.skipif(os.environ.get("KHABAR_SKIP_PICKLE_TEST") == "1", reason="explicitly skipped")
def test_pickle_message_is_refused(start_worker, worker_env):
    """accept_content is JSON only: a pickled task message never runs."""
    import kombu

    w = start_worker()
    with kombu.Connection(worker_env["KHABAR_BROKER_URL"]) as conn:
        producer = conn.Producer(serializer="pickle")
        producer.publish(
            {"args": ["nope"], "kwargs": {}, "task": "khabar.normalise"},
            routing_key=worker_env["KHABAR_QUEUE"],
            headers={"task": "khabar.normalise", "id": "pickled-1", "lang": "py"},
            declare=[kombu.Queue(worker_env["KHABAR_QUEUE"])],
        )
    wait_until(
        lambda: (
            b"ContentDisallowed: Refusing to deserialize untrusted content of type pickle"
            in w.log_path.read_bytes()
        ),
        30,
        message="worker refusing the pickle message",
    )
    assert b"Task khabar.normalise[pickled-1] received" not in w.log_path.read_bytes()


AMQP_URL = os.environ.get("KHABAR_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672//")


@pytest.fixture()
def rabbitmq_env(worker_env):
    """The worker environment on RabbitMQ (this run's private queues on it), the documents in the
    test Redis database; skipped where no RabbitMQ answers."""
    import kombu

    try:
        with kombu.Connection(AMQP_URL, connect_timeout=3) as conn:
            conn.ensure_connection(max_retries=1)
    except Exception as exc:  # noqa: BLE001 - any failure to connect means: not on this machine
        pytest.skip(f"no RabbitMQ at {AMQP_URL}: {exc}")
    env = {
        **worker_env,
        "KHABAR_BROKER_URL": AMQP_URL,
        "KHABAR_DOCUMENT_CACHE_URL": worker_env["KHABAR_BROKER_URL"],
    }
    # An hour: on Redis a killed worker's message would wait that long; on AMQP it must not.
    env["KHABAR_VISIBILITY_TIMEOUT"] = "3600"
    yield env
    with kombu.Connection(AMQP_URL) as conn:
        for queue in (env["KHABAR_QUEUE"], env["KHABAR_QUEUE"] + ".continue"):
            with conn.channel() as channel:
                try:
                    channel.queue_delete(queue)
                except Exception:  # noqa: BLE001, S110 - never declared
                    pass


def test_on_rabbitmq_articles_flow_and_a_killed_workers_step_comes_back_at_once(rabbitmq_env, tmp_path):
    from worker.supervise import WorkerProcess

    paused = WorkerProcess(
        {**rabbitmq_env, "KHABAR_TEST_PAUSE_STAGE": "ner", "KHABAR_TEST_PAUSE_SECONDS": "600"},
        tmp_path / "paused.log",
    )
    rescuer = None
    try:
        paused.wait_ready()
        r = khabar(rabbitmq_env, "enqueue", SEEDS[0])
        assert r.returncode == 0 and "accepted 1" in r.stdout.decode(), r.stderr.decode()
        wait_until(lambda: b"pausing" in paused.log_path.read_bytes(), 120, message="worker paused in ner")
        rescuer = WorkerProcess(rabbitmq_env, tmp_path / "rescuer.log")
        rescuer.wait_ready()
        paused.kill()  # its unacknowledged message returns to the queue when its connection drops
        done = select(func.count()).select_from(Article).where(Article.status == "done")
        wait_until(lambda: scalar(done) == 1, 60, message="the killed worker's article done by the other")
        r = khabar(rabbitmq_env, "enqueue", *SEEDS[1:], "--wait", "--timeout", "180")
        assert r.returncode == 0 and "done 3" in r.stdout.decode(), r.stdout.decode() + r.stderr.decode()
        assert scalar(select(func.count()).select_from(StageRun)) == 4 * len(STEPS)
        assert no_intermediate_state(rabbitmq_env)
    finally:
        for w in (paused, rescuer):
            if w is not None:
                w.stop()


@pytest.mark.parametrize(
    "chain",
    [TWO_TASK_CHAIN, "normalise+segment+ner+link+actors+events+store"],
)
def test_a_batched_article_keeps_the_warning_of_its_segmentation_when_done(
    start_worker, worker_env, tmp_path, chain
):
    # Segmentation in the first task of the chain or in the same task as the store: either way
    # the cap warning is on the article once it is done.
    worker_env = {**worker_env, "KHABAR_BATCH_SIZE": "4", "KHABAR_MAX_SENTENCES": "5", "KHABAR_CHAIN": chain}
    start_worker(**{k: worker_env[k] for k in ("KHABAR_BATCH_SIZE", "KHABAR_MAX_SENTENCES", "KHABAR_CHAIN")})
    path = tmp_path / "long.jsonl"
    long = " ".join(f"زار الوزير المدينة رقم {n}." for n in range(12))
    path.write_text(
        json.dumps({"id": "long", "body": long}, ensure_ascii=False)
        + "\n"
        + json.dumps({"id": "short", "body": "زار وزير الخارجية القطري بغداد أمس."}, ensure_ascii=False)
        + "\n"
    )
    r = khabar(worker_env, "enqueue", str(path), "--wait", "--timeout", "120")
    assert r.returncode == 0, r.stdout.decode() + r.stderr.decode()
    with session_scope() as s:
        warnings = {a.external_id: a.warnings for a in s.scalars(select(Article))}
    assert warnings["short"] in (None, [])
    assert len(warnings["long"] or []) == 1 and "KHABAR_MAX_SENTENCES" in warnings["long"][0]


def test_a_pool_process_recycled_after_every_task_is_replaced_and_every_article_done(
    start_worker, worker_env
):
    from types import SimpleNamespace

    from worker.app import app
    from worker.pool import MAINTAIN_EVERY, TaskPool

    # `--pool prefork` takes the class worker_pool names, whose pool looks for exited processes
    # every MAINTAIN_EVERY seconds, not every 5 (celery/celery#9588)
    assert app.conf.worker_pool == "worker.pool:TaskPool"
    check = object()
    assert TaskPool.Pool.timers.fget(SimpleNamespace(maintain_pool=check)) == {check: MAINTAIN_EVERY}
    # a chain of two tasks (the default is one), so that a task's output is handed to the next
    # task through Redis; the producer builds the chain, so it has the setting too
    worker_env["KHABAR_CHAIN"] = TWO_TASK_CHAIN
    w = start_worker(KHABAR_WORKER_MAX_TASKS_PER_CHILD="1")  # every task ends its process's life
    r = khabar(worker_env, "enqueue", *SEEDS, "--wait", "--timeout", "180")
    out = r.stdout.decode()
    assert r.returncode == 0, out + r.stderr.decode()
    assert "done 4" in out
    # the first pool process and a successor for each task (each chain has two); the last
    # successor starts after the last task has finished the article, so it may log a moment later
    deadline = time.monotonic() + 15
    while (log := w.log_path.read_text(errors="replace")).count("worker process ready") < 3:
        if time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert log.count("worker process ready") >= 3
    # each process's last task sent its hand-over to Redis: no chain's second task found its
    # input gone with the process that made it (and ran the first stages again)
    assert "no cached input" not in log
