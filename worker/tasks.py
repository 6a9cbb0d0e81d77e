"""One thin Celery task per step, and the chain builder. Messages carry the article id only.

``stage_task`` is the one decorator every step goes through (Sentry's ``instrumented_task``
idiom): explicit name, retry policy with exponential backoff and jitter for transient errors
only, the failures table (and a FAILURE state, for Flower) for what fails for good.
"""

from __future__ import annotations

import random

from celery import Task, chain
from celery.exceptions import Reject

from worker import steps
from worker.app import app
from worker.settings import get_settings


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


def execute(task: Task, step: str, article_id: str) -> str:
    s = get_settings()
    attempts = task.request.retries + 1
    try:
        return steps.run_step(article_id, step, s)
    except steps.TRANSIENT as exc:
        # Only these are retried: the database, the network or the broker may come back.
        if task.request.retries < s.max_retries:
            try:
                task.retry(exc=exc, countdown=_backoff(task.request.retries, s.retry_backoff_max))
            except Reject:
                # Celery could not send the retry (the broker is down too) and would drop the
                # message: record the failure instead, so that `khabar failures retry` re-drives it.
                pass
        raise _failed(article_id, step, exc, attempts) from exc
    except Exception as exc:
        # A bug or an input the code cannot handle fails the same way every time: no retries.
        raise _failed(article_id, step, exc, attempts) from exc


class StageTask(Task):
    """Base of the stage tasks. ``on_failure`` covers what ``execute`` cannot catch: the hard time
    limit (Celery 5.7 calls it in the worker's main process after killing the child) and a chain
    step that could not be sent after this step succeeded (the broker stayed down longer than the
    publish retry policy). Celery acknowledges the message in both cases; without this the
    article would stay ``processing`` with no failure row."""

    def on_failure(self, exc, task_id, args, kwargs, einfo) -> None:
        if isinstance(exc, StepFailed):  # recorded by execute already
            return
        step = self.name.removeprefix("khabar.")
        article_id = args[0] if args else kwargs.get("article_id")
        if article_id and step in steps.STEPS:
            steps.fail(str(article_id), step, exc)


def stage_task(step: str) -> Task:
    def run(self: Task, article_id: str) -> str:
        return execute(self, step, article_id)

    run.__name__ = step
    # throws: an expected outcome, logged as one line without a traceback (it is in failures).
    return app.task(name=f"khabar.{step}", bind=True, max_retries=None, base=StageTask, throws=(StepFailed,))(
        run
    )


TASKS: dict[str, Task] = {step: stage_task(step) for step in steps.STEPS}


def build_chain(article_id: str, start: str = steps.STEPS[0]):
    """The chain of immutable signatures from ``start`` to the end; each carries only the id. The
    first step waits on the queue of new articles, the others on the continue queue."""
    s = get_settings()
    return chain(
        *(
            TASKS[step].si(article_id).set(queue=s.queue if step == steps.STEPS[0] else s.continue_queue)
            for step in steps.STEPS[steps.STEPS.index(start) :]
        )
    )
