"""article warnings; how a failure was closed

Revision ID: 0005_first_hour
Revises: 0004_one_normaliser
Create Date: 2026-11-30 11:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_first_hour"
down_revision: str | None = "0004_one_normaliser"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("articles", sa.Column("warnings", sa.JSON(), nullable=True))
    op.add_column("failures", sa.Column("resolution", sa.String(length=16), nullable=True))


def downgrade() -> None:
    op.drop_column("failures", "resolution")
    op.drop_column("articles", "warnings")
