"""The article message contract (SCHEMA.md §1): every bad input gets a clear error."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from worker.messages import InvalidArticle, read_path, validate


def msg(**kw) -> str:
    return json.dumps({"id": "x", "body": "نص الخبر", **kw}, ensure_ascii=False)


def test_valid_message():
    a = validate(msg(title="عنوان", published_at="2023-07-07T12:00:00+03:00"))
    assert a.title == "عنوان" and a.body == "نص الخبر"
    assert a.message.published_at.isoformat() == "2023-07-07T12:00:00+03:00"
    assert len(a.content_hash) == 64


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("{not json", "malformed JSON"),
        ("[1, 2]", "expected a JSON object"),
        (json.dumps({"title": "t"}), "missing required field 'body'"),
        (msg(body="   \n "), "empty body"),
        (msg(body=5), "field 'body'"),
        (msg(published_at="yesterday"), "field 'published_at'"),
        (msg(body="a\x00b"), "NUL"),
        (msg(title="a\x00b"), "field 'title': .*NUL"),
        (msg(url="http://x/\x00"), "field 'url': .*NUL"),
        ('{"body": "نص", "title": "\\ud800"}', "field 'title': .*unpaired surrogates"),
        ('{"body": "\\udc80نص"}', "field 'body': .*unpaired surrogates"),
        (msg(format="pdf"), "unknown format"),
    ],
)
def test_invalid_messages_say_why(raw, reason):
    with pytest.raises(InvalidArticle, match=reason):
        validate(raw, "f.jsonl:3")


def test_size_limit_and_encodings():
    with pytest.raises(InvalidArticle, match="body too large: 1,200 bytes, the limit is 1,000"):
        validate(msg(body="ا" * 600), max_body_bytes=1000)
    with pytest.raises(InvalidArticle, match="not UTF-8"):
        validate(msg().encode("cp1256"))
    with pytest.raises(InvalidArticle, match="binary"):
        validate(b"\x89PNG\r\n\x1a\n\x00\x00")


def test_html_is_declared_and_parsed_without_scripts():
    a = validate(msg(format="html", body="<p>خبر <b>عاجل</b></p><script>alert(1)</script><p>ثانٍ</p>"))
    assert a.body == "خبر عاجل\nثانٍ"


def test_content_hash_ignores_diacritics_and_spacing():
    a = validate(msg(body="محادثاتٌ  سرية"))
    b = validate(msg(body="محادثات سرية", id="other"))
    assert a.content_hash == b.content_hash


def test_read_path_formats(tmp_path):
    (tmp_path / "a.jsonl").write_text(msg() + "\n\n" + "{bad\n", encoding="utf-8")
    items = list(read_path(str(tmp_path / "a.jsonl")))
    assert [i.ref for i in items] == [f"{tmp_path}/a.jsonl:1", f"{tmp_path}/a.jsonl:3"]
    (tmp_path / "b.txt").write_text("العنوان\nالسطر الأول\nالثاني", encoding="utf-8")
    (item,) = read_path(str(tmp_path / "b.txt"))
    # A file's id is its path: two article.txt in different folders stay two articles.
    assert item.data == {"id": f"{tmp_path}/b.txt", "title": "العنوان", "body": "السطر الأول\nالثاني"}
    (tmp_path / "c.json").write_text(json.dumps([{"body": "ا"}, {"body": "ب"}]), encoding="utf-8")
    assert len(list(read_path(str(tmp_path / "c.json")))) == 2
    with pytest.raises(InvalidArticle, match="unknown input type"):
        list(read_path(str(tmp_path / "d.pdf")))


unicode_soup = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8"),
        st.sampled_from(list("\u200f\u200e\u202b\u200b\ufeff\u064b\u0651\u0640\x00\x07<>'\";--")),
    ),
    max_size=300,
)


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        unicode_soup, st.binary(max_size=300), st.dictionaries(st.text(max_size=8), unicode_soup, max_size=5)
    )
)
def test_validator_never_crashes(raw):
    """Random Unicode, bytes and objects: a valid article or InvalidArticle, nothing else."""
    try:
        a = validate(raw, "fuzz")
    except InvalidArticle as exc:
        assert exc.reason
    else:
        assert a.body.strip()
