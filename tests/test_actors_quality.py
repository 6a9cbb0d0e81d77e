"""Quality gate for actor codes: the shared scorer's `actors` figures on the dev articles
(country accuracy, full-code accuracy, coverage) must not fall more than half a point below
tests/baselines/actors.json. Needs ../shared; skipped without it. Refresh the pin after an intended
change with `python ../shared/eval/score.py actors ../shared/eval/dev/actors.jsonl <(khabar extract
< ../shared/eval/dev/articles.jsonl)` and the three figures it prints.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from worker.settings import get_settings
from worker.stages.document import Document
from worker.stages.output import to_output
from worker.stages.pipeline import run_all
from worker.training.scoring import load_scorer

ROOT = Path(__file__).resolve().parent.parent
EVAL = ROOT.parent / "shared" / "eval"
BASELINE = Path(__file__).resolve().parent / "baselines" / "actors.json"
TOLERANCE = 0.005

pytestmark = pytest.mark.quality


def test_actor_figures_hold_the_baseline(tmp_path):
    if not (EVAL / "dev" / "actors.jsonl").is_file() or not (EVAL / "score.py").is_file():
        pytest.skip(f"dev actor codes or score.py not found under {EVAL}")
    config = get_settings().stage_config()
    pred = tmp_path / "pred.jsonl"
    with (
        (EVAL / "dev" / "articles.jsonl").open(encoding="utf-8") as src,
        pred.open("w", encoding="utf-8") as dst,
    ):
        for line in filter(str.strip, src):
            a = json.loads(line)
            doc = Document.from_article(
                a["id"],
                a.get("title"),
                a["body"],
                published_at=a.get("published_at"),
                source=a.get("source"),
                url=a.get("url"),  # as `khabar extract` reads it: the outlet's home state
            )
            dst.write(json.dumps(to_output(run_all(doc, config=config)), ensure_ascii=False) + "\n")
    score = load_scorer(EVAL / "score.py")
    got = score.cmd_actors(SimpleNamespace(gold=str(EVAL / "dev" / "actors.jsonl"), pred=str(pred)))
    want = json.loads(BASELINE.read_text(encoding="utf-8"))
    fallen = {k: (got[k], v) for k, v in want.items() if got[k] < v - TOLERANCE}
    assert fallen == {}, f"figures below their baseline (got, pinned): {fallen}"


def test_quality_actors_prints_plain_and_cross_validated_figures():
    if not (EVAL / "dev" / "actors.jsonl").is_file() or not (EVAL / "score.py").is_file():
        pytest.skip(f"dev actor codes or score.py not found under {EVAL}")
    from click.testing import CliRunner

    from worker.commands.quality_actors import actors

    r = CliRunner().invoke(actors, ["--dev-dir", str(EVAL / "dev"), "--folds", "2"])
    assert r.exit_code == 0, r.output
    assert "| shipped constants (plain) |" in r.output
    assert "| cross-validated over articles (2 folds) |" in r.output
