"""``khabar quality actors``: actor-code figures (country, full code, coverage) on the dev
articles with the shared scorer, plain and cross-validated over articles (worker/training/actors_cv.py)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from worker.training.scoring import find_score_py as _score_py
from worker.training.scoring import load_scorer as _scorer


@click.command("actors")
@click.option(
    "--dev-dir",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    required=True,
    help="articles.jsonl and actors.jsonl, score.py beside the folder (../shared/eval/dev)",
)
@click.option("--folds", default=5, show_default=True, help="Cross-validation folds over articles (1: none).")
def actors(dev_dir: Path, folds: int) -> None:
    from worker.settings import get_settings
    from worker.stages.actors import stage
    from worker.training.actors_cv import cross_validate, figures, linked, predict

    score = _scorer(_score_py(dev_dir, None))
    gold = {}
    for line in (dev_dir / "actors.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            g = json.loads(line)
            gold[g["id"]] = g
    config = get_settings().stage_config()
    docs = linked(dev_dir / "articles.jsonl", config)
    rows = [
        (
            "shipped constants (plain)",
            figures(score, gold, predict(docs, config, (stage.TITLE_WINDOW, stage.SPORTS_WORDS))),
        )
    ]
    if folds > 1:
        rows.append(
            (
                f"cross-validated over articles ({folds} folds)",
                cross_validate(score, gold, docs, config, folds),
            )
        )
    click.echo("| figures | country accuracy | full-code accuracy | coverage |")
    click.echo("|---|---|---|---|")
    for what, r in rows:
        click.echo(f"| {what} | {r['country_acc']:.4f} | {r['code_acc']:.4f} | {r['coverage']:.4f} |")
