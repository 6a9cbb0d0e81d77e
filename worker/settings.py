"""One typed settings object, read by the worker, the CLI and Alembic alike.

Every field can be set from the environment with the prefix ``KHABAR_`` (``KHABAR_DATABASE_URL``,
``KHABAR_BROKER_URL``…) or from a ``.env`` file in the working directory (see ``.env.example``).
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit, urlunsplit

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from worker.stages.config import StageConfig


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KHABAR_", env_file=".env", extra="ignore")

    # The embedded default: a SQLite file in the working directory, no services needed.
    database_url: str = "sqlite:///khabar.db"
    broker_url: str = "redis://127.0.0.1:6379/0"
    # Results are not used for data (Postgres holds it); a backend lets `enqueue --wait` follow chains.
    result_backend: str | None = None
    # New articles wait on ``queue``; the later steps of their chains on ``continue_queue``, which
    # workers serve first, so an article in progress finishes before new ones are started.
    queue: str = "khabar"

    # Redis where a step leaves its Document for the next one (worker/documents.py), for
    # ``document_ttl`` seconds; default: the broker when it is Redis, else the result backend when
    # that is Redis. With none, each step rebuilds its input from the raw article (correct, slower).
    document_cache_url: str | None = None
    document_ttl: int = 86_400
    # The commits before the last step do not wait for the disk (db.store.commit_may_be_lost):
    # on a busy disk that wait is most of a step's time. The store step's commit always waits.
    relaxed_commits: bool = True
    # The tasks of an article's chain: groups of stages, in order, each group one Celery task
    # ("+" joins stages into a task, "," separates tasks). A task costs about as much CPU in
    # Celery and bookkeeping as a whole small stage, so stages are grouped; every stage keeps
    # its stage run, its failures and its timing. One task by default: with batches, a second
    # task's hand-over (the documents through Redis, two more transactions, a message) cost 2-4
    # points of the pipeline's throughput against in process (issue 10, eleventh round). What
    # two tasks buy is a shorter redo: a worker killed in the second resumes from the first's
    # document instead of running the batch's first stages again. Two tasks:
    # "normalise+segment+ner,link+actors+events+store"; one stage per task:
    # "normalise,segment,ner,link,actors,events,store".
    chain: str = "normalise+segment+ner+link+actors+events+store"
    # Articles per chain: each task of a chain runs its stages for every article of its batch,
    # with one Celery message, one transaction at each end and one Redis round trip each way
    # for the whole batch; each article still fails, is recorded and is retried on its own
    # (worker/batches.py). 1: one chain per article, as before batches existed. The task's time
    # limits are per article (a batch of n gets n times them); keep the visibility timeout above
    # the hard limit times this.
    batch_size: int = Field(16, ge=1, le=100)
    # Celery task events (sent, received, started, succeeded…) for Flower: a message each.
    task_events: bool = True

    extractor_version: str = "0.1.0"
    max_body_bytes: int = Field(1_000_000, description="articles with a larger body are refused")
    max_sentences: int = 2000
    max_tokens_per_sentence: int = 400

    # Celery limits: one pathological article must not stall a worker. The soft limit raises in
    # the task (0: none); the hard limit kills the pool process. Soft must not exceed hard
    # (Celery refuses to send any task otherwise, so it is checked here, at start-up).
    task_soft_time_limit: int = 120
    task_time_limit: int = 180
    # Redis redelivers an unacknowledged message after this long: keep it above the hard limit.
    visibility_timeout: int = 3600
    # kombu scans Redis for unacknowledged messages older than the visibility timeout every this
    # many seconds (kombu's own default, 10 s × a throttle of 10, is nearer 100 s).
    unacked_restore_interval: int = 10
    # The sweep holds a lock in Redis while it restores; if Redis dies while the lock is held, it
    # survives the restart (append-only) and blocks every sweep until it expires (kombu: 300 s).
    # Restoring twice is harmless here (every step is idempotent), so the lock can be short.
    unacked_mutex_expire: int = 30
    # A chain's next step is sent by the worker when a step ends: how long it keeps trying while
    # the broker is unreachable (≈ publish_retries × 5 s) before the step lands in failures.
    publish_retries: int = 24
    max_retries: int = 5
    retry_backoff_max: int = 60
    max_redeliveries: int = 3
    worker_max_tasks_per_child: int = 500
    worker_max_memory_per_child_kb: int = 1_000_000
    # Load the stages' models in the worker's main process before its pool forks (worker/app.py):
    # a pool process, the first and every recycled one, starts with them instead of spending
    # about 1.5 CPU seconds loading its own copy (once every ~250 articles with the recycling above).
    worker_preload: bool = True
    # The cyclic collector's first threshold in pool processes (Python's default: 700). The stages
    # allocate millions of small objects an article, and a collection every 700 of them cost
    # about 1.5 ms an article (3 %); 50,000 about 0.3 ms. 0: Python's default.
    worker_gc_threshold: int = Field(50_000, ge=0)

    enqueue_retries: int = 3
    # Where failures go when the database itself is unreachable (`khabar failures import-spool`).
    spool_path: str = "khabar-spool.jsonl"
    ner_backend: str = "shipped"  # "shipped" or "camel"
    # The camel backend's BERT model folder; default: the NER entry of CAMELTOOLS_DATA's catalogue.
    camel_ner_model: str | None = None
    # camel-tools' own data folder (its variable, without the KHABAR_ prefix)
    camel_data_dir: str | None = Field(None, validation_alias="CAMELTOOLS_DATA")
    # who is actor and who recipient: "shipped" (the learned role model), "off" (the rules alone),
    # or the path of a weights file made by `khabar train-roles --out`
    roles_model: str = "shipped"
    # which of the sentence's places is the event's: "shipped" (the learned place model), "off"
    # (the rules alone), or the path of a weights file made by `khabar train-roles --places-out`
    places_model: str = "shipped"
    # the work across articles in the store step: near-duplicates, entity merges, story events
    # (off for a bulk backfill; `khabar duplicates scan` with no path brings those articles in afterwards)
    corpus: bool = True
    log_level: str = "INFO"
    # A worker with the embedded SQLite default and a broker other processes share writes where
    # no producer looks (the article stays queued forever): refused unless this says it is meant.
    allow_sqlite_worker: bool = False

    # Test hook: a stage name and a number of seconds to sleep in it (fault tests kill a worker
    # while it waits). Never set in production.
    test_pause_stage: str | None = None
    test_pause_seconds: float = 0.0
    # … only in articles whose text holds this (one article of a batch)
    test_pause_match: str | None = None
    test_fail_stage: str | None = None

    @model_validator(mode="after")
    def _limits(self) -> Settings:
        if self.task_soft_time_limit and self.task_soft_time_limit > self.task_time_limit:
            raise ValueError(
                f"KHABAR_TASK_SOFT_TIME_LIMIT ({self.task_soft_time_limit}) must not exceed "
                f"KHABAR_TASK_TIME_LIMIT ({self.task_time_limit})"
            )
        return self

    def stage_config(self, reference_date: str | None = None) -> StageConfig:
        """What the stages get from these settings, for an article with ``reference_date``."""
        return StageConfig(
            ner_backend=self.ner_backend,
            camel_ner_model=self.camel_ner_model,
            camel_data_dir=self.camel_data_dir,
            max_sentences=self.max_sentences,
            max_tokens_per_sentence=self.max_tokens_per_sentence,
            reference_date=reference_date,
            roles_model=self.roles_model,
            places_model=self.places_model,
        )

    @property
    def document_cache(self) -> str | None:
        """The Redis URL of the document cache (see ``document_cache_url``), or None."""
        redis_like = ("redis://", "rediss://", "unix://")
        for url in (self.document_cache_url, self.broker_url, self.result_backend):
            if url and url.startswith(redis_like):
                return url
        return None

    @property
    def continue_queue(self) -> str:
        return f"{self.queue}.continue"

    @property
    def worker_queues(self) -> tuple[str, str]:
        """The queues a worker consumes, in the order it serves them."""
        return (self.continue_queue, self.queue)

    def worker_refusal(self) -> str | None:
        """Why a worker must not start with these settings (one line), or None."""
        if not self.database_url.startswith("sqlite") or self.broker_url.startswith("memory:"):
            return None
        return (
            f"refusing to start: the database is SQLite ({mask_url(self.database_url)}) while the broker "
            f"({mask_url(self.broker_url)}) is shared; set KHABAR_DATABASE_URL to the database the "
            "producers write to (or KHABAR_ALLOW_SQLITE_WORKER=1 if this one machine is all there is)"
        )

    def warnings(self) -> list[str]:
        """Combinations that work but defeat the delivery guarantees (logged at worker start)."""
        out = []
        if self.visibility_timeout <= self.task_time_limit * self.batch_size:
            out.append(
                f"KHABAR_VISIBILITY_TIMEOUT ({self.visibility_timeout}s) is not above the hard time limit "
                f"of a batch ({self.task_time_limit}s × KHABAR_BATCH_SIZE {self.batch_size}): Redis may "
                "redeliver a task that is still running"
            )
        if self.visibility_timeout <= 1.5 * self.retry_backoff_max:
            out.append(
                f"KHABAR_VISIBILITY_TIMEOUT ({self.visibility_timeout}s) is not above the longest retry "
                f"countdown (1.5 × {self.retry_backoff_max}s): waiting retries would be redelivered and multiply"
            )
        if self.document_cache is None:
            out.append(
                "no Redis for intermediate documents (KHABAR_DOCUMENT_CACHE_URL): every step rebuilds "
                "its input from the raw article, running the earlier stages again"
            )
        return out


def mask_url(url: str) -> str:
    """A URL fit for logs and banners: the password replaced by ***."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rpartition("@")[2]
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}"))


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
