"""Actor-code figures on gold articles, plain and cross-validated over articles.

The actors stage has two tuned constants (``TITLE_WINDOW``, ``SPORTS_WORDS``); their shipped
values were chosen by hand while looking at the dev figures. ``cross_validate`` measures what
that choice is worth on articles it was not made on: for each fold, the values that score best
on the other folds are used on the held-out fold. The pipeline runs once per article up to link;
only the actors stage reruns per setting.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import random
from collections.abc import Iterator
from pathlib import Path

from worker.stages.actors import stage as actors_stage
from worker.stages.config import StageConfig
from worker.stages.document import Document
from worker.stages.output import to_output
from worker.stages.pipeline import ORDER, run_all
from worker.training.scoring import score_outputs

# the settings tried: (TITLE_WINDOW, SPORTS_WORDS)
GRID = tuple(itertools.product((3, 5, 7), (2, 3, 4, 5)))


@contextlib.contextmanager
def constants(title_window: int, sports_words: int) -> Iterator[None]:
    saved = actors_stage.TITLE_WINDOW, actors_stage.SPORTS_WORDS
    actors_stage.TITLE_WINDOW, actors_stage.SPORTS_WORDS = title_window, sports_words
    try:
        yield
    finally:
        actors_stage.TITLE_WINDOW, actors_stage.SPORTS_WORDS = saved


def linked(articles: Path, config: StageConfig) -> list[Document]:
    """The articles run up to the stage before actors."""
    before = ORDER[: ORDER.index("actors")]
    out = []
    for line in articles.read_text(encoding="utf-8").splitlines():
        if line.strip():
            a = json.loads(line)
            doc = Document.from_article(
                a["id"],
                a.get("title"),
                a["body"],
                published_at=a.get("published_at"),
                source=a.get("source"),
                url=a.get("url"),
            )
            out.append(run_all(doc, before, config))
    return out


def predict(docs: list[Document], config: StageConfig, setting: tuple[int, int]) -> list[dict]:
    with constants(*setting):
        return [to_output(actors_stage.actors(d, config)) for d in docs]


def figures(score, gold: dict[str, dict], preds: list[dict]) -> dict:
    """The shared scorer's ``actors`` report for these predictions against their articles' gold."""
    return score_outputs(score.cmd_actors, preds, gold)


def _objective(report: dict) -> float:
    return report["country_acc"] + report["code_acc"]


def cross_validate(
    score, gold: dict[str, dict], docs: list[Document], config: StageConfig, folds: int
) -> dict:
    """Figures of the held-out folds, each predicted with the setting best on the other folds
    (articles shuffled with a fixed seed)."""
    order = list(range(len(docs)))
    random.Random(0).shuffle(order)
    held: list[dict] = []
    for k in range(folds):
        test = {i for n, i in enumerate(order) if n % folds == k}
        train = [d for i, d in enumerate(docs) if i not in test]
        best = max(GRID, key=lambda s: _objective(figures(score, gold, predict(train, config, s))))
        held += predict([d for i, d in enumerate(docs) if i in test], config, best)
    return figures(score, gold, held)
