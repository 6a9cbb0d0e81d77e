"""`khabar metrics` for real: a subprocess serving Prometheus metrics read from the test Postgres
database and the test Redis queues, scraped over HTTP; a service that is down shows as *_up 0."""

from __future__ import annotations

import json
import socket
import subprocess
import sys

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import ROOT, free_port, wait_until
from tests.test_pipeline import khabar

pytestmark = pytest.mark.pipeline


@pytest.fixture()
def serve_metrics(tmp_path):
    procs = []

    def start(env) -> dict[tuple[str, tuple], float]:
        port = free_port()
        log = open(tmp_path / f"metrics{len(procs)}.log", "wb")  # noqa: SIM115 - closed with the process
        procs.append(
            (
                subprocess.Popen(
                    [sys.executable, "-m", "worker.cli", "metrics", "--port", str(port)],
                    cwd=ROOT,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                ),
                log,
            )
        )

        def scrape():
            try:
                return requests.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
            except requests.ConnectionError:
                return None

        text = wait_until(scrape, 30, message="metrics endpoint up")
        return {
            (s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text)
            for s in family.samples
        }

    yield start
    for proc, log in procs:
        proc.terminate()
        proc.wait(10)
        log.close()


def test_metrics_report_articles_failures_and_queues(worker_env, serve_metrics, tmp_path):
    batch = tmp_path / "batch.jsonl"
    lines = [json.dumps({"id": f"m{i}", "body": f"زار وزير الخارجية بغداد أمس رقم {i}."}) for i in range(3)]
    batch.write_text("\n".join([*lines, '{"id": "broken"']) + "\n", encoding="utf-8")
    worker_env["KHABAR_BATCH_SIZE"] = "2"  # a message is a chain of up to 2 articles
    r = khabar(worker_env, "enqueue", str(batch))  # no worker runs: the articles stay queued
    assert r.returncode == 1 and "accepted 3" in r.stdout.decode()
    queue = worker_env["KHABAR_QUEUE"]

    m = serve_metrics(worker_env)
    assert m[("khabar_database_up", ())] == 1 and m[("khabar_broker_up", ())] == 1
    assert m[("khabar_articles", (("status", "queued"),))] == 3
    assert m[("khabar_articles", (("status", "done"),))] == 0
    assert m[("khabar_open_failures", (("stage", "validate"),))] == 1
    assert m[("khabar_queue_messages", (("queue", queue),))] == 2  # 3 articles: batches of 2 and 1
    assert m[("khabar_queue_messages", (("queue", queue + ".continue"),))] == 0
    assert 0 <= m[("khabar_oldest_in_flight_age_seconds", ())] < 600


def test_a_service_that_is_down_shows_as_not_up(worker_env, serve_metrics):
    no_broker = serve_metrics({**worker_env, "KHABAR_BROKER_URL": f"redis://127.0.0.1:{free_port()}/0"})
    assert no_broker[("khabar_broker_up", ())] == 0 and no_broker[("khabar_database_up", ())] == 1
    assert not any(name == "khabar_queue_messages" for name, _ in no_broker)
    dead_db = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/test?connect_timeout=2"
    no_db = serve_metrics({**worker_env, "KHABAR_DATABASE_URL": dead_db})
    assert no_db[("khabar_database_up", ())] == 0 and no_db[("khabar_broker_up", ())] == 1
    assert not any(name == "khabar_articles" for name, _ in no_db)


def test_a_taken_port_is_a_clear_error(worker_env):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        r = khabar(worker_env, "metrics", "--port", str(port), timeout=60)
    assert r.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in r.stderr.decode()
    assert "Traceback" not in r.stderr.decode()
