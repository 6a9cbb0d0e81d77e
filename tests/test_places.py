"""Places on a map (issue 11, item 5): the gazetteer built from GeoNames extracts, the state
deciding between places of one name, a state's own name kept apart from its capital, and the
location stored and printed."""

from __future__ import annotations

import dataclasses
import gzip
import json

import pytest
from sqlalchemy import select

from db.models import Mention as MentionRow
from db.session import session_scope
from db.store import add_article, save_results
from worker.lang.ar.actor_lexicon import key
from worker.stages.actors.places import locate_name, state_names
from worker.stages.actors.stage import actors
from worker.stages.config import DEFAULT
from worker.stages.document import Document, Mention
from worker.stages.output import to_output
from worker.stages.pipeline import run_all
from worker.training.places import arabic_names, country_ids, places_from_geonames, write_places

COUNTRIES = {
    "RU": {"iso": "RU", "iso3": "RUS", "geonameid": 2017370},
    "US": {"iso": "US", "iso3": "USA", "geonameid": 6252001},
    "LB": {"iso": "LB", "iso3": "LBN", "geonameid": 272103},
    "LY": {"iso": "LY", "iso3": "LBY", "geonameid": 2215636},
}


def city(gid, name, cc, pop, names, lat=1.0, lon=2.0):
    return str(gid), {
        "geonameid": gid,
        "name": name,
        "latitude": lat,
        "longitude": lon,
        "countrycode": cc,
        "population": pop,
        "alternatenames": names,
    }


CITIES = dict(
    [
        city(524901, "Moscow", "RU", 10381222, ["Moskva", "موسكو", "مسکو"], 55.75, 37.62),
        city(5601538, "Moscow", "US", 25000, ["موسكو، آيداهو", "موسكو"]),
        city(266826, "Tripoli", "LB", 229398, ["طرابلس"]),
        city(2210247, "Tripoli", "LY", 1302947, ["طرابلس", "طرابلس، لیبیا"]),
        city(99999, "Nowhere", "XX", 50000, ["مكان"]),  # a country the table does not know
    ]
)


def test_only_names_in_the_letters_arabic_uses_are_kept():
    assert arabic_names(["Moskva", "موسكو", "مسکو", "ماسکو", "دبئی", "دبي"]) == ["موسكو", "دبي"]


def test_the_builder_keeps_one_place_per_name_and_state_most_populous_first(tmp_path):
    places = places_from_geonames(CITIES, COUNTRIES)
    assert [(p.key, p.country, p.geonames_id) for p in places] == [
        ("طرابلس", "LBY", 2210247),
        ("طرابلس", "LBN", 266826),
        ("موسكو", "RUS", 524901),
        ("موسكو", "USA", 5601538),
    ]  # «موسكو، آيداهو» and «طرابلس، لیبیا» are labels, not names: dropped
    meta = write_places(places, country_ids(COUNTRIES), tmp_path)
    again = tmp_path / "again"
    write_places(places_from_geonames(CITIES, COUNTRIES), country_ids(COUNTRIES), again)
    assert (tmp_path / "places.tsv.gz").read_bytes() == (again / "places.tsv.gz").read_bytes()
    rows = gzip.decompress((tmp_path / "places.tsv.gz").read_bytes()).decode().splitlines()
    assert rows[1] == "طرابلس\t2210247\t1.0\t2.0\tLBY\t1302947"
    assert meta["places"] == 4 and "CC BY 4.0" in json.loads((tmp_path / "meta.json").read_text())["licence"]


def test_the_build_command_writes_the_gazetteer(tmp_path):
    from click.testing import CliRunner

    from worker.cli import cli

    (tmp_path / "cities.json").write_text(json.dumps(CITIES), encoding="utf-8")
    (tmp_path / "countries.json").write_text(json.dumps(COUNTRIES), encoding="utf-8")
    out = tmp_path / "out"
    r = CliRunner().invoke(
        cli,
        ["build-places", "--cities", str(tmp_path / "cities.json"), "--countries", str(tmp_path / "countries.json"),
         "--out", str(out)],
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "4 places under 2 names, 4 countries" in r.output
    assert (out / "countries.tsv").read_text().splitlines()[1:] == [
        "LBN\t272103", "LBY\t2215636", "RUS\t2017370", "USA\t6252001",
    ]  # fmt: skip


# --- the shipped gazetteer ---------------------------------------------------------------------


def test_the_state_decides_between_places_of_one_name():
    moscow = locate_name(["موسكو"], "RUS")
    assert moscow.geonames_id == 524901 and round(moscow.latitude) == 56
    assert locate_name(["طرابلس"], "LBN").geonames_id == 266826
    assert locate_name(["طرابلس"], "LBY").geonames_id == 2210247
    assert locate_name(["طرابلس"], None).geonames_id == 2210247  # no state: the most populous
    assert locate_name(["طرابلس"], "EGY") is None  # a state that has no such city: no guess


def test_a_state_is_its_name_not_its_capital():
    algeria = locate_name(key("الجزائر").split(), "DZA")  # «الجزائر»: the state and its capital share a name
    assert algeria.geonames_id == 2589581 and algeria.latitude is None
    assert locate_name(["موسكو"], "RUS").latitude is not None  # a capital listed as the state's name
    assert "موسكو" not in state_names()["RUS"] and "روسيا" in state_names()["RUS"]
    assert locate_name(key("مدينة حلب").split(), "SYR").geonames_id == 170063  # a label before the name


def test_a_region_is_no_point_on_the_map():
    # the gazetteer has a town called «المحيط الهندي» (in Iraq): the ocean is not it
    ocean = key("المحيط الهندي").split()
    assert locate_name(ocean, None) is None
    assert locate_name(key("الشرق الأوسط").split(), None) is None


def test_the_actors_stage_locates_places_and_the_output_carries_them():
    text = "التقى وزير الخارجية الروسي نظيره الليبي في طرابلس، ثم توجه إلى موسكو وروسيا."
    doc = run_all(Document.from_article("t", None, text, published_at="2020-01-01"), ("normalise", "segment"))
    mentions = []
    for name in ("طرابلس", "موسكو", "روسيا"):
        start = text.index(name)
        mentions.append(Mention(name, "LOC", start, start + len(name), name, 0))
    doc = actors(dataclasses.replace(doc, mentions=tuple(mentions), stages=(*doc.stages, "link")), DEFAULT)
    out = {e["canonical"]: (e["actor"]["country"], e["geo"]) for e in to_output(doc)["entities"]}
    assert out["موسكو"] == ("RUS", {"geonames_id": 524901, "lat": 55.75204, "lon": 37.61781})
    assert out["روسيا"] == ("RUS", {"geonames_id": 2017370, "lat": None, "lon": None})
    assert out["طرابلس"][1]["geonames_id"] in (266826, 2210247)


@pytest.mark.db
def test_locations_are_stored_on_postgres(db):
    doc = Document(
        id="a1",
        text="موسكو",
        mentions=(Mention("موسكو", "LOC", 0, 5, "موسكو", country="RUS", geonames_id=524901, latitude=55.75, longitude=37.62),),
    )  # fmt: skip
    with session_scope() as s:
        aid, _ = add_article(s, {"id": "a1", "content_hash": "h1", "body": "موسكو", "extractor_version": "v"})
        save_results(s, dataclasses.replace(doc, id=aid), "v")
    with session_scope() as s:
        row = s.scalars(select(MentionRow)).one()
        assert (row.country, row.geonames_id, row.latitude, row.longitude) == ("RUS", 524901, 55.75, 37.62)
