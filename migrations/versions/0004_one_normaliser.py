"""entities.normalised and articles.content_hash in the one normaliser's form

The normaliser every stage uses (worker.lang.ar.normalise) replaced camel-tools' normalize_* for
stored keys: it also unfolds presentation forms (NFKC), drops Quranic marks, maps Arabic-Indic
digits to ASCII and lower-cases Latin letters. Stored keys are recomputed so that names and
re-sent articles keep matching. Entities whose keys now coincide are merged into the oldest (their
mentions and event arguments move to it); an article whose new hash is already taken keeps its old
one (it stays a separate article, as it was).

Revision ID: 0004_one_normaliser
Revises: 0001
Create Date: 2026-11-30 12:35:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from worker.lang.ar.normalise import normalise_name
from worker.stages.text.normalise import content_hash

revision: str = "0004_one_normaliser"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 5000


def _renormalise_entities(conn) -> None:
    rows = conn.execute(sa.text("SELECT id, type, canonical, normalised FROM entities ORDER BY id")).all()
    survivor: dict[tuple[str, str], int] = {}  # (type, new key) → the oldest entity with it
    changed: list[tuple[int, str]] = []
    for eid, etype, canonical, old in rows:
        new = normalise_name(canonical)
        keeper = survivor.setdefault((etype, new), eid)
        if keeper != eid:
            _merge(conn, eid, keeper)
        elif new != old:
            changed.append((eid, new))
    # Two passes, so that a key another row still holds until its own update never collides.
    for eid, _ in changed:
        conn.execute(
            sa.text("UPDATE entities SET normalised = :n WHERE id = :i"), {"n": f"\x01{eid}", "i": eid}
        )
    for eid, new in changed:
        conn.execute(sa.text("UPDATE entities SET normalised = :n WHERE id = :i"), {"n": new, "i": eid})


def _merge(conn, eid: int, survivor: int) -> None:
    """The same entity stored twice under the old keys: its references move to the older row."""
    params = {"s": survivor, "e": eid}
    conn.execute(sa.text("UPDATE mentions SET entity_id = :s WHERE entity_id = :e"), params)
    conn.execute(
        sa.text(
            "DELETE FROM event_arguments WHERE entity_id = :e AND EXISTS (SELECT 1 FROM event_arguments a "
            "WHERE a.event_id = event_arguments.event_id AND a.role = event_arguments.role AND a.entity_id = :s)"
        ),
        params,
    )
    conn.execute(sa.text("UPDATE event_arguments SET entity_id = :s WHERE entity_id = :e"), params)
    conn.execute(sa.text("DELETE FROM entities WHERE id = :e"), params)


def _rehash_articles(conn) -> None:
    last = ""
    while True:
        batch = conn.execute(
            sa.text(
                "SELECT id, title, body, content_hash FROM articles WHERE id > :last ORDER BY id LIMIT :n"
            ),
            {"last": last, "n": BATCH},
        ).all()
        if not batch:
            return
        for aid, title, body, old in batch:
            new = content_hash(title, body)
            if new != old:
                exists = conn.execute(
                    sa.text("SELECT 1 FROM articles WHERE content_hash = :h"), {"h": new}
                ).first()
                if exists is None:
                    conn.execute(
                        sa.text("UPDATE articles SET content_hash = :h WHERE id = :i"), {"h": new, "i": aid}
                    )
        last = batch[-1][0]


def upgrade() -> None:
    conn = op.get_bind()
    _renormalise_entities(conn)
    _rehash_articles(conn)


def downgrade() -> None:
    # The keys stay valid comparison forms; the old normaliser no longer exists to recompute them.
    pass
