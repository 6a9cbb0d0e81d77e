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
