"""The worker's pool: Celery's prefork pool, with a recycled pool process replaced at once.

When a pool process leaves after ``worker_max_tasks_per_child`` (or its memory limit), Celery's
asynchronous pool often starts its successor only at its periodic pool check, every 5 s, not when
the process exits (celery/celery#9588, open): a worker of concurrency 1 then takes no task for up
to 5 s. Measured here on 1,000 articles (`khabar bench pipeline --limit 1000`), the successor was
ready 0.1–4.9 s after the last task of the process it replaced, about every 250 articles. The
check runs every ``MAINTAIN_EVERY`` seconds instead: it only joins exited processes and starts
their successors, nothing when none has exited.
"""

from __future__ import annotations

from celery.concurrency.asynpool import AsynPool
from celery.concurrency.prefork import TaskPool as PreforkTaskPool

MAINTAIN_EVERY = 0.2


class _AsynPool(AsynPool):
    @property
    def timers(self):
        return {self.maintain_pool: MAINTAIN_EVERY}


class TaskPool(PreforkTaskPool):
    """``--pool prefork`` with ``worker_pool`` set to this class (worker/app.py)."""

    Pool = _AsynPool
