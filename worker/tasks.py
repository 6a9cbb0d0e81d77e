"""One thin Celery task per step, and the chain builder. Messages carry the article id only.

``stage_task`` is the one decorator every step goes through (Sentry's ``instrumented_task``
idiom): explicit name, retry policy with exponential backoff and jitter for transient errors,
the failures table for what fails for good.
"""

from __future__ import annotations

import random

from celery import Task, chain
from celery.exceptions import Ignore, Reject, SoftTimeLimitExceeded

from worker import steps
from worker.app import app
from worker.settings import get_settings


def _backoff(retries: int, cap: int) -> float:
    return min(cap, 2**retries) * random.uniform(0.5, 1.5)


def execute(task: Task, step: str, article_id: str) -> str:
    s = get_settings()
    try:
        return steps.run_step(article_id, step, s)
    except (steps.RedeliveryLimit, SoftTimeLimitExceeded, *steps.PERMANENT) as exc:
        steps.fail(article_id, step, exc, s)
        raise Ignore() from exc  # the chain stops here; the failure is recorded
    except Exception as exc:
        attempts = task.request.retries + 1
        if task.request.retries < s.max_retries:
            try:
                task.retry(exc=exc, countdown=_backoff(task.request.retries, s.retry_backoff_max))
            except Reject as rejected:
                # Celery could not send the retry (the broker is down too) and would drop the
                # message: record the failure instead, so that `khabar failures retry` re-drives it.
                steps.fail(article_id, step, exc, s, attempts=attempts)
                raise Ignore() from rejected
        steps.fail(article_id, step, exc, s, attempts=attempts)
        raise Ignore() from exc


class StageTask(Task):
    """Base of the stage tasks. ``on_failure`` covers what ``execute`` cannot catch: the hard time
    limit (Celery 5.7 calls it in the worker's main process after killing the child) and a chain
    step that could not be sent after this step succeeded (the broker stayed down longer than the
    publish retry policy). Celery acknowledges the message in both cases; without this the
    article would stay ``processing`` with no failure row."""

    def on_failure(self, exc, task_id, args, kwargs, einfo) -> None:
        step = self.name.removeprefix("khabar.")
        article_id = args[0] if args else kwargs.get("article_id")
        if article_id and step in steps.STEPS:
            steps.fail(str(article_id), step, exc)


def stage_task(step: str) -> Task:
    def run(self: Task, article_id: str) -> str:
        return execute(self, step, article_id)

    run.__name__ = step
    return app.task(name=f"khabar.{step}", bind=True, max_retries=None, base=StageTask)(run)


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
