"""reliability: text columns for names and quotes, when each chain was sent, indexes that hold at
ten million articles (with each argument's event date, for a participant's events newest first)

Revision ID: 0008_reliability
Revises: 0007_published_offset
Create Date: 2026-11-30 10:36:05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_reliability"
down_revision: str | None = "0007_published_offset"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, column, old length, nullable): text extracted from articles or sent by producers, which
# failed whole articles on Postgres when longer than the old limit (SQLite never enforced it).
TEXT_COLUMNS = (
    ("articles", "external_id", 200, True),
    ("articles", "source", 200, True),
    ("articles", "language", 8, True),
    ("attributions", "cue", 100, False),
    ("attributions", "source", 300, True),
    ("attributions", "cited", 300, True),
    ("entities", "canonical", 300, False),
    ("entities", "normalised", 300, False),
    ("events", "trigger_text", 300, False),
    ("events", "location", 300, True),
    ("mentions", "text", 300, False),
)
IN_FLIGHT = sa.text("status IN ('queued', 'processing')")
NOT_DONE = sa.text("status <> 'done'")
OPEN = sa.text("resolved_at IS NULL")


def _retype(to_text: bool) -> None:
    for table, column, length, nullable in TEXT_COLUMNS:
        old, new = sa.VARCHAR(length=length), sa.Text()
        with op.batch_alter_table(table) as batch:
            batch.alter_column(
                column,
                existing_type=old if to_text else new,
                type_=new if to_text else old,
                existing_nullable=nullable,
            )


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        # Trusted since Postgres 13: the database owner may create it.
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    _retype(to_text=True)
    with op.batch_alter_table("articles") as batch:
        batch.add_column(sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index(
        "ix_articles_in_flight",
        "articles",
        ["updated_at"],
        postgresql_where=IN_FLIGHT,
        sqlite_where=IN_FLIGHT,
    )
    op.create_index(
        "ix_articles_not_done", "articles", ["status"], postgresql_where=NOT_DONE, sqlite_where=NOT_DONE
    )
    op.create_index(
        "ix_failures_open", "failures", ["stage", "last_at"], postgresql_where=OPEN, sqlite_where=OPEN
    )
    for table, column in (("entities", "normalised"), ("events", "location")):
        op.create_index(
            f"ix_{table}_{column}_trgm",
            table,
            [column],
            postgresql_using="gin",
            postgresql_ops={column: "gin_trgm_ops"},
        )
    op.drop_index("ix_events_type_date", table_name="events")
    # SQLite has no NULLS LAST in an index, and needs none: its NULLs sort first, so last in DESC.
    newest_first = sa.literal_column("date DESC NULLS LAST" if postgres else "date DESC")
    op.create_index("ix_events_date_id", "events", [newest_first, "id"])
    op.create_index("ix_events_type_date_id", "events", ["type", newest_first, "id"])
    with op.batch_alter_table("event_arguments") as batch:
        batch.add_column(sa.Column("event_date", sa.String(length=10), nullable=True))
    op.execute(
        "UPDATE event_arguments SET event_date = (SELECT date FROM events WHERE events.id = event_arguments.event_id)"
    )
    event_newest_first = sa.literal_column("event_date DESC NULLS LAST" if postgres else "event_date DESC")
    op.create_index(
        "ix_event_arguments_entity_newest", "event_arguments", ["entity_id", event_newest_first, "event_id"]
    )


def downgrade() -> None:
    # Fails on Postgres if a value longer than the old limit was stored meanwhile.
    op.drop_index("ix_event_arguments_entity_newest", table_name="event_arguments")
    with op.batch_alter_table("event_arguments") as batch:
        batch.drop_column("event_date")
    op.drop_index("ix_events_type_date_id", table_name="events")
    op.drop_index("ix_events_date_id", table_name="events")
    op.create_index("ix_events_type_date", "events", ["type", "date"])
    op.drop_index("ix_events_location_trgm", table_name="events")
    op.drop_index("ix_entities_normalised_trgm", table_name="entities")
    op.drop_index("ix_failures_open", table_name="failures")
    op.drop_index("ix_articles_not_done", table_name="articles")
    op.drop_index("ix_articles_in_flight", table_name="articles")
    with op.batch_alter_table("articles") as batch:
        batch.drop_column("sent_at")
    _retype(to_text=False)
