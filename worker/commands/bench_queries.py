"""``khabar bench queries``: every CLI query and every store statement against a database the size
of a real deployment, with its plan and its time.

A benchmark, not a test: it prints figures and asserts nothing. It creates a throw-away Postgres
database, migrates it (the schema under test is the migrations' own), loads synthetic rows in SQL
(generate_series, with the indexes and constraints rebuilt after the load, as a bulk load
would), and runs each query through the same code the commands and the store step use. Entity
popularity is skewed (a few names appear in a large share of mentions and events), as in news.
"""

from __future__ import annotations

import hashlib
import json
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import click

# Per article, roughly what the pipeline stores for a news article of ~3,000 characters.
MENTIONS, EVENTS, ATTRIBUTIONS = 20, 4, 2
ENTITIES_PER_ARTICLE = 0.5
IN_FLIGHT = 1000  # articles queued or processing, all stalled for an hour (a sweep's worst case)
LETTERS = "ابتثجحخدذرزسشصضط"  # hex digits → Arabic letters, for names the trigram indexes can split
KNOWN = {1: ("LOC", "روسيا"), 2: ("PERS", "سيرغي لافروف"), 3: ("ORG", "الأمم المتحدة")}


def _name(expr: str) -> str:
    """SQL for a two-word Arabic-letter name derived from an integer expression."""
    return (
        f"translate(substr(md5(({expr})::text), 1, 5), '0123456789abcdef', '{LETTERS}') || ' ' || "
        f"translate(substr(md5(({expr})::text), 6, 7), '0123456789abcdef', '{LETTERS}')"
    )


def _py_name(i: int) -> str:
    """What ``_name`` makes of the integer i."""
    digest = hashlib.md5(str(i).encode()).hexdigest()
    return " ".join("".join(LETTERS[int(c, 16)] for c in part) for part in (digest[:5], digest[5:12]))


def _article_id(expr: str) -> str:
    return f"'a' || lpad(to_hex({expr}), 23, '0')"


