"""Quality gate: the shipped NER model's entity F1 on the ANERcorp test split must not drop more than
0.5 points below the figure pinned in tests/baselines/ner.json (trafilatura's eval_gate idiom).

Needs ../shared/data/anercorp/test.txt beside the repository (CI has it); skipped without it.
After an intended change of the model, refresh the pin with
`khabar quality ner --test ../shared/data/anercorp/test.txt --write-baseline tests/baselines/ner.json`.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from worker.stages.ner.model import NerModel
from worker.training.ner import read_conll, score

ROOT = Path(__file__).resolve().parent.parent
TEST_SPLIT = ROOT.parent / "shared" / "data" / "anercorp" / "test.txt"
BASELINE = Path(__file__).resolve().parent / "baselines" / "ner.json"
TOLERANCE = 0.005  # half a point of F1

pytestmark = pytest.mark.quality


@pytest.fixture(scope="module")
def figures():
    if not TEST_SPLIT.is_file():
        pytest.skip(f"ANERcorp test split not found at {TEST_SPLIT} (it comes with ../shared)")
    gold = read_conll(TEST_SPLIT)
    pred = NerModel.load().tag_document([toks for toks, _ in gold])
    return score([tags for _, tags in gold], pred)


def test_entity_f1_holds_the_baseline(figures):
    pinned = json.loads(BASELINE.read_text(encoding="utf-8"))
    f1 = figures.overall[2]
    assert f1 >= pinned["f1"] - TOLERANCE, (
        f"NER test F1 {f1:.4f} dropped below the baseline {pinned['f1']:.4f} by more than {TOLERANCE}"
    )


def test_per_type_f1_holds_the_baseline(figures):
    pinned = json.loads(BASELINE.read_text(encoding="utf-8"))["per_type_f1"]
    for typ, value in pinned.items():
        got = figures.per_type[typ][2]
        assert got >= value - 2 * TOLERANCE, f"{typ} F1 {got:.4f} fell below its baseline {value:.4f}"
