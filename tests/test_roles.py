"""The role model: its weights carry no word of the articles it was trained on, it learns what its
features say, and the events stage uses it (or the rules alone) as configured."""

from __future__ import annotations

import json
import re
from importlib import resources

import pytest

from worker.lang.ar import words
from worker.stages.config import StageConfig
from worker.stages.document import Document
from worker.stages.events.roles import PREP_CLASSES, ROLES, RoleModel, decide, load_model
from worker.stages.events.stage import events
from worker.stages.pipeline import run_all
from worker.training.roles import fit, fit_labelled, folds_of, mean_figures, shuffled
from worker.training.scoring import match_events

SEED = (
    "أجرى مسؤولون أمريكيون سابقون محادثات سرية مع وزير الخارجية الروسي سيرغي لافروف في نيويورك. "
    "وقصفت الطائرات الروسية مواقع في مدينة حلب أمس."
)


def _shipped() -> dict:
    text = (resources.files("worker.resources") / "roles" / "weights.json").read_text(encoding="utf-8")
    return json.loads(text)


def test_shipped_weights_hold_feature_names_only():
    """Every Arabic string in a feature name is one of Khabar's own preposition classes: the
    weights were fitted on dev articles (SaudiNewsNet, not for shipping) and must carry none of
    their words."""
    arabic = re.compile("[\u0621-\u064a]+(?: [\u0621-\u064a]+)*")
    allowed = set(words("roles/preposition_classes"))
    names = set(_shipped()["weights"]) | set(_shipped().get("participation", {}).get("weights", {}))
    leaked = {w for f in names for w in arabic.findall(f)} - allowed
    assert leaked == set()
    assert all(f.count("=") <= 3 for f in names)


def test_shipped_model_loads_with_its_threshold():
    model = load_model("shipped")
    assert isinstance(model, RoleModel)
    assert 0 < model.threshold < 0.5
    assert load_model("off") is None
    assert "" in PREP_CLASSES


def test_fit_learns_what_the_features_say():
    data = [(("rule=actor", "side=after"), 1)] * 20 + [(("rule=recipient", "prep=مع"), 2)] * 20
    data += [(("rule=none", "side=before"), 0)] * 20
    model = fit(data, l2=1.0, threshold=0.3)
    p = model.probabilities(("rule=actor", "side=after"))
    assert max(range(3), key=lambda i: p[i]) == ROLES.index("actor")
    assert RoleModel.from_json(model.to_json()).probabilities(("rule=recipient", "prep=مع"))[2] > 0.5


def test_decide_gives_a_role_from_the_threshold_on():
    model = RoleModel({"x": (0.0, 0.0, 1.0)}, (1.0, 0.0, 0.0), threshold=0.3)
    from worker.stages.events.roles import Candidate

    cands = [Candidate("أ", "PERS", 0, 1, ("x",)), Candidate("ب", "PERS", 2, 3, ())]
    assert [(r, c.name) for r, c in decide(model, cands)] == [("recipient", "أ")]


def test_decide_keeps_the_likeliest_actors_and_recipients_only():
    """Two candidates above the threshold as actor: the likelier is kept, unless the model sets
    no limit; recipients likewise when the model limits them; the limits survive the JSON."""
    from worker.stages.events.roles import Candidate

    model = RoleModel(
        {"a": (0.0, 2.0, 0.0), "b": (0.0, 3.0, 0.0), "r": (0.0, 0.0, 3.0)}, (0.0, 0.0, 0.0), 0.3
    )
    cands = [
        Candidate("أ", "PERS", 0, 1, ("a",)),
        Candidate("ب", "PERS", 2, 3, ("b",)),
        Candidate("ج", "LOC", 4, 5, ("r",)),
    ]
    assert [(r, c.name) for r, c in decide(model, cands)] == [("actor", "ب"), ("recipient", "ج")]
    assert RoleModel.from_json(model.to_json()).max_actors == 1
    unlimited = RoleModel(model.weights, model.bias, 0.3, max_actors=None)
    assert [(r, c.name) for r, c in decide(unlimited, cands)] == [
        ("actor", "أ"),
        ("actor", "ب"),
        ("recipient", "ج"),
    ]
    both = [*cands, Candidate("د", "LOC", 6, 7, ("r", "r"))]
    one_recipient = RoleModel(model.weights, model.bias, 0.3, max_recipients=1)
    assert [(r, c.name) for r, c in decide(one_recipient, both)] == [("actor", "ب"), ("recipient", "د")]
    assert RoleModel.from_json(one_recipient.to_json()).max_recipients == 1
    assert [c.name for r, c in decide(model, both) if r == "recipient"] == ["ج", "د"]


