"""`khabar enqueue` as a user meets it, on the real Postgres and Redis: no silent successes, one
clear reason per bad input, file inputs that keep their identity and metadata."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from db.models import Article, Failure
from db.session import session_scope
from tests.khabar_cli import khabar

pytestmark = pytest.mark.pipeline

BODY = "اجتمع وزير الخارجية المصري مع نظيره الأردني في عمان يوم السبت لبحث الأوضاع في المنطقة."


def articles() -> list[Article]:
    with session_scope() as s:
        return list(s.scalars(select(Article).order_by(Article.external_id)))


def open_failures() -> list[Failure]:
    with session_scope() as s:
        return list(s.scalars(select(Failure).where(Failure.resolved_at.is_(None))))


def test_wait_without_a_worker_times_out_and_says_so(pg, tmp_path):
    f = tmp_path / "one.jsonl"
    f.write_text(json.dumps({"id": "w1", "body": BODY}, ensure_ascii=False) + "\n", encoding="utf-8")
    r = khabar("enqueue", str(f), "--wait", "--timeout", "2", db=pg)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "accepted 1" in r.stdout
    assert "timed out after 2s: 1 article(s) not finished" in r.stderr
    assert "no worker seems to be consuming" in r.stderr
    assert "processing" not in r.stderr  # no half-drawn progress bar without a terminal


def test_empty_and_missing_inputs_are_reported_and_the_rest_goes_in(pg, tmp_path):
    (tmp_path / "empty.jsonl").write_bytes(b"")
    good = tmp_path / "good.ndjson"
    good.write_text(json.dumps({"id": "g1", "body": BODY}, ensure_ascii=False) + "\n", encoding="utf-8")
    r = khabar("enqueue", str(tmp_path / "empty.jsonl"), str(tmp_path / "nope.jsonl"), str(good), db=pg)
    assert r.returncode == 1
    assert "accepted 1" in r.stdout and "unreadable 2" in r.stdout
    assert f"{tmp_path}/empty.jsonl: no articles in it (empty input)" in r.stderr
    assert f"{tmp_path}/nope.jsonl: No such file or directory" in r.stderr
    assert [a.external_id for a in articles()] == ["g1"]
    assert "Traceback" not in r.stderr


def test_folders_txt_ids_by_path_and_published_at_option(pg, tmp_path):
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "article.txt").write_text(f"عنوان {folder}\n{BODY} ({folder})", encoding="utf-8")
    (tmp_path / "notes.md").write_text("not an input", encoding="utf-8")
    r = khabar(
        "enqueue", ".", "--ids", "--published-at", "2025-03-01", "--source", "local", db=pg, cwd=tmp_path
    )
    assert r.returncode == 0, r.stderr
    stored = articles()
    assert [a.external_id for a in stored] == ["a/article.txt", "b/article.txt"]
    assert all(a.published_at.isoformat().startswith("2025-03-01") and a.source == "local" for a in stored)
    printed = dict(line.split("\t")[::-1] for line in r.stdout.splitlines())
    assert printed == {f"{a.external_id}": a.id for a in stored}
    assert "accepted 2" in r.stderr  # with --ids the summary leaves stdout to the ids


def test_html_keeps_title_date_and_canonical_url(pg, tmp_path):
    page = tmp_path / "page.html"
    page.write_text(
        "<html><head><title>وزير الخارجية &quot;يجتمع&quot; بنظيره</title>"
        '<meta property="article:published_time" content="2025-06-14T09:30:00+03:00">'
        '<meta property="og:site_name" content="الموقع">'
        '<link rel="canonical" href="https://example.com/news/1"></head>'
        f"<body><h1>وزير الخارجية &quot;يجتمع&quot; بنظيره</h1><p>{BODY}</p></body></html>",
        encoding="utf-8",
    )
    r = khabar("enqueue", str(page), db=pg)
    assert r.returncode == 0, r.stderr
    (a,) = articles()
    assert a.title == 'وزير الخارجية "يجتمع" بنظيره'
    assert a.url == "https://example.com/news/1" and a.source == "الموقع"
    assert a.published_at.isoformat() == "2025-06-14T06:30:00+00:00"
    assert a.body == BODY  # <title> and the <h1> repeating it are the title, not the body


def test_titles_are_unescaped(pg, tmp_path):
    f = tmp_path / "t.jsonl"
    f.write_text(json.dumps({"id": "t1", "title": "قال &quot;لا&quot; &amp; مضى", "body": BODY}) + "\n")
    assert khabar("enqueue", str(f), db=pg).returncode == 0
    assert articles()[0].title == 'قال "لا" & مضى'


def test_bad_inputs_one_reason_each_printed_once_recorded_once(pg, tmp_path):
    import random

    rng = random.Random(16)
    (tmp_path / "random.jsonl").write_bytes(bytes(rng.randrange(256) for _ in range(4096)))
    (tmp_path / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    big = json.dumps({"id": "big", "body": "ا" * 600}, ensure_ascii=False)
    (tmp_path / "big.jsonl").write_text(big + "\n", encoding="utf-8")
    r = khabar("enqueue", str(tmp_path), db=pg, KHABAR_MAX_BODY_BYTES="1000")
    assert r.returncode == 1
    lines = [line for line in r.stderr.splitlines() if line.strip()]
    assert len(lines) == 3, r.stderr  # one line per input, nothing logged twice
    assert "binary.txt: not a text file: binary data (NUL bytes)" in r.stderr
    assert "random.jsonl: not a JSON lines file" in r.stderr
    assert "big.jsonl:1: body too large: 1,200 bytes, the limit is 1,000 (KHABAR_MAX_BODY_BYTES)" in r.stderr
    assert "expected UTF-8 JSON" not in r.stderr
    assert len(open_failures()) == 3
