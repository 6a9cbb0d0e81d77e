"""Quality gate for the extraction rules, as tests/baselines/ner.json is for the model: the dev
articles' event, participant, role, entity, date and location figures and the GSR sentence
detection figures must not fall more than half a point below tests/baselines/events.json.

Needs ../shared (the dev articles and the GSR files); skipped without it. After an intended change,
judged on cross-validated figures, refresh the pin with
`khabar quality events --dev-dir ../shared/eval/dev --gsr-dir ../shared/data/gsr --write-baseline tests/baselines/events.json`.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from worker.commands.quality_events import measure, pinned

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT.parent / "shared" / "eval" / "dev"
GSR = ROOT.parent / "shared" / "data" / "gsr"
BASELINE = Path(__file__).resolve().parent / "baselines" / "events.json"
TOLERANCE = 0.005

pytestmark = pytest.mark.quality


def test_rule_figures_hold_the_baseline():
    if not (DEV / "gold.jsonl").is_file() or not GSR.is_dir():
        pytest.skip(f"dev articles or GSR files not found under {ROOT.parent / 'shared'}")
    want = json.loads(BASELINE.read_text(encoding="utf-8"))
    got = pinned(measure(DEV, GSR))
    fallen = {k: (got.get(k), v) for k, v in want.items() if got.get(k, 0.0) < v - TOLERANCE}
    assert fallen == {}, f"figures below their baseline (got, pinned): {fallen}"
