"""``khabar quality gsr``: the specificity thresholds cross-validated on the GSR sentences."""

from __future__ import annotations

from pathlib import Path

import click

from worker.settings import get_settings


@click.command("gsr")
@click.option(
    "--gsr-dir",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="folder with {assault,protest}_dev.csv and _articles.jsonl (../shared/data/gsr)",
)
@click.option("--folds", default=5, show_default=True, help="Folds of sentences.")
def gsr(gsr_dir: Path, folds: int) -> None:
    """Detection F1 and hard-negative accuracy on the GSR sentences at every specificity
    threshold, the shipped threshold's, and the threshold chosen by cross-validation over
    sentences (each fold decided by the threshold best on the other folds). Takes minutes."""
    from worker.stages.events.specificity import THRESHOLD
    from worker.training.thresholds import cross_validate, detection, gold_rows, said_by_threshold

    config = get_settings().stage_config()
    lines = [
        "| type | threshold | detection F1 | P | R | hard-negative accuracy |",
        "|---|---|---|---|---|---|",
    ]
    for etype in ("ASSAULT", "PROTEST"):
        gold = gsr_dir / f"{etype.lower()}_dev.csv"
        arts = gsr_dir / f"{etype.lower()}_dev_articles.jsonl"
        if not gold.is_file() or not arts.is_file():
            continue
        click.echo(f"{etype}: running the pipeline at each threshold", err=True)
        rows = gold_rows(gold)
        by_t = said_by_threshold(arts, etype, config)
        for t, said in by_t.items():
            d = detection(rows, said)
            mark = " (shipped)" if t == THRESHOLD[etype] else ""
            lines.append(
                f"| {etype} | {t}{mark} | {d['f1']:.3f} | {d['p']:.3f} | {d['r']:.3f} | {d['hard']:.3f} |"
            )
        d, chosen = cross_validate(rows, by_t, folds, log=lambda m: click.echo(m, err=True))
        lines.append(
            f"| {etype} | cross-validated ({folds} folds; chose {', '.join(map(str, chosen))}) | "
            f"{d['f1']:.3f} | {d['p']:.3f} | {d['r']:.3f} | {d['hard']:.3f} |"
        )
    click.echo("\n".join(lines))