@pytest.mark.parametrize("roles_model", ["off", "shipped"])
def test_events_stage_uses_the_configured_roles(roles_model):
    config = StageConfig(roles_model=roles_model, reference_date="2023-07-06")
    doc = run_all(Document.from_article("seed", "", SEED), config=config)
    assert doc.events
    again = run_all(Document.from_article("seed", "", SEED), config=config)
    assert again == doc  # deterministic
    collected: list = []
    linked = run_all(
        Document.from_article("seed", "", SEED), names=("normalise", "segment", "ner", "link"), config=config
    )
    events(linked, config, collect=collected)
    assert len(collected) == len(doc.events)
    for e, cands in zip(doc.events, collected, strict=True):
        names = {c.name for c in cands}
        assert {a.name for a in e.arguments if a.role != "location"} <= names


def test_a_re_mention_and_a_later_event_are_offered_the_earlier_and_headline_participants():
    """«الغارات» three sentences after «قصفت روسيا» gets روسيا as the antecedent's actor; the
    headline's place is offered as a headline entity (sentences written for the test)."""
    from tests.test_events import doc_with

    text = (
        "قصفت روسيا مواقع في حلب أمس. وقال سامر إن الوضع هادئ. وقال فادي إن الطقس حار. "
        "وأدان المرصد الغارات بشدة."
    )
    doc = doc_with(text, [("روسيا", "LOC"), ("حلب", "LOC"), ("سامر", "PERS"), ("فادي", "PERS")])
    collected: list = []
    out = events(doc, StageConfig(roles_model="off"), collect=collected)
    last = next(
        c for e, c in zip(out.events, collected, strict=True) if e.sentence == 3 and e.type == "ASSAULT"
    )
    features = {c.name: c.features for c in last}
    assert "antecedent&role=actor" in features["روسيا"]
    assert "headline_only&ent=LOC" in features["حلب"]
    first = next(c for e, c in zip(out.events, collected, strict=True) if e.sentence == 0)
    assert not any(f.startswith(("antecedent", "headline_only")) for c in first for f in c.features)


def test_with_a_gate_the_gate_decides_who_takes_part_and_the_model_which_role():
    from worker.stages.events.roles import Candidate

    # the role model leans to actor for "x" but to none for all; the gate lets "x" take part
    model = RoleModel({"x": (0.0, 1.0, 0.0)}, (5.0, 0.0, 0.0), 0.5, ({"x": (0.0, 3.0)}, (0.0, -1.0)))
    cands = [Candidate("أ", "PERS", 0, 1, ("x",)), Candidate("ب", "PERS", 2, 3, ())]
    assert [(r, c.name) for r, c in decide(model, cands)] == [("actor", "أ")]
    again = RoleModel.from_json(model.to_json())
    assert again.gate is not None
    assert again.participation(("x",)) == pytest.approx(model.participation(("x",)), abs=1e-5)
    assert decide(RoleModel(model.weights, model.bias, 0.5), cands) == []


def test_the_gate_learns_from_optional_events_and_the_direction_from_required_ones_only():
    required = [(("subject",), 1, True)] * 10 + [(("object",), 2, True)] * 10 + [(("far",), 0, True)] * 10
    # in optional events "object" is annotated as the actor: the gate may learn that it takes
    # part, the direction must not learn the swap
    optional = [(("object", "carried"), 1, False)] * 40 + [(("carried",), 0, False)] * 5
    model = fit_labelled(required + optional, l2=1.0, threshold=0.3, gate=True)
    assert "carried" not in model.weights
    assert model.participation(("carried",)) > model.participation(("far",))
    p = model.probabilities(("object",))
    assert p[2] > p[1]
    assert not fit_labelled(required + optional, l2=1.0, threshold=0.3).gate


