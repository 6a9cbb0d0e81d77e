"""Stage: canonical entities within an article (placeholder; replaced below)."""

from __future__ import annotations

import dataclasses

from worker.stages.document import Document


def link(doc: Document) -> Document:
    return dataclasses.replace(doc, stages=(*doc.stages, "link"))
