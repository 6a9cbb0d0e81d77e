"""The window: a small read-only Flask app over Khabar's database (`khabar serve`).

Read-only three times over: it has only GET routes, answers every other method with 405 before
routing, and reads inside a read-only transaction (Postgres refuses any write in it; SQLite runs
with ``query_only``). Every value reaches the page through Jinja2 with autoescaping on, and the
pages carry a Content-Security-Policy that allows no script at all: article text is untrusted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from flask import Flask, abort, render_template, request
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from db.models import ARTICLE_STATUSES
from db.session import session_scope
from worker.settings import get_settings, mask_url
from worker.web import pages
from worker.web.filters import parse_article_filters, parse_filters

READ_METHODS = ("GET", "HEAD")
# No script, no frame, nothing from elsewhere: the page is text, one stylesheet and inline SVG.
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


@contextmanager
def read_only(url: str) -> Iterator[Session]:
    with session_scope(url) as session:
        dialect = session.get_bind().dialect.name
        if dialect == "postgresql":
            session.execute(text("SET TRANSACTION READ ONLY"))
            yield session
        elif dialect == "sqlite":
            session.execute(text("PRAGMA query_only = ON"))
            try:
                yield session
            finally:  # the connection goes back to a pool other code of this process may share
                session.execute(text("PRAGMA query_only = OFF"))
        else:
            yield session


def create_app(
    database_url: str | None = None, queue_depths: Callable[[], dict | None] | None = None
) -> Flask:
    """The app over ``database_url`` (default: the settings' database). ``queue_depths``: how the
    status page reads the broker (default: what `khabar status` and `khabar metrics` use)."""
    if queue_depths is None:
        from worker.metrics import queue_depths
    url = database_url or get_settings().database_url
    app = Flask(__name__)
    app.config.update(KHABAR_DATABASE_URL=url, JSON_AS_ASCII=False)
    app.jinja_env.autoescape = True  # every template, whatever its name ends with
    app.jinja_env.trim_blocks = app.jinja_env.lstrip_blocks = True
    # Only web addresses become links: a stored url of "javascript:…" is shown, never followed.
    app.jinja_env.tests["web_address"] = lambda v: (
        isinstance(v, str) and v.lower().startswith(("http://", "https://"))
    )
    app.jinja_env.globals.update(
        ENTITY_TYPES=pages.ENTITY_TYPES,
        ROLES=pages.ROLES,
        MODALITIES=pages.MODALITIES,
        database=mask_url(url),
    )

    @app.before_request
    def _read_only():
        if request.method not in READ_METHODS:
            return (
                render_template("error.html", code=405, message="هذه النافذة للقراءة فقط"),
                405,
                {"Allow": ", ".join(READ_METHODS)},
            )
        return None

    @app.after_request
    def _headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response

    @app.errorhandler(404)
    def _not_found(exc):
        return render_template("error.html", code=404, message="لا توجد صفحة بهذا العنوان"), 404

    @app.errorhandler(405)
    def _not_allowed(exc):
        return (
            render_template("error.html", code=405, message="هذه النافذة للقراءة فقط"),
            405,
            {"Allow": ", ".join(READ_METHODS)},
        )

    @app.errorhandler(DBAPIError)
    def _database(exc):
        detail = (str(exc.orig).strip().splitlines() or [type(exc.orig).__name__])[0]
        return render_template(
            "error.html", code=503, message="تعذّرت قراءة قاعدة البيانات", detail=detail
        ), 503

    @app.get("/")
    def events():
        filters = parse_filters(request.args)
        with read_only(url) as session:
            rows = pages.event_list(session, filters)
            return render_template("events.html", rows=rows, filters=filters, types=_types())

    @app.get("/articles")
    def articles():
        filters = parse_article_filters(request.args)
        with read_only(url) as session:
            rows = pages.article_list(session, filters)
            return render_template("articles.html", rows=rows, filters=filters, statuses=ARTICLE_STATUSES)

    @app.get("/article/<path:ref>")
    def article(ref: str):
        with read_only(url) as session:
            page = pages.article_page(session, ref)
            if page is None:
                abort(404)
            return render_template("article.html", page=page, a=page.article)

    @app.get("/entity/<int:entity_id>")
    def entity(entity_id: int):
        with read_only(url) as session:
            page = pages.entity_page(session, entity_id)
            if page is None:
                abort(404)
            return render_template("entity.html", **page)

    @app.get("/status")
    def status():
        with read_only(url) as session:
            page = pages.status_page(session, queue_depths)
        return render_template("status.html", **page)

    return app


def _types() -> tuple[str, ...]:
    from worker.stages.document import PLOVER_TYPES

    return PLOVER_TYPES
