"""The Celery app. Its configuration is where Khabar defends against Celery's known pitfalls
(ARCHITECTURE.md): JSON only, late acks with reject-on-worker-lost, prefetch 1, a visibility
timeout above the hard time limit, time limits, child recycling, task events on for Flower. The
later steps of each chain go to a queue that workers serve first (settings.continue_queue): with
one FIFO queue, a batch of N articles would run N first steps before any article finished.
"""

from __future__ import annotations

import gc
import importlib
import logging

from celery import Celery
from celery.signals import worker_init, worker_process_init, worker_ready

from worker.settings import Settings, get_settings


def configure(app: Celery, s: Settings) -> None:
    app.conf.update(
        broker_url=s.broker_url,
        result_backend=s.result_backend,
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        result_accept_content=["json"],
        task_default_queue=s.queue,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        broker_transport_options={
            "visibility_timeout": s.visibility_timeout,
            "unacked_restore_interval": s.unacked_restore_interval,
            "unacked_restore_throttle": 1,
            "unacked_mutex_expire": s.unacked_mutex_expire,
            # Serve a worker's queues in the order given (continue queue first), not round robin.
            "queue_order_strategy": "priority",
        },
        # Also used for the next step of a chain, sent by the worker when a step ends.
        task_publish_retry_policy={
            "max_retries": s.publish_retries,
            "interval_start": 0.5,
            "interval_step": 1,
            "interval_max": 5,
        },
        result_backend_transport_options={"visibility_timeout": s.visibility_timeout},
        task_soft_time_limit=s.task_soft_time_limit or None,
        task_time_limit=s.task_time_limit,
        # Counted in articles' tasks: a batch's task is KHABAR_BATCH_SIZE of them. A pool process's
        # memory grows with the articles it has seen (the per-word caches of the stages), so it is
        # recycled after as many articles whatever the batch size (500 tasks of batches of 16,
        # about 4,000 articles, took one past 530 MB in the whole-corpus soak).
        worker_max_tasks_per_child=max(1, s.worker_max_tasks_per_child // s.batch_size),
        worker_max_memory_per_child=s.worker_max_memory_per_child_kb,
        # prefork, with a recycled pool process replaced at once (worker/pool.py)
        worker_pool="worker.pool:TaskPool",
        worker_send_task_events=s.task_events,
        task_send_sent_event=s.task_events,
        task_track_started=True,
        task_ignore_result=s.result_backend is None,
        broker_connection_retry_on_startup=True,
        broker_connection_max_retries=None,
        worker_hijack_root_logger=False,
    )


app = Celery("khabar", include=["worker.tasks"])
configure(app, get_settings())


@worker_init.connect
def _before_fork(**_kwargs) -> None:
    # Imported by name: this module is imported by the read-only web window, which must not
    # reach the stages (import-linter follows import statements); only a worker sends this signal.
    preload = importlib.import_module("worker.preload").preload
    _started["preloaded"] = preload(get_settings())


# What the main process did before its pool forked, logged once logging is set up (at worker_ready).
_started: dict[str, bool] = {"preloaded": False}


@worker_process_init.connect
def _after_fork(**_kwargs) -> None:
    # A pool inherited across fork would share sockets between processes.
    from db.session import reset_engines
    from worker import documents

    reset_engines()
    documents.reset()
    threshold = get_settings().worker_gc_threshold
    if threshold:
        gc.set_threshold(threshold, *gc.get_threshold()[1:])
    logging.getLogger("khabar").info("worker process ready")


@worker_ready.connect
def _check_settings(**_kwargs) -> None:
    if _started["preloaded"]:
        logging.getLogger("khabar").info("models loaded before the pool forked")
    for warning in get_settings().warnings():
        logging.getLogger("khabar").warning(warning)
