"""The one call the store step makes into the corpus work, in the store step's own transaction: the
article joins the near-duplicate index, its entities the cross-article merges, its events the
story events. Every part is idempotent, so a re-delivered or reprocessed store step is harmless."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from db.store import Saved
from worker.corpus import duplicates, entities, stories
from worker.stages.document import Document


def after_store(session: Session, doc: Document, version: str, saved: Saved | None = None) -> None:
    """``saved``: what ``save_results`` returned for ``doc`` in this transaction (its entity and
    event ids are then not read back)."""
    after_store_many(session, [(doc, version, saved)])


def after_store_many(session: Session, stored: Sequence[tuple[Document, str, Saved | None]]) -> None:
    """The corpus work of a batch of stored documents, in a few statements for the whole batch
    (each part takes the batch at once: worker/corpus/duplicates.py, entities.py, stories.py)."""
    duplicates.index_articles(session, [doc.id for doc, _, _ in stored])
    names: dict[int, entities.Name] = {}
    for doc, _, saved in stored:  # an entity of several documents keeps the first one's country
        for entity_id, name in entities.names_of(session, doc, saved.entities if saved else None):
            names.setdefault(entity_id, name)
    entities.link_entities(session, list(names.items()))
    stories.assign_many(session, stored)
