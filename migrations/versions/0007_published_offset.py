"""articles.published_offset: the producer's UTC offset, so dates resolve on the outlet's day

published_at is stored in UTC; an article published at 01:00+03:00 on 21 July would otherwise
resolve «أمس» against 20 July's UTC date. Existing rows get no offset (UTC), as before.

Revision ID: 0007_published_offset
Revises: 0006_first_hour
Create Date: 2026-11-30 12:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_published_offset"
down_revision: str | None = "0006_first_hour"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("articles") as batch:
        batch.add_column(sa.Column("published_offset", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("articles") as batch:
        batch.drop_column("published_offset")
