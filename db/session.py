"""Engine factory and session scope.

Engines are created lazily per process: a Celery worker's pool forks, and a connection pool
inherited across fork is shared by two processes (``worker.app`` resets it in
``worker_process_init``). Repository functions never commit; ``session_scope`` commits once at the
end of a unit of work (a task, a CLI command).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy.exc
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


def rows_planned_each_time(session: Session, query: str, params: dict) -> list[tuple]:
    """The rows of a Postgres query (psycopg's ``%(name)s`` parameters) planned for its own values
    on every run. psycopg prepares a statement once it has run five times, and Postgres may then
    keep a generic plan costed on the table's statistics of that moment: for a look-up in a table
    that grows from empty (the near-duplicate band index of a new database) that plan is a
    sequential scan, and it stays one for thousands of articles (8 ms a look-up on 600 articles,
    against 0.3 ms with the index)."""
    import psycopg

    connection = session.connection()
    cursor = connection.connection.driver_connection.cursor()
    try:
        cursor.execute(query, params, prepare=False)
        return cursor.fetchall()
    except psycopg.Error as exc:
        # Raised as SQLAlchemy raises a driver's error, which is how callers tell what to retry: a
        # server shutting down mid-query is an OperationalError (a task retries it), not a bug.
        if connection.dialect.is_disconnect(exc, connection.connection, cursor):
            connection.invalidate(exc)
        raise sqlalchemy.exc.DBAPIError.instance(query, params, exc, psycopg.Error) from exc
    finally:
        cursor.close()


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
