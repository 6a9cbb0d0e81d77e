"""What the pipeline hands every stage (spaCy's component-config idea).

A stage reads its inputs from the Document and its options from a ``StageConfig``; nothing else:
not the settings, the environment or the clock, so the same article and config give the same
output whenever and wherever it runs. The worker builds the config from its settings
(``Settings.stage_config``) and the article (its reference date).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

NER_BACKENDS = ("shipped", "camel")


@dataclass(frozen=True)
class StageConfig:
    ner_backend: str = "shipped"  # one of NER_BACKENDS
    # the camel backend: its BERT model folder, or the camel-tools data folder whose catalogue names it
    camel_ner_model: str | None = None
    camel_data_dir: str | None = None
    # caps that keep one pathological article from stalling a worker: the rest is not analysed
    max_sentences: int = 2000
    max_tokens_per_sentence: int = 400
    # ISO date relative expressions ("أمس") resolve against when the article has no published_at
    # (the worker passes the day the article was received); with neither, they stay unresolved
    reference_date: str | None = None
    # who is actor and who recipient: "shipped" (the learned role model in worker/resources/roles),
    # "off" (the rules alone), or the path of another weights file (cross-validation folds)
    roles_model: str = "shipped"
    # where the event happened: "shipped" (the learned place model, worker/resources/roles/places.json),
    # "off" (the rules alone), or the path of another weights file
    places_model: str = "shipped"
    # points an ASSAULT or PROTEST mention needs to count as a new, specific report, by type
    # (events/specificity.py); empty: the shipped thresholds. `khabar quality gsr` cross-validates them.
    specificity: tuple[tuple[str, int], ...] = ()

    def __post_init__(self) -> None:
        backend = self.ner_backend.strip().lower() or "shipped"
        if backend not in NER_BACKENDS:
            raise ValueError(
                f"NER backend {self.ner_backend!r} is not one of {', '.join(NER_BACKENDS)} "
                "(KHABAR_NER_BACKEND)"
            )
        object.__setattr__(self, "ner_backend", backend)

    def with_reference_date(self, reference_date: str | None) -> StageConfig:
        return dataclasses.replace(self, reference_date=reference_date)


DEFAULT = StageConfig()
