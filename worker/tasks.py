"""One thin Celery task per step, and the chain builder. Messages carry the article id only.

``stage_task`` is the one decorator every step goes through (Sentry's ``instrumented_task``
idiom): explicit name, retry policy with exponential backoff and jitter for transient errors
only, the failures table (and a FAILURE state, for Flower) for what fails for good.
"""

from __future__ import annotations

import logging
import random

from celery import Task, chain
from celery.exceptions import Reject
from celery.worker.request import Request

from worker import batches, steps
from worker.app import app
from worker.documents import documents_for
from worker.settings import Settings, get_settings

log = logging.getLogger("khabar.tasks")


def _backoff(retries: int, cap: int) -> float:
    return min(cap, 2**retries) * random.uniform(0.5, 1.5)


class StepFailed(Exception):
    """A step failed for good and is recorded in the failures table. It is raised, not swallowed
    (as ``Ignore`` would, leaving the task STARTED in Flower for ever): the task ends FAILURE with
    this message as its reason, and the rest of its chain is not run."""


def _failed(article_id: str, step: str, exc: BaseException, attempts: int) -> StepFailed:
    steps.fail(article_id, step, exc, get_settings(), attempts=attempts)
    tries = f" after {attempts} attempts" if attempts > 1 else ""
    return StepFailed(f"article {article_id}: {step} failed{tries}: {type(exc).__name__}: {str(exc)[:500]}")


def _next_in_chain(task: Task) -> str | None:
    """The step of the next task of this task's chain (None at the end): this task runs the
    stages up to it, so the chain's grouping is the one its sender chose."""
    rest = task.request.chain or []
    return str(rest[-1]["task"]).removeprefix("khabar.") if rest else None


def execute(task: Task, step: str, article_id: str) -> str:
    s = get_settings()
    attempts = task.request.retries + 1
    try:
        return steps.run_step(article_id, step, s, stages=steps.span(step, _next_in_chain(task)))
    except steps.TRANSIENT as exc:
        # Only these are retried: the database, the network or the broker may come back.
        if task.request.retries < s.max_retries:
            try:
                task.retry(exc=exc, countdown=_backoff(task.request.retries, s.retry_backoff_max))
            except Reject:
                # Celery could not send the retry (the broker is down too) and would drop the
                # message: record the failure instead, so that `khabar failures retry` re-drives it.
                pass
        raise _failed(article_id, steps.failed_stage(exc, step), exc, attempts) from exc
    except Exception as exc:
        # A bug or an input the code cannot handle fails the same way every time: no retries.
        raise _failed(article_id, steps.failed_stage(exc, step), exc, attempts) from exc


def execute_batch(task: Task, step: str, article_ids: list[str]) -> list[str]:
    """A batch's task: each article that fails for good is recorded alone and the others go on;
    a transient error retries the batch (idempotent); a batch a worker died with is split."""
    s = get_settings()
    attempts = task.request.retries + 1
    try:
        out = batches.run_batch(article_ids, step, s, stages=steps.span(step, _next_in_chain(task)))
    except steps.TRANSIENT as exc:
        if task.request.retries < s.max_retries:
            try:
                task.retry(exc=exc, countdown=_backoff(task.request.retries, s.retry_backoff_max))
            except Reject:
                pass  # the broker is down too: record the failures (below) for `failures retry`
        for a in _unfinished(article_ids):
            _failed(a, steps.failed_stage(exc, step), exc, attempts)
        raise StepFailed(
            f"batch of {len(article_ids)}: {step} failed after {attempts} attempts: {exc}"
        ) from exc
    for a, stage, exc in out.failed:
        _failed(a, stage, exc, attempts)
    if out.split:
        split(out.split, step)
    if not out.done:  # nothing left for the rest of the chain
        raise StepFailed(
            f"batch of {len(article_ids)}: none left after {step} ({len(out.failed)} failed, "
            f"{len(out.split)} sent on alone)"
        )
    return out.done


def _unfinished(article_ids: list[str]) -> list[str]:
    """Those of a batch still in flight (all of them when the database cannot say)."""
    from sqlalchemy import select

    from db.models import Article
    from db.session import session_scope

    try:
        with session_scope() as session:
            q = select(Article.id).where(Article.id.in_(article_ids), Article.status.in_(steps.ACTIVE))
            return list(session.scalars(q))
    except steps.TRANSIENT:
        return article_ids


