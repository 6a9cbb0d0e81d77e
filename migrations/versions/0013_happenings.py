"""events.happening_start: which happening an event mention reports, within its article

The first mention of a happening has happening_start = trigger_start; a mention that reports it
again points at that first mention. Existing rows keep nulls (each its own happening) until their
article is reprocessed.

Revision ID: 0013_happenings
Revises: 0012_places
Create Date: 2026-11-30 13:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_happenings"
down_revision: str | None = "0012_places"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.add_column(sa.Column("happening_start", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.drop_column("happening_start")
