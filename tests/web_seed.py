"""The data of the window's tests: the seeds and an article written to attack the page (script
tags, quotes, a javascript: address), processed in process as `khabar demo` does, into Postgres or
SQLite (``seeded``, one database per test module)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import lxml.html
import pytest
from sqlalchemy import text

from tests.conftest import ROOT, TABLES, reset_settings

HOSTILE_TITLE = 'بيان "عاجل" <script>alert("title")</script>'
HOSTILE = {
    "id": "hostile-001",
    "title": HOSTILE_TITLE,
    "body": (
        "قال وزير الخارجية الأردني أيمن الصفدي في عمان إن الأردن يرفض الاعتداء على غزة. "
        '<script>alert("body")</script> \'اقتباس\' & "علامات" <img src=x onerror=alert(1)>\n'
        "وأضاف الصفدي أن المحادثات مع مصر ستستمر الأسبوع المقبل."
    ),
    "source": '<script>alert("source")</script>',
    "author": "\"'><b>كاتب</b>",
    "url": "javascript:alert('url')",
    "published_at": "2024-02-01T10:00:00+02:00",
}
# markup of the hostile article that must never reach a page as markup
RAW = ("<script", "<img", "<b>كاتب")


def _seed(url: str, tmp: Path) -> None:
    """The seeds and the hostile article, stored and processed in this process, as `khabar demo`."""
    from worker.commands.ingest import read_inputs
    from worker.producer import enqueue
    from worker.settings import get_settings
    from worker.steps import run_in_process

    reset_settings(KHABAR_DATABASE_URL=url)
    hostile = tmp / "hostile.jsonl"
    hostile.write_text(json.dumps(HOSTILE, ensure_ascii=False) + "\n", encoding="utf-8")
    invalid = tmp / "invalid.jsonl"  # a message without a body: one open failure to show
    invalid.write_text('{"id": "no-body"}\n', encoding="utf-8")
    seeds = sorted(str(p) for p in (ROOT / "seeds").glob("*.jsonl"))

    def in_process(ids, settings, report):
        for article_id in ids:
            assert run_in_process(article_id, settings)

    report = enqueue(read_inputs((*seeds, str(hostile), str(invalid))), get_settings(), dispatch=in_process)
    assert len(report.accepted) == 5 and len(report.invalid) == 1


@pytest.fixture(scope="module", params=["postgres", "sqlite"])
def seeded(request, tmp_path_factory) -> str:
    """A database holding the processed seeds and the hostile article (one for the module)."""
    tmp = tmp_path_factory.mktemp(f"window-{request.param}")
    before = os.environ.get("KHABAR_DATABASE_URL")
    if request.param == "postgres":
        url = request.getfixturevalue("pg_url")
        from db.session import get_engine

        with get_engine(url).begin() as conn:
            conn.execute(text(f"TRUNCATE {TABLES} RESTART IDENTITY CASCADE"))
    else:
        from db.migrate import upgrade

        url = f"sqlite:///{tmp / 'khabar.db'}"
        upgrade(url)
    _seed(url, tmp)
    yield url
    reset_settings(KHABAR_DATABASE_URL=before or "sqlite:///:memory:")


def checked(html: str, headers, path: str):
    """The page parsed, once checked for what every page must be: Arabic, right to left, with no
    markup of the hostile article, no script, no handler, no address but its own and the web's."""
    for raw in RAW:
        assert raw not in html.lower(), f"{raw!r} reached {path} unescaped"
    doc = lxml.html.fromstring(html)
    assert not doc.xpath("//script | //img | //iframe | //object | //*[@*[starts-with(name(), 'on')]]")
    assert not [h for h in doc.xpath("//@href | //@src") if not h.startswith(("/", "#", "http"))]
    assert doc.get("lang") == "ar" and doc.get("dir") == "rtl"
    assert headers["Content-Security-Policy"].startswith("default-src 'none'")  # no script at all
    assert "script-src" not in headers["Content-Security-Policy"]
    return doc
