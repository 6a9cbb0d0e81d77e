"""``khabar train-roles``: fit the role model on gold articles, with cross-validated figures."""

from __future__ import annotations

from pathlib import Path

import click

from worker.settings import get_settings
from worker.training.scoring import find_score_py as _score_py
from worker.training.scoring import load_scorer as _scorer


def role_figures(
    dev_dir: Path, folds: int, progress=lambda _: None, gate: bool = False, shuffles: int = 0
) -> tuple[list[tuple[str, dict]], object]:
    """[(what, scorer figures)] for the rules, the role and place models fitted on every article,
    and the models cross-validated over articles; and the two models fitted on every article
    (``gate``: the role model with a participation gate, worker/training/roles.fit_labelled).
    ``shuffles``: also the mean over that many other fold splits (the articles shuffled with seeds
    1..N before they are dealt)."""
    from worker.training.event_places import place_accuracy, place_f1, train_places
    from worker.training.roles import cross_validate, mean_figures, prepare, read_jsonl, shuffled, train
    from worker.training.roles import figures as scorer_figures

    score = _scorer(_score_py(dev_dir, None))

    def figures(outputs, golds, score):
        # the scorer's figures, and the place accuracy over every matched event (a place named
        # where the gold has none counts wrong there, not in the scorer's location accuracy)
        return {
            **scorer_figures(outputs, golds, score),
            "place_all": place_accuracy(outputs, golds, score),
            "place_f1": place_f1(outputs, golds, score),
        }

    golds = {g["id"]: g for g in read_jsonl(dev_dir / "gold.jsonl")}
    progress("running the pipeline with the rules alone")
    articles = prepare(read_jsonl(dev_dir / "articles.jsonl"), golds, get_settings().stage_config())
    progress("fitting on every article")
    model, places = train(articles, score, gate), train_places(articles, score)
    rows = [
        ("rules alone", figures([a.output for a in articles], golds, score)),
        (
            "model, fitted on every article (plain)",
            figures([a.with_model(model, places) for a in articles], golds, score),
        ),
    ]
    if folds > 1:
        held_out = cross_validate(articles, folds, score, progress, gate)
        rows.append(
            (f"model, cross-validated over articles ({folds} folds)", figures(held_out, golds, score))
        )
        runs = []
        for seed in range(1, shuffles + 1):
            progress(f"fold split {seed}/{shuffles}: articles shuffled with seed {seed}")
            held_out = cross_validate(shuffled(articles, seed), folds, score, progress, gate)
            runs.append(figures(held_out, golds, score))
        if runs:
            rows.append(
                (
                    f"model, cross-validated over articles ({folds} folds, mean of {shuffles} shuffled splits)",
                    mean_figures(runs),
                )
            )
    return rows, (model, places)


def role_table(rows: list[tuple[str, dict]]) -> str:
    lines = [
        "| roles and places from | participant F1 | role F1 | location accuracy | place accuracy, all events | event F1 |",
        "|---|---|---|---|---|---|",
    ]
    for what, r in rows:
        lines.append(
            f"| {what} | {r['participant']['f1']:.3f} | {r['role']['f1']:.3f} "
            f"| {r['location']['acc']:.3f} | {r['place_all']:.3f} | {r['event']['f1']:.3f} |"
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
@click.option(
    "--places-out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="write the place model's weights fitted on every article here (the shipped file is "
    "worker/resources/roles/places.json)",
)
@click.option(
    "--gate",
    is_flag=True,
    help="decide who takes part with a gate trained on the gold's optional events too, actor or "
    "recipient on the required ones alone (not shipped: cross-validated, it raised participant F1 "
    "but lowered role F1, see README)",
)
@click.option(
    "--shuffles",
    default=0,
    show_default=True,
    help="also cross-validate over this many other fold splits (articles shuffled with seeds 1..N) "
    "and print their mean: one split of a few dozen articles can be lucky",
)
def train_roles(
    dev_dir: Path, folds: int, out: Path | None, places_out: Path | None, gate: bool, shuffles: int
) -> None:
    """Fit the role model (who is actor, who recipient) and the place model (where it happened)
    on gold articles and print participant F1, role F1 and location accuracy for the rules alone,
    the models fitted on every article, and the models cross-validated over articles (their L2,
    thresholds and the role model's recipient limit chosen inside each fold). Takes a few
    minutes."""
    rows, (model, places) = role_figures(
        dev_dir, folds, progress=lambda msg: click.echo(msg, err=True), gate=gate, shuffles=shuffles
    )
    click.echo(role_table(rows))
    for path, fitted in ((out, model), (places_out, places)):
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(fitted.to_json(), encoding="utf-8")
            click.echo(f"weights written to {path} (threshold {fitted.threshold})", err=True)
