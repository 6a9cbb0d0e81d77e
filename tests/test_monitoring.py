"""Flower, for real: a Flower process with basic auth watches a real worker processing articles."""

from __future__ import annotations

import subprocess
import sys

import pytest
import requests

from tests.conftest import ROOT, TWO_TASK_CHAIN, free_port, wait_until
from tests.test_pipeline import khabar
from worker.settings import get_settings
from worker.steps import STEPS, chain_heads

pytestmark = pytest.mark.pipeline


@pytest.fixture()
def flower(worker_env, tmp_path):
    port = free_port()
    log = (tmp_path / "flower.log").open("wb")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "worker.app",
            "flower",
            f"--port={port}",
            "--address=127.0.0.1",
            "--basic-auth=ops:s3cret",
            "--persistent=False",
        ],
        cwd=ROOT,
        env=worker_env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"

    def up():
        try:
            return requests.get(base + "/healthcheck", timeout=1).status_code == 200
        except requests.ConnectionError:
            return False

    try:
        wait_until(up, 60, message="Flower listening")
        yield base
    finally:
        proc.terminate()
        proc.wait(15)
        log.close()


def test_flower_sees_the_chain_behind_basic_auth(start_worker, worker_env, flower):
    # A chain of two tasks (the default is one): Flower must see each task of a chain. The
    # producer (`khabar enqueue`) builds the chain, so it runs with the same setting.
    worker_env["KHABAR_CHAIN"] = TWO_TASK_CHAIN
    start_worker()
    assert requests.get(flower + "/api/workers", timeout=5).status_code == 401
    r = khabar(
        worker_env, "enqueue", str(ROOT / "seeds" / "000_seed_lavrov.jsonl"), "--wait", "--timeout", "120"
    )
    assert r.returncode == 0, r.stderr.decode()
    auth = ("ops", "s3cret")

    def task_names():
        tasks = requests.get(flower + "/api/tasks", auth=auth, timeout=5).json()
        return {t["name"] for t in tasks.values() if t.get("state") == "SUCCESS"}

    chain = {"khabar.normalise", "khabar.link"}
    names = wait_until(
        lambda: task_names() >= chain and task_names(), 30, message="Flower reporting the finished tasks"
    )
    assert names >= chain
    last = "khabar.link"
    metrics = requests.get(flower + "/metrics", auth=auth, timeout=5).text
    assert f'flower_events_total{{task="{last}"' in metrics or f'task="{last}"' in metrics


def test_a_step_that_fails_for_good_shows_as_failed_in_flower_with_its_reason(
    start_worker, worker_env, flower, tmp_path
):
    """It used to end by ``Ignore``: Flower showed the task STARTED for ever."""
    import json

    start_worker(KHABAR_TEST_FAIL_STAGE="ner")
    path = tmp_path / "poison.jsonl"
    path.write_text(json.dumps({"id": "poison", "body": "التقى الوزير نظيره في القاهرة. POISON"}) + "\n")
    r = khabar(worker_env, "enqueue", str(path), "--wait", "--timeout", "120")
    assert r.returncode == 1, r.stdout.decode() + r.stderr.decode()  # --wait reports the failure
    from sqlalchemy import select

    from db.models import Article
    from db.session import session_scope

    with session_scope() as s:
        article_id = s.scalars(select(Article.id)).one()
    auth = ("ops", "s3cret")

    # The task that runs the ner stage: the last chain task starting at or before it.
    heads = chain_heads(get_settings())
    runs_ner = "khabar." + [h for h in heads if STEPS.index(h) <= STEPS.index("ner")][-1]

    def ner_task():
        tasks = requests.get(flower + "/api/tasks", auth=auth, timeout=5).json()
        mine = [t for t in tasks.values() if t["name"] == runs_ner and article_id in (t.get("args") or "")]
        return mine[0] if mine and mine[0]["state"] != "STARTED" else None

    task = wait_until(ner_task, 30, message="Flower reporting the ner task finished")
    assert task["state"] == "FAILURE", task
    assert "InjectedFailure" in task["exception"] and "poison" in task["exception"], task["exception"]
    assert "ner failed" in task["exception"], task["exception"]  # the stage, not the task, is named
