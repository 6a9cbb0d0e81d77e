"""The place model: its weights carry no word of the articles it was trained on, it picks the
likeliest place from its threshold on, and the events stage uses it (or the rules) as configured."""

from __future__ import annotations

import json
import re
from importlib import resources

import pytest

from worker.lang.ar import words
from worker.stages.config import StageConfig
from worker.stages.document import Document
from worker.stages.events.places import PlaceCandidate, PlaceModel, load_place_model, pick_place
from worker.stages.events.stage import events
from worker.stages.pipeline import run_all
from worker.training.event_places import fit_places

SEED = (
    "أجرى مسؤولون أمريكيون سابقون محادثات سرية مع وزير الخارجية الروسي سيرغي لافروف في نيويورك. "
    "وقصفت الطائرات الروسية مواقع في منطقة الزبداني بريف دمشق أمس."
)


def test_shipped_place_weights_hold_feature_names_only():
    text = (resources.files("worker.resources") / "roles" / "places.json").read_text(encoding="utf-8")
    arabic = re.compile("[\u0621-\u064a]+(?: [\u0621-\u064a]+)*")
    allowed = set(words("roles/preposition_classes"))
    leaked = {w for f in json.loads(text)["weights"] for w in arabic.findall(f)} - allowed
    assert leaked == set()
    model = load_place_model("shipped")
    assert isinstance(model, PlaceModel) and 0 <= model.threshold < 0.5
    assert load_place_model("off") is None


def test_fit_places_learns_what_the_features_say():
    data = [(("prep=في", "in_clause"), 1)] * 20 + [(("prep=مع", "in_clause"), 0)] * 20
    model = fit_places(data, l2=1.0, threshold=0.3)
    assert model.probability(("prep=في", "in_clause")) > 0.5 > model.probability(("prep=مع", "in_clause"))
    again = PlaceModel.from_json(model.to_json())
    assert again.probability(("prep=في",)) == pytest.approx(model.probability(("prep=في",)), abs=1e-4)


def test_pick_place_takes_the_likeliest_from_the_threshold_on():
    model = PlaceModel({"x": (0.0, 2.0), "y": (0.0, 1.0)}, (0.0, -1.0), threshold=0.4)
    a, b = PlaceCandidate("أ", 0, 1, ("y",)), PlaceCandidate("ب", 2, 3, ("x",))
    assert pick_place(model, [a, b]) is b
    assert pick_place(model, [a]) is a  # p = 0.5
    assert pick_place(model, [PlaceCandidate("ج", 4, 5, ())]) is None  # p = 0.27
    assert pick_place(model, []) is None


@pytest.mark.parametrize("places_model", ["off", "shipped"])
def test_events_stage_uses_the_configured_place(places_model):
    config = StageConfig(places_model=places_model, reference_date="2023-07-06")
    doc = run_all(Document.from_article("seed", "", SEED), config=config)
    assert doc.events
    assert run_all(Document.from_article("seed", "", SEED), config=config) == doc  # deterministic
    linked = run_all(
        Document.from_article("seed", "", SEED), names=("normalise", "segment", "ner", "link"), config=config
    )
    collected: list = []
    events(linked, config, collect_places=collected)
    assert len(collected) == len(doc.events)
    for e, cands in zip(doc.events, collected, strict=True):
        located = [a.name for a in e.arguments if a.role == "location"]
        assert located == ([e.location] if e.location else [])
        if places_model == "shipped" and e.location:
            assert e.location in {c.name for c in cands}
