"""The one call the store step makes into the corpus work, in the store step's own transaction: the
article joins the near-duplicate index, its entities the cross-article merges, its events the
story events. Every part is idempotent, so a re-delivered or reprocessed store step is harmless."""

from __future__ import annotations

from sqlalchemy.orm import Session

from db.store import Saved
from worker.corpus import duplicates, entities, stories
from worker.stages.document import Document


def after_store(session: Session, doc: Document, version: str, saved: Saved | None = None) -> None:
    """``saved``: what ``save_results`` returned for ``doc`` in this transaction (its entity and
    event ids are then not read back)."""
    duplicates.index_article(session, doc.id)
    entities.link_entities(session, entities.names_of(session, doc, saved.entities if saved else None))
    stories.assign(session, doc, version, saved)