def test_match_events_gives_the_optional_events_only_when_asked():
    def event(start: int, end: int, optional: bool = False) -> dict:
        return {"type": "ASSAULT", "sentence": {"start": start, "end": end}, "optional": optional}

    gold = {"events": [event(0, 10), event(10, 20, optional=True)]}
    pred = {"events": [{"type": "ASSAULT", "trigger": {"start": s}, "confidence": 0.5} for s in (3, 13)]}
    assert [p["trigger"]["start"] for _, p in match_events(gold, pred)] == [3]
    assert [p["trigger"]["start"] for _, p in match_events(gold, pred, optional=True)] == [3, 13]


def test_shuffled_splits_are_reproducible_and_differ_from_file_order():
    items = list(range(33))
    assert shuffled(items, 1) == shuffled(items, 1)
    assert sorted(shuffled(items, 2)) == items
    assert folds_of(shuffled(items, 1), 5) != folds_of(items, 5)
    assert shuffled(items, 1) != shuffled(items, 2)


def test_mean_figures_average_the_numbers_and_keep_shared_counts():
    runs = [
        {"participant": {"f1": 0.5, "p": 0.4}, "location": {"acc": 0.6, "n": 30}},
        {"participant": {"f1": 0.7, "p": 0.6}, "location": {"acc": 0.8, "n": 30}},
    ]
    mean = mean_figures(runs)
    assert mean["participant"]["f1"] == pytest.approx(0.6)
    assert mean["location"] == {"acc": pytest.approx(0.7), "n": 30}


def test_a_candidate_knows_the_words_beside_it():
    """What stands right before and after a candidate: the trigger, a genitive head («قوات»),
    another participant, punctuation (sentence written for the test)."""
    from tests.test_events import doc_with

    text = "قصفت قوات روسيا حلب ، وقالت سوريا إن القصف مستمر."
    doc = doc_with(text, [("روسيا", "LOC"), ("حلب", "LOC"), ("سوريا", "LOC")])
    collected: list = []
    out = events(doc, StageConfig(roles_model="off"), collect=collected)
    cands = next(c for e, c in zip(out.events, collected, strict=True) if e.type == "ASSAULT")
    features = {c.name: set(c.features) for c in cands}
    assert {"before=phrase&ent=LOC", "after=part:LOC"} <= features["روسيا"]
    assert {"before=part:LOC", "after=punct&ent=LOC"} <= features["حلب"]


def _candidates(text: str, names: list[tuple[str, str]], etype: str = "ASSAULT") -> list:
    from tests.test_events import doc_with

    collected: list = []
    out = events(doc_with(text, names), StageConfig(roles_model="off"), collect=collected)
    return next(c for e, c in zip(out.events, collected, strict=True) if e.type == etype)


def test_a_name_joined_by_wa_knows_the_name_before_it():
    """«و» attached («وتركيا») or apart («و مصر») joins a name to the one before it of its type;
    a name of another type, a name far back, and the second of «بين X وY» (a pair, one on each
    side) are not joined (sentences written for the test)."""
    cands = _candidates(
        "زار المبعوث الصين وتركيا و مصر ثم التقى حماس.",
        [("الصين", "LOC"), ("تركيا", "LOC"), ("مصر", "LOC"), ("حماس", "ORG")],
        "CONSULT",
    )
    joined = {c.name: c.conjunct_of for c in cands}
    assert joined == {"الصين": None, "تركيا": "الصين", "مصر": "تركيا", "حماس": None}
    pair = _candidates("وقعت اشتباكات بين روسيا وأوكرانيا أمس.", [("روسيا", "LOC"), ("أوكرانيا", "LOC")])
    assert {c.name: c.conjunct_of for c in pair} == {"روسيا": None, "أوكرانيا": None}
    mixed = _candidates("قصفت روسيا ولافروف حلب.", [("روسيا", "LOC"), ("لافروف", "PERS"), ("حلب", "LOC")])
    assert all(c.conjunct_of is None for c in mixed)


