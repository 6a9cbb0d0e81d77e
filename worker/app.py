"""The Celery app. Its configuration is where Khabar defends against Celery's known pitfalls
(ARCHITECTURE.md): JSON only, late acks with reject-on-worker-lost, prefetch 1, a visibility
timeout above the hard time limit, time limits, child recycling, task events on for Flower. The
later steps of each chain go to a queue that workers serve first (settings.continue_queue): with
one FIFO queue, a batch of N articles would run N first steps before any article finished.
"""

from __future__ import annotations

import gc
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


# What the main process runs through every stage before its pool forks: enough text for each
# stage to load what it loads on its first article (the NER model and lexicons, the gazetteers,
# the role and place models, the event word lists).
WARM_UP_TITLE = "خادم الحرمين يستقبل وزير الخارجية الأمريكي"
WARM_UP_TEXT = (
    "الرياض - واس: استقبل خادم الحرمين الشريفين الملك عبدالله بن عبدالعزيز آل سعود في قصره بالرياض "
    "أمس وزير الخارجية الأمريكي جون كيري، وبحث معه العلاقات الثنائية. وقال المتحدث الأمني لوزارة "
    "الداخلية اللواء منصور التركي إن قوات الأمن اعتقلت ثلاثة مطلوبين بعد هجوم على نقطة تفتيش في "
    "محافظة القطيف يوم الأحد ٥ مايو ٢٠١٣. وفاز الهلال على النصر بهدفين في الدوري."
)


def preload(s: Settings) -> bool:
    """Run the stages once in this process, so that the processes it forks share their models
    (copy on write), then move everything alive out of the cyclic collector's reach (``gc.freeze``):
    a pool process neither loads the models again nor scans them in its collections. False when
    nothing was loaded (turned off, another NER backend, or an error: each pool process then loads
    its own on its first article, as without this)."""
    if not s.worker_preload or s.ner_backend != "shipped":
        # camel's torch model: its thread pools do not survive a fork, so each child loads it.
        return False
    from worker.stages.document import Document
    from worker.stages.pipeline import ORDER, STAGES

    try:
        doc = Document(id="warm-up", title=WARM_UP_TITLE, text=WARM_UP_TEXT)
        config = s.stage_config()
        for name in ORDER:
            doc = STAGES[name](doc, config)
    except Exception:  # noqa: BLE001 - a faster start is not worth a worker that does not start
        logging.getLogger("khabar").exception("models not preloaded: each pool process loads its own")
        return False
    gc.collect()
    gc.freeze()
    return True


@worker_init.connect
def _before_fork(**_kwargs) -> None:
    if preload(get_settings()):
        logging.getLogger("khabar").info("models loaded before the pool forks")


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
    for warning in get_settings().warnings():
        logging.getLogger("khabar").warning(warning)
