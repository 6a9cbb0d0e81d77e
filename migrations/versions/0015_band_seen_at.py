"""article_bands carry when the article appeared: the band look-up is an index range

The near-duplicate look-up wants, for each of an article's 64 band keys, the holders within the
window and a few older ones (enough to tell a template). With ``seen_at`` in the primary key
(key, seen_at, article_id) both are ranges of one index, not a read of every holder of the key
joined to its signature. Backfilled from each row's article (published, else ingested).

Revision ID: 0015_band_seen_at
Revises: 0014_stories
Create Date: 2026-12-01 02:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015_band_seen_at"
down_revision: str | None = "0014_stories"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _create(name: str, with_seen_at: bool) -> None:
    # the final name's constraint names, so the renamed table matches the model's
    columns = [
        sa.Column("key", sa.BigInteger(), nullable=False),
        *([sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False)] if with_seen_at else []),
        sa.Column("article_id", sa.String(length=40), nullable=False),
    ]
    op.create_table(
        name,
        *columns,
        sa.ForeignKeyConstraint(
            ["article_id"], ["articles.id"], name="fk_article_bands_article_id_articles", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint(
            "key", *(["seen_at"] if with_seen_at else []), "article_id", name="pk_article_bands"
        ),
    )


def _swap(with_seen_at: bool, copy: str) -> None:
    """Rebuild the table (a primary key cannot gain a column in place on SQLite, and a rebuild is
    one pass on Postgres too): new table, rows copied, old one dropped, new one renamed."""
    op.drop_index(op.f("ix_article_bands_article_id"), table_name="article_bands")
    op.rename_table("article_bands", "article_bands_old")
    if op.get_bind().dialect.name == "postgresql":
        # the old table keeps its constraint names until dropped: free them for the new table
        op.execute("ALTER TABLE article_bands_old RENAME CONSTRAINT pk_article_bands TO pk_article_bands_old")
        op.execute(
            "ALTER TABLE article_bands_old RENAME CONSTRAINT fk_article_bands_article_id_articles "
            "TO fk_article_bands_old_article_id"
        )
    _create("article_bands", with_seen_at)
    op.execute(copy)
    op.drop_table("article_bands_old")
    op.create_index(op.f("ix_article_bands_article_id"), "article_bands", ["article_id"], unique=False)


def upgrade() -> None:
    _swap(
        True,
        "INSERT INTO article_bands (key, seen_at, article_id) "
        "SELECT b.key, COALESCE(a.published_at, a.ingested_at), b.article_id "
        "FROM article_bands_old b JOIN articles a ON a.id = b.article_id",
    )


def downgrade() -> None:
    _swap(
        False,
        "INSERT INTO article_bands (key, article_id) SELECT DISTINCT key, article_id FROM article_bands_old",
    )
