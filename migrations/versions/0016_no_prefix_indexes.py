"""Drop the indexes on one column that another index of the same table starts with

``mentions``, ``events``, ``attributions`` and ``stage_runs`` each have a unique index that starts
with ``article_id``, and ``event_arguments`` one that starts with ``event_id`` and one that starts
with ``entity_id`` (newest first). Every look-up by that column (and the cascade of a deleted
article) uses the wider index; the index on the column alone was only written, for every row the
store step inserts.

Revision ID: 0016_no_prefix_indexes
Revises: 0015_band_seen_at
Create Date: 2026-12-01 16:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0016_no_prefix_indexes"
down_revision: str | None = "0015_band_seen_at"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, column): the index ix_<table>_<column>
PREFIX_INDEXES = (
    ("mentions", "article_id"),
    ("events", "article_id"),
    ("attributions", "article_id"),
    ("stage_runs", "article_id"),
    ("event_arguments", "event_id"),
    ("event_arguments", "entity_id"),
)


def upgrade() -> None:
    for table, column in PREFIX_INDEXES:
        op.drop_index(op.f(f"ix_{table}_{column}"), table_name=table)


def downgrade() -> None:
    for table, column in PREFIX_INDEXES:
        op.create_index(op.f(f"ix_{table}_{column}"), table, [column], unique=False)
