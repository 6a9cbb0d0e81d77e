"""Shared fixtures. Database tests run on a real Postgres database created for the run and dropped
after; pipeline tests run a real Celery worker subprocess against the local Redis, on a private
queue and database number so that nothing else on the machine is touched.

Services (override with the environment): KHABAR_TEST_PG_ADMIN_URL (default
postgresql+psycopg://postgres@127.0.0.1:5432/postgres), KHABAR_TEST_REDIS_URL (default
redis://127.0.0.1:6379/13).
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fault_servers import free_port  # noqa: F401 - shared by the tests that start servers
from worker.supervise import WorkerProcess  # noqa: F401 - re-exported for the fault tests

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
PG_ADMIN_URL = os.environ.get(
    "KHABAR_TEST_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
REDIS_URL = os.environ.get("KHABAR_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")
RUN_ID = uuid.uuid4().hex[:8]

# Settings are read from the environment: point everything at private test resources before any
# Khabar module builds its settings.
os.environ["KHABAR_BROKER_URL"] = REDIS_URL
os.environ["KHABAR_QUEUE"] = f"khabar-test-{RUN_ID}"
os.environ.setdefault("KHABAR_DATABASE_URL", "sqlite:///:memory:")


# Modules that run the `khabar` program in subprocesses or load the camel-tools BERT model: tens
# of seconds, so not in the fast lane (`make test-fast`).
SLOW_MODULES = {"test_cli", "test_ner_camel"}


def pytest_collection_modifyitems(items) -> None:
    for item in items:
        if item.module.__name__.rpartition(".")[2] in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)


# The stages in two tasks (the default chain is one): for the tests of what happens between the
# tasks of a chain (the hand-over, a task's markers, Flower's view of a chain).
TWO_TASK_CHAIN = "normalise+segment+ner,link+actors+events+store"


@pytest.fixture(autouse=True)
def _fresh_settings_after_each_test():
    """A test that patches KHABAR_* variables must not leave its settings cached for the next."""
    yield
    from worker.settings import get_settings

    get_settings.cache_clear()


def reset_settings(**env: str) -> None:
    """Apply environment overrides and forget cached settings and engines."""
    from db.session import reset_engines
    from worker.settings import get_settings

    os.environ.update(env)
    get_settings.cache_clear()
    reset_engines()
    from worker.app import app, configure

    # Forget the connection and producer pools made for the previous broker URL, or later sends
    # go to the old broker (Celery keeps them for the life of the app; there is no public reset).
    app._pool = None
    app.amqp._producer_pool = None
    configure(app, get_settings())


def _admin_engine():
    from sqlalchemy import create_engine

    return create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A fresh Postgres database, migrated to head, dropped at the end of the run."""
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    from db.migrate import upgrade

    name = f"khabar_test_{RUN_ID}"
    admin = _admin_engine()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    upgrade(url)
    yield url
    from db.session import reset_engines

    reset_engines()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture()
def empty_pg() -> Iterator[str]:
    """A Postgres database nobody has migrated, dropped after the test."""
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    name = f"khabar_empty_{uuid.uuid4().hex[:8]}"
    admin = _admin_engine()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


TABLES = (
    "story_members, stories, entity_merges, entity_keys, article_duplicates, article_bands, article_signatures, "
    "event_arguments, events, mentions, attributions, stage_runs, failures, entities, articles, feed_items, feeds"
)


@pytest.fixture()
def db(pg_url: str) -> Iterator[str]:
    """The test database, emptied, with settings pointing at it."""
    from sqlalchemy import text

    reset_settings(KHABAR_DATABASE_URL=pg_url)
    from db.session import get_engine

    with get_engine().begin() as conn:
        conn.execute(text(f"TRUNCATE {TABLES} RESTART IDENTITY CASCADE"))
    yield pg_url


@pytest.fixture()
def sqlite_db(tmp_path: Path) -> Iterator[str]:
    from db.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'khabar.db'}"
    upgrade(url)
    reset_settings(KHABAR_DATABASE_URL=url)
    yield url


def redis_client(url: str = REDIS_URL):
    import redis

    return redis.Redis.from_url(url)


@pytest.fixture()
def worker_env(db: str) -> dict[str, str]:
    """Environment for worker subprocesses: the test database, the private queue and Redis db."""
    r = redis_client()
    r.delete(*queue_keys())  # only our private queues: other runs may share this Redis db
    env = {k: v for k, v in os.environ.items() if not k.startswith("KHABAR_TEST_")}
    env.update(
        KHABAR_DATABASE_URL=db,
        KHABAR_BROKER_URL=REDIS_URL,
        KHABAR_DOCUMENT_CACHE_URL=REDIS_URL,
        KHABAR_QUEUE=os.environ["KHABAR_QUEUE"],
        PYTHONPATH=str(ROOT),
    )
    return env


@pytest.fixture()
def start_worker(worker_env: dict[str, str], tmp_path: Path):
    workers: list[WorkerProcess] = []

    def start(concurrency: int = 1, **extra_env: str) -> WorkerProcess:
        w = WorkerProcess({**worker_env, **extra_env}, tmp_path / f"worker{len(workers)}.log", concurrency)
        workers.append(w)
        w.wait_ready()
        return w

    yield start
    for w in workers:
        w.stop()
    redis_client().delete(*queue_keys())


def queue_keys() -> tuple[str, str]:
    """The Redis lists of this run's queues: new articles and the continue queue."""
    return (os.environ["KHABAR_QUEUE"], os.environ["KHABAR_QUEUE"] + ".continue")


def wait_until(predicate, timeout: float, interval: float = 0.3, message: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise TimeoutError(f"{message} not reached within {timeout}s")


@pytest.fixture()
def pg(worker_env: dict[str, str]) -> Iterator[str]:
    """The emptied test database for a `khabar` subprocess (tests/khabar_cli.py), with this run's
    queues emptied before and after (a command may send chains that no worker takes)."""
    yield worker_env["KHABAR_DATABASE_URL"]
    redis_client().delete(*queue_keys())
