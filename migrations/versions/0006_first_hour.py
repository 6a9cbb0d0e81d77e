"""article warnings; how a failure was closed

Revision ID: 0006_first_hour
Revises: 0005_actor_codes
Create Date: 2026-11-30 11:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_first_hour"
down_revision: str | None = "0005_actor_codes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("articles", sa.Column("warnings", sa.JSON(), nullable=True))
    op.add_column("failures", sa.Column("resolution", sa.String(length=16), nullable=True))


def downgrade() -> None:
    op.drop_column("failures", "resolution")
    op.drop_column("articles", "warnings")
