"""`khabar quality stories` without a database: the copies made of an article, the gold events found
again in a copy, the scorer's matching and the counts of stories per happening."""

from __future__ import annotations

from worker.corpus.story_eval import DATELINE, Predicted, Tally, copies, doc_text, match, relocate

ARTICLE = {
    "id": "a1",
    "title": "اجتماع وزاري في الرياض لبحث الأزمة",
    "body": "اجتمع الوزراء اليوم في الرياض.\nوناقشوا الأزمة الإقليمية.\nوأعلنوا اتفاقا على التعاون.\nوختموا اللقاء ببيان.",
    "published_at": "2023-05-01T10:00:00+03:00",
    "source": "spa",
}


def _gold(text: str) -> dict:
    def event(sentence: str, etype: str, optional: bool = False) -> dict:
        at = text.index(sentence)
        return {"type": etype, "sentence": {"start": at, "end": at + len(sentence), "text": sentence},
                "optional": optional}  # fmt: skip

    return {
        "id": "a1",
        "events": [
            event("اجتمع الوزراء اليوم في الرياض.", "CONSULT"),
            event("وأعلنوا اتفاقا على التعاون.", "AGREE"),
            event("وختموا اللقاء ببيان.", "CONSULT", optional=True),
        ],
    }


def test_copies_are_lightly_edited_reprints_by_other_outlets():
    one, two = copies(ARTICLE, 2)
    assert (one["id"], one["source"], one["copy_of"]) == ("a1~copy-wire-a", "copy-wire-a", "a1")
    assert one["body"].startswith(DATELINE) and "وختموا" not in one["body"]  # dateline, last paragraph cut
    assert one["title"] == ARTICLE["title"] and one["published_at"].startswith("2023-05-01T15:00")
    assert two["title"] == "اجتماع وزاري في"  # a shorter headline
    assert two["body"].split("\n")[1:3] == ["وأعلنوا اتفاقا على التعاون.", "وناقشوا الأزمة الإقليمية."]
    assert two["published_at"].startswith("2023-05-02T12:00")
    assert copies(ARTICLE, 2) == [one, two]  # deterministic


def test_gold_sentences_are_found_again_in_a_copy_or_dropped():
    gold = _gold(doc_text(ARTICLE["title"], ARTICLE["body"]))
    one = copies(ARTICLE, 1)[0]
    text = doc_text(one["title"], one["body"])
    found = relocate(gold, text)
    assert found[2] is None  # its paragraph was cut
    for e in found[:2]:
        assert text[e["sentence"]["start"] : e["sentence"]["end"]] == e["sentence"]["text"]


def test_tally_counts_over_split_and_over_merged_happenings():
    text = doc_text(ARTICLE["title"], ARTICLE["body"])
    gold = _gold(text)
    meet, agree = text.index("اجتمع"), text.index("اتفاقا")
    tally = Tally()
    # the meeting is story 1 in the original and in a copy, story 2 in another copy: over-split;
    # the agreement shares story 1 with the meeting in the original: over-merged within the article
    tally.add(
        "a1", "a1", gold["events"], [Predicted("CONSULT", meet, 0.9, 1), Predicted("AGREE", agree, 0.8, 1)]
    )
    tally.add("a1", "a1~x", gold["events"], [Predicted("CONSULT", meet, 0.9, 1)])
    tally.add(
        "a1", "a1~y", gold["events"], [Predicted("CONSULT", meet, 0.9, 2), Predicted("ASSAULT", meet, 0.9, 3)]
    )
    tally.close([("a1", 0), ("a1", 1)])
    f = tally.figures()
    assert (f["happenings"], f["missed"], f["one_story"], f["over_split"]) == (2, 0, 1, 1)
    assert (f["stories"], f["over_merged"], f["over_merged_within_article"]) == (2, 1, 1)
    assert f["reported_more_than_once"] == 1 and f["stories_per_happening"] == 1.5


def test_match_pairs_like_the_scorer_required_events_first():
    text = doc_text(ARTICLE["title"], ARTICLE["body"])
    gold = _gold(text)
    gold["events"][2] = {
        **gold["events"][2],
        "sentence": gold["events"][0]["sentence"],
    }  # optional, same sentence
    at = text.index("اجتمع")
    assert match(
        gold["events"], [Predicted("CONSULT", at, 0.5, None), Predicted("CONSULT", at, 0.9, None)]
    ) == {1: 0, 0: 2}
    assert match(gold["events"], [Predicted("AGREE", at, 0.9, None)]) == {}  # outside its sentence


MEETING = {
    "id": "m1",
    "title": "لافروف وبلينكن يبحثان الأزمة في جنيف",
    "body": (
        "التقى وزير الخارجية الروسي سيرغي لافروف نظيره الأمريكي أنتوني بلينكن في جنيف اليوم.\n"
        "وبحث الجانبان الأزمة الأوكرانية ومعاهدة الحد من الأسلحة الاستراتيجية في لقاء استمر ساعتين.\n"
        "وقال الوزير الروسي للصحفيين إن الحوار كان صريحا ومفيدا وإن موسكو مستعدة لمواصلة المشاورات.\n"
        "وأكد الوزير الأمريكي أن واشنطن لن تقبل بأي تغيير للحدود بالقوة."
    ),
    "published_at": "2023-03-01T18:00:00+03:00",
    "source": "tass",
}


def test_quality_stories_puts_an_article_and_its_copies_in_one_story(db, tmp_path):
    import json

    from tests.khabar_cli import khabar

    text = doc_text(MEETING["title"], MEETING["body"])
    sentence = MEETING["body"].split("\n")[0]
    at = text.index(sentence)
    gold = {
        "id": "m1",
        "entities": [],
        "events": [{"type": "CONSULT", "trigger": "التقى", "optional": False,
                    "sentence": {"start": at, "end": at + len(sentence), "text": sentence}}],
    }  # fmt: skip
    (tmp_path / "articles.jsonl").write_text(json.dumps(MEETING, ensure_ascii=False) + "\n", encoding="utf-8")
    (tmp_path / "gold.jsonl").write_text(json.dumps(gold, ensure_ascii=False) + "\n", encoding="utf-8")
    r = khabar("quality", "stories", "--dev-dir", str(tmp_path), "--copies", "2", "--json", db=db)
    assert r.returncode == 0, r.stderr
    got = json.loads(r.stdout.strip().splitlines()[-1])
    assert (got["copies"], got["copies_linked"]) == (2, 2)
    assert (got["happenings"], got["one_story"], got["over_split"], got["over_merged"]) == (1, 1, 0, 0)
    assert got["reported_more_than_once"] == 1
    again = khabar("quality", "stories", "--dev-dir", str(tmp_path), db=db)
    assert again.returncode != 0 and "fresh" in again.stderr  # never into a database that holds articles
