"""A name the tagger found in one sentence is tagged where it stands untagged in the sentences
around it (worker/stages/ner/consistency.py)."""

from __future__ import annotations

from worker.stages.ner.consistency import propagate


def test_a_found_name_is_tagged_again_nearby_with_its_clitics_and_article():
    sentences = [
        ["قال", "رئيس", "البنك", "التجاري", "أمس"],
        ["وأعلن", "للبنك", "التجاري", "برنامج", "جديد"],
        ["فاز", "العربي", "على", "السد"],
    ]
    tags = [["O", "O", "B-ORG", "I-ORG", "O"], ["O"] * 5, ["O", "B-ORG", "O", "O"]]
    got = propagate(sentences, tags, window=3)
    assert got[1] == ["O", "B-ORG", "I-ORG", "O", "O"]
    assert got[2] == tags[2] and got[0] == tags[0]  # what was found stays as it was
    assert tags[1] == ["O"] * 5  # the input is not changed


def test_nothing_is_tagged_beyond_the_window_or_over_another_mention():
    far = [["فينغر", "قال"], *([["كلام", "عام"]] * 4), ["قال", "فينغر"]]
    tags = [["B-PERS", "O"], *([["O", "O"]] * 4), ["O", "O"]]
    assert propagate(far, tags, window=3)[5] == ["O", "O"]
    assert propagate(far, tags, window=5)[5] == ["O", "B-PERS"]
    # only whole names found are looked for ("بان" alone is not one), an untagged word inside
    # another mention is not retagged, nor is a one-letter word
    sentences = [["زار", "مون", "و", "بان", "كي", "مون"], ["قال", "بان", "و", "مون"]]
    tags = [["O", "B-PERS", "O", "B-PERS", "I-PERS", "I-PERS"], ["O", "O", "O", "O"]]
    got = propagate(sentences, tags, window=1)
    assert got[0] == tags[0]
    assert got[1] == ["O", "O", "O", "B-PERS"]
    assert propagate([["في", "ق"], ["ق"]], [["O", "B-LOC"], ["O"]])[1] == ["O"]
