"""`khabar bench corpus`: what the store step's corpus work (near-duplicates, entity merges, story
events: worker/corpus/hook.py) costs per article, beside the rest of the pipeline, measured on real
articles run through every step in process on a throw-away Postgres database."""

from __future__ import annotations

import statistics
import sys
import time

import click


@click.command("corpus")
@click.argument("path", type=click.Path(exists=True))
@click.option("--limit", type=int, default=300, show_default=True, help="Articles read from PATH.")
@click.option(
    "--admin-url",
    default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
    show_default=True,
    help="A Postgres database to connect to while creating and dropping the benchmark's own.",
)
def bench_corpus(path: str, limit: int, admin_url: str) -> None:
    """Milliseconds per article of the corpus work in the store step (and of its three parts), and
    its share of an article's time through all steps, on PATH's articles (message files or a
    SaudiNewsNet folder) in a throw-away Postgres database. Both are measured in one run, side by
    side, so the ratio holds on a busy machine."""
    import os

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from db.migrate import upgrade
    from db.session import reset_engines
    from worker.settings import get_settings

    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"khabar_bench_corpus_{os.getpid()}"
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    before = os.environ.get("KHABAR_DATABASE_URL")
    try:
        with admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}"'))
        upgrade(url)
        os.environ["KHABAR_DATABASE_URL"] = url
        get_settings.cache_clear()
        reset_engines()
        _run(path, limit)
    finally:
        if before is None:
            os.environ.pop("KHABAR_DATABASE_URL", None)
        else:
            os.environ["KHABAR_DATABASE_URL"] = before
        get_settings.cache_clear()
        reset_engines()
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _run(path: str, limit: int) -> None:
    import worker.corpus.hook as hook
    import worker.steps as steps
    from db.session import session_scope
    from db.store import add_article
    from worker.commands.soak import read_corpus
    from worker.messages import InvalidArticle, validate
    from worker.settings import get_settings

    spent: dict[str, list[float]] = {k: [] for k in ("corpus work", "duplicates", "entities", "stories")}

    def timed(name, f):
        def run(*a, **k):
            t = time.perf_counter()
            try:
                return f(*a, **k)
            finally:
                spent[name].append((time.perf_counter() - t) * 1000)

        return run

    originals = (
        steps.after_store,
        hook.duplicates.index_articles,
        hook.entities.link_entities,
        hook.stories.assign_many,
    )
    steps.after_store = timed("corpus work", steps.after_store)
    hook.duplicates.index_articles = timed("duplicates", hook.duplicates.index_articles)
    hook.entities.link_entities = timed("entities", hook.entities.link_entities)
    hook.stories.assign_many = timed("stories", hook.stories.assign_many)
    try:
        ids = []
        version = get_settings().extractor_version
        for item in read_corpus(path, limit):
            try:
                article = validate(item.data, item.ref)
            except InvalidArticle:
                continue
            with session_scope() as s:
                article_id, created = add_article(s, article.row(version))
            if created:
                ids.append(article_id)
        started = time.perf_counter()
        with click.progressbar(ids, label="articles", file=sys.stderr) as bar:
            for article_id in bar:
                steps.run_in_process(article_id)
        per_article = (time.perf_counter() - started) * 1000 / max(1, len(ids))
    finally:
        (
            steps.after_store,
            hook.duplicates.index_articles,
            hook.entities.link_entities,
            hook.stories.assign_many,
        ) = originals
    click.echo(f"{len(ids)} articles: {per_article:.1f} ms per article through every step, in process")
    for name, values in spent.items():
        if values:
            mean = statistics.mean(values)
            click.echo(
                f"  {name:12} {mean:6.1f} ms per article (median {statistics.median(values):.1f}), "
                f"{mean / per_article:.1%} of an article's time"
            )
