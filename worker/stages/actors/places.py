"""Places on a map: each place the actors stage put in a state gets its GeoNames id and, for a
city, its coordinates (the gazetteer in ``worker/resources/places``, built by ``khabar
build-places`` from GeoNames data, CC BY 4.0).

The state the actors stage chose decides between places of one name, and a name its state is
also known by is the state, not its capital:

1. a state's own name («روسيا», «الجزائر», «الكويت»: a name of the state in
   ``names/nationalities.tsv`` that is not one of the state's cities) → the state's GeoNames id,
   no coordinates (a state is an area, not a point);
2. else the most populous city of that name in the place's state («موسكو» in RUS, not the
   Moscow of Idaho; «طرابلس» in LBN or LBY, as the article decides);
3. else, for a place the actors stage left without a state, the most populous city of the name;
   a continent, sea or region that spans states (``actors/regions``, which the actors stage
   leaves without a state on purpose) is none: «المحيط الهندي» is no town in Iraq.

Names are looked up in the actor lexicon's form (``actor_lexicon.key``), whole, then without
their first word («مدينة حلب», «محافظة عدن»: the label may itself be a name).
"""

from __future__ import annotations

import dataclasses
import gzip
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

from worker.lang.ar import words as word_list
from worker.lang.ar.actor_lexicon import adjectives, key
from worker.lang.ar.lexicons import nationalities
from worker.stages.document import Document, Mention, evolve


@dataclass(frozen=True)
class Located:
    geonames_id: int
    latitude: float | None
    longitude: float | None
    country: str


def _resource(name: str) -> bytes:
    return (resources.files("worker.resources") / "places" / name).read_bytes()


@cache
def cities() -> dict[str, tuple[Located, ...]]:
    """Key → the cities of that name, one per state, most populous first."""
    out: dict[str, list[Located]] = {}
    for line in gzip.decompress(_resource("places.tsv.gz")).decode("utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        name, gid, lat, lon, country, _ = line.split("\t")
        out.setdefault(name, []).append(Located(int(gid), float(lat), float(lon), country))
    return {k: tuple(v) for k, v in out.items()}


@cache
def countries() -> dict[str, int]:
    """ISO 3166-1 alpha-3 → the country's GeoNames id."""
    rows = (line.split("\t") for line in _resource("countries.tsv").decode("utf-8").splitlines())
    return {r[0]: int(r[1]) for r in rows if r[0] and not r[0].startswith("#")}


@cache
def state_names() -> dict[str, frozenset[str]]:
    """ISO 3166-1 alpha-3 → the keys of the state's names (rule 1 of the module doc). The
    nationality table lists a capital among a state's names («روسي»: «روسيا|…|موسكو») as a
    metonym; a name that is a city of that state in the gazetteer and not the state's default name
    is that city."""
    by_adjective = adjectives()
    out: dict[str, set[str]] = {}
    for stem, names in nationalities().items():
        country = by_adjective.get(key(stem))
        if not country:
            continue
        for k, name in enumerate(names):
            name_key = key(name)
            is_city = any(c.country == country for c in cities().get(name_key, ()))
            if name_key and (k == 0 or not is_city):
                out.setdefault(country, set()).add(name_key)
    return {c: frozenset(v) for c, v in out.items()}


def locate_name(words: Sequence[str], country: str | None) -> Located | None:
    """Where a place of these key words in ``country`` (None: unknown) is, by the module's rules."""
    if " ".join(words) in word_list("actors/regions"):
        return None
    forms = [" ".join(words)] + ([" ".join(words[1:])] if len(words) > 1 else [])
    for form in forms:
        if country and form in state_names().get(country, ()) and country in countries():
            return Located(countries()[country], None, None, country)
        found = cities().get(form, ())
        in_state = [c for c in found if c.country == country] if country else list(found)
        if in_state:
            return in_state[0]
    return None


def locate(doc: Document) -> Document:
    """Give every place mention with a known location its GeoNames id and coordinates."""
    located: dict[tuple[str, str | None], Located | None] = {}
    mentions: list[Mention] = []
    changed = False
    for m in doc.mentions:
        if m.type == "LOC" and m.country != "IGO":
            entity = (m.canonical, m.country)
            if entity not in located:
                located[entity] = locate_name(key(m.canonical).split(), m.country)
            where = located[entity]
            if where is not None:
                m = evolve(
                    m, geonames_id=where.geonames_id, latitude=where.latitude, longitude=where.longitude
                )
                changed = True
        mentions.append(m)
    return dataclasses.replace(doc, mentions=tuple(mentions)) if changed else doc
