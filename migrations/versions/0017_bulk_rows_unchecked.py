"""The store step's two bulkiest tables lose their per-row foreign-key checks

``mentions`` (about 50 rows an article) and ``article_bands`` (64) were checked row by row: Postgres
runs a look-up and a row lock on the parent for every row inserted (about a fifth of its CPU in
the store step: 4.2 → 3.2 ms an article without them). Both are written by the store step alone,
in a transaction that has already locked the article's row (the stage run it inserts first keeps
its foreign key) and after the entities' insert has committed, so the check could never fail.
What the foreign keys still did is kept by triggers, which run once a statement on Postgres:
deleting articles deletes their mentions and band rows (the former ON DELETE CASCADE), and
deleting an entity that mentions still name is refused (the former NO ACTION). ``mentions.country``'s index goes too: no query looks mentions up by country alone
(the one that reads it groups the whole table), but every row wrote an entry.

Revision ID: 0017_bulk_rows_unchecked
Revises: 0016_no_prefix_indexes
Create Date: 2026-12-02 05:10:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0017_bulk_rows_unchecked"
down_revision: str | None = "0016_no_prefix_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, constraint, column, referred table, ondelete)
FOREIGN_KEYS = (
    ("mentions", "fk_mentions_article_id_articles", "article_id", "articles", "CASCADE"),
    ("mentions", "fk_mentions_entity_id_entities", "entity_id", "entities", None),
    ("article_bands", "fk_article_bands_article_id_articles", "article_id", "articles", "CASCADE"),
)

_PG_UP = (
    """CREATE FUNCTION khabar_articles_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        DELETE FROM mentions m USING gone g WHERE m.article_id = g.id;
        DELETE FROM article_bands b USING gone g WHERE b.article_id = g.id;
        RETURN NULL;
    END $$""",
    "CREATE TRIGGER articles_deleted AFTER DELETE ON articles REFERENCING OLD TABLE AS gone "
    "FOR EACH STATEMENT EXECUTE FUNCTION khabar_articles_deleted()",
    """CREATE FUNCTION khabar_entities_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF EXISTS (SELECT 1 FROM mentions m JOIN gone g ON m.entity_id = g.id) THEN
            RAISE EXCEPTION 'an entity still mentioned cannot be deleted'
                USING ERRCODE = 'foreign_key_violation';
        END IF;
        RETURN NULL;
    END $$""",
    "CREATE TRIGGER entities_deleted AFTER DELETE ON entities REFERENCING OLD TABLE AS gone "
    "FOR EACH STATEMENT EXECUTE FUNCTION khabar_entities_deleted()",
)
_PG_DOWN = (
    "DROP TRIGGER entities_deleted ON entities",
    "DROP FUNCTION khabar_entities_deleted()",
    "DROP TRIGGER articles_deleted ON articles",
    "DROP FUNCTION khabar_articles_deleted()",
)
# SQLite has no statement triggers; its row triggers do what the foreign keys did.
_SQLITE_UP = (
    "CREATE TRIGGER articles_deleted AFTER DELETE ON articles FOR EACH ROW BEGIN "
    "DELETE FROM mentions WHERE article_id = OLD.id; "
    "DELETE FROM article_bands WHERE article_id = OLD.id; END",
    "CREATE TRIGGER entities_deleted BEFORE DELETE ON entities FOR EACH ROW "
    "WHEN EXISTS (SELECT 1 FROM mentions WHERE entity_id = OLD.id) BEGIN "
    "SELECT RAISE(ABORT, 'an entity still mentioned cannot be deleted'); END",
)
_SQLITE_DOWN = ("DROP TRIGGER entities_deleted", "DROP TRIGGER articles_deleted")


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for table in ("mentions", "article_bands"):
        with op.batch_alter_table(table) as batch:
            for t, name, *_ in FOREIGN_KEYS:
                if t == table:
                    batch.drop_constraint(name, type_="foreignkey")
            if table == "mentions":
                batch.drop_index("ix_mentions_country")
    for statement in _PG_UP if postgres else _SQLITE_UP:
        op.execute(statement)


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in _PG_DOWN if postgres else _SQLITE_DOWN:
        op.execute(statement)
    # rows whose parent went while nothing checked them would fail the constraints' validation
    op.execute(
        "DELETE FROM mentions WHERE article_id NOT IN (SELECT id FROM articles) "
        "OR entity_id NOT IN (SELECT id FROM entities)"
    )
    op.execute("DELETE FROM article_bands WHERE article_id NOT IN (SELECT id FROM articles)")
    for table in ("mentions", "article_bands"):
        with op.batch_alter_table(table) as batch:
            for t, name, column, referred, ondelete in FOREIGN_KEYS:
                if t == table:
                    batch.create_foreign_key(name, referred, [column], ["id"], ondelete=ondelete)
            if table == "mentions":
                batch.create_index("ix_mentions_country", ["country"])
