"""The stage order, and all stages in one process (``khabar extract``, the embedded demo).

Each stage declares the stages it needs; ``check_order`` refuses a pipeline that would run a stage
before what it needs, with an error that names what is missing (Stanza's idiom).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from worker.stages.actors.stage import actors
from worker.stages.config import DEFAULT, StageConfig
from worker.stages.document import Document
from worker.stages.events.happenings import happenings
from worker.stages.events.stage import events as find_events
from worker.stages.link.stage import link
from worker.stages.ner.stage import ner
from worker.stages.text.normalise import normalise
from worker.stages.text.segment import segment

Stage = Callable[[Document, StageConfig], Document]


def events(doc: Document, config: StageConfig = DEFAULT) -> Document:
    """The events stage: the event mentions, then which of them report one happening."""
    return happenings(find_events(doc, config))


STAGES: dict[str, Stage] = {
    "normalise": normalise,
    "segment": segment,
    "ner": ner,
    "link": link,
    "actors": actors,
    "events": events,
}
REQUIRES: dict[str, tuple[str, ...]] = {
    "normalise": (),
    "segment": ("normalise",),
    "ner": ("segment",),
    "link": ("ner",),
    "actors": ("link",),
    "events": ("link",),
}
ORDER: tuple[str, ...] = tuple(STAGES)


class PipelineOrderError(ValueError):
    pass


def check_order(names: Iterable[str]) -> None:
    seen: set[str] = set()
    for name in names:
        if name not in STAGES:
            raise PipelineOrderError(f"unknown stage {name!r}; known: {', '.join(ORDER)}")
        missing = [r for r in REQUIRES[name] if r not in seen]
        if missing:
            raise PipelineOrderError(f"stage {name!r} needs {', '.join(missing)} to run before it")
        seen.add(name)


def run_stage(name: str, doc: Document, config: StageConfig = DEFAULT) -> Document:
    missing = [r for r in REQUIRES[name] if r not in doc.stages]
    if missing:
        raise PipelineOrderError(f"stage {name!r} needs {', '.join(missing)}; document has {doc.stages}")
    return STAGES[name](doc, config)


def run_all(doc: Document, names: Iterable[str] = ORDER, config: StageConfig = DEFAULT) -> Document:
    names = tuple(names)
    check_order(names)
    for name in names:
        doc = STAGES[name](doc, config)
    return doc