def load_sql(n: int) -> list[tuple[str, str]]:
    """(label, SQL) that fill an empty, migrated database with ``n`` articles' worth of rows."""
    e = max(10, int(n * ENTITIES_PER_ARTICLE))
    popular = f"1 + floor({e} * power(random(), 3))::int"  # a few entities are very frequent
    types = "(ARRAY['ASSAULT','PROTEST','CONSULT','COERCE','THREATEN','DEMAND','ACCUSE','SUPPORT'," \
        "'COOPERATE','AID','RETREAT','REQUEST','CONCEDE','REJECT','SANCTION','MOBILIZE'])"  # fmt: skip
    in_flight = n - IN_FLIGHT
    return [
        (
            "entities",
            f"""
            INSERT INTO entities (id, type, canonical, normalised)
            SELECT i, (ARRAY['PERS','ORG','LOC','MISC'])[1 + i % 4], {_name("i")}, {_name("i")}
            FROM generate_series(1, {e}) i""",
        ),
        (
            "known entities",
            "UPDATE entities SET type = v.t, canonical = v.n, normalised = v.n FROM (VALUES "
            + ", ".join(f"({i}, '{t}', '{name}')" for i, (t, name) in KNOWN.items())
            + ") v(i, t, n) WHERE id = v.i",
        ),
        (
            "articles",
            f"""
            INSERT INTO articles (id, external_id, content_hash, url, source, title, body, published_at,
                ingested_at, updated_at, sent_at, language, status, stage, extractor_version, deliveries)
            SELECT {_article_id("i")}, 'ext-' || i, md5(i::text) || md5((-i)::text),
                'https://example.com/' || i, 'source-' || (i % 50), 'عنوان ' || i, 'نص المقال ' || i,
                now() - (i % 3650) * interval '1 day', t, t, t, 'ar',
                CASE WHEN i > {in_flight} THEN (ARRAY['queued','processing'])[1 + i % 2]
                     WHEN i % 200 = 0 THEN 'failed' ELSE 'done' END,
                CASE WHEN i > {in_flight} THEN 'segment' ELSE 'store' END, '0.1.0', 0
            FROM (SELECT i, CASE WHEN i > {in_flight} THEN now() - interval '1 hour'
                                 ELSE now() - ({n} - i) * interval '1 second' END AS t
                  FROM generate_series(1, {n}) i) s""",
        ),
        (
            "mentions",
            f"""
            INSERT INTO mentions (article_id, entity_id, start, "end", text, extractor_version)
            SELECT {_article_id("a")}, {popular}, k * 40, k * 40 + 10, 'اسم', '0.1.0'
            FROM generate_series(1, {n}) a, generate_series(0, {MENTIONS - 1}) k""",
        ),
        (
            "events",
            f"""
            INSERT INTO events (article_id, type, trigger_text, trigger_start, trigger_end, sentence, date,
                location, confidence, modality, refers_back, extractor_version)
            SELECT {_article_id("a")}, {types}[1 + (a * 7 + k) % 16], 'اجتماع', k * 100, k * 100 + 6, k,
                CASE WHEN r < 0.2 THEN NULL WHEN r < 0.3 THEN to_char(d, 'YYYY')
                     WHEN r < 0.5 THEN to_char(d, 'YYYY-MM') ELSE to_char(d, 'YYYY-MM-DD') END,
                CASE WHEN r2 < 0.5 THEN NULL WHEN r2 < 0.55 THEN 'موسكو'
                     ELSE {_name("floor(r2 * 20000)::int")} END,
                0.5, 'asserted', false, '0.1.0'
            FROM (SELECT a, k, random() AS r, random() AS r2,
                         date '2000-01-01' + floor(random() * 9800)::int AS d
                  FROM generate_series(1, {n}) a, generate_series(0, {EVENTS - 1}) k) s""",
        ),
        (
            "event_arguments",
            f"""
            INSERT INTO event_arguments (event_id, entity_id, role, start, "end", event_date)
            SELECT id, {popular}, (ARRAY['actor','recipient'])[r + 1], NULL, NULL, date
            FROM events, generate_series(0, 1) r WHERE id % 4 < 3""",
        ),
        (
            "attributions",
            f"""
            INSERT INTO attributions (article_id, cue, start, "end", sentence, source, source_kind, cited,
                extractor_version)
            SELECT {_article_id("a")}, 'قال', k * 500, k * 500 + 3, k, {_name("a % 5000")}, 'named', NULL,
                '0.1.0'
            FROM generate_series(1, {n}) a, generate_series(0, {ATTRIBUTIONS - 1}) k""",
        ),
        (
            "stage_runs",
            f"""
            INSERT INTO stage_runs (article_id, stage, extractor_version, started_at, finished_at,
                duration_ms, output)
            SELECT {_article_id("a")}, (ARRAY['normalise','segment','ner','link','events','store'])[k],
                '0.1.0', now(), now(), 5, NULL
            FROM generate_series(1, {n}) a, generate_series(1, 6) k
            WHERE a <= {in_flight} OR k <= 2""",
        ),
        (
            "failures",
            f"""
            INSERT INTO failures (key, article_id, stage, error_class, error, payload_ref, attempts,
                first_at, last_at, resolved_at)
            SELECT 'article:' || {_article_id("i")} || ':' || 'ner', {_article_id("i")}, 'ner', 'RuntimeError',
                'synthetic', 'article:' || {_article_id("i")}, 1, now(), now() - i * interval '1 second',
                CASE WHEN i % 200 = 0 THEN NULL ELSE now() END
            FROM generate_series(1, {n}) i WHERE i % 100 = 0 OR i % 200 = 0""",
        ),
    ]


# --- loading ------------------------------------------------------------------------------------

SERIAL = ("entities", "mentions", "events", "event_arguments", "attributions", "stage_runs", "failures")


