"""One thin Celery task per step, and the chain builder. Messages carry the article id only.

``stage_task`` is the one decorator every step goes through (Sentry's ``instrumented_task``
idiom): explicit name, retry policy with exponential backoff and jitter for transient errors,
the failures table for what fails for good.
"""

from __future__ import annotations

import random

from celery import Task, chain
from celery.exceptions import Ignore, SoftTimeLimitExceeded

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
        if task.request.retries < s.max_retries:
            raise task.retry(exc=exc, countdown=_backoff(task.request.retries, s.retry_backoff_max)) from exc
        steps.fail(article_id, step, exc, s)
        raise Ignore() from exc


def stage_task(step: str) -> Task:
    def run(self: Task, article_id: str) -> str:
        return execute(self, step, article_id)

    run.__name__ = step
    return app.task(name=f"khabar.{step}", bind=True, max_retries=None)(run)


TASKS: dict[str, Task] = {step: stage_task(step) for step in steps.STEPS}


def build_chain(article_id: str, start: str = steps.STEPS[0], queue: str | None = None):
    """The chain of immutable signatures from ``start`` to the end; each carries only the id."""
    queue = queue or get_settings().queue
    return chain(*(TASKS[s].si(article_id).set(queue=queue) for s in steps.STEPS[steps.STEPS.index(start) :]))
