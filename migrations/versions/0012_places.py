"""mentions.geonames_id, latitude, longitude: where a place mention is (GeoNames)

Like the actor code, a location belongs to a mention, not to the entity: «طرابلس» is in Lebanon
in one article and in Libya in another. Existing rows keep nulls until their article is
reprocessed.

Revision ID: 0012_places
Revises: 0009_feeds
Create Date: 2026-11-30 13:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_places"
down_revision: str | None = "0009_feeds"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("mentions") as batch:
        batch.add_column(sa.Column("geonames_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("latitude", sa.Float(), nullable=True))
        batch.add_column(sa.Column("longitude", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("mentions") as batch:
        batch.drop_column("longitude")
        batch.drop_column("latitude")
        batch.drop_column("geonames_id")