def _load(url: str, n: int) -> float:
    """Fill the database; returns the seconds it took. Secondary indexes, unique and foreign key
    constraints are dropped for the load and rebuilt from their own definitions after it."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    t0 = time.perf_counter()
    with engine.connect() as c:
        c.execute(text("SET maintenance_work_mem = '512MB'"))
        c.execute(text("SET synchronous_commit = off"))
        constraints = c.execute(text("""
            SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), contype
            FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND contype IN ('u', 'f')
            ORDER BY contype = 'f' DESC""")).all()  # fmt: skip
        for table, name, _, _ in constraints:
            c.execute(text(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"'))
        indexes = c.execute(text("""
            SELECT indexname, indexdef FROM pg_indexes
            WHERE schemaname = 'public' AND NOT EXISTS (
                SELECT 1 FROM pg_constraint WHERE conindid = format('%I.%I', schemaname, indexname)::regclass)""")).all()  # fmt: skip
        for name, _ in indexes:
            c.execute(text(f'DROP INDEX "{name}"'))
        # A throw-away database: no write-ahead log for its rows. Every table, not only those loaded:
        # a logged table's foreign key may not reference an unlogged one (story_members → events).
        for table in c.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).scalars():
            c.execute(text(f'ALTER TABLE "{table}" SET UNLOGGED'))
        for label, sql in load_sql(n):
            t = time.perf_counter()
            rows = c.execute(text(sql)).rowcount
            click.echo(f"  {label}: {rows:,} rows in {time.perf_counter() - t:.0f} s", err=True)
        for table in SERIAL:
            c.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table}"))
        t = time.perf_counter()
        for _, ddl in indexes:
            c.execute(text(ddl))
        for table, name, definition, _ in reversed(constraints):  # unique ones first, then foreign keys
            c.execute(text(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'))
        click.echo(f"  indexes and constraints: {time.perf_counter() - t:.0f} s", err=True)
        t = time.perf_counter()
        c.execute(text("VACUUM (ANALYZE)"))
        click.echo(f"  vacuum and analyze: {time.perf_counter() - t:.0f} s", err=True)
    engine.dispose()
    return time.perf_counter() - t0


# --- the queries --------------------------------------------------------------------------------


@dataclass
class Case:
    name: str  # what runs it: a command or a store step
    run: Callable  # (session) -> None: the code path itself
    statement: Callable | None = None  # () -> the statement whose plan is shown
    once: bool = False  # a long run: timed once, not --repeat times


def _cases(n: int) -> list[Case]:
    from sqlalchemy import func, select

    from db.models import Article, Failure, in_flight, not_done, utcnow
    from db.store import (
        EXACT_COUNT_BELOW,
        add_article,
        claim_for_reprocess,
        count_delivery,
        current_attributions,
        current_events,
        current_mentions,
        entity_ids_query,
        events_query,
        find_article,
        iter_events,
        oldest_in_flight,
        open_failure_counts,
        open_failures,
        record_stage,
        resolve_failures,
        save_results,
        set_status,
        stage_run,
        stalled_articles,
        stalled_query,
        status_counts,
        upsert_entities,
    )
    from worker.commands.query import SentenceTexts, event_record
    from worker.stages.document import Argument, Document, Mention
    from worker.stages.document import Event as DocEvent
    from worker.steps import STEPS

    middle = f"a{n // 2:023x}"
    open_failure = Failure.resolved_at.is_(None)

    def events_page(**filters):
        def run(session):
            for e in session.scalars(events_query(**filters, limit=50).limit(50)):
                event_record(e)

        return Case(
            " ".join(["events", *(f"--{k.rstrip('_')} {v}" for k, v in filters.items())]),
            run,
            lambda: events_query(**filters, limit=50).limit(50),
        )

    # One of the 20,000 generated place names: in about 1 event of 40,000.
    rare_place = _py_name(12345)

    def export_rows(session):
        sentence = SentenceTexts()
        for k, e in enumerate(iter_events(session)):
            event_record(e, sentence)
            if k == 10_000:
                return

    def show(ref: str):
        def run(session):
            article = find_article(session, ref)
            current_mentions(session, article)
            current_events(session, article)
            current_attributions(session, article)
            open_failures(session, ref=article.id)

        return run

    new_doc = Document.from_article(
        "a" + "f" * 23,
        "",
        "x",
        mentions=tuple(Mention("اسم", "PERS", k * 10, k * 10 + 3, f"اسم جديد {k}") for k in range(15))
        + tuple(Mention("روسيا", "LOC", 200 + k * 10, 205 + k * 10, "روسيا") for k in range(5)),
        events=tuple(
            DocEvent("CONSULT", "لقاء", 500 + k * 10, 504 + k * 10, k, date="2026-11",
                     arguments=(Argument("actor", "روسيا", "LOC"), Argument("recipient", "اسم جديد 1", "PERS")))
            for k in range(4)
        ),
    )  # fmt: skip
    keys = [("LOC", "روسيا"), ("PERS", "سيرغي لافروف")] + [("PERS", f"اسم جديد {k}") for k in range(18)]
    cutoff = utcnow() - timedelta(minutes=10)  # the articles in flight have been still for an hour

    def store_step(session):
        add_article(session, {"id": new_doc.id, "content_hash": "f" * 64, "title": "", "body": "x",
                              "status": "queued", "extractor_version": "0.1.0", "deliveries": 0})  # fmt: skip
        count_delivery(session, new_doc.id)
        set_status(session, new_doc.id, "processing", only_from=("queued", "processing"))
        stage_run(session, new_doc.id, "events", "0.1.0")
        record_stage(session, new_doc.id, "store", "0.1.0", utcnow(), None)
        save_results(session, new_doc, "0.1.0")
        set_status(session, new_doc.id, "done", "store")
        resolve_failures(session, new_doc.id)

    return [
        events_page(),
        events_page(type_="PROTEST"),
        events_page(since="2026-06"),
        events_page(until="2001-03"),
        events_page(participant="لافروف"),
        events_page(participant="سيرغي لافروف", type_="CONSULT"),
        events_page(place="موسكو"),
        Case(
            "events --place <a rare place>",
            lambda s: [
                event_record(e) for e in s.scalars(events_query(place=rare_place, limit=50).limit(50))
            ],
            lambda: events_query(place=rare_place, limit=50).limit(50),
        ),
        Case(
            "export (first 10,000 events, keyset pages of 1,000)",
            export_rows,
            lambda: events_query(limit=1000, after=("2024-05", 1)).limit(1000),
            once=True,
        ),
        Case("show <id>", show(middle), lambda: select(Article).where(Article.id == middle)),
        Case(
            "show <producer id>",
            show(f"ext-{n // 2}"),
            lambda: (
                select(Article)
                .where(Article.external_id == f"ext-{n // 2}")
                .order_by(Article.ingested_at.desc())
            ),
        ),
        Case(
            "status, metrics (articles by status)",
            status_counts,
            # What runs at this size: only the articles not done are counted (see status_counts).
            lambda: (
                select(Article.status, func.count())
                .where(*([not_done()] if n >= EXACT_COUNT_BELOW else []))
                .group_by(Article.status)
            ),
        ),
        Case(
            "status, metrics (open failures by stage)",
            open_failure_counts,
            lambda: select(Failure.stage, func.count()).where(open_failure).group_by(Failure.stage),
        ),
        Case(
            "failures list (the oldest 100 open failures)",
            lambda session: open_failures(session, limit=100, with_payload=False),
            lambda: select(Failure).where(open_failure).order_by(Failure.last_at).limit(100),
        ),
        Case(
            "metrics (oldest in flight)",
            oldest_in_flight,
            lambda: select(func.min(Article.updated_at)).where(in_flight()),
        ),
        Case(
            "reprocess --version V (one batch of 1,000 claimed, rolled back)",
            lambda s: claim_for_reprocess(s, "0.2.0", "", 1000),
            None,
        ),
        Case(
            f"recover (a sweep: {IN_FLIGHT:,} stalled)",
            lambda s: stalled_articles(s, cutoff, STEPS),
            lambda: stalled_query(cutoff, 10_000),
        ),
        Case(
            "store step: entity ids of an article (20 names)",
            lambda s: s.execute(entity_ids_query(keys)).all(),
            lambda: entity_ids_query(keys),
        ),
        Case("store step: new entities inserted", lambda s: upsert_entities(s, keys), None),
        Case("store step: a whole article's writes (rolled back)", store_step, None),
    ]


def _plan(session, statement) -> tuple[str, str]:
    """(the EXPLAIN ANALYZE text, a one-line summary: scans and the indexes they use)."""
    from sqlalchemy import text
    from sqlalchemy.dialects import postgresql

    sql = str(statement.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))
    plan = session.execute(text("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql)).scalar()
    plan = plan if isinstance(plan, list) else json.loads(plan)
    scans: list[str] = []

    def walk(node):
        kind = node["Node Type"]
        if "Scan" in kind and "Subquery" not in kind:
            what = node.get("Index Name") or node.get("Relation Name", "")
            scans.append(f"{kind.replace(' Scan', '').replace('Index Only', 'Index-only')} {what}")
        for child in node.get("Plans", ()):
            walk(child)

    walk(plan[0]["Plan"])
    lines = session.execute(text("EXPLAIN (ANALYZE, BUFFERS) " + sql)).scalars().all()
    return "\n".join(lines), ", ".join(dict.fromkeys(scans))


def _measure(url: str, n: int, repeat: int, show_plans: bool) -> list[tuple[str, str, float]]:
    from db.session import session_scope

    out = []
    for case in _cases(n):
        times = []
        for k in range(2 if case.once else repeat + 1):  # the first run warms the cache
            with session_scope(url) as session:
                t = time.perf_counter()
                case.run(session)
                elapsed = (time.perf_counter() - t) * 1000
                session.rollback()  # the store statements leave nothing behind
            if k:
                times.append(elapsed)
        summary = ""
        if case.statement is not None:
            with session_scope(url) as session:
                plan, summary = _plan(session, case.statement())
                session.rollback()
            if show_plans:
                click.echo(f"\n## {case.name}\n{plan}")
        out.append((case.name, summary, statistics.median(times)))
        click.echo(f"{case.name}: {statistics.median(times):.1f} ms  [{summary}]", err=True)
    return out


@click.command("queries")
@click.option("--articles", type=int, default=1_000_000, show_default=True, help="Articles' worth of rows.")
@click.option(
    "--admin-url",
    default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
    show_default=True,
    help="A Postgres database to connect to while creating and dropping the benchmark's own.",
)
@click.option("--database", help="Query this already loaded database (made by an earlier --keep run).")
@click.option("--keep", is_flag=True, help="Keep the database (its name is printed).")
@click.option("--repeat", default=5, show_default=True, help="Timed runs per query (the median is shown).")
@click.option("--plans/--no-plans", default=True, show_default=True, help="Print each EXPLAIN ANALYZE.")
def bench_queries(
    articles: int, admin_url: str, database: str | None, keep: bool, repeat: int, plans: bool
) -> None:
    """Plans and times of every CLI query and store statement at ARTICLES articles' worth of rows
    (entities, mentions, events, arguments, attributions, stage runs, failures), in a throw-away
    Postgres database."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from db.migrate import upgrade
    from db.session import reset_engines

    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = database or f"khabar_bench_{articles}_{int(time.time())}"
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    try:
        if database is None:
            with admin.connect() as c:
                c.execute(text(f'CREATE DATABASE "{name}"'))
            upgrade(url)
            click.echo(f"loading {articles:,} articles' worth of rows into {name}", err=True)
            click.echo(f"loaded in {_load(url, articles):.0f} s", err=True)
        results = _measure(url, articles, repeat, plans)
    finally:
        reset_engines()
        if database is None and not keep:
            with admin.connect() as c:
                c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        elif keep:
            click.echo(f"kept database {name}", err=True)
        admin.dispose()
    with create_engine(url if keep or database else admin_url).connect() as c:
        size = c.execute(text("SELECT pg_size_pretty(pg_database_size(current_database()))")).scalar()
    click.echo(
        f"\n{articles:,} articles' worth ({_counts(articles)}); database {size if keep or database else '(dropped)'}"
    )
    click.echo("| query | plan (scans, index used) | ms |")
    click.echo("|---|---|---:|")
    for query, summary, ms in results:
        click.echo(f"| `{query}` | {summary or '-'} | {ms:.1f} |")
    sys.stdout.flush()


def _counts(n: int) -> str:
    return (
        f"{int(n * ENTITIES_PER_ARTICLE):,} entities, {n * MENTIONS:,} mentions, {n * EVENTS:,} events, "
        f"{n * EVENTS * 3 // 2:,} event arguments, {n * 6:,} stage runs"
    )