def test_names_joined_by_wa_share_the_role_the_model_gives_one_of_them():
    """The model keeps one conjunct: the others of its coordination take its role, recipients
    beyond the model's limit of them; where it gave the coordination both roles, or none,
    nothing is added."""
    from worker.stages.events.roles import Candidate

    model = RoleModel({"r": (0.0, 0.0, 5.0), "a": (0.0, 5.0, 0.0)}, (2.0, 0.0, 0.0), 0.3, max_recipients=1)
    cands = [
        Candidate("أ", "LOC", 0, 1, ("r",)),
        Candidate("ب", "LOC", 2, 3, (), "أ"),
        Candidate("ج", "LOC", 4, 5, (), "ب"),
        Candidate("د", "ORG", 6, 7, ()),
    ]
    assert [(r, c.name) for r, c in decide(model, cands)] == [
        ("recipient", "أ"),
        ("recipient", "ب"),
        ("recipient", "ج"),
    ]
    last_only = [cands[0], cands[1], Candidate("ج", "LOC", 4, 5, ("r",), "ب")]
    last_only[0] = Candidate("أ", "LOC", 0, 1, ())
    assert sorted(c.name for _, c in decide(model, last_only)) == ["أ", "ب", "ج"]
    split = [Candidate("أ", "LOC", 0, 1, ("a",)), Candidate("ب", "LOC", 2, 3, ("r",), "أ")]
    assert [(r, c.name) for r, c in decide(model, split)] == [("actor", "أ"), ("recipient", "ب")]
    alone = [Candidate("أ", "LOC", 0, 1, ()), Candidate("ب", "LOC", 2, 3, (), "أ")]
    assert decide(model, alone) == []


def test_actors_joined_by_wa_are_the_two_sides_of_a_two_sided_event():
    """«قررت الولايات المتحدة وتركيا تعزيز تعاونهما»: in a two-sided event the first named is the
    actor and the other the recipient, whichever of them the model kept; in another event a
    second actor is not added beyond the model's one."""
    from worker.stages.events.roles import Candidate

    model = RoleModel({"a": (0.0, 5.0, 0.0)}, (2.0, 0.0, 0.0), 0.3)
    first_kept = [Candidate("أ", "LOC", 0, 1, ("a",)), Candidate("ب", "LOC", 2, 3, (), "أ")]
    second_kept = [Candidate("ب", "LOC", 2, 3, ("a",), "أ"), Candidate("أ", "LOC", 0, 1, ())]
    for cands in (first_kept, second_kept):
        assert {(r, c.name) for r, c in decide(model, cands, "COOPERATE")} == {
            ("actor", "أ"),
            ("recipient", "ب"),
        }
        assert [(r, c.name) for r, c in decide(model, cands, "ASSAULT")] == [("actor", cands[0].name)]


def test_the_two_places_a_dual_names_are_joined():
    """«البلدتين» names again the two places «بلدتي» named: the second is joined to the first."""
    cands = _candidates(
        "تحاصر المعارضة بلدتي الفوعة وكفريا في ريف إدلب. واستهدفت القذائف البلدتين أمس.",
        [("الفوعة", "LOC"), ("كفريا", "LOC"), ("إدلب", "LOC")],
    )
    refs = {c.name: c.conjunct_of for c in cands if c.name in ("الفوعة", "كفريا")}
    assert refs == {"الفوعة": None, "كفريا": "الفوعة"}


def test_a_place_a_visit_goes_to_is_never_its_recipient():
    """«زار لافروف الصين ومصر»: the places are the visit's place (ANNOTATION.md), whatever the
    model says of them; a person visited stays a recipient, and a place in another event may be
    one (sentences written for the test)."""
    from worker.stages.events.roles import Candidate

    names = [("الصين", "LOC"), ("مصر", "LOC"), ("لافروف", "PERS")]
    cands = _candidates("زار لافروف الصين ومصر أمس.", names, "CONSULT")
    assert {c.name for c in cands if c.visited} == {"الصين", "مصر"}
    model = RoleModel({"r": (0.0, 0.0, 5.0)}, (2.0, 0.0, 0.0), 0.3)
    place = Candidate("الصين", "LOC", 0, 1, ("r",), visited=True)
    person = Candidate("لافروف", "PERS", 2, 3, ("r",))
    assert [(r, c.name) for r, c in decide(model, [place, person], "CONSULT")] == [("recipient", "لافروف")]
    struck = _candidates("قصفت الطائرات الصين.", [("الصين", "LOC")])
    assert not any(c.visited for c in struck)
