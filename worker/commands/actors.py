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
    "--arwikicats",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    default=None,
    help="the ArWikiCats/jsons folder of the arwikicats 0.2.3 wheel (MIT): nationalities and sports clubs",
)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=OUT, show_default=True)
def build_actors(cameo_dir: Path, arwikicats: Path | None, out: Path) -> None:
    """Write named.tsv, agents.tsv, adjectives.tsv and clubs.tsv (deterministic: the same sources
    give the same files)."""
    from worker.training.actors import build, write

    counts = write(out, build(cameo_dir, arwikicats))
    for name, n in counts.items():
        click.echo(f"{out / name}.tsv: {n} entries")
