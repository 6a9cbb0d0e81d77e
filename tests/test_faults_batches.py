"""Batches of articles in one chain (KHABAR_BATCH_SIZE > 1), with real workers on the fault tests'
private servers: one article failing for good while the others end done, a worker killed with a
batch, a batch whose article keeps killing its worker split until the poison limit isolates it.
"""

from __future__ import annotations

import os
import signal

import pytest
from sqlalchemy import select

from db.models import Failure
from db.session import session_scope
from tests import test_faults
from tests.conftest import reset_settings, wait_until
from tests.test_faults import _pool_children, article, assert_clean
from worker.commands.soak import audit

pytestmark = pytest.mark.fault

# The fault tests' private servers and stack (a module's fixtures, used here under the same names).
servers = test_faults.servers
stack = test_faults.stack


def batches_of(st, n: int) -> None:
    """Producer (this process) and the workers started after: chains of ``n`` articles."""
    st.env["KHABAR_BATCH_SIZE"] = str(n)
    reset_settings(KHABAR_BATCH_SIZE=str(n))


def test_one_article_of_a_batch_fails_for_good_and_the_others_end_done(stack):
    batches_of(stack, 5)
    stack.start_worker(KHABAR_TEST_FAIL_STAGE="ner")
    batch = [article(i, "b") for i in range(4)]
    batch.insert(1, article(9, "poison", extra="POISON"))
    ids = stack.enqueue(batch)
    poison = ids[1]
    statuses = stack.wait_finished(ids, 60)
    assert statuses.pop(poison) == "failed"
    assert set(statuses.values()) == {"done"}
    with session_scope() as s:
        (f,) = s.scalars(select(Failure)).all()
    assert (f.article_id, f.stage, f.error_class, f.attempts) == (poison, "ner", "InjectedFailure", 1)
    assert "Retry in" not in stack.logs()

    # Fixed: the failure is re-driven on its own and the batch ends clean.
    stack.workers.pop().stop()
    stack.start_worker()
    r = stack.khabar("failures", "retry", "--id", poison)
    assert r.returncode == 0 and "re-driven 1" in r.stdout.decode(), r.stderr.decode()
    stack.wait_finished([poison], 60)
    assert_clean(ids)


def test_a_worker_killed_with_a_batch_the_batch_comes_back_split_and_ends_clean(stack):
    """kill -9 of the whole worker while a batch is in its first task: the message comes back
    after the visibility timeout, the next delivery splits the batch (each article its own chain)
    and every article ends done exactly once."""
    batches_of(stack, 3)
    w = stack.start_worker(KHABAR_TEST_PAUSE_STAGE="ner", KHABAR_TEST_PAUSE_SECONDS="60")
    ids = stack.enqueue([article(i, "killed") for i in range(3)])
    wait_until(lambda: "test hook: pausing" in w.log_path.read_text(), 60, message="worker in ner")
    w.kill()
    assert set(stack.statuses(ids).values()) == {"processing"}
    stack.start_worker()
    stack.wait_finished(ids, 60)
    assert stack.logs().count("batch split at normalise: 3 articles") == 1
    assert_clean(ids)


def test_a_batch_whose_article_keeps_killing_its_worker_is_split_and_the_article_set_aside(stack):
    """The pool process dies whenever one article of the batch reaches segment: the batch is
    split at its redelivery, the others end done, and the killer alone reaches the poison limit."""
    batches_of(stack, 3)
    w = stack.start_worker(
        KHABAR_TEST_PAUSE_STAGE="segment",
        KHABAR_TEST_PAUSE_SECONDS="30",
        KHABAR_TEST_PAUSE_MATCH="KILLER",
        KHABAR_MAX_REDELIVERIES="2",
    )
    ids = stack.enqueue([article(1, "k"), article(2, "k", extra="KILLER"), article(3, "k")])
    killer = ids[1]
    for n in range(1, 3):  # once as a batch, once alone
        wait_until(
            lambda n=n: w.log_path.read_text().count("test hook: pausing") >= n, 60, message=f"start {n}"
        )
        for child in _pool_children(w.proc.pid):
            os.kill(child, signal.SIGKILL)
    statuses = stack.wait_finished(ids, 60)
    assert statuses.pop(killer) == "failed"
    assert set(statuses.values()) == {"done"}
    with session_scope() as s:
        (f,) = s.scalars(select(Failure)).all()
    assert (f.article_id, f.stage, f.error_class) == (killer, "segment", "RedeliveryLimit")
    assert "batch split at normalise" in stack.logs()
    assert w.log_path.read_text().count("test hook: pausing") == 2
    with session_scope() as s:
        result = audit(s, [a for a in ids if a != killer])
    assert result["done"] == 2 and (result["lost"], result["duplicated"], result["missing"]) == (0, 0, 0)


def test_a_batch_over_its_hard_time_limit_is_split_and_only_the_slow_article_fails(stack):
    """The hard limit of a batch is its articles' together; when one article holds the batch past
    it, the worker's main process splits the batch and the slow article meets its own limit alone."""
    batches_of(stack, 3)
    # 8 s an article: enough for a pool process started after a kill to load the models and run
    # one; the batch gets 24 s, and a visibility timeout above that (or Redis hands the running
    # batch to a second delivery, which would split it too: harmless, but not what is tested).
    stack.start_worker(
        KHABAR_TEST_PAUSE_STAGE="segment",
        KHABAR_TEST_PAUSE_SECONDS="60",
        KHABAR_TEST_PAUSE_MATCH="SLOW",
        KHABAR_TASK_SOFT_TIME_LIMIT="0",
        KHABAR_TASK_TIME_LIMIT="8",
        KHABAR_VISIBILITY_TIMEOUT="60",
    )
    ids = stack.enqueue([article(1, "t"), article(2, "t", extra="SLOW"), article(3, "t")])
    slow = ids[1]
    statuses = stack.wait_finished(ids, 120)
    assert statuses.pop(slow) == "failed"
    assert set(statuses.values()) == {"done"}
    with session_scope() as s:
        (f,) = s.scalars(select(Failure)).all()
    assert (f.article_id, f.stage, f.error_class) == (slow, "segment", "TimeLimitExceeded")
    assert stack.logs().count("batch split at normalise: 3 articles") == 1
