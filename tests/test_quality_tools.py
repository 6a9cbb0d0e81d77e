"""The measuring tools: held-out threshold choice (pure), and `khabar quality explain` on the dev
articles (skipped without ../shared)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.khabar_cli import khabar
from worker.training.thresholds import cross_validate, detection

DEV = Path(__file__).resolve().parent.parent.parent / "shared" / "eval" / "dev"


def test_threshold_is_chosen_on_the_other_folds():
    rows = [{"id": str(i), "label": "yes" if i % 2 else "easy no"} for i in range(20)]
    perfect = {str(i): bool(i % 2) for i in range(20)}
    everything = {str(i): True for i in range(20)}
    figures, chosen = cross_validate(rows, {3: everything, 4: perfect}, k=4, log=lambda _: None)
    assert chosen == [4, 4, 4, 4]
    assert figures["f1"] == 1.0
    assert detection(rows, everything)["p"] == 0.5


@pytest.mark.quality
def test_explain_lists_gold_events_with_error_kinds():
    if not (DEV / "gold.jsonl").is_file():
        pytest.skip(f"dev articles not found at {DEV} (they come with ../shared)")
    r = khabar("quality", "explain", "--dev-dir", str(DEV), "--only-errors")
    assert r.returncode == 0, r.stderr
    assert '"errors": [' in r.stdout
    assert "| error kind | events |" in r.stderr and "| right |" in r.stderr
