"""The AMQP bridge on the real RabbitMQ (127.0.0.1:5672, guest/guest, or KHABAR_TEST_AMQP_URL) and
Postgres: a bridge SIGKILLed mid-stream loses no message and stores none twice."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import pytest
from sqlalchemy import func, select

from tests.conftest import REDIS_URL, ROOT, RUN_ID, wait_until

pytestmark = pytest.mark.pipeline

AMQP_URL = os.environ.get("KHABAR_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672//")
VALID = 150
INVALID = 5


@pytest.fixture()
def amqp_queue():
    from kombu import Connection

    conn = Connection(AMQP_URL, connect_timeout=3)
    try:
        conn.ensure_connection(max_retries=1)
    except Exception as exc:  # noqa: BLE001
        pytest.skip(f"RabbitMQ is not reachable at {AMQP_URL} ({exc}); set KHABAR_TEST_AMQP_URL")
    name = f"khabar-test-amqp-{RUN_ID}"
    channel = conn.channel()
    channel.queue_delete(name)
    yield conn, name
    channel = conn.channel()
    channel.queue_delete(name)
    conn.release()


def depth(conn, name: str) -> tuple[int, int]:
    """(messages ready, consumers) of a queue."""
    _, ready, consumers = conn.channel().queue_declare(name, passive=True)
    return ready, consumers


def publish(conn, name: str) -> None:
    from kombu import Queue

    producer = conn.Producer()
    queue = Queue(name, routing_key=name, durable=True)
    for i in range(VALID):
        body = json.dumps(
            {"id": f"q{i}", "body": f"تظاهر المئات في عمان للمطالبة بالإصلاح للمرة رقم {i}."},
            ensure_ascii=False,
        ).encode("utf-8")
        producer.publish(
            body, routing_key=name, declare=[queue], content_type="application/json", delivery_mode=2
        )
        if i % 30 == 7:  # invalid messages among the valid ones
            producer.publish(f"{{not json {i}".encode(), routing_key=name, declare=[queue], delivery_mode=2)


def start_bridge(db: str, name: str, log) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KHABAR_")}
    env.update(
        PYTHONPATH=str(ROOT),
        KHABAR_DATABASE_URL=db,
        KHABAR_BROKER_URL=REDIS_URL,
        KHABAR_QUEUE=os.environ["KHABAR_QUEUE"],
    )
    cmd = [sys.executable, "-m", "worker.cli", "bridge", "--amqp", AMQP_URL, "--queue", name]
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=log)


def test_bridge_killed_mid_stream_loses_nothing_and_doubles_nothing(pg, amqp_queue, tmp_path):
    from db.models import Article, Failure
    from db.session import session_scope

    conn, name = amqp_queue
    publish(conn, name)
    # RabbitMQ counts a published message in the queue's depth a moment later: wait for all of them.
    wait_until(lambda: depth(conn, name)[0] == VALID + INVALID, timeout=30, message="every message queued")

    def stored() -> int:
        with session_scope() as s:
            return s.scalar(select(func.count()).select_from(Article))

    with open(tmp_path / "bridge1.log", "wb") as log:
        first = start_bridge(pg, name, log)
        try:
            wait_until(lambda: stored() >= 40, timeout=120, message="40 articles stored by the first bridge")
        finally:
            first.send_signal(signal.SIGKILL)  # mid-stream: the message in hand is never acknowledged
            first.wait(timeout=30)
    assert stored() < VALID, "the first bridge finished before it was killed: nothing was tested"

    with open(tmp_path / "bridge2.log", "wb") as log:
        second = start_bridge(pg, name, log)
        try:
            wait_until(lambda: depth(conn, name) == (0, 1), timeout=180, message="the queue drained")
        finally:
            second.send_signal(signal.SIGTERM)
            second.wait(timeout=30)
    out = (tmp_path / "bridge2.log").read_text(encoding="utf-8")
    assert second.returncode == 1 and "bridged " in out, out  # exit 1: it refused invalid messages

    assert depth(conn, name) == (0, 0)  # nothing left, nothing unacknowledged returned to the queue
    with session_scope() as s:
        ids = s.scalars(select(Article.external_id)).all()
        refs = s.scalars(select(Failure.payload_ref).where(Failure.stage == "validate")).all()
    assert sorted(ids) == sorted(f"q{i}" for i in range(VALID))  # 0 lost, 0 doubled
    assert len(refs) == len(set(refs)) == INVALID and all(r.startswith(f"amqp:{name}#") for r in refs)
