"""mentions.country and mentions.sector: the entity's CAMEO-style actor code at the article's date

A code belongs to a mention, not to the entity: one person is IRQ GOV in an article of 2012 and
IRQ ELI in one of 2015. Existing rows keep nulls until their article is reprocessed.

Revision ID: 0005_actor_codes
Revises: 0004_one_normaliser
Create Date: 2026-11-30 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_actor_codes"
down_revision: str | None = "0004_one_normaliser"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("mentions") as batch:
        batch.add_column(sa.Column("country", sa.String(length=3), nullable=True))
        batch.add_column(sa.Column("sector", sa.String(length=3), nullable=True))
        batch.create_index("ix_mentions_country", ["country"])


def downgrade() -> None:
    with op.batch_alter_table("mentions") as batch:
        batch.drop_index("ix_mentions_country")
        batch.drop_column("sector")
        batch.drop_column("country")
