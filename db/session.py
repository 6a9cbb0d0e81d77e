"""Engine factory and session scope.

Engines are created lazily per process: a Celery worker's pool forks, and a connection pool
inherited across fork is shared by two processes (``worker.app`` resets it in
``worker_process_init``). Repository functions never commit; ``session_scope`` commits once at the
end of a unit of work (a task, a CLI command).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from worker.settings import get_settings

_engines: dict[str, Engine] = {}


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


def get_engine(url: str | None = None) -> Engine:
    url = url or get_settings().database_url
    if url not in _engines:
        if url.startswith("sqlite"):
            engine = create_engine(url)
            event.listen(engine, "connect", _sqlite_pragmas)
        else:
            engine = create_engine(url, pool_pre_ping=True, pool_size=2, max_overflow=2)
        _engines[url] = engine
    return _engines[url]


def reset_engines() -> None:
    """Forget engines made before a fork, without closing the parent's connections."""
    for engine in _engines.values():
        engine.dispose(close=False)
    _engines.clear()


@contextmanager
def _unit_of_work(session: Session) -> Iterator[Session]:
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


@contextmanager
def session_scope(url: str | None = None) -> Iterator[Session]:
    with _unit_of_work(sessionmaker(get_engine(url), expire_on_commit=False)()) as session:
        yield session


@contextmanager
def held_session(url: str | None = None) -> Iterator[Session]:
    """A session on one connection kept for its whole life: for a unit of work of several
    transactions (a task recording each stage as it ends). Each ``session.commit()`` commits as
    usual, but the connection is not handed back to the pool in between, so the next transaction
    does not check one out again (a round trip to Postgres for the pre-ping)."""
    with (
        get_engine(url).connect() as connection,
        _unit_of_work(Session(bind=connection, expire_on_commit=False)) as session,
    ):
        yield session