def split(article_ids: list[str], step: str) -> None:
    """Send each article as a chain of its own from ``step`` (what a batch a worker died with
    becomes); one that cannot be sent is recorded as failed at ``step``, for `failures retry`."""
    from worker.producer import EnqueueReport, send

    if not article_ids:
        return

    report = EnqueueReport()
    send(article_ids, get_settings(), report, start=step, batch_size=1)
    for a, error in report.not_enqueued:
        steps.fail(a, step, RuntimeError(f"split from its batch, could not be sent: {error}"))
    log.warning("batch split at %s: %d articles sent as chains of their own", step, len(article_ids))


class BatchRequest(Request):
    """The time limits are per article: a batch of n articles gets n times the task's limits
    (Celery applies them per task, so a batch would otherwise share one article's budget)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        ids = self.args[0] if self.args else None
        if isinstance(ids, list) and len(ids) > 1:
            hard, soft = self.time_limits
            hard = hard or self.task.time_limit
            soft = soft or self.task.soft_time_limit
            self.time_limits = (hard and hard * len(ids), soft and soft * len(ids))


class StageTask(Task):
    """Base of the stage tasks. ``on_failure`` covers what ``execute`` cannot catch: the hard time
    limit (Celery 5.7 calls it in the worker's main process after killing the child) and a chain
    step that could not be sent after this step succeeded (the broker stayed down longer than the
    publish retry policy). Celery acknowledges the message in both cases; without this the
    article would stay ``processing`` with no failure row. A batch is split instead: each of
    its articles gets a chain of its own (and its own time limit)."""

    Request = BatchRequest

    def on_failure(self, exc, task_id, args, kwargs, einfo) -> None:
        if isinstance(exc, StepFailed):  # recorded by execute already
            return
        step = self.name.removeprefix("khabar.")
        article_id = args[0] if args else kwargs.get("article_id")
        if isinstance(article_id, list):
            if len(article_id) > 1 and step in steps.STEPS:
                split(_unfinished([str(a) for a in article_id]), step)
                return
            article_id = article_id[0] if article_id else None
        if article_id and step in steps.STEPS:
            try:  # the stage it was killed in: the first of its span not recorded
                step = steps.stage_in_progress(str(article_id), step)
            except Exception:  # noqa: BLE001, S110 - the database is away: name the task's first
                pass
            steps.fail(str(article_id), step, exc)


# The tasks this process has started: a pool process ends after worker_max_tasks_per_child of them.
_started = 0


def _count_task(s: Settings) -> None:
    """Count the task starting, and tell the document cache whether it is this process's last
    (its hand-overs then go to Redis: kept in this process, they would leave with it)."""
    global _started
    _started += 1
    limit = app.conf.worker_max_tasks_per_child
    documents_for(s).leaving = bool(limit) and _started % limit == 0


def stage_task(step: str) -> Task:
    def run(self: Task, article_id: str | list[str]) -> str | list[str]:
        _count_task(get_settings())
        if isinstance(article_id, list):  # a batch (KHABAR_BATCH_SIZE)
            if len(article_id) > 1:
                return execute_batch(self, step, [str(a) for a in article_id])
            article_id = article_id[0]
        return execute(self, step, article_id)

    run.__name__ = step
    # throws: an expected outcome, logged as one line without a traceback (it is in failures).
    return app.task(name=f"khabar.{step}", bind=True, max_retries=None, base=StageTask, throws=(StepFailed,))(
        run
    )


TASKS: dict[str, Task] = {step: stage_task(step) for step in steps.STEPS}


def build_chain(article_id: str | list[str], start: str = steps.STEPS[0]):
    """The chain of immutable signatures from ``start`` to the end, one task per group of
    ``KHABAR_CHAIN`` (each runs its stages up to the next task's); each carries only the id, or
    the ids of a batch (a list; a batch of one is sent as its id alone, as without batches). The
    first step waits on the queue of new articles, the others on the continue queue."""
    s = get_settings()
    if isinstance(article_id, list | tuple):
        article_id = list(article_id) if len(article_id) > 1 else article_id[0]
    first = steps.STEPS.index(start)
    heads = [start] + [h for h in steps.chain_heads(s) if steps.STEPS.index(h) > first]
    # No time limits in the message: Celery would stamp the sender's settings on it, and a task
    # must run under the limits of the worker that runs it.
    return chain(
        *(
            TASKS[step]
            .si(article_id)
            .set(
                queue=s.queue if step == steps.STEPS[0] else s.continue_queue,
                time_limit=None,
                soft_time_limit=None,
            )
            for step in heads
        )
    )
