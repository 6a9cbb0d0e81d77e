"""`khabar serve`: the read-only web window, served by waitress."""

from __future__ import annotations

import click


def _check_database(url: str) -> None:
    """Refuse to serve a database the pages cannot read: a SQLite file that is not there (opening
    it would create an empty one) or a schema not at the migrations' head."""
    from pathlib import Path

    from sqlalchemy.engine import make_url

    from db.migrate import schema_behind
    from worker.settings import mask_url

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        if not Path(parsed.database).exists():
            raise click.ClickException(
                f"no SQLite database at {parsed.database}: run `khabar demo` or `khabar db upgrade` first, "
                "or give --database-url"
            )
    problem = schema_behind(url)
    if problem:
        raise click.ClickException(f"refusing to serve {mask_url(url)}: {problem}")


@click.command()
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on. The default keeps the window on this machine; it has no login, so "
    "give another address only behind something that controls who can reach it.",
)
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--database-url",
    default=None,
    help="SQLAlchemy URL of the database to show (default: KHABAR_DATABASE_URL, else khabar.db).",
)
@click.option(
    "--threads", default=4, show_default=True, type=click.IntRange(1, 64), help="Requests served at once."
)
def serve(host: str, port: int, database_url: str | None, threads: int) -> None:
    """A read-only web window on the database: the events with the filters of `khabar events`,
    each article with its entities highlighted and its events, triggers and sources, each entity
    with its names, actor code and events over time, and the pipeline's status.

    It only reads: GET and HEAD, every other method is refused (405), and the database is read in
    read-only transactions. Pages carry no script and fetch nothing from elsewhere.
    """
    from waitress.server import create_server

    from worker.settings import get_settings, mask_url
    from worker.web.app import create_app

    url = database_url or get_settings().database_url
    _check_database(url)
    server = create_server(create_app(url), host=host, port=port, threads=threads, ident="khabar")
    # port 0 asks the system for a free one: say which it gave
    bound_host, bound_port = server.socket.getsockname()[:2]
    click.echo(f"khabar serve: http://{bound_host}:{bound_port}/ (database {mask_url(url)}); Ctrl-C stops")
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
