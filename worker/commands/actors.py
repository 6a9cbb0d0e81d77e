"""``khabar build-actors``: the actor lexicon (worker/lang/ar/actors) from the Arabic CAMEO
dictionaries."""

from __future__ import annotations

from pathlib import Path

import click

OUT = Path(__file__).resolve().parent.parent / "lang" / "ar" / "actors"


@click.command("build-actors")
@click.option(
    "--cameo-dir",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    required=True,
    help="UniversalPetrarch's Arabic dictionaries: actor_dict_ar_v4.txt, agents.all.ar.txt (../shared/data/cameo_ar)",
)
@click.option(
    "--nationalities",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    default=None,
    help="arwikicats' nationality table (ArWikiCats/jsons/nationalities/nationalities_data.json in its wheel, MIT)",
)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=OUT, show_default=True)
def build_actors(cameo_dir: Path, nationalities: Path | None, out: Path) -> None:
    """Write named.tsv, agents.tsv and adjectives.tsv (deterministic: the same sources give the
    same files)."""
    from worker.training.actors import build, write

    counts = write(out, build(cameo_dir, nationalities))
    for name, n in counts.items():
        click.echo(f"{out / name}.tsv: {n} entries")
