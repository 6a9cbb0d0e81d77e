"""Data migrations on a real Postgres database: stored keys follow the one normaliser."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from db.migrate import upgrade

pytestmark = pytest.mark.db


def test_entity_keys_are_renormalised_and_duplicates_merged(empty_pg):
    upgrade(empty_pg, "0001")
    engine = create_engine(empty_pg)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO articles (id, content_hash, title, body, ingested_at, updated_at, status, "
                "extractor_version, deliveries) VALUES ('a1', 'old-hash', '', 'قال NBC News', now(), now(), "
                "'done', '0.1.0', 0)"
            )
        )
        # camel-tools' keys kept Latin case and Arabic-Indic digits: one name, two entities
        conn.execute(
            text(
                "INSERT INTO entities (id, type, canonical, normalised) VALUES "
                "(1, 'ORG', 'NBC News', 'NBC News'), (2, 'ORG', 'nbc news', 'nbc news'), "
                "(3, 'LOC', 'حي ٢٠', 'حي ٢٠')"
            )
        )
        conn.execute(
            text(
                'INSERT INTO mentions (article_id, entity_id, start, "end", text, extractor_version) VALUES '
                "('a1', 1, 4, 12, 'NBC News', '0.1.0'), ('a1', 2, 20, 28, 'nbc news', '0.1.0')"
            )
        )
    upgrade(empty_pg)
    with engine.connect() as conn:
        entities = conn.execute(text("SELECT id, normalised FROM entities ORDER BY id")).all()
        mention_entities = conn.execute(text("SELECT DISTINCT entity_id FROM mentions")).scalars().all()
        article_hash = conn.scalar(text("SELECT content_hash FROM articles WHERE id = 'a1'"))
    engine.dispose()
    assert entities == [(1, "nbc news"), (3, "حي 20")]
    assert mention_entities == [1]
    assert article_hash != "old-hash" and len(article_hash) == 64


def test_band_rows_gain_their_articles_time_and_lose_it_again_on_downgrade(empty_pg):
    from alembic import command

    from db.migrate import alembic_config

    upgrade(empty_pg, "0014_stories")
    engine = create_engine(empty_pg)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO articles (id, content_hash, title, body, published_at, ingested_at, updated_at, "
                "status, extractor_version, deliveries) VALUES "
                "('a1', 'h1', '', 'x', '2023-01-02T03:00:00+00', now(), now(), 'done', 'v', 0), "
                "('a2', 'h2', '', 'y', NULL, '2023-02-03T04:00:00+00', now(), 'done', 'v', 0)"
            )
        )
        conn.execute(
            text("INSERT INTO article_bands (key, article_id) VALUES (1, 'a1'), (1, 'a2'), (-5, 'a1')")
        )
    upgrade(empty_pg, "0015_band_seen_at")
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT key, article_id, to_char(seen_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24') FROM article_bands"
            )
        ).all()
        pk = conn.scalar(
            text(
                "SELECT string_agg(a.attname, ',' ORDER BY k.n) FROM pg_index i "
                "CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, n) "
                "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum "
                "WHERE i.indrelid = 'article_bands'::regclass AND i.indisprimary"
            )
        )
    assert sorted(rows) == [
        (-5, "a1", "2023-01-02 03"),
        (1, "a1", "2023-01-02 03"),
        (1, "a2", "2023-02-03 04"),
    ]
    assert pk == "key,seen_at,article_id"
    command.downgrade(alembic_config(empty_pg), "0014_stories")
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT key, article_id FROM article_bands")).all()
    assert sorted(rows) == [(-5, "a1"), (1, "a1"), (1, "a2")]
    upgrade(empty_pg)  # and up again: the constraint names the downgrade left are free
    engine.dispose()


def test_the_indexes_another_index_starts_with_are_dropped_and_the_look_ups_use_the_wider_one(empty_pg):
    from alembic import command

    from db.migrate import alembic_config

    def indexes(conn) -> set[str]:
        return set(conn.scalars(text("SELECT indexname FROM pg_indexes WHERE schemaname = 'public'")))

    prefix = {
        "ix_mentions_article_id",
        "ix_events_article_id",
        "ix_attributions_article_id",
        "ix_stage_runs_article_id",
        "ix_event_arguments_event_id",
        "ix_event_arguments_entity_id",
    }
    upgrade(empty_pg, "0015_band_seen_at")
    engine = create_engine(empty_pg)
    with engine.connect() as conn:
        assert prefix <= indexes(conn)
    upgrade(empty_pg)
    with engine.begin() as conn:
        assert not prefix & indexes(conn)
        conn.execute(text("SET LOCAL enable_seqscan = off"))  # a plan on empty tables, as on full ones
        for table in ("mentions", "events", "attributions", "stage_runs"):
            plan = "\n".join(conn.scalars(text(f"EXPLAIN SELECT * FROM {table} WHERE article_id = 'a'")))
            assert f"uq_{table}_article_id_" in plan, plan
        for column, index in (
            ("event_id", "uq_event_arguments_event_id_"),
            ("entity_id", "ix_event_arguments_entity_newest"),
        ):
            plan = "\n".join(conn.scalars(text(f"EXPLAIN SELECT * FROM event_arguments WHERE {column} = 1")))
            assert index in plan, plan
    command.downgrade(alembic_config(empty_pg), "0015_band_seen_at")
    with engine.connect() as conn:
        assert prefix <= indexes(conn)
    engine.dispose()


def _foreign_keys(conn, dialect: str) -> set[str]:
    if dialect == "postgresql":
        return set(conn.scalars(text("SELECT conname FROM pg_constraint WHERE contype = 'f'")))
    from sqlalchemy import inspect

    found = inspect(conn)
    return {fk["name"] for t in ("mentions", "article_bands") for fk in found.get_foreign_keys(t)}


UNCHECKED = {
    "fk_mentions_article_id_articles",
    "fk_mentions_entity_id_entities",
    "fk_article_bands_article_id_articles",
}


@pytest.mark.parametrize("dialect", ["postgresql", "sqlite"])
def test_mentions_and_band_rows_go_with_their_article_and_keep_their_entity_without_row_checks(
    dialect, request, tmp_path
):
    """Migration 0017: no foreign key checks each mention and band row any more; triggers delete
    them with their article and refuse to delete an entity still mentioned, on both databases.
    Downgraded, the keys are back (the orphans they would refuse removed first)."""
    from alembic import command

    from db.migrate import alembic_config
    from db.session import get_engine

    url = request.getfixturevalue("empty_pg") if dialect == "postgresql" else f"sqlite:///{tmp_path / 'k.db'}"
    upgrade(url)
    engine = get_engine(url)  # the application's engine: on SQLite, its pragmas (foreign keys on)
    with engine.begin() as conn:
        assert not UNCHECKED & _foreign_keys(conn, dialect)
        conn.execute(
            text(
                "INSERT INTO articles (id, content_hash, title, body, ingested_at, updated_at, status, "
                "extractor_version, deliveries) VALUES ('a1', 'h1', '', 'x', :t, :t, 'done', '1', 0), "
                "('a2', 'h2', '', 'y', :t, :t, 'done', '1', 0)"
            ),
            {"t": "2015-07-01 00:00:00"},
        )
        conn.execute(
            text(
                "INSERT INTO entities (id, type, canonical, normalised) VALUES (1, 'PERS', 'أ', 'ا'), (2, 'LOC', 'ب', 'ب')"
            )
        )
        conn.execute(
            text(
                'INSERT INTO mentions (article_id, entity_id, start, "end", text, extractor_version) VALUES '
                "('a1', 1, 0, 1, 'أ', '1'), ('a2', 2, 0, 1, 'ب', '1')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO article_bands (key, seen_at, article_id) VALUES "
                "(7, :t, 'a1'), (8, :t, 'a1'), (7, :t, 'a2')"
            ),
            {"t": "2015-07-01 00:00:00"},
        )
    with pytest.raises(Exception, match="still mentioned"), engine.begin() as conn:
        conn.execute(text("DELETE FROM entities WHERE id = 1"))
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM articles WHERE id = 'a1'"))
        assert conn.execute(text("SELECT article_id, entity_id FROM mentions")).all() == [("a2", 2)]
        assert conn.execute(text("SELECT article_id FROM article_bands")).all() == [("a2",)]
        conn.execute(text("DELETE FROM entities WHERE id = 1"))  # no longer mentioned
        # what a check would have refused: mentions of an article and of an entity not there
        conn.execute(
            text(
                'INSERT INTO mentions (article_id, entity_id, start, "end", text, extractor_version) '
                "VALUES ('gone', 2, 0, 1, 'ب', '1'), ('a2', 99, 5, 6, 'ج', '1')"
            )
        )
    engine.dispose()
    command.downgrade(alembic_config(url), "0016_no_prefix_indexes")
    with engine.connect() as conn:
        assert UNCHECKED <= _foreign_keys(conn, dialect)
        assert conn.execute(text("SELECT article_id FROM mentions")).all() == [("a2",)]
    engine.dispose()
    upgrade(url)
