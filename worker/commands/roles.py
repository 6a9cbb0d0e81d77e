"""``khabar train-roles``: fit the role model on gold articles, with cross-validated figures."""

from __future__ import annotations

from pathlib import Path

import click

from worker.settings import get_settings
from worker.training.scoring import find_score_py as _score_py
from worker.training.scoring import load_scorer as _scorer


def role_figures(dev_dir: Path, folds: int, progress=lambda _: None) -> tuple[list[tuple[str, dict]], object]:
    """[(what, scorer figures)] for the rules, the model fitted on every article, and the model
    cross-validated over articles; and the model fitted on every article."""
    from worker.training.roles import cross_validate, figures, prepare, read_jsonl, train

    score = _scorer(_score_py(dev_dir, None))
    golds = {g["id"]: g for g in read_jsonl(dev_dir / "gold.jsonl")}
    progress("running the pipeline with the rules alone")
    articles = prepare(read_jsonl(dev_dir / "articles.jsonl"), golds, get_settings().stage_config())
    progress("fitting on every article")
    model = train(articles, score)
    rows = [
        ("rules alone", figures([a.output for a in articles], golds, score)),
        (
            "model, fitted on every article (plain)",
            figures([a.with_model(model) for a in articles], golds, score),
        ),
    ]
    if folds > 1:
        held_out = cross_validate(articles, folds, score, progress)
        rows.append(
            (f"model, cross-validated over articles ({folds} folds)", figures(held_out, golds, score))
        )
    return rows, model


def role_table(rows: list[tuple[str, dict]]) -> str:
    lines = ["| roles from | participant F1 | role F1 | event F1 |", "|---|---|---|---|"]
    for what, r in rows:
        lines.append(
            f"| {what} | {r['participant']['f1']:.3f} | {r['role']['f1']:.3f} | {r['event']['f1']:.3f} |"
        )
    return "\n".join(lines)


@click.command("train-roles")
@click.option(
    "--dev-dir",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="gold articles: articles.jsonl and gold.jsonl, score.py beside the folder (../shared/eval/dev)",
)
@click.option("--folds", default=5, show_default=True, help="Cross-validation folds over articles (1: none).")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="write the weights fitted on every article here (the shipped file is "
    "worker/resources/roles/weights.json)",
)
def train_roles(dev_dir: Path, folds: int, out: Path | None) -> None:
    """Fit the role model (who is actor, who recipient) on gold articles and print participant and
    role F1 for the rules alone, the model fitted on every article, and the model cross-validated
    over articles (its L2 and threshold chosen inside each fold). Takes a few minutes."""
    rows, model = role_figures(dev_dir, folds, progress=lambda msg: click.echo(msg, err=True))
    click.echo(role_table(rows))
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(model.to_json(), encoding="utf-8")
        click.echo(f"weights written to {out} (threshold {model.threshold})", err=True)
